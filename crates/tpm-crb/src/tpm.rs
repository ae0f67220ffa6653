//! The 10-byte TPM 2.0 command/response header and the error responses the device
//! synthesizes (TPM 2.0 Part 1 §18, Part 2 §6.6.3).

use vtrust_wire::{DecodeError, Reader};

/// Size of a TPM 2.0 command or response header: tag u16, size u32, code u32 (big-endian).
pub const TPM_HEADER_SIZE: usize = 10;
/// `TPM_ST_NO_SESSIONS` (TPM 2.0 Part 2 §6.9).
pub const TPM_ST_NO_SESSIONS: u16 = 0x8001;
/// `TPM_RC_FAILURE` (TPM 2.0 Part 2 §6.6.3): the backend's response was unusable.
pub const TPM_RC_FAILURE: u32 = 0x0101;
/// `TPM_RC_COMMAND_SIZE` (TPM 2.0 Part 2 §6.6.3): the command (or its response) does not fit
/// the interface, or its header disagrees with the bytes sent.
pub const TPM_RC_COMMAND_SIZE: u32 = 0x0142;

/// A TPM 2.0 command or response header (TPM 2.0 Part 1 §18.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TpmHeader {
    /// `tag` (TPMI_ST_COMMAND_TAG / TPM_ST).
    pub tag: u16,
    /// `commandSize` / `responseSize`: the whole message in bytes, header included.
    pub size: u32,
    /// `commandCode` / `responseCode`.
    pub code: u32,
}

impl TpmHeader {
    /// Parses the first 10 bytes of `bytes`.
    ///
    /// # Errors
    /// [`DecodeError`] (`Truncated`) if fewer than 10 bytes are given.
    pub fn parse(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        Ok(Self {
            tag: r.u16_be("tag")?,
            size: r.u32_be("size")?,
            code: r.u32_be("code")?,
        })
    }

    /// `size` as a `usize` (saturating where `usize` is narrower).
    #[must_use]
    pub fn size_usize(&self) -> usize {
        usize::try_from(self.size).unwrap_or(usize::MAX)
    }
}

/// A 10-byte error response: `TPM_ST_NO_SESSIONS`, size 10, `rc`.
#[must_use]
pub fn error_response(rc: u32) -> Vec<u8> {
    let mut r = Vec::with_capacity(TPM_HEADER_SIZE);
    r.extend_from_slice(&TPM_ST_NO_SESSIONS.to_be_bytes());
    r.extend_from_slice(&10u32.to_be_bytes());
    r.extend_from_slice(&rc.to_be_bytes());
    r
}
