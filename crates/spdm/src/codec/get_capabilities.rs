//! GET_CAPABILITIES request and CAPABILITIES response (DSP0274 1.1 §10.3), with the
//! requester and responder capability flags of SPDM 1.0-1.4.
//!
//! Layouts: 1.0 request is the header alone and the response 12 bytes (CTExponent, Flags);
//! 1.1 adds CTExponent and Flags to the request; 1.2 adds DataTransferSize and MaxSPDMmsgSize
//! to both; 1.3 lets the request ask (Param1 bit 0) for the responder's supported algorithms,
//! appended to CAPABILITIES; 1.4 turns the reserved 16 bits before Flags into ExtFlags.

use vtrust_wire::{Encode, EncodeError, Reader, Writer};

use super::algorithm::{SupportedAlgorithms, write_length_and_body};
use super::error::{CodecError, CodecErrorKind};
use super::header::{Header, RequestCode, ResponseCode, SpdmVersion, write_header};
use super::{check_absent, check_presence, decode_exact};

bitflags::bitflags! {
    /// DSP0274 1.1 §10.3 requester capability flags (GET_CAPABILITIES Flags), 1.1-1.4.
    /// PSK_CAP, EP_INFO_CAP and MULTI_KEY_CAP are 2-bit fields: see the accessors.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct RequesterCapabilityFlags: u32 {
        /// CERT_CAP (1.1): the requester has certificates for mutual authentication.
        const CERT_CAP = 0x0000_0002;
        /// CHAL_CAP (1.1): the requester answers CHALLENGE (mutual authentication).
        const CHAL_CAP = 0x0000_0004;
        /// ENCRYPT_CAP (1.1).
        const ENCRYPT_CAP = 0x0000_0040;
        /// MAC_CAP (1.1).
        const MAC_CAP = 0x0000_0080;
        /// MUT_AUTH_CAP (1.1).
        const MUT_AUTH_CAP = 0x0000_0100;
        /// KEY_EX_CAP (1.1).
        const KEY_EX_CAP = 0x0000_0200;
        /// PSK_CAP bit 10 (1.1): 01b = the requester supports PSK.
        const PSK_CAP_REQUESTER = 0x0000_0400;
        /// PSK_CAP bit 11 (reserved for a requester).
        const PSK_CAP_BIT1 = 0x0000_0800;
        /// ENCAP_CAP (1.1).
        const ENCAP_CAP = 0x0000_1000;
        /// HBEAT_CAP (1.1).
        const HBEAT_CAP = 0x0000_2000;
        /// KEY_UPD_CAP (1.1).
        const KEY_UPD_CAP = 0x0000_4000;
        /// HANDSHAKE_IN_THE_CLEAR_CAP (1.1).
        const HANDSHAKE_IN_THE_CLEAR_CAP = 0x0000_8000;
        /// PUB_KEY_ID_CAP (1.1).
        const PUB_KEY_ID_CAP = 0x0001_0000;
        /// CHUNK_CAP (1.2).
        const CHUNK_CAP = 0x0002_0000;
        /// EP_INFO_CAP 01b (1.3): GET_ENDPOINT_INFO without signature.
        const EP_INFO_CAP_NO_SIG = 0x0040_0000;
        /// EP_INFO_CAP 10b (1.3): GET_ENDPOINT_INFO with signature.
        const EP_INFO_CAP_SIG = 0x0080_0000;
        /// EVENT_CAP (1.3).
        const EVENT_CAP = 0x0200_0000;
        /// MULTI_KEY_CAP 01b (1.3): multiple key pairs only.
        const MULTI_KEY_CAP_ONLY = 0x0400_0000;
        /// MULTI_KEY_CAP 10b (1.3): multiple key pairs, negotiated.
        const MULTI_KEY_CAP_NEG = 0x0800_0000;
        /// LARGE_RESP_CAP (1.4).
        const LARGE_RESP_CAP = 0x8000_0000;
    }
}

