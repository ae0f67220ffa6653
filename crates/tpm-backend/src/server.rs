//! Serves any [`TpmBackend`] over swtpm's socket protocol (`shared/tpm-crb.md` §3), so
//! existing swtpm clients work unchanged:
//!
//! - tpm2-tools / libtss2-tcti-swtpm (`-T swtpm:host=127.0.0.1,port=P`): data on TCP port P,
//!   control on P+1. The TCTI opens a new connection for every TPM command and for every
//!   control command (`tcti-swtpm.c`: `socket_connect` in transmit and in
//!   `tcti_control_command`, closed after the reply) and sends CMD_SET_LOCALITY(0) once at
//!   start-up, with a 1-byte body.
//! - QEMU `-tpmdev emulator` (a unix control socket; the data channel is a socketpair handed
//!   over with CMD_SET_DATAFD; STOP / SET_BUFFERSIZE / INIT at reset, GET/SET_STATEBLOB for
//!   migration).
//!
//! The control codec is [`crate::ptm`]; [`ControlHandler`] is the protocol state (running or
//! stopped, locality, pending buffer size and state blobs) and turns a request's bytes into a
//! reply's bytes without I/O, so it is fuzzed directly. [`Server`] owns the sockets and
//! threads (one per connection).

#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::arithmetic_side_effects
    )
)]

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::os::fd::OwnedFd;
use std::os::unix::fs::FileTypeExt;
use std::os::unix::net::{UnixListener, UnixStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use vmm_sys_util::sock_ctrl_msg::ScmSocket;

use crate::ptm::{
    self, BlobType, Request, Response, TPM_BAD_LOCALITY, TPM_BAD_ORDINAL, TPM_BAD_PARAMETER,
    TPM_FAIL, TPM_HEADER_LEN, TPM_IOERROR, TPM_RETRY, TPM2_SEND_COMMAND, cap,
};
use crate::stream::{Endpoint, ReadFailure, Stream, drain, read_full};
use crate::{
    BackendError, BackendState, InitOptions, TPM_RC_COMMAND_SIZE, TPM_RC_FAILURE, TpmBackend,
    error_response,
};

/// The control commands this server implements, as CMD_GET_CAPABILITY reports them: QEMU's
/// minimum plus CANCEL, GET/SET_STATEBLOB, GET_CONFIG and the TPM2_SEND_COMMAND prefix.
/// Hashing (D-RTM), STORE_VOLATILE, GET_INFO and LOCK_STORAGE have no [`TpmBackend`]
/// counterpart and answer `TPM_BAD_ORDINAL`.
pub const SERVER_CAPS: u64 = cap::QEMU_MINIMUM
    | cap::CANCEL_TPM_CMD
    | cap::GET_STATEBLOB
    | cap::SET_STATEBLOB
    | cap::GET_CONFIG
    | cap::SEND_COMMAND_HEADER;

/// Smallest buffer size we offer in SET_BUFFERSIZE (libtpms' minimum, MAX_CONTEXT_SIZE + 128,
/// measured 2808), or the backend's size if that is smaller.
pub const MIN_BUFFER_SIZE: usize = 2808;

/// How long the rest of a message may take once its first byte came (clients write each
/// message at once; swtpm allows 500 ms for control messages).
const MESSAGE_DEADLINE: Duration = Duration::from_millis(500);
/// How long the rest of a TPM command may take once its first bytes came.
const COMMAND_DEADLINE: Duration = Duration::from_secs(2);

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Whether the TPM is running, as CMD_STOP / CMD_INIT move it. Stopped holds what was set
/// for the next INIT.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Power {
    /// Commands are served.
    Running,
    /// After CMD_STOP: data-channel commands get `TPM_RC_FAILURE`; SET_BUFFERSIZE and
    /// SET_STATEBLOB are accepted for the next INIT.
    Stopped {
        /// From CMD_SET_BUFFERSIZE(n).
        buffer_size: Option<usize>,
        /// From CMD_SET_STATEBLOB; loaded at INIT if the permanent blob was set.
        blobs: BackendState,
    },
}

