//! A peer's `payload_size` is checked against our limit before anything is allocated for it
//! (DESIGN.md: "never allocate a size taken from the peer alone"). A global allocator that
//! records the largest request shows it: a 4 GiB `payload_size` never turns into a large
//! allocation, on the requester side or the responder side.
//!
//! The only unsafe code in the crate's tests: a `GlobalAlloc` that forwards to `System`.

#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::Duration;

use vtrust_spdm_transport::{
    ConnectionError, FrameTransport, PlatformListener, ServerEvent, SocketConfig, SocketTransport,
    TcpTransport, TransportError,
};

/// The largest single allocation (or reallocation target) seen.
static LARGEST: AtomicUsize = AtomicUsize::new(0);

struct RecordingAllocator;

// SAFETY: every method forwards its arguments unchanged to `System`, which upholds the
// `GlobalAlloc` contract; the only addition is an atomic store.
unsafe impl GlobalAlloc for RecordingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LARGEST.fetch_max(layout.size(), Ordering::Relaxed);
        // SAFETY: the caller's `layout` contract is passed on as is.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        LARGEST.fetch_max(layout.size(), Ordering::Relaxed);
        // SAFETY: as `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by `System` with `layout` (every allocation goes there).
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LARGEST.fetch_max(new_size, Ordering::Relaxed);
        // SAFETY: as `dealloc`, and the caller's `new_size` contract is passed on.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: RecordingAllocator = RecordingAllocator;

const TIMEOUT: Option<Duration> = Some(Duration::from_secs(10));

fn header(size: u32) -> Vec<u8> {
    let mut bytes = vec![0, 0, 0, 1, 0, 0, 0, 1];
    bytes.extend(size.to_be_bytes());
    bytes
}

/// One test in this binary, so no other test allocates meanwhile.
#[test]
fn oversized_payload_size_is_refused_without_allocating() {
    let config = SocketConfig::new(SocketTransport::SPDM_EMU_MCTP)
        .with_read_timeout(TIMEOUT)
        .with_handshake(false);

    // Requester side: the responder announces 4 GiB.
    let raw = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = raw.local_addr().unwrap();
    let server = thread::spawn(move || {
        let (mut s, _) = raw.accept().unwrap();
        s.write_all(&header(u32::MAX)).unwrap();
        // A full-size frame afterwards, on a second connection, as the control.
        let (mut s2, _) = raw.accept().unwrap();
        let mut frame = header(4736);
        frame.extend(vec![0x55; 4736]);
        s2.write_all(&frame).unwrap();
        drop(s);
    });
    let mut client = TcpTransport::connect(addr, &config).unwrap();
    LARGEST.store(0, Ordering::Relaxed);
    let err = client.recv().unwrap_err();
    let largest = LARGEST.load(Ordering::Relaxed);
    assert!(matches!(
        err,
        ConnectionError::Frame(TransportError::Malformed(_))
    ));
    assert!(largest < 4096, "largest allocation {largest} bytes");

    // Control: a frame at the limit does allocate its 4736 bytes, so the recorder works.
    let mut client2 = TcpTransport::connect(addr, &config).unwrap();
    LARGEST.store(0, Ordering::Relaxed);
    assert_eq!(client2.recv().unwrap().len(), 4736);
    assert!(LARGEST.load(Ordering::Relaxed) >= 4736);
    server.join().unwrap();

    // Responder side: the requester announces 4 GiB.
    let mut listener = PlatformListener::bind("127.0.0.1:0", config).unwrap();
    let addr = listener.local_addr().unwrap();
    let mut raw_client = TcpStream::connect(addr).unwrap();
    assert!(matches!(
        listener.next_event().unwrap(),
        ServerEvent::Connected { .. }
    ));
    raw_client.write_all(&header(u32::MAX)).unwrap();
    LARGEST.store(0, Ordering::Relaxed);
    let event = listener.next_event().unwrap();
    let largest = LARGEST.load(Ordering::Relaxed);
    assert!(matches!(
        event,
        ServerEvent::Disconnected {
            reason: ConnectionError::Frame(TransportError::Malformed(_))
        }
    ));
    assert!(largest < 4096, "largest allocation {largest} bytes");
}
