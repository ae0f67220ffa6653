//! [`ResponderConfig`]: what a responder offers (versions, capabilities, algorithm sets,
//! transfer sizes) and its test knobs.

use crate::codec::{
    AeadCipherSuite, BaseAsymAlgo, BaseHashAlgo, DheNamedGroup, KemAlg, KeySchedule,
    MeasurementHashAlgo, MeasurementSpecification, MelSpecification, OtherParams, PqcAsymAlgo,
    ResponderCapabilityFlags, SpdmVersion,
};

/// DSP0274 1.2 §10.3 MinDataTransferSize: the smallest DataTransferSize allowed (42).
pub const MIN_DATA_TRANSFER_SIZE: u32 = 42;

/// A responder's configuration. [`ResponderConfig::default`] offers SPDM 1.0-1.4,
/// CERT|CHAL|MEAS_SIG, every algorithm our provider signs and hashes with, and spdm-emu's
/// transfer sizes (0x1200).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ResponderConfig {
    /// The versions VERSION lists (ascending order is used on the wire).
    pub versions: Vec<SpdmVersion>,
    /// CTExponent: cryptographic timeout 2^CTExponent µs.
    pub ct_exponent: u8,
    /// CAPABILITIES Flags (the 1.0 layout masks the bits 1.0 does not have).
    pub flags: ResponderCapabilityFlags,
    /// DataTransferSize (1.2+): the largest request we accept in one transfer.
    pub data_transfer_size: u32,
    /// MaxSPDMmsgSize (1.2+).
    pub max_spdm_msg_size: u32,
    /// MeasurementSpecification we support.
    pub measurement_specification: MeasurementSpecification,
    /// OtherParamsSupport (opaque data formats; 1.2+).
    pub other_params: OtherParams,
    /// MELspecification (1.3+; only with MEL_CAP).
    pub mel_specification: MelSpecification,
    /// BaseAsymAlgo we can sign with (also limited by the slots' keys).
    pub base_asym_algo: BaseAsymAlgo,
    /// PqcAsymAlgo (1.4) we can sign with.
    pub pqc_asym_algo: PqcAsymAlgo,
    /// BaseHashAlgo.
    pub base_hash_algo: BaseHashAlgo,
    /// MeasurementHashAlgo.
    pub measurement_hash_algo: MeasurementHashAlgo,
    /// DHE groups (AlgType 2).
    pub dhe: DheNamedGroup,
    /// AEAD suites (AlgType 3).
    pub aead: AeadCipherSuite,
    /// Requester signing algorithms we verify (AlgType 4).
    pub req_base_asym_alg: BaseAsymAlgo,
    /// Key schedules (AlgType 5).
    pub key_schedule: KeySchedule,
    /// Requester PQC signing algorithms we verify (AlgType 6, 1.4).
    pub req_pqc_asym_alg: PqcAsymAlgo,
    /// KEMs (AlgType 7, 1.4).
    pub kem: KemAlg,
    /// 1.4: prefer a PQC asymmetric algorithm (and KEM) over a traditional one when both are
    /// offered (libspdm's `--pqc_first`).
    pub pqc_first: bool,
    /// Test knob: answer the first CHALLENGE of the responder's life with
    /// ERROR(ResponseNotReady), so the requester's RESPOND_IF_READY path runs.
    pub not_ready_first_challenge: bool,
    /// RDTExponent of that ResponseNotReady.
    pub rdt_exponent: u8,
}

