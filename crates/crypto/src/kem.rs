//! ML-KEM-512/768/1024 (FIPS 203): key generation from a seed, encapsulation and
//! decapsulation.
//!
//! This module owns [`KemAlg`] and [`DecapsulationKey`]; the shared secret is the
//! [`SharedSecret`] of [`crate::kex`].
//!
//! # Backends
//! aws-lc-rs does the encapsulation and decapsulation. It has no key generation from a
//! seed, which the TPM needs (keys derived from primary seeds) and which makes keys
//! reproducible under a test RNG, so `ML-KEM.KeyGen_internal(d, z)` (FIPS 203 Algorithm 16)
//! runs in RustCrypto `ml-kem` and the expanded decapsulation key it produces
//! (`dk = dk_PKE || ek || H(ek) || z`, Algorithm 16 line 3) is loaded into aws-lc. The
//! Wycheproof `keygen_seed` and decapsulation vectors check the hand-over.
//!
//! ```
//! use vtrust_crypto::{CryptoProvider, kem::KemAlg};
//! let provider = CryptoProvider::new();
//! let dk = provider.kem_generate(KemAlg::MlKem768)?;
//! let (ct, sender) = provider.kem_encapsulate(KemAlg::MlKem768, dk.encapsulation_key_bytes())?;
//! let receiver = dk.decapsulate(&ct)?;
//! assert_eq!(sender.as_bytes(), receiver.as_bytes());
//! # Ok::<(), vtrust_crypto::Error>(())
//! ```

use aws_lc_rs::kem as aws;

pub use crate::kex::SharedSecret;
use crate::kex::wipe;
use crate::{CryptoProvider, Error};

/// The length of the key generation seed `d || z` (FIPS 203 §7.1).
pub const SEED_LEN: usize = 64;

/// The length of the encapsulation randomness `m` (FIPS 203 §7.2).
pub const ENCAPS_RANDOMNESS_LEN: usize = 32;

/// An ML-KEM parameter set (FIPS 203 §8, Table 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KemAlg {
    /// ML-KEM-512 (security category 1).
    MlKem512,
    /// ML-KEM-768 (security category 3).
    MlKem768,
    /// ML-KEM-1024 (security category 5).
    MlKem1024,
}

impl KemAlg {
    /// Every parameter set.
    pub const ALL: [KemAlg; 3] = [KemAlg::MlKem512, KemAlg::MlKem768, KemAlg::MlKem1024];

    /// The name ("ML-KEM-768").
    pub const fn name(self) -> &'static str {
        match self {
            KemAlg::MlKem512 => "ML-KEM-512",
            KemAlg::MlKem768 => "ML-KEM-768",
            KemAlg::MlKem1024 => "ML-KEM-1024",
        }
    }

    /// The encapsulation key length (FIPS 203 Table 3: 384k + 32).
    pub const fn encapsulation_key_len(self) -> usize {
        match self {
            KemAlg::MlKem512 => 800,
            KemAlg::MlKem768 => 1184,
            KemAlg::MlKem1024 => 1568,
        }
    }

    /// The expanded decapsulation key length (FIPS 203 Table 3: 768k + 96).
    pub const fn decapsulation_key_len(self) -> usize {
        match self {
            KemAlg::MlKem512 => 1632,
            KemAlg::MlKem768 => 2400,
            KemAlg::MlKem1024 => 3168,
        }
    }

    /// The ciphertext length (FIPS 203 Table 3: 32(d_u k + d_v)).
    pub const fn ciphertext_len(self) -> usize {
        match self {
            KemAlg::MlKem512 => 768,
            KemAlg::MlKem768 => 1088,
            KemAlg::MlKem1024 => 1568,
        }
    }

    /// The shared secret length (32 for every parameter set).
    pub const fn shared_secret_len(self) -> usize {
        32
    }

    /// The aws-lc-rs algorithm.
    pub(crate) fn aws(self) -> &'static aws::Algorithm {
        match self {
            KemAlg::MlKem512 => &aws::ML_KEM_512,
            KemAlg::MlKem768 => &aws::ML_KEM_768,
            KemAlg::MlKem1024 => &aws::ML_KEM_1024,
        }
    }
}

