//! Certificate signature AlgorithmIdentifiers <-> [`SignatureAlg`], both directions: which
//! X.509 signature algorithms we verify (and generate), with their parameter rules.
//!
//! | algorithm | OID | parameters |
//! |---|---|---|
//! | ecdsa-with-SHA256/384/512 | 1.2.840.10045.4.3.2/3/4 | absent (RFC 5758 §3.2) |
//! | sha256/384/512WithRSAEncryption | 1.2.840.113549.1.1.11/12/13 | NULL (RFC 4055 §5; absent tolerated) |
//! | id-RSASSA-PSS | 1.2.840.113549.1.1.10 | RSASSA-PSS-params (RFC 4055 §3.1): SHA-256/384/512, MGF1 with the same hash, salt = hash length, trailer 1 |
//! | id-Ed25519 | 1.3.101.112 | absent (RFC 8410 §3) |
//! | id-ml-dsa-44/65/87 | 2.16.840.1.101.3.4.3.17/18/19 | absent (RFC 9881; pure ML-DSA, empty context) |
//!
//! ECDSA pairs each curve with its own hash (P-256/SHA-256, P-384/SHA-384, P-521/SHA-512):
//! the crypto provider's [`SignatureAlg`] has no cross pairs.

use const_oid::ObjectIdentifier;
use der::asn1::Null;
use der::{Decode, Encode, Sequence};
use spki::AlgorithmIdentifierOwned;
use vtrust_crypto::hash::HashAlg;
use vtrust_crypto::sign::SignatureAlg;

const ECDSA_WITH_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
const ECDSA_WITH_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3");
const ECDSA_WITH_SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.4");
const SHA256_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
const SHA384_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.12");
const SHA512_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.13");
const RSASSA_PSS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");
const MGF1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.8");
const SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.2");
const SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.3");
const ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
const ML_DSA_44: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.3.17");
const ML_DSA_65: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.3.18");
const ML_DSA_87: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.3.19");

/// The DER of NULL, as `AlgorithmIdentifier.parameters`.
const NULL_DER: [u8; 2] = [0x05, 0x00];

/// Why an AlgorithmIdentifier was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AlgError {
    /// An algorithm or parameter set we do not implement.
    Unsupported,
    /// Parameters that break the algorithm's encoding rules.
    Malformed(&'static str),
}

/// RSASSA-PSS-params (RFC 4055 §3.1). Every field has a DEFAULT (SHA-1, MGF1-SHA-1, 20, 1);
/// DER omits a field equal to its default, so absent fields here mean the SHA-1 defaults,
/// which we do not support.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct RsaPssParams {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    hash_algorithm: Option<AlgorithmIdentifierOwned>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    mask_gen_algorithm: Option<AlgorithmIdentifierOwned>,
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", optional = "true")]
    salt_length: Option<u32>,
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT", optional = "true")]
    trailer_field: Option<u32>,
}

fn hash_oid(hash: HashAlg) -> Option<ObjectIdentifier> {
    match hash {
        HashAlg::Sha256 => Some(SHA256),
        HashAlg::Sha384 => Some(SHA384),
        HashAlg::Sha512 => Some(SHA512),
        _ => None,
    }
}

fn hash_from_oid(oid: ObjectIdentifier) -> Option<HashAlg> {
    match oid {
        SHA256 => Some(HashAlg::Sha256),
        SHA384 => Some(HashAlg::Sha384),
        SHA512 => Some(HashAlg::Sha512),
        _ => None,
    }
}

/// Whether `params` is absent or NULL.
fn absent_or_null(params: Option<&der::asn1::Any>) -> bool {
    match params {
        None => true,
        Some(any) => any.to_der().is_ok_and(|d| d == NULL_DER),
    }
}

