//! Algorithm code points shared by NEGOTIATE_ALGORITHMS, ALGORITHMS and the SPDM 1.3
//! CAPABILITIES supported algorithms block: the algorithm bit sets, extended algorithm
//! entries, algorithm structures (ReqAlgStruct / RespAlgStruct) and [`SupportedAlgorithms`].
//!
//! Every bit set keeps bits it does not name (`from_bits_retain`), so a value read from the
//! wire is written back unchanged; choosing what to accept is the negotiation layer's job.

use vtrust_wire::{EncodeError, LengthPrefix, OpenEnum, Reader, Writer, open_enum};

use super::error::{CodecError, CodecErrorKind, check_count};
use super::header::SpdmVersion;
use super::{MAX_ALG_STRUCTS, MAX_EXT_ALGORITHMS, check_absent};

bitflags::bitflags! {
    /// DSP0274 1.1 §10.4 MeasurementSpecification (and MeasurementSpecificationSel, and a
    /// measurement block's MeasurementSpecification).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct MeasurementSpecification: u8 {
        /// DMTF measurement specification (the DMTF measurement block format).
        const DMTF = 0x01;
    }
}

bitflags::bitflags! {
    /// DSP0274 1.3 MELspecification / MELspecificationSel (measurement extension log format).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct MelSpecification: u8 {
        /// DMTF measurement extension log.
        const DMTF = 0x01;
    }
}

bitflags::bitflags! {
    /// DSP0274 1.2 OtherParamsSupport / OtherParamsSelection: bits 3:0 opaque data format,
    /// bit 4 multi-key connection (1.3).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct OtherParams: u8 {
        /// OpaqueDataFmt0: opaque data in a format defined by the vendor.
        const OPAQUE_DATA_FMT0 = 0x01;
        /// OpaqueDataFmt1: the DMTF general opaque data format.
        const OPAQUE_DATA_FMT1 = 0x02;
        /// 1.3 MULTI_KEY_CONN: the connection uses multiple key pairs (MultiKeyConnReq /
        /// MultiKeyConnRsp).
        const MULTI_KEY_CONN = 0x10;
    }
}

impl OtherParams {
    /// The opaque data format bits (3:0).
    #[must_use]
    pub const fn opaque_data_format(self) -> u8 {
        self.bits() & 0x0F
    }
}

bitflags::bitflags! {
    /// DSP0274 1.1 §10.4 BaseAsymAlgo / BaseAsymSel, and the ReqBaseAsymAlg algorithm
    /// structure (its 16 bits).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct BaseAsymAlgo: u32 {
        /// TPM_ALG_RSASSA_2048 (1.0).
        const TPM_ALG_RSASSA_2048 = 0x0000_0001;
        /// TPM_ALG_RSAPSS_2048 (1.0).
        const TPM_ALG_RSAPSS_2048 = 0x0000_0002;
        /// TPM_ALG_RSASSA_3072 (1.0).
        const TPM_ALG_RSASSA_3072 = 0x0000_0004;
        /// TPM_ALG_RSAPSS_3072 (1.0).
        const TPM_ALG_RSAPSS_3072 = 0x0000_0008;
        /// TPM_ALG_ECDSA_ECC_NIST_P256 (1.0).
        const TPM_ALG_ECDSA_ECC_NIST_P256 = 0x0000_0010;
        /// TPM_ALG_RSASSA_4096 (1.0).
        const TPM_ALG_RSASSA_4096 = 0x0000_0020;
        /// TPM_ALG_RSAPSS_4096 (1.0).
        const TPM_ALG_RSAPSS_4096 = 0x0000_0040;
        /// TPM_ALG_ECDSA_ECC_NIST_P384 (1.0).
        const TPM_ALG_ECDSA_ECC_NIST_P384 = 0x0000_0080;
        /// TPM_ALG_ECDSA_ECC_NIST_P521 (1.0).
        const TPM_ALG_ECDSA_ECC_NIST_P521 = 0x0000_0100;
        /// TPM_ALG_SM2_ECC_SM2_P256 (1.2).
        const TPM_ALG_SM2_ECC_SM2_P256 = 0x0000_0200;
        /// EdDSA ed25519 (1.2).
        const EDDSA_ED25519 = 0x0000_0400;
        /// EdDSA ed448 (1.2).
        const EDDSA_ED448 = 0x0000_0800;
    }
}