impl std::fmt::Display for KemAlg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// An ML-KEM decapsulation (private) key with its encapsulation key.
///
/// The decapsulation key lives inside aws-lc, which clears it on drop.
pub struct DecapsulationKey {
    alg: KemAlg,
    dk: aws::DecapsulationKey,
    ek: Vec<u8>,
}

impl std::fmt::Debug for DecapsulationKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DecapsulationKey")
            .field("alg", &self.alg)
            .finish_non_exhaustive()
    }
}

impl DecapsulationKey {
    /// The parameter set.
    pub fn alg(&self) -> KemAlg {
        self.alg
    }

    /// The encapsulation key `ek` (FIPS 203 `ByteEncode12(t) || rho`) to send to the peer.
    pub fn encapsulation_key_bytes(&self) -> &[u8] {
        &self.ek
    }

    /// `ML-KEM.Decaps` (FIPS 203 Algorithm 21). A well-formed but wrong ciphertext yields
    /// the implicit-rejection secret, not an error (§6.3); a ciphertext of the wrong length
    /// is refused with [`Error::InvalidInputLength`] (§7.3 input checking).
    pub fn decapsulate(&self, ciphertext: &[u8]) -> Result<SharedSecret, Error> {
        let alg = self.alg;
        if ciphertext.len() != alg.ciphertext_len() {
            return Err(Error::InvalidInputLength {
                alg: alg.name(),
                len: ciphertext.len(),
                reason: "the ciphertext must be exactly the parameter set's ciphertext length",
            });
        }
        let secret = self
            .dk
            .decapsulate(aws::Ciphertext::from(ciphertext))
            .map_err(|_| Error::Backend { alg: alg.name() })?;
        SharedSecret::from_slice(secret.as_ref())
    }
}

/// The encapsulation key and expanded decapsulation key of `ML-KEM.KeyGen_internal(d, z)`,
/// computed by RustCrypto `ml-kem`.
#[expect(
    deprecated,
    reason = "ml-kem 0.3 marks the expanded encoding deprecated; aws-lc only loads that form"
)]
fn expand_seed(alg: KemAlg, d_z: &[u8; SEED_LEN]) -> (Vec<u8>, Vec<u8>) {
    use ml_kem::{ExpandedKeyEncoding, KeyExport};
    // ml-kem's parameter trait is not nameable outside the crate, hence a macro, not a
    // generic function.
    macro_rules! expand {
        ($params:ty) => {{
            let dk = ml_kem::DecapsulationKey::<$params>::from_seed(ml_kem::Seed::from(*d_z));
            let ek = dk.encapsulation_key().to_bytes().to_vec();
            let mut expanded = dk.to_expanded_bytes();
            let out = expanded.to_vec();
            wipe(&mut expanded);
            (ek, out)
        }};
    }
    match alg {
        KemAlg::MlKem512 => expand!(ml_kem::MlKem512),
        KemAlg::MlKem768 => expand!(ml_kem::MlKem768),
        KemAlg::MlKem1024 => expand!(ml_kem::MlKem1024),
    }
}

impl CryptoProvider {
    /// A fresh ML-KEM key pair: 64 bytes `d || z` from the provider's RNG through
    /// [`Self::kem_key_from_seed`], so a [`crate::rng::TestRng`] gives the same key every run.
    pub fn kem_generate(&self, alg: KemAlg) -> Result<DecapsulationKey, Error> {
        let mut d_z = self.random_array::<SEED_LEN>()?;
        let key = self.kem_key_from_seed(alg, &d_z);
        wipe(&mut d_z);
        key
    }

