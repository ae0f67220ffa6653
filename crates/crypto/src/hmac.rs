//! HMAC (RFC 2104, FIPS 198-1) over every [`HashAlg`].
//!
//! This module owns [`HmacKey`], the incremental [`HmacContext`] and the tag type [`Tag`].
//! Backend: aws-lc-rs HMAC for SHA-1 and SHA-2; for SHA-3 (which aws-lc-rs offers as a
//! hash but not as an HMAC) the RFC 2104 construction over our own [`Hasher`], with the
//! keyed inner and outer states computed once per key.
//!
//! Verification is constant time. [`HmacKey::verify`] wants the full-length tag;
//! [`HmacKey::verify_truncated`] accepts a prefix of at least
//! [`min_truncated_tag_len`] bytes (RFC 2104 §5: at least half the output and at least
//! 80 bits). The *caller* fixes the tag length from its protocol: never let the peer pick
//! it by sending a short tag.

use crate::hash::{Digest, HashAlg, Hasher};
use crate::{CryptoProvider, Error};

/// An HMAC tag: a [`Digest`] whose algorithm is the HMAC's hash. Its `==` is constant time.
pub type Tag = Digest;

/// The shortest truncated tag [`HmacKey::verify_truncated`] accepts for `alg`:
/// `max(output_len / 2, 10)` bytes (RFC 2104 §5).
pub const fn min_truncated_tag_len(alg: HashAlg) -> usize {
    let half = alg.output_len() / 2;
    if half > 10 { half } else { 10 }
}

/// "HMAC-SHA-256" etc., for errors.
pub(crate) const fn hmac_name(alg: HashAlg) -> &'static str {
    match alg {
        HashAlg::Sha1 => "HMAC-SHA-1",
        HashAlg::Sha224 => "HMAC-SHA-224",
        HashAlg::Sha256 => "HMAC-SHA-256",
        HashAlg::Sha384 => "HMAC-SHA-384",
        HashAlg::Sha512 => "HMAC-SHA-512",
        HashAlg::Sha3_224 => "HMAC-SHA3-224",
        HashAlg::Sha3_256 => "HMAC-SHA3-256",
        HashAlg::Sha3_384 => "HMAC-SHA3-384",
        HashAlg::Sha3_512 => "HMAC-SHA3-512",
    }
}

fn aws_hmac_alg(alg: HashAlg) -> Option<aws_lc_rs::hmac::Algorithm> {
    use aws_lc_rs::hmac;
    match alg {
        HashAlg::Sha1 => Some(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY),
        HashAlg::Sha224 => Some(hmac::HMAC_SHA224),
        HashAlg::Sha256 => Some(hmac::HMAC_SHA256),
        HashAlg::Sha384 => Some(hmac::HMAC_SHA384),
        HashAlg::Sha512 => Some(hmac::HMAC_SHA512),
        HashAlg::Sha3_224 | HashAlg::Sha3_256 | HashAlg::Sha3_384 | HashAlg::Sha3_512 => None,
    }
}

/// An HMAC key bound to its hash algorithm.
#[derive(Clone)]
pub struct HmacKey {
    alg: HashAlg,
    key: KeyState,
}

#[derive(Clone)]
#[expect(
    clippy::large_enum_variant,
    reason = "the large variant (aws-lc's inline HMAC_CTX) is the common one; boxing it only adds an allocation"
)]
enum KeyState {
    Aws(aws_lc_rs::hmac::Key),
    /// RFC 2104: `inner` has absorbed `K ^ ipad`, `outer` has absorbed `K ^ opad`.
    Rfc2104 {
        inner: Hasher,
        outer: Hasher,
    },
}

impl HmacKey {
    /// Any key length is valid (RFC 2104 §2: keys longer than the block are hashed first).
    pub(crate) fn new(alg: HashAlg, key: &[u8]) -> Self {
        let key = match aws_hmac_alg(alg) {
            Some(aws) => KeyState::Aws(aws_lc_rs::hmac::Key::new(aws, key)),
            None => Self::rfc2104(alg, key),
        };
        Self { alg, key }
    }

    fn rfc2104(alg: HashAlg, key: &[u8]) -> KeyState {
        // K0 (FIPS 198-1 §4 steps 1-3): the key, hashed if longer than B, zero-padded to B.
        // The largest block (SHA3-224's rate) is 144 bytes.
        let mut k0 = [0u8; 144];
        let hashed;
        let key = if key.len() > alg.block_len() {
            hashed = Hasher::digest_once(alg, key);
            hashed.as_bytes()
        } else {
            key
        };
        for (dst, src) in k0.iter_mut().zip(key) {
            *dst = *src;
        }
        let block = k0.get_mut(..alg.block_len()).unwrap_or(&mut []);
        let mut inner = Hasher::new(alg);
        let mut outer = Hasher::new(alg);
        block.iter_mut().for_each(|b| *b ^= 0x36);
        inner.update(block);
        block.iter_mut().for_each(|b| *b ^= 0x36 ^ 0x5c);
        outer.update(block);
        k0.fill(0);
        std::hint::black_box(&k0);
        KeyState::Rfc2104 { inner, outer }
    }

