//! swtpm as a [`TpmBackend`]: its control channel (the `ptm` messages of [`crate::ptm`]) and
//! its data channel (raw TPM commands), as QEMU's `tpm_emulator` drives them
//! (`shared/tpm-crb.md` §3).
//!
//! - The data channel is either swtpm's own server socket (`--server type=unixio|tcp`) or a
//!   socketpair whose far end is handed over with CMD_SET_DATAFD (SCM_RIGHTS).
//! - Start-up is STOP, SET_BUFFERSIZE(0) (query), SET_BUFFERSIZE(n) if a size is asked for,
//!   INIT. The guest (or caller) sends TPM2_Startup itself.
//! - One write per command (swtpm does a single `read()`), the response read by its header
//!   length. SET_LOCALITY only when the locality changes.
//! - When swtpm dies, the command in flight returns `Err`; the next call reconnects (control,
//!   a fresh data channel, the start-up sequence again).
//!
//! [`SwtpmProcess`] launches a swtpm for tests and the CLI.

#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::arithmetic_side_effects
    )
)]

use std::io::{Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use vmm_sys_util::sock_ctrl_msg::ScmSocket;

use crate::ptm::{
    self, BlobType, PTM_INIT_FLAG_DELETE_VOLATILE, Request, Response, TPM_HEADER_LEN, TPM_RETRY,
    cap, tpm_header,
};
pub use crate::stream::Endpoint;
use crate::stream::{ReadFailure, Stream, drain, read_full};
use crate::{
    BackendError, BackendState, InitOptions, TPM_RC_COMMAND_SIZE, TpmBackend, error_response,
};

/// Default time a TPM command may take (RSA key generation takes up to about 0.4 s on swtpm;
/// this is generous on purpose).
pub const DEFAULT_COMMAND_TIMEOUT: Duration = Duration::from_secs(120);
/// Default time a control command may take.
pub const DEFAULT_CONTROL_TIMEOUT: Duration = Duration::from_secs(10);
/// swtpm's buffer size when it has not told us (TPM2_BUFFER_MAX in libtpms 0.9).
pub const DEFAULT_BUFFER_SIZE: usize = 4096;

/// How to reach a swtpm and how patient to be with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SwtpmConfig {
    /// swtpm's `--ctrl` socket.
    pub ctrl: Endpoint,
    /// swtpm's `--server` socket; `None` hands a socketpair over with CMD_SET_DATAFD (needs a
    /// unix control socket).
    pub data: Option<Endpoint>,
    /// Longest time one TPM command may take.
    pub command_timeout: Duration,
    /// Longest time one control command may take.
    pub control_timeout: Duration,
    /// Start-up options used on connect and on every reconnect.
    pub init: InitOptions,
}

impl SwtpmConfig {
    /// A configuration with the default timeouts and start-up options.
    #[must_use]
    pub fn new(ctrl: Endpoint, data: Option<Endpoint>) -> Self {
        Self {
            ctrl,
            data,
            command_timeout: DEFAULT_COMMAND_TIMEOUT,
            control_timeout: DEFAULT_CONTROL_TIMEOUT,
            init: InitOptions::default(),
        }
    }
}

/// The connected sockets. `None` in the backend means "not connected": the next call
/// reconnects.
#[derive(Debug)]
struct Link {
    data: Stream,
    /// The locality swtpm has for data-channel commands, when we know it.
    locality: Option<u8>,
    /// Largest command or response this link carries.
    buffer_size: usize,
}

