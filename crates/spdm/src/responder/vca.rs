//! GET_VERSION, GET_CAPABILITIES and NEGOTIATE_ALGORITHMS (DSP0274 1.3 §10.2-§10.4), and the
//! algorithm selection policy (libspdm's priority order: the strongest common algorithm).

use vtrust_crypto::hash::HashAlg;
use vtrust_crypto::sign::KeyType;
use vtrust_wire::Encode;

use crate::cert::validate::rsa_bits;
use crate::cert::{LengthField, SpdmCertChain};
use crate::codec::{
    AlgStructure, AlgType, Algorithms, BaseAsymAlgo, BaseHashAlgo, Capabilities, EpInfoCap,
    ExtCapabilityFlags, GetCapabilities, GetVersion, MeasCap, MeasurementHashAlgo,
    MeasurementSpecification, MelSpecification, MultiKeyCap, NegotiateAlgorithms, OtherParams,
    PqcAsymAlgo, PskCap, RequesterCapabilityFlags, ResponderCapabilityFlags, SpdmVersion,
    SupportedAlgorithms, Version, VersionNumberEntry,
};
use crate::negotiated::{
    AsymSelection, Negotiated as NegotiatedParams, base_asym_to_signature, base_hash_to_hash,
    pqc_asym_to_signature,
};
use crate::transcript::VcaTranscript;

use super::config::MIN_DATA_TRANSFER_SIZE;
use super::state::{AfterCapabilities, AfterVersion, ConnectionState, Negotiated, SlotChain};
use super::{Rejection, Responder};

/// Our limit on CTExponent accepted from a requester (libspdm: 31).
const MAX_CT_EXPONENT: u8 = 31;

const HASH_PRIORITY: [BaseHashAlgo; 6] = [
    BaseHashAlgo::TPM_ALG_SHA_512,
    BaseHashAlgo::TPM_ALG_SHA_384,
    BaseHashAlgo::TPM_ALG_SHA_256,
    BaseHashAlgo::TPM_ALG_SHA3_512,
    BaseHashAlgo::TPM_ALG_SHA3_384,
    BaseHashAlgo::TPM_ALG_SHA3_256,
];

const ASYM_PRIORITY: [BaseAsymAlgo; 11] = [
    BaseAsymAlgo::TPM_ALG_ECDSA_ECC_NIST_P521,
    BaseAsymAlgo::TPM_ALG_ECDSA_ECC_NIST_P384,
    BaseAsymAlgo::TPM_ALG_ECDSA_ECC_NIST_P256,
    BaseAsymAlgo::TPM_ALG_RSAPSS_4096,
    BaseAsymAlgo::TPM_ALG_RSAPSS_3072,
    BaseAsymAlgo::TPM_ALG_RSAPSS_2048,
    BaseAsymAlgo::TPM_ALG_RSASSA_4096,
    BaseAsymAlgo::TPM_ALG_RSASSA_3072,
    BaseAsymAlgo::TPM_ALG_RSASSA_2048,
    BaseAsymAlgo::EDDSA_ED448,
    BaseAsymAlgo::EDDSA_ED25519,
];

const PQC_PRIORITY: [PqcAsymAlgo; 3] = [
    PqcAsymAlgo::ML_DSA_87,
    PqcAsymAlgo::ML_DSA_65,
    PqcAsymAlgo::ML_DSA_44,
];

const MEAS_HASH_PRIORITY: [MeasurementHashAlgo; 7] = [
    MeasurementHashAlgo::TPM_ALG_SHA_512,
    MeasurementHashAlgo::TPM_ALG_SHA_384,
    MeasurementHashAlgo::TPM_ALG_SHA_256,
    MeasurementHashAlgo::TPM_ALG_SHA3_512,
    MeasurementHashAlgo::TPM_ALG_SHA3_384,
    MeasurementHashAlgo::TPM_ALG_SHA3_256,
    MeasurementHashAlgo::RAW_BIT_STREAM_ONLY,
];

/// DHE: SECP521, SECP384, SECP256, FFDHE4096, FFDHE3072, FFDHE2048.
const DHE_PRIORITY: [u16; 6] = [0x0020, 0x0010, 0x0008, 0x0004, 0x0002, 0x0001];
/// AEAD: AES-256-GCM, AES-128-GCM, ChaCha20-Poly1305.
const AEAD_PRIORITY: [u16; 3] = [0x0002, 0x0001, 0x0004];
/// KEM: ML-KEM-1024, 768, 512.
const KEM_PRIORITY: [u16; 3] = [0x0004, 0x0002, 0x0001];