    /// The hash algorithm.
    pub fn algorithm(&self) -> HashAlg {
        self.alg
    }

    /// The full tag length (the hash's output length).
    pub fn tag_len(&self) -> usize {
        self.alg.output_len()
    }

    /// Starts an incremental MAC computation under this key.
    pub fn context(&self) -> HmacContext {
        let state = match &self.key {
            KeyState::Aws(key) => ContextState::Aws(aws_lc_rs::hmac::Context::with_key(key)),
            KeyState::Rfc2104 { inner, outer } => ContextState::Rfc2104 {
                inner: inner.clone(),
                outer: outer.clone(),
            },
        };
        HmacContext {
            alg: self.alg,
            state,
        }
    }

    /// The full-length tag of `data`.
    pub fn sign(&self, data: &[u8]) -> Tag {
        let mut ctx = self.context();
        ctx.update(data);
        ctx.sign()
    }

    /// Checks a full-length tag in constant time.
    ///
    /// [`Error::InvalidTagLength`] if `tag` is not `tag_len()` bytes,
    /// [`Error::AuthenticationFailed`] if it does not match.
    pub fn verify(&self, data: &[u8], tag: &[u8]) -> Result<(), Error> {
        let mut ctx = self.context();
        ctx.update(data);
        ctx.verify(tag)
    }

    /// Checks a truncated tag (the leftmost `tag.len()` bytes, RFC 2104 §5) in constant
    /// time. `tag.len()` must be between [`min_truncated_tag_len`] and `tag_len()`; the
    /// caller must fix that length by policy, not take it from the peer.
    pub fn verify_truncated(&self, data: &[u8], tag: &[u8]) -> Result<(), Error> {
        let mut ctx = self.context();
        ctx.update(data);
        ctx.verify_truncated(tag)
    }
}

impl std::fmt::Debug for HmacKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HmacKey")
            .field("alg", &self.alg)
            .finish_non_exhaustive()
    }
}

/// An incremental HMAC computation. `Clone` forks it.
#[derive(Clone)]
pub struct HmacContext {
    alg: HashAlg,
    state: ContextState,
}

#[derive(Clone)]
#[expect(
    clippy::large_enum_variant,
    reason = "the large variant (aws-lc's inline HMAC_CTX) is the common one; boxing it would allocate per MAC"
)]
enum ContextState {
    Aws(aws_lc_rs::hmac::Context),
    Rfc2104 { inner: Hasher, outer: Hasher },
}

impl HmacContext {
    /// Absorbs `data`.
    pub fn update(&mut self, data: &[u8]) {
        match &mut self.state {
            ContextState::Aws(ctx) => ctx.update(data),
            ContextState::Rfc2104 { inner, .. } => inner.update(data),
        }
    }

    /// Finishes and returns the full-length tag.
    pub fn sign(self) -> Tag {
        match self.state {
            ContextState::Aws(ctx) => Tag::from_backend(self.alg, ctx.sign().as_ref()),
            ContextState::Rfc2104 { inner, mut outer } => {
                outer.update(inner.finish().as_bytes());
                outer.finish()
            }
        }
    }

    /// Finishes and checks a full-length tag in constant time.
    pub fn verify(self, tag: &[u8]) -> Result<(), Error> {
        let alg = self.alg;
        if tag.len() != alg.output_len() {
            return Err(Error::InvalidTagLength {
                alg: hmac_name(alg),
                len: tag.len(),
            });
        }
        compare(alg, self.sign().as_bytes(), tag)
    }

    /// Finishes and checks a truncated tag in constant time; see
    /// [`HmacKey::verify_truncated`].
    pub fn verify_truncated(self, tag: &[u8]) -> Result<(), Error> {
        let alg = self.alg;
        if tag.len() < min_truncated_tag_len(alg) || tag.len() > alg.output_len() {
            return Err(Error::InvalidTagLength {
                alg: hmac_name(alg),
                len: tag.len(),
            });
        }
        let full = self.sign();
        compare(alg, full.as_bytes().get(..tag.len()).unwrap_or(&[]), tag)
    }
}

