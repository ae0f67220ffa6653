//! [`RequesterConfig`]: what the requester offers and asks for, and the policy it checks
//! the responder against.

use crate::cert::{Timestamp, TrustAnchor};
use crate::codec::{
    AeadCipherSuite, AlgStructure, AlgType, BaseAsymAlgo, BaseHashAlgo, DheNamedGroup, KeySchedule,
    MeasurementSpecification, MeasurementSummaryHashType, MelSpecification, OtherParams,
    PqcAsymAlgo, RequesterCapabilityFlags, SpdmVersion, SupportedAlgorithms,
};

/// One step of the flow after VCA, in the order the requester runs them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Step {
    /// GET_DIGESTS. Resets B; the digests of slots whose chain was validated must not change.
    Digests,
    /// GET_CERTIFICATE for a slot, whole chain (offset/length loop), then validation against
    /// the policy and the slot's digest. Needs a [`Step::Digests`] before it. Fetching a slot
    /// again must return the same chain.
    Certificate(u8),
    /// CHALLENGE for a slot whose chain was validated.
    Challenge(u8),
    /// GET_MEASUREMENTS as configured by [`RequesterConfig::measurements`].
    Measurements,
}

/// How GET_MEASUREMENTS is asked.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MeasurementPlan {
    /// One request for all measurements (operation 0xFF), signed.
    AllSigned,
    /// One request per index, in order; signed each time (`sign_each`) or only the last
    /// (the unsigned ones accumulate into L1/L2 until the signed one).
    Indices {
        /// The indices (1..=0xFE).
        indices: Vec<u8>,
        /// Ask for a signature on every request, not only on the last.
        sign_each: bool,
    },
}

/// The requester's configuration.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RequesterConfig {
    /// Lowest acceptable SPDM version (a responder offering only lower ones is a downgrade).
    pub min_version: SpdmVersion,
    /// Highest version we speak.
    pub max_version: SpdmVersion,
    /// GET_CAPABILITIES CTExponent (1.1+).
    pub ct_exponent: u8,
    /// GET_CAPABILITIES flags (1.1+). With CHUNK_CAP (1.2+), responses above
    /// `data_transfer_size` (up to `max_spdm_msg_size`) are fetched with CHUNK_GET.
    pub flags: RequesterCapabilityFlags,
    /// Our DataTransferSize (1.2+): the largest SPDM message we receive in one transfer.
    pub data_transfer_size: u32,
    /// Our MaxSPDMmsgSize (1.2+).
    pub max_spdm_msg_size: u32,
    /// What NEGOTIATE_ALGORITHMS offers (fields the negotiated version lacks are cleared).
    pub offer: SupportedAlgorithms,
    /// The steps after VCA.
    pub plan: Vec<Step>,
    /// CHALLENGE MeasurementSummaryHashType.
    pub measurement_summary_hash: MeasurementSummaryHashType,
    /// CHALLENGE RequesterContext (1.3+).
    pub challenge_context: [u8; 8],
    /// GET_MEASUREMENTS RequesterContext (1.3+).
    pub measurements_context: [u8; 8],
    /// How measurements are asked.
    pub measurements: MeasurementPlan,
    /// SlotIDParam of signed GET_MEASUREMENTS.
    pub measurement_slot: u8,
    /// Trust anchors for the responder's chains.
    pub trust_anchors: Vec<TrustAnchor>,
    /// "Now" for certificate validity.
    pub now: Timestamp,
    /// Our limit on one certificate chain (bytes).
    pub max_cert_chain_len: usize,
    /// Our limit on measurement blocks per MEASUREMENTS.
    pub max_measurement_blocks: usize,
    /// Retries after ERROR(Busy).
    pub busy_retries: u8,
    /// RESPOND_IF_READY rounds after ERROR(ResponseNotReady), per request.
    pub not_ready_retries: u8,
    /// The longest wait ERROR(ResponseNotReady) may ask for (2^RDTExponent µs).
    pub max_not_ready_delay: std::time::Duration,
    /// Restarts after ERROR(RequestResynch).
    pub resynch_retries: u8,
    /// Keep the exact transcript bytes for evidence export, up to this many bytes
    /// (`None`: hashes only).
    pub record_cap: Option<usize>,
    /// Trailing zero bytes accepted after a message (PCI DOE: 3).
    pub max_padding: usize,
}