    /// The key pair of `ML-KEM.KeyGen_internal(d, z)` (FIPS 203 Algorithm 16) for the seed
    /// `d_z = d || z` (the 64-byte seed form of an ML-KEM private key, FIPS 203 §7.1).
    pub fn kem_key_from_seed(
        &self,
        alg: KemAlg,
        d_z: &[u8; SEED_LEN],
    ) -> Result<DecapsulationKey, Error> {
        let (ek, mut expanded) = expand_seed(alg, d_z);
        let dk = aws::DecapsulationKey::new(alg.aws(), &expanded);
        wipe(&mut expanded);
        let dk = dk.map_err(|_| Error::Backend { alg: alg.name() })?;
        if ek.len() != alg.encapsulation_key_len() {
            return Err(Error::Backend { alg: alg.name() });
        }
        Ok(DecapsulationKey { alg, dk, ek })
    }

    /// `ML-KEM.Encaps(ek)` (FIPS 203 Algorithm 20): returns the ciphertext for the peer and
    /// the shared secret. The randomness `m` is drawn by aws-lc itself, not from the
    /// provider's RNG. An `ek` of the wrong length is [`Error::InvalidKeyLength`]; one that
    /// fails the §7.2 modulus check is [`Error::KeyRejected`].
    pub fn kem_encapsulate(
        &self,
        alg: KemAlg,
        encapsulation_key: &[u8],
    ) -> Result<(Vec<u8>, SharedSecret), Error> {
        if encapsulation_key.len() != alg.encapsulation_key_len() {
            return Err(Error::InvalidKeyLength {
                alg: alg.name(),
                len: encapsulation_key.len(),
            });
        }
        let ek = aws::EncapsulationKey::new(alg.aws(), encapsulation_key).map_err(|_| {
            Error::KeyRejected {
                alg: alg.name(),
                reason: "invalid encapsulation key",
            }
        })?;
        let (ct, secret) = ek.encapsulate().map_err(|_| Error::KeyRejected {
            alg: alg.name(),
            reason: "encapsulation key fails the FIPS 203 modulus check",
        })?;
        Ok((
            ct.as_ref().to_vec(),
            SharedSecret::from_slice(secret.as_ref())?,
        ))
    }

