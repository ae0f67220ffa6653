//! TPMT_PUBLIC (Part 2 §12.2.4) and its parameter structures for the key types this TPM
//! creates: ECC (TPMS_ECC_PARMS §12.2.3.6), ML-DSA and ML-KEM (TPM Library 1.85).
//!
//! **1.85 assumptions** (the TCG PDF was not read; layouts as pqctoday-tpm and wolfTPM
//! transcribe them, tpm-crb.md §6):
//! - `TPMS_MLDSA_PARMS` = { `parameterSet` UINT16 (1 = ML-DSA-44, 2 = 65, 3 = 87),
//!   `allowExternalMu` TPMI_YES_NO (UINT8) }.
//! - `TPMS_MLKEM_PARMS` = { `symmetric` TPMT_SYM_DEF_OBJECT+, `parameterSet` UINT16
//!   (1 = ML-KEM-512, 2 = 768, 3 = 1024) }.
//! - `unique` for both = a TPM2B holding the FIPS 203/204 encoded public key.

use vtrust_crypto::hash::HashAlg;
use vtrust_crypto::kem::KemAlg;
use vtrust_crypto::sign::SignatureAlg;
use vtrust_wire::{DecodeError, EncodeError, Reader, Writer};

use super::{MAX_DIGEST, alg_of_hash, read_2b, read_hash, read_hash_or_null, write_2b};
use crate::constants::alg;

/// TPMA_OBJECT bits (Part 2 §8.3).
pub(crate) mod attr {
    pub(crate) const FIXED_TPM: u32 = 1 << 1;
    pub(crate) const FIXED_PARENT: u32 = 1 << 4;
    pub(crate) const SENSITIVE_DATA_ORIGIN: u32 = 1 << 5;
    pub(crate) const USER_WITH_AUTH: u32 = 1 << 6;
    pub(crate) const NO_DA: u32 = 1 << 10;
    pub(crate) const RESTRICTED: u32 = 1 << 16;
    pub(crate) const DECRYPT: u32 = 1 << 17;
    pub(crate) const SIGN: u32 = 1 << 18;
    /// Bits Part 2 §8.3.1 reserves (0, 3, 8, 9, 12-15, 20-31; 19 = x509sign is allowed).
    pub(crate) const RESERVED: u32 = 0xFFF0_F309;
}

/// The largest ML-DSA / ML-KEM public key (ML-DSA-87, 2592 bytes).
pub(crate) const MAX_PQC_PUBLIC: usize = 2592;
/// Largest ECC coordinate (P-384 here).
pub(crate) const MAX_ECC_COORD: usize = 48;

/// TPMT_SYM_DEF_OBJECT+ (Part 2 §11.1.7): AES with CFB, or TPM_ALG_NULL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SymDef {
    /// algorithm; `alg::NULL` for none.
    pub algorithm: u16,
    pub key_bits: u16,
    pub mode: u16,
}

impl SymDef {
    pub(crate) const NULL: Self = Self {
        algorithm: alg::NULL,
        key_bits: 0,
        mode: 0,
    };

    pub(crate) fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let algorithm = r.u16_be("symmetric")?;
        match algorithm {
            alg::NULL => Ok(Self::NULL),
            alg::AES => {
                let key_bits = r.u16_be("keyBits")?;
                let mode = r.u16_be("mode")?;
                if !matches!(key_bits, 128 | 192 | 256) {
                    return Err(DecodeError::invalid_value("keyBits"));
                }
                if mode != alg::CFB {
                    return Err(DecodeError::invalid_value("mode"));
                }
                Ok(Self {
                    algorithm,
                    key_bits,
                    mode,
                })
            }
            _ => Err(DecodeError::invalid_value("symmetric")),
        }
    }

    pub(crate) fn encode(&self, w: &mut Writer) -> Result<(), EncodeError> {
        w.u16_be("symmetric", self.algorithm)?;
        if self.algorithm != alg::NULL {
            w.u16_be("keyBits", self.key_bits)?;
            w.u16_be("mode", self.mode)?;
        }
        Ok(())
    }
}

/// TPM_ECC_CURVE (Part 2 §6.4) this TPM supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Curve {
    /// TPM_ECC_NIST_P256 (0x0003).
    P256,
    /// TPM_ECC_NIST_P384 (0x0004).
    P384,
}

impl Curve {
    pub(crate) fn id(self) -> u16 {
        match self {
            Curve::P256 => 3,
            Curve::P384 => 4,
        }
    }
    pub(crate) fn coord_len(self) -> usize {
        match self {
            Curve::P256 => 32,
            Curve::P384 => 48,
        }
    }
}

