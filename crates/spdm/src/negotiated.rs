//! What the VCA exchange (GET_VERSION, GET_CAPABILITIES, NEGOTIATE_ALGORITHMS) establishes,
//! and the mapping between the codec's algorithm bits and the crypto provider's algorithms.
//!
//! [`Negotiated::from_vca`] is the one constructor both roles use: the requester after it
//! has checked ALGORITHMS, the responder after it has chosen its selections. It checks
//! that every selection is exactly one bit, that the bit was offered, that the crypto
//! provider implements it, and that the selections agree with the capabilities
//! (DSP0274 1.2 §10.4 "ALGORITHMS response message").
//!
//! ```
//! use vtrust_spdm::codec::{BaseAsymAlgo, BaseHashAlgo};
//! use vtrust_spdm::negotiated::{base_asym_to_signature, base_hash_to_hash};
//! use vtrust_crypto::{hash::HashAlg, sign::SignatureAlg};
//!
//! let hash = base_hash_to_hash(BaseHashAlgo::TPM_ALG_SHA_384)?;
//! assert_eq!(hash, HashAlg::Sha384);
//! let asym = base_asym_to_signature(BaseAsymAlgo::TPM_ALG_ECDSA_ECC_NIST_P384, hash)?;
//! assert_eq!(asym.alg, SignatureAlg::EcdsaP384Sha384);
//! assert_eq!(asym.signature_len, 96);
//! // Two bits are not a selection.
//! assert!(base_hash_to_hash(BaseHashAlgo::TPM_ALG_SHA_256 | BaseHashAlgo::TPM_ALG_SHA_384).is_err());
//! # Ok::<(), vtrust_spdm::negotiated::NegotiationError>(())
//! ```

use vtrust_crypto::hash::HashAlg;
use vtrust_crypto::sign::SignatureAlg;

use crate::codec::{
    AeadCipherSuite, AlgStructures, Algorithms, BaseAsymAlgo, BaseHashAlgo, Capabilities,
    DecodeContext, DheNamedGroup, ExtCapabilityFlags, GetCapabilities, KemAlg, KeySchedule,
    MeasCap, MeasurementHashAlgo, MeasurementSpecification, MelSpecification, MultiKeyCap,
    NegotiateAlgorithms, OtherParams, PqcAsymAlgo, RequesterCapabilityFlags,
    ResponderCapabilityFlags, SpdmVersion,
};

/// Why a VCA outcome cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NegotiationError {
    /// A selection field has zero or several bits set where exactly one is required.
    #[error("{field} selects {bits:#x}, not exactly one algorithm")]
    NotOneBit {
        /// The ALGORITHMS field.
        field: &'static str,
        /// Its value.
        bits: u32,
    },
    /// A selection the requester did not offer.
    #[error("{field} selects {bits:#x}, which was not offered")]
    NotOffered {
        /// The ALGORITHMS field.
        field: &'static str,
        /// Its value.
        bits: u32,
    },
    /// A well-formed selection our crypto provider does not implement (SM2, Ed448, SM3,
    /// SLH-DSA, ECDSA with a hash other than the curve's, extended algorithms).
    #[error("{field} selects {bits:#x}, which is not supported")]
    Unsupported {
        /// The ALGORITHMS field.
        field: &'static str,
        /// Its value.
        bits: u32,
    },
    /// Selections or capabilities that contradict each other.
    #[error("{field}: {reason}")]
    Inconsistent {
        /// The field at fault.
        field: &'static str,
        /// What is wrong.
        reason: &'static str,
    },
}

/// One capability set as GET_CAPABILITIES or CAPABILITIES carried it (DSP0274 1.2 §10.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CapabilitySet<F> {
    /// CTExponent (cryptographic timeout 2^CTExponent µs).
    pub ct_exponent: u8,
    /// The capability flags.
    pub flags: F,
    /// SPDM 1.3+ extended flags.
    pub ext_flags: ExtCapabilityFlags,
    /// SPDM 1.2+ DataTransferSize (`None` before 1.2).
    pub data_transfer_size: Option<u32>,
    /// SPDM 1.2+ MaxSPDMmsgSize (`None` before 1.2).
    pub max_spdm_msg_size: Option<u32>,
}