bitflags::bitflags! {
    /// DSP0274 1.1 §10.3 responder capability flags (CAPABILITIES Flags), 1.0-1.4.
    /// MEAS_CAP, PSK_CAP, EP_INFO_CAP and MULTI_KEY_CAP are 2-bit fields: see the accessors.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct ResponderCapabilityFlags: u32 {
        /// CACHE_CAP (1.0): negotiated state cached across resets.
        const CACHE_CAP = 0x0000_0001;
        /// CERT_CAP (1.0).
        const CERT_CAP = 0x0000_0002;
        /// CHAL_CAP (1.0).
        const CHAL_CAP = 0x0000_0004;
        /// MEAS_CAP 01b (1.0): measurements without signature.
        const MEAS_CAP_NO_SIG = 0x0000_0008;
        /// MEAS_CAP 10b (1.0): measurements with signature.
        const MEAS_CAP_SIG = 0x0000_0010;
        /// MEAS_FRESH_CAP (1.0).
        const MEAS_FRESH_CAP = 0x0000_0020;
        /// ENCRYPT_CAP (1.1).
        const ENCRYPT_CAP = 0x0000_0040;
        /// MAC_CAP (1.1).
        const MAC_CAP = 0x0000_0080;
        /// MUT_AUTH_CAP (1.1).
        const MUT_AUTH_CAP = 0x0000_0100;
        /// KEY_EX_CAP (1.1).
        const KEY_EX_CAP = 0x0000_0200;
        /// PSK_CAP 01b (1.1): PSK without ResponderContext.
        const PSK_CAP_RESPONDER = 0x0000_0400;
        /// PSK_CAP 10b (1.1): PSK with ResponderContext.
        const PSK_CAP_RESPONDER_WITH_CONTEXT = 0x0000_0800;
        /// ENCAP_CAP (1.1).
        const ENCAP_CAP = 0x0000_1000;
        /// HBEAT_CAP (1.1).
        const HBEAT_CAP = 0x0000_2000;
        /// KEY_UPD_CAP (1.1).
        const KEY_UPD_CAP = 0x0000_4000;
        /// HANDSHAKE_IN_THE_CLEAR_CAP (1.1).
        const HANDSHAKE_IN_THE_CLEAR_CAP = 0x0000_8000;
        /// PUB_KEY_ID_CAP (1.1).
        const PUB_KEY_ID_CAP = 0x0001_0000;
        /// CHUNK_CAP (1.2).
        const CHUNK_CAP = 0x0002_0000;
        /// ALIAS_CERT_CAP (1.2).
        const ALIAS_CERT_CAP = 0x0004_0000;
        /// SET_CERT_CAP (1.2.1).
        const SET_CERT_CAP = 0x0008_0000;
        /// CSR_CAP (1.2.1).
        const CSR_CAP = 0x0010_0000;
        /// CERT_INSTALL_RESET_CAP (1.2.1).
        const CERT_INSTALL_RESET_CAP = 0x0020_0000;
        /// EP_INFO_CAP 01b (1.3): ENDPOINT_INFO without signature.
        const EP_INFO_CAP_NO_SIG = 0x0040_0000;
        /// EP_INFO_CAP 10b (1.3): ENDPOINT_INFO with signature.
        const EP_INFO_CAP_SIG = 0x0080_0000;
        /// MEL_CAP (1.3).
        const MEL_CAP = 0x0100_0000;
        /// EVENT_CAP (1.3).
        const EVENT_CAP = 0x0200_0000;
        /// MULTI_KEY_CAP 01b (1.3): multiple key pairs only.
        const MULTI_KEY_CAP_ONLY = 0x0400_0000;
        /// MULTI_KEY_CAP 10b (1.3): multiple key pairs, negotiated.
        const MULTI_KEY_CAP_NEG = 0x0800_0000;
        /// GET_KEY_PAIR_INFO_CAP (1.3).
        const GET_KEY_PAIR_INFO_CAP = 0x1000_0000;
        /// SET_KEY_PAIR_INFO_CAP (1.3).
        const SET_KEY_PAIR_INFO_CAP = 0x2000_0000;
        /// SET_KEY_PAIR_RESET_CAP (1.4).
        const SET_KEY_PAIR_RESET_CAP = 0x4000_0000;
        /// LARGE_RESP_CAP (1.4).
        const LARGE_RESP_CAP = 0x8000_0000;
    }
}

bitflags::bitflags! {
    /// DSP0274 1.4 ExtFlags of GET_CAPABILITIES / CAPABILITIES (reserved before 1.4).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct ExtCapabilityFlags: u16 {
        /// SLOT_MGMT_CAP (1.4).
        const SLOT_MGMT_CAP = 0x0001;
    }
}

/// MEAS_CAP (responder flags bits 4:3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MeasCap {
    /// 00b: no measurements.
    NotSupported,
    /// 01b: measurements without signature.
    NoSignature,
    /// 10b: measurements with signature.
    Signature,
    /// 11b: reserved.
    Reserved,
}

