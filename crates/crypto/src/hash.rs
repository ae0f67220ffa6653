//! Hash functions: SHA-1, SHA-2 (FIPS 180-4) and SHA-3 (FIPS 202), one-shot and incremental.
//!
//! This module owns [`HashAlg`], the fixed-size [`Digest`] value and the incremental
//! [`Hasher`]. Backend: aws-lc-rs for every algorithm it offers (SHA-1, SHA-224/256/384/512,
//! SHA3-256/384/512); RustCrypto `sha3` for SHA3-224, which aws-lc-rs does not expose.
//!
//! ```
//! use vtrust_crypto::{CryptoProvider, hash::HashAlg};
//! let provider = CryptoProvider::new();
//! let mut running = provider.hasher(HashAlg::Sha384);
//! running.update(b"GET_VERSION");
//! let fork = running.clone(); // SPDM forks a transcript for a signature...
//! running.update(b"VERSION");
//! assert_ne!(fork.finish(), running.finish());
//! ```

use sha3::Digest as _;

use crate::{CryptoProvider, Error};

/// The largest output of any [`HashAlg`] (SHA-512, SHA3-512), in bytes.
pub const MAX_OUTPUT_LEN: usize = 64;

/// A hash algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HashAlg {
    /// SHA-1 (FIPS 180-4 §6.1). **Legacy**: collisions are practical; offered only for
    /// peers that still require it (TPM PCR banks, legacy virtio-crypto guests, HMAC-SHA1).
    Sha1,
    /// SHA-224 (FIPS 180-4 §6.3).
    Sha224,
    /// SHA-256 (FIPS 180-4 §6.2).
    Sha256,
    /// SHA-384 (FIPS 180-4 §6.5).
    Sha384,
    /// SHA-512 (FIPS 180-4 §6.4).
    Sha512,
    /// SHA3-224 (FIPS 202 §6.1).
    Sha3_224,
    /// SHA3-256 (FIPS 202 §6.1).
    Sha3_256,
    /// SHA3-384 (FIPS 202 §6.1).
    Sha3_384,
    /// SHA3-512 (FIPS 202 §6.1).
    Sha3_512,
}

impl HashAlg {
    /// Every algorithm, in declaration order.
    pub const ALL: [HashAlg; 9] = [
        HashAlg::Sha1,
        HashAlg::Sha224,
        HashAlg::Sha256,
        HashAlg::Sha384,
        HashAlg::Sha512,
        HashAlg::Sha3_224,
        HashAlg::Sha3_256,
        HashAlg::Sha3_384,
        HashAlg::Sha3_512,
    ];

    /// The digest length in bytes.
    pub const fn output_len(self) -> usize {
        match self {
            HashAlg::Sha1 => 20,
            HashAlg::Sha224 | HashAlg::Sha3_224 => 28,
            HashAlg::Sha256 | HashAlg::Sha3_256 => 32,
            HashAlg::Sha384 | HashAlg::Sha3_384 => 48,
            HashAlg::Sha512 | HashAlg::Sha3_512 => 64,
        }
    }

    /// The input block length in bytes (the HMAC block size `B` of RFC 2104; for SHA-3 the
    /// sponge rate, FIPS 202 §6.1 and NIST SP 800-224).
    pub const fn block_len(self) -> usize {
        match self {
            HashAlg::Sha1 | HashAlg::Sha224 | HashAlg::Sha256 => 64,
            HashAlg::Sha384 | HashAlg::Sha512 => 128,
            HashAlg::Sha3_224 => 144,
            HashAlg::Sha3_256 => 136,
            HashAlg::Sha3_384 => 104,
            HashAlg::Sha3_512 => 72,
        }
    }

    /// The algorithm's name as the standards write it ("SHA-256", "SHA3-384").
    pub const fn name(self) -> &'static str {
        match self {
            HashAlg::Sha1 => "SHA-1",
            HashAlg::Sha224 => "SHA-224",
            HashAlg::Sha256 => "SHA-256",
            HashAlg::Sha384 => "SHA-384",
            HashAlg::Sha512 => "SHA-512",
            HashAlg::Sha3_224 => "SHA3-224",
            HashAlg::Sha3_256 => "SHA3-256",
            HashAlg::Sha3_384 => "SHA3-384",
            HashAlg::Sha3_512 => "SHA3-512",
        }
    }

    /// The aws-lc-rs algorithm, where aws-lc-rs offers this hash.
    pub(crate) fn aws(self) -> Option<&'static aws_lc_rs::digest::Algorithm> {
        use aws_lc_rs::digest;
        match self {
            HashAlg::Sha1 => Some(&digest::SHA1_FOR_LEGACY_USE_ONLY),
            HashAlg::Sha224 => Some(&digest::SHA224),
            HashAlg::Sha256 => Some(&digest::SHA256),
            HashAlg::Sha384 => Some(&digest::SHA384),
            HashAlg::Sha512 => Some(&digest::SHA512),
            HashAlg::Sha3_224 => None,
            HashAlg::Sha3_256 => Some(&digest::SHA3_256),
            HashAlg::Sha3_384 => Some(&digest::SHA3_384),
            HashAlg::Sha3_512 => Some(&digest::SHA3_512),
        }
    }
}

