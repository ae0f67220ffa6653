//! The one way vtrust reads and writes wire bytes.
//!
//! Every protocol crate (SPDM messages, TPM commands, virtio-crypto requests, snapshots)
//! parses hostile input through this crate, so it is panic-free and precise:
//!
//! - [`Reader`] is a bounds-checked cursor: every read names its field, a failed read leaves
//!   the reader unchanged, and every failure is a [`DecodeError`] `{ field, kind }`.
//! - [`Writer`] is a growable buffer with an optional total limit and back-patched length
//!   prefixes ([`Writer::length_prefixed`]); a failed write leaves the buffer exactly as it was
//!   and a length is never silently truncated.
//! - [`Decode`] and [`Encode`] are the traits wire types implement.
//! - [`open_enum!`] defines spec code points as enums with an `Unknown(raw)` variant, lossless
//!   in both directions.
//!
//! ```
//! use vtrust_wire::{open_enum, Decode, DecodeError, Encode, EncodeError, LengthPrefix, Reader, Writer};
//!
//! open_enum! {
//!     /// Record types.
//!     pub enum Kind: u8 {
//!         /// A name.
//!         Name = 1,
//!     }
//! }
//!
//! /// Type, reserved byte, u16 length, value.
//! struct Record<'a> {
//!     kind: Kind,
//!     value: &'a [u8],
//! }
//!
//! impl<'a> Decode<'a> for Record<'a> {
//!     fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
//!         let kind = Kind::decode(r)?;
//!         r.skip_reserved("reserved", 1)?;
//!         let value = r.prefixed("value", LengthPrefix::U16Le, 1024)?.rest();
//!         Ok(Self { kind, value })
//!     }
//! }
//!
//! impl Encode for Record<'_> {
//!     fn encode(&self, w: &mut Writer) -> Result<(), EncodeError> {
//!         self.kind.encode(w)?;
//!         w.zeros("reserved", 1)?;
//!         w.length_prefixed("value", LengthPrefix::U16Le, |w| w.bytes("value", self.value))
//!     }
//! }
//!
//! let bytes = [0x01, 0xFF, 0x02, 0x00, b'h', b'i'];
//! let record = Record::decode_exact(&bytes)?;
//! assert_eq!(record.kind, Kind::Name);
//! assert_eq!(record.value, b"hi");
//! // Reserved bytes are written as zero.
//! assert_eq!(record.to_vec().unwrap(), [0x01, 0x00, 0x02, 0x00, b'h', b'i']);
//! # Ok::<(), DecodeError>(())
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

mod check;
mod codec;
mod error;
pub mod open_enum;
mod prefix;
mod reader;
mod writer;

pub use check::{check_max, check_range};
pub use codec::{Decode, Encode};
pub use error::{DecodeError, DecodeErrorKind, EncodeError, EncodeErrorKind};
pub use open_enum::{Endian, OpenEnum, Repr, Unknown};
pub use prefix::LengthPrefix;
pub use reader::Reader;
pub use writer::Writer;