bitflags::bitflags! {
    /// DSP0274 1.1 §10.4 BaseHashAlgo / BaseHashSel.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct BaseHashAlgo: u32 {
        /// TPM_ALG_SHA_256 (1.0).
        const TPM_ALG_SHA_256 = 0x0000_0001;
        /// TPM_ALG_SHA_384 (1.0).
        const TPM_ALG_SHA_384 = 0x0000_0002;
        /// TPM_ALG_SHA_512 (1.0).
        const TPM_ALG_SHA_512 = 0x0000_0004;
        /// TPM_ALG_SHA3_256 (1.0).
        const TPM_ALG_SHA3_256 = 0x0000_0008;
        /// TPM_ALG_SHA3_384 (1.0).
        const TPM_ALG_SHA3_384 = 0x0000_0010;
        /// TPM_ALG_SHA3_512 (1.0).
        const TPM_ALG_SHA3_512 = 0x0000_0020;
        /// TPM_ALG_SM3_256 (1.2).
        const TPM_ALG_SM3_256 = 0x0000_0040;
    }
}

bitflags::bitflags! {
    /// DSP0274 1.4 PqcAsymAlgo / PqcAsymSel, and the ReqPqcAsymAlg algorithm structure
    /// (its 16 bits).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct PqcAsymAlgo: u32 {
        /// ML-DSA-44 (FIPS 204).
        const ML_DSA_44 = 0x0000_0001;
        /// ML-DSA-65 (FIPS 204).
        const ML_DSA_65 = 0x0000_0002;
        /// ML-DSA-87 (FIPS 204).
        const ML_DSA_87 = 0x0000_0004;
        /// SLH-DSA-SHA2-128s (FIPS 205).
        const SLH_DSA_SHA2_128S = 0x0000_0008;
        /// SLH-DSA-SHAKE-128s.
        const SLH_DSA_SHAKE_128S = 0x0000_0010;
        /// SLH-DSA-SHA2-128f.
        const SLH_DSA_SHA2_128F = 0x0000_0020;
        /// SLH-DSA-SHAKE-128f.
        const SLH_DSA_SHAKE_128F = 0x0000_0040;
        /// SLH-DSA-SHA2-192s.
        const SLH_DSA_SHA2_192S = 0x0000_0080;
        /// SLH-DSA-SHAKE-192s.
        const SLH_DSA_SHAKE_192S = 0x0000_0100;
        /// SLH-DSA-SHA2-192f.
        const SLH_DSA_SHA2_192F = 0x0000_0200;
        /// SLH-DSA-SHAKE-192f.
        const SLH_DSA_SHAKE_192F = 0x0000_0400;
        /// SLH-DSA-SHA2-256s.
        const SLH_DSA_SHA2_256S = 0x0000_0800;
        /// SLH-DSA-SHAKE-256s.
        const SLH_DSA_SHAKE_256S = 0x0000_1000;
        /// SLH-DSA-SHA2-256f.
        const SLH_DSA_SHA2_256F = 0x0000_2000;
        /// SLH-DSA-SHAKE-256f.
        const SLH_DSA_SHAKE_256F = 0x0000_4000;
    }
}

bitflags::bitflags! {
    /// DSP0274 1.1 §10.4 MeasurementHashAlgo (ALGORITHMS).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct MeasurementHashAlgo: u32 {
        /// Raw bit streams only: measurements are never digests.
        const RAW_BIT_STREAM_ONLY = 0x0000_0001;
        /// TPM_ALG_SHA_256 (1.0).
        const TPM_ALG_SHA_256 = 0x0000_0002;
        /// TPM_ALG_SHA_384 (1.0).
        const TPM_ALG_SHA_384 = 0x0000_0004;
        /// TPM_ALG_SHA_512 (1.0).
        const TPM_ALG_SHA_512 = 0x0000_0008;
        /// TPM_ALG_SHA3_256 (1.0).
        const TPM_ALG_SHA3_256 = 0x0000_0010;
        /// TPM_ALG_SHA3_384 (1.0).
        const TPM_ALG_SHA3_384 = 0x0000_0020;
        /// TPM_ALG_SHA3_512 (1.0).
        const TPM_ALG_SHA3_512 = 0x0000_0040;
        /// TPM_ALG_SM3_256 (1.2).
        const TPM_ALG_SM3_256 = 0x0000_0080;
    }
}

