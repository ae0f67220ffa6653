//! Fuzz target for the vhost-user daemon's message handling
//! (`vtrust_vhost_user_crypto::daemon::Daemon::serve`): arbitrary bytes arrive on a real unix
//! socket as a frontend's message stream (no fds), and the daemon must end the connection
//! cleanly — never panic, never hang — whatever they say (vring setup without memory, sessions
//! of any layout, unsupported messages, truncation).

#![no_main]

use std::io::Write;
use std::os::unix::net::UnixStream;
use std::path::PathBuf;

use libfuzzer_sys::fuzz_target;
use virtio_queue::Queue;
use vm_memory::GuestMemoryMmap;
use vtrust_vhost_user_crypto::daemon::{CryptoBackend, Daemon, DaemonConfig, QueueHandler};
use vtrust_vhost_user_crypto::protocol::CryptoSessionRequest;

struct Null;

impl CryptoBackend for Null {
    type Queue = Null;
    fn create_session(&mut self, _: &CryptoSessionRequest) -> Result<u64, i64> {
        Ok(1)
    }
    fn close_session(&mut self, _: u64) {}
    fn data_queue(&mut self, _: u16) -> Null {
        Null
    }
    fn reset(&mut self) {}
}

impl QueueHandler for Null {
    fn process(&mut self, _: &GuestMemoryMmap, _: &mut Queue) -> usize {
        0
    }
}

fuzz_target!(|data: &[u8]| {
    if data.len() > 16 * 1024 {
        return;
    }
    let daemon = Daemon::new(
        DaemonConfig {
            socket: PathBuf::from("/nonexistent/unused.sock"),
            queues: 2,
            max_queue_size: 1024,
        },
        Null,
    );
    let data = data.to_vec();
    let (mut frontend, backend) = UnixStream::pair().expect("socketpair");
    // The daemon's replies go to a peer that never reads them; the socket buffer holds them.
    let writer = std::thread::spawn(move || {
        let _ = frontend.write_all(&data);
        drop(frontend);
    });
    let _ = daemon.serve(backend);
    let _ = writer.join();
});
