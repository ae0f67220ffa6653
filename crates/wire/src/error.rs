//! Decode and encode errors: which field failed and how.
//!
//! Every failure names the field being read or written (`field`) and the kind of failure
//! (`kind`), so a caller can map it to its own error (an SPDM `ERROR` code, a virtio status, a
//! CRB error bit) and a log line says exactly where a message went wrong.

/// A decode failure: the field being read and what was wrong with it.
///
/// `Copy + Eq` so tests can assert the exact value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
#[error("{kind} in `{field}`")]
pub struct DecodeError {
    /// The field being read, as named by the caller (spec names, e.g. `"param1"`).
    pub field: &'static str,
    /// What went wrong.
    pub kind: DecodeErrorKind,
}

/// The kind of a [`DecodeError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeErrorKind {
    /// The input ended before the field: the read needed `needed` bytes but only `available`
    /// were left.
    #[error("Truncated input, needed {needed} bytes but {available} available")]
    Truncated {
        /// Bytes the read needed.
        needed: usize,
        /// Bytes that were left.
        available: usize,
    },
    /// Bytes were left after the end of a message.
    #[error("Trailing bytes ({count})")]
    TrailingBytes {
        /// How many bytes were left.
        count: usize,
    },
    /// A number outside the range the field allows.
    #[error("Value {value} out of range")]
    OutOfRange {
        /// The value read.
        value: u64,
    },
    /// A field the spec says MUST be zero was not.
    #[error("Reserved bytes not zero")]
    ReservedNotZero,
    /// A value that parses but is not allowed here.
    #[error("Value not allowed")]
    InvalidValue,
    /// A length above the limit we set for this field.
    #[error("Length {len} above the limit of {max}")]
    TooLong {
        /// The length read.
        len: usize,
        /// Our limit.
        max: usize,
    },
}

impl DecodeError {
    /// A decode error for `field`.
    #[must_use]
    pub const fn new(field: &'static str, kind: DecodeErrorKind) -> Self {
        Self { field, kind }
    }

    /// `field` holds a value that parses but is not allowed here.
    #[must_use]
    pub const fn invalid_value(field: &'static str) -> Self {
        Self::new(field, DecodeErrorKind::InvalidValue)
    }
}

/// An encode failure: the field being written and what was wrong with it.
///
/// Whatever the kind, the [`Writer`](crate::Writer) is left exactly as it was before the call
/// that failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
#[error("{kind} in `{field}`")]
pub struct EncodeError {
    /// The field being written.
    pub field: &'static str,
    /// What went wrong.
    pub kind: EncodeErrorKind,
}

/// The kind of an [`EncodeError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EncodeErrorKind {
    /// A length does not fit its length field (a prefix or a `u16` length field).
    #[error("Length {len} does not fit the length field (max {max})")]
    LengthOverflow {
        /// The length to write.
        len: usize,
        /// The largest length the field holds.
        max: usize,
    },
    /// A number does not fit its field (e.g. a 24-bit field given a value above `0xFF_FFFF`).
    #[error("Value {value} does not fit the field (max {max})")]
    ValueOverflow {
        /// The value to write.
        value: u64,
        /// The largest value the field holds.
        max: u64,
    },
    /// The write would take the buffer past the writer's limit.
    #[error("Writer limit exceeded, needed {needed} bytes but {available} left")]
    LimitExceeded {
        /// Bytes the write needed.
        needed: usize,
        /// Bytes left under the limit.
        available: usize,
    },
    /// The buffer could not grow.
    #[error("Could not allocate {len} bytes")]
    AllocationFailed {
        /// Bytes the write needed.
        len: usize,
    },
    /// A value this encoder refuses to write.
    #[error("Value not allowed")]
    InvalidValue,
}

impl EncodeError {
    /// An encode error for `field`.
    #[must_use]
    pub const fn new(field: &'static str, kind: EncodeErrorKind) -> Self {
        Self { field, kind }
    }

    /// `field` holds a value this encoder refuses to write.
    #[must_use]
    pub const fn invalid_value(field: &'static str) -> Self {
        Self::new(field, EncodeErrorKind::InvalidValue)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_start_with_a_capital_and_name_the_field() {
        let e = DecodeError::new(
            "opaque_length",
            DecodeErrorKind::TooLong {
                len: 5000,
                max: 1024,
            },
        );
        assert_eq!(
            e.to_string(),
            "Length 5000 above the limit of 1024 in `opaque_length`"
        );
        let e = DecodeError::new(
            "param1",
            DecodeErrorKind::Truncated {
                needed: 2,
                available: 1,
            },
        );
        assert_eq!(
            e.to_string(),
            "Truncated input, needed 2 bytes but 1 available in `param1`"
        );
        let e = EncodeError::new(
            "opaque_data",
            EncodeErrorKind::LengthOverflow {
                len: 70000,
                max: 65535,
            },
        );
        assert_eq!(
            e.to_string(),
            "Length 70000 does not fit the length field (max 65535) in `opaque_data`"
        );
        assert_eq!(
            EncodeError::invalid_value("x").to_string(),
            "Value not allowed in `x`"
        );
        assert_eq!(
            DecodeError::invalid_value("x").to_string(),
            "Value not allowed in `x`"
        );
    }
}