impl std::fmt::Display for HashAlg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A hash value: a fixed inline buffer (no allocation) holding `alg.output_len()` bytes.
///
/// Equality compares the algorithm and the bytes, the bytes in constant time (a digest
/// is sometimes compared against an attacker-supplied one, e.g. a measurement or an
/// HMAC tag, which this type also carries: [`crate::hmac::Tag`]).
#[derive(Clone)]
pub struct Digest {
    alg: HashAlg,
    buf: [u8; MAX_OUTPUT_LEN],
}

impl Digest {
    /// Wraps a digest value computed elsewhere (a peer's transcript hash, a measurement).
    ///
    /// Fails with [`Error::InvalidInputLength`] unless `bytes.len() == alg.output_len()`.
    pub fn from_bytes(alg: HashAlg, bytes: &[u8]) -> Result<Self, Error> {
        let mut buf = [0u8; MAX_OUTPUT_LEN];
        match buf.get_mut(..bytes.len()) {
            Some(dst) if bytes.len() == alg.output_len() => dst.copy_from_slice(bytes),
            _ => {
                return Err(Error::InvalidInputLength {
                    alg: alg.name(),
                    len: bytes.len(),
                    reason: "a digest must be exactly the algorithm's output length",
                });
            }
        }
        Ok(Self { alg, buf })
    }

    /// Builds a digest from a backend output that is known to have `alg`'s length.
    pub(crate) fn from_backend(alg: HashAlg, bytes: &[u8]) -> Self {
        let mut buf = [0u8; MAX_OUTPUT_LEN];
        for (dst, src) in buf.iter_mut().zip(bytes) {
            *dst = *src;
        }
        Self { alg, buf }
    }

    /// The algorithm that produced this value.
    pub fn algorithm(&self) -> HashAlg {
        self.alg
    }

    /// The digest bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.buf.get(..self.alg.output_len()).unwrap_or(&self.buf)
    }

    /// The length in bytes (always `self.algorithm().output_len()`).
    pub fn len(&self) -> usize {
        self.alg.output_len()
    }

    /// Always `false`: no hash has an empty output. Present for API symmetry with `len`.
    pub fn is_empty(&self) -> bool {
        false
    }
}

impl AsRef<[u8]> for Digest {
    fn as_ref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl PartialEq for Digest {
    fn eq(&self, other: &Self) -> bool {
        self.alg == other.alg
            && aws_lc_rs::constant_time::verify_slices_are_equal(self.as_bytes(), other.as_bytes())
                .is_ok()
    }
}

impl Eq for Digest {}

impl std::fmt::Debug for Digest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}(", self.alg.name())?;
        for b in self.as_bytes() {
            write!(f, "{b:02x}")?;
        }
        f.write_str(")")
    }
}

/// An incremental hash computation.
///
/// `Clone` forks the running state: SPDM keeps one transcript and hashes a copy of it at
/// each signature or key-schedule point.
#[derive(Clone)]
pub struct Hasher {
    alg: HashAlg,
    state: HasherState,
}

#[derive(Clone)]
enum HasherState {
    Aws(aws_lc_rs::digest::Context),
    Sha3_224(sha3::Sha3_224),
}

impl Hasher {
    /// A fresh computation of `alg`.
    pub(crate) fn new(alg: HashAlg) -> Self {
        let state = match alg.aws() {
            Some(aws) => HasherState::Aws(aws_lc_rs::digest::Context::new(aws)),
            None => HasherState::Sha3_224(sha3::Sha3_224::new()),
        };
        Self { alg, state }
    }

    /// Hashes `data` in one step.
    pub(crate) fn digest_once(alg: HashAlg, data: &[u8]) -> Digest {
        let mut h = Hasher::new(alg);
        h.update(data);
        h.finish()
    }

    /// The algorithm being computed.
    pub fn algorithm(&self) -> HashAlg {
        self.alg
    }

