//! CHALLENGE request and CHALLENGE_AUTH response (DSP0274 1.1 §10.9).
//!
//! CHALLENGE_AUTH's layout depends on the negotiated algorithms (CertChainHash,
//! MeasurementSummaryHash and Signature sizes) and on the CHALLENGE (MeasurementSummaryHash
//! present iff Param2 was not 0): see [`DecodeContext`]. SPDM 1.3 adds an 8-byte
//! RequesterContext to both (after the nonce; after the opaque data). The signature covers the
//! transcript up to [`ChallengeAuth::signature_offset`].

use vtrust_wire::{Encode, EncodeError, Reader, Writer, open_enum};

use super::context::DecodeContext;
use super::error::CodecError;
use super::get_digests::SlotMask;
use super::header::{Header, RequestCode, ResponseCode, SpdmVersion, write_header};
use super::signed_tail::SignedTail;
use super::{
    NONCE_LEN, REQUESTER_CONTEXT_LEN, check_absent, check_presence, decode_exact, read_if,
};

open_enum! {
    /// DSP0274 1.1 §10.9 MeasurementSummaryHashType (CHALLENGE Param2; also KEY_EXCHANGE and
    /// PSK_EXCHANGE Param1).
    pub enum MeasurementSummaryHashType: u8 {
        /// No measurement summary hash.
        NoMeasurementSummaryHash = 0x00,
        /// Hash of the TCB component measurements.
        TcbComponentMeasurementHash = 0x01,
        /// Hash of all measurements.
        AllMeasurementsHash = 0xFF,
    }
}

/// DSP0274 1.1 §10.9 CHALLENGE request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Challenge {
    /// SPDMVersion.
    pub version: SpdmVersion,
    /// SlotID (Param1): 0-7, or 0xFF for a provisioned public key (1.1+).
    pub slot_id: u8,
    /// MeasurementSummaryHashType (Param2).
    pub measurement_summary_hash_type: MeasurementSummaryHashType,
    /// Nonce.
    pub nonce: [u8; NONCE_LEN],
    /// RequesterContext (1.3+).
    pub requester_context: Option<[u8; REQUESTER_CONTEXT_LEN]>,
}

impl Challenge {
    /// Decodes a CHALLENGE that fills `bytes`.
    ///
    /// # Errors
    /// A [`CodecError`] for a malformed message or another code.
    pub fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        decode_exact(bytes, RequestCode::Challenge.into(), Self::decode_body)
    }

    pub(crate) fn decode_body(header: &Header, r: &mut Reader<'_>) -> Result<Self, CodecError> {
        let v = header.version;
        Ok(Self {
            version: v,
            slot_id: header.param1,
            measurement_summary_hash_type: header.param2.into(),
            nonce: r.array("Nonce")?,
            requester_context: read_if(r, "RequesterContext", v.at_least(SpdmVersion::V13))?,
        })
    }
}

impl Encode for Challenge {
    fn encode(&self, w: &mut Writer) -> Result<(), EncodeError> {
        super::atomic(w, |w| {
            let context = check_presence(
                "RequesterContext",
                self.requester_context,
                self.version.at_least(SpdmVersion::V13),
            )?;
            write_header(
                w,
                self.version,
                RequestCode::Challenge.into(),
                self.slot_id,
                self.measurement_summary_hash_type.into(),
            )?;
            w.bytes("Nonce", &self.nonce)?;
            if let Some(context) = context {
                w.bytes("RequesterContext", &context)?;
            }
            Ok(())
        })
    }
}

/// CHALLENGE_AUTH Param1 bits 3:0: SlotID.
const SLOT_ID_MASK: u8 = 0x0F;
/// CHALLENGE_AUTH Param1 bit 7 (1.1+, deprecated in 1.2): BasicMutAuthReq.
const BASIC_MUT_AUTH_REQ: u8 = 0x80;

