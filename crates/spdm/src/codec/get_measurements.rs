//! GET_MEASUREMENTS request and MEASUREMENTS response (DSP0274 1.1 §10.11).
//!
//! Request: Param1 attributes (bit 0 signature requested; 1.2 bit 1 raw bit stream requested;
//! 1.3 bit 2 new measurement requested), Param2 operation (0 count, 1-0xFE one index, 0xFF
//! all); Nonce and (1.1+) SlotIDParam only when a signature is requested; 1.3 RequesterContext
//! always. Response: NumberOfBlocks, MeasurementRecordLength (u24), the record, Nonce,
//! OpaqueDataLength + OpaqueData, 1.3 RequesterContext, then Signature iff one was requested.
//! The signature covers the transcript up to [`Measurements::signature_offset`].

use vtrust_wire::{Encode, EncodeError, LengthPrefix, Reader, Writer};

use super::context::DecodeContext;
use super::error::CodecError;
use super::header::{Header, RequestCode, ResponseCode, SpdmVersion, write_header};
use super::measurement_record::{MeasurementBlock, decode_record};
use super::signed_tail::SignedTail;
use super::{
    MAX_LARGE_LEN, NONCE_LEN, REQUESTER_CONTEXT_LEN, check_absent, check_presence, decode_exact,
    read_if,
};

bitflags::bitflags! {
    /// DSP0274 1.1 §10.11 GET_MEASUREMENTS request attributes (Param1).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct MeasurementAttributes: u8 {
        /// Bit 0 (1.0): sign the response.
        const SIGNATURE_REQUESTED = 0x01;
        /// Bit 1 (1.2): return raw bit streams, not digests, where the responder can.
        const RAW_BIT_STREAM_REQUESTED = 0x02;
        /// Bit 2 (1.3): take a new measurement rather than a cached one.
        const NEW_MEASUREMENT_REQUESTED = 0x04;
    }
}

impl MeasurementAttributes {
    /// The attribute bits `version` defines; the others are reserved.
    #[must_use]
    pub fn defined_in(version: SpdmVersion) -> Self {
        if version.at_least(SpdmVersion::V13) {
            Self::all()
        } else if version.at_least(SpdmVersion::V12) {
            Self::SIGNATURE_REQUESTED | Self::RAW_BIT_STREAM_REQUESTED
        } else {
            Self::SIGNATURE_REQUESTED
        }
    }
}

/// DSP0274 1.1 §10.11 MeasurementOperation (GET_MEASUREMENTS Param2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MeasurementOperation(pub u8);

impl MeasurementOperation {
    /// 0: the total number of measurement indices, no blocks.
    pub const TOTAL_NUMBER_OF_MEASUREMENTS: Self = Self(0x00);
    /// 0xFF: all measurement blocks.
    pub const ALL_MEASUREMENTS: Self = Self(0xFF);

    /// The block index requested, for operations 1-0xFE.
    #[must_use]
    pub const fn index(self) -> Option<u8> {
        match self.0 {
            0x00 | 0xFF => None,
            index => Some(index),
        }
    }
}

/// SlotIDParam bits 3:0 (and MEASUREMENTS Param2 bits 3:0): SlotID.
const SLOT_ID_MASK: u8 = 0x0F;

/// DSP0274 1.1 §10.11 GET_MEASUREMENTS request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GetMeasurements {
    /// SPDMVersion.
    pub version: SpdmVersion,
    /// Param1: request attributes (bits the version does not define are reserved).
    pub attributes: MeasurementAttributes,
    /// Param2: measurement operation.
    pub operation: MeasurementOperation,
    /// Nonce, present iff [`MeasurementAttributes::SIGNATURE_REQUESTED`].
    pub nonce: Option<[u8; NONCE_LEN]>,
    /// SlotIDParam bits 3:0 (1.1+), present iff a signature is requested: the slot whose
    /// key signs (0xF: provisioned public key).
    pub slot_id: Option<u8>,
    /// RequesterContext (1.3+).
    pub requester_context: Option<[u8; REQUESTER_CONTEXT_LEN]>,
}

