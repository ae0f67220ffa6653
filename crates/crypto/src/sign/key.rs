//! [`SigningKey`]: an owned private key bound to one [`SignatureAlg`], its constructors on
//! the provider, signing and PKCS#8 export.

use std::sync::OnceLock;

use aws_lc_rs::encoding::AsRawBytes;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{
    self as aws, EcdsaKeyPair, Ed25519KeyPair, KeyPair as _, PqdsaKeyPair, RsaKeyPair,
};

use super::{EcdsaEncoding, KeyType, PublicKey, RsaKeySize, SignatureAlg, der, public};
use crate::hash::Digest;
use crate::kex::{self, EcdhCurve};
use crate::mldsa_ctx::MlDsaCtxKey;
use crate::{CryptoProvider, Error};

/// The private half, per key type.
enum Inner {
    Ecdsa(EcdsaKeyPair),
    Rsa(RsaKeyPair),
    Ed25519(Ed25519KeyPair),
    MlDsa {
        pair: PqdsaKeyPair,
        /// The same key loaded for signing with a context string, built on first use.
        with_context: OnceLock<MlDsaCtxKey>,
    },
}

/// A private signing key bound to one [`SignatureAlg`], with its [`PublicKey`].
///
/// Built by the provider: [`CryptoProvider::generate_signing_key`],
/// [`CryptoProvider::signing_key_from_pkcs8`], [`CryptoProvider::signing_key_from_seed`],
/// and the other `signing_key_from_*` constructors. Private key material stays inside aws-lc,
/// which clears it when the key is dropped. `Send + Sync`: one key can sign on many threads.
pub struct SigningKey {
    alg: SignatureAlg,
    inner: Inner,
    public: PublicKey,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("alg", &self.alg)
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
}

fn rejected(alg: SignatureAlg, reason: &'static str) -> Error {
    Error::KeyRejected {
        alg: alg.name(),
        reason,
    }
}

fn backend(alg: SignatureAlg) -> Error {
    Error::Backend { alg: alg.name() }
}

/// The aws-lc-rs ECDSA signing algorithm (fixed encoding) for an ECDSA `alg`.
fn ecdsa_signing(alg: SignatureAlg) -> Option<&'static aws::EcdsaSigningAlgorithm> {
    match alg {
        SignatureAlg::EcdsaP256Sha256 => Some(&aws::ECDSA_P256_SHA256_FIXED_SIGNING),
        SignatureAlg::EcdsaP384Sha384 => Some(&aws::ECDSA_P384_SHA384_FIXED_SIGNING),
        SignatureAlg::EcdsaP521Sha512 => Some(&aws::ECDSA_P521_SHA512_FIXED_SIGNING),
        _ => None,
    }
}

/// The aws-lc-rs RSA padding and hash for an RSA `alg`.
fn rsa_encoding(alg: SignatureAlg) -> Option<&'static dyn aws::RsaEncoding> {
    match alg {
        SignatureAlg::RsaPkcs1Sha256 => Some(&aws::RSA_PKCS1_SHA256),
        SignatureAlg::RsaPkcs1Sha384 => Some(&aws::RSA_PKCS1_SHA384),
        SignatureAlg::RsaPkcs1Sha512 => Some(&aws::RSA_PKCS1_SHA512),
        SignatureAlg::RsaPssSha256 => Some(&aws::RSA_PSS_SHA256),
        SignatureAlg::RsaPssSha384 => Some(&aws::RSA_PSS_SHA384),
        SignatureAlg::RsaPssSha512 => Some(&aws::RSA_PSS_SHA512),
        _ => None,
    }
}

/// The aws-lc-rs ML-DSA signing algorithm for an ML-DSA `alg`.
fn mldsa_signing(alg: SignatureAlg) -> Option<&'static aws::PqdsaSigningAlgorithm> {
    match alg {
        SignatureAlg::MlDsa44 => Some(&aws::ML_DSA_44_SIGNING),
        SignatureAlg::MlDsa65 => Some(&aws::ML_DSA_65_SIGNING),
        SignatureAlg::MlDsa87 => Some(&aws::ML_DSA_87_SIGNING),
        _ => None,
    }
}

impl SigningKey {
    fn ecdsa(alg: SignatureAlg, pair: EcdsaKeyPair) -> Self {
        let public = PublicKey::from_trusted(alg.key_type(), pair.public_key().as_ref().to_vec());
        Self {
            alg,
            inner: Inner::Ecdsa(pair),
            public,
        }
    }

