//! The vhost-user backend loop: one frontend connection at a time on a unix socket (a new one
//! after the frontend disconnects, so a restarted QEMU finds us), the messages of
//! [`crate::protocol`] applied to the connection's state, guest memory mapped from the fds of
//! ADD_MEM_REG / SET_MEM_TABLE (vm-memory, no `unsafe`; several fds per message through
//! rustix's safe `recvmsg`) and published to the workers through `GuestMemoryAtomic` (regions
//! added or removed while rings run are seen by the next batch), and one worker thread per started
//! vring that waits on the kick eventfd, runs the [`CryptoBackend`] over the ring and signals
//! the call eventfd.
//!
//! QEMU's cryptodev-vhost-user traps (shared/virtio-crypto.md) are handled here: rings start
//! when their kick fd arrives (QEMU never sends SET_VRING_ENABLE), the guest's features are
//! never forwarded (we signal after every batch, whatever EVENT_IDX state), and sessions come
//! as messages 26/27 in either layout.

use std::fs::File;
use std::io::{IoSliceMut, Read, Write};
use std::mem::MaybeUninit;
use std::os::fd::OwnedFd;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;

use std::os::fd::AsRawFd;
use virtio_queue::{Queue, QueueT};
use vm_memory::{
    FileOffset, GuestAddress, GuestAddressSpace, GuestMemoryAtomic, GuestMemoryMmap,
    GuestRegionMmap, MmapRegion,
};
use vmm_sys_util::epoll::{ControlOperation, Epoll, EpollEvent, EventSet};

use crate::protocol::{
    CryptoSessionRequest, HEADER_LEN, Header, MemoryRegion, ProtocolError, Reply, Request,
    VringAddr, protocol_features,
};

/// VIRTIO_F_VERSION_1.
const VIRTIO_F_VERSION_1: u64 = 1 << 32;
/// VHOST_USER_F_PROTOCOL_FEATURES.
const VHOST_USER_F_PROTOCOL_FEATURES: u64 = 1 << 30;
/// Memory slots we accept (GET_MAX_MEM_SLOTS).
const MAX_MEM_SLOTS: u64 = 32;
/// Protocol features we offer.
pub const PROTOCOL_FEATURES: u64 = protocol_features::MQ
    | protocol_features::REPLY_ACK
    | protocol_features::CRYPTO_SESSION
    | protocol_features::CONFIGURE_MEM_SLOTS;

/// What the daemon asks of the crypto device.
pub trait CryptoBackend: Send + 'static {
    /// The processor of one data queue.
    type Queue: QueueHandler;
    /// CREATE_CRYPTO_SESSION: the new session id, or a negative error for the frontend.
    fn create_session(&mut self, request: &CryptoSessionRequest) -> Result<u64, i64>;
    /// CLOSE_CRYPTO_SESSION.
    fn close_session(&mut self, id: u64);
    /// A processor for data queue `index` (called when the ring starts). It runs on that
    /// ring's worker thread without the backend's lock, so queues are served in parallel.
    fn data_queue(&mut self, index: u16) -> Self::Queue;
    /// The frontend went away: forget its sessions.
    fn reset(&mut self);
}

/// Serves one data queue on its worker thread.
pub trait QueueHandler: Send + 'static {
    /// Completes every available chain of the queue; returns how many.
    fn process(&mut self, mem: &GuestMemoryMmap, queue: &mut Queue) -> usize;
}

