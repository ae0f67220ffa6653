//! The daemon against a frontend written here, speaking vhost-user over a real unix socket
//! with real fds: guest memory in a shared file, a split virtqueue laid out in it by hand
//! (VIRTIO 1.3 §2.7), eventfds for kick and call. A stand-in backend completes each chain with
//! a status byte, so the test checks the daemon's part: memory mapping and address translation,
//! ring start without SET_VRING_ENABLE, work queued before the kick fd, the call signal,
//! GET_VRING_BASE, crypto session replies in QEMU's layout, and serving a second connection
//! after the first frontend went away.

use std::fs::{File, OpenOptions};
use std::io::IoSlice;
use std::io::{Read, Write};
use std::mem::MaybeUninit;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd};
use std::os::unix::fs::FileExt;
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use virtio_queue::{Queue, QueueT};
use vm_memory::{Bytes, GuestMemoryMmap};
use vmm_sys_util::eventfd::{EFD_NONBLOCK, EventFd};
use vmm_sys_util::sock_ctrl_msg::ScmSocket;
use vtrust_vhost_user_crypto::daemon::{
    CryptoBackend, Daemon, DaemonConfig, PROTOCOL_FEATURES, QueueHandler,
};
use vtrust_vhost_user_crypto::protocol::CryptoSessionRequest;

/// Completes every chain with status 0 in its last writable byte.
struct StatusBackend {
    next_id: u64,
    completed: Arc<AtomicUsize>,
    resets: Arc<AtomicUsize>,
    rendezvous: Option<Arc<Rendezvous>>,
}

/// Makes the first chain of each of two queues wait (at most 5 s) until the other queue's
/// first chain arrived: both get through only when the queues are served at the same time.
#[derive(Default)]
struct Rendezvous {
    arrived: Mutex<u32>,
    cv: Condvar,
    timed_out: AtomicBool,
}

impl Rendezvous {
    fn meet(&self) {
        let mut arrived = self.arrived.lock().unwrap();
        *arrived += 1;
        self.cv.notify_all();
        let (_arrived, wait) = self
            .cv
            .wait_timeout_while(arrived, Duration::from_secs(5), |a| *a < 2)
            .unwrap();
        if wait.timed_out() {
            self.timed_out.store(true, Ordering::SeqCst);
        }
    }
}

struct StatusQueue {
    completed: Arc<AtomicUsize>,
    rendezvous: Option<Arc<Rendezvous>>,
}

impl CryptoBackend for StatusBackend {
    type Queue = StatusQueue;
    fn create_session(&mut self, _: &CryptoSessionRequest) -> Result<u64, i64> {
        self.next_id += 1;
        Ok(self.next_id)
    }
    fn close_session(&mut self, _: u64) {}
    fn data_queue(&mut self, _: u16) -> StatusQueue {
        StatusQueue {
            completed: Arc::clone(&self.completed),
            rendezvous: self.rendezvous.clone(),
        }
    }
    fn reset(&mut self) {
        self.resets.fetch_add(1, Ordering::SeqCst);
    }
}