impl CapabilitySet<RequesterCapabilityFlags> {
    /// The requester's set from its GET_CAPABILITIES.
    #[must_use]
    pub fn from_request(m: &GetCapabilities) -> Self {
        Self {
            ct_exponent: m.ct_exponent,
            flags: m.flags,
            ext_flags: m.ext_flags,
            data_transfer_size: m.data_transfer_size,
            max_spdm_msg_size: m.max_spdm_msg_size,
        }
    }
}

impl CapabilitySet<ResponderCapabilityFlags> {
    /// The responder's set from its CAPABILITIES.
    #[must_use]
    pub fn from_response(m: &Capabilities) -> Self {
        Self {
            ct_exponent: m.ct_exponent,
            flags: m.flags,
            ext_flags: m.ext_flags,
            data_transfer_size: m.data_transfer_size,
            max_spdm_msg_size: m.max_spdm_msg_size,
        }
    }
}

/// A negotiated signature algorithm: which ALGORITHMS field and bit chose it, the crypto
/// algorithm, and the signature size on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AsymSelection {
    /// The selection as it was on the wire.
    pub selected: AsymBit,
    /// The crypto provider's algorithm (RSA carries the negotiated BaseHash).
    pub alg: SignatureAlg,
    /// Signature size: ECDSA `r || s`, RSA the modulus size, Ed25519 64, ML-DSA FIPS 204.
    pub signature_len: usize,
}

/// The single bit an asymmetric selection was made with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AsymBit {
    /// BaseAsymSel / ReqBaseAsymAlg.
    Base(BaseAsymAlgo),
    /// SPDM 1.4 PqcAsymSel / ReqPqcAsymAlg.
    Pqc(PqcAsymAlgo),
}

impl AsymSelection {
    /// Whether this is ML-DSA (signs with the SPDM context as FIPS 204 ctx).
    #[must_use]
    pub fn is_pqc(&self) -> bool {
        matches!(self.selected, AsymBit::Pqc(_))
    }
}

/// The negotiated MeasurementHashAlgo.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MeasurementHash {
    /// RAW_BIT_STREAM_ONLY: measurement blocks carry raw bit streams only.
    RawBitStreamOnly,
    /// Digest measurements with this hash.
    Hash(HashAlg),
}

impl MeasurementHash {
    /// The digest size of a measurement (0 for raw bit streams only).
    #[must_use]
    pub fn len(&self) -> usize {
        match self {
            Self::RawBitStreamOnly => 0,
            Self::Hash(h) => h.output_len(),
        }
    }

    /// Whether [`Self::len`] is 0.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Everything VCA established (DSP0274 1.2 §10.2-§10.4): the state both FSMs keep after
/// ALGORITHMS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Negotiated {
    /// The negotiated SPDMVersion (every later message carries it).
    pub version: SpdmVersion,
    /// The requester's capabilities (GET_CAPABILITIES).
    pub requester_caps: CapabilitySet<RequesterCapabilityFlags>,
    /// The responder's capabilities (CAPABILITIES).
    pub responder_caps: CapabilitySet<ResponderCapabilityFlags>,
    /// MeasurementSpecificationSel (empty if measurements were not negotiated).
    pub measurement_spec: MeasurementSpecification,
    /// OtherParamsSelection (1.2+).
    pub other_params: OtherParams,
    /// MELspecificationSel (1.3+).
    pub mel_spec: MelSpecification,
    /// BaseHashSel as a bit.
    pub base_hash_bit: BaseHashAlgo,
    /// BaseHashSel: transcripts, certificate chain digests, signatures.
    pub base_hash: HashAlg,
    /// The responder's signing algorithm (BaseAsymSel or 1.4 PqcAsymSel); `None` when
    /// neither CHAL_CAP, MEAS_CAP with signatures nor KEY_EX_CAP needs one.
    pub asym: Option<AsymSelection>,
    /// MeasurementHashAlgo; `None` when the responder has no MEAS_CAP or the requester
    /// offered no MeasurementSpecification.
    pub measurement_hash: Option<MeasurementHash>,
    /// DHE group (kept for sessions; not used by attestation).
    pub dhe: Option<DheNamedGroup>,
    /// AEAD suite (kept for sessions).
    pub aead: Option<AeadCipherSuite>,
    /// Key schedule (kept for sessions).
    pub key_schedule: Option<KeySchedule>,
    /// SPDM 1.4 KEM (kept for sessions).
    pub kem: Option<KemAlg>,
    /// Requester signing algorithm, only when mutual authentication was negotiated (both
    /// MUT_AUTH_CAP); libspdm selects one regardless, which is ignored otherwise.
    pub req_asym: Option<AsymSelection>,
}