    fn rsa(alg: SignatureAlg, pair: RsaKeyPair) -> Result<Self, Error> {
        let bits = pair.public_modulus_len().saturating_mul(8);
        if !(2048..=8192).contains(&bits) {
            return Err(rejected(alg, "RSA modulus must be 2048 to 8192 bits"));
        }
        let public = PublicKey::from_trusted(KeyType::Rsa, pair.public_key().as_ref().to_vec());
        Ok(Self {
            alg,
            inner: Inner::Rsa(pair),
            public,
        })
    }

    fn ed25519(pair: Ed25519KeyPair) -> Self {
        let public = PublicKey::from_trusted(KeyType::Ed25519, pair.public_key().as_ref().to_vec());
        Self {
            alg: SignatureAlg::Ed25519,
            inner: Inner::Ed25519(pair),
            public,
        }
    }

    fn mldsa(alg: SignatureAlg, pair: PqdsaKeyPair) -> Self {
        let public = PublicKey::from_trusted(alg.key_type(), pair.public_key().as_ref().to_vec());
        Self {
            alg,
            inner: Inner::MlDsa {
                pair,
                with_context: OnceLock::new(),
            },
            public,
        }
    }

    /// The algorithm this key signs with.
    pub fn alg(&self) -> SignatureAlg {
        self.alg
    }

    /// The public key.
    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// Rebinds an RSA key to another RSA algorithm (PKCS#1 v1.5 or PSS, another hash): one
    /// RSA key may serve several schemes. Any other change of algorithm is refused with
    /// [`Error::KeyRejected`].
    pub fn with_alg(self, alg: SignatureAlg) -> Result<Self, Error> {
        if alg.key_type() != self.alg.key_type() {
            return Err(rejected(alg, "private key is of another key type"));
        }
        Ok(Self { alg, ..self })
    }

    /// Signs `msg`: ECDSA in the fixed `r || s` encoding, ML-DSA with the empty context.
    ///
    /// ECDSA, RSA-PSS and ML-DSA signatures are randomized by aws-lc itself (not by the
    /// provider's RNG); Ed25519 and PKCS#1 v1.5 signatures are deterministic.
    pub fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, Error> {
        self.sign_with(msg, EcdsaEncoding::Fixed)
    }

    /// [`Self::sign`] with a choice of ECDSA encoding (ignored by other algorithms).
    pub fn sign_with(&self, msg: &[u8], encoding: EcdsaEncoding) -> Result<Vec<u8>, Error> {
        let alg = self.alg;
        match &self.inner {
            Inner::Ecdsa(pair) => {
                let sig = pair
                    .sign(&SystemRandom::new(), msg)
                    .map_err(|_| backend(alg))?;
                encode_ecdsa(alg, sig.as_ref(), encoding)
            }
            Inner::Rsa(pair) => {
                let encoding = rsa_encoding(alg).ok_or(backend(alg))?;
                let mut sig = vec![0u8; pair.public_modulus_len()];
                pair.sign(encoding, &SystemRandom::new(), msg, &mut sig)
                    .map_err(|_| backend(alg))?;
                Ok(sig)
            }
            Inner::Ed25519(pair) => pair
                .try_sign(msg)
                .map(|sig| sig.as_ref().to_vec())
                .map_err(|_| backend(alg)),
            Inner::MlDsa { pair, .. } => {
                let mut sig = vec![0u8; alg.signature_len().ok_or(backend(alg))?];
                let len = pair.sign(msg, &mut sig).map_err(|_| backend(alg))?;
                sig.truncate(len);
                Ok(sig)
            }
        }
    }

    /// Signs a digest computed elsewhere (TPM2_Sign, virtio-crypto AKCIPHER_SIGN): ECDSA
    /// (fixed encoding) and RSA only. The digest must come from `alg().hash()`, else
    /// [`Error::Unsupported`] (as for Ed25519 and ML-DSA, which hash internally).
    pub fn sign_digest(&self, digest: &Digest) -> Result<Vec<u8>, Error> {
        self.sign_digest_with(digest, EcdsaEncoding::Fixed)
    }

