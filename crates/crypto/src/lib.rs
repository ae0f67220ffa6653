//! vtrust's crypto provider.
//!
//! Every crate of vtrust (SPDM, the embedded TPM, virtio-crypto) does its cryptography
//! through one [`CryptoProvider`] *value* handed in by its caller: no global tables, no
//! hidden state. The provider owns the random number generator, so a test can inject a
//! deterministic one ([`rng::TestRng`]) and get repeatable nonces and keys.
//!
//! Backend: aws-lc-rs for everything it offers; RustCrypto crates fill the gaps
//! (AES-XTS, AES-CCM, 3DES-CBC, SHA3-224, ML-KEM key generation from a seed).
//!
//! | module | what it owns |
//! |---|---|
//! | [`hash`] | SHA-1/2/3 one-shot and incremental |
//! | [`hmac`] | HMAC over the hashes |
//! | [`hkdf`] | HKDF extract / expand (RFC 5869) |
//! | [`aead`] | AES-GCM, ChaCha20-Poly1305, AES-CCM |
//! | [`cipher`] | AES-ECB/CBC/CTR/XTS, 3DES-CBC (unpadded) |
//! | [`mac`] | CMAC-AES |
//! | [`sign`] | ECDSA, RSA PKCS#1 v1.5 / PSS, Ed25519, ML-DSA sign and verify |
//! | [`kex`] | ephemeral ECDH P-256/P-384 |
//! | [`kem`] | ML-KEM-512/768/1024 |
//! | [`rng`] | the CSPRNG trait, the system RNG and a deterministic test RNG |
//! | [`selftest`] | the power-on self test: one known answer per algorithm |

#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::arithmetic_side_effects
    )
)]

pub mod aead;
pub mod cipher;
mod error;
pub mod hash;
pub mod hkdf;
pub mod hmac;
pub mod kem;
pub mod kex;
pub mod mac;
mod mldsa_ctx;
pub mod rng;
pub mod selftest;
pub mod sign;

use std::sync::Arc;

pub use error::Error;
use rng::{SecureRandom, SystemRng};

/// The crypto provider: a value that every vtrust crate receives from its caller.
///
/// Cheap to clone (the RNG is shared behind an `Arc`). Algorithm operations are methods
/// defined in the module that owns the algorithm family (`provider.digest(..)`,
/// `provider.aead_key(..)`, `provider.verify(..)`, ...).
#[derive(Clone)]
pub struct CryptoProvider {
    rng: Arc<dyn SecureRandom>,
}

impl std::fmt::Debug for CryptoProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CryptoProvider")
            .field("backend", &"aws-lc-rs")
            .field("rng", &self.rng.name())
            .finish()
    }
}

impl Default for CryptoProvider {
    fn default() -> Self {
        Self::new()
    }
}

impl CryptoProvider {
    /// The production provider: aws-lc-rs backend, operating-system CSPRNG.
    pub fn new() -> Self {
        Self {
            rng: Arc::new(SystemRng),
        }
    }

    /// A provider that draws every random byte (nonces, ephemeral keys, generated keys
    /// where the algorithm allows it) from `rng`. Tests inject [`rng::TestRng`] here.
    pub fn with_rng(rng: Arc<dyn SecureRandom>) -> Self {
        Self { rng }
    }

    /// Fills `out` with random bytes from the provider's RNG.
    pub fn fill_random(&self, out: &mut [u8]) -> Result<(), Error> {
        self.rng.fill(out)
    }

    /// Returns `N` random bytes from the provider's RNG.
    pub fn random_array<const N: usize>(&self) -> Result<[u8; N], Error> {
        let mut out = [0u8; N];
        self.rng.fill(&mut out)?;
        Ok(out)
    }

    /// The name of the RNG in use ("system" or "test"), for reports.
    pub fn rng_name(&self) -> &'static str {
        self.rng.name()
    }
}
