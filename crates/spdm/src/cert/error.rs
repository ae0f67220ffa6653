//! [`ChainError`]: why a certificate chain was refused, naming the certificate (its index in
//! the chain, 0 = the first certificate, normally the root) and the rule.

use const_oid::ObjectIdentifier;
use vtrust_crypto::sign::KeyType;
use vtrust_wire::DecodeError;

use super::Timestamp;

/// A refused certificate chain: which certificate (`index`, 0 = first in the chain) broke which
/// rule. [`ChainError::kind`] sorts the variants into malformed input, our limits, policy
/// refusals and unsupported algorithms.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChainError {
    // ---- our limits ----
    /// The chain is larger than [`ParseOptions::max_len`](super::ParseOptions::max_len) (or
    /// than its Length field can express, when writing).
    #[error("Certificate chain of {len} bytes exceeds the limit of {max}")]
    TooLarge {
        /// The chain's length in bytes.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The chain holds more certificates than
    /// [`ParseOptions::max_certs`](super::ParseOptions::max_certs).
    #[error("Certificate chain holds more than {max} certificates")]
    TooDeep {
        /// The limit.
        max: usize,
    },

    // ---- malformed ----
    /// The chain header (Length, Reserved, RootHash) is truncated.
    #[error("Certificate chain header: {0}")]
    Header(DecodeError),
    /// The header's Length field does not equal the chain's length.
    #[error("Certificate chain Length field says {declared} bytes, the chain has {actual}")]
    LengthMismatch {
        /// The Length field.
        declared: usize,
        /// The bytes given.
        actual: usize,
    },
    /// The chain has a header but no certificate.
    #[error("Certificate chain holds no certificate")]
    NoCertificates,
    /// A certificate is not well-formed DER X.509 (RFC 5280 §4.1), or breaks a structural MUST
    /// (duplicate extension, signature algorithm differing from the TBSCertificate's).
    #[error("Certificate {index} is malformed: {reason}")]
    Malformed {
        /// The certificate.
        index: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// A trust anchor given to [`TrustAnchor::from_der`](super::TrustAnchor::from_der) is not
    /// a usable certificate.
    #[error("Trust anchor rejected: {reason}")]
    InvalidAnchor {
        /// What is wrong.
        reason: &'static str,
    },

    // ---- policy: the chain is well-formed but not acceptable ----
    /// RootHash is not the hash of the chain's root certificate (DSP0274 certificate chain
    /// format: "RootHash: digest of the Root Certificate").
    #[error("RootHash does not match the root certificate")]
    RootHashMismatch,
    /// The chain's root is none of the trust anchors (byte-equal DER), or, for a chain that
    /// does not carry its root, no trust anchor hashes to RootHash.
    #[error("Root certificate is not a trust anchor")]
    UntrustedRoot,
    /// The chain does not carry its root certificate and the policy has no trust anchor to
    /// take it from, so nothing can check RootHash.
    #[error("Certificate chain does not carry its root and no trust anchor was given")]
    RootNotInChain,
    /// Not an X.509 v3 certificate (DSP0274: "X.509 v3"; RFC 5280 §4.1.2.1).
    #[error("Certificate {index} is not X.509 v3")]
    NotV3 {
        /// The certificate.
        index: usize,
    },
    /// The issuer's key is of another type than the signature algorithm needs.
    #[error("Certificate {index} is signed with an algorithm its issuer's key cannot use")]
    SignatureAlgorithmMismatch {
        /// The certificate.
        index: usize,
    },
    /// The signature does not verify under the issuer's public key (RFC 5280 §6.1.3 (a)(1)).
    #[error("Certificate {index} has a bad signature")]
    BadSignature {
        /// The certificate.
        index: usize,
    },
    /// The issuer name is not the subject name of the certificate before it (RFC 5280
    /// §6.1.3 (a)(4)).
    #[error("Certificate {index} issuer is not the previous certificate's subject")]
    IssuerMismatch {
        /// The certificate.
        index: usize,
    },
    /// `now` is before notBefore (RFC 5280 §6.1.3 (a)(2)).
    #[error("Certificate {index} is not valid before {not_before}")]
    NotYetValid {
        /// The certificate.
        index: usize,
        /// Its notBefore.
        not_before: Timestamp,
    },
    /// `now` is after notAfter (RFC 5280 §6.1.3 (a)(2)).
    #[error("Certificate {index} expired at {not_after}")]
    Expired {
        /// The certificate.
        index: usize,
        /// Its notAfter.
        not_after: Timestamp,
    },
    /// A critical extension we do not process (RFC 5280 §4.2: "A certificate-using system
    /// MUST reject the certificate if it encounters a critical extension it does not
    /// recognize").
    #[error("Certificate {index} has an unknown critical extension {oid}")]
    UnknownCriticalExtension {
        /// The certificate.
        index: usize,
        /// The extension.
        oid: ObjectIdentifier,
    },
    /// An issuing certificate (root or intermediate) without basicConstraints cA=TRUE (RFC
    /// 5280 §6.1.4 (k)).
    #[error("Certificate {index} issues a certificate but is not a CA")]
    NotACa {
        /// The certificate.
        index: usize,
    },
    /// An issuing certificate whose keyUsage lacks keyCertSign (RFC 5280 §6.1.4 (n)).
    #[error("Certificate {index} issues a certificate but its keyUsage lacks keyCertSign")]
    MissingKeyCertSign {
        /// The certificate.
        index: usize,
    },
    /// More intermediate certificates follow than the issuer's pathLenConstraint allows (RFC
    /// 5280 §6.1.4 (l), (m)).
    #[error("Certificate {index} has pathLenConstraint {path_len}, exceeded by the chain")]
    PathLenExceeded {
        /// The certificate with the constraint.
        index: usize,
        /// Its pathLenConstraint.
        path_len: u8,
    },
    /// The leaf is a CA, or its basicConstraints carry a pathLenConstraint (libspdm accepts
    /// only the empty SEQUENCE, i.e. cA=FALSE).
    #[error("Leaf certificate {index} is a CA")]
    LeafIsCa {
        /// The leaf.
        index: usize,
    },
    /// The leaf has no basicConstraints, mandatory from SPDM 1.3 (see
    /// [`ValidationPolicy::require_leaf_basic_constraints`](super::ValidationPolicy::require_leaf_basic_constraints)).
    #[error("Leaf certificate {index} has no basicConstraints")]
    MissingBasicConstraints {
        /// The leaf.
        index: usize,
    },
    /// The leaf has no keyUsage (see
    /// [`ValidationPolicy::require_leaf_key_usage`](super::ValidationPolicy::require_leaf_key_usage)).
    #[error("Leaf certificate {index} has no keyUsage")]
    MissingKeyUsage {
        /// The leaf.
        index: usize,
    },
    /// The leaf's keyUsage lacks digitalSignature.
    #[error("Leaf certificate {index} keyUsage lacks digitalSignature")]
    NoDigitalSignature {
        /// The leaf.
        index: usize,
    },
    /// The leaf's extendedKeyUsage names the other SPDM role only (a Responder leaf with
    /// id-DMTF-eku-requester-auth and without id-DMTF-eku-responder-auth, or the reverse).
    #[error("Leaf certificate {index} extendedKeyUsage is for the other SPDM role")]
    WrongEku {
        /// The leaf.
        index: usize,
    },
    /// The leaf's key is not of the negotiated type.
    #[error("Leaf key is {found}, the negotiated algorithm needs {expected}")]
    WrongLeafKeyType {
        /// The negotiated key type.
        expected: KeyType,
        /// The leaf's.
        found: KeyType,
    },
    /// The leaf's RSA modulus is not of the negotiated size.
    #[error("Leaf RSA key has {found_bits} bits, the negotiated algorithm needs {expected_bits}")]
    WrongLeafKeySize {
        /// The negotiated size.
        expected_bits: usize,
        /// The leaf's.
        found_bits: usize,
    },

    // ---- unsupported ----
    /// A signature algorithm (or RSASSA-PSS parameter set) we do not verify.
    #[error("Certificate {index} uses the unsupported signature algorithm {oid}")]
    UnsupportedSignatureAlgorithm {
        /// The certificate.
        index: usize,
        /// The algorithm identifier.
        oid: ObjectIdentifier,
    },
    /// A public key type we do not support (brainpool, X25519, RSASSA-PSS-restricted keys,
    /// RSA outside 2048-8192 bits, ...).
    #[error("Certificate {index} has an unsupported public key: {reason}")]
    UnsupportedKey {
        /// The certificate.
        index: usize,
        /// Why.
        reason: &'static str,
    },
}

/// The class of a [`ChainError`] (DESIGN.md: malformed input, well-formed but forbidden,
/// unsupported, and our own limits are told apart).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ChainErrorKind {
    /// The bytes are not a well-formed chain.
    Malformed,
    /// Above a limit we set.
    Limit,
    /// Well-formed, but refused by the rules or the policy.
    Refused,
    /// Uses an algorithm we do not implement.
    Unsupported,
}

