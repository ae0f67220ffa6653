//! [`EmbeddedBackend`]: the embedded TPM 2.0 of `vtrust-tpm2` behind [`TpmBackend`].
//!
//! Nothing to install; the buffer is 8192 bytes so ML-DSA-87 (4627-byte signatures) fits.
//! With a state path, the permanent state (primary seeds, proofs) lives in that file: read at
//! start, written atomically (temporary file in the same directory, fsync, rename) when it
//! is first created and whenever it changes.

#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::arithmetic_side_effects
    )
)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use vtrust_crypto::CryptoProvider;
use vtrust_tpm2::Tpm;

use crate::{
    BackendError, BackendState, InitOptions, TPM_RC_COMMAND_SIZE, TpmBackend, error_response,
};

/// The smallest buffer [`TpmBackend::init`] accepts (libtpms's minimum, tpm-crb.md §4).
const MIN_BUFFER: usize = 2808;

struct Inner {
    tpm: Tpm,
    buffer_size: usize,
    established: bool,
    /// The permanent state last written to the state file.
    written: Vec<u8>,
}

/// The embedded TPM as a backend. `Send + Sync`: the TPM sits behind a mutex.
pub struct EmbeddedBackend {
    provider: CryptoProvider,
    state_path: Option<PathBuf>,
    inner: Mutex<Inner>,
}

impl std::fmt::Debug for EmbeddedBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbeddedBackend")
            .field("state_path", &self.state_path)
            .finish_non_exhaustive()
    }
}

fn io(context: String) -> impl FnOnce(std::io::Error) -> BackendError {
    move |source| BackendError::Io { context, source }
}

/// Writes `bytes` to `path` atomically: a temporary file next to it, fsync, rename.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), BackendError> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "tpm-state".to_owned());
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let mut f = std::fs::File::create(&tmp).map_err(io(format!("Creating {}", tmp.display())))?;
    f.write_all(bytes)
        .and_then(|()| f.sync_all())
        .map_err(io(format!("Writing {}", tmp.display())))?;
    drop(f);
    std::fs::rename(&tmp, path).map_err(io(format!("Renaming to {}", path.display())))
}

impl EmbeddedBackend {
    /// An embedded TPM. With `state_path`, its permanent state is read from that file if it
    /// exists (a file that does not parse is [`BackendError::InvalidState`]) or created
    /// there with fresh seeds. The TPM starts as after _TPM_Init: TPM2_Startup is needed.
    ///
    /// # Errors
    /// [`BackendError::Io`] if the file cannot be read or written,
    /// [`BackendError::InvalidState`] if it holds no valid state.
    pub fn new(
        provider: CryptoProvider,
        state_path: Option<PathBuf>,
    ) -> Result<Self, BackendError> {
        let existing = match &state_path {
            Some(p) if p.exists() => {
                Some(std::fs::read(p).map_err(io(format!("Reading {}", p.display())))?)
            }
            _ => None,
        };
        let tpm = Tpm::new(provider.clone(), existing.as_deref())
            .map_err(|e| BackendError::InvalidState(e.to_string()))?;
        let permanent = tpm.permanent_state();
        if let Some(p) = &state_path
            && existing.as_deref() != Some(permanent.as_slice())
        {
            write_atomic(p, &permanent)?;
        }
        Ok(Self {
            provider,
            state_path,
            inner: Mutex::new(Inner {
                tpm,
                buffer_size: Tpm::MAX_COMMAND_SIZE,
                established: false,
                written: permanent,
            }),
        })
    }

    /// The state file, if any.
    pub fn state_path(&self) -> Option<&Path> {
        self.state_path.as_deref()
    }

    fn lock(&self) -> Result<MutexGuard<'_, Inner>, BackendError> {
        self.inner
            .lock()
            .map_err(|_| BackendError::NotRunning("embedded TPM lock poisoned".to_owned()))
    }

    /// Writes the permanent state if it differs from what the file holds.
    fn persist(&self, inner: &mut Inner) -> Result<(), BackendError> {
        let Some(path) = &self.state_path else {
            return Ok(());
        };
        let now = inner.tpm.permanent_state();
        if now != inner.written {
            write_atomic(path, &now)?;
            inner.written = now;
        }
        Ok(())
    }
}

impl TpmBackend for EmbeddedBackend {
    fn name(&self) -> &str {
        "embedded"
    }

    /// _TPM_Init with the requested buffer size (clamped to 2808..=8192). The volatile state
    /// is always dropped except what TPM2_Shutdown(STATE) saved for TPM Resume.
    fn init(&self, options: InitOptions) -> Result<usize, BackendError> {
        let mut inner = self.lock()?;
        if let Some(size) = options.buffer_size {
            inner.buffer_size = size.clamp(MIN_BUFFER, Tpm::MAX_COMMAND_SIZE);
        }
        inner.tpm.power_cycle();
        Ok(inner.buffer_size)
    }

    fn buffer_size(&self) -> usize {
        self.lock().map_or(Tpm::MAX_COMMAND_SIZE, |i| i.buffer_size)
    }

    fn execute(&self, locality: u8, command: &[u8]) -> Result<Vec<u8>, BackendError> {
        let mut inner = self.lock()?;
        if command.len() > inner.buffer_size {
            return Ok(error_response(TPM_RC_COMMAND_SIZE));
        }
        let response = inner.tpm.execute(locality, command);
        self.persist(&mut inner)?;
        Ok(response)
    }

    fn cancel(&self) -> Result<(), BackendError> {
        // Commands run to completion under the lock: nothing to cancel.
        Ok(())
    }

    fn established(&self) -> Result<bool, BackendError> {
        Ok(self.lock()?.established)
    }

    fn reset_established(&self, _locality: u8) -> Result<(), BackendError> {
        self.lock()?.established = false;
        Ok(())
    }

    fn reset(&self) -> Result<(), BackendError> {
        self.lock()?.tpm.power_cycle();
        Ok(())
    }

    fn save_state(&self) -> Result<BackendState, BackendError> {
        let inner = self.lock()?;
        Ok(BackendState {
            permanent: inner.tpm.permanent_state(),
            volatile: inner.tpm.volatile_state(),
            // TPM2_Shutdown(STATE) data is part of the volatile blob.
            savestate: Vec::new(),
        })
    }

    fn load_state(&self, state: &BackendState) -> Result<(), BackendError> {
        let invalid = |e: vtrust_tpm2::StateError| BackendError::InvalidState(e.to_string());
        let mut tpm = Tpm::new(self.provider.clone(), Some(&state.permanent)).map_err(invalid)?;
        if !state.volatile.is_empty() {
            tpm.load_volatile(&state.volatile).map_err(invalid)?;
        }
        if !state.savestate.is_empty() {
            return Err(BackendError::InvalidState(
                "the embedded TPM keeps no separate savestate blob".to_owned(),
            ));
        }
        let mut inner = self.lock()?;
        inner.tpm = tpm;
        self.persist(&mut inner)
    }
}