fn compare(alg: HashAlg, computed: &[u8], tag: &[u8]) -> Result<(), Error> {
    aws_lc_rs::constant_time::verify_slices_are_equal(computed, tag).map_err(|_| {
        Error::AuthenticationFailed {
            alg: hmac_name(alg),
        }
    })
}

impl std::fmt::Debug for HmacContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HmacContext")
            .field("alg", &self.alg)
            .finish_non_exhaustive()
    }
}

/// HMAC.
impl CryptoProvider {
    /// An HMAC key for `alg`. Every key length is valid (RFC 2104 §2); the `Result` is
    /// kept for key-length policy (e.g. a FIPS minimum) and currently never fails.
    pub fn hmac_key(&self, alg: HashAlg, key: &[u8]) -> Result<HmacKey, Error> {
        Ok(HmacKey::new(alg, key))
    }

    /// HMAC of `data` under `key` in one step.
    pub fn hmac(&self, alg: HashAlg, key: &[u8], data: &[u8]) -> Result<Tag, Error> {
        Ok(self.hmac_key(alg, key)?.sign(data))
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// RFC 4231 test case 2 (key "Jefe").
    const JEFE_DATA: &[u8] = b"what do ya want for nothing?";

    #[test]
    fn rfc4231_case_2_sha256() {
        let tag = CryptoProvider::new()
            .hmac(HashAlg::Sha256, b"Jefe", JEFE_DATA)
            .unwrap();
        assert_eq!(
            hex::encode(tag),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    /// The RFC 2104 construction over our Hasher agrees with aws-lc-rs's HMAC for every
    /// hash aws-lc-rs has: an independent implementation of the path used for SHA-3.
    #[test]
    fn generic_construction_matches_aws_lc() {
        for alg in [
            HashAlg::Sha1,
            HashAlg::Sha224,
            HashAlg::Sha256,
            HashAlg::Sha384,
            HashAlg::Sha512,
        ] {
            for key_len in [0, 1, 20, 64, 127, 128, 129, 200] {
                let key = vec![0xa5u8; key_len];
                let aws = HmacKey::new(alg, &key);
                let generic = HmacKey {
                    alg,
                    key: HmacKey::rfc2104(alg, &key),
                };
                assert_eq!(
                    aws.sign(b"msg"),
                    generic.sign(b"msg"),
                    "{alg} key {key_len}"
                );
            }
        }
    }

    #[test]
    fn refuses_tag_of_wrong_length() {
        let key = HmacKey::new(HashAlg::Sha256, b"k");
        let tag = key.sign(b"m");
        assert_eq!(
            key.verify(b"m", &tag.as_bytes()[..31]),
            Err(Error::InvalidTagLength {
                alg: "HMAC-SHA-256",
                len: 31
            })
        );
        assert_eq!(
            key.verify_truncated(b"m", &tag.as_bytes()[..15]),
            Err(Error::InvalidTagLength {
                alg: "HMAC-SHA-256",
                len: 15
            })
        );
        assert!(key.verify_truncated(b"m", &tag.as_bytes()[..16]).is_ok());
        assert_eq!(min_truncated_tag_len(HashAlg::Sha1), 10);
        assert_eq!(min_truncated_tag_len(HashAlg::Sha512), 32);
    }

    #[test]
    fn refuses_tampered_tag() {
        for alg in HashAlg::ALL {
            let key = HmacKey::new(alg, b"key");
            let mut tag = key.sign(b"m").as_bytes().to_vec();
            assert_eq!(key.verify(b"m", &tag), Ok(()));
            tag[0] ^= 1;
            assert_eq!(
                key.verify(b"m", &tag),
                Err(Error::AuthenticationFailed {
                    alg: hmac_name(alg)
                })
            );
            let half = min_truncated_tag_len(alg);
            assert_eq!(
                key.verify_truncated(b"m", &tag[..half]),
                Err(Error::AuthenticationFailed {
                    alg: hmac_name(alg)
                })
            );
        }
    }

    proptest! {
        #[test]
        fn incremental_equals_one_shot(
            key in proptest::collection::vec(any::<u8>(), 0..200),
            data in proptest::collection::vec(any::<u8>(), 0..300),
            split in any::<prop::sample::Index>(),
            alg_idx in 0usize..9,
        ) {
            let alg = HashAlg::ALL[alg_idx];
            let key = HmacKey::new(alg, &key);
            let at = split.index(data.len() + 1);
            let mut ctx = key.context();
            ctx.update(&data[..at]);
            let fork = ctx.clone();
            ctx.update(&data[at..]);
            let tag = ctx.sign();
            prop_assert_eq!(&tag, &key.sign(&data));
            prop_assert!(key.verify(&data, tag.as_bytes()).is_ok());
            prop_assert_eq!(fork.sign(), key.sign(&data[..at]));
        }
    }
}