fn one_bit(field: &'static str, bits: u32) -> Result<u32, NegotiationError> {
    if bits.count_ones() == 1 {
        Ok(bits)
    } else {
        Err(NegotiationError::NotOneBit { field, bits })
    }
}

/// BaseHashSel (exactly one bit) to the crypto hash.
///
/// # Errors
/// [`NegotiationError::NotOneBit`], or [`NegotiationError::Unsupported`] for SM3 and
/// unknown bits.
pub fn base_hash_to_hash(bits: BaseHashAlgo) -> Result<HashAlg, NegotiationError> {
    const F: &str = "BaseHashSel";
    let b = one_bit(F, bits.bits())?;
    Ok(match BaseHashAlgo::from_bits_retain(b) {
        BaseHashAlgo::TPM_ALG_SHA_256 => HashAlg::Sha256,
        BaseHashAlgo::TPM_ALG_SHA_384 => HashAlg::Sha384,
        BaseHashAlgo::TPM_ALG_SHA_512 => HashAlg::Sha512,
        BaseHashAlgo::TPM_ALG_SHA3_256 => HashAlg::Sha3_256,
        BaseHashAlgo::TPM_ALG_SHA3_384 => HashAlg::Sha3_384,
        BaseHashAlgo::TPM_ALG_SHA3_512 => HashAlg::Sha3_512,
        _ => return Err(NegotiationError::Unsupported { field: F, bits: b }),
    })
}

/// The BaseHashAlgo bit of a crypto hash (`None` for hashes SPDM does not define).
#[must_use]
pub fn hash_to_base_hash(hash: HashAlg) -> Option<BaseHashAlgo> {
    Some(match hash {
        HashAlg::Sha256 => BaseHashAlgo::TPM_ALG_SHA_256,
        HashAlg::Sha384 => BaseHashAlgo::TPM_ALG_SHA_384,
        HashAlg::Sha512 => BaseHashAlgo::TPM_ALG_SHA_512,
        HashAlg::Sha3_256 => BaseHashAlgo::TPM_ALG_SHA3_256,
        HashAlg::Sha3_384 => BaseHashAlgo::TPM_ALG_SHA3_384,
        HashAlg::Sha3_512 => BaseHashAlgo::TPM_ALG_SHA3_512,
        _ => return None,
    })
}

/// MeasurementHashAlgo (exactly one bit) to [`MeasurementHash`].
///
/// # Errors
/// [`NegotiationError::NotOneBit`], or [`NegotiationError::Unsupported`] for SM3 and
/// unknown bits.
pub fn measurement_hash_to_hash(
    bits: MeasurementHashAlgo,
) -> Result<MeasurementHash, NegotiationError> {
    const F: &str = "MeasurementHashAlgo";
    let b = one_bit(F, bits.bits())?;
    Ok(match MeasurementHashAlgo::from_bits_retain(b) {
        MeasurementHashAlgo::RAW_BIT_STREAM_ONLY => MeasurementHash::RawBitStreamOnly,
        MeasurementHashAlgo::TPM_ALG_SHA_256 => MeasurementHash::Hash(HashAlg::Sha256),
        MeasurementHashAlgo::TPM_ALG_SHA_384 => MeasurementHash::Hash(HashAlg::Sha384),
        MeasurementHashAlgo::TPM_ALG_SHA_512 => MeasurementHash::Hash(HashAlg::Sha512),
        MeasurementHashAlgo::TPM_ALG_SHA3_256 => MeasurementHash::Hash(HashAlg::Sha3_256),
        MeasurementHashAlgo::TPM_ALG_SHA3_384 => MeasurementHash::Hash(HashAlg::Sha3_384),
        MeasurementHashAlgo::TPM_ALG_SHA3_512 => MeasurementHash::Hash(HashAlg::Sha3_512),
        _ => return Err(NegotiationError::Unsupported { field: F, bits: b }),
    })
}

