//! [`MeasurementError`]: why a measurement store or file was refused.

/// A measurement store that could not be built, loaded or rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MeasurementError {
    /// Index 0 (the count operation) or 0xFF (the "all" operation) used as a block index.
    #[error("Measurement index {index:#04x} is reserved (line {line})")]
    ReservedIndex {
        /// The index.
        index: u8,
        /// The 1-based line of the entry in its file; 0 when not from a file.
        line: usize,
    },
    /// Two entries with the same index.
    #[error("Measurement index {index:#04x} appears twice (line {line})")]
    DuplicateIndex {
        /// The index.
        index: u8,
        /// The line of the second entry; 0 when not from a file.
        line: usize,
    },
    /// More entries than [`super::MAX_MEASUREMENT_ENTRIES`].
    #[error("{count} measurements, more than the {max} allowed")]
    TooManyEntries {
        /// Entries given.
        count: usize,
        /// Our limit.
        max: usize,
    },
    /// A value that is empty or longer than [`super::MAX_MEASUREMENT_VALUE_LEN`].
    #[error("Measurement {index:#04x} has a value of {len} bytes (line {line})")]
    BadValueSize {
        /// The index.
        index: u8,
        /// The value's length.
        len: usize,
        /// The line; 0 when not from a file.
        line: usize,
    },
    /// A precomputed digest whose size is not the negotiated MeasurementHashAlgo's (0:
    /// RAW_BIT_STREAM_ONLY, where no digest can be shown).
    #[error("Measurement {index:#04x} is a {len}-byte digest but {expected} bytes expected")]
    DigestSizeMismatch {
        /// The index.
        index: u8,
        /// The digest's length.
        len: usize,
        /// The negotiated digest size.
        expected: usize,
    },
    /// A rendered value too large for the block's u16 size fields.
    #[error("Measurement {index:#04x} value of {len} bytes does not fit a block")]
    ValueTooLarge {
        /// The index.
        index: u8,
        /// The value's length.
        len: usize,
    },
    /// A measurement type above 0x7F (bit 7 is the raw-bit-stream flag).
    #[error("Measurement type {value_type:#04x} out of range (line {line})")]
    BadType {
        /// The type given.
        value_type: u64,
        /// The line.
        line: usize,
    },
    /// An entry of a TOML file that does not give exactly one of `digest_of`,
    /// `digest_of_hex`, `hex`, `raw`, `raw_hex`.
    #[error("Measurement at line {line} needs exactly one value key, found {found}")]
    ValueKeys {
        /// The line.
        line: usize,
        /// How many value keys it has.
        found: usize,
    },
    /// A hex string that is not an even number of hex digits.
    #[error("Bad hex in `{key}` (line {line})")]
    BadHex {
        /// The key.
        key: &'static str,
        /// The line.
        line: usize,
    },
    /// The file is not valid TOML for this format (unknown key, wrong type, syntax).
    #[error("Measurement file: {message} (line {line})")]
    Syntax {
        /// The TOML parser's message.
        message: String,
        /// The line, 0 if unknown.
        line: usize,
    },
}