#[derive(Debug)]
struct ControlState {
    power: Power,
    /// From CMD_SET_LOCALITY; used for data-channel commands without the prefix.
    locality: u8,
    /// Whether CMD_SET_DATAFD was used (swtpm allows it once).
    datafd_taken: bool,
}

/// What a control request asks of the server beyond its reply.
#[derive(Debug, Default)]
pub struct ControlOutcome {
    /// The reply's bytes.
    pub reply: Vec<u8>,
    /// CMD_SHUTDOWN: stop serving after sending the reply.
    pub shutdown: bool,
    /// CMD_SET_DATAFD: serve the data channel on this socket.
    pub data_channel: Option<UnixStream>,
}

/// The swtpm control protocol over a [`TpmBackend`]: request bytes in, reply bytes out.
/// Shared by all connections of a [`Server`].
pub struct ControlHandler {
    backend: Arc<dyn TpmBackend>,
    state: Mutex<ControlState>,
    /// The backend's buffer size when we started: the largest size we offer.
    max_buffer: usize,
}

impl std::fmt::Debug for ControlHandler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ControlHandler")
            .field("backend", &self.backend.name())
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

fn failed(result: u32) -> Response {
    Response::Failed { result }
}

impl ControlHandler {
    /// A handler for `backend`, which is running (initialised) already, as swtpm is with
    /// `--flags not-need-init`.
    pub fn new(backend: Arc<dyn TpmBackend>) -> Self {
        let max_buffer = backend.buffer_size();
        Self {
            backend,
            state: Mutex::new(ControlState {
                power: Power::Running,
                locality: 0,
                datafd_taken: false,
            }),
            max_buffer,
        }
    }

    /// The backend served.
    #[must_use]
    pub fn backend(&self) -> &Arc<dyn TpmBackend> {
        &self.backend
    }

    /// Whether the TPM is running (not stopped by CMD_STOP).
    #[must_use]
    pub fn is_running(&self) -> bool {
        lock(&self.state).power == Power::Running
    }

    /// The locality set with CMD_SET_LOCALITY.
    #[must_use]
    pub fn locality(&self) -> u8 {
        lock(&self.state).locality
    }

    /// Handles one complete control request (`bytes`, as read; `fd` if a socket came with it
    /// as SCM_RIGHTS). Malformed requests get `TPM_BAD_PARAMETER`, unknown or unsupported
    /// ones `TPM_BAD_ORDINAL`, as swtpm answers them. Never panics.
    pub fn handle(&self, bytes: &[u8], fd: Option<UnixStream>) -> ControlOutcome {
        let mut outcome = ControlOutcome::default();
        let response = match Request::decode(bytes) {
            Ok(req) => self.dispatch(req, fd, &mut outcome),
            Err(_) => failed(TPM_BAD_PARAMETER),
        };
        // Encoding fails only for data above 4 GiB, which no backend state reaches.
        outcome.reply = response
            .encode()
            .unwrap_or_else(|_| TPM_FAIL.to_be_bytes().to_vec());
        outcome
    }