/// The first of `priority` in both `ours` and `theirs` (0 if none).
fn pick16(priority: &[u16], ours: u16, theirs: u16) -> u16 {
    priority
        .iter()
        .copied()
        .find(|&b| ours & theirs & b != 0)
        .unwrap_or(0)
}

/// The capability flags `version` defines (the others are sent as zero).
fn flags_defined_in(version: SpdmVersion) -> u32 {
    match version {
        SpdmVersion::V10 => 0x0000_003F,
        SpdmVersion::V11 => 0x0001_FFFF,
        SpdmVersion::V12 => 0x003F_FFFF,
        SpdmVersion::V13 => 0x3FFF_FFFF,
        _ => u32::MAX,
    }
}

/// DSP0274 1.3 §10.3 checks of the requester's flags and sizes (libspdm
/// `libspdm_check_request_flag_compatibility`).
fn check_requester_capabilities(m: &GetCapabilities) -> Result<(), Rejection> {
    let v = m.version;
    if !v.at_least(SpdmVersion::V11) {
        return Ok(());
    }
    let f = m.flags;
    type F = RequesterCapabilityFlags;
    if m.ct_exponent > MAX_CT_EXPONENT {
        return Err(Rejection::invalid());
    }
    let psk = f.psk_cap();
    if matches!(psk, PskCap::Reserved | PskCap::SupportedWithContext) {
        return Err(Rejection::invalid());
    }
    let session_key = f.contains(F::KEY_EX_CAP) || psk == PskCap::Supported;
    let protects = f.intersects(F::ENCRYPT_CAP | F::MAC_CAP);
    if protects != session_key {
        return Err(Rejection::invalid());
    }
    if f.contains(F::HANDSHAKE_IN_THE_CLEAR_CAP) && !f.contains(F::KEY_EX_CAP) {
        return Err(Rejection::invalid());
    }
    if v.at_least(SpdmVersion::V13)
        && (f.ep_info_cap() == EpInfoCap::Reserved || f.multi_key_cap() == MultiKeyCap::Reserved)
    {
        return Err(Rejection::invalid());
    }
    if v.at_least(SpdmVersion::V12) {
        let (Some(dts), Some(max)) = (m.data_transfer_size, m.max_spdm_msg_size) else {
            return Err(Rejection::invalid());
        };
        if dts < MIN_DATA_TRANSFER_SIZE || max < dts {
            return Err(Rejection::invalid());
        }
        if !f.contains(F::CHUNK_CAP) && dts != max {
            return Err(Rejection::invalid());
        }
    }
    Ok(())
}

impl Responder {
    /// GET_VERSION: any state; restarts the connection.
    pub(super) fn get_version(&mut self, request: &[u8]) -> Result<Vec<u8>, Rejection> {
        GetVersion::decode(request)?;
        let version = Version {
            entries: self
                .config
                .versions
                .iter()
                .map(|&v| VersionNumberEntry::new(v))
                .collect(),
        };
        let response = version.to_vec()?;
        let mut vca = VcaTranscript::new();
        vca.append(request)?;
        vca.append(&response)?;
        self.state = ConnectionState::AfterVersion(AfterVersion { vca });
        Ok(response)
    }

    /// GET_CAPABILITIES in `AfterVersion`.
    pub(super) fn get_capabilities(
        &mut self,
        mut s: AfterVersion,
        request: &[u8],
    ) -> (ConnectionState, Result<Vec<u8>, Rejection>) {
        let result = (|| {
            let header = crate::codec::Header::peek(request)?;
            if !self.config.versions.contains(&header.version) {
                return Err(Rejection::new(crate::codec::ErrorCode::VersionMismatch));
            }
            let get_caps = GetCapabilities::decode(request)?;
            check_requester_capabilities(&get_caps)?;
            let v = get_caps.version;
            let v12 = v.at_least(SpdmVersion::V12);
            let caps = Capabilities {
                version: v,
                ct_exponent: self.config.ct_exponent,
                ext_flags: ExtCapabilityFlags::empty(),
                flags: ResponderCapabilityFlags::from_bits_retain(
                    self.config.flags.bits() & flags_defined_in(v),
                ),
                data_transfer_size: v12.then_some(self.config.data_transfer_size),
                max_spdm_msg_size: v12.then_some(self.config.max_spdm_msg_size),
                supported_algorithms: (get_caps.supported_algorithms_requested
                    && v.at_least(SpdmVersion::V13))
                .then(|| self.supported_algorithms(v)),
            };
            let response = caps.to_vec()?;
            Ok((get_caps, caps, response))
        })();
        match result {
            Ok((get_caps, caps, response)) => {
                let appended = s.vca.append(request).and_then(|()| s.vca.append(&response));
                if appended.is_err() {
                    return (
                        ConnectionState::AfterVersion(s),
                        Err(Rejection::unspecified()),
                    );
                }
                let next = AfterCapabilities {
                    vca: s.vca,
                    version: get_caps.version,
                    get_caps,
                    caps,
                };
                (ConnectionState::AfterCapabilities(next), Ok(response))
            }
            Err(r) => (ConnectionState::AfterVersion(s), Err(r)),
        }
    }

