//! Device configuration: window size, largest command/response, chunking, base address.

use crate::regs::MAX_WINDOW;
use crate::tpm::TPM_HEADER_SIZE;

/// Default physical base of the CRB page (QEMU, ACPI `_CRS` Memory32Fixed(0xFED40000, 0x1000)).
pub const DEFAULT_BASE: u64 = 0xFED4_0000;
/// Default window: the whole data buffer 0x80..0x1000 (QEMU's 3968 bytes).
pub const DEFAULT_WINDOW: usize = MAX_WINDOW;
/// Default largest command and response with chunking: 8 KiB (Linux's `TPM_BUFSIZE` in the
/// chunking series; fits ML-DSA-87 signatures, `tpm-crb.md` §6).
pub const DEFAULT_MAX_SIZE: usize = 8192;
/// Largest `max_size` accepted: TPM sizes are `u32` on the wire, but no TPM needs more than
/// 64 KiB and the device allocates this much per buffer.
pub const MAX_MAX_SIZE: usize = 65536;

/// Configuration of a [`CrbDevice`](crate::CrbDevice).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CrbConfig {
    /// Size of the data buffer window at offset 0x80, reported in CTRL_CMD_SIZE and
    /// CTRL_RSP_SIZE: `10..=3968`.
    pub window: usize,
    /// Largest command and largest response with chunking on: `10..=65536`. With chunking off
    /// the limit is `min(max_size, window)`.
    pub max_size: usize,
    /// Advertise CapCRBChunk (INTF_ID bit 10) and honour nextChunk / crbRspRetry.
    pub chunking: bool,
    /// Physical address of the CRB page, used for CTRL_CMD_LADDR/HADDR and CTRL_RSP_ADDR.
    /// Must be 4 KiB aligned.
    pub base: u64,
}

impl Default for CrbConfig {
    fn default() -> Self {
        Self {
            window: DEFAULT_WINDOW,
            max_size: DEFAULT_MAX_SIZE,
            chunking: true,
            base: DEFAULT_BASE,
        }
    }
}

/// Why a [`CrbConfig`] was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The window does not fit 0x80..0x1000 or cannot hold a TPM header.
    #[error("Window of {window} bytes outside 10..=3968")]
    WindowOutOfRange {
        /// The window asked for.
        window: usize,
    },
    /// The largest command/response size is below a TPM header or above 64 KiB.
    #[error("Maximum size {max_size} outside 10..=65536")]
    MaxSizeOutOfRange {
        /// The size asked for.
        max_size: usize,
    },
    /// The base address is not 4 KiB aligned, or the page would pass the end of the address
    /// space.
    #[error("Base address {base:#x} not 4 KiB aligned or too high")]
    BadBase {
        /// The base asked for.
        base: u64,
    },
}

impl CrbConfig {
    /// Checks every field.
    ///
    /// # Errors
    /// The first field out of range, as a [`ConfigError`].
    pub fn validate(&self) -> Result<(), ConfigError> {
        if !(TPM_HEADER_SIZE..=MAX_WINDOW).contains(&self.window) {
            return Err(ConfigError::WindowOutOfRange {
                window: self.window,
            });
        }
        if !(TPM_HEADER_SIZE..=MAX_MAX_SIZE).contains(&self.max_size) {
            return Err(ConfigError::MaxSizeOutOfRange {
                max_size: self.max_size,
            });
        }
        if self.base & 0xFFF != 0 || self.base.checked_add(0x1000).is_none() {
            return Err(ConfigError::BadBase { base: self.base });
        }
        Ok(())
    }

    /// Largest command the device accepts: `max_size` with chunking, else
    /// `min(max_size, window)` (the pre-chunking interface).
    #[must_use]
    pub fn max_command(&self) -> usize {
        if self.chunking {
            self.max_size
        } else {
            self.max_size.min(self.window)
        }
    }

    /// Largest response the device delivers; same rule as [`max_command`](Self::max_command)
    /// (fixes QEMU quirk 3: without chunking a response is never larger than the window).
    #[must_use]
    pub fn max_response(&self) -> usize {
        self.max_command()
    }

    /// Physical address of the data buffer (base + 0x80).
    #[must_use]
    pub fn buffer_address(&self) -> u64 {
        self.base | crate::regs::DATA_BUFFER_OFFSET
    }
}