bitflags::bitflags! {
    /// DSP0274 1.1 §10.4 DHE algorithm structure (AlgType 2): named groups.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct DheNamedGroup: u16 {
        /// ffdhe2048 (1.1).
        const FFDHE_2048 = 0x0001;
        /// ffdhe3072 (1.1).
        const FFDHE_3072 = 0x0002;
        /// ffdhe4096 (1.1).
        const FFDHE_4096 = 0x0004;
        /// secp256r1 (1.1).
        const SECP_256_R1 = 0x0008;
        /// secp384r1 (1.1).
        const SECP_384_R1 = 0x0010;
        /// secp521r1 (1.1).
        const SECP_521_R1 = 0x0020;
        /// SM2_P256 (1.2).
        const SM2_P256 = 0x0040;
    }
}

bitflags::bitflags! {
    /// DSP0274 1.1 §10.4 AEAD algorithm structure (AlgType 3): cipher suites.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct AeadCipherSuite: u16 {
        /// AES-128-GCM (1.1).
        const AES_128_GCM = 0x0001;
        /// AES-256-GCM (1.1).
        const AES_256_GCM = 0x0002;
        /// ChaCha20-Poly1305 (1.1).
        const CHACHA20_POLY1305 = 0x0004;
        /// AEAD_SM4_GCM (1.2).
        const AEAD_SM4_GCM = 0x0008;
    }
}

bitflags::bitflags! {
    /// DSP0274 1.1 §10.4 KeySchedule algorithm structure (AlgType 5).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct KeySchedule: u16 {
        /// The SPDM key schedule.
        const SPDM = 0x0001;
    }
}

bitflags::bitflags! {
    /// DSP0274 1.4 KEMAlg algorithm structure (AlgType 7).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct KemAlg: u16 {
        /// ML-KEM-512 (FIPS 203).
        const ML_KEM_512 = 0x0001;
        /// ML-KEM-768 (FIPS 203).
        const ML_KEM_768 = 0x0002;
        /// ML-KEM-1024 (FIPS 203).
        const ML_KEM_1024 = 0x0004;
    }
}

open_enum! {
    /// DSP0274 1.1 §10.4 registry IDs (RegistryID of an extended algorithm).
    pub enum RegistryId: u8 {
        /// DMTF.
        Dmtf = 0x00,
        /// TCG.
        Tcg = 0x01,
        /// USB.
        Usb = 0x02,
        /// PCI-SIG.
        PciSig = 0x03,
        /// IANA.
        Iana = 0x04,
        /// HDBaseT.
        HdBaseT = 0x05,
        /// MIPI.
        Mipi = 0x06,
        /// CXL.
        Cxl = 0x07,
        /// JEDEC.
        Jedec = 0x08,
        /// VESA (1.2).
        Vesa = 0x09,
        /// IANA CBOR (1.3).
        IanaCbor = 0x0A,
        /// DMTF DSP (1.4).
        DmtfDsp = 0x0B,
    }
}

/// DSP0274 1.1 §10.4 extended algorithm field: RegistryID, Reserved, AlgorithmID (4 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ExtendedAlgorithm {
    /// RegistryID.
    pub registry_id: RegistryId,
    /// AlgorithmID, as the registry defines it.
    pub algorithm_id: u16,
}

impl ExtendedAlgorithm {
    /// Size on the wire.
    pub const LEN: usize = 4;

    fn decode(r: &mut Reader<'_>) -> Result<Self, CodecError> {
        let registry_id = RegistryId::read_field(r, "RegistryID")?;
        r.skip_reserved("Reserved", 1)?;
        let algorithm_id = r.u16_le("AlgorithmID")?;
        Ok(Self {
            registry_id,
            algorithm_id,
        })
    }

    fn encode(&self, w: &mut Writer) -> Result<(), EncodeError> {
        self.registry_id.write_field(w, "RegistryID")?;
        w.zeros("Reserved", 1)?;
        w.u16_le("AlgorithmID", self.algorithm_id)
    }
}

