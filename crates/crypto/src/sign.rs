//! Digital signatures: ECDSA (P-256/384/521), RSASSA-PKCS1-v1_5 and RSASSA-PSS, Ed25519 and
//! ML-DSA-44/65/87.
//!
//! This module owns the algorithm identifiers ([`SignatureAlg`], [`KeyType`],
//! [`EcdsaEncoding`], [`RsaKeySize`]); [`SigningKey`] (an owned key pair, in `sign/key.rs`)
//! and [`PublicKey`] (validated public key bytes with SubjectPublicKeyInfo import and export,
//! in `sign/public.rs`). Verification is a method of the provider:
//! [`CryptoProvider::verify`](crate::CryptoProvider::verify).
//!
//! ```
//! use vtrust_crypto::{CryptoProvider, sign::{PublicKey, SignatureAlg}};
//! let provider = CryptoProvider::new();
//! let key = provider.generate_signing_key(SignatureAlg::EcdsaP384Sha384)?;
//! let sig = key.sign(b"transcript")?; // r || s, 96 bytes
//! // The peer gets the key out of a certificate's SubjectPublicKeyInfo.
//! let public = PublicKey::from_spki_der(&key.public_key().to_spki_der())?;
//! provider.verify(SignatureAlg::EcdsaP384Sha384, &public, b"transcript", &sig)?;
//! # Ok::<(), vtrust_crypto::Error>(())
//! ```
//!
//! # Randomness
//! Key generation for ECDSA, Ed25519 and ML-DSA draws from the provider's RNG, so a
//! [`crate::rng::TestRng`] gives reproducible keys. Two things do **not** use the provider's
//! RNG: RSA key generation (aws-lc generates the primes internally) and the per-signature
//! randomness of ECDSA (the nonce `k`), RSA-PSS (the salt) and ML-DSA (the hedged `rnd`),
//! which aws-lc draws itself. Ed25519 and RSASSA-PKCS1-v1_5 signatures are deterministic.
//!
//! # ML-DSA context strings
//! [`SigningKey::sign`] and [`CryptoProvider::verify`](crate::CryptoProvider::verify) are pure
//! ML-DSA with the empty context (FIPS 204 §5.2). SPDM 1.4 passes its signing context as the
//! FIPS 204 context string: use [`SigningKey::sign_with_context`] and
//! [`CryptoProvider::verify_with_context`](crate::CryptoProvider::verify_with_context).

mod der;
mod key;
mod public;
#[cfg(test)]
mod tests;

pub use key::SigningKey;
pub use public::PublicKey;

use aws_lc_rs::signature::{self as aws, VerificationAlgorithm};

use crate::hash::HashAlg;

/// A signature algorithm: key type, padding or encoding, and hash.
///
/// The names follow DSP0274's `BaseAsymAlgo` / `PqcAsymAlgo` (`TPM_ALG_ECDSA_ECC_NIST_P256`,
/// `TPM_ALG_RSASSA_3072`, `ML-DSA-65`, ...) except that RSA carries the hash and not the
/// modulus size: one RSA key of any size from 2048 to 8192 bits signs under each RSA variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignatureAlg {
    /// ECDSA over NIST P-256 with SHA-256 (FIPS 186-5 §6).
    EcdsaP256Sha256,
    /// ECDSA over NIST P-384 with SHA-384 (FIPS 186-5 §6).
    EcdsaP384Sha384,
    /// ECDSA over NIST P-521 with SHA-512 (FIPS 186-5 §6).
    EcdsaP521Sha512,
    /// RSASSA-PKCS1-v1_5 with SHA-256 (RFC 8017 §8.2).
    RsaPkcs1Sha256,
    /// RSASSA-PKCS1-v1_5 with SHA-384 (RFC 8017 §8.2).
    RsaPkcs1Sha384,
    /// RSASSA-PKCS1-v1_5 with SHA-512 (RFC 8017 §8.2).
    RsaPkcs1Sha512,
    /// RSASSA-PSS with SHA-256, MGF1-SHA-256 and a 32-byte salt (RFC 8017 §8.1; the salt
    /// length equals the hash length, as SPDM peers such as libspdm use it).
    RsaPssSha256,
    /// RSASSA-PSS with SHA-384, MGF1-SHA-384 and a 48-byte salt (RFC 8017 §8.1).
    RsaPssSha384,
    /// RSASSA-PSS with SHA-512, MGF1-SHA-512 and a 64-byte salt (RFC 8017 §8.1).
    RsaPssSha512,
    /// Ed25519, pure (RFC 8032 §5.1).
    Ed25519,
    /// ML-DSA-44 (FIPS 204), pure.
    MlDsa44,
    /// ML-DSA-65 (FIPS 204), pure.
    MlDsa65,
    /// ML-DSA-87 (FIPS 204), pure.
    MlDsa87,
}