    fn dispatch(&self, req: Request, fd: Option<UnixStream>, out: &mut ControlOutcome) -> Response {
        let mut state = lock(&self.state);
        let running = state.power == Power::Running;
        match req {
            Request::GetCapability => Response::Capability { caps: SERVER_CAPS },
            Request::Init { flags } => {
                let old = std::mem::replace(&mut state.power, Power::Running);
                let result = match old {
                    Power::Stopped { blobs, .. } if !blobs.permanent.is_empty() => {
                        self.backend.load_state(&blobs)
                    }
                    Power::Stopped { buffer_size, .. } => self
                        .backend
                        .init(InitOptions {
                            delete_volatile: flags & ptm::PTM_INIT_FLAG_DELETE_VOLATILE != 0,
                            buffer_size,
                        })
                        .map(|_| ()),
                    Power::Running => self
                        .backend
                        .init(InitOptions {
                            delete_volatile: flags & ptm::PTM_INIT_FLAG_DELETE_VOLATILE != 0,
                            buffer_size: None,
                        })
                        .map(|_| ()),
                };
                match result {
                    Ok(()) => Response::Success,
                    Err(e) => {
                        tracing::debug!("CMD_INIT failed: {e}");
                        state.power = Power::Stopped {
                            buffer_size: None,
                            blobs: BackendState::default(),
                        };
                        failed(TPM_FAIL)
                    }
                }
            }
            Request::Shutdown => {
                out.shutdown = true;
                Response::Success
            }
            Request::Stop => {
                if running {
                    state.power = Power::Stopped {
                        buffer_size: None,
                        blobs: BackendState::default(),
                    };
                }
                Response::Success
            }
            Request::SetLocality { locality } => {
                if locality > 4 {
                    failed(TPM_BAD_LOCALITY)
                } else {
                    state.locality = locality;
                    Response::Success
                }
            }
            Request::GetTpmEstablished if running => match self.backend.established() {
                Ok(bit) => Response::TpmEstablished { bit: u8::from(bit) },
                Err(_) => failed(TPM_FAIL),
            },
            Request::ResetTpmEstablished { locality } if running => {
                if locality > 4 {
                    failed(TPM_BAD_LOCALITY)
                } else {
                    match self.backend.reset_established(locality) {
                        Ok(()) => Response::Success,
                        Err(_) => failed(TPM_FAIL),
                    }
                }
            }
            Request::CancelTpmCmd if running => match self.backend.cancel() {
                Ok(()) => Response::Success,
                Err(_) => failed(TPM_FAIL),
            },
            Request::GetStateBlob {
                blob_type, offset, ..
            } if running => self.get_state_blob(blob_type, offset),
            Request::SetStateBlob {
                flags,
                blob_type,
                data,
            } => match &mut state.power {
                Power::Running => failed(TPM_BAD_ORDINAL),
                // PTM_STATE_FLAG_ENCRYPTED: we hold no key to decrypt with.
                Power::Stopped { .. } if flags & 2 != 0 => failed(TPM_BAD_PARAMETER),
                Power::Stopped { blobs, .. } => match blob_type {
                    BlobType::Permanent => {
                        blobs.permanent = data;
                        Response::Success
                    }
                    BlobType::Volatile => {
                        blobs.volatile = data;
                        Response::Success
                    }
                    BlobType::Savestate => {
                        blobs.savestate = data;
                        Response::Success
                    }
                    BlobType::Unknown(_) => failed(TPM_BAD_PARAMETER),
                },
            },
            Request::GetConfig => Response::Config { flags: 0 },
            Request::SetDataFd => match fd {
                None => failed(TPM_BAD_PARAMETER),
                Some(_) if state.datafd_taken => failed(TPM_IOERROR),
                Some(stream) => {
                    state.datafd_taken = true;
                    out.data_channel = Some(stream);
                    Response::Success
                }
            },
            Request::SetBufferSize { size } => self.set_buffer_size(&mut state.power, size),
            // Not running, or no backend counterpart (hashing, STORE_VOLATILE, GET_INFO,
            // LOCK_STORAGE), or unknown.
            _ => failed(TPM_BAD_ORDINAL),
        }
    }

    fn buffer_limits(&self) -> (usize, usize) {
        let max = self.max_buffer;
        (MIN_BUFFER_SIZE.min(max), max)
    }

    fn set_buffer_size(&self, power: &mut Power, size: u32) -> Response {
        let (min, max) = self.buffer_limits();
        let as_u32 = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
        let current = match power {
            Power::Running if size != 0 => return failed(TPM_BAD_ORDINAL),
            Power::Running => self.backend.buffer_size(),
            Power::Stopped { buffer_size, .. } => {
                if size != 0 {
                    let wanted = usize::try_from(size).unwrap_or(usize::MAX).clamp(min, max);
                    *buffer_size = Some(wanted);
                }
                buffer_size.unwrap_or_else(|| self.backend.buffer_size())
            }
        };
        Response::BufferSize {
            size: as_u32(current),
            min: as_u32(min),
            max: as_u32(max),
        }
    }

