//! A TPM as a guest sees it: a backend (embedded, or swtpm) behind the CRB device model,
//! driven by the Linux driver's algorithm (`vtrust_tpm_crb::driver`). The backend runs on
//! the device's worker thread, as in a VMM whose vCPU never waits for it.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use vtrust_crypto::CryptoProvider;
use vtrust_tpm_backend::embedded::EmbeddedBackend;
use vtrust_tpm_backend::swtpm::{SwtpmBackend, SwtpmProcess};
use vtrust_tpm_backend::{Endpoint, InitOptions, TPM_RC_FAILURE, TpmBackend, error_response};
use vtrust_tpm_crb::driver::{Driver, DriverConfig, ThreadedBus, TransferStats};
use vtrust_tpm_crb::{CrbConfig, CrbDevice};

use super::client::{self, RC_INITIALIZE, Response};

/// Which TPM is behind the CRB.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BackendChoice {
    /// The embedded TPM, its permanent state in `state` if given.
    Embedded {
        /// State file.
        state: Option<PathBuf>,
    },
    /// A running swtpm: its control socket and (optionally) its data socket; without a data
    /// socket the data channel is a socketpair handed over with CMD_SET_DATAFD.
    Swtpm {
        /// `--ctrl`.
        ctrl: Endpoint,
        /// `--server`.
        data: Option<Endpoint>,
    },
    /// A swtpm we start ourselves (Debian's `swtpm` package), in a scratch directory.
    SwtpmSpawn,
}

/// A socket given on the command line: `HOST:PORT` is TCP, anything else a unix path.
pub fn parse_endpoint(text: &str) -> Endpoint {
    match text.parse::<SocketAddr>() {
        Ok(addr) => Endpoint::Tcp(addr),
        Err(_) => Endpoint::Unix(PathBuf::from(text)),
    }
}

/// `--backend`: `embedded`, `swtpm` (started for the run) or `swtpm:CTRL[,DATA]`.
pub fn parse_backend(text: &str) -> Result<BackendChoice, String> {
    match text {
        "embedded" => Ok(BackendChoice::Embedded { state: None }),
        "swtpm" => Ok(BackendChoice::SwtpmSpawn),
        _ => {
            let Some(rest) = text.strip_prefix("swtpm:") else {
                return Err(
                    "expected embedded, swtpm, or swtpm:CTRL[,DATA] (unix paths or HOST:PORT)"
                        .into(),
                );
            };
            let mut parts = rest.splitn(2, ',');
            let ctrl = parts.next().filter(|s| !s.is_empty());
            let Some(ctrl) = ctrl else {
                return Err("swtpm:CTRL[,DATA] needs the control socket".into());
            };
            let data = parts.next().filter(|s| !s.is_empty()).map(parse_endpoint);
            Ok(BackendChoice::Swtpm {
                ctrl: parse_endpoint(ctrl),
                data,
            })
        }
    }
}

/// One command's round trip through CRB and driver.
#[derive(Debug)]
pub struct Exchange {
    /// The response.
    pub response: Vec<u8>,
    /// Chunks and bytes each way.
    pub stats: TransferStats,
    /// Wall time of the round trip (driver, device, backend).
    pub elapsed: Duration,
}

/// An open TPM: backend, CRB device on a worker thread, driver.
pub struct Session {
    driver: Driver<ThreadedBus>,
    backend: Arc<dyn TpmBackend>,
    crb: CrbConfig,
    /// Kept alive for the session (killed on drop).
    _swtpm: Option<SwtpmProcess>,
    _scratch: Option<Scratch>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("backend", &self.backend.name())
            .field("crb", &self.crb)
            .finish_non_exhaustive()
    }
}