open_enum! {
    /// DSP0274 1.1 §10.4 AlgType of an algorithm structure.
    pub enum AlgType: u8 {
        /// DHE named groups (1.1).
        Dhe = 0x02,
        /// AEAD cipher suites (1.1).
        AeadCipherSuite = 0x03,
        /// Requester base asymmetric algorithms, for mutual authentication (1.1).
        ReqBaseAsymAlg = 0x04,
        /// Key schedules (1.1).
        KeySchedule = 0x05,
        /// Requester PQC asymmetric algorithms (1.4).
        ReqPqcAsymAlg = 0x06,
        /// Key encapsulation mechanisms (1.4).
        KemAlg = 0x07,
    }
}

/// DSP0274 1.1 §10.4 algorithm structure (ReqAlgStruct in requests, RespAlgStruct in
/// responses): AlgType, AlgCount, AlgSupported, AlgExternal.
///
/// AlgCount is written from the data: bits 7:4 FixedAlgCount (always 2, the size of
/// AlgSupported), bits 3:0 ExtAlgCount (the number of external entries).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AlgStructure {
    /// AlgType.
    pub alg_type: AlgType,
    /// AlgSupported: a bit set whose meaning depends on `alg_type` (see the typed
    /// accessors of [`AlgStructures`]).
    pub alg_supported: u16,
    /// AlgExternal: extended algorithms (at most 15).
    pub alg_external: Vec<ExtendedAlgorithm>,
}

/// FixedAlgCount of every algorithm structure: AlgSupported is 2 bytes.
const FIXED_ALG_COUNT: u8 = 2;
/// Most extended algorithms one structure can carry (4-bit ExtAlgCount).
const MAX_EXT_ALG_COUNT: usize = 15;

impl AlgStructure {
    /// Reads one structure; `ext_budget` is how many extended algorithms the message may
    /// still carry.
    fn decode(r: &mut Reader<'_>, ext_budget: &mut usize) -> Result<Self, CodecError> {
        let alg_type = AlgType::read_field(r, "AlgType")?;
        let alg_count = r.u8("AlgCount")?;
        if alg_count / 16 != FIXED_ALG_COUNT {
            return Err(CodecError::new(
                "FixedAlgCount",
                CodecErrorKind::LengthMismatch {
                    declared: usize::from(alg_count / 16),
                    expected: usize::from(FIXED_ALG_COUNT),
                },
            ));
        }
        let ext_count = usize::from(alg_count % 16);
        *ext_budget = ext_budget.checked_sub(ext_count).ok_or(CodecError::new(
            "ExtAlgCount",
            CodecErrorKind::CountAboveLimit {
                count: ext_count,
                max: *ext_budget,
            },
        ))?;
        let alg_supported = r.u16_le("AlgSupported")?;
        let alg_external = read_ext_algs(r, "AlgExternal", ext_count)?;
        Ok(Self {
            alg_type,
            alg_supported,
            alg_external,
        })
    }

    fn encode(&self, w: &mut Writer) -> Result<(), EncodeError> {
        let ext_count = u8::try_from(self.alg_external.len())
            .ok()
            .filter(|&n| usize::from(n) <= MAX_EXT_ALG_COUNT)
            .ok_or(EncodeError::invalid_value("ExtAlgCount"))?;
        self.alg_type.write_field(w, "AlgType")?;
        w.u8("AlgCount", (FIXED_ALG_COUNT << 4) | ext_count)?;
        w.u16_le("AlgSupported", self.alg_supported)?;
        write_ext_algs(w, "AlgExternal", &self.alg_external)
    }
}

/// Typed views of a list of algorithm structures (`message.alg_structs.dhe()`).
pub trait AlgStructures {
    /// The structure of type `alg_type`, if present.
    fn find(&self, alg_type: AlgType) -> Option<&AlgStructure>;

    /// AlgSupported of the DHE structure.
    fn dhe(&self) -> Option<DheNamedGroup> {
        self.find(AlgType::Dhe)
            .map(|s| DheNamedGroup::from_bits_retain(s.alg_supported))
    }