impl Default for ResponderConfig {
    fn default() -> Self {
        Self {
            versions: vec![
                SpdmVersion::V10,
                SpdmVersion::V11,
                SpdmVersion::V12,
                SpdmVersion::V13,
                SpdmVersion::V14,
            ],
            ct_exponent: 0,
            flags: ResponderCapabilityFlags::CERT_CAP
                | ResponderCapabilityFlags::CHAL_CAP
                | ResponderCapabilityFlags::MEAS_CAP_SIG,
            data_transfer_size: 0x1200,
            max_spdm_msg_size: 0x1200,
            measurement_specification: MeasurementSpecification::DMTF,
            other_params: OtherParams::OPAQUE_DATA_FMT1,
            mel_specification: MelSpecification::empty(),
            base_asym_algo: BaseAsymAlgo::TPM_ALG_ECDSA_ECC_NIST_P256
                | BaseAsymAlgo::TPM_ALG_ECDSA_ECC_NIST_P384
                | BaseAsymAlgo::TPM_ALG_ECDSA_ECC_NIST_P521
                | BaseAsymAlgo::TPM_ALG_RSASSA_2048
                | BaseAsymAlgo::TPM_ALG_RSAPSS_2048
                | BaseAsymAlgo::TPM_ALG_RSASSA_3072
                | BaseAsymAlgo::TPM_ALG_RSAPSS_3072
                | BaseAsymAlgo::TPM_ALG_RSASSA_4096
                | BaseAsymAlgo::TPM_ALG_RSAPSS_4096
                | BaseAsymAlgo::EDDSA_ED25519,
            pqc_asym_algo: PqcAsymAlgo::ML_DSA_44 | PqcAsymAlgo::ML_DSA_65 | PqcAsymAlgo::ML_DSA_87,
            base_hash_algo: BaseHashAlgo::TPM_ALG_SHA_256
                | BaseHashAlgo::TPM_ALG_SHA_384
                | BaseHashAlgo::TPM_ALG_SHA_512,
            measurement_hash_algo: MeasurementHashAlgo::TPM_ALG_SHA_256
                | MeasurementHashAlgo::TPM_ALG_SHA_384
                | MeasurementHashAlgo::TPM_ALG_SHA_512,
            dhe: DheNamedGroup::SECP_256_R1 | DheNamedGroup::SECP_384_R1,
            aead: AeadCipherSuite::AES_128_GCM
                | AeadCipherSuite::AES_256_GCM
                | AeadCipherSuite::CHACHA20_POLY1305,
            req_base_asym_alg: BaseAsymAlgo::TPM_ALG_ECDSA_ECC_NIST_P256
                | BaseAsymAlgo::TPM_ALG_ECDSA_ECC_NIST_P384
                | BaseAsymAlgo::TPM_ALG_RSAPSS_3072
                | BaseAsymAlgo::EDDSA_ED25519,
            key_schedule: KeySchedule::SPDM,
            req_pqc_asym_alg: PqcAsymAlgo::ML_DSA_44
                | PqcAsymAlgo::ML_DSA_65
                | PqcAsymAlgo::ML_DSA_87,
            kem: KemAlg::ML_KEM_512 | KemAlg::ML_KEM_768 | KemAlg::ML_KEM_1024,
            pqc_first: true,
            not_ready_first_challenge: false,
            rdt_exponent: 1,
        }
    }
}

impl ResponderConfig {
    /// The configuration of spdm-emu's responder as the transcripts ran it
    /// (`--ver <version> --cap CERT,CHAL,MEAS_SIG,ENCRYPT,MAC,KEY_EX`, one asym, one hash,
    /// one measurement hash, one DHE group, AES-256-GCM; libspdm's default requester
    /// algorithm RSAPSS_3072 and its DataTransferSize 0x1200).
    #[must_use]
    pub fn libspdm_emulator(
        version: SpdmVersion,
        base_asym_algo: BaseAsymAlgo,
        base_hash_algo: BaseHashAlgo,
        measurement_hash_algo: MeasurementHashAlgo,
        dhe: DheNamedGroup,
    ) -> Self {
        Self {
            versions: vec![version],
            flags: ResponderCapabilityFlags::CERT_CAP
                | ResponderCapabilityFlags::CHAL_CAP
                | ResponderCapabilityFlags::MEAS_CAP_SIG
                | ResponderCapabilityFlags::ENCRYPT_CAP
                | ResponderCapabilityFlags::MAC_CAP
                | ResponderCapabilityFlags::KEY_EX_CAP,
            base_asym_algo,
            pqc_asym_algo: PqcAsymAlgo::empty(),
            base_hash_algo,
            measurement_hash_algo,
            dhe,
            aead: AeadCipherSuite::AES_256_GCM,
            req_base_asym_alg: BaseAsymAlgo::TPM_ALG_RSAPSS_3072,
            req_pqc_asym_alg: PqcAsymAlgo::empty(),
            kem: KemAlg::empty(),
            ..Self::default()
        }
    }
}