impl SignatureAlg {
    /// Every algorithm, in declaration order.
    pub const ALL: [SignatureAlg; 13] = [
        SignatureAlg::EcdsaP256Sha256,
        SignatureAlg::EcdsaP384Sha384,
        SignatureAlg::EcdsaP521Sha512,
        SignatureAlg::RsaPkcs1Sha256,
        SignatureAlg::RsaPkcs1Sha384,
        SignatureAlg::RsaPkcs1Sha512,
        SignatureAlg::RsaPssSha256,
        SignatureAlg::RsaPssSha384,
        SignatureAlg::RsaPssSha512,
        SignatureAlg::Ed25519,
        SignatureAlg::MlDsa44,
        SignatureAlg::MlDsa65,
        SignatureAlg::MlDsa87,
    ];

    /// The algorithm's name ("ECDSA-P384-SHA384", "RSASSA-PSS-SHA256", "ML-DSA-65").
    pub const fn name(self) -> &'static str {
        match self {
            SignatureAlg::EcdsaP256Sha256 => "ECDSA-P256-SHA256",
            SignatureAlg::EcdsaP384Sha384 => "ECDSA-P384-SHA384",
            SignatureAlg::EcdsaP521Sha512 => "ECDSA-P521-SHA512",
            SignatureAlg::RsaPkcs1Sha256 => "RSASSA-PKCS1-v1_5-SHA256",
            SignatureAlg::RsaPkcs1Sha384 => "RSASSA-PKCS1-v1_5-SHA384",
            SignatureAlg::RsaPkcs1Sha512 => "RSASSA-PKCS1-v1_5-SHA512",
            SignatureAlg::RsaPssSha256 => "RSASSA-PSS-SHA256",
            SignatureAlg::RsaPssSha384 => "RSASSA-PSS-SHA384",
            SignatureAlg::RsaPssSha512 => "RSASSA-PSS-SHA512",
            SignatureAlg::Ed25519 => "Ed25519",
            SignatureAlg::MlDsa44 => "ML-DSA-44",
            SignatureAlg::MlDsa65 => "ML-DSA-65",
            SignatureAlg::MlDsa87 => "ML-DSA-87",
        }
    }

    /// The kind of key this algorithm signs with.
    pub const fn key_type(self) -> KeyType {
        match self {
            SignatureAlg::EcdsaP256Sha256 => KeyType::EcP256,
            SignatureAlg::EcdsaP384Sha384 => KeyType::EcP384,
            SignatureAlg::EcdsaP521Sha512 => KeyType::EcP521,
            SignatureAlg::RsaPkcs1Sha256
            | SignatureAlg::RsaPkcs1Sha384
            | SignatureAlg::RsaPkcs1Sha512
            | SignatureAlg::RsaPssSha256
            | SignatureAlg::RsaPssSha384
            | SignatureAlg::RsaPssSha512 => KeyType::Rsa,
            SignatureAlg::Ed25519 => KeyType::Ed25519,
            SignatureAlg::MlDsa44 => KeyType::MlDsa44,
            SignatureAlg::MlDsa65 => KeyType::MlDsa65,
            SignatureAlg::MlDsa87 => KeyType::MlDsa87,
        }
    }

    /// The hash applied to the message, which is also the hash a digest handed to
    /// [`SigningKey::sign_digest`] must come from. `None` for Ed25519 and ML-DSA, which hash
    /// internally and have no prehashed form here.
    pub const fn hash(self) -> Option<HashAlg> {
        match self {
            SignatureAlg::EcdsaP256Sha256
            | SignatureAlg::RsaPkcs1Sha256
            | SignatureAlg::RsaPssSha256 => Some(HashAlg::Sha256),
            SignatureAlg::EcdsaP384Sha384
            | SignatureAlg::RsaPkcs1Sha384
            | SignatureAlg::RsaPssSha384 => Some(HashAlg::Sha384),
            SignatureAlg::EcdsaP521Sha512
            | SignatureAlg::RsaPkcs1Sha512
            | SignatureAlg::RsaPssSha512 => Some(HashAlg::Sha512),
            SignatureAlg::Ed25519
            | SignatureAlg::MlDsa44
            | SignatureAlg::MlDsa65
            | SignatureAlg::MlDsa87 => None,
        }
    }

    /// The signature length where the algorithm fixes it: ECDSA in the fixed `r || s`
    /// encoding (2 × the coordinate length), Ed25519 (64) and ML-DSA (FIPS 204 Table 2).
    /// `None` for RSA (the modulus length) and for nothing else.
    pub const fn signature_len(self) -> Option<usize> {
        match self {
            SignatureAlg::EcdsaP256Sha256 | SignatureAlg::Ed25519 => Some(64),
            SignatureAlg::EcdsaP384Sha384 => Some(96),
            SignatureAlg::EcdsaP521Sha512 => Some(132),
            SignatureAlg::MlDsa44 => Some(2420),
            SignatureAlg::MlDsa65 => Some(3309),
            SignatureAlg::MlDsa87 => Some(4627),
            SignatureAlg::RsaPkcs1Sha256
            | SignatureAlg::RsaPkcs1Sha384
            | SignatureAlg::RsaPkcs1Sha512
            | SignatureAlg::RsaPssSha256
            | SignatureAlg::RsaPssSha384
            | SignatureAlg::RsaPssSha512 => None,
        }
    }

    /// The raw public key length where fixed (see [`KeyType::public_key_len`]).
    pub const fn public_key_len(self) -> Option<usize> {
        self.key_type().public_key_len()
    }

    /// Whether this is one of the ECDSA algorithms (the only ones [`EcdsaEncoding`] affects).
    pub const fn is_ecdsa(self) -> bool {
        matches!(
            self,
            SignatureAlg::EcdsaP256Sha256
                | SignatureAlg::EcdsaP384Sha384
                | SignatureAlg::EcdsaP521Sha512
        )
    }

    /// The aws-lc-rs verification algorithm.
    pub(crate) fn verification(
        self,
        encoding: EcdsaEncoding,
    ) -> &'static dyn VerificationAlgorithm {
        use EcdsaEncoding::{Der, Fixed};
        match (self, encoding) {
            (SignatureAlg::EcdsaP256Sha256, Fixed) => &aws::ECDSA_P256_SHA256_FIXED,
            (SignatureAlg::EcdsaP256Sha256, Der) => &aws::ECDSA_P256_SHA256_ASN1,
            (SignatureAlg::EcdsaP384Sha384, Fixed) => &aws::ECDSA_P384_SHA384_FIXED,
            (SignatureAlg::EcdsaP384Sha384, Der) => &aws::ECDSA_P384_SHA384_ASN1,
            (SignatureAlg::EcdsaP521Sha512, Fixed) => &aws::ECDSA_P521_SHA512_FIXED,
            (SignatureAlg::EcdsaP521Sha512, Der) => &aws::ECDSA_P521_SHA512_ASN1,
            (SignatureAlg::RsaPkcs1Sha256, _) => &aws::RSA_PKCS1_2048_8192_SHA256,
            (SignatureAlg::RsaPkcs1Sha384, _) => &aws::RSA_PKCS1_2048_8192_SHA384,
            (SignatureAlg::RsaPkcs1Sha512, _) => &aws::RSA_PKCS1_2048_8192_SHA512,
            (SignatureAlg::RsaPssSha256, _) => &aws::RSA_PSS_2048_8192_SHA256,
            (SignatureAlg::RsaPssSha384, _) => &aws::RSA_PSS_2048_8192_SHA384,
            (SignatureAlg::RsaPssSha512, _) => &aws::RSA_PSS_2048_8192_SHA512,
            (SignatureAlg::Ed25519, _) => &aws::ED25519,
            (SignatureAlg::MlDsa44, _) => &aws::ML_DSA_44,
            (SignatureAlg::MlDsa65, _) => &aws::ML_DSA_65,
            (SignatureAlg::MlDsa87, _) => &aws::ML_DSA_87,
        }
    }

    /// The ML-DSA parameter set of the context-string module, for ML-DSA algorithms.
    pub(crate) fn mldsa_params(self) -> Option<crate::mldsa_ctx::MlDsaParams> {
        use crate::mldsa_ctx::MlDsaParams;
        match self {
            SignatureAlg::MlDsa44 => Some(MlDsaParams::MlDsa44),
            SignatureAlg::MlDsa65 => Some(MlDsaParams::MlDsa65),
            SignatureAlg::MlDsa87 => Some(MlDsaParams::MlDsa87),
            _ => None,
        }
    }
}