    /// [`Self::sign_digest`] with a choice of ECDSA encoding.
    pub fn sign_digest_with(
        &self,
        digest: &Digest,
        encoding: EcdsaEncoding,
    ) -> Result<Vec<u8>, Error> {
        let alg = self.alg;
        let digest = public::aws_digest(alg, digest)?;
        match &self.inner {
            Inner::Ecdsa(pair) => {
                let sig = pair.sign_digest(&digest).map_err(|_| backend(alg))?;
                encode_ecdsa(alg, sig.as_ref(), encoding)
            }
            Inner::Rsa(pair) => {
                let encoding = rsa_encoding(alg).ok_or(backend(alg))?;
                let mut sig = vec![0u8; pair.public_modulus_len()];
                pair.sign_digest(encoding, &digest, &mut sig)
                    .map_err(|_| backend(alg))?;
                Ok(sig)
            }
            // `aws_digest` already refused these.
            Inner::Ed25519(_) | Inner::MlDsa { .. } => Err(Error::Unsupported {
                what: "signing a digest with Ed25519 or ML-DSA",
            }),
        }
    }

    /// Signs `msg` with ML-DSA and the FIPS 204 context string `ctx` (at most 255 bytes;
    /// SPDM 1.4 passes its signing context here). [`Error::Unsupported`] for other
    /// algorithms.
    pub fn sign_with_context(&self, msg: &[u8], ctx: &[u8]) -> Result<Vec<u8>, Error> {
        let alg = self.alg;
        let (Inner::MlDsa { pair, with_context }, Some(params)) = (&self.inner, alg.mldsa_params())
        else {
            return Err(Error::Unsupported {
                what: "a signature context string with an algorithm other than ML-DSA",
            });
        };
        let key = match with_context.get() {
            Some(key) => key,
            None => {
                let expanded = pair
                    .private_key()
                    .as_raw_bytes()
                    .map_err(|_| backend(alg))?;
                let key = MlDsaCtxKey::from_expanded(params, expanded.as_ref())?;
                // A racing thread may have stored its (identical) key first; use whichever won.
                let _ = with_context.set(key);
                with_context.get().ok_or(backend(alg))?
            }
        };
        key.sign(msg, ctx)
    }

    /// The private key as unencrypted PKCS#8 v1 `PrivateKeyInfo` DER (RFC 5208): the
    /// key's secret, handle it as such. ML-DSA keys export in the seed form, which needs
    /// the seed: a key loaded from its expanded encoding cannot be exported
    /// ([`Error::Unsupported`]).
    pub fn to_pkcs8_der(&self) -> Result<Vec<u8>, Error> {
        use aws_lc_rs::encoding::AsDer;
        let alg = self.alg;
        match &self.inner {
            Inner::Ecdsa(pair) => pair.to_pkcs8v1().map(|d| d.as_ref().to_vec()),
            Inner::Rsa(pair) => pair.as_der().map(|d| d.as_ref().to_vec()),
            Inner::Ed25519(pair) => pair.to_pkcs8v1().map(|d| d.as_ref().to_vec()),
            Inner::MlDsa { pair, .. } => {
                return pair.to_pkcs8v1().map(|d| d.as_ref().to_vec()).map_err(|_| {
                    Error::Unsupported {
                        what: "PKCS#8 export of an ML-DSA key loaded without its seed",
                    }
                });
            }
        }
        .map_err(|_| backend(alg))
    }
}

/// Returns an ECDSA signature aws-lc produced in the fixed encoding, in `encoding`.
fn encode_ecdsa(
    alg: SignatureAlg,
    fixed: &[u8],
    encoding: EcdsaEncoding,
) -> Result<Vec<u8>, Error> {
    match encoding {
        EcdsaEncoding::Fixed => Ok(fixed.to_vec()),
        EcdsaEncoding::Der => der::ecdsa_fixed_to_der(fixed).ok_or(backend(alg)),
    }
}

impl CryptoProvider {
    /// Generates a key for `alg` from the provider's RNG, so that a
    /// [`crate::rng::TestRng`] yields the same key every run:
    /// - ECDSA: a scalar in `[1, n-1]` by rejection sampling (FIPS 186-5 A.2.2);
    /// - Ed25519: a 32-byte seed (RFC 8032 §5.1.5);
    /// - ML-DSA: a 32-byte seed ξ for `ML-DSA.KeyGen_internal` (FIPS 204 Algorithm 6).
    ///
    /// RSA needs a modulus size: use [`Self::generate_rsa_signing_key`] (this returns
    /// [`Error::Unsupported`] for RSA algorithms).
    pub fn generate_signing_key(&self, alg: SignatureAlg) -> Result<SigningKey, Error> {
        match alg.key_type() {
            KeyType::EcP256 | KeyType::EcP384 | KeyType::EcP521 => {
                let curve = alg.key_type().ec_curve().ok_or(backend(alg))?;
                let scalar = kex::random_scalar(self, curve)?;
                self.signing_key_from_ec_scalar(alg, scalar.as_bytes())
            }
            KeyType::Ed25519 | KeyType::MlDsa44 | KeyType::MlDsa65 | KeyType::MlDsa87 => {
                let mut seed = self.random_array::<32>()?;
                let key = self.signing_key_from_seed(alg, &seed);
                kex::wipe(&mut seed);
                key
            }
            KeyType::Rsa => Err(Error::Unsupported {
                what: "RSA key generation without a modulus size (use generate_rsa_signing_key)",
            }),
        }
    }

