//! [`PublicKey`]: validated public key bytes of one [`KeyType`], built from raw bytes or a
//! SubjectPublicKeyInfo; and the provider's `verify*` methods.

use aws_lc_rs::signature::{self as aws, ParsedPublicKey, UnparsedPublicKey};

use super::{EcdsaEncoding, KeyType, SignatureAlg, der};
use crate::hash::Digest;
use crate::{CryptoProvider, Error};

/// The smallest and largest RSA modulus accepted, in bits (aws-lc's verification range).
const RSA_MIN_BITS: u32 = 2048;
const RSA_MAX_BITS: u32 = 8192;

/// A public key in its raw form, checked once when built:
///
/// | [`KeyType`] | raw form |
/// |---|---|
/// | EC P-256/384/521 | SEC1 uncompressed point `0x04 \|\| X \|\| Y` (SEC 1 v2 §2.3.3), on the curve |
/// | RSA | PKCS#1 `RSAPublicKey` DER (RFC 8017 Appendix A.1.1), canonical, 2048-8192 bits |
/// | Ed25519 | the 32-byte encoded point (RFC 8032 §5.1.5) |
/// | ML-DSA | `pkEncode` output (FIPS 204 Algorithm 22), 1312/1952/2592 bytes |
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PublicKey {
    key_type: KeyType,
    bytes: Vec<u8>,
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let head: String = self
            .bytes
            .iter()
            .take(16)
            .map(|b| format!("{b:02x}"))
            .collect();
        f.debug_struct("PublicKey")
            .field("key_type", &self.key_type)
            .field("len", &self.bytes.len())
            .field("head", &head)
            .finish()
    }
}

impl PublicKey {
    /// Builds a public key from its raw form (see the table on [`PublicKey`]), refusing
    /// anything else with [`Error::KeyRejected`]: a compressed or off-curve EC point, a
    /// SubjectPublicKeyInfo where PKCS#1 is expected, an RSA modulus outside 2048-8192 bits,
    /// a length that does not match the key type.
    pub fn from_raw(key_type: KeyType, bytes: &[u8]) -> Result<Self, Error> {
        let rejected = |reason| Error::KeyRejected {
            alg: key_type.name(),
            reason,
        };
        let bytes = match key_type {
            KeyType::Rsa => {
                if !der::looks_like_pkcs1_public_key(bytes) {
                    return Err(rejected("not a DER PKCS#1 RSAPublicKey"));
                }
                let bits = aws::RsaParameters::public_modulus_len(bytes)
                    .map_err(|_| rejected("RSAPublicKey does not parse"))?;
                if !(RSA_MIN_BITS..=RSA_MAX_BITS).contains(&bits) {
                    return Err(rejected("RSA modulus must be 2048 to 8192 bits"));
                }
                // Parse (aws-lc checks n and e) and keep aws-lc's canonical re-encoding.
                let key = aws::RsaSubjectPublicKey::from_der(bytes)
                    .map_err(|_| rejected("invalid RSA public key"))?;
                key.as_ref().to_vec()
            }
            KeyType::EcP256 | KeyType::EcP384 | KeyType::EcP521 => {
                if Some(bytes.len()) != key_type.public_key_len() || bytes.first() != Some(&0x04) {
                    return Err(rejected(
                        "EC public key must be a SEC1 uncompressed point (0x04 || X || Y)",
                    ));
                }
                let alg = match key_type {
                    KeyType::EcP384 => &aws::ECDSA_P384_SHA384_FIXED,
                    KeyType::EcP521 => &aws::ECDSA_P521_SHA512_FIXED,
                    _ => &aws::ECDSA_P256_SHA256_FIXED,
                };
                ParsedPublicKey::new(alg, bytes)
                    .map_err(|_| rejected("EC point is not on the curve"))?;
                bytes.to_vec()
            }
            KeyType::Ed25519 | KeyType::MlDsa44 | KeyType::MlDsa65 | KeyType::MlDsa87 => {
                if Some(bytes.len()) != key_type.public_key_len() {
                    return Err(Error::InvalidKeyLength {
                        alg: key_type.name(),
                        len: bytes.len(),
                    });
                }
                let alg: &'static dyn aws::VerificationAlgorithm = match key_type {
                    KeyType::Ed25519 => &aws::ED25519,
                    KeyType::MlDsa44 => &aws::ML_DSA_44,
                    KeyType::MlDsa65 => &aws::ML_DSA_65,
                    _ => &aws::ML_DSA_87,
                };
                ParsedPublicKey::new(alg, bytes).map_err(|_| rejected("invalid public key"))?;
                bytes.to_vec()
            }
        };
        Ok(Self { key_type, bytes })
    }

    /// Builds a public key from a DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7), taking the
    /// key type from its algorithm identifier: id-ecPublicKey with a named curve (P-256,
    /// P-384, P-521; RFC 5480), rsaEncryption (RFC 8017), id-Ed25519 (RFC 8410),
    /// id-ml-dsa-44/65/87. For RSA the caller then chooses PKCS#1 v1.5 or PSS and the hash
    /// through the [`SignatureAlg`] it verifies with.
    ///
    /// Malformed DER is [`Error::KeyRejected`]; a well-formed key of another algorithm or
    /// curve (X25519, brainpool, explicit curve parameters, RSASSA-PSS-restricted keys) is
    /// [`Error::Unsupported`].
    pub fn from_spki_der(der: &[u8]) -> Result<Self, Error> {
        let (key_type, key) = der::parse_spki(der)?;
        Self::from_raw(key_type, key)
    }

    /// The DER SubjectPublicKeyInfo for this key (EC keys with the named curve; RSA with
    /// NULL parameters; Ed25519 and ML-DSA without parameters).
    pub fn to_spki_der(&self) -> Vec<u8> {
        der::write_spki(self.key_type, &self.bytes)
    }

    /// The key type.
    pub fn key_type(&self) -> KeyType {
        self.key_type
    }

    /// The raw form (see the table on [`PublicKey`]).
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The SPDM / TPM form of an EC key, `X || Y` without the SEC1 prefix; `None` for other
    /// key types.
    pub fn ec_xy(&self) -> Option<&[u8]> {
        match self.key_type {
            KeyType::EcP256 | KeyType::EcP384 | KeyType::EcP521 => self.bytes.get(1..),
            _ => None,
        }
    }

    /// A key the crate derived itself from a private key: not re-validated.
    pub(super) fn from_trusted(key_type: KeyType, bytes: Vec<u8>) -> Self {
        Self { key_type, bytes }
    }

    /// Refuses a key that `alg` cannot use.
    pub(super) fn check_alg(&self, alg: SignatureAlg) -> Result<(), Error> {
        if self.key_type == alg.key_type() {
            Ok(())
        } else {
            Err(Error::KeyRejected {
                alg: alg.name(),
                reason: "public key is of another key type",
            })
        }
    }
}

