//! HKDF (RFC 5869): extract and expand over HMAC with any [`HashAlg`].
//!
//! This module owns the pseudorandom key type [`Prk`] and the provider's `hkdf_*` methods.
//! It is written over [`HmacKey`] (so it inherits aws-lc-rs HMAC for SHA-1/SHA-2 and the
//! RFC 2104 construction for SHA-3); the unit tests check it against aws-lc-rs's own HKDF.
//!
//! Expand takes the PRK as raw bytes because SPDM's key schedule (DSP0277 / DSP0274
//! §"key schedule") expands from secrets it derived itself with HMAC.

use crate::hash::{HashAlg, MAX_OUTPUT_LEN};
use crate::hmac::HmacKey;
use crate::{CryptoProvider, Error};

/// RFC 5869 §2.3: at most 255 blocks of output.
const MAX_BLOCKS: usize = 255;

/// "HKDF-SHA-256" etc., for errors.
const fn hkdf_name(alg: HashAlg) -> &'static str {
    match alg {
        HashAlg::Sha1 => "HKDF-SHA-1",
        HashAlg::Sha224 => "HKDF-SHA-224",
        HashAlg::Sha256 => "HKDF-SHA-256",
        HashAlg::Sha384 => "HKDF-SHA-384",
        HashAlg::Sha512 => "HKDF-SHA-512",
        HashAlg::Sha3_224 => "HKDF-SHA3-224",
        HashAlg::Sha3_256 => "HKDF-SHA3-256",
        HashAlg::Sha3_384 => "HKDF-SHA3-384",
        HashAlg::Sha3_512 => "HKDF-SHA3-512",
    }
}

/// The largest output [`CryptoProvider::hkdf_expand`] allows for `alg`: `255 * HashLen`.
pub const fn max_output_len(alg: HashAlg) -> usize {
    // At most 255 * 64; cannot overflow.
    alg.output_len().saturating_mul(MAX_BLOCKS)
}

/// A pseudorandom key (RFC 5869 §2.2 "PRK"): secret, `HashLen` bytes, held inline.
///
/// `Debug` does not print it; the buffer is overwritten with zeros on drop.
pub struct Prk {
    alg: HashAlg,
    buf: [u8; MAX_OUTPUT_LEN],
}

impl Prk {
    /// The hash algorithm it was extracted with.
    pub fn algorithm(&self) -> HashAlg {
        self.alg
    }

    /// The key bytes, to hand to [`CryptoProvider::hkdf_expand`] or to store in a key
    /// schedule.
    pub fn as_bytes(&self) -> &[u8] {
        self.buf.get(..self.alg.output_len()).unwrap_or(&self.buf)
    }
}

impl AsRef<[u8]> for Prk {
    fn as_ref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl Drop for Prk {
    fn drop(&mut self) {
        wipe(&mut self.buf);
    }
}

impl std::fmt::Debug for Prk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Prk")
            .field("alg", &self.alg)
            .finish_non_exhaustive()
    }
}

/// Best-effort erase of secret bytes (the `black_box` keeps the store from being elided).
fn wipe(buf: &mut [u8]) {
    buf.fill(0);
    std::hint::black_box(buf);
}

/// HKDF.
impl CryptoProvider {
    /// HKDF-Extract (RFC 5869 §2.2): `PRK = HMAC-Hash(salt, IKM)`. An empty `salt` is the
    /// RFC's "not provided" (HMAC pads it to `HashLen` zeros, which is the same key).
    pub fn hkdf_extract(&self, alg: HashAlg, salt: &[u8], ikm: &[u8]) -> Prk {
        let tag = HmacKey::new(alg, salt).sign(ikm);
        let mut buf = [0u8; MAX_OUTPUT_LEN];
        for (dst, src) in buf.iter_mut().zip(tag.as_bytes()) {
            *dst = *src;
        }
        Prk { alg, buf }
    }

    /// HKDF-Expand (RFC 5869 §2.3): fills `out` with `OKM = T(1) | T(2) | ...`, where
    /// `T(i) = HMAC-Hash(PRK, T(i-1) | info | i)`.
    ///
    /// `prk` must be at least `HashLen` bytes (RFC 5869 §2.3, else
    /// [`Error::InvalidKeyLength`]); `out.len()` at most `255 * HashLen`
    /// ([`max_output_len`], else [`Error::InvalidInputLength`]). An empty `out` is valid.
    pub fn hkdf_expand(
        &self,
        alg: HashAlg,
        prk: &[u8],
        info: &[u8],
        out: &mut [u8],
    ) -> Result<(), Error> {
        if prk.len() < alg.output_len() {
            return Err(Error::InvalidKeyLength {
                alg: hkdf_name(alg),
                len: prk.len(),
            });
        }
        if out.len() > max_output_len(alg) {
            return Err(Error::InvalidInputLength {
                alg: hkdf_name(alg),
                len: out.len(),
                reason: "HKDF output is at most 255 * HashLen bytes",
            });
        }
        let key = HmacKey::new(alg, prk);
        let mut prev = [0u8; MAX_OUTPUT_LEN];
        let mut prev_len = 0usize;
        for (chunk, counter) in out.chunks_mut(alg.output_len()).zip(1u8..=u8::MAX) {
            let mut ctx = key.context();
            ctx.update(prev.get(..prev_len).unwrap_or(&[]));
            ctx.update(info);
            ctx.update(&[counter]);
            let t = ctx.sign();
            for (dst, src) in prev.iter_mut().zip(t.as_bytes()) {
                *dst = *src;
            }
            prev_len = t.len();
            for (dst, src) in chunk.iter_mut().zip(t.as_bytes()) {
                *dst = *src;
            }
        }
        wipe(&mut prev);
        Ok(())
    }

