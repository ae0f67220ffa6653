//! The daemon against a frontend written here, speaking vhost-user over a real unix socket
//! with real fds: guest memory in a shared file, a split virtqueue laid out in it by hand
//! (VIRTIO 1.3 §2.7), eventfds for kick and call. A stand-in backend completes each chain with
//! a status byte, so the test checks the daemon's part: memory mapping and address translation,
//! ring start without SET_VRING_ENABLE, work queued before the kick fd, the call signal,
//! GET_VRING_BASE, crypto session replies in QEMU's layout, and serving a second connection
//! after the first frontend went away.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::fs::FileExt;
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use virtio_queue::{Queue, QueueT};
use vm_memory::{Bytes, GuestMemoryMmap};
use vmm_sys_util::eventfd::EventFd;
use vmm_sys_util::sock_ctrl_msg::ScmSocket;
use vtrust_vhost_user_crypto::daemon::{CryptoBackend, Daemon, DaemonConfig, PROTOCOL_FEATURES};
use vtrust_vhost_user_crypto::protocol::CryptoSessionRequest;

/// Completes every chain with status 0 in its last writable byte.
struct StatusBackend {
    next_id: u64,
    completed: Arc<AtomicUsize>,
    resets: Arc<AtomicUsize>,
}

impl CryptoBackend for StatusBackend {
    fn create_session(&mut self, _: &CryptoSessionRequest) -> Result<u64, i64> {
        self.next_id += 1;
        Ok(self.next_id)
    }
    fn close_session(&mut self, _: u64) {}
    fn process_queue(&mut self, _: u16, mem: &GuestMemoryMmap, queue: &mut Queue) -> usize {
        let mut n = 0;
        while let Some(chain) = queue.pop_descriptor_chain(mem) {
            let head = chain.head_index();
            let last = chain.clone().writable().last().unwrap();
            mem.write_obj(0u8, last.addr()).unwrap();
            queue.add_used(mem, head, 1).unwrap();
            n += 1;
        }
        self.completed.fetch_add(n, Ordering::SeqCst);
        n
    }
    fn reset(&mut self) {
        self.resets.fetch_add(1, Ordering::SeqCst);
    }
}

const MEM_SIZE: u64 = 1 << 20;
/// The frontend's (fake) virtual address of guest physical 0.
const UA: u64 = 0x7f00_0000_0000;
const DESC: u64 = 0x1000;
const AVAIL: u64 = 0x2000;
const USED: u64 = 0x3000;
const QSIZE: u16 = 16;

fn message(request: u32, flags: u32, payload: &[u8]) -> Vec<u8> {
    let mut m = request.to_le_bytes().to_vec();
    m.extend_from_slice(&flags.to_le_bytes());
    m.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    m.extend_from_slice(payload);
    m
}

fn send(s: &UnixStream, request: u32, payload: &[u8], fd: Option<&dyn AsRawFd>) {
    let m = message(request, 1, payload);
    match fd {
        Some(fd) => {
            s.send_with_fd(&m[..], fd.as_raw_fd()).unwrap();
        }
        None => (&*s).write_all(&m).unwrap(),
    }
}

fn reply(s: &UnixStream, request: u32) -> Vec<u8> {
    let mut head = [0u8; 12];
    (&*s).read_exact(&mut head).unwrap();
    assert_eq!(u32::from_le_bytes(head[..4].try_into().unwrap()), request);
    assert_eq!(
        u32::from_le_bytes(head[4..8].try_into().unwrap()),
        0x5,
        "version 1 | REPLY"
    );
    let size = u32::from_le_bytes(head[8..12].try_into().unwrap()) as usize;
    let mut payload = vec![0u8; size];
    (&*s).read_exact(&mut payload).unwrap();
    payload
}

fn u64_of(p: &[u8]) -> u64 {
    u64::from_le_bytes(p.try_into().unwrap())
}