impl std::fmt::Display for SignatureAlg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The kind of a public or private key, independent of padding and hash: what a
/// SubjectPublicKeyInfo names. An RSA key serves every RSA [`SignatureAlg`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyType {
    /// An EC key on NIST P-256 (RFC 5480 `secp256r1`).
    EcP256,
    /// An EC key on NIST P-384 (RFC 5480 `secp384r1`).
    EcP384,
    /// An EC key on NIST P-521 (RFC 5480 `secp521r1`).
    EcP521,
    /// An RSA key (RFC 8017 `RSAPublicKey`), 2048 to 8192 bits.
    Rsa,
    /// An Ed25519 key (RFC 8410).
    Ed25519,
    /// An ML-DSA-44 key (FIPS 204).
    MlDsa44,
    /// An ML-DSA-65 key (FIPS 204).
    MlDsa65,
    /// An ML-DSA-87 key (FIPS 204).
    MlDsa87,
}

impl KeyType {
    /// Every key type.
    pub const ALL: [KeyType; 8] = [
        KeyType::EcP256,
        KeyType::EcP384,
        KeyType::EcP521,
        KeyType::Rsa,
        KeyType::Ed25519,
        KeyType::MlDsa44,
        KeyType::MlDsa65,
        KeyType::MlDsa87,
    ];