    /// AlgSupported of the AEAD structure.
    fn aead(&self) -> Option<AeadCipherSuite> {
        self.find(AlgType::AeadCipherSuite)
            .map(|s| AeadCipherSuite::from_bits_retain(s.alg_supported))
    }

    /// AlgSupported of the ReqBaseAsymAlg structure (the low 16 bits of a BaseAsymAlgo).
    fn req_base_asym_alg(&self) -> Option<BaseAsymAlgo> {
        self.find(AlgType::ReqBaseAsymAlg)
            .map(|s| BaseAsymAlgo::from_bits_retain(u32::from(s.alg_supported)))
    }

    /// AlgSupported of the KeySchedule structure.
    fn key_schedule(&self) -> Option<KeySchedule> {
        self.find(AlgType::KeySchedule)
            .map(|s| KeySchedule::from_bits_retain(s.alg_supported))
    }

    /// AlgSupported of the 1.4 ReqPqcAsymAlg structure (the low 16 bits of a PqcAsymAlgo).
    fn req_pqc_asym_alg(&self) -> Option<PqcAsymAlgo> {
        self.find(AlgType::ReqPqcAsymAlg)
            .map(|s| PqcAsymAlgo::from_bits_retain(u32::from(s.alg_supported)))
    }

    /// AlgSupported of the 1.4 KEMAlg structure.
    fn kem_alg(&self) -> Option<KemAlg> {
        self.find(AlgType::KemAlg)
            .map(|s| KemAlg::from_bits_retain(s.alg_supported))
    }
}

impl AlgStructures for [AlgStructure] {
    fn find(&self, alg_type: AlgType) -> Option<&AlgStructure> {
        self.iter().find(|s| s.alg_type == alg_type)
    }
}

impl AlgStructures for Vec<AlgStructure> {
    fn find(&self, alg_type: AlgType) -> Option<&AlgStructure> {
        self.as_slice().find(alg_type)
    }
}

/// Reads `count` extended algorithm entries.
pub(crate) fn read_ext_algs(
    r: &mut Reader<'_>,
    field: &'static str,
    count: usize,
) -> Result<Vec<ExtendedAlgorithm>, CodecError> {
    // `count` is at most MAX_EXT_ALGORITHMS here; the entries must also be there.
    let mut entries = r.sub(field, count.saturating_mul(ExtendedAlgorithm::LEN))?;
    (0..count)
        .map(|_| ExtendedAlgorithm::decode(&mut entries))
        .collect()
}

/// Writes extended algorithm entries.
pub(crate) fn write_ext_algs(
    w: &mut Writer,
    _field: &'static str,
    entries: &[ExtendedAlgorithm],
) -> Result<(), EncodeError> {
    entries.iter().try_for_each(|e| e.encode(w))
}

/// Reads `count` algorithm structures: AlgType strictly ascending (DSP0274: "shall
/// monotonically increase"), FixedAlgCount 2, extended entries within `ext_budget`.
pub(crate) fn read_alg_structs(
    r: &mut Reader<'_>,
    count: u8,
    mut ext_budget: usize,
) -> Result<Vec<AlgStructure>, CodecError> {
    check_count("AlgStructCount", usize::from(count), MAX_ALG_STRUCTS)?;
    let mut structs: Vec<AlgStructure> = Vec::with_capacity(usize::from(count));
    for _ in 0..count {
        let s = AlgStructure::decode(r, &mut ext_budget)?;
        if let Some(prev) = structs.last()
            && u8::from(s.alg_type) <= u8::from(prev.alg_type)
        {
            return Err(vtrust_wire::DecodeError::invalid_value("AlgType").into());
        }
        structs.push(s);
    }
    Ok(structs)
}

/// Writes algorithm structures, refusing what [`read_alg_structs`] refuses.
pub(crate) fn write_alg_structs(
    w: &mut Writer,
    structs: &[AlgStructure],
) -> Result<(), EncodeError> {
    let ascending = structs
        .windows(2)
        .all(|pair| matches!(pair, [a, b] if u8::from(a.alg_type) < u8::from(b.alg_type)));
    if !ascending {
        return Err(EncodeError::invalid_value("AlgType"));
    }
    structs.iter().try_for_each(|s| s.encode(w))
}