    /// Absorbs `data`.
    pub fn update(&mut self, data: &[u8]) {
        match &mut self.state {
            HasherState::Aws(ctx) => ctx.update(data),
            HasherState::Sha3_224(h) => h.update(data),
        }
    }

    /// Finishes the computation. Clone first to keep hashing.
    pub fn finish(self) -> Digest {
        match self.state {
            HasherState::Aws(ctx) => Digest::from_backend(self.alg, ctx.finish().as_ref()),
            HasherState::Sha3_224(h) => Digest::from_backend(self.alg, h.finalize().as_slice()),
        }
    }
}

impl std::fmt::Debug for Hasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hasher")
            .field("alg", &self.alg)
            .finish_non_exhaustive()
    }
}

/// Hashing.
impl CryptoProvider {
    /// Starts an incremental computation of `alg`.
    pub fn hasher(&self, alg: HashAlg) -> Hasher {
        Hasher::new(alg)
    }

    /// Hashes `data` in one step.
    pub fn digest(&self, alg: HashAlg, data: &[u8]) -> Digest {
        match alg.aws() {
            Some(aws) => Digest::from_backend(alg, aws_lc_rs::digest::digest(aws, data).as_ref()),
            None => Hasher::digest_once(alg, data),
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn output_lengths_match_the_backends() {
        let p = CryptoProvider::new();
        for alg in HashAlg::ALL {
            let d = p.digest(alg, b"");
            assert_eq!(d.as_bytes().len(), alg.output_len(), "{alg}");
            assert_eq!(d.len(), alg.output_len());
            if let Some(aws) = alg.aws() {
                assert_eq!(aws.output_len(), alg.output_len(), "{alg}");
                assert_eq!(aws.block_len(), alg.block_len(), "{alg}");
            }
        }
    }

    #[test]
    fn sha3_224_abc_fips202_example() {
        // NIST "Cryptographic Standards and Guidelines: Examples with intermediate values",
        // SHA3-224 of "abc".
        let d = CryptoProvider::new().digest(HashAlg::Sha3_224, b"abc");
        assert_eq!(
            hex::encode(d.as_bytes()),
            "e642824c3f8cf24ad09234ee7d3c766fc9a3a5168d0c94ad73b46fdf"
        );
    }

    #[test]
    fn refuses_digest_of_wrong_length() {
        assert_eq!(
            Digest::from_bytes(HashAlg::Sha256, &[0; 31]),
            Err(Error::InvalidInputLength {
                alg: "SHA-256",
                len: 31,
                reason: "a digest must be exactly the algorithm's output length",
            })
        );
        assert!(Digest::from_bytes(HashAlg::Sha256, &[0; 65]).is_err());
        let d = Digest::from_bytes(HashAlg::Sha256, &[7; 32]).unwrap();
        assert_eq!(d.as_bytes(), &[7; 32]);
    }

    #[test]
    fn equality_includes_the_algorithm() {
        let a = Digest::from_bytes(HashAlg::Sha256, &[1; 32]).unwrap();
        let b = Digest::from_bytes(HashAlg::Sha3_256, &[1; 32]).unwrap();
        let c = Digest::from_bytes(HashAlg::Sha256, &[2; 32]).unwrap();
        assert_ne!(a, b);
        assert_ne!(a, c);
        assert_eq!(a, a.clone());
        assert_eq!(format!("{a:?}"), format!("SHA-256({})", "01".repeat(32)));
    }

    #[test]
    fn forked_hasher_is_independent() {
        let p = CryptoProvider::new();
        for alg in HashAlg::ALL {
            let mut h = p.hasher(alg);
            h.update(b"ab");
            let fork = h.clone();
            h.update(b"c");
            assert_eq!(h.finish(), p.digest(alg, b"abc"), "{alg}");
            assert_eq!(fork.finish(), p.digest(alg, b"ab"), "{alg}");
        }
    }

    proptest! {
        #[test]
        fn incremental_equals_one_shot(
            data in proptest::collection::vec(any::<u8>(), 0..600),
            splits in proptest::collection::vec(any::<prop::sample::Index>(), 0..4),
            alg_idx in 0usize..9,
        ) {
            let alg = HashAlg::ALL[alg_idx];
            let p = CryptoProvider::new();
            let mut points: Vec<usize> = splits.iter().map(|i| i.index(data.len() + 1)).collect();
            points.sort_unstable();
            let mut h = p.hasher(alg);
            let mut start = 0;
            for pt in points {
                h.update(&data[start..pt]);
                start = pt;
            }
            h.update(&data[start..]);
            prop_assert_eq!(h.finish(), p.digest(alg, &data));
        }
    }
}