    fn get_state_blob(&self, blob_type: BlobType, offset: u32) -> Response {
        if matches!(blob_type, BlobType::Unknown(_)) {
            return failed(TPM_BAD_PARAMETER);
        }
        let state = match self.backend.save_state() {
            Ok(s) => s,
            Err(e) => {
                tracing::debug!("GET_STATEBLOB failed: {e}");
                return failed(TPM_FAIL);
            }
        };
        let blob = match blob_type {
            BlobType::Permanent => state.permanent,
            BlobType::Volatile => state.volatile,
            BlobType::Savestate | BlobType::Unknown(_) => state.savestate,
        };
        if blob.is_empty() && blob_type == BlobType::Savestate {
            // swtpm's answer for a savestate blob that does not exist (measured).
            return failed(TPM_RETRY);
        }
        let from = usize::try_from(offset).unwrap_or(usize::MAX);
        let data = blob.get(from..).map(<[u8]>::to_vec).unwrap_or_default();
        Response::StateBlob {
            flags: 0,
            totlength: u32::try_from(data.len()).unwrap_or(u32::MAX),
            data,
        }
    }

    /// Runs one TPM command from the data channel: refused with `TPM_RC_FAILURE` while
    /// stopped or when the backend fails; `locality` overrides CMD_SET_LOCALITY (the
    /// TPM2_SEND_COMMAND prefix carries one).
    pub fn execute(&self, locality: Option<u8>, command: &[u8]) -> Vec<u8> {
        let loc = {
            let state = lock(&self.state);
            if state.power != Power::Running {
                return error_response(TPM_RC_FAILURE);
            }
            locality.unwrap_or(state.locality)
        };
        let code = command
            .get(6..10)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .map_or(0, u32::from_be_bytes);
        match self.backend.execute(loc, command) {
            Ok(rsp) => {
                // Guest-triggered: debug level only (DESIGN.md).
                tracing::debug!(
                    locality = loc,
                    command_code = format_args!("{code:#x}"),
                    command_len = command.len(),
                    response_code = format_args!(
                        "{:#x}",
                        rsp.get(6..10)
                            .and_then(|b| <[u8; 4]>::try_from(b).ok())
                            .map_or(0, u32::from_be_bytes)
                    ),
                    response_len = rsp.len(),
                    "TPM command"
                );
                rsp
            }
            Err(e) => {
                tracing::debug!("Backend failed a command: {e}");
                error_response(TPM_RC_FAILURE)
            }
        }
    }
}

/// Where a [`Server`] listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerConfig {
    /// The control socket (swtpm `--ctrl`).
    pub ctrl: Endpoint,
    /// The data socket (swtpm `--server`); `None` for clients that use CMD_SET_DATAFD only
    /// (QEMU).
    pub data: Option<Endpoint>,
}

#[derive(Debug)]
enum Listener {
    Unix(UnixListener),
    Tcp(TcpListener),
}

impl Listener {
    fn bind(ep: &Endpoint) -> Result<(Self, Endpoint), BackendError> {
        let io = |source| BackendError::Io {
            context: format!("Listening on {ep}"),
            source,
        };
        match ep {
            Endpoint::Unix(path) => {
                // A stale socket from an earlier run; never remove anything else.
                if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_socket()) {
                    let _ = std::fs::remove_file(path);
                }
                let l = UnixListener::bind(path).map_err(io)?;
                Ok((Self::Unix(l), ep.clone()))
            }
            Endpoint::Tcp(addr) => {
                let l = TcpListener::bind(addr).map_err(io)?;
                let actual = l.local_addr().map_err(io)?;
                Ok((Self::Tcp(l), Endpoint::Tcp(actual)))
            }
        }
    }

    fn accept(&self) -> std::io::Result<Stream> {
        match self {
            Self::Unix(l) => l.accept().map(|(s, _)| Stream::Unix(s)),
            Self::Tcp(l) => l.accept().map(|(s, _)| {
                let _ = s.set_nodelay(true);
                Stream::Tcp(s)
            }),
        }
    }
}

/// State shared by the server's threads and its handles.
#[derive(Debug)]
struct Shared {
    handler: ControlHandler,
    stop: AtomicBool,
    /// Open connections, so shutdown can close them.
    conns: Mutex<HashMap<u64, Stream>>,
    next_id: AtomicU64,
    ctrl: Endpoint,
    data: Option<Endpoint>,
}

