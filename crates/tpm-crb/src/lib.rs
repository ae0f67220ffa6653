//! TPM Command Response Buffer (CRB) device model with TCG PTP 1.07 data-buffer chunking.
//!
//! - [`CrbDevice`]: the register file at QEMU's offsets and reset values ([`regs`] holds the
//!   layout as data), an explicit state machine ([`Phase`]) for command reception, execution
//!   and completion in window-sized chunks, and hand-off of whole commands to the caller as a
//!   [`CrbAction`] (no I/O here: the caller runs the backend and calls
//!   [`CrbDevice::complete`]).
//! - [`Snapshot`]: a versioned binary snapshot, validated against the destination's
//!   [`CrbConfig`] on restore.
//! - [`driver`]: the Linux guest driver's algorithm over a [`driver::CrbBus`], with an
//!   in-process bus and a threaded one, for tests, benches and the CLI.
//!
//! ```
//! use vtrust_tpm_crb::driver::{Driver, DriverConfig, LocalBus};
//! use vtrust_tpm_crb::{CrbConfig, CrbDevice};
//!
//! // A backend that answers every command with a 6000-byte response.
//! let executor = |_locality: u8, _command: &[u8]| {
//!     let mut r = vec![0u8; 6000];
//!     r[..2].copy_from_slice(&0x8001u16.to_be_bytes());
//!     r[2..6].copy_from_slice(&6000u32.to_be_bytes());
//!     r
//! };
//! let device = CrbDevice::new(CrbConfig::default())?;
//! let mut driver = Driver::new(LocalBus::new(device, executor), DriverConfig::default());
//! let mut command = vec![0u8; 5000];
//! command[..2].copy_from_slice(&0x8001u16.to_be_bytes());
//! command[2..6].copy_from_slice(&5000u32.to_be_bytes());
//! let (response, stats) = driver.transmit(&command)?;
//! assert_eq!(response.len(), 6000);
//! assert_eq!((stats.chunks_sent, stats.chunks_received), (2, 2));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::arithmetic_side_effects
    )
)]

mod config;
mod device;
pub mod driver;
pub mod regs;
mod snapshot;
mod state;
pub mod tpm;

pub use config::{
    ConfigError, CrbConfig, DEFAULT_BASE, DEFAULT_MAX_SIZE, DEFAULT_WINDOW, MAX_MAX_SIZE,
};
pub use device::{CrbAction, CrbDevice, LOCALITY};
pub use snapshot::{RestoreError, SNAPSHOT_MAGIC, SNAPSHOT_VERSION, Snapshot};
pub use state::Phase;
