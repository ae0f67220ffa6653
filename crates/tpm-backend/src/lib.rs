//! TPM backends for vtrust: one [`TpmBackend`] trait and the things behind it.
//!
//! - [`swtpm`]: swtpm (the Debian package) over its control channel and data channel.
//! - [`embedded`]: the embedded TPM 2.0 of `vtrust-tpm2`, so vtrust runs with nothing
//!   installed and post-quantum sizes (ML-DSA-87, ML-KEM-1024) can be exercised.
//! - [`server`]: serves any backend over swtpm's socket protocol, so existing clients
//!   (tpm2-tools `-T swtpm:`, QEMU `-tpmdev emulator`) can use it.
//!
//! This crate owns the I/O of the TPM system (sockets, files, threads); the CRB device model
//! (`vtrust-tpm-crb`) and the command processor (`vtrust-tpm2`) do none.

#![forbid(unsafe_code)]

pub mod embedded;
pub mod ptm;
pub mod server;
mod stream;
pub mod swtpm;

pub use stream::Endpoint;

use std::fmt;

/// The 10-byte TPM 2.0 error response (`TPM_ST_NO_SESSIONS`, size 10, `rc`) a backend
/// returns when it cannot run a command, and its codes: TPM_RC_FAILURE for a command in
/// flight when the backend fails (swtpm died, socket error, timeout), TPM_RC_COMMAND_SIZE for
/// a command larger than the buffer or whose header disagrees with its bytes. The same the
/// CRB device synthesizes, so defined once there.
pub use vtrust_tpm_crb::tpm::{TPM_RC_COMMAND_SIZE, TPM_RC_FAILURE, error_response};

/// How a backend is (re)started: swtpm's CMD_INIT, the embedded TPM's _TPM_Init.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InitOptions {
    /// Delete the volatile state before starting (swtpm `PTM_INIT_FLAG_DELETE_VOLATILE`).
    pub delete_volatile: bool,
    /// Buffer size to ask for (swtpm CMD_SET_BUFFERSIZE); `None` keeps the backend's default.
    pub buffer_size: Option<usize>,
}

/// The three state blobs swtpm knows (`PTM_BLOB_TYPE_PERMANENT`, `_VOLATILE`, `_SAVESTATE`),
/// used for VM snapshot and migration. Opaque to everyone but the backend that made them.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct BackendState {
    /// Permanent state (seeds, NV, hierarchy settings).
    pub permanent: Vec<u8>,
    /// Volatile state (loaded objects, sessions, PCRs).
    pub volatile: Vec<u8>,
    /// State saved by TPM2_Shutdown(STATE).
    pub savestate: Vec<u8>,
}

impl fmt::Debug for BackendState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BackendState")
            .field("permanent_len", &self.permanent.len())
            .field("volatile_len", &self.volatile.len())
            .field("savestate_len", &self.savestate.len())
            .finish()
    }
}

/// Why a backend operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BackendError {
    /// Socket or file I/O failed.
    #[error("{context}: {source}")]
    Io {
        /// What we were doing.
        context: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The backend did not answer in time.
    #[error("Timed out after {millis} ms waiting for {what}")]
    Timeout {
        /// What we waited for.
        what: &'static str,
        /// How long.
        millis: u64,
    },
    /// A swtpm control command returned a non-zero `ptm_res`.
    #[error("swtpm control command {command:#x} failed with result {result:#x}")]
    Control {
        /// The control command code (CMD_*).
        command: u32,
        /// `ptm_res`.
        result: u32,
    },
    /// The peer sent bytes that do not parse.
    #[error("Malformed {what} from the backend: {detail}")]
    Malformed {
        /// Which message.
        what: &'static str,
        /// What was wrong.
        detail: String,
    },
    /// The backend cannot do this (missing capability, unsupported request).
    #[error("Unsupported: {0}")]
    Unsupported(String),
    /// State blobs could not be loaded.
    #[error("Invalid state: {0}")]
    InvalidState(String),
    /// The backend has stopped or died.
    #[error("Backend not running: {0}")]
    NotRunning(String),
}

/// A TPM as a VMM device model sees it (what QEMU's `TPMBackend` and swtpm's control channel
/// offer). All methods take `&self`: [`execute`](TpmBackend::execute) runs on a worker
/// thread while [`cancel`](TpmBackend::cancel) comes from a vCPU thread, so implementations
/// use interior locking.
pub trait TpmBackend: Send + Sync {
    /// Human-readable name for logs and reports ("swtpm", "embedded").
    fn name(&self) -> &str;

    /// (Re)start the TPM: swtpm STOP, SET_BUFFERSIZE, INIT. Returns the buffer size in
    /// effect. The guest (or the caller) still sends TPM2_Startup itself.
    fn init(&self, options: InitOptions) -> Result<usize, BackendError>;

    /// Largest command and largest response this backend accepts, in bytes.
    fn buffer_size(&self) -> usize;

    /// Run one complete command from `locality` and return its complete response. A command
    /// the TPM refuses still gives `Ok` with a TPM error response; `Err` means the backend
    /// itself failed (the caller then answers the guest with [`error_response`]`(TPM_RC_FAILURE)`).
    fn execute(&self, locality: u8, command: &[u8]) -> Result<Vec<u8>, BackendError>;

    /// Ask the backend to cancel the command in flight (swtpm CANCEL_TPM_CMD). Best effort.
    fn cancel(&self) -> Result<(), BackendError>;

    /// The tpmEstablished flag (swtpm GET_TPMESTABLISHED): true once a D-RTM sequence ran.
    fn established(&self) -> Result<bool, BackendError>;

    /// Clear the tpmEstablished flag from `locality` (swtpm RESET_TPMESTABLISHED).
    fn reset_established(&self, locality: u8) -> Result<(), BackendError>;

    /// Power-cycle the TPM (host reset): volatile state gone, permanent state kept.
    fn reset(&self) -> Result<(), BackendError>;

    /// Save the TPM's state for snapshot/migration (swtpm GET_STATEBLOB of all three types).
    /// The TPM must be idle (no command in flight).
    fn save_state(&self) -> Result<BackendState, BackendError>;

    /// Load state saved by [`save_state`](TpmBackend::save_state) (swtpm STOP, SET_STATEBLOB,
    /// INIT). Refuses blobs that do not belong to this kind of backend.
    fn load_state(&self, state: &BackendState) -> Result<(), BackendError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_response_is_a_tpm2_response_header() {
        // TPM 2.0 Part 1 §18.7: tag TPM_ST_NO_SESSIONS 0x8001, responseSize 10, responseCode.
        assert_eq!(
            error_response(TPM_RC_COMMAND_SIZE),
            [0x80, 0x01, 0, 0, 0, 0x0a, 0, 0, 0x01, 0x42]
        );
    }
}