impl Shared {
    fn track(&self, s: &Stream) -> Option<u64> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let clone = s.try_clone().ok()?;
        lock(&self.conns).insert(id, clone);
        if self.stop.load(Ordering::SeqCst) {
            s.shutdown();
        }
        Some(id)
    }

    fn untrack(&self, id: Option<u64>) {
        if let Some(id) = id {
            lock(&self.conns).remove(&id);
        }
    }

    fn shutdown(&self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loops.
        for ep in std::iter::once(&self.ctrl).chain(self.data.as_ref()) {
            let _ = ep.connect();
        }
        for (_, s) in lock(&self.conns).drain() {
            s.shutdown();
        }
    }
}

/// A swtpm-protocol server over a backend. See the [module docs](self).
#[derive(Debug)]
pub struct Server {
    shared: Arc<Shared>,
    ctrl: Listener,
    data: Option<Listener>,
}

/// Stops a running [`Server`] from another thread; also tells where it listens.
#[derive(Debug, Clone)]
pub struct ServerHandle {
    shared: Arc<Shared>,
}

impl ServerHandle {
    /// Stops accepting, closes every connection; [`Server::run`] then returns.
    pub fn shutdown(&self) {
        self.shared.shutdown();
    }

    /// The control endpoint (with the actual port when bound to port 0).
    #[must_use]
    pub fn ctrl_endpoint(&self) -> &Endpoint {
        &self.shared.ctrl
    }

    /// The data endpoint, if any (with the actual port when bound to port 0).
    #[must_use]
    pub fn data_endpoint(&self) -> Option<&Endpoint> {
        self.shared.data.as_ref()
    }

    /// Whether the server was stopped (by [`shutdown`](Self::shutdown) or CMD_SHUTDOWN).
    #[must_use]
    pub fn is_stopped(&self) -> bool {
        self.shared.stop.load(Ordering::SeqCst)
    }
}

impl Server {
    /// Binds the sockets of `config` for `backend` (which must be initialised already).
    /// For tpm2-tools give TCP data port P and control port P+1.
    ///
    /// # Errors
    /// [`BackendError::Io`] if a socket cannot be bound.
    pub fn new(backend: Arc<dyn TpmBackend>, config: ServerConfig) -> Result<Self, BackendError> {
        let (ctrl, ctrl_ep) = Listener::bind(&config.ctrl)?;
        let (data, data_ep) = match &config.data {
            Some(ep) => {
                let (l, e) = Listener::bind(ep)?;
                (Some(l), Some(e))
            }
            None => (None, None),
        };
        Ok(Self {
            shared: Arc::new(Shared {
                handler: ControlHandler::new(backend),
                stop: AtomicBool::new(false),
                conns: Mutex::new(HashMap::new()),
                next_id: AtomicU64::new(0),
                ctrl: ctrl_ep,
                data: data_ep,
            }),
            ctrl,
            data,
        })
    }

    /// A handle to stop the server or learn its endpoints.
    #[must_use]
    pub fn handle(&self) -> ServerHandle {
        ServerHandle {
            shared: Arc::clone(&self.shared),
        }
    }

    /// Serves until [`ServerHandle::shutdown`] or CMD_SHUTDOWN; a thread per connection.
    ///
    /// # Errors
    /// [`BackendError::Io`] if accepting fails for another reason than shutdown.
    pub fn run(self) -> Result<(), BackendError> {
        let Self { shared, ctrl, data } = self;
        let data_thread = data.map(|listener| {
            let shared = Arc::clone(&shared);
            std::thread::spawn(move || accept_loop(&shared, &listener, serve_data))
        });
        let result = accept_loop(&shared, &ctrl, serve_ctrl);
        shared.shutdown();
        if let Some(t) = data_thread {
            let _ = t.join();
        }
        if let Endpoint::Unix(path) = &shared.ctrl {
            let _ = std::fs::remove_file(path);
        }
        if let Some(Endpoint::Unix(path)) = &shared.data {
            let _ = std::fs::remove_file(path);
        }
        result
    }

