//! GET_CERTIFICATE request and CERTIFICATE response (DSP0274 1.1 §10.8).
//!
//! 1.0-1.3: Offset/Length and PortionLength/RemainderLength are 16-bit. 1.3 adds Param2
//! attributes: SlotSizeRequested (request bit 0) and CertificateInfo (response bits 2:0).
//! 1.4 LargeCertChain (Param1 bit 7, both messages) appends 32-bit LargeOffset/LargeLength
//! (request) and LargePortionLength/LargeRemainderLength (response) after the 16-bit fields,
//! which are then written as zero; the certificate chain follows the large fields.

use vtrust_wire::{Encode, EncodeError, LengthPrefix, Reader, Writer, open_enum};

use super::error::CodecError;
use super::header::{Header, RequestCode, ResponseCode, SpdmVersion, write_header};
use super::{MAX_LARGE_LEN, check_absent, decode_exact};

/// Param1 bits 3:0: SlotID.
const SLOT_ID_MASK: u8 = 0x0F;
/// Param1 bit 7 (1.4): LargeCertChain.
const LARGE_CERT_CHAIN: u8 = 0x80;
/// GET_CERTIFICATE Param2 bit 0 (1.3): SlotSizeRequested.
const SLOT_SIZE_REQUESTED: u8 = 0x01;

open_enum! {
    /// DSP0274 1.3 CertModel (CertificateInfo bits 2:0): what the certificate chain in a slot
    /// is.
    pub enum CertModel: u8 {
        /// No certificate model (empty slot, or not a multi-key connection).
        NoCertificate = 0,
        /// Device certificate model.
        DeviceCert = 1,
        /// Alias certificate model.
        AliasCert = 2,
        /// Generic certificate model.
        GenericCert = 3,
    }
}

impl CertModel {
    /// CertificateInfo bits that hold the CertModel.
    pub const MASK: u8 = 0x07;
}

fn large_allowed(version: SpdmVersion, large: bool) -> Result<(), EncodeError> {
    check_absent(
        "LargeCertChain",
        version.at_least(SpdmVersion::V14) || !large,
    )
}

fn slot_id_param1(slot_id: u8, large: bool) -> Result<u8, EncodeError> {
    if slot_id > SLOT_ID_MASK {
        return Err(EncodeError::invalid_value("SlotID"));
    }
    Ok(slot_id | if large { LARGE_CERT_CHAIN } else { 0 })
}

/// Writes a 32-bit value into a 16-bit field, refusing to truncate.
fn u16_field(w: &mut Writer, field: &'static str, value: u32) -> Result<(), EncodeError> {
    let value = u16::try_from(value).map_err(|_| EncodeError::invalid_value(field))?;
    w.u16_le(field, value)
}

/// DSP0274 1.1 §10.8 GET_CERTIFICATE request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GetCertificate {
    /// SPDMVersion.
    pub version: SpdmVersion,
    /// SlotID (Param1 bits 3:0).
    pub slot_id: u8,
    /// 1.4 LargeCertChain (Param1 bit 7): 32-bit offset and length.
    pub large_cert_chain: bool,
    /// 1.3 SlotSizeRequested (Param2 bit 0).
    pub slot_size_requested: bool,
    /// Offset (LargeOffset with `large_cert_chain`; otherwise at most 0xFFFF).
    pub offset: u32,
    /// Length (LargeLength with `large_cert_chain`; otherwise at most 0xFFFF).
    pub length: u32,
}

impl GetCertificate {
    /// Decodes a GET_CERTIFICATE that fills `bytes`.
    ///
    /// # Errors
    /// A [`CodecError`] for a malformed message or another code.
    pub fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        decode_exact(bytes, RequestCode::GetCertificate.into(), Self::decode_body)
    }

    pub(crate) fn decode_body(header: &Header, r: &mut Reader<'_>) -> Result<Self, CodecError> {
        let v = header.version;
        let large = v.at_least(SpdmVersion::V14) && header.param1 & LARGE_CERT_CHAIN != 0;
        let offset = r.u16_le("Offset")?;
        let length = r.u16_le("Length")?;
        let (offset, length) = if large {
            (r.u32_le("LargeOffset")?, r.u32_le("LargeLength")?)
        } else {
            (u32::from(offset), u32::from(length))
        };
        Ok(Self {
            version: v,
            slot_id: header.param1 & SLOT_ID_MASK,
            large_cert_chain: large,
            slot_size_requested: v.at_least(SpdmVersion::V13)
                && header.param2 & SLOT_SIZE_REQUESTED != 0,
            offset,
            length,
        })
    }
}