impl GetMeasurements {
    /// Decodes a GET_MEASUREMENTS that fills `bytes`.
    ///
    /// # Errors
    /// A [`CodecError`] for a malformed message or another code.
    pub fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        decode_exact(
            bytes,
            RequestCode::GetMeasurements.into(),
            Self::decode_body,
        )
    }

    pub(crate) fn decode_body(header: &Header, r: &mut Reader<'_>) -> Result<Self, CodecError> {
        let v = header.version;
        let attributes = MeasurementAttributes::from_bits_truncate(header.param1)
            & MeasurementAttributes::defined_in(v);
        let signed = attributes.contains(MeasurementAttributes::SIGNATURE_REQUESTED);
        let nonce = read_if(r, "Nonce", signed)?;
        let slot_id = if signed && v.at_least(SpdmVersion::V11) {
            Some(r.u8("SlotIDParam")? & SLOT_ID_MASK)
        } else {
            None
        };
        Ok(Self {
            version: v,
            attributes,
            operation: MeasurementOperation(header.param2),
            nonce,
            slot_id,
            requester_context: read_if(r, "RequesterContext", v.at_least(SpdmVersion::V13))?,
        })
    }

    /// Whether the request asks for a signed MEASUREMENTS (so the response carries
    /// Signature: [`DecodeContext::signature_requested`]).
    #[must_use]
    pub fn signature_requested(&self) -> bool {
        self.attributes
            .contains(MeasurementAttributes::SIGNATURE_REQUESTED)
    }
}

impl Encode for GetMeasurements {
    fn encode(&self, w: &mut Writer) -> Result<(), EncodeError> {
        super::atomic(w, |w| {
            let v = self.version;
            check_absent(
                "Param1",
                MeasurementAttributes::defined_in(v).contains(self.attributes),
            )?;
            let signed = self.signature_requested();
            let nonce = check_presence("Nonce", self.nonce, signed)?;
            let slot_id = check_presence(
                "SlotIDParam",
                self.slot_id,
                signed && v.at_least(SpdmVersion::V11),
            )?;
            check_absent("SlotIDParam", slot_id.is_none_or(|s| s <= SLOT_ID_MASK))?;
            let context = check_presence(
                "RequesterContext",
                self.requester_context,
                v.at_least(SpdmVersion::V13),
            )?;
            write_header(
                w,
                v,
                RequestCode::GetMeasurements.into(),
                self.attributes.bits(),
                self.operation.0,
            )?;
            if let Some(nonce) = nonce {
                w.bytes("Nonce", &nonce)?;
            }
            if let Some(slot_id) = slot_id {
                w.u8("SlotIDParam", slot_id)?;
            }
            if let Some(context) = context {
                w.bytes("RequesterContext", &context)?;
            }
            Ok(())
        })
    }
}

/// DSP0274 1.2 content changed (MEASUREMENTS Param2 bits 5:4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ContentChanged {
    /// 00b: the responder does not detect changes (or no signature was requested).
    #[default]
    NotSupported,
    /// 01b: measurements changed since the last GET_MEASUREMENTS of this transcript.
    Changed,
    /// 10b: no change detected.
    NotChanged,
    /// 11b: reserved.
    Reserved,
}

impl ContentChanged {
    fn from_param2(param2: u8) -> Self {
        match (param2 / 16) % 4 {
            0 => Self::NotSupported,
            1 => Self::Changed,
            2 => Self::NotChanged,
            _ => Self::Reserved,
        }
    }

    const fn bits(self) -> u8 {
        match self {
            Self::NotSupported => 0x00,
            Self::Changed => 0x10,
            Self::NotChanged => 0x20,
            Self::Reserved => 0x30,
        }
    }
}

/// DSP0274 1.1 §10.11 MEASUREMENTS response.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Measurements<'a> {
    /// SPDMVersion.
    pub version: SpdmVersion,
    /// Param1: TotalNumberOfMeasurementIndices when the operation was 0 (reserved
    /// otherwise; kept as received).
    pub total_measurement_indices: u8,
    /// Param2 bits 3:0 (1.1+): SlotID of the signing key.
    pub slot_id: u8,
    /// Param2 bits 5:4 (1.2+): content changed.
    pub content_changed: ContentChanged,
    /// The measurement record (NumberOfBlocks = its length).
    pub blocks: Vec<MeasurementBlock<'a>>,
    /// Nonce: the responder's.
    pub nonce: [u8; NONCE_LEN],
    /// OpaqueData (OpaqueDataLength at most [`MAX_OPAQUE_DATA_LEN`]).
    pub opaque_data: &'a [u8],
    /// RequesterContext (1.3+), echoed from the request.
    pub requester_context: Option<[u8; REQUESTER_CONTEXT_LEN]>,
    /// Signature, present iff the request asked for one.
    pub signature: Option<&'a [u8]>,
}