    /// Runs the server on a new thread.
    #[must_use]
    pub fn spawn(self) -> (ServerHandle, JoinHandle<Result<(), BackendError>>) {
        let handle = self.handle();
        (handle, std::thread::spawn(move || self.run()))
    }
}

fn accept_loop(
    shared: &Arc<Shared>,
    listener: &Listener,
    serve: fn(&Arc<Shared>, Stream),
) -> Result<(), BackendError> {
    loop {
        let accepted = listener.accept();
        if shared.stop.load(Ordering::SeqCst) {
            return Ok(());
        }
        match accepted {
            Ok(stream) => {
                let shared = Arc::clone(shared);
                std::thread::spawn(move || {
                    let id = shared.track(&stream);
                    serve(&shared, stream);
                    shared.untrack(id);
                });
            }
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::Interrupted | std::io::ErrorKind::ConnectionAborted
                ) => {}
            Err(source) => {
                return Err(BackendError::Io {
                    context: "Accepting a connection".into(),
                    source,
                });
            }
        }
    }
}

/// Reads one control message: the first read (taking an SCM_RIGHTS socket along on unix
/// sockets), then more until [`ptm::request_len`] is satisfied or the deadline passes.
/// `None` when the peer closed the connection.
fn read_control(s: &mut Stream) -> Option<(Vec<u8>, Option<UnixStream>, bool)> {
    let mut buf = vec![0u8; 4096];
    let _ = s.set_read_timeout(None);
    let (n, fd) = match s {
        Stream::Unix(u) => {
            let (n, file) = u.recv_with_fd(&mut buf).ok()?;
            (n, file.map(|f| UnixStream::from(OwnedFd::from(f))))
        }
        Stream::Tcp(_) => (s.read(&mut buf).ok()?, None),
    };
    if n == 0 {
        return None;
    }
    buf.truncate(n);
    let deadline = Instant::now().checked_add(MESSAGE_DEADLINE);
    loop {
        let need = match ptm::request_len(&buf) {
            Ok(need) => need,
            // A length above our limit: answer and close (the stream cannot be re-synced).
            Err(_) => return Some((buf, fd, true)),
        };
        let have = buf.len();
        if need <= have {
            return Some((buf, fd, false));
        }
        buf.resize(need, 0);
        let part = buf.get_mut(have..).unwrap_or_default();
        match read_full(s, part, deadline) {
            Ok(()) => {}
            Err(ReadFailure::Timeout { got } | ReadFailure::Eof { got }) => {
                buf.truncate(have.saturating_add(got));
                return Some((buf, fd, false));
            }
            Err(ReadFailure::Io(_)) => return None,
        }
    }
}

fn serve_ctrl(shared: &Arc<Shared>, mut s: Stream) {
    while let Some((bytes, fd, fatal)) = read_control(&mut s) {
        if shared.stop.load(Ordering::SeqCst) {
            return;
        }
        let outcome = if fatal {
            ControlOutcome {
                reply: TPM_BAD_PARAMETER.to_be_bytes().to_vec(),
                ..ControlOutcome::default()
            }
        } else {
            shared.handler.handle(&bytes, fd)
        };
        if outcome.shutdown {
            // Refuse everything from now on, before the client sees the answer.
            shared.stop.store(true, Ordering::SeqCst);
        }
        let _ = s.set_write_timeout(Some(MESSAGE_DEADLINE));
        if s.write_all(&outcome.reply).is_err() || fatal {
            if outcome.shutdown {
                shared.shutdown();
            }
            return;
        }
        if let Some(data) = outcome.data_channel {
            let id = shared.next_id.fetch_add(1, Ordering::Relaxed);
            let stream = Stream::Unix(data);
            if let Ok(clone) = stream.try_clone() {
                lock(&shared.conns).insert(id, clone);
            }
            // The data channel lives on its own thread; it ends with the socket.
            let shared = Arc::clone(shared);
            std::thread::spawn(move || {
                serve_data(&shared, stream);
                shared.untrack(Some(id));
            });
        }
        if outcome.shutdown {
            shared.shutdown();
            return;
        }
    }
}