    /// **Hazmat, for known-answer tests only**: `ML-KEM.Encaps_internal(ek, m)` (FIPS 203
    /// Algorithm 17) with caller-chosen randomness `m`. Reusing or predicting `m` discloses
    /// the shared secret. Computed by RustCrypto `ml-kem` (which performs the §7.2 modulus
    /// check: [`Error::KeyRejected`]).
    pub fn kem_encapsulate_deterministic(
        &self,
        alg: KemAlg,
        encapsulation_key: &[u8],
        m: &[u8; ENCAPS_RANDOMNESS_LEN],
    ) -> Result<(Vec<u8>, SharedSecret), Error> {
        let wrong_length = || Error::InvalidKeyLength {
            alg: alg.name(),
            len: encapsulation_key.len(),
        };
        let failed_check = || Error::KeyRejected {
            alg: alg.name(),
            reason: "encapsulation key fails the FIPS 203 modulus check",
        };
        let m = ml_kem::B32::from(*m);
        macro_rules! encaps {
            ($params:ty) => {{
                let key =
                    ml_kem::Key::<ml_kem::EncapsulationKey<$params>>::try_from(encapsulation_key)
                        .map_err(|_| wrong_length())?;
                let ek =
                    ml_kem::EncapsulationKey::<$params>::new(&key).map_err(|_| failed_check())?;
                let (ct, mut k) = ek.encapsulate_deterministic(&m);
                let secret = SharedSecret::from_slice(&k);
                wipe(&mut k);
                Ok((ct.to_vec(), secret?))
            }};
        }
        match alg {
            KemAlg::MlKem512 => encaps!(ml_kem::MlKem512),
            KemAlg::MlKem768 => encaps!(ml_kem::MlKem768),
            KemAlg::MlKem1024 => encaps!(ml_kem::MlKem1024),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::rng::TestRng;

    #[test]
    fn round_trip_every_parameter_set() {
        let provider = CryptoProvider::new();
        for alg in KemAlg::ALL {
            let dk = provider.kem_generate(alg).unwrap();
            assert_eq!(
                dk.encapsulation_key_bytes().len(),
                alg.encapsulation_key_len()
            );
            let (ct, k1) = provider
                .kem_encapsulate(alg, dk.encapsulation_key_bytes())
                .unwrap();
            assert_eq!(ct.len(), alg.ciphertext_len());
            let k2 = dk.decapsulate(&ct).unwrap();
            assert_eq!(k1.as_bytes(), k2.as_bytes());
            assert_eq!(k1.len(), alg.shared_secret_len());
        }
    }

    #[test]
    fn test_rng_gives_repeatable_keys() {
        let a = CryptoProvider::with_rng(Arc::new(TestRng::new([5; 32])));
        let b = CryptoProvider::with_rng(Arc::new(TestRng::new([5; 32])));
        for alg in KemAlg::ALL {
            assert_eq!(
                a.kem_generate(alg).unwrap().encapsulation_key_bytes(),
                b.kem_generate(alg).unwrap().encapsulation_key_bytes()
            );
        }
    }

    #[test]
    fn deterministic_encapsulation_decapsulates() {
        let provider = CryptoProvider::new();
        for alg in KemAlg::ALL {
            let dk = provider.kem_key_from_seed(alg, &[9; 64]).unwrap();
            let (ct, k) = provider
                .kem_encapsulate_deterministic(alg, dk.encapsulation_key_bytes(), &[3; 32])
                .unwrap();
            let (ct2, _) = provider
                .kem_encapsulate_deterministic(alg, dk.encapsulation_key_bytes(), &[3; 32])
                .unwrap();
            assert_eq!(ct, ct2);
            assert_eq!(dk.decapsulate(&ct).unwrap().as_bytes(), k.as_bytes());
        }
    }

    #[test]
    fn tampered_ciphertext_gives_another_secret() {
        let provider = CryptoProvider::new();
        let dk = provider.kem_generate(KemAlg::MlKem1024).unwrap();
        let (mut ct, k) = provider
            .kem_encapsulate(KemAlg::MlKem1024, dk.encapsulation_key_bytes())
            .unwrap();
        ct[5] ^= 1;
        assert_ne!(dk.decapsulate(&ct).unwrap().as_bytes(), k.as_bytes());
    }

    #[test]
    fn refuses_ciphertext_of_wrong_length() {
        let provider = CryptoProvider::new();
        let dk = provider.kem_generate(KemAlg::MlKem512).unwrap();
        assert!(matches!(
            dk.decapsulate(&[0; 767]),
            Err(Error::InvalidInputLength {
                alg: "ML-KEM-512",
                len: 767,
                ..
            })
        ));
    }

    #[test]
    fn refuses_encapsulation_key_of_wrong_length() {
        let provider = CryptoProvider::new();
        assert_eq!(
            provider
                .kem_encapsulate(KemAlg::MlKem768, &[0; 1183])
                .map(|_| ()),
            Err(Error::InvalidKeyLength {
                alg: "ML-KEM-768",
                len: 1183
            })
        );
        assert_eq!(
            provider
                .kem_encapsulate_deterministic(KemAlg::MlKem768, &[0; 1185], &[0; 32])
                .map(|_| ()),
            Err(Error::InvalidKeyLength {
                alg: "ML-KEM-768",
                len: 1185
            })
        );
    }

    /// FIPS 203 §7.2: every 12-bit coefficient of `ek` must be below q = 3329.
    #[test]
    fn refuses_encapsulation_key_failing_modulus_check() {
        let provider = CryptoProvider::new();
        for alg in KemAlg::ALL {
            let dk = provider.kem_generate(alg).unwrap();
            let mut ek = dk.encapsulation_key_bytes().to_vec();
            // First coefficient := 0xfff (4095 >= q).
            ek[0] = 0xff;
            ek[1] |= 0x0f;
            assert!(
                matches!(
                    provider.kem_encapsulate(alg, &ek),
                    Err(Error::KeyRejected { .. })
                ),
                "{alg}"
            );
            assert!(matches!(
                provider.kem_encapsulate_deterministic(alg, &ek, &[0; 32]),
                Err(Error::KeyRejected { .. })
            ));
        }
    }
}