    /// The key type's name ("EC P-256", "RSA", "ML-DSA-87").
    pub const fn name(self) -> &'static str {
        match self {
            KeyType::EcP256 => "EC P-256",
            KeyType::EcP384 => "EC P-384",
            KeyType::EcP521 => "EC P-521",
            KeyType::Rsa => "RSA",
            KeyType::Ed25519 => "Ed25519",
            KeyType::MlDsa44 => "ML-DSA-44",
            KeyType::MlDsa65 => "ML-DSA-65",
            KeyType::MlDsa87 => "ML-DSA-87",
        }
    }

    /// The length of the raw public key where fixed: SEC1 uncompressed for EC (65, 97, 133),
    /// 32 for Ed25519, FIPS 204 Table 2 for ML-DSA (1312, 1952, 2592). `None` for RSA, whose
    /// raw form is DER.
    pub const fn public_key_len(self) -> Option<usize> {
        match self {
            KeyType::EcP256 => Some(65),
            KeyType::EcP384 => Some(97),
            KeyType::EcP521 => Some(133),
            KeyType::Rsa => None,
            KeyType::Ed25519 => Some(32),
            KeyType::MlDsa44 => Some(1312),
            KeyType::MlDsa65 => Some(1952),
            KeyType::MlDsa87 => Some(2592),
        }
    }

    /// The ECDH curve of an EC key type.
    pub(crate) const fn ec_curve(self) -> Option<crate::kex::EcdhCurve> {
        use crate::kex::EcdhCurve;
        match self {
            KeyType::EcP256 => Some(EcdhCurve::P256),
            KeyType::EcP384 => Some(EcdhCurve::P384),
            KeyType::EcP521 => Some(EcdhCurve::P521),
            _ => None,
        }
    }
}

impl std::fmt::Display for KeyType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// How an ECDSA signature is encoded. Ignored by every other algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum EcdsaEncoding {
    /// `r || s`, each left-padded to the coordinate length (IEEE P1363; what SPDM and the TPM
    /// put on the wire). The default.
    #[default]
    Fixed,
    /// DER `SEQUENCE { r INTEGER, s INTEGER }` (RFC 3279 §2.2.3; X.509 certificates,
    /// virtio-crypto).
    Der,
}

/// An RSA modulus size for key generation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RsaKeySize {
    /// 2048 bits.
    Rsa2048,
    /// 3072 bits.
    Rsa3072,
    /// 4096 bits.
    Rsa4096,
}

impl RsaKeySize {
    /// The modulus length in bits.
    pub const fn bits(self) -> usize {
        match self {
            RsaKeySize::Rsa2048 => 2048,
            RsaKeySize::Rsa3072 => 3072,
            RsaKeySize::Rsa4096 => 4096,
        }
    }

    pub(crate) fn aws(self) -> aws_lc_rs::rsa::KeySize {
        match self {
            RsaKeySize::Rsa2048 => aws_lc_rs::rsa::KeySize::Rsa2048,
            RsaKeySize::Rsa3072 => aws_lc_rs::rsa::KeySize::Rsa3072,
            RsaKeySize::Rsa4096 => aws_lc_rs::rsa::KeySize::Rsa4096,
        }
    }
}