/// DSP0274 1.1 §10.9 CHALLENGE_AUTH response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ChallengeAuth<'a> {
    /// SPDMVersion.
    pub version: SpdmVersion,
    /// Param1 bits 3:0: SlotID (0xF: provisioned public key).
    pub slot_id: u8,
    /// Param1 bit 7 (1.1+; deprecated in 1.2): BasicMutAuthReq.
    pub basic_mut_auth_req: bool,
    /// Param2: SlotMask.
    pub slot_mask: SlotMask,
    /// CertChainHash (negotiated hash size).
    pub cert_chain_hash: &'a [u8],
    /// Nonce: the responder's.
    pub nonce: [u8; NONCE_LEN],
    /// MeasurementSummaryHash (negotiated hash size), present iff the CHALLENGE asked for one
    /// and the responder supports measurements.
    pub measurement_summary_hash: Option<&'a [u8]>,
    /// OpaqueData (OpaqueDataLength at most [`MAX_OPAQUE_DATA_LEN`]).
    pub opaque_data: &'a [u8],
    /// RequesterContext (1.3+), echoed from the CHALLENGE.
    pub requester_context: Option<[u8; REQUESTER_CONTEXT_LEN]>,
    /// Signature (negotiated signature size).
    pub signature: &'a [u8],
}

impl<'a> ChallengeAuth<'a> {
    /// Decodes a CHALLENGE_AUTH that fills `bytes`.
    ///
    /// # Errors
    /// A [`CodecError`] for a malformed message (including one whose sizes do not match
    /// `ctx`) or another code.
    pub fn decode(bytes: &'a [u8], ctx: &DecodeContext) -> Result<Self, CodecError> {
        decode_exact(bytes, ResponseCode::ChallengeAuth.into(), |h, r| {
            Self::decode_body(h, r, ctx)
        })
    }

    pub(crate) fn decode_body(
        header: &Header,
        r: &mut Reader<'a>,
        ctx: &DecodeContext,
    ) -> Result<Self, CodecError> {
        let v = header.version;
        let cert_chain_hash = r.bytes("CertChainHash", ctx.hash_len)?;
        let nonce = r.array("Nonce")?;
        let measurement_summary_hash = if ctx.measurement_summary_hash {
            Some(r.bytes("MeasurementSummaryHash", ctx.hash_len)?)
        } else {
            None
        };
        let SignedTail {
            opaque_data,
            requester_context,
        } = SignedTail::decode(r, v)?;
        let signature = r.bytes("Signature", ctx.signature_len)?;
        Ok(Self {
            version: v,
            slot_id: header.param1 & SLOT_ID_MASK,
            basic_mut_auth_req: v.at_least(SpdmVersion::V11)
                && header.param1 & BASIC_MUT_AUTH_REQ != 0,
            slot_mask: SlotMask(header.param2),
            cert_chain_hash,
            nonce,
            measurement_summary_hash,
            opaque_data,
            requester_context,
            signature,
        })
    }

    fn tail(&self) -> SignedTail<'a> {
        SignedTail {
            opaque_data: self.opaque_data,
            requester_context: self.requester_context,
        }
    }

    /// Where Signature starts: the signed transcript includes the message up to here
    /// (DSP0274: the CHALLENGE_AUTH "without the signature").
    #[must_use]
    pub fn signature_offset(&self) -> usize {
        [
            Header::LEN,
            self.cert_chain_hash.len(),
            NONCE_LEN,
            self.measurement_summary_hash.map_or(0, <[u8]>::len),
            self.tail().len(),
        ]
        .iter()
        .fold(0, |sum, len| sum.saturating_add(*len))
    }
}

impl Encode for ChallengeAuth<'_> {
    fn encode(&self, w: &mut Writer) -> Result<(), EncodeError> {
        super::atomic(w, |w| {
            let v = self.version;
            let tail = self.tail();
            tail.check(v)?;
            check_absent(
                "BasicMutAuthReq",
                v.at_least(SpdmVersion::V11) || !self.basic_mut_auth_req,
            )?;
            check_absent("SlotID", self.slot_id <= SLOT_ID_MASK)?;
            if let Some(hash) = self.measurement_summary_hash {
                check_absent(
                    "MeasurementSummaryHash",
                    hash.len() == self.cert_chain_hash.len(),
                )?;
            }
            let param1 = self.slot_id
                | if self.basic_mut_auth_req {
                    BASIC_MUT_AUTH_REQ
                } else {
                    0
                };
            write_header(
                w,
                v,
                ResponseCode::ChallengeAuth.into(),
                param1,
                self.slot_mask.0,
            )?;
            w.bytes("CertChainHash", self.cert_chain_hash)?;
            w.bytes("Nonce", &self.nonce)?;
            if let Some(hash) = self.measurement_summary_hash {
                w.bytes("MeasurementSummaryHash", hash)?;
            }
            tail.encode(w)?;
            w.bytes("Signature", self.signature)
        })
    }
}
