//! NEGOTIATE_ALGORITHMS request and ALGORITHMS response (DSP0274 1.1 §10.4).
//!
//! Both start with a 16-bit Length of the whole message, checked against the data. Version
//! differences: 1.0 has no algorithm structures (Param1 reserved); 1.1 adds them (Param1 =
//! count); 1.2 adds OtherParamsSupport / OtherParamsSelection; 1.3 MELspecification(Sel) and
//! the MULTI_KEY_CONN bit; 1.4 PqcAsymAlgo / PqcAsymSel (in the first 4 of the formerly
//! reserved bytes after BaseHashAlgo / BaseHashSel) and AlgTypes 6 (ReqPqcAsymAlg) and 7
//! (KEMAlg).

use vtrust_wire::{Encode, EncodeError, Reader, Writer};

use super::algorithm::{
    AlgStructure, BaseAsymAlgo, BaseHashAlgo, ExtendedAlgorithm, MeasurementHashAlgo,
    MeasurementSpecification, MelSpecification, OtherParams, PqcAsymAlgo, SupportedAlgorithms,
    check_ext_total, count_u8, read_alg_structs, read_ext_lists, write_alg_structs, write_ext_algs,
    write_length_and_body,
};
use super::error::{CodecError, CodecErrorKind};
use super::header::{Header, RequestCode, ResponseCode, SpdmVersion, write_header};
use super::{MAX_ALG_STRUCTS, check_absent, decode_exact};

/// Bytes before the shared fields: the header and Length.
const PREFIX_LEN: usize = Header::LEN + 2;

/// Checks a Length field against the bytes the message actually took.
fn check_length(declared: u16, r: &Reader<'_>) -> Result<(), CodecError> {
    let declared = usize::from(declared);
    let actual = r.position();
    if declared == actual {
        Ok(())
    } else {
        Err(CodecError::new(
            "Length",
            CodecErrorKind::LengthMismatch {
                declared,
                expected: actual,
            },
        ))
    }
}

/// DSP0274 1.1 §10.4 NEGOTIATE_ALGORITHMS request: Param1 AlgStructCount (1.1+), Length,
/// then the requester's [`SupportedAlgorithms`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NegotiateAlgorithms {
    /// SPDMVersion.
    pub version: SpdmVersion,
    /// Everything from MeasurementSpecification to the last ReqAlgStruct.
    pub supported: SupportedAlgorithms,
}

impl NegotiateAlgorithms {
    /// Decodes a NEGOTIATE_ALGORITHMS that fills `bytes`.
    ///
    /// # Errors
    /// A [`CodecError`] for a malformed message, a Length other than the message's, counts
    /// above our limits, AlgType not ascending or another code.
    pub fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        decode_exact(
            bytes,
            RequestCode::NegotiateAlgorithms.into(),
            Self::decode_body,
        )
    }

    pub(crate) fn decode_body(header: &Header, r: &mut Reader<'_>) -> Result<Self, CodecError> {
        let length = r.u16_le("Length")?;
        let supported = SupportedAlgorithms::decode_fields(header.version, header.param1, r)?;
        check_length(length, r)?;
        Ok(Self {
            version: header.version,
            supported,
        })
    }
}

impl Encode for NegotiateAlgorithms {
    fn encode(&self, w: &mut Writer) -> Result<(), EncodeError> {
        super::atomic(w, |w| {
            let mut body = Writer::new();
            self.supported.encode_fields(self.version, &mut body)?;
            let param1 = if self.version.at_least(SpdmVersion::V11) {
                self.supported.struct_count()?
            } else {
                0
            };
            write_header(
                w,
                self.version,
                RequestCode::NegotiateAlgorithms.into(),
                param1,
                0,
            )?;
            write_length_and_body(w, PREFIX_LEN, &body)
        })
    }
}

/// DSP0274 1.1 §10.4 ALGORITHMS response: the selected algorithms.
///
/// Fields a version does not have are empty when decoded and must be empty to encode
/// (`other_params_selection` before 1.2, `mel_specification_sel` before 1.3, `pqc_asym_sel`
/// before 1.4, `alg_structs` in 1.0).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Algorithms {
    /// SPDMVersion.
    pub version: SpdmVersion,
    /// MeasurementSpecificationSel.
    pub measurement_specification_sel: MeasurementSpecification,
    /// OtherParamsSelection (1.2+).
    pub other_params_selection: OtherParams,
    /// MeasurementHashAlgo.
    pub measurement_hash_algo: MeasurementHashAlgo,
    /// BaseAsymSel.
    pub base_asym_sel: BaseAsymAlgo,
    /// BaseHashSel.
    pub base_hash_sel: BaseHashAlgo,
    /// PqcAsymSel (1.4+).
    pub pqc_asym_sel: PqcAsymAlgo,
    /// MELspecificationSel (1.3+).
    pub mel_specification_sel: MelSpecification,
    /// ExtAsymSel.
    pub ext_asym_sel: Vec<ExtendedAlgorithm>,
    /// ExtHashSel.
    pub ext_hash_sel: Vec<ExtendedAlgorithm>,
    /// RespAlgStruct (1.1+), AlgType ascending.
    pub alg_structs: Vec<AlgStructure>,
}