impl ChainError {
    /// The class of this error.
    #[must_use]
    pub fn kind(&self) -> ChainErrorKind {
        match self {
            ChainError::TooLarge { .. } | ChainError::TooDeep { .. } => ChainErrorKind::Limit,
            ChainError::Header(_)
            | ChainError::LengthMismatch { .. }
            | ChainError::NoCertificates
            | ChainError::Malformed { .. }
            | ChainError::InvalidAnchor { .. } => ChainErrorKind::Malformed,
            ChainError::UnsupportedSignatureAlgorithm { .. }
            | ChainError::UnsupportedKey { .. } => ChainErrorKind::Unsupported,
            _ => ChainErrorKind::Refused,
        }
    }

    /// The index of the certificate at fault, where one is.
    #[must_use]
    pub fn index(&self) -> Option<usize> {
        match *self {
            ChainError::Malformed { index, .. }
            | ChainError::NotV3 { index }
            | ChainError::SignatureAlgorithmMismatch { index }
            | ChainError::BadSignature { index }
            | ChainError::IssuerMismatch { index }
            | ChainError::NotYetValid { index, .. }
            | ChainError::Expired { index, .. }
            | ChainError::UnknownCriticalExtension { index, .. }
            | ChainError::NotACa { index }
            | ChainError::MissingKeyCertSign { index }
            | ChainError::PathLenExceeded { index, .. }
            | ChainError::LeafIsCa { index }
            | ChainError::MissingBasicConstraints { index }
            | ChainError::MissingKeyUsage { index }
            | ChainError::NoDigitalSignature { index }
            | ChainError::WrongEku { index }
            | ChainError::UnsupportedSignatureAlgorithm { index, .. }
            | ChainError::UnsupportedKey { index, .. } => Some(index),
            _ => None,
        }
    }
}

impl From<DecodeError> for ChainError {
    fn from(e: DecodeError) -> Self {
        ChainError::Header(e)
    }
}