/// Why the daemon stopped serving a connection or at all.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DaemonError {
    /// Socket I/O.
    #[error("{context}: {source}")]
    Io {
        /// What we were doing.
        context: &'static str,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// A message that does not parse.
    #[error(transparent)]
    Protocol(#[from] ProtocolError),
    /// A message that parses but cannot be honoured (no fd, unknown vring, memory that does
    /// not map).
    #[error("{0}")]
    Refused(String),
}

fn io(context: &'static str) -> impl FnOnce(std::io::Error) -> DaemonError {
    move |source| DaemonError::Io { context, source }
}

/// Daemon settings.
#[derive(Debug, Clone)]
pub struct DaemonConfig {
    /// The unix socket to listen on (QEMU's `-chardev socket,path=`).
    pub socket: PathBuf,
    /// Data queues offered (GET_QUEUE_NUM).
    pub queues: u16,
    /// Largest ring size accepted.
    pub max_queue_size: u16,
}

/// One mapped memory region and the frontend's address of it.
struct Region {
    desc: MemoryRegion,
    mapped: Arc<GuestRegionMmap>,
}

impl Region {
    /// Maps `file` as the region `desc` describes.
    fn map(desc: MemoryRegion, file: File) -> Result<Self, DaemonError> {
        let size = usize::try_from(desc.memory_size)
            .map_err(|_| DaemonError::Refused("region size".into()))?;
        let mapping = MmapRegion::from_file(FileOffset::new(file, desc.mmap_offset), size)
            .map_err(|e| DaemonError::Refused(format!("mapping a memory region: {e}")))?;
        let mapped = GuestRegionMmap::new(mapping, GuestAddress(desc.guest_phys_addr))
            .ok_or_else(|| DaemonError::Refused("memory region wraps".into()))?;
        Ok(Self {
            desc,
            mapped: Arc::new(mapped),
        })
    }

    /// Guest memory made of `regions` (refused when they overlap).
    fn memory(regions: &[Self]) -> Result<GuestMemoryMmap, DaemonError> {
        let regions: Vec<Arc<GuestRegionMmap>> =
            regions.iter().map(|r| Arc::clone(&r.mapped)).collect();
        GuestMemoryMmap::from_arc_regions(regions)
            .map_err(|e| DaemonError::Refused(format!("guest memory: {e}")))
    }
}

/// A vring being configured or running.
#[derive(Default)]
struct Vring {
    size: u16,
    base: u16,
    addr: Option<VringAddr>,
    /// Shared with the worker: QEMU replaces the call fd after the ring started.
    call: Arc<Mutex<Option<File>>>,
    worker: Option<Worker>,
}

struct Worker {
    stop: Arc<AtomicBool>,
    kick: Arc<File>,
    handle: JoinHandle<u16>,
}

impl Worker {
    /// Stops the thread; returns the ring's next available index.
    fn stop(self) -> u16 {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the thread from its read of the kick eventfd.
        let _ = (&*self.kick).write_all(&1u64.to_ne_bytes());
        self.handle.join().unwrap_or(0)
    }
}

/// The vhost-user daemon over a [`CryptoBackend`].
pub struct Daemon<B: CryptoBackend> {
    config: DaemonConfig,
    backend: Arc<Mutex<B>>,
}

impl<B: CryptoBackend> std::fmt::Debug for Daemon<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Daemon")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl<B: CryptoBackend> Daemon<B> {
    /// A daemon for `backend`.
    pub fn new(config: DaemonConfig, backend: B) -> Self {
        Self {
            config,
            backend: Arc::new(Mutex::new(backend)),
        }
    }

    /// Binds the socket (replacing a stale one) and serves frontends one after another until
    /// `stop` is set (checked between connections).
    ///
    /// # Errors
    /// The socket cannot be bound.
    pub fn run(&self, stop: &AtomicBool) -> Result<(), DaemonError> {
        let listener = bind(&self.config.socket)?;
        while !stop.load(Ordering::SeqCst) {
            let (stream, _) = listener.accept().map_err(io("Accepting a frontend"))?;
            if let Err(e) = self.serve(stream) {
                tracing::warn!("Frontend connection ended: {e}");
            }
            lock(&self.backend).reset();
        }
        Ok(())
    }

    /// Serves one frontend until it disconnects.
    ///
    /// # Errors
    /// I/O on the socket or a malformed message (the connection is dropped).
    pub fn serve(&self, mut stream: UnixStream) -> Result<(), DaemonError> {
        let mut conn = Connection {
            regions: Vec::new(),
            memory: GuestMemoryAtomic::new(GuestMemoryMmap::default()),
            vrings: (0..self.config.queues).map(|_| Vring::default()).collect(),
            protocol_features: 0,
        };
        let result = loop {
            let mut head = [0u8; HEADER_LEN];
            let (n, mut fds) = match recv_with_fds(&stream, &mut head) {
                Ok(r) => r,
                Err(e) => break Err(e),
            };
            if n == 0 {
                break Ok(());
            }
            if n < HEADER_LEN
                && let Some(rest) = head.get_mut(n..)
            {
                stream.read_exact(rest).map_err(io("Reading a header"))?;
            }
            let header = Header::decode(&head)?;
            let mut payload = vec![0u8; header.size];
            stream
                .read_exact(&mut payload)
                .map_err(io("Reading a payload"))?;
            let request = Request::decode(&header, &payload)?;
            tracing::debug!(?request, fds = fds.len(), "vhost-user message");
            let reply = if let Request::SetMemTable(regions) = &request {
                set_mem_table(&mut conn, regions, std::mem::take(&mut fds))?;
                None
            } else {
                // Every other message carries at most one fd; extra ones are closed.
                let fd = (!fds.is_empty()).then(|| File::from(fds.swap_remove(0)));
                self.handle(&mut conn, request, fd)?
            };
            let reply = match reply {
                Some(r) => Some(r),
                None if header.need_reply() => Some(Reply::U64(0)),
                None => None,
            };
            if let Some(reply) = reply {
                stream
                    .write_all(&reply.to_message(header.request))
                    .map_err(io("Writing a reply"))?;
            }
        };
        for v in &mut conn.vrings {
            if let Some(w) = v.worker.take() {
                w.stop();
            }
        }
        result
    }

    fn handle(
        &self,
        conn: &mut Connection,
        request: Request,
        fd: Option<File>,
    ) -> Result<Option<Reply>, DaemonError> {
        Ok(match request {
            Request::GetFeatures => Some(Reply::U64(
                VIRTIO_F_VERSION_1 | VHOST_USER_F_PROTOCOL_FEATURES,
            )),
            Request::SetFeatures(_) | Request::SetOwner | Request::SetStatus(_) => None,
            Request::ResetOwner | Request::ResetDevice => {
                conn.stop_all();
                lock(&self.backend).reset();
                None
            }
            Request::GetProtocolFeatures => Some(Reply::U64(PROTOCOL_FEATURES)),
            Request::SetProtocolFeatures(f) => {
                conn.protocol_features = f & PROTOCOL_FEATURES;
                None
            }
            Request::GetQueueNum => Some(Reply::U64(u64::from(self.config.queues))),
            Request::GetMaxMemSlots => Some(Reply::U64(MAX_MEM_SLOTS)),
            Request::GetStatus => Some(Reply::U64(0)),
            Request::AddMemReg(region) => {
                let file =
                    fd.ok_or_else(|| DaemonError::Refused("ADD_MEM_REG without an fd".into()))?;
                conn.add_region(region, file)?;
                None
            }
            Request::RemMemReg(region) => {
                conn.regions
                    .retain(|r| r.desc.guest_phys_addr != region.guest_phys_addr);
                conn.publish()?;
                None
            }
            Request::SetMemTable(_) => {
                return Err(DaemonError::Refused(
                    "SET_MEM_TABLE is handled with its fds".into(),
                ));
            }
            Request::SetVringNum(s) => {
                let size = u16::try_from(s.num)
                    .ok()
                    .filter(|&n| n > 0 && n <= self.config.max_queue_size && n.is_power_of_two())
                    .ok_or_else(|| DaemonError::Refused(format!("vring size {}", s.num)))?;
                conn.vring(s.index)?.size = size;
                None
            }
            Request::SetVringAddr(a) => {
                conn.vring(a.index)?.addr = Some(a);
                None
            }
            Request::SetVringBase(s) => {
                conn.vring(s.index)?.base = u16::try_from(s.num).unwrap_or(0);
                None
            }
            Request::GetVringBase(s) => {
                let v = conn.vring(s.index)?;
                let base = v.worker.take().map_or(v.base, Worker::stop);
                v.base = base;
                Some(Reply::VringState(crate::protocol::VringState {
                    index: s.index,
                    num: u32::from(base),
                }))
            }
            Request::SetVringCall { index, has_fd } => {
                let call = if has_fd { fd } else { None };
                *lock(&conn.vring(u32::from(index))?.call) = call;
                None
            }
            Request::SetVringErr { .. } => None,
            Request::SetVringKick { index, has_fd } => {
                let kick = match (has_fd, fd) {
                    (true, Some(f)) => f,
                    _ => {
                        return Err(DaemonError::Refused(
                            "SET_VRING_KICK without an fd (polling is not supported)".into(),
                        ));
                    }
                };
                self.start_vring(conn, index, kick)?;
                None
            }
            Request::SetVringEnable(_) => None,
            Request::CreateCryptoSession(req) => {
                let id = lock(&self.backend)
                    .create_session(&req)
                    .map_or_else(|e| e, |id| i64::try_from(id).unwrap_or(-1));
                tracing::debug!(session_id = id, "CREATE_CRYPTO_SESSION");
                Some(Reply::CryptoSession {
                    form: req.form,
                    session_id: id,
                })
            }
            Request::CloseCryptoSession(id) => {
                lock(&self.backend).close_session(id);
                None
            }
            Request::Unsupported(r) => {
                return Err(DaemonError::Refused(format!("unsupported message {r:?}")));
            }
        })
    }

    /// Starts the worker of vring `index` (QEMU never sends SET_VRING_ENABLE: a kick fd
    /// starts the ring).
    fn start_vring(&self, conn: &mut Connection, index: u8, kick: File) -> Result<(), DaemonError> {
        let memory = conn.memory.clone();
        let mem = memory.memory();
        let translate = |ua: u64| conn.translate(ua);
        let v = conn
            .vrings
            .get(usize::from(index))
            .ok_or_else(|| DaemonError::Refused(format!("vring {index}")))?;
        let addr = v
            .addr
            .ok_or_else(|| DaemonError::Refused("SET_VRING_KICK before SET_VRING_ADDR".into()))?;
        let mut queue = Queue::new(self.config.max_queue_size)
            .map_err(|e| DaemonError::Refused(format!("queue: {e:?}")))?;
        queue.set_size(v.size);
        let split = |a: u64| {
            let [l0, l1, l2, l3, h0, h1, h2, h3] = a.to_le_bytes();
            (
                Some(u32::from_le_bytes([l0, l1, l2, l3])),
                Some(u32::from_le_bytes([h0, h1, h2, h3])),
            )
        };
        let (dl, dh) = split(translate(addr.desc_user_addr)?);
        let (al, ah) = split(translate(addr.avail_user_addr)?);
        let (ul, uh) = split(translate(addr.used_user_addr)?);
        queue.set_desc_table_address(dl, dh);
        queue.set_avail_ring_address(al, ah);
        queue.set_used_ring_address(ul, uh);
        queue.set_next_avail(v.base);
        queue.set_next_used(v.base);
        queue.set_ready(true);
        // QEMU never tells us whether the guest negotiated VIRTIO_RING_F_EVENT_IDX. Keep
        // avail_event up to date anyway (the field is part of every split ring's used area):
        // a guest with EVENT_IDX then keeps kicking, one without ignores it; and we signal
        // after every batch, which is correct either way.
        queue.set_event_idx(true);
        if !queue.is_valid(&*mem) {
            return Err(DaemonError::Refused(format!(
                "vring {index} is not valid in guest memory"
            )));
        }
        drop(mem);
        let call = Arc::clone(&v.call);
        let kick = Arc::new(kick);
        let stop = Arc::new(AtomicBool::new(false));
        let mut handler = lock(&self.backend).data_queue(u16::from(index));
        let (thread_kick, thread_stop) = (Arc::clone(&kick), Arc::clone(&stop));
        let queue_index = u16::from(index);
        // QEMU's kick eventfds are non-blocking: wait for them with epoll (a timeout lets the
        // thread see `stop`), then drain the counter.
        let epoll = Epoll::new().map_err(|e| DaemonError::Refused(format!("epoll: {e}")))?;
        epoll
            .ctl(
                ControlOperation::Add,
                thread_kick.as_raw_fd(),
                EpollEvent::new(EventSet::IN, 0),
            )
            .map_err(|e| DaemonError::Refused(format!("epoll: {e}")))?;
        let handle = std::thread::spawn(move || {
            let mut counter = [0u8; 8];
            let mut events = [EpollEvent::default(); 1];
            loop {
                // Work already queued before the kick fd came is served too. After each batch,
                // publish avail_event and look again (a request may have come meanwhile).
                let mut done = 0usize;
                let mem = memory.memory();
                loop {
                    done = done.saturating_add(handler.process(&mem, &mut queue));
                    if !matches!(queue.enable_notification(&*mem), Ok(true)) {
                        break;
                    }
                }
                tracing::debug!(queue = queue_index, done, "vring processed");
                if done > 0
                    && let Some(c) = lock(&call).as_ref()
                {
                    let _ = (&*c).write_all(&1u64.to_ne_bytes());
                }
                loop {
                    if thread_stop.load(Ordering::SeqCst) {
                        return queue.next_avail();
                    }
                    match epoll.wait(100, &mut events) {
                        Ok(0) => continue,
                        Ok(_) => {}
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                        Err(_) => return queue.next_avail(),
                    }
                    match (&*thread_kick).read(&mut counter) {
                        Ok(_) => break,
                        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
                        Err(_) => return queue.next_avail(),
                    }
                }
            }
        });
        if let Some(v) = conn.vrings.get_mut(usize::from(index)) {
            if let Some(old) = v.worker.take() {
                old.stop();
            }
            v.worker = Some(Worker { stop, kick, handle });
        }
        Ok(())
    }
}