    /// The 1.3 CAPABILITIES supported algorithms block: everything we are configured for.
    fn supported_algorithms(&self, v: SpdmVersion) -> SupportedAlgorithms {
        let c = &self.config;
        let low16 = |bits: u32| u16::try_from(bits & 0xFFFF).unwrap_or(0);
        let mut alg_structs = vec![
            structure(AlgType::Dhe, c.dhe.bits()),
            structure(AlgType::AeadCipherSuite, c.aead.bits()),
            structure(AlgType::ReqBaseAsymAlg, low16(c.req_base_asym_alg.bits())),
            structure(AlgType::KeySchedule, c.key_schedule.bits()),
        ];
        if v.at_least(SpdmVersion::V14) {
            alg_structs.push(structure(
                AlgType::ReqPqcAsymAlg,
                low16(c.req_pqc_asym_alg.bits()),
            ));
            alg_structs.push(structure(AlgType::KemAlg, c.kem.bits()));
        }
        SupportedAlgorithms {
            measurement_specification: c.measurement_specification,
            other_params_support: c.other_params,
            base_asym_algo: c.base_asym_algo,
            base_hash_algo: c.base_hash_algo,
            pqc_asym_algo: if v.at_least(SpdmVersion::V14) {
                c.pqc_asym_algo
            } else {
                PqcAsymAlgo::empty()
            },
            mel_specification: c.mel_specification,
            ext_asym: Vec::new(),
            ext_hash: Vec::new(),
            alg_structs,
        }
    }

    /// Whether a slot key can sign as `sel` says (any selection if no slot is provisioned):
    /// the same algorithm and, for RSA, a modulus of the selected bit's size (a 3072-bit key
    /// cannot make a TPM_ALG_RSAPSS_4096 signature).
    fn signable(&self, sel: &AsymSelection) -> bool {
        let slots = self.identity.slots();
        slots.is_empty()
            || slots.iter().any(|s| {
                s.key.alg() == sel.alg
                    && (sel.alg.key_type() != KeyType::Rsa
                        || rsa_bits(s.key.public_key()) == sel.signature_len.checked_mul(8))
            })
    }

    /// The (BaseHash, BaseAsym) pair: the strongest common hash for which a common,
    /// signable asymmetric algorithm exists; else the strongest common hash alone.
    fn select_hash_and_asym(&self, offer: &SupportedAlgorithms) -> (BaseHashAlgo, BaseAsymAlgo) {
        let c = &self.config;
        let hashes: Vec<BaseHashAlgo> = HASH_PRIORITY
            .iter()
            .copied()
            .filter(|h| c.base_hash_algo.contains(*h) && offer.base_hash_algo.contains(*h))
            .collect();
        for &h in &hashes {
            let Ok(hash) = base_hash_to_hash(h) else {
                continue;
            };
            let asym = ASYM_PRIORITY.iter().copied().find(|a| {
                c.base_asym_algo.contains(*a)
                    && offer.base_asym_algo.contains(*a)
                    && base_asym_to_signature(*a, hash).is_ok_and(|s| self.signable(&s))
            });
            if let Some(a) = asym {
                return (h, a);
            }
        }
        (
            hashes.first().copied().unwrap_or(BaseHashAlgo::empty()),
            BaseAsymAlgo::empty(),
        )
    }