/// A scratch directory removed on drop.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Session {
    /// Opens the backend, initialises it (swtpm: STOP, SET_BUFFERSIZE, INIT), builds the
    /// CRB device with `crb` and sends TPM2_Startup(CLEAR) through it.
    ///
    /// # Errors
    /// The backend cannot be reached or started; the CRB configuration is invalid.
    pub fn open(choice: &BackendChoice, crb: CrbConfig) -> anyhow::Result<Self> {
        let mut swtpm = None;
        let mut scratch = None;
        let backend: Arc<dyn TpmBackend> = match choice {
            BackendChoice::Embedded { state } => Arc::new(
                EmbeddedBackend::new(CryptoProvider::new(), state.clone())
                    .context("Starting the embedded TPM")?,
            ),
            BackendChoice::Swtpm { ctrl, data } => Arc::new(
                SwtpmBackend::connect(ctrl.clone(), data.clone())
                    .with_context(|| format!("Connecting to swtpm at {ctrl}"))?,
            ),
            BackendChoice::SwtpmSpawn => {
                let dir = std::env::temp_dir().join(format!(
                    "vtrust-swtpm-{}-{}",
                    std::process::id(),
                    std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map_or(0, |d| d.as_nanos())
                ));
                std::fs::create_dir_all(&dir)
                    .with_context(|| format!("Creating {}", dir.display()))?;
                scratch = Some(Scratch(dir.clone()));
                let process = SwtpmProcess::spawn(&dir)
                    .context("Starting swtpm (Debian: apt-get install swtpm swtpm-tools)")?;
                let (ctrl, data) = process.paths().endpoints();
                let backend = SwtpmBackend::connect(ctrl, data).context("Connecting to swtpm")?;
                swtpm = Some(process);
                Arc::new(backend)
            }
        };
        let size = backend
            .init(InitOptions::default())
            .with_context(|| format!("Initialising {}", backend.name()))?;
        if crb.chunking && size < crb.max_size {
            tracing::info!(
                backend = backend.name(),
                size,
                "backend buffer smaller than the CRB maximum; larger commands get TPM_RC_COMMAND_SIZE"
            );
        }
        let device = CrbDevice::new(crb).map_err(|e| anyhow::anyhow!("CRB configuration: {e}"))?;
        let worker = Arc::clone(&backend);
        let bus = ThreadedBus::new(device, move |locality, command| {
            worker.execute(locality, command).unwrap_or_else(|e| {
                tracing::warn!("TPM backend failed: {e}");
                error_response(TPM_RC_FAILURE)
            })
        });
        let driver = Driver::new(
            bus,
            DriverConfig {
                max_response: crb.max_size.max(crb.window),
                ..DriverConfig::default()
            },
        );
        let mut session = Self {
            driver,
            backend,
            crb,
            _swtpm: swtpm,
            _scratch: scratch,
        };
        let startup = session.transmit(&client::startup_clear()?)?;
        let code = Response::parse(&startup.response)?.code;
        if code != 0 && code != RC_INITIALIZE {
            bail!("TPM2_Startup: {}", client::rc_name(code));
        }
        Ok(session)
    }

    /// The backend's name.
    pub fn backend_name(&self) -> &str {
        self.backend.name()
    }

    /// The CRB configuration.
    pub const fn crb(&self) -> &CrbConfig {
        &self.crb
    }

    /// Sends one command through the CRB and returns its response.
    ///
    /// # Errors
    /// The driver failed (timeout, a response above the maximum, ...).
    pub fn transmit(&mut self, command: &[u8]) -> anyhow::Result<Exchange> {
        let start = Instant::now();
        let (response, stats) = self
            .driver
            .transmit(command)
            .map_err(|e| anyhow::anyhow!("CRB driver: {e}"))?;
        Ok(Exchange {
            response,
            stats,
            elapsed: start.elapsed(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_argument_forms() {
        assert_eq!(
            parse_backend("embedded"),
            Ok(BackendChoice::Embedded { state: None })
        );
        assert_eq!(parse_backend("swtpm"), Ok(BackendChoice::SwtpmSpawn));
        assert_eq!(
            parse_backend("swtpm:/run/c,127.0.0.1:2321"),
            Ok(BackendChoice::Swtpm {
                ctrl: Endpoint::Unix("/run/c".into()),
                data: Some(Endpoint::Tcp("127.0.0.1:2321".parse().unwrap())),
            })
        );
        assert_eq!(
            parse_backend("swtpm:/run/c"),
            Ok(BackendChoice::Swtpm {
                ctrl: Endpoint::Unix("/run/c".into()),
                data: None,
            })
        );
        assert!(parse_backend("swtpm:").is_err());
        assert!(parse_backend("tpm").is_err());
    }
}
