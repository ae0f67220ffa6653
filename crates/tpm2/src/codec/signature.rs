//! TPMT_SIG_SCHEME (Part 2 §11.2.1.5) and TPMT_SIGNATURE (Part 2 §11.3.4) for ECDSA and
//! ML-DSA.
//!
//! **1.85 assumption**: an ML-DSA signature is `sigAlg = TPM_ALG_MLDSA` followed by
//! TPM2B_SIGNATURE_MLDSA (`UINT16 size` + FIPS 204 signature); the parameter set is implied
//! by the key (pqctoday-tpm's reading of Part 2 Table 216).

use vtrust_crypto::hash::HashAlg;
use vtrust_wire::{DecodeError, EncodeError, Reader, Writer};

use super::{alg_of_hash, read_2b, read_hash, write_2b};
use crate::codec::public::MAX_ECC_COORD;
use crate::constants::alg;

/// The largest ML-DSA signature (ML-DSA-87, FIPS 204 Table 2).
pub(crate) const MAX_MLDSA_SIGNATURE: usize = 4627;

/// TPMT_SIG_SCHEME: `None` = TPM_ALG_NULL, else ECDSA with a hash.
pub(crate) fn read_sig_scheme(r: &mut Reader<'_>) -> Result<Option<HashAlg>, DecodeError> {
    match r.u16_be("scheme")? {
        alg::NULL => Ok(None),
        alg::ECDSA => Ok(Some(read_hash(r, "hashAlg")?)),
        _ => Err(DecodeError::invalid_value("scheme")),
    }
}

/// TPMT_SIGNATURE.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Signature {
    /// TPMS_SIGNATURE_ECDSA: hash, signatureR, signatureS.
    Ecdsa {
        hash: HashAlg,
        r: Vec<u8>,
        s: Vec<u8>,
    },
    /// TPM2B_SIGNATURE_MLDSA (1.85).
    MlDsa(Vec<u8>),
}

impl Signature {
    pub(crate) fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        match r.u16_be("sigAlg")? {
            alg::ECDSA => Ok(Self::Ecdsa {
                hash: read_hash(r, "hash")?,
                r: read_2b(r, "signatureR", MAX_ECC_COORD)?.to_vec(),
                s: read_2b(r, "signatureS", MAX_ECC_COORD)?.to_vec(),
            }),
            alg::MLDSA => Ok(Self::MlDsa(
                read_2b(r, "signature", MAX_MLDSA_SIGNATURE)?.to_vec(),
            )),
            _ => Err(DecodeError::invalid_value("scheme")),
        }
    }

    pub(crate) fn encode(&self, w: &mut Writer) -> Result<(), EncodeError> {
        match self {
            Self::Ecdsa { hash, r, s } => {
                w.u16_be("sigAlg", alg::ECDSA)?;
                w.u16_be("hash", alg_of_hash(*hash))?;
                write_2b(w, "signatureR", r)?;
                write_2b(w, "signatureS", s)
            }
            Self::MlDsa(sig) => {
                w.u16_be("sigAlg", alg::MLDSA)?;
                write_2b(w, "signature", sig)
            }
        }
    }
}