/// PSK_CAP (flags bits 11:10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PskCap {
    /// 00b: no PSK.
    NotSupported,
    /// 01b: PSK (a responder: without ResponderContext).
    Supported,
    /// 10b: a responder: PSK with ResponderContext (reserved for a requester).
    SupportedWithContext,
    /// 11b: reserved.
    Reserved,
}

/// EP_INFO_CAP (flags bits 23:22, 1.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EpInfoCap {
    /// 00b: no endpoint info.
    NotSupported,
    /// 01b: endpoint info without signature.
    NoSignature,
    /// 10b: endpoint info with signature.
    Signature,
    /// 11b: reserved.
    Reserved,
}

/// MULTI_KEY_CAP (flags bits 27:26, 1.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MultiKeyCap {
    /// 00b: one key pair.
    NotSupported,
    /// 01b: multiple key pairs only.
    Only,
    /// 10b: multiple key pairs, negotiated with MULTI_KEY_CONN.
    Negotiated,
    /// 11b: reserved.
    Reserved,
}

/// The 2-bit field at `shift`.
fn two_bits(bits: u32, shift: u32) -> u8 {
    let [field, ..] = bits.checked_shr(shift).unwrap_or(0).to_le_bytes();
    field % 4
}

macro_rules! two_bit_accessors {
    ($flags:ty) => {
        impl $flags {
            /// PSK_CAP (bits 11:10).
            #[must_use]
            pub fn psk_cap(self) -> PskCap {
                match two_bits(self.bits(), 10) {
                    0 => PskCap::NotSupported,
                    1 => PskCap::Supported,
                    2 => PskCap::SupportedWithContext,
                    _ => PskCap::Reserved,
                }
            }

            /// EP_INFO_CAP (bits 23:22, 1.3).
            #[must_use]
            pub fn ep_info_cap(self) -> EpInfoCap {
                match two_bits(self.bits(), 22) {
                    0 => EpInfoCap::NotSupported,
                    1 => EpInfoCap::NoSignature,
                    2 => EpInfoCap::Signature,
                    _ => EpInfoCap::Reserved,
                }
            }

            /// MULTI_KEY_CAP (bits 27:26, 1.3).
            #[must_use]
            pub fn multi_key_cap(self) -> MultiKeyCap {
                match two_bits(self.bits(), 26) {
                    0 => MultiKeyCap::NotSupported,
                    1 => MultiKeyCap::Only,
                    2 => MultiKeyCap::Negotiated,
                    _ => MultiKeyCap::Reserved,
                }
            }
        }
    };
}

two_bit_accessors!(RequesterCapabilityFlags);
two_bit_accessors!(ResponderCapabilityFlags);

impl ResponderCapabilityFlags {
    /// MEAS_CAP (bits 4:3).
    #[must_use]
    pub fn meas_cap(self) -> MeasCap {
        match two_bits(self.bits(), 3) {
            0 => MeasCap::NotSupported,
            1 => MeasCap::NoSignature,
            2 => MeasCap::Signature,
            _ => MeasCap::Reserved,
        }
    }
}

/// Param1 bit 0 of GET_CAPABILITIES and CAPABILITIES (1.3): supported algorithms requested /
/// included.
const PARAM1_SUPPORTED_ALGORITHMS: u8 = 0x01;

/// The fields from Reserved to Flags shared by both messages (1.1+ request, 1.0+ response).
struct CoreFields {
    ct_exponent: u8,
    ext_flags: ExtCapabilityFlags,
    flags: u32,
}

fn read_core(version: SpdmVersion, r: &mut Reader<'_>) -> Result<CoreFields, CodecError> {
    r.skip_reserved("Reserved", 1)?;
    let ct_exponent = r.u8("CTExponent")?;
    let ext = r.u16_le("ExtFlags")?;
    let flags = r.u32_le("Flags")?;
    Ok(CoreFields {
        ct_exponent,
        ext_flags: if version.at_least(SpdmVersion::V14) {
            ExtCapabilityFlags::from_bits_retain(ext)
        } else {
            ExtCapabilityFlags::empty()
        },
        flags,
    })
}

fn write_core(w: &mut Writer, core: &CoreFields) -> Result<(), EncodeError> {
    w.zeros("Reserved", 1)?;
    w.u8("CTExponent", core.ct_exponent)?;
    w.u16_le("ExtFlags", core.ext_flags.bits())?;
    w.u32_le("Flags", core.flags)
}