/// ML-DSA parameter sets (1.85 TPMI_MLDSA_PARAMETER_SET, assumed ids 1-3).
pub(crate) fn mldsa_from_set(set: u16) -> Option<SignatureAlg> {
    match set {
        1 => Some(SignatureAlg::MlDsa44),
        2 => Some(SignatureAlg::MlDsa65),
        3 => Some(SignatureAlg::MlDsa87),
        _ => None,
    }
}

/// ML-KEM parameter sets (1.85 TPMI_MLKEM_PARAMETER_SET, assumed ids 1-3).
pub(crate) fn mlkem_from_set(set: u16) -> Option<KemAlg> {
    match set {
        1 => Some(KemAlg::MlKem512),
        2 => Some(KemAlg::MlKem768),
        3 => Some(KemAlg::MlKem1024),
        _ => None,
    }
}

/// The type-specific part of TPMT_PUBLIC: TPMU_PUBLIC_PARMS and TPMU_PUBLIC_ID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum KeyParms {
    /// TPMS_ECC_PARMS + TPMS_ECC_POINT.
    Ecc {
        symmetric: SymDef,
        /// scheme (TPMT_ECC_SCHEME): `None` for TPM_ALG_NULL, else ECDSA with this hash.
        scheme: Option<HashAlg>,
        curve: Curve,
        /// kdf (TPMT_KDF_SCHEME): only TPM_ALG_NULL is supported.
        x: Vec<u8>,
        y: Vec<u8>,
    },
    /// TPMS_MLDSA_PARMS + TPM2B_PUBLIC_KEY_MLDSA (1.85, see module docs).
    MlDsa {
        parameter_set: u16,
        allow_external_mu: bool,
        public: Vec<u8>,
    },
    /// TPMS_MLKEM_PARMS + TPM2B_PUBLIC_KEY_MLKEM (1.85, see module docs).
    MlKem {
        symmetric: SymDef,
        parameter_set: u16,
        public: Vec<u8>,
    },
}

/// TPMT_PUBLIC (Part 2 §12.2.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Public {
    /// nameAlg.
    pub name_alg: HashAlg,
    /// objectAttributes (TPMA_OBJECT).
    pub attributes: u32,
    /// authPolicy (TPM2B_DIGEST).
    pub auth_policy: Vec<u8>,
    /// parameters and unique.
    pub parms: KeyParms,
}