    /// NEGOTIATE_ALGORITHMS in `AfterCapabilities`.
    pub(super) fn negotiate_algorithms(
        &mut self,
        s: AfterCapabilities,
        request: &[u8],
    ) -> (ConnectionState, Result<Vec<u8>, Rejection>) {
        match self.select_algorithms(&s, request) {
            Ok((negotiated, response)) => {
                let mut vca = s.vca;
                let appended = vca.append(request).and_then(|()| vca.append(&response));
                if appended.is_err() {
                    return (ConnectionState::default(), Err(Rejection::unspecified()));
                }
                let hash = negotiated.base_hash;
                let version = negotiated.version;
                let chains = match self.slot_chains(version, hash) {
                    Ok(chains) => chains,
                    Err(r) => return (ConnectionState::default(), Err(r)),
                };
                let transcript = vca.finish(&self.provider, version, hash, None);
                let next = Negotiated {
                    negotiated,
                    transcript,
                    chains,
                    authenticated: false,
                    pending: None,
                    large_response: None,
                    large_request: None,
                };
                (ConnectionState::Negotiated(Box::new(next)), Ok(response))
            }
            Err(r) => (ConnectionState::AfterCapabilities(s), Err(r)),
        }
    }

    fn slot_chains(
        &self,
        version: SpdmVersion,
        hash: HashAlg,
    ) -> Result<Vec<SlotChain>, Rejection> {
        self.identity
            .slots()
            .iter()
            .map(|slot| {
                let certs: Vec<&[u8]> = slot.certs.iter().map(Vec::as_slice).collect();
                let chain =
                    SpdmCertChain::encode_with_root(&self.provider, hash, &certs, LengthField::U16)
                        .or_else(|e| {
                            if version.at_least(SpdmVersion::V14) {
                                SpdmCertChain::encode_with_root(
                                    &self.provider,
                                    hash,
                                    &certs,
                                    LengthField::U32,
                                )
                            } else {
                                Err(e)
                            }
                        })
                        .map_err(|_| Rejection::unspecified())?;
                let digest = self.provider.digest(hash, &chain);
                Ok(SlotChain {
                    slot_id: slot.slot_id,
                    chain,
                    digest,
                })
            })
            .collect()
    }

