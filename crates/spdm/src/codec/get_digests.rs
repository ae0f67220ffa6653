//! GET_DIGESTS request and DIGESTS response (DSP0274 1.1 §10.7).
//!
//! DIGESTS carries one digest (negotiated hash size) per set bit of Param2 (SlotMask; 1.3:
//! ProvisionedSlotMask). 1.3 adds SupportedSlotMask in Param1 and, on a multi-key connection
//! (MULTI_KEY_CONN_RSP), a KeyPairID, a CertificateInfo and a KeyUsageMask per digest, each as
//! its own array after the digests.

use vtrust_wire::{Encode, EncodeError, OpenEnum, Reader, Writer};

use super::context::DecodeContext;
use super::error::CodecError;
use super::get_certificate::CertModel;
use super::header::{Header, RequestCode, ResponseCode, SpdmVersion, write_header};
use super::{check_absent, decode_exact};

/// DSP0274 1.1 §10.7 GET_DIGESTS request: the header alone, Param1 and Param2 reserved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GetDigests {
    /// SPDMVersion.
    pub version: SpdmVersion,
}

impl GetDigests {
    /// Decodes a GET_DIGESTS that fills `bytes`.
    ///
    /// # Errors
    /// A [`CodecError`] for a malformed message or another code.
    pub fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        decode_exact(bytes, RequestCode::GetDigests.into(), Self::decode_body)
    }

    pub(crate) fn decode_body(header: &Header, _r: &mut Reader<'_>) -> Result<Self, CodecError> {
        Ok(Self {
            version: header.version,
        })
    }
}

impl Encode for GetDigests {
    fn encode(&self, w: &mut Writer) -> Result<(), EncodeError> {
        write_header(w, self.version, RequestCode::GetDigests.into(), 0, 0)
    }

    fn encoded_len(&self) -> Option<usize> {
        Some(Header::LEN)
    }
}

/// A certificate slot mask: bit n stands for slot n (0-7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct SlotMask(pub u8);

impl SlotMask {
    /// Number of slots in the mask.
    #[must_use]
    pub const fn count(self) -> usize {
        // At most 8.
        self.0.count_ones() as usize
    }

    /// Whether slot `slot` (0-7) is in the mask.
    #[must_use]
    pub const fn contains(self, slot: u8) -> bool {
        match self.0.checked_shr(slot as u32) {
            Some(bits) => slot < 8 && bits % 2 == 1,
            None => false,
        }
    }

    /// The slots in the mask, ascending (the order of DIGESTS digests).
    pub fn slots(self) -> impl Iterator<Item = u8> {
        (0..8).filter(move |&slot| self.contains(slot))
    }
}

bitflags::bitflags! {
    /// DSP0274 1.3 KeyUsageMask: what the key pair of a slot may be used for.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct KeyUsageMask: u16 {
        /// Key exchange (KEY_EXCHANGE_RSP / FINISH signatures).
        const KEY_EX_USE = 0x0001;
        /// CHALLENGE_AUTH signatures.
        const CHALLENGE_USE = 0x0002;
        /// MEASUREMENTS signatures.
        const MEASUREMENT_USE = 0x0004;
        /// ENDPOINT_INFO signatures.
        const ENDPOINT_INFO_USE = 0x0008;
        /// Uses defined by other standards.
        const STANDARDS_KEY_USE = 0x4000;
        /// Vendor-defined uses.
        const VENDOR_KEY_USE = 0x8000;
    }
}

/// DSP0274 1.3 per-slot key information of a multi-key DIGESTS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SlotKeyInfo {
    /// KeyPairID of the slot's key pair.
    pub key_pair_id: u8,
    /// CertificateInfo bits 2:0 (CertModel); bits 7:3 are reserved.
    pub cert_model: CertModel,
    /// KeyUsageMask.
    pub key_usage_mask: KeyUsageMask,
}