/// Reads DataTransferSize and MaxSPDMmsgSize (1.2+).
fn read_sizes(
    version: SpdmVersion,
    r: &mut Reader<'_>,
) -> Result<(Option<u32>, Option<u32>), CodecError> {
    if version.at_least(SpdmVersion::V12) {
        Ok((
            Some(r.u32_le("DataTransferSize")?),
            Some(r.u32_le("MaxSPDMmsgSize")?),
        ))
    } else {
        Ok((None, None))
    }
}

fn write_sizes(
    w: &mut Writer,
    version: SpdmVersion,
    data_transfer_size: Option<u32>,
    max_spdm_msg_size: Option<u32>,
) -> Result<(), EncodeError> {
    let present = version.at_least(SpdmVersion::V12);
    if let Some(size) = check_presence("DataTransferSize", data_transfer_size, present)? {
        w.u32_le("DataTransferSize", size)?;
    }
    if let Some(size) = check_presence("MaxSPDMmsgSize", max_spdm_msg_size, present)? {
        w.u32_le("MaxSPDMmsgSize", size)?;
    }
    Ok(())
}

/// DSP0274 1.1 §10.3 GET_CAPABILITIES request.
///
/// Fields a version does not have are zero / empty / `None` when decoded and must be so to
/// encode: the 1.0 request is the header alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GetCapabilities {
    /// SPDMVersion.
    pub version: SpdmVersion,
    /// Param1 bit 0 (1.3+): ask for the responder's supported algorithms in CAPABILITIES.
    pub supported_algorithms_requested: bool,
    /// CTExponent (1.1+): cryptographic timeout exponent, 2^CTExponent microseconds.
    pub ct_exponent: u8,
    /// ExtFlags (1.4+).
    pub ext_flags: ExtCapabilityFlags,
    /// Flags (1.1+).
    pub flags: RequesterCapabilityFlags,
    /// DataTransferSize (1.2+).
    pub data_transfer_size: Option<u32>,
    /// MaxSPDMmsgSize (1.2+).
    pub max_spdm_msg_size: Option<u32>,
}

impl GetCapabilities {
    /// Decodes a GET_CAPABILITIES that fills `bytes`.
    ///
    /// # Errors
    /// A [`CodecError`] for a malformed message or another code.
    pub fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        decode_exact(
            bytes,
            RequestCode::GetCapabilities.into(),
            Self::decode_body,
        )
    }

    pub(crate) fn decode_body(header: &Header, r: &mut Reader<'_>) -> Result<Self, CodecError> {
        let version = header.version;
        let core = if version.at_least(SpdmVersion::V11) {
            read_core(version, r)?
        } else {
            CoreFields {
                ct_exponent: 0,
                ext_flags: ExtCapabilityFlags::empty(),
                flags: 0,
            }
        };
        let (data_transfer_size, max_spdm_msg_size) = read_sizes(version, r)?;
        Ok(Self {
            version,
            supported_algorithms_requested: version.at_least(SpdmVersion::V13)
                && header.param1 & PARAM1_SUPPORTED_ALGORITHMS != 0,
            ct_exponent: core.ct_exponent,
            ext_flags: core.ext_flags,
            flags: RequesterCapabilityFlags::from_bits_retain(core.flags),
            data_transfer_size,
            max_spdm_msg_size,
        })
    }
}

impl Encode for GetCapabilities {
    fn encode(&self, w: &mut Writer) -> Result<(), EncodeError> {
        super::atomic(w, |w| {
            let v = self.version;
            check_absent(
                "Param1",
                v.at_least(SpdmVersion::V13) || !self.supported_algorithms_requested,
            )?;
            check_absent(
                "ExtFlags",
                v.at_least(SpdmVersion::V14) || self.ext_flags.is_empty(),
            )?;
            let has_core = v.at_least(SpdmVersion::V11);
            check_absent("CTExponent", has_core || self.ct_exponent == 0)?;
            check_absent("Flags", has_core || self.flags.is_empty())?;
            let param1 = if self.supported_algorithms_requested {
                PARAM1_SUPPORTED_ALGORITHMS
            } else {
                0
            };
            write_header(w, v, RequestCode::GetCapabilities.into(), param1, 0)?;
            if has_core {
                write_core(
                    w,
                    &CoreFields {
                        ct_exponent: self.ct_exponent,
                        ext_flags: self.ext_flags,
                        flags: self.flags.bits(),
                    },
                )?;
            }
            write_sizes(w, v, self.data_transfer_size, self.max_spdm_msg_size)
        })
    }
}