impl Encode for GetCertificate {
    fn encode(&self, w: &mut Writer) -> Result<(), EncodeError> {
        super::atomic(w, |w| {
            let v = self.version;
            large_allowed(v, self.large_cert_chain)?;
            check_absent(
                "SlotSizeRequested",
                v.at_least(SpdmVersion::V13) || !self.slot_size_requested,
            )?;
            let param1 = slot_id_param1(self.slot_id, self.large_cert_chain)?;
            let param2 = if self.slot_size_requested {
                SLOT_SIZE_REQUESTED
            } else {
                0
            };
            if self.large_cert_chain {
                write_header(w, v, RequestCode::GetCertificate.into(), param1, param2)?;
                w.zeros("Offset", 2)?;
                w.zeros("Length", 2)?;
                w.u32_le("LargeOffset", self.offset)?;
                w.u32_le("LargeLength", self.length)
            } else {
                // Check both before writing anything.
                u16::try_from(self.offset).map_err(|_| EncodeError::invalid_value("Offset"))?;
                u16::try_from(self.length).map_err(|_| EncodeError::invalid_value("Length"))?;
                write_header(w, v, RequestCode::GetCertificate.into(), param1, param2)?;
                u16_field(w, "Offset", self.offset)?;
                u16_field(w, "Length", self.length)
            }
        })
    }
}

/// DSP0274 1.1 §10.8 CERTIFICATE response: a portion of the certificate chain in a slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Certificate<'a> {
    /// SPDMVersion.
    pub version: SpdmVersion,
    /// SlotID (Param1 bits 3:0).
    pub slot_id: u8,
    /// 1.4 LargeCertChain (Param1 bit 7): 32-bit PortionLength and RemainderLength.
    pub large_cert_chain: bool,
    /// 1.3 CertificateInfo (Param2) bits 2:0: the slot's CertModel (multi-key connections).
    pub cert_model: CertModel,
    /// RemainderLength (LargeRemainderLength with `large_cert_chain`).
    pub remainder_length: u32,
    /// CertChain: this portion of the chain; PortionLength is its length.
    pub cert_chain: &'a [u8],
}

impl<'a> Certificate<'a> {
    /// Decodes a CERTIFICATE that fills `bytes`.
    ///
    /// # Errors
    /// A [`CodecError`] for a malformed message, a large portion above [`MAX_LARGE_LEN`] or
    /// another code.
    pub fn decode(bytes: &'a [u8]) -> Result<Self, CodecError> {
        decode_exact(bytes, ResponseCode::Certificate.into(), Self::decode_body)
    }

    pub(crate) fn decode_body(header: &Header, r: &mut Reader<'a>) -> Result<Self, CodecError> {
        let v = header.version;
        let large = v.at_least(SpdmVersion::V14) && header.param1 & LARGE_CERT_CHAIN != 0;
        let (cert_chain, remainder_length) = if large {
            r.skip_reserved("PortionLength", 2)?;
            r.skip_reserved("RemainderLength", 2)?;
            let mut ahead = r.clone();
            let portion = ahead.length("LargePortionLength", LengthPrefix::U32Le)?;
            vtrust_wire::check_max("LargePortionLength", portion, MAX_LARGE_LEN)?;
            let remainder = ahead.u32_le("LargeRemainderLength")?;
            let chain = ahead.bytes("CertChain", portion)?;
            *r = ahead;
            (chain, remainder)
        } else {
            let portion = usize::from(r.u16_le("PortionLength")?);
            let remainder = r.u16_le("RemainderLength")?;
            (r.bytes("CertChain", portion)?, u32::from(remainder))
        };
        Ok(Self {
            version: v,
            slot_id: header.param1 & SLOT_ID_MASK,
            large_cert_chain: large,
            cert_model: if v.at_least(SpdmVersion::V13) {
                CertModel::from(header.param2 & CertModel::MASK)
            } else {
                CertModel::NoCertificate
            },
            remainder_length,
            cert_chain,
        })
    }
}

impl Encode for Certificate<'_> {
    fn encode(&self, w: &mut Writer) -> Result<(), EncodeError> {
        super::atomic(w, |w| {
            let v = self.version;
            large_allowed(v, self.large_cert_chain)?;
            let cert_info = u8::from(self.cert_model);
            check_absent("CertificateInfo", cert_info <= CertModel::MASK)?;
            check_absent(
                "CertificateInfo",
                v.at_least(SpdmVersion::V13) || cert_info == 0,
            )?;
            let param1 = slot_id_param1(self.slot_id, self.large_cert_chain)?;
            let portion = self.cert_chain.len();
            if self.large_cert_chain {
                check_absent("LargePortionLength", portion <= MAX_LARGE_LEN)?;
                write_header(w, v, ResponseCode::Certificate.into(), param1, cert_info)?;
                w.zeros("PortionLength", 2)?;
                w.zeros("RemainderLength", 2)?;
                w.u32_len_le("LargePortionLength", portion)?;
                w.u32_le("LargeRemainderLength", self.remainder_length)?;
            } else {
                let portion = u16::try_from(portion)
                    .map_err(|_| EncodeError::invalid_value("PortionLength"))?;
                let remainder = u16::try_from(self.remainder_length)
                    .map_err(|_| EncodeError::invalid_value("RemainderLength"))?;
                write_header(w, v, ResponseCode::Certificate.into(), param1, cert_info)?;
                w.u16_le("PortionLength", portion)?;
                w.u16_le("RemainderLength", remainder)?;
            }
            w.bytes("CertChain", self.cert_chain)
        })
    }
}