/// One frontend's state.
struct Connection {
    regions: Vec<Region>,
    /// Guest memory made of `regions`, shared with the vring workers: each batch loads the
    /// current map, so regions added or removed while rings run (memory hotplug) are seen.
    memory: GuestMemoryAtomic<GuestMemoryMmap>,
    vrings: Vec<Vring>,
    protocol_features: u64,
}

impl Connection {
    fn vring(&mut self, index: u32) -> Result<&mut Vring, DaemonError> {
        let count = self.vrings.len();
        usize::try_from(index)
            .ok()
            .and_then(|i| self.vrings.get_mut(i))
            .ok_or_else(|| DaemonError::Refused(format!("vring {index} (we have {count})")))
    }

    fn stop_all(&mut self) {
        for v in &mut self.vrings {
            if let Some(w) = v.worker.take() {
                v.base = w.stop();
            }
        }
    }

    fn add_region(&mut self, desc: MemoryRegion, file: File) -> Result<(), DaemonError> {
        self.regions.push(Region::map(desc, file)?);
        self.publish().inspect_err(|_| {
            self.regions.pop();
        })
    }

    /// Publishes the memory made of `regions` to the workers (refused when they overlap).
    fn publish(&self) -> Result<(), DaemonError> {
        let memory = Region::memory(&self.regions)?;
        self.memory
            .lock()
            .map_err(|_| DaemonError::Refused("guest memory lock poisoned".into()))?
            .replace(memory);
        Ok(())
    }

