//! Decode errors of the SPDM codec: the field that failed and how, including the SPDM-specific
//! kinds the wire layer does not know, and the SPDM ERROR code each maps to.

use vtrust_wire::{DecodeError, DecodeErrorKind};

use super::error_response::ErrorCode;

/// A message that could not be decoded: the field (spec name) and the kind of failure.
///
/// `Copy + Eq` so tests can assert the exact value. [`CodecError::error_code`] gives the SPDM
/// ERROR code a Responder answers it with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
#[error("{kind} in `{field}`")]
pub struct CodecError {
    /// The field being read, by its spec name (`"Param1"`, `"OpaqueDataLength"`, ...);
    /// `"SPDM message"` for the message as a whole.
    pub field: &'static str,
    /// What was wrong with it.
    pub kind: CodecErrorKind,
}

/// The kind of a [`CodecError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CodecErrorKind {
    /// A wire-level failure: truncated, trailing bytes, a length above our limit, a value not
    /// allowed.
    #[error("{0}")]
    Wire(DecodeErrorKind),
    /// The SPDMVersion byte is not a version this crate speaks (1.0-1.4), or not the one the
    /// message requires (GET_VERSION and VERSION are always 1.0).
    #[error("Unsupported SPDM version {version:#04x}")]
    UnsupportedVersion {
        /// The SPDMVersion byte.
        version: u8,
    },
    /// The RequestResponseCode is not the one this decoder handles, or not a request (resp.
    /// response) code at all.
    #[error("Unexpected request/response code {code:#04x}")]
    UnexpectedCode {
        /// The RequestResponseCode byte.
        code: u8,
    },
    /// A length field disagrees with the data it describes (NEGOTIATE_ALGORITHMS Length,
    /// MeasurementSize, a digest size other than the negotiated one).
    #[error("Length field says {declared} but {expected} expected")]
    LengthMismatch {
        /// The length the message declares.
        declared: usize,
        /// The length the data (or the negotiated algorithm) implies.
        expected: usize,
    },
    /// A count field disagrees with the entries found (MEASUREMENTS NumberOfBlocks).
    #[error("Count field says {declared} but {found} entries found")]
    CountMismatch {
        /// The count the message declares.
        declared: usize,
        /// The entries actually present.
        found: usize,
    },
    /// A count above the limit we set (see the `MAX_*` constants of [`crate::codec`]).
    #[error("Count {count} above our limit of {max}")]
    CountAboveLimit {
        /// The count read.
        count: usize,
        /// Our limit.
        max: usize,
    },
    /// More bytes after the message than the transport's padding allows.
    #[error("Padding of {len} bytes, more than the {max} allowed")]
    PaddingTooLong {
        /// Bytes after the message.
        len: usize,
        /// The transport's maximum padding.
        max: usize,
    },
    /// Bytes after the message that are not zero, so not transport padding.
    #[error("Padding bytes not zero")]
    PaddingNotZero,
}

impl CodecError {
    /// A codec error for `field`.
    #[must_use]
    pub const fn new(field: &'static str, kind: CodecErrorKind) -> Self {
        Self { field, kind }
    }

    /// The wire-level error, if this is one.
    #[must_use]
    pub const fn wire(&self) -> Option<DecodeError> {
        match self.kind {
            CodecErrorKind::Wire(kind) => Some(DecodeError::new(self.field, kind)),
            _ => None,
        }
    }

    /// The SPDM ERROR code a Responder answers a request that failed to decode with:
    /// UnsupportedRequest for a code it does not handle, VersionMismatch for a version it does
    /// not speak, InvalidRequest for everything malformed.
    #[must_use]
    pub const fn error_code(&self) -> ErrorCode {
        match self.kind {
            CodecErrorKind::UnsupportedVersion { .. } => ErrorCode::VersionMismatch,
            CodecErrorKind::UnexpectedCode { .. } => ErrorCode::UnsupportedRequest,
            CodecErrorKind::Wire(_)
            | CodecErrorKind::LengthMismatch { .. }
            | CodecErrorKind::CountMismatch { .. }
            | CodecErrorKind::CountAboveLimit { .. }
            | CodecErrorKind::PaddingTooLong { .. }
            | CodecErrorKind::PaddingNotZero => ErrorCode::InvalidRequest,
        }
    }
}

impl From<DecodeError> for CodecError {
    fn from(e: DecodeError) -> Self {
        Self::new(e.field, CodecErrorKind::Wire(e.kind))
    }
}

impl From<&CodecError> for ErrorCode {
    fn from(e: &CodecError) -> Self {
        e.error_code()
    }
}

/// Shorthand for a [`CodecErrorKind::CountAboveLimit`] check.
pub(crate) fn check_count(field: &'static str, count: usize, max: usize) -> Result<(), CodecError> {
    if count > max {
        Err(CodecError::new(
            field,
            CodecErrorKind::CountAboveLimit { count, max },
        ))
    } else {
        Ok(())
    }
}