impl QueueHandler for StatusQueue {
    fn process(&mut self, mem: &GuestMemoryMmap, queue: &mut Queue) -> usize {
        let mut n = 0;
        while let Some(chain) = queue.pop_descriptor_chain(mem) {
            if let Some(r) = self.rendezvous.take() {
                r.meet();
            }
            let head = chain.head_index();
            // A status byte outside guest memory: used length 0, as the device does.
            let written = chain
                .clone()
                .writable()
                .last()
                .is_some_and(|d| mem.write_obj(0u8, d.addr()).is_ok());
            queue.add_used(mem, head, u32::from(written)).unwrap();
            n += 1;
        }
        self.completed.fetch_add(n, Ordering::SeqCst);
        n
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

/// Sends one message with several fds in one SCM_RIGHTS (as QEMU sends SET_MEM_TABLE).
fn send_fds(s: &UnixStream, request: u32, flags: u32, payload: &[u8], fds: &[&File]) {
    use rustix::net::{SendAncillaryBuffer, SendAncillaryMessage, SendFlags, sendmsg};
    let m = message(request, flags, payload);
    let fds: Vec<BorrowedFd<'_>> = fds.iter().map(|f| f.as_fd()).collect();
    let mut space = [MaybeUninit::uninit(); rustix::cmsg_space!(ScmRights(8))];
    let mut control = SendAncillaryBuffer::new(&mut space);
    assert!(control.push(SendAncillaryMessage::ScmRights(&fds)));
    let sent = sendmsg(s, &[IoSlice::new(&m)], &mut control, SendFlags::empty()).unwrap();
    assert_eq!(sent, m.len());
}

/// A daemon serving `queues` data queues with a [`StatusBackend`], on a socket in its own
/// directory.
struct Harness {
    dir: PathBuf,
    socket: PathBuf,
    completed: Arc<AtomicUsize>,
    resets: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    server: std::thread::JoinHandle<Result<(), vtrust_vhost_user_crypto::daemon::DaemonError>>,
}

impl Harness {
    fn start(name: &str, queues: u16) -> Self {
        Self::start_with(name, queues, None)
    }

    fn start_with(name: &str, queues: u16, rendezvous: Option<Arc<Rendezvous>>) -> Self {
        let dir = std::env::temp_dir().join(format!("vtrust-vhost-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let socket = dir.join("crypto.sock");
        let completed = Arc::new(AtomicUsize::new(0));
        let resets = Arc::new(AtomicUsize::new(0));
        let daemon = Daemon::new(
            DaemonConfig {
                socket: socket.clone(),
                queues,
                max_queue_size: 1024,
            },
            StatusBackend {
                next_id: 0,
                completed: Arc::clone(&completed),
                resets: Arc::clone(&resets),
                rendezvous,
            },
        );
        let stop = Arc::new(AtomicBool::new(false));
        let daemon_stop = Arc::clone(&stop);
        let server = std::thread::spawn(move || daemon.run(&daemon_stop));
        wait_until("the socket", || socket.exists());
        Self {
            dir,
            socket,
            completed,
            resets,
            stop,
            server,
        }
    }

    /// A shared file of `size` bytes standing for guest RAM.
    fn guest_ram(&self, name: &str, size: u64) -> File {
        let mem = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(self.dir.join(name))
            .unwrap();
        mem.set_len(size).unwrap();
        mem
    }

    fn connect(&self) -> UnixStream {
        UnixStream::connect(&self.socket).unwrap()
    }

    /// Stops the daemon (it checks between connections) and removes the directory.
    fn finish(self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = UnixStream::connect(&self.socket);
        self.server.join().unwrap().unwrap();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A memory region as ADD_MEM_REG / SET_MEM_TABLE carry it: guest physical address, size,
/// the frontend's virtual address, offset in the fd.
fn region(gpa: u64, size: u64, ua: u64) -> Vec<u8> {
    [gpa, size, ua, 0]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect()
}

/// ADD_MEM_REG payload: 8 bytes of padding, then the region.
fn mem_reg(gpa: u64, size: u64, ua: u64) -> Vec<u8> {
    let mut p = 0u64.to_le_bytes().to_vec();
    p.extend_from_slice(&region(gpa, size, ua));
    p
}

/// Writes descriptor `i` of the table at `table` into `mem`.
fn write_desc(mem: &File, table: u64, i: u64, addr: u64, len: u32, flags: u16, next: u16) {
    let mut d = addr.to_le_bytes().to_vec();
    d.extend_from_slice(&len.to_le_bytes());
    d.extend_from_slice(&flags.to_le_bytes());
    d.extend_from_slice(&next.to_le_bytes());
    mem.write_all_at(&d, table + 16 * i).unwrap();
}

/// SET_VRING_NUM / SET_VRING_BASE / GET_VRING_BASE payload.
fn state(index: u32, num: u32) -> Vec<u8> {
    let mut p = index.to_le_bytes().to_vec();
    p.extend_from_slice(&num.to_le_bytes());
    p
}

/// SET_VRING_ADDR payload for ring `index` at frontend addresses desc, used, avail.
fn vring_addr(index: u32, desc: u64, used: u64, avail: u64) -> Vec<u8> {
    let mut addr = index.to_le_bytes().to_vec();
    addr.extend_from_slice(&0u32.to_le_bytes());
    for a in [desc, used, avail, 0] {
        addr.extend_from_slice(&a.to_le_bytes());
    }
    addr
}

/// Sets ring `q` up at `base` + (DESC, AVAIL, USED) with a fresh call fd, then starts it with
/// a kick fd (as QEMU: no SET_VRING_ENABLE); returns (call, kick).
fn start_ring(s: &UnixStream, q: u32, base: u64) -> (EventFd, EventFd) {
    send(s, 8, &state(q, u32::from(QSIZE)), None);
    let addr = vring_addr(q, UA + base + DESC, UA + base + USED, UA + base + AVAIL);
    send(s, 9, &addr, None);
    let call = call_fd();
    let kick = EventFd::new(0).unwrap();
    send(s, 13, &u64::from(q).to_le_bytes(), Some(&call));
    send(s, 12, &u64::from(q).to_le_bytes(), Some(&kick));
    (call, kick)
}

/// Reads one byte of `mem` at `offset`.
fn byte_at(mem: &File, offset: u64) -> u8 {
    let mut b = [0u8; 1];
    mem.read_exact_at(&mut b, offset).unwrap();
    b[0]
}

/// True when the daemon closes `s` within 5 s (it refused the last message); false when the
/// connection stays open.
fn closed(s: &UnixStream) -> bool {
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut buf = [0u8; 1];
    match (&*s).read(&mut buf) {
        Ok(0) => true,
        Ok(_) => false,
        Err(e) => e.kind() == std::io::ErrorKind::ConnectionReset,
    }
}

/// A call eventfd that the test can wait on without blocking forever.
fn call_fd() -> EventFd {
    EventFd::new(EFD_NONBLOCK).unwrap()
}

/// Waits (at most 10 s) for the daemon to signal `call`; returns the counter.
fn signalled(call: &EventFd) -> u64 {
    let mut n = 0;
    wait_until("the call signal", || match call.read() {
        Ok(v) => {
            n = v;
            true
        }
        Err(_) => false,
    });
    n
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
    let h = Harness::start("one", 1);
    let (completed, resets) = (Arc::clone(&h.completed), Arc::clone(&h.resets));
    // Guest memory: a shared file, one region at guest physical 0.
    let mem = h.guest_ram("guest-ram", MEM_SIZE);
    // One chain: 8 readable bytes at 0x10000, then a 1-byte writable status at 0x11000.
    write_desc(&mem, DESC, 0, 0x10000, 8, 1, 1); // VIRTQ_DESC_F_NEXT
    write_desc(&mem, DESC, 1, 0x11000, 1, 2, 0); // VIRTQ_DESC_F_WRITE
    mem.write_all_at(&[0xEE], 0x11000).unwrap();
    mem.write_all_at(&0u16.to_le_bytes(), AVAIL + 4).unwrap(); // ring[0] = head 0
    mem.write_all_at(&1u16.to_le_bytes(), AVAIL + 2).unwrap(); // idx = 1

    let s = h.connect();
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
    send_fds(&s, 37, 1 | 8, &mem_reg(0, MEM_SIZE, UA), &[&mem]);
    assert_eq!(u64_of(&reply(&s, 37)), 0);
    send(&s, 8, &state(0, u32::from(QSIZE)), None);
    send(
        &s,
        9,
        &vring_addr(0, UA + DESC, UA + USED, UA + AVAIL),
        None,
    );
    send(&s, 10, &state(0, 0), None);
    let call = call_fd();
    let kick = EventFd::new(0).unwrap();
    send(&s, 13, &0u64.to_le_bytes(), Some(&call));
    // The kick fd starts the ring (no SET_VRING_ENABLE), and the chain queued before it is
    // served at once.
    send(&s, 12, &0u64.to_le_bytes(), Some(&kick));
    assert_eq!(signalled(&call), 1, "call signalled");
    let mut used_idx = [0u8; 2];
    mem.read_exact_at(&mut used_idx, USED + 2).unwrap();
    assert_eq!(u16::from_le_bytes(used_idx), 1);
    assert_eq!(byte_at(&mem, 0x11000), 0);

    // A second chain after a kick.
    mem.write_all_at(&[0xEE], 0x11000).unwrap();
    mem.write_all_at(&0u16.to_le_bytes(), AVAIL + 6).unwrap(); // ring[1] = head 0
    mem.write_all_at(&2u16.to_le_bytes(), AVAIL + 2).unwrap();
    kick.write(1).unwrap();
    assert_eq!(signalled(&call), 1);
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
    let s = h.connect();
    send(&s, 1, &[], None);
    assert_ne!(u64_of(&reply(&s, 1)) & (1 << 32), 0);
    // A malformed message ends that connection, not the daemon.
    (&s).write_all(&message(2, 1, &[1, 2, 3])).unwrap();
    assert!(closed(&s), "connection closed");
    wait_until("a second reset", || resets.load(Ordering::SeqCst) == 2);
    h.finish();
}

/// GET_QUEUE_NUM says 2 and both rings run, each on its own worker and call fd, at the same
/// time: each queue's chain waits for the other's to arrive (a daemon serving one queue at a
/// time would keep the second waiting until the first gave up).
#[test]
fn serves_two_data_queues() {
    let rendezvous = Arc::new(Rendezvous::default());
    let h = Harness::start_with("2q", 2, Some(Arc::clone(&rendezvous)));
    let mem = h.guest_ram("guest-ram", MEM_SIZE);
    // Ring q lives at q * 0x10000 + (DESC, AVAIL, USED); its one chain writes a status at
    // 0x80000 + q.
    for q in 0..2u64 {
        let base = q * 0x10000;
        write_desc(&mem, base + DESC, 0, 0x40000 + base, 8, 1, 1);
        write_desc(&mem, base + DESC, 1, 0x80000 + q, 1, 2, 0);
        mem.write_all_at(&[0xEE], 0x80000 + q).unwrap();
        mem.write_all_at(&0u16.to_le_bytes(), base + AVAIL + 4)
            .unwrap();
        mem.write_all_at(&1u16.to_le_bytes(), base + AVAIL + 2)
            .unwrap();
    }

    let s = h.connect();
    send(&s, 17, &[], None);
    assert_eq!(u64_of(&reply(&s, 17)), 2, "GET_QUEUE_NUM");
    send_fds(&s, 37, 1, &mem_reg(0, MEM_SIZE, UA), &[&mem]);
    let mut calls = Vec::new();
    let mut kicks = Vec::new();
    for q in 0..2u32 {
        let (call, kick) = start_ring(&s, q, u64::from(q) * 0x10000);
        calls.push(call);
        kicks.push(kick);
    }
    for (q, call) in calls.iter().enumerate() {
        assert_eq!(signalled(call), 1, "queue {q} signalled");
        assert_eq!(
            byte_at(&mem, 0x80000 + q as u64),
            0,
            "queue {q} completed its chain"
        );
    }
    assert_eq!(h.completed.load(Ordering::SeqCst), 2);
    assert!(
        !rendezvous.timed_out.load(Ordering::SeqCst),
        "the two queues were not served in parallel"
    );
    // A vring index we did not offer is refused (the connection ends).
    send(&s, 8, &state(2, 16), None);
    assert!(closed(&s), "connection closed on vring 2");
    h.finish();
}

/// SET_MEM_TABLE with two regions from two fds in one message (a frontend without
/// CONFIGURE_MEM_SLOTS): the ring lives in the first, the chain's status byte in the second,
/// and the daemon maps both. Then the refusals: fewer fds than regions, overlapping regions.
#[test]
fn set_mem_table_maps_several_regions() {
    let h = Harness::start("memtable", 1);
    let low = h.guest_ram("low", MEM_SIZE);
    let high = h.guest_ram("high", MEM_SIZE);
    // Guest physical: low at 0, high at 4 GiB (as above-4G RAM); frontend addresses apart.
    const HIGH_GPA: u64 = 1 << 32;
    const HIGH_UA: u64 = UA + 0x1000_0000;
    write_desc(&low, DESC, 0, 0x10000, 8, 1, 1);
    write_desc(&low, DESC, 1, HIGH_GPA + 0x2000, 1, 2, 0);
    high.write_all_at(&[0xEE], 0x2000).unwrap();
    low.write_all_at(&0u16.to_le_bytes(), AVAIL + 4).unwrap();
    low.write_all_at(&1u16.to_le_bytes(), AVAIL + 2).unwrap();

    let s = h.connect();
    let mut table = 2u32.to_le_bytes().to_vec();
    table.extend_from_slice(&0u32.to_le_bytes());
    table.extend_from_slice(&region(0, MEM_SIZE, UA));
    table.extend_from_slice(&region(HIGH_GPA, MEM_SIZE, HIGH_UA));
    send_fds(&s, 5, 1 | 8, &table, &[&low, &high]);
    assert_eq!(u64_of(&reply(&s, 5)), 0, "SET_MEM_TABLE acked");
    let (call, _kick) = start_ring(&s, 0, 0);
    assert_eq!(signalled(&call), 1, "call signalled");
    assert_eq!(
        byte_at(&high, 0x2000),
        0,
        "status written into the second region"
    );
    assert_eq!(h.completed.load(Ordering::SeqCst), 1);
    drop(s);

    // Two regions, one fd.
    let s = h.connect();
    send_fds(&s, 5, 1, &table, &[&low]);
    assert!(closed(&s), "fewer fds than regions refused");
    // Two regions over the same guest addresses.
    let s = h.connect();
    let mut overlap = 2u32.to_le_bytes().to_vec();
    overlap.extend_from_slice(&0u32.to_le_bytes());
    overlap.extend_from_slice(&region(0, MEM_SIZE, UA));
    overlap.extend_from_slice(&region(MEM_SIZE / 2, MEM_SIZE, HIGH_UA));
    send_fds(&s, 5, 1, &overlap, &[&low, &high]);
    assert!(closed(&s), "overlapping regions refused");
    // More fds than one message may carry.
    let s = h.connect();
    let many: Vec<File> = (0..9).map(|_| low.try_clone().unwrap()).collect();
    let many: Vec<&File> = many.iter().collect();
    send_fds(&s, 5, 1, &table, &many);
    assert!(closed(&s), "nine fds refused");
    wait_until("four resets", || h.resets.load(Ordering::SeqCst) == 4);
    h.finish();
}

/// Refusals that end one connection and leave the daemon serving the next: a kick without an
/// fd (we do not poll), ADD_MEM_REG without an fd, a ring whose addresses are in no region,
/// a ring size that is not a power of two, a message type we do not know.
#[test]
fn refusals_end_the_connection_not_the_daemon() {
    let h = Harness::start("refusals", 1);
    let mem = h.guest_ram("ram", MEM_SIZE);
    let with_memory = || {
        let s = h.connect();
        send_fds(&s, 37, 1, &mem_reg(0, MEM_SIZE, UA), &[&mem]);
        s
    };
    type Case<'a> = (&'a str, Box<dyn Fn(&UnixStream)>);
    let cases: Vec<Case<'_>> = vec![
        (
            "SET_VRING_KICK without an fd",
            Box::new(|s| {
                send(s, 9, &vring_addr(0, UA + DESC, UA + USED, UA + AVAIL), None);
                send(s, 12, &(1u64 << 8).to_le_bytes(), None);
            }),
        ),
        (
            "ADD_MEM_REG without an fd",
            Box::new(|s| send(s, 37, &mem_reg(MEM_SIZE, MEM_SIZE, UA + MEM_SIZE), None)),
        ),
        (
            "a ring outside guest memory",
            Box::new(|s| {
                send(
                    s,
                    9,
                    &vring_addr(0, UA + 2 * MEM_SIZE, UA + USED, UA + AVAIL),
                    None,
                );
                let kick = EventFd::new(0).unwrap();
                send(s, 12, &0u64.to_le_bytes(), Some(&kick));
            }),
        ),
        (
            "a ring size of 3",
            Box::new(|s| send(s, 8, &state(0, 3), None)),
        ),
        ("message type 200", Box::new(|s| send(s, 200, &[], None))),
    ];
    for (i, (what, case)) in cases.iter().enumerate() {
        let s = with_memory();
        case(&s);
        assert!(closed(&s), "{what}: connection not closed");
        wait_until(what, || h.resets.load(Ordering::SeqCst) == i + 1);
    }
    // Still serving.
    let s = h.connect();
    send(&s, 17, &[], None);
    assert_eq!(u64_of(&reply(&s, 17)), 1);
    drop(s);
    h.finish();
}

/// Memory hotplug while the ring runs: a region added after the kick fd is used by the next
/// chain, and after REM_MEM_REG a chain naming it gets no status (used length 0) and the
/// removed memory is left alone.
#[test]
fn regions_added_and_removed_while_the_ring_runs() {
    const HIGH_GPA: u64 = 1 << 32;
    const HIGH_UA: u64 = UA + 0x1000_0000;
    let h = Harness::start("hotplug", 1);
    let low = h.guest_ram("low", MEM_SIZE);
    let high = h.guest_ram("high", MEM_SIZE);
    let s = h.connect();
    send_fds(&s, 37, 1 | 8, &mem_reg(0, MEM_SIZE, UA), &[&low]);
    assert_eq!(u64_of(&reply(&s, 37)), 0);
    let (call, kick) = start_ring(&s, 0, 0);

    // The ring runs; now the second region arrives, and a chain writes into it.
    send_fds(
        &s,
        37,
        1 | 8,
        &mem_reg(HIGH_GPA, MEM_SIZE, HIGH_UA),
        &[&high],
    );
    assert_eq!(u64_of(&reply(&s, 37)), 0);
    write_desc(&low, DESC, 0, 0x10000, 8, 1, 1);
    write_desc(&low, DESC, 1, HIGH_GPA + 0x2000, 1, 2, 0);
    high.write_all_at(&[0xEE], 0x2000).unwrap();
    low.write_all_at(&0u16.to_le_bytes(), AVAIL + 4).unwrap();
    low.write_all_at(&1u16.to_le_bytes(), AVAIL + 2).unwrap();
    kick.write(1).unwrap();
    assert_eq!(signalled(&call), 1);
    assert_eq!(
        byte_at(&high, 0x2000),
        0,
        "status written into the added region"
    );

    // Removed again: the same chain finds no memory for its status.
    // With REPLY_ACK, so that the removal is done before the kick below is seen: the kick is
    // served by the queue thread, not the thread reading this socket.
    send_fds(&s, 38, 1 | 8, &mem_reg(HIGH_GPA, MEM_SIZE, HIGH_UA), &[]);
    assert_eq!(u64_of(&reply(&s, 38)), 0);
    high.write_all_at(&[0xEE], 0x2000).unwrap();
    low.write_all_at(&0u16.to_le_bytes(), AVAIL + 6).unwrap();
    low.write_all_at(&2u16.to_le_bytes(), AVAIL + 2).unwrap();
    kick.write(1).unwrap();
    assert_eq!(signalled(&call), 1);
    let mut used = [0u8; 8];
    low.read_exact_at(&mut used, USED + 4 + 8).unwrap();
    assert_eq!(
        u32::from_le_bytes(used[4..].try_into().unwrap()),
        0,
        "used length 0"
    );
    assert_eq!(byte_at(&high, 0x2000), 0xEE, "removed memory untouched");
    drop(s);
    h.finish();
}