impl RequesterConfig {
    /// A configuration like spdm-emu's requester with `--cap ENCRYPT,MAC,KEY_EX`: versions
    /// 1.0..=`max_version`, ECDSA P-256/P-384 (+ ML-DSA-65 in 1.4) and SHA-256/384/512
    /// offered, DMTF measurements, OpaqueDataFmt1, flow DIGESTS, CERTIFICATE(0),
    /// CHALLENGE(0), all measurements signed; recording on (1 MiB).
    #[must_use]
    pub fn new(max_version: SpdmVersion, trust_anchors: Vec<TrustAnchor>, now: Timestamp) -> Self {
        let structs = vec![
            AlgStructure {
                alg_type: AlgType::Dhe,
                alg_supported: (DheNamedGroup::SECP_256_R1 | DheNamedGroup::SECP_384_R1).bits(),
                alg_external: Vec::new(),
            },
            AlgStructure {
                alg_type: AlgType::AeadCipherSuite,
                alg_supported: (AeadCipherSuite::AES_128_GCM | AeadCipherSuite::AES_256_GCM).bits(),
                alg_external: Vec::new(),
            },
            AlgStructure {
                alg_type: AlgType::KeySchedule,
                alg_supported: KeySchedule::SPDM.bits(),
                alg_external: Vec::new(),
            },
        ];
        Self {
            min_version: SpdmVersion::V10,
            max_version,
            ct_exponent: 0,
            flags: RequesterCapabilityFlags::ENCRYPT_CAP
                | RequesterCapabilityFlags::MAC_CAP
                | RequesterCapabilityFlags::KEY_EX_CAP,
            data_transfer_size: 0x1200,
            max_spdm_msg_size: 0x1200,
            offer: SupportedAlgorithms {
                measurement_specification: MeasurementSpecification::DMTF,
                other_params_support: OtherParams::OPAQUE_DATA_FMT1,
                base_asym_algo: BaseAsymAlgo::TPM_ALG_ECDSA_ECC_NIST_P256
                    | BaseAsymAlgo::TPM_ALG_ECDSA_ECC_NIST_P384,
                base_hash_algo: BaseHashAlgo::TPM_ALG_SHA_256
                    | BaseHashAlgo::TPM_ALG_SHA_384
                    | BaseHashAlgo::TPM_ALG_SHA_512,
                pqc_asym_algo: PqcAsymAlgo::ML_DSA_65,
                mel_specification: MelSpecification::empty(),
                ext_asym: Vec::new(),
                ext_hash: Vec::new(),
                alg_structs: structs,
            },
            plan: vec![
                Step::Digests,
                Step::Certificate(0),
                Step::Challenge(0),
                Step::Measurements,
            ],
            measurement_summary_hash: MeasurementSummaryHashType::AllMeasurementsHash,
            challenge_context: [0; 8],
            measurements_context: [0; 8],
            measurements: MeasurementPlan::AllSigned,
            measurement_slot: 0,
            trust_anchors,
            now,
            max_cert_chain_len: 64 * 1024,
            max_measurement_blocks: 255,
            busy_retries: 3,
            not_ready_retries: 8,
            max_not_ready_delay: std::time::Duration::from_secs(10),
            resynch_retries: 2,
            record_cap: Some(1 << 20),
            max_padding: 0,
        }
    }

    /// The offer as NEGOTIATE_ALGORITHMS of `version` can carry it.
    #[must_use]
    pub fn offer_for(&self, version: SpdmVersion) -> SupportedAlgorithms {
        let mut o = self.offer.clone();
        if !version.at_least(SpdmVersion::V11) {
            o.alg_structs.clear();
        }
        if !version.at_least(SpdmVersion::V12) {
            o.other_params_support = OtherParams::empty();
        }
        if !version.at_least(SpdmVersion::V13) {
            o.mel_specification = MelSpecification::empty();
        }
        if !version.at_least(SpdmVersion::V14) {
            o.pqc_asym_algo = PqcAsymAlgo::empty();
            o.alg_structs
                .retain(|s| !matches!(s.alg_type, AlgType::ReqPqcAsymAlg | AlgType::KemAlg));
        }
        o
    }
}