/// swtpm over its control and data channels. See the [module docs](self).
#[derive(Debug)]
pub struct SwtpmBackend {
    config: SwtpmConfig,
    /// Data side; lock order: `link` before `ctrl`.
    link: Mutex<Option<Link>>,
    /// Control side, alone so [`cancel`](TpmBackend::cancel) works while a command runs.
    ctrl: Mutex<Option<Stream>>,
    /// Options of the last start-up, re-used on reconnect.
    init_options: Mutex<InitOptions>,
    /// The buffer size in effect (readable without locking).
    buffer_size: AtomicUsize,
    /// CMD_GET_CAPABILITY of the current connection.
    caps: std::sync::atomic::AtomicU64,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn io_err(context: &str, source: std::io::Error) -> BackendError {
    BackendError::Io {
        context: context.to_owned(),
        source,
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

fn malformed(what: &'static str, e: impl std::fmt::Display) -> BackendError {
    BackendError::Malformed {
        what,
        detail: e.to_string(),
    }
}

fn read_failure(what: &'static str, timeout: Duration, f: ReadFailure) -> BackendError {
    match f {
        ReadFailure::Eof { got } => BackendError::NotRunning(format!(
            "swtpm closed the socket while we waited for {what} ({got} bytes came)"
        )),
        ReadFailure::Timeout { .. } => BackendError::Timeout {
            what,
            millis: millis(timeout),
        },
        ReadFailure::Io(e) => io_err(what, e),
    }
}

/// Sends one control request and reads its complete reply.
fn control(ctrl: &mut Stream, timeout: Duration, req: &Request) -> Result<Response, BackendError> {
    let bytes = req.encode().map_err(|e| malformed("control request", e))?;
    ctrl.set_write_timeout(Some(timeout))
        .map_err(|e| io_err("Setting the control timeout", e))?;
    ctrl.write_all(&bytes)
        .map_err(|e| io_err("Writing a control request", e))?;
    control_reply(ctrl, timeout, req.command())
}

fn control_reply(
    ctrl: &mut Stream,
    timeout: Duration,
    command: u32,
) -> Result<Response, BackendError> {
    let deadline = Instant::now().checked_add(timeout);
    let mut reply = Vec::new();
    loop {
        let need = ptm::response_len(command, &reply).map_err(|e| malformed("control reply", e))?;
        let have = reply.len();
        if need <= have {
            break;
        }
        reply.resize(need, 0);
        let part = reply.get_mut(have..).unwrap_or_default();
        read_full(ctrl, part, deadline).map_err(|f| read_failure("control reply", timeout, f))?;
    }
    let resp = Response::decode(command, &reply).map_err(|e| malformed("control reply", e))?;
    if command == ptm::CMD_GET_STATEBLOB && matches!(resp, Response::Failed { .. }) {
        // A failed GET_STATEBLOB of a running swtpm carries its 16-byte header anyway
        // (ctrlchannel_return_state); drop the rest of it so the channel stays in step.
        drain(ctrl, Duration::from_millis(100), 12);
    }
    Ok(resp)
}

/// `Ok` for [`Response::Success`], [`BackendError::Control`] for a failure, `Malformed` for a
/// reply of the wrong shape.
fn expect_success(command: u32, resp: Response) -> Result<(), BackendError> {
    match resp {
        Response::Success => Ok(()),
        Response::Failed { result } => Err(BackendError::Control { command, result }),
        other => Err(malformed("control reply", format!("{other:?}"))),
    }
}

impl SwtpmBackend {
    /// Connects to swtpm at `ctrl` (and `data`, or a socketpair via CMD_SET_DATAFD when
    /// `None`) and starts it: STOP, SET_BUFFERSIZE, INIT.
    ///
    /// # Errors
    /// [`BackendError::Io`] if a socket cannot be reached, [`BackendError::Unsupported`] if
    /// swtpm lacks a capability we need, [`BackendError::Control`] if a start-up command fails.
    pub fn connect(ctrl: Endpoint, data: Option<Endpoint>) -> Result<Self, BackendError> {
        Self::with_config(SwtpmConfig::new(ctrl, data))
    }

    /// As [`connect`](Self::connect), with explicit timeouts and start-up options.
    ///
    /// # Errors
    /// As [`connect`](Self::connect).
    pub fn with_config(config: SwtpmConfig) -> Result<Self, BackendError> {
        let backend = Self {
            init_options: Mutex::new(config.init),
            config,
            link: Mutex::new(None),
            ctrl: Mutex::new(None),
            buffer_size: AtomicUsize::new(DEFAULT_BUFFER_SIZE),
            caps: std::sync::atomic::AtomicU64::new(0),
        };
        {
            let mut link = lock(&backend.link);
            backend.ensure_connected(&mut link)?;
        }
        Ok(backend)
    }

    /// The configuration this backend was made with.
    #[must_use]
    pub const fn config(&self) -> &SwtpmConfig {
        &self.config
    }

    /// swtpm's CMD_GET_CAPABILITY bits ([`ptm::cap`]) of the current connection.
    #[must_use]
    pub fn capabilities(&self) -> u64 {
        self.caps.load(Ordering::Relaxed)
    }

    /// Whether the sockets are connected (false after swtpm died, until the next call
    /// reconnects).
    #[must_use]
    pub fn is_connected(&self) -> bool {
        lock(&self.link).is_some() && lock(&self.ctrl).is_some()
    }

    /// Drops both sockets; the next call reconnects.
    fn disconnect(&self, link: &mut Option<Link>) {
        if let Some(l) = link.take() {
            l.data.shutdown();
        }
        if let Some(c) = lock(&self.ctrl).take() {
            c.shutdown();
        }
    }

    /// Connects control and data and runs the start-up sequence, unless already connected.
    fn ensure_connected(&self, link: &mut Option<Link>) -> Result<(), BackendError> {
        if link.is_some() && lock(&self.ctrl).is_some() {
            return Ok(());
        }
        self.disconnect(link);
        let timeout = self.config.control_timeout;
        let mut ctrl = self.config.ctrl.connect()?;
        let caps = match control(&mut ctrl, timeout, &Request::GetCapability)? {
            Response::Capability { caps } => caps,
            other => return Err(malformed("GET_CAPABILITY reply", format!("{other:?}"))),
        };
        let mut needed = cap::INIT | cap::STOP | cap::SET_BUFFERSIZE;
        if self.config.data.is_none() {
            needed |= cap::SET_DATAFD;
        }
        if caps & needed != needed {
            return Err(BackendError::Unsupported(format!(
                "swtpm capabilities {caps:#x} lack {:#x}",
                needed & !caps
            )));
        }
        self.caps.store(caps, Ordering::Relaxed);
        let data = match &self.config.data {
            Some(ep) => ep.connect()?,
            None => Stream::Unix(set_datafd(&mut ctrl, timeout)?),
        };
        data.set_write_timeout(Some(self.config.command_timeout))
            .and_then(|()| data.set_read_timeout(Some(self.config.command_timeout)))
            .map_err(|e| io_err("Setting the data timeouts", e))?;
        let options = *lock(&self.init_options);
        let size = startup(&mut ctrl, timeout, options)?;
        self.buffer_size.store(size, Ordering::Relaxed);
        *lock(&self.ctrl) = Some(ctrl);
        *link = Some(Link {
            data,
            locality: None,
            buffer_size: size,
        });
        Ok(())
    }

    /// Runs a control sequence that restarts the TPM (`f`: INIT, or STOP/SET_STATEBLOB/INIT)
    /// on a connected link: on success the cached locality is stale and `on_ok` updates the
    /// link; an I/O failure drops the connection.
    fn restart<T>(
        &self,
        link: &mut Option<Link>,
        f: impl FnOnce(&mut Stream, Duration) -> Result<T, BackendError>,
        on_ok: impl FnOnce(&T, &mut Link),
    ) -> Result<T, BackendError> {
        let result = {
            let mut ctrl = lock(&self.ctrl);
            match ctrl.as_mut() {
                Some(c) => f(c, self.config.control_timeout),
                None => Err(BackendError::NotRunning("control channel closed".into())),
            }
        };
        match result {
            Ok(value) => {
                if let Some(l) = link.as_mut() {
                    l.locality = None;
                    on_ok(&value, l);
                }
                Ok(value)
            }
            Err(e) => {
                if breaks_link(&e) {
                    self.disconnect(link);
                }
                Err(e)
            }
        }
    }

    /// Runs `f` on the control socket; an I/O failure drops the connection.
    fn with_ctrl<T>(
        &self,
        f: impl FnOnce(&mut Stream, Duration) -> Result<T, BackendError>,
    ) -> Result<T, BackendError> {
        let mut link = lock(&self.link);
        self.ensure_connected(&mut link)?;
        let result = {
            let mut ctrl = lock(&self.ctrl);
            let Some(c) = ctrl.as_mut() else {
                return Err(BackendError::NotRunning("control channel closed".into()));
            };
            f(c, self.config.control_timeout)
        };
        if let Err(e) = &result
            && breaks_link(e)
        {
            self.disconnect(&mut link);
        }
        result
    }

    /// Writes `command` at once and reads the response by its header's size. The data
    /// socket's receive timeout is the command timeout (set at connect), so a fast reply costs
    /// one `write` and usually one `read`; the total deadline is checked when a read times out.
    fn execute_on(
        link: &mut Link,
        timeout: Duration,
        command: &[u8],
    ) -> Result<Vec<u8>, BackendError> {
        link.data
            .write_all(command)
            .map_err(|e| io_err("Writing the TPM command", e))?;
        let start = Instant::now();
        let max = link.buffer_size.max(DEFAULT_BUFFER_SIZE);
        let mut response = vec![0u8; max];
        let mut have = 0usize;
        let mut size: Option<usize> = None;
        loop {
            let want = size.unwrap_or(max);
            if size.is_some() && have >= want {
                break;
            }
            let Some(space) = response.get_mut(have..want) else {
                break;
            };
            match link.data.read(space) {
                Ok(0) => {
                    return Err(read_failure(
                        "TPM response",
                        timeout,
                        ReadFailure::Eof { got: have },
                    ));
                }
                Ok(n) => have = have.saturating_add(n),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    if start.elapsed() >= timeout {
                        return Err(BackendError::Timeout {
                            what: "TPM response",
                            millis: millis(timeout),
                        });
                    }
                }
                Err(e) => return Err(io_err("Reading the TPM response", e)),
            }
            if size.is_none() && have >= TPM_HEADER_LEN {
                let h = tpm_header(response.get(..have).unwrap_or_default())
                    .map_err(|e| malformed("TPM response header", e))?;
                let s = usize::try_from(h.size).unwrap_or(usize::MAX);
                if s > max {
                    return Err(malformed(
                        "TPM response header",
                        format!("responseSize {s} above the buffer size {max}"),
                    ));
                }
                if have > s {
                    // More than one response came: swtpm's stream is out of step.
                    return Err(malformed(
                        "TPM response",
                        format!("{have} bytes for a {s}-byte response"),
                    ));
                }
                size = Some(s);
            }
        }
        response.truncate(have);
        Ok(response)
    }
}

/// Whether an error leaves the sockets out of step (then we reconnect).
const fn breaks_link(e: &BackendError) -> bool {
    !matches!(
        e,
        BackendError::Control { .. } | BackendError::Unsupported(_) | BackendError::InvalidState(_)
    )
}

/// CMD_SET_DATAFD with one end of a new socketpair; returns our end.
fn set_datafd(ctrl: &mut Stream, timeout: Duration) -> Result<UnixStream, BackendError> {
    let Stream::Unix(unix) = ctrl else {
        return Err(BackendError::Unsupported(
            "CMD_SET_DATAFD needs a unix control socket; give a data endpoint instead".into(),
        ));
    };
    let (ours, theirs) = UnixStream::pair().map_err(|e| io_err("Creating a socketpair", e))?;
    let bytes = Request::SetDataFd
        .encode()
        .map_err(|e| malformed("control request", e))?;
    unix.set_write_timeout(Some(timeout))
        .map_err(|e| io_err("Setting the control timeout", e))?;
    let sent = unix
        .send_with_fd(bytes.as_slice(), theirs.as_raw_fd())
        .map_err(|e| io_err("Sending CMD_SET_DATAFD", e.into()))?;
    if sent != bytes.len() {
        return Err(BackendError::Io {
            context: "Sending CMD_SET_DATAFD".into(),
            source: std::io::Error::new(std::io::ErrorKind::WriteZero, "short send"),
        });
    }
    drop(theirs);
    expect_success(
        ptm::CMD_SET_DATAFD,
        control_reply(ctrl, timeout, ptm::CMD_SET_DATAFD)?,
    )?;
    Ok(ours)
}

/// STOP, SET_BUFFERSIZE(0), SET_BUFFERSIZE(n) when asked, INIT; returns the buffer size.
fn startup(
    ctrl: &mut Stream,
    timeout: Duration,
    options: InitOptions,
) -> Result<usize, BackendError> {
    expect_success(ptm::CMD_STOP, control(ctrl, timeout, &Request::Stop)?)?;
    let mut size = set_buffer_size(ctrl, timeout, 0)?;
    if let Some(wanted) = options.buffer_size {
        let wanted = u32::try_from(wanted).unwrap_or(u32::MAX);
        size = set_buffer_size(ctrl, timeout, wanted)?;
    }
    let flags = if options.delete_volatile {
        PTM_INIT_FLAG_DELETE_VOLATILE
    } else {
        0
    };
    expect_success(
        ptm::CMD_INIT,
        control(ctrl, timeout, &Request::Init { flags })?,
    )?;
    Ok(size)
}

fn set_buffer_size(ctrl: &mut Stream, timeout: Duration, size: u32) -> Result<usize, BackendError> {
    match control(ctrl, timeout, &Request::SetBufferSize { size })? {
        Response::BufferSize { size, .. } => Ok(usize::try_from(size).unwrap_or(usize::MAX)),
        Response::Failed { result } => Err(BackendError::Control {
            command: ptm::CMD_SET_BUFFERSIZE,
            result,
        }),
        other => Err(malformed("SET_BUFFERSIZE reply", format!("{other:?}"))),
    }
}

impl TpmBackend for SwtpmBackend {
    fn name(&self) -> &str {
        "swtpm"
    }

    fn init(&self, options: InitOptions) -> Result<usize, BackendError> {
        *lock(&self.init_options) = options;
        let mut link = lock(&self.link);
        if link.is_none() || lock(&self.ctrl).is_none() {
            // Connecting runs the start-up sequence with `options`.
            self.ensure_connected(&mut link)?;
            return Ok(self.buffer_size());
        }
        let size = self.restart(
            &mut link,
            |c, timeout| startup(c, timeout, options),
            |&size, l| l.buffer_size = size,
        )?;
        self.buffer_size.store(size, Ordering::Relaxed);
        Ok(size)
    }

    fn buffer_size(&self) -> usize {
        self.buffer_size.load(Ordering::Relaxed)
    }

    fn execute(&self, locality: u8, command: &[u8]) -> Result<Vec<u8>, BackendError> {
        // Commands swtpm would answer with TPM_RC_COMMAND_SIZE are answered here, so a
        // malformed or oversized write never desyncs swtpm's stream (shared/tpm-crb.md §4).
        let header_ok = tpm_header(command)
            .is_ok_and(|h| usize::try_from(h.size).is_ok_and(|s| s == command.len()));
        if !header_ok || command.len() > self.buffer_size() {
            return Ok(error_response(TPM_RC_COMMAND_SIZE));
        }
        let mut guard = lock(&self.link);
        self.ensure_connected(&mut guard)?;
        let Some(link) = guard.as_mut() else {
            return Err(BackendError::NotRunning("not connected".into()));
        };
        if link.locality != Some(locality) {
            let result = {
                let mut ctrl = lock(&self.ctrl);
                match ctrl.as_mut() {
                    Some(c) => control(
                        c,
                        self.config.control_timeout,
                        &Request::SetLocality { locality },
                    )
                    .and_then(|r| expect_success(ptm::CMD_SET_LOCALITY, r)),
                    None => Err(BackendError::NotRunning("control channel closed".into())),
                }
            };
            if let Err(e) = result {
                if breaks_link(&e) {
                    self.disconnect(&mut guard);
                }
                return Err(e);
            }
            link.locality = Some(locality);
        }
        let result = Self::execute_on(link, self.config.command_timeout, command);
        if result.is_err() {
            self.disconnect(&mut guard);
        }
        result
    }

    fn cancel(&self) -> Result<(), BackendError> {
        // Only the control lock: a command may be running on the data channel.
        let mut ctrl = lock(&self.ctrl);
        let Some(c) = ctrl.as_mut() else {
            return Ok(());
        };
        match control(c, self.config.control_timeout, &Request::CancelTpmCmd) {
            Ok(resp) => expect_success(ptm::CMD_CANCEL_TPM_CMD, resp),
            Err(e) => {
                // The reply may still come: drop the control socket; the data side notices
                // and reconnects before its next command.
                if let Some(c) = ctrl.take() {
                    c.shutdown();
                }
                Err(e)
            }
        }
    }

    fn established(&self) -> Result<bool, BackendError> {
        self.with_ctrl(|c, t| match control(c, t, &Request::GetTpmEstablished)? {
            Response::TpmEstablished { bit } => Ok(bit != 0),
            Response::Failed { result } => Err(BackendError::Control {
                command: ptm::CMD_GET_TPMESTABLISHED,
                result,
            }),
            other => Err(malformed("GET_TPMESTABLISHED reply", format!("{other:?}"))),
        })
    }

    fn reset_established(&self, locality: u8) -> Result<(), BackendError> {
        self.with_ctrl(|c, t| {
            expect_success(
                ptm::CMD_RESET_TPMESTABLISHED,
                control(c, t, &Request::ResetTpmEstablished { locality })?,
            )
        })
    }

    fn reset(&self) -> Result<(), BackendError> {
        let options = InitOptions {
            delete_volatile: true,
            buffer_size: lock(&self.init_options).buffer_size,
        };
        let mut link = lock(&self.link);
        self.ensure_connected(&mut link)?;
        self.restart(
            &mut link,
            |c, timeout| startup(c, timeout, options),
            |_, _| {},
        )
        .map(|_| ())
    }

    fn save_state(&self) -> Result<BackendState, BackendError> {
        self.with_ctrl(|c, t| {
            let mut state = BackendState::default();
            for blob_type in BlobType::ALL {
                let req = Request::GetStateBlob {
                    flags: 0,
                    blob_type,
                    offset: 0,
                };
                let data = match control(c, t, &req)? {
                    Response::StateBlob {
                        totlength, data, ..
                    } => {
                        if usize::try_from(totlength).ok() != Some(data.len()) {
                            return Err(malformed(
                                "GET_STATEBLOB reply",
                                format!("totlength {totlength} but {} bytes", data.len()),
                            ));
                        }
                        data
                    }
                    // No savestate blob exists until TPM2_Shutdown(STATE) (measured).
                    Response::Failed { result: TPM_RETRY } if blob_type == BlobType::Savestate => {
                        Vec::new()
                    }
                    Response::Failed { result } => {
                        return Err(BackendError::Control {
                            command: ptm::CMD_GET_STATEBLOB,
                            result,
                        });
                    }
                    other => return Err(malformed("GET_STATEBLOB reply", format!("{other:?}"))),
                };
                match blob_type {
                    BlobType::Permanent => state.permanent = data,
                    BlobType::Volatile => state.volatile = data,
                    BlobType::Savestate | BlobType::Unknown(_) => state.savestate = data,
                }
            }
            Ok(state)
        })
    }

    fn load_state(&self, state: &BackendState) -> Result<(), BackendError> {
        if state.permanent.is_empty() {
            return Err(BackendError::InvalidState(
                "no permanent state: not a swtpm state".into(),
            ));
        }
        let mut link = lock(&self.link);
        self.ensure_connected(&mut link)?;
        self.restart(
            &mut link,
            |c, timeout| load_blobs(c, timeout, state),
            |(), _| {},
        )
    }
}

/// STOP, SET_STATEBLOB for the three blobs, INIT (keeping the volatile state just loaded).
fn load_blobs(ctrl: &mut Stream, t: Duration, state: &BackendState) -> Result<(), BackendError> {
    expect_success(ptm::CMD_STOP, control(ctrl, t, &Request::Stop)?)?;
    for (blob_type, data) in [
        (BlobType::Permanent, &state.permanent),
        (BlobType::Volatile, &state.volatile),
        (BlobType::Savestate, &state.savestate),
    ] {
        let req = Request::SetStateBlob {
            flags: 0,
            blob_type,
            data: data.clone(),
        };
        match control(ctrl, t, &req)? {
            Response::Success => {}
            Response::Failed { result } => {
                return Err(BackendError::InvalidState(format!(
                    "swtpm refused the {blob_type:?} blob (result {result:#x})"
                )));
            }
            other => return Err(malformed("SET_STATEBLOB reply", format!("{other:?}"))),
        }
    }
    match control(ctrl, t, &Request::Init { flags: 0 })? {
        Response::Success => Ok(()),
        Response::Failed { result } => Err(BackendError::InvalidState(format!(
            "swtpm did not start from the loaded state (result {result:#x})"
        ))),
        other => Err(malformed("INIT reply", format!("{other:?}"))),
    }
}

/// Where a launched swtpm listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SwtpmPaths {
    /// `--ctrl type=unixio,path=`.
    pub ctrl: PathBuf,
    /// `--server type=unixio,path=`, when launched with a server socket.
    pub server: Option<PathBuf>,
    /// `--tpmstate dir=`.
    pub state_dir: PathBuf,
}

impl SwtpmPaths {
    /// The endpoints to give [`SwtpmBackend::connect`].
    #[must_use]
    pub fn endpoints(&self) -> (Endpoint, Option<Endpoint>) {
        (
            Endpoint::Unix(self.ctrl.clone()),
            self.server.clone().map(Endpoint::Unix),
        )
    }
}

/// A swtpm process we launched (`swtpm socket --tpm2`), killed when dropped.
#[derive(Debug)]
pub struct SwtpmProcess {
    child: Child,
    paths: SwtpmPaths,
}

/// How long [`SwtpmProcess::spawn`] waits for swtpm's socket.
const SPAWN_TIMEOUT: Duration = Duration::from_secs(10);

impl SwtpmProcess {
    /// Launches `swtpm socket --tpm2 --ctrl type=unixio,path=<state_dir>/swtpm-ctrl.sock
    /// --tpmstate dir=<state_dir>` (data channel via CMD_SET_DATAFD) and waits for its socket.
    ///
    /// # Errors
    /// [`BackendError::Io`] if swtpm cannot be started (not installed: the message says so),
    /// [`BackendError::NotRunning`] if it exits at once, [`BackendError::Timeout`] if its
    /// socket does not appear.
    pub fn spawn(state_dir: &Path) -> Result<Self, BackendError> {
        Self::spawn_with(state_dir, false)
    }