/// A hash AlgorithmIdentifier inside RSASSA-PSS-params (parameters NULL or absent, RFC 4055
/// §2.1: "implementations MUST accept both").
fn pss_hash(alg: &AlgorithmIdentifierOwned) -> Result<HashAlg, AlgError> {
    if !absent_or_null(alg.parameters.as_ref()) {
        return Err(AlgError::Malformed(
            "hash parameters must be NULL or absent",
        ));
    }
    hash_from_oid(alg.oid).ok_or(AlgError::Unsupported)
}

fn rsa_pss(params: Option<&der::asn1::Any>) -> Result<SignatureAlg, AlgError> {
    let params = params.ok_or(AlgError::Malformed("RSASSA-PSS needs parameters"))?;
    let der = params
        .to_der()
        .map_err(|_| AlgError::Malformed("RSASSA-PSS parameters do not encode"))?;
    let params = RsaPssParams::from_der(&der)
        .map_err(|_| AlgError::Malformed("RSASSA-PSS parameters do not parse"))?;
    // Absent hashAlgorithm means the SHA-1 default.
    let hash = pss_hash(
        params
            .hash_algorithm
            .as_ref()
            .ok_or(AlgError::Unsupported)?,
    )?;
    let mgf = params
        .mask_gen_algorithm
        .as_ref()
        .ok_or(AlgError::Unsupported)?;
    if mgf.oid != MGF1 {
        return Err(AlgError::Unsupported);
    }
    let mgf_params = mgf
        .parameters
        .as_ref()
        .ok_or(AlgError::Malformed("MGF1 needs a hash parameter"))?
        .to_der()
        .map_err(|_| AlgError::Malformed("MGF1 parameters do not encode"))?;
    let mgf_hash = AlgorithmIdentifierOwned::from_der(&mgf_params)
        .map_err(|_| AlgError::Malformed("MGF1 parameters do not parse"))?;
    if pss_hash(&mgf_hash)? != hash {
        return Err(AlgError::Unsupported);
    }
    // Absent saltLength means 20, below every supported hash length.
    let salt = params.salt_length.ok_or(AlgError::Unsupported)?;
    if usize::try_from(salt).ok() != Some(hash.output_len()) {
        return Err(AlgError::Unsupported);
    }
    if params.trailer_field.is_some_and(|t| t != 1) {
        return Err(AlgError::Unsupported);
    }
    match hash {
        HashAlg::Sha256 => Ok(SignatureAlg::RsaPssSha256),
        HashAlg::Sha384 => Ok(SignatureAlg::RsaPssSha384),
        _ => Ok(SignatureAlg::RsaPssSha512),
    }
}

/// The [`SignatureAlg`] a certificate's `signatureAlgorithm` names.
pub(crate) fn signature_alg(alg: &AlgorithmIdentifierOwned) -> Result<SignatureAlg, AlgError> {
    let params = alg.parameters.as_ref();
    let require_absent = |sig| {
        if params.is_none() {
            Ok(sig)
        } else {
            Err(AlgError::Malformed("parameters must be absent"))
        }
    };
    let require_null = |sig| {
        if absent_or_null(params) {
            Ok(sig)
        } else {
            Err(AlgError::Malformed("parameters must be NULL"))
        }
    };
    match alg.oid {
        ECDSA_WITH_SHA256 => require_absent(SignatureAlg::EcdsaP256Sha256),
        ECDSA_WITH_SHA384 => require_absent(SignatureAlg::EcdsaP384Sha384),
        ECDSA_WITH_SHA512 => require_absent(SignatureAlg::EcdsaP521Sha512),
        SHA256_WITH_RSA => require_null(SignatureAlg::RsaPkcs1Sha256),
        SHA384_WITH_RSA => require_null(SignatureAlg::RsaPkcs1Sha384),
        SHA512_WITH_RSA => require_null(SignatureAlg::RsaPkcs1Sha512),
        RSASSA_PSS => rsa_pss(params),
        ED25519 => require_absent(SignatureAlg::Ed25519),
        ML_DSA_44 => require_absent(SignatureAlg::MlDsa44),
        ML_DSA_65 => require_absent(SignatureAlg::MlDsa65),
        ML_DSA_87 => require_absent(SignatureAlg::MlDsa87),
        _ => Err(AlgError::Unsupported),
    }
}