impl Algorithms {
    /// Decodes an ALGORITHMS that fills `bytes`.
    ///
    /// # Errors
    /// As [`NegotiateAlgorithms::decode`].
    pub fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        decode_exact(bytes, ResponseCode::Algorithms.into(), Self::decode_body)
    }

    pub(crate) fn decode_body(header: &Header, r: &mut Reader<'_>) -> Result<Self, CodecError> {
        let v = header.version;
        let length = r.u16_le("Length")?;
        let measurement_specification_sel =
            MeasurementSpecification::from_bits_retain(r.u8("MeasurementSpecificationSel")?);
        let other = r.u8("OtherParamsSelection")?;
        let measurement_hash_algo =
            MeasurementHashAlgo::from_bits_retain(r.u32_le("MeasurementHashAlgo")?);
        let base_asym_sel = BaseAsymAlgo::from_bits_retain(r.u32_le("BaseAsymSel")?);
        let base_hash_sel = BaseHashAlgo::from_bits_retain(r.u32_le("BaseHashSel")?);
        let pqc = r.u32_le("PqcAsymSel")?;
        r.skip_reserved("Reserved", 7)?;
        let mel = r.u8("MELspecificationSel")?;
        let ext_asym_count = r.u8("ExtAsymSelCount")?;
        let ext_hash_count = r.u8("ExtHashSelCount")?;
        r.skip_reserved("Reserved", 2)?;
        let (ext_asym_sel, ext_hash_sel, budget) = read_ext_lists(
            r,
            ("ExtAsymSel", "ExtHashSel"),
            ext_asym_count,
            ext_hash_count,
        )?;
        let alg_structs = if v.at_least(SpdmVersion::V11) {
            read_alg_structs(r, header.param1, budget)?
        } else {
            Vec::new()
        };
        check_length(length, r)?;
        Ok(Self {
            version: v,
            measurement_specification_sel,
            other_params_selection: if v.at_least(SpdmVersion::V12) {
                OtherParams::from_bits_retain(other)
            } else {
                OtherParams::empty()
            },
            measurement_hash_algo,
            base_asym_sel,
            base_hash_sel,
            pqc_asym_sel: if v.at_least(SpdmVersion::V14) {
                PqcAsymAlgo::from_bits_retain(pqc)
            } else {
                PqcAsymAlgo::empty()
            },
            mel_specification_sel: if v.at_least(SpdmVersion::V13) {
                MelSpecification::from_bits_retain(mel)
            } else {
                MelSpecification::empty()
            },
            ext_asym_sel,
            ext_hash_sel,
            alg_structs,
        })
    }
}

impl Encode for Algorithms {
    fn encode(&self, w: &mut Writer) -> Result<(), EncodeError> {
        super::atomic(w, |w| {
            let v = self.version;
            check_absent(
                "OtherParamsSelection",
                v.at_least(SpdmVersion::V12) || self.other_params_selection.is_empty(),
            )?;
            check_absent(
                "PqcAsymSel",
                v.at_least(SpdmVersion::V14) || self.pqc_asym_sel.is_empty(),
            )?;
            check_absent(
                "MELspecificationSel",
                v.at_least(SpdmVersion::V13) || self.mel_specification_sel.is_empty(),
            )?;
            check_absent(
                "RespAlgStruct",
                v.at_least(SpdmVersion::V11) || self.alg_structs.is_empty(),
            )?;
            check_absent("AlgStructCount", self.alg_structs.len() <= MAX_ALG_STRUCTS)?;
            check_ext_total(&self.ext_asym_sel, &self.ext_hash_sel, &self.alg_structs)?;
            let mut body = Writer::new();
            body.u8(
                "MeasurementSpecificationSel",
                self.measurement_specification_sel.bits(),
            )?;
            body.u8("OtherParamsSelection", self.other_params_selection.bits())?;
            body.u32_le("MeasurementHashAlgo", self.measurement_hash_algo.bits())?;
            body.u32_le("BaseAsymSel", self.base_asym_sel.bits())?;
            body.u32_le("BaseHashSel", self.base_hash_sel.bits())?;
            body.u32_le("PqcAsymSel", self.pqc_asym_sel.bits())?;
            body.zeros("Reserved", 7)?;
            body.u8("MELspecificationSel", self.mel_specification_sel.bits())?;
            body.u8(
                "ExtAsymSelCount",
                count_u8("ExtAsymSelCount", self.ext_asym_sel.len())?,
            )?;
            body.u8(
                "ExtHashSelCount",
                count_u8("ExtHashSelCount", self.ext_hash_sel.len())?,
            )?;
            body.zeros("Reserved", 2)?;
            write_ext_algs(&mut body, "ExtAsymSel", &self.ext_asym_sel)?;
            write_ext_algs(&mut body, "ExtHashSel", &self.ext_hash_sel)?;
            write_alg_structs(&mut body, &self.alg_structs)?;
            let param1 = count_u8("AlgStructCount", self.alg_structs.len())?;
            write_header(w, v, ResponseCode::Algorithms.into(), param1, 0)?;
            write_length_and_body(w, PREFIX_LEN, &body)
        })
    }
}