fn wait_until(what: &str, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn serves_a_frontend_and_then_another() {
    let dir = std::env::temp_dir().join(format!("vtrust-vhost-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let socket: PathBuf = dir.join("crypto.sock");
    let completed = Arc::new(AtomicUsize::new(0));
    let resets = Arc::new(AtomicUsize::new(0));
    let daemon = Daemon::new(
        DaemonConfig {
            socket: socket.clone(),
            queues: 1,
            max_queue_size: 1024,
        },
        StatusBackend {
            next_id: 0,
            completed: Arc::clone(&completed),
            resets: Arc::clone(&resets),
        },
    );
    let stop = Arc::new(AtomicBool::new(false));
    let daemon_stop = Arc::clone(&stop);
    let server = std::thread::spawn(move || daemon.run(&daemon_stop));
    wait_until("the socket", || socket.exists());

    // Guest memory: a shared file, one region at guest physical 0.
    let mem_path = dir.join("guest-ram");
    let mem = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(&mem_path)
        .unwrap();
    mem.set_len(MEM_SIZE).unwrap();
    // One chain: 8 readable bytes at 0x10000, then a 1-byte writable status at 0x11000.
    let desc = |i: u64, addr: u64, len: u32, flags: u16, next: u16| {
        let mut d = addr.to_le_bytes().to_vec();
        d.extend_from_slice(&len.to_le_bytes());
        d.extend_from_slice(&flags.to_le_bytes());
        d.extend_from_slice(&next.to_le_bytes());
        mem.write_all_at(&d, DESC + 16 * i).unwrap();
    };
    desc(0, 0x10000, 8, 1, 1); // VIRTQ_DESC_F_NEXT
    desc(1, 0x11000, 1, 2, 0); // VIRTQ_DESC_F_WRITE
    mem.write_all_at(&[0xEE], 0x11000).unwrap();
    mem.write_all_at(&0u16.to_le_bytes(), AVAIL + 4).unwrap(); // ring[0] = head 0
    mem.write_all_at(&1u16.to_le_bytes(), AVAIL + 2).unwrap(); // idx = 1

    let s = UnixStream::connect(&socket).unwrap();
    send(&s, 1, &[], None); // GET_FEATURES
    let f = u64_of(&reply(&s, 1));
    assert_ne!(f & (1 << 32), 0, "VERSION_1");
    assert_ne!(f & (1 << 30), 0, "PROTOCOL_FEATURES");
    send(&s, 15, &[], None); // GET_PROTOCOL_FEATURES
    assert_eq!(u64_of(&reply(&s, 15)), PROTOCOL_FEATURES);
    send(&s, 16, &0x8089u64.to_le_bytes(), None);
    send(&s, 17, &[], None); // GET_QUEUE_NUM
    assert_eq!(u64_of(&reply(&s, 17)), 1);
    send(&s, 3, &[], None); // SET_OWNER
    // ADD_MEM_REG with NEED_REPLY: the ack is 0.
    let mut region = 0u64.to_le_bytes().to_vec();
    for v in [0, MEM_SIZE, UA, 0] {
        region.extend_from_slice(&v.to_le_bytes());
    }
    s.send_with_fd(&message(37, 1 | 8, &region)[..], mem.as_raw_fd())
        .unwrap();
    assert_eq!(u64_of(&reply(&s, 37)), 0);
    let state = |index: u32, num: u32| {
        let mut p = index.to_le_bytes().to_vec();
        p.extend_from_slice(&num.to_le_bytes());
        p
    };
    send(&s, 8, &state(0, u32::from(QSIZE)), None);
    let mut addr = 0u32.to_le_bytes().to_vec();
    addr.extend_from_slice(&0u32.to_le_bytes());
    for a in [UA + DESC, UA + USED, UA + AVAIL, 0] {
        addr.extend_from_slice(&a.to_le_bytes());
    }
    send(&s, 9, &addr, None);
    send(&s, 10, &state(0, 0), None);
    let call = EventFd::new(0).unwrap();
    let kick = EventFd::new(0).unwrap();
    send(&s, 13, &0u64.to_le_bytes(), Some(&call));
    // The kick fd starts the ring (no SET_VRING_ENABLE), and the chain queued before it is
    // served at once.
    send(&s, 12, &0u64.to_le_bytes(), Some(&kick));
    assert_eq!(call.read().unwrap(), 1, "call signalled");
    let mut used_idx = [0u8; 2];
    mem.read_exact_at(&mut used_idx, USED + 2).unwrap();
    assert_eq!(u16::from_le_bytes(used_idx), 1);
    let mut status = [0u8; 1];
    mem.read_exact_at(&mut status, 0x11000).unwrap();
    assert_eq!(status, [0]);

    // A second chain after a kick.
    mem.write_all_at(&[0xEE], 0x11000).unwrap();
    mem.write_all_at(&0u16.to_le_bytes(), AVAIL + 6).unwrap(); // ring[1] = head 0
    mem.write_all_at(&2u16.to_le_bytes(), AVAIL + 2).unwrap();
    kick.write(1).unwrap();
    assert_eq!(call.read().unwrap(), 1);
    wait_until("two completions", || completed.load(Ordering::SeqCst) == 2);

    // CREATE_CRYPTO_SESSION in QEMU 7.2's 632-byte layout: the reply carries the id at 0.
    let mut session = vec![0u8; 632];
    session[8..12].copy_from_slice(&3u32.to_le_bytes());
    session[12..16].copy_from_slice(&16u32.to_le_bytes());
    send(&s, 26, &session, None);
    let r = reply(&s, 26);
    assert_eq!(r.len(), 632);
    assert_eq!(i64::from_le_bytes(r[..8].try_into().unwrap()), 1);
    send(&s, 27, &1u64.to_le_bytes(), None);

    // GET_VRING_BASE stops the ring and reports where it stopped.
    send(&s, 11, &state(0, 0), None);
    let r = reply(&s, 11);
    assert_eq!(u32::from_le_bytes(r[4..8].try_into().unwrap()), 2);
    drop(s);

    // The frontend is gone (QEMU stopped): the daemon resets the backend and takes the next.
    wait_until("a reset", || resets.load(Ordering::SeqCst) == 1);
    let s = UnixStream::connect(&socket).unwrap();
    send(&s, 1, &[], None);
    assert_ne!(u64_of(&reply(&s, 1)) & (1 << 32), 0);
    // A malformed message ends that connection, not the daemon.
    (&s).write_all(&message(2, 1, &[1, 2, 3])).unwrap();
    let mut buf = [0u8; 1];
    assert_eq!((&s).read(&mut buf).unwrap(), 0, "connection closed");
    wait_until("a second reset", || resets.load(Ordering::SeqCst) == 2);

    stop.store(true, Ordering::SeqCst);
    let _ = UnixStream::connect(&socket);
    server.join().unwrap().unwrap();
    drop(File::open(&mem_path));
    let _ = std::fs::remove_dir_all(&dir);
}

/// GET_QUEUE_NUM says 2 and both rings run, each on its own worker and call fd.
#[test]
fn serves_two_data_queues() {
    let dir = std::env::temp_dir().join(format!("vtrust-vhost-2q-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let socket = dir.join("crypto.sock");
    let completed = Arc::new(AtomicUsize::new(0));
    let daemon = Daemon::new(
        DaemonConfig {
            socket: socket.clone(),
            queues: 2,
            max_queue_size: 1024,
        },
        StatusBackend {
            next_id: 0,
            completed: Arc::clone(&completed),
            resets: Arc::new(AtomicUsize::new(0)),
        },
    );
    let stop = Arc::new(AtomicBool::new(false));
    let daemon_stop = Arc::clone(&stop);
    let server = std::thread::spawn(move || daemon.run(&daemon_stop));
    wait_until("the socket", || socket.exists());

    let mem_path = dir.join("guest-ram");
    let mem = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(&mem_path)
        .unwrap();
    mem.set_len(MEM_SIZE).unwrap();
    // Ring q lives at q * 0x10000 + (DESC, AVAIL, USED); its one chain writes a status at
    // 0x80000 + q.
    for q in 0..2u64 {
        let base = q * 0x10000;
        let mut d = (0x40000 + base).to_le_bytes().to_vec();
        d.extend_from_slice(&8u32.to_le_bytes());
        d.extend_from_slice(&1u16.to_le_bytes());
        d.extend_from_slice(&1u16.to_le_bytes());
        d.extend_from_slice(&(0x80000 + q).to_le_bytes());
        d.extend_from_slice(&1u32.to_le_bytes());
        d.extend_from_slice(&2u16.to_le_bytes());
        d.extend_from_slice(&0u16.to_le_bytes());
        mem.write_all_at(&d, base + DESC).unwrap();
        mem.write_all_at(&[0xEE], 0x80000 + q).unwrap();
        mem.write_all_at(&0u16.to_le_bytes(), base + AVAIL + 4)
            .unwrap();
        mem.write_all_at(&1u16.to_le_bytes(), base + AVAIL + 2)
            .unwrap();
    }

    let s = UnixStream::connect(&socket).unwrap();
    send(&s, 17, &[], None);
    assert_eq!(u64_of(&reply(&s, 17)), 2, "GET_QUEUE_NUM");
    let mut region = 0u64.to_le_bytes().to_vec();
    for v in [0, MEM_SIZE, UA, 0] {
        region.extend_from_slice(&v.to_le_bytes());
    }
    s.send_with_fd(&message(37, 1, &region)[..], mem.as_raw_fd())
        .unwrap();
    let mut calls = Vec::new();
    let mut kicks = Vec::new();
    for q in 0..2u32 {
        let base = u64::from(q) * 0x10000;
        let mut p = q.to_le_bytes().to_vec();
        p.extend_from_slice(&u32::from(QSIZE).to_le_bytes());
        send(&s, 8, &p, None);
        let mut addr = q.to_le_bytes().to_vec();
        addr.extend_from_slice(&0u32.to_le_bytes());
        for a in [UA + base + DESC, UA + base + USED, UA + base + AVAIL, 0] {
            addr.extend_from_slice(&a.to_le_bytes());
        }
        send(&s, 9, &addr, None);
        let call = EventFd::new(0).unwrap();
        let kick = EventFd::new(0).unwrap();
        send(&s, 13, &u64::from(q).to_le_bytes(), Some(&call));
        send(&s, 12, &u64::from(q).to_le_bytes(), Some(&kick));
        calls.push(call);
        kicks.push(kick);
    }
    for (q, call) in calls.iter().enumerate() {
        assert_eq!(call.read().unwrap(), 1, "queue {q} signalled");
        let mut status = [0u8; 1];
        mem.read_exact_at(&mut status, 0x80000 + q as u64).unwrap();
        assert_eq!(status, [0], "queue {q} completed its chain");
    }
    assert_eq!(completed.load(Ordering::SeqCst), 2);
    // A vring index we did not offer is refused (the connection ends).
    let mut p = 2u32.to_le_bytes().to_vec();
    p.extend_from_slice(&16u32.to_le_bytes());
    send(&s, 8, &p, None);
    let mut buf = [0u8; 1];
    assert_eq!(
        (&s).read(&mut buf).unwrap(),
        0,
        "connection closed on vring 2"
    );
    stop.store(true, Ordering::SeqCst);
    let _ = UnixStream::connect(&socket);
    server.join().unwrap().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}