    /// The frontend's virtual address `ua` as a guest physical address.
    fn translate(&self, ua: u64) -> Result<u64, DaemonError> {
        self.regions
            .iter()
            .find_map(|r| {
                let off = ua.checked_sub(r.desc.userspace_addr)?;
                (off < r.desc.memory_size).then(|| r.desc.guest_phys_addr.checked_add(off))?
            })
            .ok_or_else(|| DaemonError::Refused(format!("address {ua:#x} is in no memory region")))
    }
}

/// VHOST_MEMORY_BASELINE_NREGIONS: the most fds one message carries (SET_MEM_TABLE).
const MAX_FDS: usize = 8;

/// Reads up to `head.len()` bytes and the fds sent with them (SCM_RIGHTS, close-on-exec).
/// A message whose fds did not fit (MSG_CTRUNC) is refused: the kernel closed the rest.
fn recv_with_fds(
    stream: &UnixStream,
    head: &mut [u8],
) -> Result<(usize, Vec<OwnedFd>), DaemonError> {
    use rustix::net::{RecvAncillaryBuffer, RecvAncillaryMessage, RecvFlags, ReturnFlags, recvmsg};
    let mut space = [MaybeUninit::uninit(); rustix::cmsg_space!(ScmRights(MAX_FDS))];
    let mut control = RecvAncillaryBuffer::new(&mut space);
    let got = loop {
        match recvmsg(
            stream,
            &mut [IoSliceMut::new(head)],
            &mut control,
            RecvFlags::CMSG_CLOEXEC,
        ) {
            Ok(got) => break got,
            Err(rustix::io::Errno::INTR) => {}
            Err(e) => {
                return Err(DaemonError::Io {
                    context: "Reading a message",
                    source: e.into(),
                });
            }
        }
    };
    let mut fds = Vec::new();
    for message in control.drain() {
        if let RecvAncillaryMessage::ScmRights(received) = message {
            fds.extend(received);
        }
    }
    if got.flags.contains(ReturnFlags::CTRUNC) {
        return Err(DaemonError::Refused(format!(
            "a message with more than {MAX_FDS} fds"
        )));
    }
    Ok((got.bytes, fds))
}

/// SET_MEM_TABLE: replaces the memory map with `regions`, one fd each, in order.
fn set_mem_table(
    conn: &mut Connection,
    regions: &[MemoryRegion],
    fds: Vec<OwnedFd>,
) -> Result<(), DaemonError> {
    if fds.len() != regions.len() {
        return Err(DaemonError::Refused(format!(
            "SET_MEM_TABLE with {} regions but {} fds",
            regions.len(),
            fds.len()
        )));
    }
    let table = regions
        .iter()
        .zip(fds)
        .map(|(region, fd)| Region::map(*region, File::from(fd)))
        .collect::<Result<Vec<_>, _>>()?;
    // Checked whole: a table that does not fit leaves the old map in place.
    Region::memory(&table)?;
    conn.regions = table;
    conn.publish()
}

fn bind(path: &Path) -> Result<UnixListener, DaemonError> {
    if path.exists() {
        let _ = std::fs::remove_file(path);
    }
    UnixListener::bind(path).map_err(io("Binding the vhost-user socket"))
}