    /// Generates an RSA key of `size` (public exponent 65537) for the RSA algorithm `alg`.
    ///
    /// aws-lc generates the primes with its own DRBG: this does **not** use the provider's
    /// RNG and is not reproducible under a test RNG. Slow: tens to hundreds of milliseconds.
    pub fn generate_rsa_signing_key(
        &self,
        alg: SignatureAlg,
        size: RsaKeySize,
    ) -> Result<SigningKey, Error> {
        if alg.key_type() != KeyType::Rsa {
            return Err(rejected(alg, "RSA key generation for a non-RSA algorithm"));
        }
        let pair = RsaKeyPair::generate(size.aws()).map_err(|_| backend(alg))?;
        SigningKey::rsa(alg, pair)
    }

    /// Loads an unencrypted PKCS#8 `PrivateKeyInfo` (RFC 5208 / RFC 5958) for `alg`. ML-DSA
    /// accepts the seed, expanded and both forms (checked to agree). A key of another type
    /// or curve is refused with [`Error::KeyRejected`].
    pub fn signing_key_from_pkcs8(
        &self,
        alg: SignatureAlg,
        der: &[u8],
    ) -> Result<SigningKey, Error> {
        let bad = |_| rejected(alg, "not a PKCS#8 private key of this algorithm");
        match alg.key_type() {
            KeyType::EcP256 | KeyType::EcP384 | KeyType::EcP521 => {
                let signing = ecdsa_signing(alg).ok_or(backend(alg))?;
                Ok(SigningKey::ecdsa(
                    alg,
                    EcdsaKeyPair::from_pkcs8(signing, der).map_err(bad)?,
                ))
            }
            KeyType::Rsa => SigningKey::rsa(alg, RsaKeyPair::from_pkcs8(der).map_err(bad)?),
            KeyType::Ed25519 => Ok(SigningKey::ed25519(
                Ed25519KeyPair::from_pkcs8(der).map_err(bad)?,
            )),
            KeyType::MlDsa44 | KeyType::MlDsa65 | KeyType::MlDsa87 => {
                let signing = mldsa_signing(alg).ok_or(backend(alg))?;
                Ok(SigningKey::mldsa(
                    alg,
                    PqdsaKeyPair::from_pkcs8(signing, der).map_err(bad)?,
                ))
            }
        }
    }

    /// Loads a key in its algorithm's own DER private key format, as libspdm's sample keys
    /// and virtio-crypto carry them: RSA as PKCS#1 `RSAPrivateKey` (RFC 8017 A.1.2), ECDSA
    /// as SEC1 `ECPrivateKey` (RFC 5915). Other algorithms: [`Error::Unsupported`] (use
    /// PKCS#8).
    pub fn signing_key_from_private_key_der(
        &self,
        alg: SignatureAlg,
        der: &[u8],
    ) -> Result<SigningKey, Error> {
        match alg.key_type() {
            KeyType::EcP256 | KeyType::EcP384 | KeyType::EcP521 => {
                let signing = ecdsa_signing(alg).ok_or(backend(alg))?;
                let pair = EcdsaKeyPair::from_private_key_der(signing, der)
                    .map_err(|_| rejected(alg, "not an ECPrivateKey on this curve"))?;
                Ok(SigningKey::ecdsa(alg, pair))
            }
            KeyType::Rsa => {
                let pair = RsaKeyPair::from_der(der)
                    .map_err(|_| rejected(alg, "not a PKCS#1 RSAPrivateKey"))?;
                SigningKey::rsa(alg, pair)
            }
            _ => Err(Error::Unsupported {
                what: "a native DER private key for Ed25519 or ML-DSA (use PKCS#8)",
            }),
        }
    }