/// BaseAsymSel (exactly one bit) to the crypto algorithm, given the negotiated BaseHash.
///
/// RSA signs with the BaseHash (RSASSA = PKCS#1 v1.5, RSAPSS = PSS), its signature is the
/// modulus size of the bit's key size. ECDSA signs with the curve's hash; libspdm allows
/// e.g. P-256 with SHA-384, which our provider does not: `Unsupported`. ECDSA signatures
/// are `r || s` (DSP0274 "ECDSA signatures ... r followed by s").
///
/// # Errors
/// [`NegotiationError::NotOneBit`] or [`NegotiationError::Unsupported`].
pub fn base_asym_to_signature(
    bits: BaseAsymAlgo,
    base_hash: HashAlg,
) -> Result<AsymSelection, NegotiationError> {
    const F: &str = "BaseAsymSel";
    let b = one_bit(F, bits.bits())?;
    let unsupported = NegotiationError::Unsupported { field: F, bits: b };
    let bit = BaseAsymAlgo::from_bits_retain(b);
    let rsa = |pss: bool, len: usize| -> Result<(SignatureAlg, usize), NegotiationError> {
        let alg = match (pss, base_hash) {
            (false, HashAlg::Sha256) => SignatureAlg::RsaPkcs1Sha256,
            (false, HashAlg::Sha384) => SignatureAlg::RsaPkcs1Sha384,
            (false, HashAlg::Sha512) => SignatureAlg::RsaPkcs1Sha512,
            (true, HashAlg::Sha256) => SignatureAlg::RsaPssSha256,
            (true, HashAlg::Sha384) => SignatureAlg::RsaPssSha384,
            (true, HashAlg::Sha512) => SignatureAlg::RsaPssSha512,
            _ => return Err(unsupported.clone()),
        };
        Ok((alg, len))
    };
    let ecdsa = |alg: SignatureAlg, len: usize| {
        if alg.hash() == Some(base_hash) {
            Ok((alg, len))
        } else {
            Err(unsupported.clone())
        }
    };
    let (alg, signature_len) = match bit {
        BaseAsymAlgo::TPM_ALG_RSASSA_2048 => rsa(false, 256)?,
        BaseAsymAlgo::TPM_ALG_RSAPSS_2048 => rsa(true, 256)?,
        BaseAsymAlgo::TPM_ALG_RSASSA_3072 => rsa(false, 384)?,
        BaseAsymAlgo::TPM_ALG_RSAPSS_3072 => rsa(true, 384)?,
        BaseAsymAlgo::TPM_ALG_RSASSA_4096 => rsa(false, 512)?,
        BaseAsymAlgo::TPM_ALG_RSAPSS_4096 => rsa(true, 512)?,
        BaseAsymAlgo::TPM_ALG_ECDSA_ECC_NIST_P256 => ecdsa(SignatureAlg::EcdsaP256Sha256, 64)?,
        BaseAsymAlgo::TPM_ALG_ECDSA_ECC_NIST_P384 => ecdsa(SignatureAlg::EcdsaP384Sha384, 96)?,
        BaseAsymAlgo::TPM_ALG_ECDSA_ECC_NIST_P521 => ecdsa(SignatureAlg::EcdsaP521Sha512, 132)?,
        BaseAsymAlgo::EDDSA_ED25519 => (SignatureAlg::Ed25519, 64),
        _ => return Err(unsupported),
    };
    Ok(AsymSelection {
        selected: AsymBit::Base(bit),
        alg,
        signature_len,
    })
}

/// SPDM 1.4 PqcAsymSel (exactly one bit) to the crypto algorithm (ML-DSA only).
///
/// # Errors
/// [`NegotiationError::NotOneBit`] or [`NegotiationError::Unsupported`] (SLH-DSA).
pub fn pqc_asym_to_signature(bits: PqcAsymAlgo) -> Result<AsymSelection, NegotiationError> {
    const F: &str = "PqcAsymSel";
    let b = one_bit(F, bits.bits())?;
    let bit = PqcAsymAlgo::from_bits_retain(b);
    let alg = match bit {
        PqcAsymAlgo::ML_DSA_44 => SignatureAlg::MlDsa44,
        PqcAsymAlgo::ML_DSA_65 => SignatureAlg::MlDsa65,
        PqcAsymAlgo::ML_DSA_87 => SignatureAlg::MlDsa87,
        _ => return Err(NegotiationError::Unsupported { field: F, bits: b }),
    };
    let signature_len = alg
        .signature_len()
        .ok_or(NegotiationError::Unsupported { field: F, bits: b })?;
    Ok(AsymSelection {
        selected: AsymBit::Pqc(bit),
        alg,
        signature_len,
    })
}