    fn select_algorithms(
        &self,
        s: &AfterCapabilities,
        request: &[u8],
    ) -> Result<(NegotiatedParams, Vec<u8>), Rejection> {
        let negotiate = NegotiateAlgorithms::decode(request)?;
        let v = negotiate.version;
        let offer = &negotiate.supported;
        let c = &self.config;
        let flags = s.caps.flags;
        // AlgStructure checks (libspdm): types of this version, each offering something.
        let max_type: u8 = if v.at_least(SpdmVersion::V14) { 7 } else { 5 };
        for st in &offer.alg_structs {
            let t = u8::from(st.alg_type);
            if !(2..=max_type).contains(&t) || st.alg_supported == 0 {
                return Err(Rejection::invalid());
            }
        }
        let (base_hash_sel, mut base_asym_sel) = self.select_hash_and_asym(offer);
        if base_hash_sel.is_empty() {
            return Err(Rejection::invalid());
        }
        let mut pqc_asym_sel = if v.at_least(SpdmVersion::V14) {
            PQC_PRIORITY
                .iter()
                .copied()
                .find(|p| {
                    c.pqc_asym_algo.contains(*p)
                        && offer.pqc_asym_algo.contains(*p)
                        && pqc_asym_to_signature(*p).is_ok_and(|s| self.signable(&s))
                })
                .unwrap_or(PqcAsymAlgo::empty())
        } else {
            PqcAsymAlgo::empty()
        };
        if !pqc_asym_sel.is_empty() && !base_asym_sel.is_empty() {
            if c.pqc_first {
                base_asym_sel = BaseAsymAlgo::empty();
            } else {
                pqc_asym_sel = PqcAsymAlgo::empty();
            }
        }
        let needs_asym = flags.contains(ResponderCapabilityFlags::CHAL_CAP)
            || flags.meas_cap() == MeasCap::Signature
            || flags.contains(ResponderCapabilityFlags::KEY_EX_CAP);
        if needs_asym && base_asym_sel.is_empty() && pqc_asym_sel.is_empty() {
            return Err(Rejection::invalid());
        }
        let meas = flags.meas_cap() != MeasCap::NotSupported;
        let measurement_specification_sel = if meas
            && offer
                .measurement_specification
                .contains(MeasurementSpecification::DMTF)
            && c.measurement_specification
                .contains(MeasurementSpecification::DMTF)
        {
            MeasurementSpecification::DMTF
        } else {
            MeasurementSpecification::empty()
        };
        let measurement_hash_algo = if measurement_specification_sel.is_empty() {
            if meas {
                // MEAS_CAP without a common measurement specification.
                return Err(Rejection::invalid());
            }
            MeasurementHashAlgo::empty()
        } else {
            MEAS_HASH_PRIORITY
                .iter()
                .copied()
                .find(|m| c.measurement_hash_algo.contains(*m))
                .ok_or(Rejection::unspecified())?
        };
        let other_params_selection = if v.at_least(SpdmVersion::V12) {
            [OtherParams::OPAQUE_DATA_FMT1, OtherParams::OPAQUE_DATA_FMT0]
                .into_iter()
                .find(|o| c.other_params.contains(*o) && offer.other_params_support.contains(*o))
                .unwrap_or(OtherParams::empty())
        } else {
            OtherParams::empty()
        };
        let mel_specification_sel =
            if v.at_least(SpdmVersion::V13) && flags.contains(ResponderCapabilityFlags::MEL_CAP) {
                c.mel_specification & offer.mel_specification
            } else {
                MelSpecification::empty()
            };
        let low16 = |bits: u32| u16::try_from(bits & 0xFFFF).unwrap_or(0);
        let asym_priority16: Vec<u16> = ASYM_PRIORITY.iter().map(|a| low16(a.bits())).collect();
        let pqc_priority16: Vec<u16> = PQC_PRIORITY.iter().map(|a| low16(a.bits())).collect();
        let mut alg_structs: Vec<AlgStructure> = offer
            .alg_structs
            .iter()
            .map(|st| {
                let theirs = st.alg_supported;
                let selected = match st.alg_type {
                    AlgType::Dhe => pick16(&DHE_PRIORITY, c.dhe.bits(), theirs),
                    AlgType::AeadCipherSuite => pick16(&AEAD_PRIORITY, c.aead.bits(), theirs),
                    AlgType::ReqBaseAsymAlg => {
                        pick16(&asym_priority16, low16(c.req_base_asym_alg.bits()), theirs)
                    }
                    AlgType::KeySchedule => pick16(&[0x0001], c.key_schedule.bits(), theirs),
                    AlgType::ReqPqcAsymAlg => {
                        pick16(&pqc_priority16, low16(c.req_pqc_asym_alg.bits()), theirs)
                    }
                    AlgType::KemAlg => pick16(&KEM_PRIORITY, c.kem.bits(), theirs),
                    _ => 0,
                };
                structure(st.alg_type, selected)
            })
            .collect();
        if v.at_least(SpdmVersion::V14) {
            // One of ReqBaseAsym / ReqPqcAsym and one of DHE / KEM (libspdm's pqc_first rule).
            let nonzero = |structs: &[AlgStructure], t: AlgType| {
                structs
                    .iter()
                    .any(|s| s.alg_type == t && s.alg_supported != 0)
            };
            let (keep_req, drop_req, keep_kx, drop_kx) = if c.pqc_first {
                (
                    AlgType::ReqPqcAsymAlg,
                    AlgType::ReqBaseAsymAlg,
                    AlgType::KemAlg,
                    AlgType::Dhe,
                )
            } else {
                (
                    AlgType::ReqBaseAsymAlg,
                    AlgType::ReqPqcAsymAlg,
                    AlgType::Dhe,
                    AlgType::KemAlg,
                )
            };
            let clear_req = nonzero(&alg_structs, keep_req);
            let clear_kx = nonzero(&alg_structs, keep_kx);
            for st in &mut alg_structs {
                if (clear_req && st.alg_type == drop_req) || (clear_kx && st.alg_type == drop_kx) {
                    st.alg_supported = 0;
                }
            }
        }
        let algorithms = Algorithms {
            version: v,
            measurement_specification_sel,
            other_params_selection,
            measurement_hash_algo,
            base_asym_sel,
            base_hash_sel,
            pqc_asym_sel,
            mel_specification_sel,
            ext_asym_sel: Vec::new(),
            ext_hash_sel: Vec::new(),
            alg_structs: if v.at_least(SpdmVersion::V11) {
                alg_structs
            } else {
                Vec::new()
            },
        };
        let negotiated = NegotiatedParams::from_vca(&s.get_caps, &s.caps, &negotiate, &algorithms)
            .map_err(|_| Rejection::unspecified())?;
        let response = algorithms.to_vec()?;
        Ok((negotiated, response))
    }
}

fn structure(alg_type: AlgType, alg_supported: u16) -> AlgStructure {
    AlgStructure {
        alg_type,
        alg_supported,
        alg_external: Vec::new(),
    }
}
