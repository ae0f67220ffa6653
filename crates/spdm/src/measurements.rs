//! The responder's measurement store (DSP0274 1.3 §10.11 measurement blocks, DMTF format).
//!
//! Owns what a responder reports in MEASUREMENTS and hashes into CHALLENGE_AUTH's
//! MeasurementSummaryHash: a validated, index-ordered list of [`MeasurementEntry`]s, the
//! built-in [`MeasurementStore::default_set`] (shaped like libspdm's emulator set), loading
//! from TOML ([`MeasurementStore::from_toml_str`], format documented there), and rendering
//! blocks with the negotiated MeasurementHashAlgo ([`MeasurementStore::render`]).
//!
//! | file | what it owns |
//! |---|---|
//! | [`entry`] | [`MeasurementEntry`], [`MeasurementValue`], rendering one block |
//! | [`store`] | [`MeasurementStore`]: validation, selection, summary hash, default set |
//! | [`toml_file`] | the TOML file format and its typed, line-located errors |
//! | [`error`] | [`MeasurementError`] |

pub mod entry;
pub mod error;
pub mod store;
pub mod toml_file;

pub use entry::{MeasurementEntry, MeasurementValue, RenderedBlock};
pub use error::MeasurementError;
pub use store::{MAX_MEASUREMENT_ENTRIES, MAX_MEASUREMENT_VALUE_LEN, MeasurementStore};