/// Total extended algorithms of a message, refused above [`MAX_EXT_ALGORITHMS`] on encode.
pub(crate) fn check_ext_total(
    ext_asym: &[ExtendedAlgorithm],
    ext_hash: &[ExtendedAlgorithm],
    structs: &[AlgStructure],
) -> Result<(), EncodeError> {
    let total = structs
        .iter()
        .fold(ext_asym.len().saturating_add(ext_hash.len()), |n, s| {
            n.saturating_add(s.alg_external.len())
        });
    if total > MAX_EXT_ALGORITHMS {
        Err(EncodeError::invalid_value("ExtAlgCount"))
    } else {
        Ok(())
    }
}

/// Reads ExtAsymCount + ExtHashCount worth of entries, checking our limit first; returns the
/// lists and the budget left for algorithm structures.
pub(crate) fn read_ext_lists(
    r: &mut Reader<'_>,
    (asym_field, hash_field): (&'static str, &'static str),
    ext_asym_count: u8,
    ext_hash_count: u8,
) -> Result<(Vec<ExtendedAlgorithm>, Vec<ExtendedAlgorithm>, usize), CodecError> {
    let total = usize::from(ext_asym_count).saturating_add(usize::from(ext_hash_count));
    check_count("ExtAsymCount + ExtHashCount", total, MAX_EXT_ALGORITHMS)?;
    let ext_asym = read_ext_algs(r, asym_field, usize::from(ext_asym_count))?;
    let ext_hash = read_ext_algs(r, hash_field, usize::from(ext_hash_count))?;
    Ok((ext_asym, ext_hash, MAX_EXT_ALGORITHMS.saturating_sub(total)))
}

/// The u8 count of a list that encode has already bounded.
pub(crate) fn count_u8(field: &'static str, len: usize) -> Result<u8, EncodeError> {
    u8::try_from(len).map_err(|_| EncodeError::invalid_value(field))
}

/// The algorithms one side supports, in the layout NEGOTIATE_ALGORITHMS (DSP0274 1.1 §10.4)
/// and the SPDM 1.3 CAPABILITIES supported algorithms block share: from
/// MeasurementSpecification to the last algorithm structure.
///
/// Fields a version does not have are empty when decoded and must be empty to encode:
/// `other_params_support` before 1.2, `mel_specification` before 1.3, `pqc_asym_algo` before
/// 1.4, `alg_structs` in 1.0.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SupportedAlgorithms {
    /// MeasurementSpecification.
    pub measurement_specification: MeasurementSpecification,
    /// OtherParamsSupport (1.2+).
    pub other_params_support: OtherParams,
    /// BaseAsymAlgo.
    pub base_asym_algo: BaseAsymAlgo,
    /// BaseHashAlgo.
    pub base_hash_algo: BaseHashAlgo,
    /// PqcAsymAlgo (1.4+).
    pub pqc_asym_algo: PqcAsymAlgo,
    /// MELspecification (1.3+).
    pub mel_specification: MelSpecification,
    /// ExtAsym: extended asymmetric algorithms.
    pub ext_asym: Vec<ExtendedAlgorithm>,
    /// ExtHash: extended hash algorithms.
    pub ext_hash: Vec<ExtendedAlgorithm>,
    /// ReqAlgStruct (1.1+): DHE, AEAD, ReqBaseAsymAlg, KeySchedule, and in 1.4
    /// ReqPqcAsymAlg and KEMAlg, AlgType ascending.
    pub alg_structs: Vec<AlgStructure>,
}