    /// The key derived from a 32-byte seed: ML-DSA's ξ (FIPS 204 `ML-DSA.KeyGen_internal`,
    /// Algorithm 6) or the Ed25519 private key (RFC 8032 §5.1.5). Deterministic: the TPM
    /// derives such seeds from its primary seeds. [`Error::InvalidKeyLength`] unless 32
    /// bytes; [`Error::Unsupported`] for ECDSA (use [`Self::signing_key_from_ec_scalar`])
    /// and RSA.
    pub fn signing_key_from_seed(
        &self,
        alg: SignatureAlg,
        seed: &[u8],
    ) -> Result<SigningKey, Error> {
        if matches!(
            alg.key_type(),
            KeyType::Ed25519 | KeyType::MlDsa44 | KeyType::MlDsa65 | KeyType::MlDsa87
        ) && seed.len() != 32
        {
            return Err(Error::InvalidKeyLength {
                alg: alg.name(),
                len: seed.len(),
            });
        }
        match alg.key_type() {
            KeyType::Ed25519 => Ok(SigningKey::ed25519(
                Ed25519KeyPair::from_seed_unchecked(seed)
                    .map_err(|_| rejected(alg, "aws-lc refused the seed"))?,
            )),
            KeyType::MlDsa44 | KeyType::MlDsa65 | KeyType::MlDsa87 => {
                let signing = mldsa_signing(alg).ok_or(backend(alg))?;
                let pair = PqdsaKeyPair::from_seed(signing, seed)
                    .map_err(|_| rejected(alg, "aws-lc refused the seed"))?;
                Ok(SigningKey::mldsa(alg, pair))
            }
            _ => Err(Error::Unsupported {
                what: "a 32-byte seed for ECDSA or RSA",
            }),
        }
    }

    /// The ECDSA key with private scalar `scalar` (big-endian, exactly the coordinate length:
    /// 32, 48 or 66 bytes, in `[1, n-1]`). Deterministic: for keys the TPM derives from its
    /// seeds. [`Error::InvalidKeyLength`] for another length, [`Error::KeyRejected`] for 0 or
    /// a value not below `n`.
    pub fn signing_key_from_ec_scalar(
        &self,
        alg: SignatureAlg,
        scalar: &[u8],
    ) -> Result<SigningKey, Error> {
        let (Some(curve), Some(signing)) = (alg.key_type().ec_curve(), ecdsa_signing(alg)) else {
            return Err(Error::Unsupported {
                what: "an EC private scalar for a non-ECDSA algorithm",
            });
        };
        if scalar.len() != curve.coordinate_len() {
            return Err(Error::InvalidKeyLength {
                alg: alg.name(),
                len: scalar.len(),
            });
        }
        if !kex::is_valid_scalar(curve, scalar) {
            return Err(rejected(alg, "private scalar is not in [1, n-1]"));
        }
        let public = ec_public_point(curve, scalar).map_err(|_| rejected(alg, "invalid scalar"))?;
        let pair = EcdsaKeyPair::from_private_key_and_public_key(signing, scalar, &public)
            .map_err(|_| rejected(alg, "aws-lc refused the private scalar"))?;
        Ok(SigningKey::ecdsa(alg, pair))
    }

    /// Loads an ML-DSA key from its expanded private key encoding (FIPS 204 `skEncode`,
    /// Algorithm 24: 2560, 4032 or 4896 bytes), as libspdm stores it (`*.key.priv.raw`).
    /// Such a key signs and verifies normally but cannot be exported to PKCS#8 (no seed).
    pub fn signing_key_from_mldsa_expanded(
        &self,
        alg: SignatureAlg,
        private_key: &[u8],
    ) -> Result<SigningKey, Error> {
        let signing = mldsa_signing(alg).ok_or(Error::Unsupported {
            what: "an expanded ML-DSA private key for a non-ML-DSA algorithm",
        })?;
        let pair = PqdsaKeyPair::from_raw_private_key(signing, private_key).map_err(|_| {
            rejected(
                alg,
                "not an expanded ML-DSA private key of this parameter set",
            )
        })?;
        Ok(SigningKey::mldsa(alg, pair))
    }
}

/// `scalar * G` as a SEC1 uncompressed point, via aws-lc's ECDH key (which derives it).
fn ec_public_point(curve: EcdhCurve, scalar: &[u8]) -> Result<Vec<u8>, Error> {
    let secret = kex::EphemeralSecret::from_scalar(curve, scalar)?;
    Ok(secret.public_key_sec1().to_vec())
}