/// The asymmetric selection of one role: exactly one of the base bit or the PQC bit.
fn asym_selection(
    (base_field, base): (&'static str, BaseAsymAlgo),
    pqc: PqcAsymAlgo,
    base_hash: HashAlg,
) -> Result<Option<AsymSelection>, NegotiationError> {
    match (base.is_empty(), pqc.is_empty()) {
        (true, true) => Ok(None),
        (false, true) => base_asym_to_signature(base, base_hash).map(Some),
        (true, false) => pqc_asym_to_signature(pqc).map(Some),
        (false, false) => Err(NegotiationError::Inconsistent {
            field: base_field,
            reason: "both a traditional and a PQC asymmetric algorithm are selected",
        }),
    }
}

fn offered(field: &'static str, selected: u32, offered: u32) -> Result<(), NegotiationError> {
    if selected & !offered == 0 {
        Ok(())
    } else {
        Err(NegotiationError::NotOffered {
            field,
            bits: selected,
        })
    }
}

fn zero_or_one(field: &'static str, bits: u32) -> Result<(), NegotiationError> {
    if bits.count_ones() <= 1 {
        Ok(())
    } else {
        Err(NegotiationError::NotOneBit { field, bits })
    }
}

fn inconsistent(field: &'static str, reason: &'static str) -> NegotiationError {
    NegotiationError::Inconsistent { field, reason }
}

impl Negotiated {
    /// Builds the negotiated state from the four messages of GET_CAPABILITIES /
    /// NEGOTIATE_ALGORITHMS (the version comes from ALGORITHMS, which must equal the
    /// request's). Checks, per DSP0274 1.2 §10.4: every selection is at most one bit and was
    /// offered; BaseHashSel is exactly one bit; an asymmetric algorithm is selected iff the
    /// responder can sign (CHAL_CAP, MEAS_CAP with signatures, KEY_EX_CAP); if the requester
    /// offered a MeasurementSpecification, MEAS_CAP implies exactly one MeasurementHashAlgo
    /// and MeasurementSpecificationSel DMTF, no MEAS_CAP implies no MeasurementHashAlgo;
    /// extended algorithms are refused (we offer none).
    ///
    /// # Errors
    /// A [`NegotiationError`] naming the field.
    pub fn from_vca(
        get_caps: &GetCapabilities,
        caps: &Capabilities,
        negotiate: &NegotiateAlgorithms,
        algorithms: &Algorithms,
    ) -> Result<Self, NegotiationError> {
        let version = algorithms.version;
        if negotiate.version != version || caps.version != version || get_caps.version != version {
            return Err(inconsistent(
                "SPDMVersion",
                "the VCA messages carry different versions",
            ));
        }
        let offer = &negotiate.supported;
        if !algorithms.ext_asym_sel.is_empty() {
            return Err(inconsistent(
                "ExtAsymSel",
                "no extended algorithm was offered",
            ));
        }
        if !algorithms.ext_hash_sel.is_empty() {
            return Err(inconsistent(
                "ExtHashSel",
                "no extended algorithm was offered",
            ));
        }
        if algorithms
            .alg_structs
            .iter()
            .any(|s| !s.alg_external.is_empty())
        {
            return Err(inconsistent(
                "AlgExternal",
                "no extended algorithm was offered",
            ));
        }
        let rsp = caps.flags;
        let req = get_caps.flags;

        offered(
            "BaseHashSel",
            algorithms.base_hash_sel.bits(),
            offer.base_hash_algo.bits(),
        )?;
        let base_hash = base_hash_to_hash(algorithms.base_hash_sel)?;

        offered(
            "BaseAsymSel",
            algorithms.base_asym_sel.bits(),
            offer.base_asym_algo.bits(),
        )?;
        offered(
            "PqcAsymSel",
            algorithms.pqc_asym_sel.bits(),
            offer.pqc_asym_algo.bits(),
        )?;
        let asym = asym_selection(
            ("BaseAsymSel", algorithms.base_asym_sel),
            algorithms.pqc_asym_sel,
            base_hash,
        )?;
        let meas_cap = rsp.meas_cap();
        let needs_asym = rsp.contains(ResponderCapabilityFlags::CHAL_CAP)
            || meas_cap == MeasCap::Signature
            || rsp.contains(ResponderCapabilityFlags::KEY_EX_CAP);
        if needs_asym && asym.is_none() {
            return Err(inconsistent(
                "BaseAsymSel",
                "the responder can sign but no asymmetric algorithm is selected",
            ));
        }
        if meas_cap == MeasCap::Reserved {
            return Err(inconsistent("MEAS_CAP", "reserved value 3"));
        }

        // Measurements are negotiated only if the requester offered a specification.
        let measuring = !offer.measurement_specification.is_empty();
        let measurement_hash = if !measuring {
            None
        } else if meas_cap == MeasCap::NotSupported {
            if !algorithms.measurement_hash_algo.is_empty() {
                return Err(inconsistent(
                    "MeasurementHashAlgo",
                    "selected although the responder has no MEAS_CAP",
                ));
            }
            None
        } else {
            Some(measurement_hash_to_hash(algorithms.measurement_hash_algo)?)
        };
        let spec = algorithms.measurement_specification_sel;
        zero_or_one("MeasurementSpecificationSel", u32::from(spec.bits()))?;
        offered(
            "MeasurementSpecificationSel",
            u32::from(spec.bits()),
            u32::from(offer.measurement_specification.bits()),
        )?;
        if measuring && meas_cap != MeasCap::NotSupported && spec != MeasurementSpecification::DMTF
        {
            return Err(inconsistent(
                "MeasurementSpecificationSel",
                "MEAS_CAP needs the DMTF measurement specification",
            ));
        }
        let other = algorithms.other_params_selection;
        zero_or_one(
            "OtherParamsSelection",
            u32::from(other.opaque_data_format()),
        )?;
        offered(
            "OtherParamsSelection",
            u32::from(other.opaque_data_format()),
            u32::from(offer.other_params_support.opaque_data_format()),
        )?;
        if other.contains(OtherParams::MULTI_KEY_CONN)
            && !matches!(
                rsp.multi_key_cap(),
                MultiKeyCap::Only | MultiKeyCap::Negotiated
            )
        {
            return Err(inconsistent(
                "MULTI_KEY_CONN",
                "selected without MULTI_KEY_CAP",
            ));
        }
        let mel = algorithms.mel_specification_sel;
        zero_or_one("MELspecificationSel", u32::from(mel.bits()))?;
        offered(
            "MELspecificationSel",
            u32::from(mel.bits()),
            u32::from(offer.mel_specification.bits()),
        )?;

        // Structures: each selection at most one bit and offered. Every struct type in
        // ALGORITHMS must have been in the request.
        let offered_structs = &offer.alg_structs;
        for s in &algorithms.alg_structs {
            let offer_bits = offered_structs
                .find(s.alg_type)
                .map_or(0, |o| u32::from(o.alg_supported));
            let field = alg_type_field(s.alg_type);
            zero_or_one(field, u32::from(s.alg_supported))?;
            offered(field, u32::from(s.alg_supported), offer_bits)?;
        }
        let nonzero16 = |v: Option<u16>| v.filter(|&b| b != 0);
        let dhe = nonzero16(algorithms.alg_structs.dhe().map(|b| b.bits()))
            .map(DheNamedGroup::from_bits_retain);
        let aead = nonzero16(algorithms.alg_structs.aead().map(|b| b.bits()))
            .map(AeadCipherSuite::from_bits_retain);
        let key_schedule = nonzero16(algorithms.alg_structs.key_schedule().map(|b| b.bits()))
            .map(KeySchedule::from_bits_retain);
        let kem = nonzero16(algorithms.alg_structs.kem_alg().map(|b| b.bits()))
            .map(KemAlg::from_bits_retain);

        let mutual = req.contains(RequesterCapabilityFlags::MUT_AUTH_CAP)
            && rsp.contains(ResponderCapabilityFlags::MUT_AUTH_CAP);
        let req_asym = if mutual {
            asym_selection(
                (
                    "ReqBaseAsymAlg",
                    algorithms
                        .alg_structs
                        .req_base_asym_alg()
                        .unwrap_or(BaseAsymAlgo::empty()),
                ),
                algorithms
                    .alg_structs
                    .req_pqc_asym_alg()
                    .unwrap_or(PqcAsymAlgo::empty()),
                base_hash,
            )?
        } else {
            None
        };

        Ok(Self {
            version,
            requester_caps: CapabilitySet::from_request(get_caps),
            responder_caps: CapabilitySet::from_response(caps),
            measurement_spec: spec,
            other_params: other,
            mel_spec: mel,
            base_hash_bit: algorithms.base_hash_sel,
            base_hash,
            asym,
            measurement_hash,
            dhe,
            aead,
            key_schedule,
            kem,
            req_asym,
        })
    }

    /// The digest size of BaseHash.
    #[must_use]
    pub fn hash_len(&self) -> usize {
        self.base_hash.output_len()
    }

    /// The responder's signature size (0 if no asymmetric algorithm was negotiated).
    #[must_use]
    pub fn signature_len(&self) -> usize {
        self.asym.map_or(0, |a| a.signature_len)
    }

    /// The [`DecodeContext`] for responses after VCA (per-request flags off; multi-key on
    /// when MULTI_KEY_CONN was selected).
    #[must_use]
    pub fn decode_context(&self) -> DecodeContext {
        DecodeContext::new(
            self.hash_len(),
            self.signature_len(),
            self.measurement_hash.map_or(0, |m| m.len()),
        )
        .with_multi_key(self.other_params.contains(OtherParams::MULTI_KEY_CONN))
    }

    /// The largest SPDM message the requester may receive in one transfer: the smaller of
    /// the requester's DataTransferSize (if 1.2+) and `fallback` (our buffer).
    #[must_use]
    pub fn requester_data_transfer_size(&self, fallback: u32) -> u32 {
        self.requester_caps
            .data_transfer_size
            .map_or(fallback, |d| d.min(fallback))
    }

    /// The smaller of the responder's DataTransferSize (if 1.2+) and `fallback`.
    #[must_use]
    pub fn responder_data_transfer_size(&self, fallback: u32) -> u32 {
        self.responder_caps
            .data_transfer_size
            .map_or(fallback, |d| d.min(fallback))
    }
}

fn alg_type_field(t: crate::codec::AlgType) -> &'static str {
    use crate::codec::AlgType;
    match t {
        AlgType::Dhe => "DHE",
        AlgType::AeadCipherSuite => "AEADCipherSuite",
        AlgType::ReqBaseAsymAlg => "ReqBaseAsymAlg",
        AlgType::KeySchedule => "KeySchedule",
        AlgType::ReqPqcAsymAlg => "ReqPqcAsymAlg",
        AlgType::KemAlg => "KEMAlg",
        _ => "AlgType",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_bits_round_trip() {
        for h in [HashAlg::Sha256, HashAlg::Sha384, HashAlg::Sha512] {
            let bit = hash_to_base_hash(h).unwrap();
            assert_eq!(base_hash_to_hash(bit).unwrap(), h);
        }
        assert!(matches!(
            base_hash_to_hash(BaseHashAlgo::empty()),
            Err(NegotiationError::NotOneBit { .. })
        ));
        assert!(matches!(
            base_hash_to_hash(BaseHashAlgo::TPM_ALG_SM3_256),
            Err(NegotiationError::Unsupported { .. })
        ));
    }

    #[test]
    fn asym_bits() {
        let rsa =
            base_asym_to_signature(BaseAsymAlgo::TPM_ALG_RSAPSS_3072, HashAlg::Sha384).unwrap();
        assert_eq!(rsa.alg, SignatureAlg::RsaPssSha384);
        assert_eq!(rsa.signature_len, 384);
        assert!(
            base_asym_to_signature(BaseAsymAlgo::TPM_ALG_ECDSA_ECC_NIST_P256, HashAlg::Sha384)
                .is_err()
        );
        let ml = pqc_asym_to_signature(PqcAsymAlgo::ML_DSA_65).unwrap();
        assert_eq!(ml.signature_len, 3309);
        assert!(ml.is_pqc());
        assert!(pqc_asym_to_signature(PqcAsymAlgo::SLH_DSA_SHA2_128S).is_err());
    }
}