impl SupportedAlgorithms {
    /// Reads the shared fields; `struct_count` is the AlgStructCount the caller read (Param1).
    pub(crate) fn decode_fields(
        version: SpdmVersion,
        struct_count: u8,
        r: &mut Reader<'_>,
    ) -> Result<Self, CodecError> {
        let measurement_specification =
            MeasurementSpecification::from_bits_retain(r.u8("MeasurementSpecification")?);
        let other = r.u8("OtherParamsSupport")?;
        let base_asym_algo = BaseAsymAlgo::from_bits_retain(r.u32_le("BaseAsymAlgo")?);
        let base_hash_algo = BaseHashAlgo::from_bits_retain(r.u32_le("BaseHashAlgo")?);
        let pqc = r.u32_le("PqcAsymAlgo")?;
        r.skip_reserved("Reserved", 8)?;
        let ext_asym_count = r.u8("ExtAsymCount")?;
        let ext_hash_count = r.u8("ExtHashCount")?;
        r.skip_reserved("Reserved", 1)?;
        let mel = r.u8("MELspecification")?;
        let (ext_asym, ext_hash, budget) =
            read_ext_lists(r, ("ExtAsym", "ExtHash"), ext_asym_count, ext_hash_count)?;
        let alg_structs = if version.at_least(SpdmVersion::V11) {
            read_alg_structs(r, struct_count, budget)?
        } else {
            Vec::new()
        };
        Ok(Self {
            measurement_specification,
            other_params_support: if version.at_least(SpdmVersion::V12) {
                OtherParams::from_bits_retain(other)
            } else {
                OtherParams::empty()
            },
            base_asym_algo,
            base_hash_algo,
            pqc_asym_algo: if version.at_least(SpdmVersion::V14) {
                PqcAsymAlgo::from_bits_retain(pqc)
            } else {
                PqcAsymAlgo::empty()
            },
            mel_specification: if version.at_least(SpdmVersion::V13) {
                MelSpecification::from_bits_retain(mel)
            } else {
                MelSpecification::empty()
            },
            ext_asym,
            ext_hash,
            alg_structs,
        })
    }

    /// AlgStructCount (Param1 of NEGOTIATE_ALGORITHMS and of the block).
    pub(crate) fn struct_count(&self) -> Result<u8, EncodeError> {
        if self.alg_structs.len() > MAX_ALG_STRUCTS {
            return Err(EncodeError::invalid_value("AlgStructCount"));
        }
        count_u8("AlgStructCount", self.alg_structs.len())
    }

    /// Writes the shared fields for `version`, refusing fields the version does not have.
    pub(crate) fn encode_fields(
        &self,
        version: SpdmVersion,
        w: &mut Writer,
    ) -> Result<(), EncodeError> {
        check_absent(
            "OtherParamsSupport",
            version.at_least(SpdmVersion::V12) || self.other_params_support.is_empty(),
        )?;
        check_absent(
            "PqcAsymAlgo",
            version.at_least(SpdmVersion::V14) || self.pqc_asym_algo.is_empty(),
        )?;
        check_absent(
            "MELspecification",
            version.at_least(SpdmVersion::V13) || self.mel_specification.is_empty(),
        )?;
        check_absent(
            "ReqAlgStruct",
            version.at_least(SpdmVersion::V11) || self.alg_structs.is_empty(),
        )?;
        check_ext_total(&self.ext_asym, &self.ext_hash, &self.alg_structs)?;
        self.struct_count()?;
        w.u8(
            "MeasurementSpecification",
            self.measurement_specification.bits(),
        )?;
        w.u8("OtherParamsSupport", self.other_params_support.bits())?;
        w.u32_le("BaseAsymAlgo", self.base_asym_algo.bits())?;
        w.u32_le("BaseHashAlgo", self.base_hash_algo.bits())?;
        w.u32_le("PqcAsymAlgo", self.pqc_asym_algo.bits())?;
        w.zeros("Reserved", 8)?;
        w.u8(
            "ExtAsymCount",
            count_u8("ExtAsymCount", self.ext_asym.len())?,
        )?;
        w.u8(
            "ExtHashCount",
            count_u8("ExtHashCount", self.ext_hash.len())?,
        )?;
        w.zeros("Reserved", 1)?;
        w.u8("MELspecification", self.mel_specification.bits())?;
        write_ext_algs(w, "ExtAsym", &self.ext_asym)?;
        write_ext_algs(w, "ExtHash", &self.ext_hash)?;
        write_alg_structs(w, &self.alg_structs)
    }
}

/// Writes a 16-bit Length field covering `fixed` bytes before it plus `body`.
pub(crate) fn write_length_and_body(
    w: &mut Writer,
    fixed: usize,
    body: &Writer,
) -> Result<(), EncodeError> {
    let len = fixed.saturating_add(body.len());
    w.length("Length", LengthPrefix::U16Le, len)?;
    w.bytes("Length", body.as_slice())
}