    /// Extract then expand in one call (RFC 5869 §2).
    pub fn hkdf(
        &self,
        alg: HashAlg,
        salt: &[u8],
        ikm: &[u8],
        info: &[u8],
        out: &mut [u8],
    ) -> Result<(), Error> {
        let prk = self.hkdf_extract(alg, salt, ikm);
        self.hkdf_expand(alg, prk.as_bytes(), info, out)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn rfc5869_case_1() {
        let p = CryptoProvider::new();
        let ikm = [0x0b; 22];
        let salt = hex::decode("000102030405060708090a0b0c").unwrap();
        let info = hex::decode("f0f1f2f3f4f5f6f7f8f9").unwrap();
        let prk = p.hkdf_extract(HashAlg::Sha256, &salt, &ikm);
        assert_eq!(
            hex::encode(prk.as_bytes()),
            "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5"
        );
        let mut okm = [0u8; 42];
        p.hkdf_expand(HashAlg::Sha256, prk.as_bytes(), &info, &mut okm)
            .unwrap();
        assert_eq!(
            hex::encode(okm),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"
        );
        assert!(format!("{prk:?}").starts_with("Prk"));
        assert!(!format!("{prk:?}").contains("0777"));
    }

    #[test]
    fn refuses_output_longer_than_255_blocks() {
        // RFC 5869 §2.3: "L  length of output keying material in octets (<= 255*HashLen)".
        let p = CryptoProvider::new();
        let prk = [1u8; 32];
        let mut ok = vec![0u8; 255 * 32];
        assert!(p.hkdf_expand(HashAlg::Sha256, &prk, b"", &mut ok).is_ok());
        let mut too_long = vec![0u8; 255 * 32 + 1];
        assert_eq!(
            p.hkdf_expand(HashAlg::Sha256, &prk, b"", &mut too_long),
            Err(Error::InvalidInputLength {
                alg: "HKDF-SHA-256",
                len: 255 * 32 + 1,
                reason: "HKDF output is at most 255 * HashLen bytes",
            })
        );
    }

    #[test]
    fn refuses_prk_shorter_than_hash_len() {
        // RFC 5869 §2.3: "PRK  a pseudorandom key of at least HashLen octets".
        let p = CryptoProvider::new();
        let mut out = [0u8; 16];
        assert_eq!(
            p.hkdf_expand(HashAlg::Sha384, &[0u8; 47], b"", &mut out),
            Err(Error::InvalidKeyLength {
                alg: "HKDF-SHA-384",
                len: 47
            })
        );
    }

    fn aws_alg(alg: HashAlg) -> aws_lc_rs::hkdf::Algorithm {
        match alg {
            HashAlg::Sha1 => aws_lc_rs::hkdf::HKDF_SHA1_FOR_LEGACY_USE_ONLY,
            HashAlg::Sha256 => aws_lc_rs::hkdf::HKDF_SHA256,
            HashAlg::Sha384 => aws_lc_rs::hkdf::HKDF_SHA384,
            _ => aws_lc_rs::hkdf::HKDF_SHA512,
        }
    }

    struct Len(usize);
    impl aws_lc_rs::hkdf::KeyType for Len {
        fn len(&self) -> usize {
            self.0
        }
    }

    proptest! {
        /// Agrees with aws-lc-rs's HKDF (an independent implementation) for every length.
        #[test]
        fn matches_aws_lc_hkdf(
            salt in proptest::collection::vec(any::<u8>(), 0..80),
            ikm in proptest::collection::vec(any::<u8>(), 0..80),
            info in proptest::collection::vec(any::<u8>(), 0..40),
            len in 0usize..300,
            alg_idx in 0usize..4,
        ) {
            let alg = [HashAlg::Sha1, HashAlg::Sha256, HashAlg::Sha384, HashAlg::Sha512][alg_idx];
            let p = CryptoProvider::new();
            let mut ours = vec![0u8; len];
            p.hkdf(alg, &salt, &ikm, &info, &mut ours).unwrap();
            let prk = aws_lc_rs::hkdf::Salt::new(aws_alg(alg), &salt).extract(&ikm);
            let mut theirs = vec![0u8; len];
            if len > 0 {
                let info_parts = [info.as_slice()];
                prk.expand(&info_parts, Len(len)).unwrap().fill(&mut theirs).unwrap();
            }
            prop_assert_eq!(ours, theirs);
        }
    }
}