    /// As [`spawn`](Self::spawn); with `server_socket` also `--server
    /// type=unixio,path=<state_dir>/swtpm-data.sock`.
    ///
    /// # Errors
    /// As [`spawn`](Self::spawn).
    pub fn spawn_with(state_dir: &Path, server_socket: bool) -> Result<Self, BackendError> {
        std::fs::create_dir_all(state_dir)
            .map_err(|e| io_err("Creating the swtpm state directory", e))?;
        let paths = SwtpmPaths {
            ctrl: state_dir.join("swtpm-ctrl.sock"),
            server: server_socket.then(|| state_dir.join("swtpm-data.sock")),
            state_dir: state_dir.to_path_buf(),
        };
        // A killed swtpm leaves its socket files behind.
        let _ = std::fs::remove_file(&paths.ctrl);
        if let Some(s) = &paths.server {
            let _ = std::fs::remove_file(s);
        }
        let mut cmd = Command::new("swtpm");
        cmd.arg("socket")
            .arg("--tpm2")
            .arg("--ctrl")
            .arg(format!("type=unixio,path={}", paths.ctrl.display()))
            .arg("--tpmstate")
            .arg(format!("dir={}", state_dir.display()));
        if let Some(s) = &paths.server {
            cmd.arg("--server")
                .arg(format!("type=unixio,path={}", s.display()));
        }
        cmd.stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let child = cmd.spawn().map_err(|e| {
            io_err(
                "Starting swtpm (is the swtpm package installed? apt-get install swtpm)",
                e,
            )
        })?;
        let mut process = Self { child, paths };
        process.wait_ready()?;
        Ok(process)
    }