/// DSP0274 1.1 §10.7 DIGESTS response.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Digests<'a> {
    /// SPDMVersion.
    pub version: SpdmVersion,
    /// Param1 (1.3+): SupportedSlotMask; 0 before 1.3 (reserved).
    pub supported_slot_mask: SlotMask,
    /// Param2: ProvisionedSlotMask (SlotMask before 1.3); one digest per set bit.
    pub provisioned_slot_mask: SlotMask,
    /// Digest of each provisioned slot's certificate chain, slots ascending; all of the
    /// negotiated hash size.
    pub digests: Vec<&'a [u8]>,
    /// 1.3+ with MULTI_KEY_CONN_RSP: key information per provisioned slot, slots ascending.
    pub multi_key: Option<Vec<SlotKeyInfo>>,
}

impl<'a> Digests<'a> {
    /// Decodes a DIGESTS that fills `bytes`.
    ///
    /// # Errors
    /// A [`CodecError`] for a malformed message or another code.
    pub fn decode(bytes: &'a [u8], ctx: &DecodeContext) -> Result<Self, CodecError> {
        decode_exact(bytes, ResponseCode::Digests.into(), |h, r| {
            Self::decode_body(h, r, ctx)
        })
    }

    pub(crate) fn decode_body(
        header: &Header,
        r: &mut Reader<'a>,
        ctx: &DecodeContext,
    ) -> Result<Self, CodecError> {
        let v13 = header.version.at_least(SpdmVersion::V13);
        let provisioned_slot_mask = SlotMask(header.param2);
        let n = provisioned_slot_mask.count();
        let digests = (0..n)
            .map(|_| r.bytes("Digest", ctx.hash_len))
            .collect::<Result<_, _>>()?;
        let multi_key = if v13 && ctx.multi_key {
            let ids = r.bytes("KeyPairID", n)?;
            let infos = r.bytes("CertificateInfo", n)?;
            let mut info = Vec::with_capacity(n);
            for (&key_pair_id, &cert_info) in ids.iter().zip(infos) {
                info.push(SlotKeyInfo {
                    key_pair_id,
                    cert_model: CertModel::from_raw(cert_info & CertModel::MASK),
                    key_usage_mask: KeyUsageMask::from_bits_retain(r.u16_le("KeyUsageMask")?),
                });
            }
            Some(info)
        } else {
            None
        };
        Ok(Self {
            version: header.version,
            supported_slot_mask: SlotMask(if v13 { header.param1 } else { 0 }),
            provisioned_slot_mask,
            digests,
            multi_key,
        })
    }
}

impl Encode for Digests<'_> {
    fn encode(&self, w: &mut Writer) -> Result<(), EncodeError> {
        super::atomic(w, |w| {
            let v13 = self.version.at_least(SpdmVersion::V13);
            let n = self.provisioned_slot_mask.count();
            check_absent("SupportedSlotMask", v13 || self.supported_slot_mask.0 == 0)?;
            check_absent("Digest", self.digests.len() == n)?;
            let same_size = self
                .digests
                .windows(2)
                .all(|pair| matches!(pair, [a, b] if a.len() == b.len()));
            check_absent("Digest", same_size)?;
            check_absent("KeyPairID", v13 || self.multi_key.is_none())?;
            let multi_key = self.multi_key.as_ref();
            if let Some(info) = multi_key {
                check_absent("KeyPairID", info.len() == n)?;
                if info
                    .iter()
                    .any(|i| u8::from(i.cert_model) > CertModel::MASK)
                {
                    return Err(EncodeError::invalid_value("CertificateInfo"));
                }
            }
            write_header(
                w,
                self.version,
                ResponseCode::Digests.into(),
                self.supported_slot_mask.0,
                self.provisioned_slot_mask.0,
            )?;
            self.digests.iter().try_for_each(|d| w.bytes("Digest", d))?;
            if let Some(info) = multi_key {
                info.iter()
                    .try_for_each(|i| w.u8("KeyPairID", i.key_pair_id))?;
                info.iter()
                    .try_for_each(|i| w.u8("CertificateInfo", i.cert_model.into()))?;
                info.iter()
                    .try_for_each(|i| w.u16_le("KeyUsageMask", i.key_usage_mask.bits()))?;
            }
            Ok(())
        })
    }
}