/// Reads a TPM command from the data channel and answers it, until the peer closes.
fn serve_data(shared: &Arc<Shared>, mut s: Stream) {
    loop {
        let _ = s.set_read_timeout(None);
        let mut first = [0u8; 4];
        if read_full(&mut s, &mut first, None).is_err() {
            return;
        }
        let deadline = Instant::now().checked_add(COMMAND_DEADLINE);
        let prefixed = u32::from_be_bytes(first) == TPM2_SEND_COMMAND;
        let (locality, command) = if prefixed {
            let mut p = [0u8; 5];
            if read_full(&mut s, &mut p, deadline).is_err() {
                return;
            }
            let [loc, a, b, c, d] = p;
            let size = usize::try_from(u32::from_be_bytes([a, b, c, d])).unwrap_or(usize::MAX);
            (
                Some(loc),
                read_command(shared, &mut s, None, size, deadline),
            )
        } else {
            (None, read_command(shared, &mut s, Some(first), 0, deadline))
        };
        let response = match command {
            Ok(cmd) => shared.handler.execute(locality, &cmd),
            Err(Refused::Closed) => return,
            Err(Refused::Reply(rsp)) => rsp,
        };
        let _ = s.set_write_timeout(Some(COMMAND_DEADLINE));
        let written = if prefixed {
            let len = u32::try_from(response.len()).unwrap_or(u32::MAX);
            let mut framed = Vec::with_capacity(response.len().saturating_add(8));
            framed.extend_from_slice(&len.to_be_bytes());
            framed.extend_from_slice(&response);
            framed.extend_from_slice(&0u32.to_be_bytes());
            s.write_all(&framed)
        } else {
            s.write_all(&response)
        };
        if written.is_err() {
            return;
        }
    }
}

enum Refused {
    /// The peer went away.
    Closed,
    /// Answer with this instead of running anything.
    Reply(Vec<u8>),
}

/// Reads the rest of one TPM command. Without the prefix, `first` holds its first 4 bytes
/// and the size comes from its header; with it, `prefix_size` is the prefix's size.
fn read_command(
    shared: &Shared,
    s: &mut Stream,
    first: Option<[u8; 4]>,
    prefix_size: usize,
    deadline: Option<Instant>,
) -> Result<Vec<u8>, Refused> {
    let limit = shared.handler.backend.buffer_size();
    let too_big = || Refused::Reply(error_response(TPM_RC_COMMAND_SIZE));
    let mut header = [0u8; TPM_HEADER_LEN];
    let got = match first {
        Some(f) => {
            if let Some(h) = header.get_mut(..4) {
                h.copy_from_slice(&f);
            }
            4
        }
        None => 0,
    };
    if first.is_none() && (prefix_size < TPM_HEADER_LEN || prefix_size > limit) {
        drain(
            s,
            Duration::from_millis(50),
            prefix_size.max(TPM_HEADER_LEN),
        );
        return Err(too_big());
    }
    match read_full(s, header.get_mut(got..).unwrap_or_default(), deadline) {
        Ok(()) => {}
        Err(ReadFailure::Timeout { .. }) => return Err(too_big()),
        Err(ReadFailure::Eof { .. } | ReadFailure::Io(_)) => return Err(Refused::Closed),
    }
    let [_, _, a, b, c, d, ..] = header;
    let size = usize::try_from(u32::from_be_bytes([a, b, c, d])).unwrap_or(usize::MAX);
    if size < TPM_HEADER_LEN || size > limit || (first.is_none() && size != prefix_size) {
        // Not a command we can take: drop what the client sent with it, answer as swtpm.
        let rest = size.saturating_sub(TPM_HEADER_LEN).min(16 * 1024 * 1024);
        drain(s, Duration::from_millis(50), rest);
        return Err(too_big());
    }
    let mut cmd = vec![0u8; size];
    let (head, rest) = cmd.split_at_mut(TPM_HEADER_LEN);
    head.copy_from_slice(&header);
    match read_full(s, rest, deadline) {
        Ok(()) => Ok(cmd),
        Err(ReadFailure::Timeout { .. }) => Err(too_big()),
        Err(ReadFailure::Eof { .. } | ReadFailure::Io(_)) => Err(Refused::Closed),
    }
}