impl Public {
    pub(crate) fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let ty = r.u16_be("type")?;
        let name_alg = read_hash(r, "nameAlg")?;
        let attributes = r.u32_be("objectAttributes")?;
        if attributes & attr::RESERVED != 0 {
            return Err(DecodeError::invalid_value("objectAttributes"));
        }
        let auth_policy = read_2b(r, "authPolicy", MAX_DIGEST)?.to_vec();
        let parms = match ty {
            alg::ECC => {
                let symmetric = SymDef::decode(r)?;
                let scheme = match r.u16_be("scheme")? {
                    alg::NULL => None,
                    alg::ECDSA => Some(read_hash(r, "hashAlg")?),
                    _ => return Err(DecodeError::invalid_value("scheme")),
                };
                let curve = match r.u16_be("curveID")? {
                    3 => Curve::P256,
                    4 => Curve::P384,
                    _ => return Err(DecodeError::invalid_value("curveID")),
                };
                if r.u16_be("kdf")? != alg::NULL {
                    return Err(DecodeError::invalid_value("kdf"));
                }
                let x = read_2b(r, "x", MAX_ECC_COORD)?.to_vec();
                let y = read_2b(r, "y", MAX_ECC_COORD)?.to_vec();
                KeyParms::Ecc {
                    symmetric,
                    scheme,
                    curve,
                    x,
                    y,
                }
            }
            alg::MLDSA => {
                let parameter_set = r.u16_be("parameterSet")?;
                mldsa_from_set(parameter_set).ok_or(DecodeError::invalid_value("parameterSet"))?;
                let allow_external_mu = match r.u8("allowExternalMu")? {
                    0 => false,
                    1 => true,
                    _ => return Err(DecodeError::invalid_value("allowExternalMu")),
                };
                let public = read_2b(r, "unique", MAX_PQC_PUBLIC)?.to_vec();
                KeyParms::MlDsa {
                    parameter_set,
                    allow_external_mu,
                    public,
                }
            }
            alg::MLKEM => {
                let symmetric = SymDef::decode(r)?;
                let parameter_set = r.u16_be("parameterSet")?;
                mlkem_from_set(parameter_set).ok_or(DecodeError::invalid_value("parameterSet"))?;
                let public = read_2b(r, "unique", MAX_PQC_PUBLIC)?.to_vec();
                KeyParms::MlKem {
                    symmetric,
                    parameter_set,
                    public,
                }
            }
            _ => return Err(DecodeError::invalid_value("type")),
        };
        Ok(Self {
            name_alg,
            attributes,
            auth_policy,
            parms,
        })
    }

    /// The TPM_ALG_ID of `type`.
    pub(crate) fn type_alg(&self) -> u16 {
        match self.parms {
            KeyParms::Ecc { .. } => alg::ECC,
            KeyParms::MlDsa { .. } => alg::MLDSA,
            KeyParms::MlKem { .. } => alg::MLKEM,
        }
    }

    pub(crate) fn encode(&self, w: &mut Writer) -> Result<(), EncodeError> {
        w.u16_be("type", self.type_alg())?;
        w.u16_be("nameAlg", alg_of_hash(self.name_alg))?;
        w.u32_be("objectAttributes", self.attributes)?;
        write_2b(w, "authPolicy", &self.auth_policy)?;
        match &self.parms {
            KeyParms::Ecc {
                symmetric,
                scheme,
                curve,
                x,
                y,
            } => {
                symmetric.encode(w)?;
                match scheme {
                    None => w.u16_be("scheme", alg::NULL)?,
                    Some(h) => {
                        w.u16_be("scheme", alg::ECDSA)?;
                        w.u16_be("hashAlg", alg_of_hash(*h))?;
                    }
                }
                w.u16_be("curveID", curve.id())?;
                w.u16_be("kdf", alg::NULL)?;
                write_2b(w, "x", x)?;
                write_2b(w, "y", y)
            }
            KeyParms::MlDsa {
                parameter_set,
                allow_external_mu,
                public,
            } => {
                w.u16_be("parameterSet", *parameter_set)?;
                w.u8("allowExternalMu", u8::from(*allow_external_mu))?;
                write_2b(w, "unique", public)
            }
            KeyParms::MlKem {
                symmetric,
                parameter_set,
                public,
            } => {
                symmetric.encode(w)?;
                w.u16_be("parameterSet", *parameter_set)?;
                write_2b(w, "unique", public)
            }
        }
    }

    pub(crate) fn to_bytes(&self) -> Result<Vec<u8>, EncodeError> {
        let mut w = Writer::new();
        self.encode(&mut w)?;
        Ok(w.into_vec())
    }
}

/// Reads TPM2B_PUBLIC (Part 2 §12.2.5): the size must cover the TPMT_PUBLIC exactly.
pub(crate) fn read_2b_public(r: &mut Reader<'_>) -> Result<Public, DecodeError> {
    let mut inner = r.prefixed("inPublic", vtrust_wire::LengthPrefix::U16Be, 4096)?;
    let p = Public::decode(&mut inner)?;
    inner.expect_end("inPublic")?;
    Ok(p)
}

/// TPMT_PUBLIC_PARMS (Part 2 §12.2.3.8) for TestParms: type then parameters.
pub(crate) fn read_public_parms(r: &mut Reader<'_>) -> Result<(), DecodeError> {
    let ty = r.u16_be("type")?;
    match ty {
        alg::ECC => {
            SymDef::decode(r)?;
            match r.u16_be("scheme")? {
                alg::NULL => {}
                alg::ECDSA => {
                    read_hash(r, "hashAlg")?;
                }
                _ => return Err(DecodeError::invalid_value("scheme")),
            }
            if !matches!(r.u16_be("curveID")?, 3 | 4) {
                return Err(DecodeError::invalid_value("curveID"));
            }
            read_hash_or_null(r, "kdf").and_then(|k| {
                if k.is_some() {
                    Err(DecodeError::invalid_value("kdf"))
                } else {
                    Ok(())
                }
            })
        }
        alg::MLDSA => {
            let set = r.u16_be("parameterSet")?;
            mldsa_from_set(set).ok_or(DecodeError::invalid_value("parameterSet"))?;
            if r.u8("allowExternalMu")? > 1 {
                return Err(DecodeError::invalid_value("allowExternalMu"));
            }
            Ok(())
        }
        alg::MLKEM => {
            SymDef::decode(r)?;
            let set = r.u16_be("parameterSet")?;
            mlkem_from_set(set).ok_or(DecodeError::invalid_value("parameterSet"))?;
            Ok(())
        }
        _ => Err(DecodeError::invalid_value("type")),
    }
}