    fn wait_ready(&mut self) -> Result<(), BackendError> {
        let start = Instant::now();
        let mut sockets = vec![self.paths.ctrl.clone()];
        sockets.extend(self.paths.server.clone());
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(BackendError::NotRunning(format!(
                    "swtpm exited at start-up: {status}"
                )));
            }
            if sockets.iter().all(|p| p.exists()) {
                return Ok(());
            }
            if start.elapsed() > SPAWN_TIMEOUT {
                return Err(BackendError::Timeout {
                    what: "swtpm socket",
                    millis: millis(SPAWN_TIMEOUT),
                });
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Where it listens.
    #[must_use]
    pub const fn paths(&self) -> &SwtpmPaths {
        &self.paths
    }

    /// The process id.
    #[must_use]
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Kills swtpm (SIGKILL) and reaps it.
    ///
    /// # Errors
    /// [`BackendError::Io`] if the process cannot be signalled or reaped.
    pub fn kill(&mut self) -> Result<(), BackendError> {
        match self.child.try_wait() {
            Ok(Some(_)) => return Ok(()),
            Ok(None) => {}
            Err(e) => return Err(io_err("Checking swtpm", e)),
        }
        self.child.kill().map_err(|e| io_err("Killing swtpm", e))?;
        self.child.wait().map_err(|e| io_err("Reaping swtpm", e))?;
        Ok(())
    }

    /// Waits up to `timeout` for swtpm to exit by itself (after CMD_SHUTDOWN); true if it did.
    pub fn wait_exit(&mut self, timeout: Duration) -> bool {
        let start = Instant::now();
        while start.elapsed() < timeout {
            if let Ok(Some(_)) = self.child.try_wait() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        false
    }
}

impl Drop for SwtpmProcess {
    fn drop(&mut self) {
        let _ = self.kill();
    }
}