/// DSP0274 1.1 §10.3 CAPABILITIES response.
///
/// Fields a version does not have are empty / `None` when decoded and must be so to encode.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Capabilities {
    /// SPDMVersion.
    pub version: SpdmVersion,
    /// CTExponent.
    pub ct_exponent: u8,
    /// ExtFlags (1.4+).
    pub ext_flags: ExtCapabilityFlags,
    /// Flags.
    pub flags: ResponderCapabilityFlags,
    /// DataTransferSize (1.2+).
    pub data_transfer_size: Option<u32>,
    /// MaxSPDMmsgSize (1.2+).
    pub max_spdm_msg_size: Option<u32>,
    /// 1.3+: the supported algorithms block (present when Param1 bit 0 is set), in the
    /// NEGOTIATE_ALGORITHMS layout after its own Param1 (AlgStructCount), Param2 and Length
    /// (from Param1 to the end of the block).
    pub supported_algorithms: Option<SupportedAlgorithms>,
}

/// Bytes of the supported algorithms block before its shared fields: Param1, Param2, Length.
const BLOCK_HEADER_LEN: usize = 4;

impl Capabilities {
    /// Decodes a CAPABILITIES that fills `bytes`.
    ///
    /// # Errors
    /// A [`CodecError`] for a malformed message or another code.
    pub fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        decode_exact(bytes, ResponseCode::Capabilities.into(), Self::decode_body)
    }

    pub(crate) fn decode_body(header: &Header, r: &mut Reader<'_>) -> Result<Self, CodecError> {
        let version = header.version;
        let core = read_core(version, r)?;
        let (data_transfer_size, max_spdm_msg_size) = read_sizes(version, r)?;
        let supported_algorithms = if version.at_least(SpdmVersion::V13)
            && header.param1 & PARAM1_SUPPORTED_ALGORITHMS != 0
        {
            Some(decode_block(version, r)?)
        } else {
            None
        };
        Ok(Self {
            version,
            ct_exponent: core.ct_exponent,
            ext_flags: core.ext_flags,
            flags: ResponderCapabilityFlags::from_bits_retain(core.flags),
            data_transfer_size,
            max_spdm_msg_size,
            supported_algorithms,
        })
    }
}

fn decode_block(
    version: SpdmVersion,
    r: &mut Reader<'_>,
) -> Result<SupportedAlgorithms, CodecError> {
    let start = r.position();
    let count = r.u8("AlgStructCount")?;
    r.skip_reserved("Param2", 1)?;
    let length = usize::from(r.u16_le("Length")?);
    let block = SupportedAlgorithms::decode_fields(version, count, r)?;
    let actual = r.position().saturating_sub(start);
    if length != actual {
        return Err(CodecError::new(
            "Length",
            CodecErrorKind::LengthMismatch {
                declared: length,
                expected: actual,
            },
        ));
    }
    Ok(block)
}

impl Encode for Capabilities {
    fn encode(&self, w: &mut Writer) -> Result<(), EncodeError> {
        super::atomic(w, |w| {
            let v = self.version;
            check_absent(
                "ExtFlags",
                v.at_least(SpdmVersion::V14) || self.ext_flags.is_empty(),
            )?;
            check_absent(
                "SupportedAlgorithms",
                v.at_least(SpdmVersion::V13) || self.supported_algorithms.is_none(),
            )?;
            let block = match &self.supported_algorithms {
                Some(block) => {
                    let mut body = Writer::new();
                    block.encode_fields(v, &mut body)?;
                    Some((block.struct_count()?, body))
                }
                None => None,
            };
            let param1 = if block.is_some() {
                PARAM1_SUPPORTED_ALGORITHMS
            } else {
                0
            };
            write_header(w, v, ResponseCode::Capabilities.into(), param1, 0)?;
            write_core(
                w,
                &CoreFields {
                    ct_exponent: self.ct_exponent,
                    ext_flags: self.ext_flags,
                    flags: self.flags.bits(),
                },
            )?;
            write_sizes(w, v, self.data_transfer_size, self.max_spdm_msg_size)?;
            if let Some((count, body)) = block {
                w.u8("AlgStructCount", count)?;
                w.zeros("Param2", 1)?;
                write_length_and_body(w, BLOCK_HEADER_LEN, &body)?;
            }
            Ok(())
        })
    }
}
