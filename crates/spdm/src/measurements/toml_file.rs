//! The measurement file format (TOML) and its loader.
//!
//! ```toml
//! # One [[measurement]] table per block; any order; indices 1-254, each once.
//! [[measurement]]
//! index = 1                 # Index, 1..=0xFE
//! type = 0                  # DMTFSpecMeasurementValueType bits 6:0 (0 immutable ROM,
//!                           # 1 mutable firmware, 2 hardware config, 3 firmware config,
//!                           # 4 manifest, 5 device mode, 6 version, 7 SVN, 8 hash-extended,
//!                           # 9 informational, 10 structured manifest)
//! digest_of = "boot ROM v1" # exactly one value key:
//!                           #   digest_of     = "text"  data measured with the negotiated hash
//!                           #                          (shown raw if the requester asks raw)
//!                           #   digest_of_hex = "0101"  the same, data given in hex
//!                           #   hex           = "a1d6.." a precomputed digest (its length must
//!                           #                          be the negotiated measurement hash's)
//!                           #   raw           = "text"  a raw bit stream (UTF-8 bytes)
//!                           #   raw_hex       = "0700"  a raw bit stream given in hex
//! tcb = true                # optional: part of the TCB summary hash (default: type == 0)
//! ```
//!
//! Unknown keys are refused. Every error names the line of the offending entry.

use serde::Deserialize;

use crate::codec::DmtfMeasurementType;

use super::entry::{MeasurementEntry, MeasurementValue};
use super::error::MeasurementError;
use super::store::{MAX_MEASUREMENT_ENTRIES, MAX_MEASUREMENT_VALUE_LEN, MeasurementStore};

/// Our limit on the size of a measurement file.
pub const MAX_FILE_LEN: usize = 1 << 20;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    measurement: Vec<toml::Spanned<RawEntry>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    index: i64,
    #[serde(rename = "type")]
    value_type: i64,
    digest_of: Option<String>,
    digest_of_hex: Option<String>,
    hex: Option<String>,
    raw: Option<String>,
    raw_hex: Option<String>,
    tcb: Option<bool>,
}

/// 1-based line of byte `offset` in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset).map_or(0, |t| {
        t.bytes().filter(|&b| b == b'\n').count().saturating_add(1)
    })
}

fn parse_hex(s: &str, key: &'static str, line: usize) -> Result<Vec<u8>, MeasurementError> {
    let bad = || MeasurementError::BadHex { key, line };
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    if !s.len().is_multiple_of(2) || s.len() > MAX_MEASUREMENT_VALUE_LEN.saturating_mul(2) {
        return Err(bad());
    }
    s.as_bytes()
        .chunks(2)
        .map(|pair| {
            std::str::from_utf8(pair)
                .ok()
                .and_then(|p| u8::from_str_radix(p, 16).ok())
                .ok_or_else(bad)
        })
        .collect()
}

impl MeasurementStore {
    /// Loads a store from the TOML format above.
    ///
    /// # Errors
    /// [`MeasurementError::Syntax`] for TOML that is not this format, otherwise the first
    /// entry's problem with its line (see [`MeasurementError`]).
    pub fn from_toml_str(text: &str) -> Result<Self, MeasurementError> {
        if text.len() > MAX_FILE_LEN {
            return Err(MeasurementError::Syntax {
                message: format!("file larger than {MAX_FILE_LEN} bytes"),
                line: 0,
            });
        }
        let file: File = toml::from_str(text).map_err(|e| MeasurementError::Syntax {
            message: e.message().to_owned(),
            line: e.span().map_or(0, |s| line_of(text, s.start)),
        })?;
        if file.measurement.len() > MAX_MEASUREMENT_ENTRIES {
            return Err(MeasurementError::TooManyEntries {
                count: file.measurement.len(),
                max: MAX_MEASUREMENT_ENTRIES,
            });
        }
        let mut entries = Vec::with_capacity(file.measurement.len());
        let mut lines = Vec::with_capacity(file.measurement.len());
        for spanned in &file.measurement {
            let line = line_of(text, spanned.span().start);
            let raw = spanned.get_ref();
            let index = u8::try_from(raw.index)
                .ok()
                .filter(|&i| i != 0 && i != 0xFF)
                .ok_or(MeasurementError::ReservedIndex {
                    index: u8::try_from(raw.index).unwrap_or(0xFF),
                    line,
                })?;
            let value_type = u8::try_from(raw.value_type)
                .ok()
                .filter(|&t| t <= 0x7F)
                .ok_or(MeasurementError::BadType {
                    value_type: u64::try_from(raw.value_type).unwrap_or(u64::MAX),
                    line,
                })?;
            let found = [
                raw.digest_of.is_some(),
                raw.digest_of_hex.is_some(),
                raw.hex.is_some(),
                raw.raw.is_some(),
                raw.raw_hex.is_some(),
            ]
            .iter()
            .filter(|&&b| b)
            .count();
            if found != 1 {
                return Err(MeasurementError::ValueKeys { line, found });
            }
            let value = if let Some(t) = &raw.digest_of {
                MeasurementValue::DigestOf(t.as_bytes().to_vec())
            } else if let Some(h) = &raw.digest_of_hex {
                MeasurementValue::DigestOf(parse_hex(h, "digest_of_hex", line)?)
            } else if let Some(h) = &raw.hex {
                MeasurementValue::Digest(parse_hex(h, "hex", line)?)
            } else if let Some(t) = &raw.raw {
                MeasurementValue::Raw(t.as_bytes().to_vec())
            } else if let Some(h) = &raw.raw_hex {
                MeasurementValue::Raw(parse_hex(h, "raw_hex", line)?)
            } else {
                return Err(MeasurementError::ValueKeys { line, found: 0 });
            };
            let mut entry =
                MeasurementEntry::new(index, DmtfMeasurementType::from(value_type), value);
            if let Some(tcb) = raw.tcb {
                entry = entry.with_tcb(tcb);
            }
            entries.push(entry);
            lines.push(line);
        }
        Self::with_lines(entries, &lines)
    }

    /// Reads and loads a measurement file (at most [`MAX_FILE_LEN`] bytes).
    ///
    /// # Errors
    /// [`MeasurementError::Syntax`] (line 0) if the file cannot be read, else as
    /// [`Self::from_toml_str`].
    pub fn from_toml_file(path: impl AsRef<std::path::Path>) -> Result<Self, MeasurementError> {
        use std::io::Read as _;
        let io = |e: std::io::Error| MeasurementError::Syntax {
            message: e.to_string(),
            line: 0,
        };
        let file = std::fs::File::open(path).map_err(io)?;
        let mut text = String::new();
        file.take(u64::try_from(MAX_FILE_LEN.saturating_add(1)).unwrap_or(u64::MAX))
            .read_to_string(&mut text)
            .map_err(io)?;
        Self::from_toml_str(&text)
    }
}