/// The AlgorithmIdentifier we write for `alg` (the inverse of [`signature_alg`]).
pub(crate) fn algorithm_identifier(alg: SignatureAlg) -> der::Result<AlgorithmIdentifierOwned> {
    let null = || der::asn1::Any::encode_from(&Null);
    let (oid, parameters) = match alg {
        SignatureAlg::EcdsaP256Sha256 => (ECDSA_WITH_SHA256, None),
        SignatureAlg::EcdsaP384Sha384 => (ECDSA_WITH_SHA384, None),
        SignatureAlg::EcdsaP521Sha512 => (ECDSA_WITH_SHA512, None),
        SignatureAlg::RsaPkcs1Sha256 => (SHA256_WITH_RSA, Some(null()?)),
        SignatureAlg::RsaPkcs1Sha384 => (SHA384_WITH_RSA, Some(null()?)),
        SignatureAlg::RsaPkcs1Sha512 => (SHA512_WITH_RSA, Some(null()?)),
        SignatureAlg::RsaPssSha256 | SignatureAlg::RsaPssSha384 | SignatureAlg::RsaPssSha512 => {
            let hash = alg.hash().ok_or(der::ErrorKind::Failed)?;
            let hash_alg = AlgorithmIdentifierOwned {
                oid: hash_oid(hash).ok_or(der::ErrorKind::Failed)?,
                parameters: None,
            };
            let mgf = AlgorithmIdentifierOwned {
                oid: MGF1,
                parameters: Some(der::asn1::Any::encode_from(&hash_alg)?),
            };
            let params = RsaPssParams {
                hash_algorithm: Some(hash_alg),
                mask_gen_algorithm: Some(mgf),
                salt_length: Some(
                    u32::try_from(hash.output_len()).map_err(|_| der::ErrorKind::Failed)?,
                ),
                trailer_field: None,
            };
            (RSASSA_PSS, Some(der::asn1::Any::encode_from(&params)?))
        }
        SignatureAlg::Ed25519 => (ED25519, None),
        SignatureAlg::MlDsa44 => (ML_DSA_44, None),
        SignatureAlg::MlDsa65 => (ML_DSA_65, None),
        SignatureAlg::MlDsa87 => (ML_DSA_87, None),
    };
    Ok(AlgorithmIdentifierOwned { oid, parameters })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_algorithm_round_trips() {
        for alg in SignatureAlg::ALL {
            let id = algorithm_identifier(alg).unwrap();
            assert_eq!(signature_alg(&id), Ok(alg), "{alg}");
        }
    }

    #[test]
    fn pss_with_sha1_defaults_is_unsupported() {
        let id = AlgorithmIdentifierOwned {
            oid: RSASSA_PSS,
            parameters: Some(der::asn1::Any::from_der(&[0x30, 0x00]).unwrap()),
        };
        assert_eq!(signature_alg(&id), Err(AlgError::Unsupported));
    }

    #[test]
    fn pss_with_other_salt_is_unsupported() {
        let mut id = algorithm_identifier(SignatureAlg::RsaPssSha256).unwrap();
        let der = id.parameters.as_ref().unwrap().to_der().unwrap();
        let mut params = RsaPssParams::from_der(&der).unwrap();
        params.salt_length = Some(20);
        id.parameters = Some(der::asn1::Any::encode_from(&params).unwrap());
        assert_eq!(signature_alg(&id), Err(AlgError::Unsupported));
    }

    #[test]
    fn ecdsa_with_parameters_is_malformed() {
        let mut id = algorithm_identifier(SignatureAlg::EcdsaP256Sha256).unwrap();
        id.parameters = Some(der::asn1::Any::encode_from(&Null).unwrap());
        assert!(matches!(signature_alg(&id), Err(AlgError::Malformed(_))));
    }
}