/// Bytes of a measurement block before its Measurement field.
const BLOCK_HEADER_LEN: usize = 4;

impl<'a> Measurements<'a> {
    /// Decodes a MEASUREMENTS that fills `bytes`.
    ///
    /// # Errors
    /// A [`CodecError`] for a malformed message (including one whose sizes do not match
    /// `ctx`), a record above [`MAX_LARGE_LEN`] or another code.
    pub fn decode(bytes: &'a [u8], ctx: &DecodeContext) -> Result<Self, CodecError> {
        decode_exact(bytes, ResponseCode::Measurements.into(), |h, r| {
            Self::decode_body(h, r, ctx)
        })
    }

    pub(crate) fn decode_body(
        header: &Header,
        r: &mut Reader<'a>,
        ctx: &DecodeContext,
    ) -> Result<Self, CodecError> {
        let v = header.version;
        let count = r.u8("NumberOfBlocks")?;
        let record = r.prefixed(
            "MeasurementRecordLength",
            LengthPrefix::U24Le,
            MAX_LARGE_LEN,
        )?;
        let blocks = decode_record(record, count, ctx.measurement_hash_len)?;
        let nonce = r.array("Nonce")?;
        let SignedTail {
            opaque_data,
            requester_context,
        } = SignedTail::decode(r, v)?;
        let signature = if ctx.signature_requested {
            Some(r.bytes("Signature", ctx.signature_len)?)
        } else {
            None
        };
        Ok(Self {
            version: v,
            total_measurement_indices: header.param1,
            slot_id: if v.at_least(SpdmVersion::V11) {
                header.param2 & SLOT_ID_MASK
            } else {
                0
            },
            content_changed: if v.at_least(SpdmVersion::V12) {
                ContentChanged::from_param2(header.param2)
            } else {
                ContentChanged::NotSupported
            },
            blocks,
            nonce,
            opaque_data,
            requester_context,
            signature,
        })
    }

    /// MeasurementRecordLength: the record's size.
    #[must_use]
    pub fn measurement_record_length(&self) -> usize {
        self.blocks.iter().fold(0, |sum, b| {
            sum.saturating_add(BLOCK_HEADER_LEN)
                .saturating_add(b.measurement_size())
        })
    }

    fn tail(&self) -> SignedTail<'a> {
        SignedTail {
            opaque_data: self.opaque_data,
            requester_context: self.requester_context,
        }
    }

    /// Where Signature starts (the message length if unsigned): the signed transcript L1/L2
    /// includes the message up to here.
    #[must_use]
    pub fn signature_offset(&self) -> usize {
        [
            Header::LEN,
            4,
            self.measurement_record_length(),
            NONCE_LEN,
            self.tail().len(),
        ]
        .iter()
        .fold(0, |sum, len| sum.saturating_add(*len))
    }
}

impl Encode for Measurements<'_> {
    fn encode(&self, w: &mut Writer) -> Result<(), EncodeError> {
        super::atomic(w, |w| {
            let v = self.version;
            let tail = self.tail();
            tail.check(v)?;
            check_absent(
                "SlotID",
                self.slot_id <= SLOT_ID_MASK && (v.at_least(SpdmVersion::V11) || self.slot_id == 0),
            )?;
            check_absent(
                "ContentChanged",
                v.at_least(SpdmVersion::V12)
                    || self.content_changed == ContentChanged::NotSupported,
            )?;
            let count = u8::try_from(self.blocks.len())
                .map_err(|_| EncodeError::invalid_value("NumberOfBlocks"))?;
            let mut record = Writer::new();
            self.blocks.iter().try_for_each(|b| b.encode(&mut record))?;
            check_absent("MeasurementRecordLength", record.len() <= MAX_LARGE_LEN)?;
            write_header(
                w,
                v,
                ResponseCode::Measurements.into(),
                self.total_measurement_indices,
                self.slot_id | self.content_changed.bits(),
            )?;
            w.u8("NumberOfBlocks", count)?;
            w.u24_len_le("MeasurementRecordLength", record.len())?;
            w.bytes("MeasurementRecord", record.as_slice())?;
            w.bytes("Nonce", &self.nonce)?;
            tail.encode(w)?;
            if let Some(signature) = self.signature {
                w.bytes("Signature", signature)?;
            }
            Ok(())
        })
    }
}