/// The aws-lc-rs digest of one of our digests, checked against the signature algorithm.
pub(super) fn aws_digest(
    alg: SignatureAlg,
    digest: &Digest,
) -> Result<aws_lc_rs::digest::Digest, Error> {
    let want = alg.hash().ok_or(Error::Unsupported {
        what: "signing or verifying a digest with Ed25519 or ML-DSA (they hash internally)",
    })?;
    if digest.algorithm() != want {
        return Err(Error::Unsupported {
            what: "a digest from another hash than the signature algorithm's",
        });
    }
    let aws_alg = want.aws().ok_or(Error::Backend { alg: alg.name() })?;
    aws_lc_rs::digest::Digest::import_less_safe(digest.as_bytes(), aws_alg)
        .map_err(|_| Error::Backend { alg: alg.name() })
}

impl CryptoProvider {
    /// Verifies `sig` over `msg` (ECDSA in the fixed `r || s` encoding; ML-DSA with the
    /// empty context).
    ///
    /// [`Error::BadSignature`] if the signature does not verify or does not parse (wrong
    /// length included); [`Error::KeyRejected`] if the key is of another type than `alg`
    /// needs.
    pub fn verify(
        &self,
        alg: SignatureAlg,
        public_key: &PublicKey,
        msg: &[u8],
        sig: &[u8],
    ) -> Result<(), Error> {
        self.verify_with(alg, public_key, msg, sig, EcdsaEncoding::Fixed)
    }

    /// [`Self::verify`] with a choice of ECDSA encoding (ignored by other algorithms).
    pub fn verify_with(
        &self,
        alg: SignatureAlg,
        public_key: &PublicKey,
        msg: &[u8],
        sig: &[u8],
        encoding: EcdsaEncoding,
    ) -> Result<(), Error> {
        public_key.check_alg(alg)?;
        UnparsedPublicKey::new(alg.verification(encoding), public_key.as_bytes())
            .verify(msg, sig)
            .map_err(|_| Error::BadSignature { alg: alg.name() })
    }

    /// Verifies `sig` over a message digest computed elsewhere (TPM2_VerifySignature,
    /// virtio-crypto): ECDSA (fixed encoding) and RSA only. The digest must come from
    /// `alg.hash()`, else [`Error::Unsupported`].
    pub fn verify_digest(
        &self,
        alg: SignatureAlg,
        public_key: &PublicKey,
        digest: &Digest,
        sig: &[u8],
    ) -> Result<(), Error> {
        self.verify_digest_with(alg, public_key, digest, sig, EcdsaEncoding::Fixed)
    }

    /// [`Self::verify_digest`] with a choice of ECDSA encoding.
    pub fn verify_digest_with(
        &self,
        alg: SignatureAlg,
        public_key: &PublicKey,
        digest: &Digest,
        sig: &[u8],
        encoding: EcdsaEncoding,
    ) -> Result<(), Error> {
        public_key.check_alg(alg)?;
        let digest = aws_digest(alg, digest)?;
        UnparsedPublicKey::new(alg.verification(encoding), public_key.as_bytes())
            .verify_digest(&digest, sig)
            .map_err(|_| Error::BadSignature { alg: alg.name() })
    }

    /// Verifies an ML-DSA signature made with the FIPS 204 context string `ctx` (at most
    /// 255 bytes; SPDM 1.4 passes its signing context here). [`Error::Unsupported`] for
    /// other algorithms.
    pub fn verify_with_context(
        &self,
        alg: SignatureAlg,
        public_key: &PublicKey,
        msg: &[u8],
        ctx: &[u8],
        sig: &[u8],
    ) -> Result<(), Error> {
        let params = alg.mldsa_params().ok_or(Error::Unsupported {
            what: "a signature context string with an algorithm other than ML-DSA",
        })?;
        public_key.check_alg(alg)?;
        crate::mldsa_ctx::verify(params, public_key.as_bytes(), msg, ctx, sig)
    }
}
