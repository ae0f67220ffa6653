//! Authenticated encryption with associated data: AES-GCM (NIST SP 800-38D),
//! ChaCha20-Poly1305 (RFC 8439) and AES-CCM (NIST SP 800-38C, RFC 3610).
//!
//! This module owns [`AeadAlg`], [`AeadKey`] and the provider's `aead_key*` methods.
//! Backend: aws-lc-rs `LessSafeKey` for GCM and ChaCha20-Poly1305; RustCrypto `ccm` over
//! `aes` for CCM, which aws-lc-rs does not offer as an AEAD.
//!
//! Parameters:
//!
//! | algorithm | key | nonce | tag |
//! |---|---|---|---|
//! | AES-128/192/256-GCM | 16/24/32 | 12 | 16 |
//! | ChaCha20-Poly1305 | 32 | 12 | 16 |
//! | AES-128/192/256-CCM | 16/24/32 | 7..=13 | 4, 6, ..., 16 |
//!
//! GCM nonces other than 96 bits (SP 800-38D §8.2 allows them, via GHASH) and truncated GCM
//! tags are deliberately not offered: aws-lc-rs does not expose them and no vtrust peer
//! uses them. A key's tag length is fixed when the key is made
//! ([`CryptoProvider::aead_key_with_tag_len`]) so a peer can never choose a shorter tag.
//!
//! The in-place functions are the hot path (virtio-crypto data requests, SPDM secured
//! messages): no allocation, no dynamic dispatch, one `match` on the key kind.

use aws_lc_rs::aead::{Aad, LessSafeKey, Nonce, UnboundKey};

use crate::{CryptoProvider, Error};

/// An AEAD algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AeadAlg {
    /// AES-128 in Galois/Counter Mode (NIST SP 800-38D).
    Aes128Gcm,
    /// AES-192 in Galois/Counter Mode (NIST SP 800-38D).
    Aes192Gcm,
    /// AES-256 in Galois/Counter Mode (NIST SP 800-38D).
    Aes256Gcm,
    /// ChaCha20-Poly1305 (RFC 8439 §2.8).
    ChaCha20Poly1305,
    /// AES-128 in CCM mode (NIST SP 800-38C).
    Aes128Ccm,
    /// AES-192 in CCM mode (NIST SP 800-38C).
    Aes192Ccm,
    /// AES-256 in CCM mode (NIST SP 800-38C).
    Aes256Ccm,
}

impl AeadAlg {
    /// Every algorithm.
    pub const ALL: [AeadAlg; 7] = [
        AeadAlg::Aes128Gcm,
        AeadAlg::Aes192Gcm,
        AeadAlg::Aes256Gcm,
        AeadAlg::ChaCha20Poly1305,
        AeadAlg::Aes128Ccm,
        AeadAlg::Aes192Ccm,
        AeadAlg::Aes256Ccm,
    ];

    /// The name as printed ("AES-256-GCM").
    pub const fn name(self) -> &'static str {
        match self {
            AeadAlg::Aes128Gcm => "AES-128-GCM",
            AeadAlg::Aes192Gcm => "AES-192-GCM",
            AeadAlg::Aes256Gcm => "AES-256-GCM",
            AeadAlg::ChaCha20Poly1305 => "ChaCha20-Poly1305",
            AeadAlg::Aes128Ccm => "AES-128-CCM",
            AeadAlg::Aes192Ccm => "AES-192-CCM",
            AeadAlg::Aes256Ccm => "AES-256-CCM",
        }
    }

    /// The key length in bytes.
    pub const fn key_len(self) -> usize {
        match self {
            AeadAlg::Aes128Gcm | AeadAlg::Aes128Ccm => 16,
            AeadAlg::Aes192Gcm | AeadAlg::Aes192Ccm => 24,
            AeadAlg::Aes256Gcm | AeadAlg::Aes256Ccm | AeadAlg::ChaCha20Poly1305 => 32,
        }
    }

    /// The shortest valid nonce, in bytes.
    pub const fn min_nonce_len(self) -> usize {
        if self.is_ccm() { 7 } else { 12 }
    }

    /// The longest valid nonce, in bytes.
    pub const fn max_nonce_len(self) -> usize {
        if self.is_ccm() { 13 } else { 12 }
    }

    /// Whether `len` is a valid nonce length.
    pub const fn is_valid_nonce_len(self, len: usize) -> bool {
        len >= self.min_nonce_len() && len <= self.max_nonce_len()
    }

    /// The full tag length in bytes (16 for every algorithm here); the default of
    /// [`CryptoProvider::aead_key`].
    pub const fn max_tag_len(self) -> usize {
        16
    }

    /// Whether `len` is a valid tag length: 16 for GCM and ChaCha20-Poly1305; 4, 6, 8, 10,
    /// 12, 14 or 16 for CCM (SP 800-38C §A.1).
    pub const fn is_valid_tag_len(self, len: usize) -> bool {
        if self.is_ccm() {
            len >= 4 && len <= 16 && len.is_multiple_of(2)
        } else {
            len == 16
        }
    }

    /// The longest plaintext accepted with a nonce of `nonce_len` bytes: GCM 2^36 - 32 bytes
    /// (SP 800-38D §5.2.1.1), ChaCha20-Poly1305 2^38 - 64 bytes (RFC 8439 §2.8), CCM
    /// 2^(8 * (15 - nonce_len)) - 1 bytes (SP 800-38C §A.1). 0 for an invalid nonce length.
    pub const fn max_input_len(self, nonce_len: usize) -> u64 {
        if !self.is_valid_nonce_len(nonce_len) {
            return 0;
        }
        match self {
            AeadAlg::Aes128Gcm | AeadAlg::Aes192Gcm | AeadAlg::Aes256Gcm => (1 << 36) - 32,
            AeadAlg::ChaCha20Poly1305 => (1 << 38) - 64,
            AeadAlg::Aes128Ccm | AeadAlg::Aes192Ccm | AeadAlg::Aes256Ccm => {
                // nonce_len is 7..=13 here, so the shift is 0..=48 bits.
                let shift = nonce_len.saturating_sub(7).saturating_mul(8);
                u64::MAX >> shift
            }
        }
    }

    const fn is_ccm(self) -> bool {
        matches!(
            self,
            AeadAlg::Aes128Ccm | AeadAlg::Aes192Ccm | AeadAlg::Aes256Ccm
        )
    }
}

impl std::fmt::Display for AeadAlg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// An AEAD key, bound to its algorithm and tag length. `Debug` does not print the key.
pub struct AeadKey {
    alg: AeadAlg,
    tag_len: usize,
    inner: KeyInner,
}

enum KeyInner {
    Aws(LessSafeKey),
    Ccm128(aes::Aes128),
    Ccm192(aes::Aes192),
    Ccm256(aes::Aes256),
}

impl AeadKey {
    fn new(alg: AeadAlg, key: &[u8], tag_len: usize) -> Result<Self, Error> {
        use aes::cipher::KeyInit;
        if key.len() != alg.key_len() {
            return Err(Error::InvalidKeyLength {
                alg: alg.name(),
                len: key.len(),
            });
        }
        if !alg.is_valid_tag_len(tag_len) {
            return Err(Error::InvalidTagLength {
                alg: alg.name(),
                len: tag_len,
            });
        }
        let aws = |a: &'static aws_lc_rs::aead::Algorithm| {
            UnboundKey::new(a, key)
                .map(|k| KeyInner::Aws(LessSafeKey::new(k)))
                .map_err(|_| Error::KeyRejected {
                    alg: alg.name(),
                    reason: "aws-lc-rs refused the key",
                })
        };
        let bad_len = |_| Error::InvalidKeyLength {
            alg: alg.name(),
            len: key.len(),
        };
        let inner = match alg {
            AeadAlg::Aes128Gcm => aws(&aws_lc_rs::aead::AES_128_GCM)?,
            AeadAlg::Aes192Gcm => aws(&aws_lc_rs::aead::AES_192_GCM)?,
            AeadAlg::Aes256Gcm => aws(&aws_lc_rs::aead::AES_256_GCM)?,
            AeadAlg::ChaCha20Poly1305 => aws(&aws_lc_rs::aead::CHACHA20_POLY1305)?,
            AeadAlg::Aes128Ccm => {
                KeyInner::Ccm128(aes::Aes128::new_from_slice(key).map_err(bad_len)?)
            }
            AeadAlg::Aes192Ccm => {
                KeyInner::Ccm192(aes::Aes192::new_from_slice(key).map_err(bad_len)?)
            }
            AeadAlg::Aes256Ccm => {
                KeyInner::Ccm256(aes::Aes256::new_from_slice(key).map_err(bad_len)?)
            }
        };
        Ok(Self {
            alg,
            tag_len,
            inner,
        })
    }

    /// The algorithm.
    pub fn algorithm(&self) -> AeadAlg {
        self.alg
    }

    /// The tag length this key produces and requires.
    pub fn tag_len(&self) -> usize {
        self.tag_len
    }

    /// Encrypts `in_out` in place and writes the tag to `tag_out`.
    ///
    /// `nonce` must be unique per key (never reuse one: for GCM and ChaCha20-Poly1305 a
    /// repeat reveals the authentication key). Errors: [`Error::InvalidNonceLength`],
    /// [`Error::InvalidTagLength`] (`tag_out.len() != self.tag_len()`),
    /// [`Error::InvalidInputLength`] (longer than [`AeadAlg::max_input_len`]); these
    /// parameter errors leave `in_out` unchanged.
    #[inline]
    pub fn seal_in_place_separate_tag(
        &self,
        nonce: &[u8],
        aad: &[u8],
        in_out: &mut [u8],
        tag_out: &mut [u8],
    ) -> Result<(), Error> {
        self.check(nonce.len(), tag_out.len(), in_out.len())?;
        match &self.inner {
            KeyInner::Aws(key) => {
                let nonce = Nonce::try_assume_unique_for_key(nonce)
                    .map_err(|_| self.bad_nonce(nonce.len()))?;
                // The scatter form writes the tag straight into `tag_out`: no intermediate
                // `Tag` moved through the stack (that copy cost ~10% at 64 B).
                key.seal_in_place_scatter(nonce, Aad::from(aad), in_out, &[], tag_out)
                    .map_err(|_| Error::Backend {
                        alg: self.alg.name(),
                    })
            }
            KeyInner::Ccm128(c) => {
                ccm_mode::run(c, self.alg, nonce, aad, in_out, ccm_mode::Op::Seal(tag_out))
            }
            KeyInner::Ccm192(c) => {
                ccm_mode::run(c, self.alg, nonce, aad, in_out, ccm_mode::Op::Seal(tag_out))
            }
            KeyInner::Ccm256(c) => {
                ccm_mode::run(c, self.alg, nonce, aad, in_out, ccm_mode::Op::Seal(tag_out))
            }
        }
    }

    /// Checks `tag` and decrypts `in_out` in place.
    ///
    /// [`Error::AuthenticationFailed`] if the tag does not match: then `in_out` is zeroed,
    /// so no unauthenticated plaintext is ever released. Parameter errors
    /// ([`Error::InvalidNonceLength`], [`Error::InvalidTagLength`] when
    /// `tag.len() != self.tag_len()`, [`Error::InvalidInputLength`]) leave the ciphertext
    /// in `in_out` unchanged.
    #[inline]
    pub fn open_in_place_separate_tag(
        &self,
        nonce: &[u8],
        aad: &[u8],
        in_out: &mut [u8],
        tag: &[u8],
    ) -> Result<(), Error> {
        self.check(nonce.len(), tag.len(), in_out.len())?;
        let result = match &self.inner {
            KeyInner::Aws(key) => {
                let nonce = Nonce::try_assume_unique_for_key(nonce)
                    .map_err(|_| self.bad_nonce(nonce.len()))?;
                key.open_in_place_separate_tag(nonce, Aad::from(aad), tag, in_out)
                    .map(|_| ())
                    .map_err(|_| Error::AuthenticationFailed {
                        alg: self.alg.name(),
                    })
            }
            KeyInner::Ccm128(c) => {
                ccm_mode::run(c, self.alg, nonce, aad, in_out, ccm_mode::Op::Open(tag))
            }
            KeyInner::Ccm192(c) => {
                ccm_mode::run(c, self.alg, nonce, aad, in_out, ccm_mode::Op::Open(tag))
            }
            KeyInner::Ccm256(c) => {
                ccm_mode::run(c, self.alg, nonce, aad, in_out, ccm_mode::Op::Open(tag))
            }
        };
        if result.is_err() {
            in_out.fill(0);
        }
        result
    }

    /// Encrypts `plaintext` and returns `ciphertext || tag` in a new buffer.
    pub fn seal(&self, nonce: &[u8], aad: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, Error> {
        let total = plaintext
            .len()
            .checked_add(self.tag_len)
            .ok_or_else(|| self.too_long(plaintext.len()))?;
        let mut out = vec![0u8; total];
        let (ct, tag) = out.split_at_mut(plaintext.len());
        ct.copy_from_slice(plaintext);
        self.seal_in_place_separate_tag(nonce, aad, ct, tag)?;
        Ok(out)
    }

    /// Checks and decrypts `ciphertext || tag`, returning the plaintext in a new buffer.
    pub fn open(&self, nonce: &[u8], aad: &[u8], ct_and_tag: &[u8]) -> Result<Vec<u8>, Error> {
        let ct_len =
            ct_and_tag
                .len()
                .checked_sub(self.tag_len)
                .ok_or(Error::InvalidInputLength {
                    alg: self.alg.name(),
                    len: ct_and_tag.len(),
                    reason: "shorter than the tag",
                })?;
        let (ct, tag) = ct_and_tag.split_at(ct_len);
        let mut out = ct.to_vec();
        self.open_in_place_separate_tag(nonce, aad, &mut out, tag)?;
        Ok(out)
    }

    #[inline]
    fn check(&self, nonce_len: usize, tag_len: usize, input_len: usize) -> Result<(), Error> {
        if !self.alg.is_valid_nonce_len(nonce_len) {
            return Err(self.bad_nonce(nonce_len));
        }
        if tag_len != self.tag_len {
            return Err(Error::InvalidTagLength {
                alg: self.alg.name(),
                len: tag_len,
            });
        }
        if u64::try_from(input_len).unwrap_or(u64::MAX) > self.alg.max_input_len(nonce_len) {
            return Err(self.too_long(input_len));
        }
        Ok(())
    }

    #[cold]
    fn bad_nonce(&self, len: usize) -> Error {
        Error::InvalidNonceLength {
            alg: self.alg.name(),
            len,
        }
    }

    #[cold]
    fn too_long(&self, len: usize) -> Error {
        Error::InvalidInputLength {
            alg: self.alg.name(),
            len,
            reason: "longer than the algorithm allows for this nonce length",
        }
    }
}

impl std::fmt::Debug for AeadKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AeadKey")
            .field("alg", &self.alg)
            .field("tag_len", &self.tag_len)
            .finish_non_exhaustive()
    }
}

/// AES-CCM through RustCrypto `ccm`, whose nonce and tag sizes are type parameters: the
/// runtime lengths are dispatched to one monomorphized instance per valid (nonce, tag)
/// pair, 7 x 7 per AES key size. The block cipher is borrowed, never copied.
mod ccm_mode {
    use aes::cipher::{BlockCipherEncrypt, BlockSizeUser};
    use ccm::aead::AeadInOut;
    use ccm::aead::array::{Array, ArraySize};
    use ccm::consts::{U4, U6, U7, U8, U9, U10, U11, U12, U13, U14, U16};
    use ccm::{Ccm, NonceSize, TagSize};

    use super::AeadAlg;
    use crate::Error;

    /// What to do once the sizes are known.
    pub(super) enum Op<'a> {
        /// Encrypt, writing the tag here.
        Seal(&'a mut [u8]),
        /// Check this tag, then decrypt.
        Open(&'a [u8]),
    }

    impl Op<'_> {
        fn tag_len(&self) -> usize {
            match self {
                Op::Seal(t) => t.len(),
                Op::Open(t) => t.len(),
            }
        }
    }

    /// Lengths are already checked by the caller (`AeadKey::check`); the arms that
    /// cannot match still return the precise error.
    pub(super) fn run<C>(
        cipher: &C,
        alg: AeadAlg,
        nonce: &[u8],
        aad: &[u8],
        in_out: &mut [u8],
        op: Op<'_>,
    ) -> Result<(), Error>
    where
        C: BlockCipherEncrypt + BlockSizeUser<BlockSize = U16>,
    {
        macro_rules! by_nonce {
            ($($len:literal => $n:ty),*) => {
                match nonce.len() {
                    $($len => by_tag::<C, $n>(cipher, alg, nonce, aad, in_out, op),)*
                    len => Err(Error::InvalidNonceLength { alg: alg.name(), len }),
                }
            };
        }
        by_nonce!(7 => U7, 8 => U8, 9 => U9, 10 => U10, 11 => U11, 12 => U12, 13 => U13)
    }

    fn by_tag<C, N>(
        cipher: &C,
        alg: AeadAlg,
        nonce: &[u8],
        aad: &[u8],
        in_out: &mut [u8],
        op: Op<'_>,
    ) -> Result<(), Error>
    where
        C: BlockCipherEncrypt + BlockSizeUser<BlockSize = U16>,
        N: ArraySize + NonceSize,
    {
        macro_rules! by_tag {
            ($($len:literal => $m:ty),*) => {
                match op.tag_len() {
                    $($len => sized::<C, N, $m>(cipher, alg, nonce, aad, in_out, op),)*
                    len => Err(Error::InvalidTagLength { alg: alg.name(), len }),
                }
            };
        }
        by_tag!(4 => U4, 6 => U6, 8 => U8, 10 => U10, 12 => U12, 14 => U14, 16 => U16)
    }

    fn sized<C, N, M>(
        cipher: &C,
        alg: AeadAlg,
        nonce: &[u8],
        aad: &[u8],
        in_out: &mut [u8],
        op: Op<'_>,
    ) -> Result<(), Error>
    where
        C: BlockCipherEncrypt + BlockSizeUser<BlockSize = U16>,
        N: ArraySize + NonceSize,
        M: ArraySize + TagSize,
    {
        let ccm: Ccm<&C, M, N> = Ccm::from(cipher);
        let nonce = Array::<u8, N>::slice_as_array(nonce).ok_or(Error::InvalidNonceLength {
            alg: alg.name(),
            len: nonce.len(),
        })?;
        match op {
            Op::Seal(tag_out) => {
                let tag = ccm
                    .encrypt_inout_detached(nonce, aad, in_out.into())
                    .map_err(|_| Error::Backend { alg: alg.name() })?;
                for (dst, src) in tag_out.iter_mut().zip(tag.iter()) {
                    *dst = *src;
                }
                Ok(())
            }
            Op::Open(tag) => {
                let tag = Array::<u8, M>::slice_as_array(tag).ok_or(Error::InvalidTagLength {
                    alg: alg.name(),
                    len: tag.len(),
                })?;
                ccm.decrypt_inout_detached(nonce, aad, in_out.into(), tag)
                    .map_err(|_| Error::AuthenticationFailed { alg: alg.name() })
            }
        }
    }
}

/// AEAD keys.
impl CryptoProvider {
    /// An AEAD key with the algorithm's full 16-byte tag.
    ///
    /// [`Error::InvalidKeyLength`] unless `key.len() == alg.key_len()`.
    pub fn aead_key(&self, alg: AeadAlg, key: &[u8]) -> Result<AeadKey, Error> {
        AeadKey::new(alg, key, alg.max_tag_len())
    }

    /// An AEAD key producing and requiring tags of `tag_len` bytes (CCM: 4, 6, ..., 16;
    /// GCM and ChaCha20-Poly1305: 16 only, else [`Error::InvalidTagLength`]).
    pub fn aead_key_with_tag_len(
        &self,
        alg: AeadAlg,
        key: &[u8],
        tag_len: usize,
    ) -> Result<AeadKey, Error> {
        AeadKey::new(alg, key, tag_len)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn key(alg: AeadAlg) -> AeadKey {
        CryptoProvider::new()
            .aead_key(alg, &vec![0x42; alg.key_len()])
            .unwrap()
    }

    #[test]
    fn refuses_bad_key_length() {
        let p = CryptoProvider::new();
        for alg in AeadAlg::ALL {
            let len = alg.key_len() + 1;
            assert_eq!(
                p.aead_key(alg, &vec![0; len]).unwrap_err(),
                Error::InvalidKeyLength {
                    alg: alg.name(),
                    len
                }
            );
        }
    }

    #[test]
    fn refuses_bad_nonce_length() {
        for alg in AeadAlg::ALL {
            let k = key(alg);
            let mut buf = [1u8; 8];
            let mut tag = [0u8; 16];
            for len in [0, alg.min_nonce_len() - 1, alg.max_nonce_len() + 1, 16] {
                let nonce = vec![0u8; len];
                assert_eq!(
                    k.seal_in_place_separate_tag(&nonce, b"", &mut buf, &mut tag),
                    Err(Error::InvalidNonceLength {
                        alg: alg.name(),
                        len
                    })
                );
                assert_eq!(
                    k.open_in_place_separate_tag(&nonce, b"", &mut buf, &tag),
                    Err(Error::InvalidNonceLength {
                        alg: alg.name(),
                        len
                    })
                );
                assert_eq!(buf, [1u8; 8], "parameter errors leave the buffer alone");
            }
        }
    }

    #[test]
    fn refuses_bad_tag_length() {
        let p = CryptoProvider::new();
        for alg in [AeadAlg::Aes128Gcm, AeadAlg::ChaCha20Poly1305] {
            assert_eq!(
                p.aead_key_with_tag_len(alg, &vec![0; alg.key_len()], 12)
                    .unwrap_err(),
                Error::InvalidTagLength {
                    alg: alg.name(),
                    len: 12
                }
            );
        }
        for len in [0, 2, 3, 5, 15, 17] {
            assert_eq!(
                p.aead_key_with_tag_len(AeadAlg::Aes128Ccm, &[0; 16], len)
                    .unwrap_err(),
                Error::InvalidTagLength {
                    alg: "AES-128-CCM",
                    len
                }
            );
        }
        // A tag buffer of another length than the key's is refused (no peer-chosen truncation).
        let k = p
            .aead_key_with_tag_len(AeadAlg::Aes256Ccm, &[0; 32], 8)
            .unwrap();
        let mut buf = [0u8; 4];
        let mut tag = [0u8; 16];
        assert_eq!(
            k.seal_in_place_separate_tag(&[0; 12], b"", &mut buf, &mut tag),
            Err(Error::InvalidTagLength {
                alg: "AES-256-CCM",
                len: 16
            })
        );
        assert_eq!(
            k.open_in_place_separate_tag(&[0; 12], b"", &mut buf, &tag[..4]),
            Err(Error::InvalidTagLength {
                alg: "AES-256-CCM",
                len: 4
            })
        );
    }

    #[test]
    fn refuses_ccm_input_too_long_for_nonce() {
        // A 13-byte nonce leaves a 2-byte length field: at most 65535 bytes.
        let k = key(AeadAlg::Aes128Ccm);
        let mut buf = vec![0u8; 65536];
        let mut tag = [0u8; 16];
        assert_eq!(
            k.seal_in_place_separate_tag(&[0; 13], b"", &mut buf, &mut tag),
            Err(Error::InvalidInputLength {
                alg: "AES-128-CCM",
                len: 65536,
                reason: "longer than the algorithm allows for this nonce length",
            })
        );
        assert!(
            k.seal_in_place_separate_tag(&[0; 13], b"", &mut buf[..65535], &mut tag)
                .is_ok()
        );
        assert_eq!(AeadAlg::Aes128Ccm.max_input_len(7), u64::MAX);
        assert_eq!(AeadAlg::Aes128Ccm.max_input_len(12), (1 << 24) - 1);
    }

    #[test]
    fn refuses_tampered_tag_and_zeroes_output() {
        for alg in AeadAlg::ALL {
            let k = key(alg);
            let nonce = vec![9u8; alg.max_nonce_len()];
            let mut buf = *b"attack at dawn, bring snacks!!";
            let mut tag = [0u8; 16];
            k.seal_in_place_separate_tag(&nonce, b"hdr", &mut buf, &mut tag)
                .unwrap();
            let ct = buf;
            for (what, aad, flip_tag, flip_ct) in [
                ("tag", &b"hdr"[..], true, false),
                ("ciphertext", &b"hdr"[..], false, true),
                ("aad", &b"hdR"[..], false, false),
            ] {
                let mut buf = ct;
                let mut t = tag;
                if flip_tag {
                    t[15] ^= 0x80;
                }
                if flip_ct {
                    buf[3] ^= 1;
                }
                assert_eq!(
                    k.open_in_place_separate_tag(&nonce, aad, &mut buf, &t),
                    Err(Error::AuthenticationFailed { alg: alg.name() }),
                    "{alg} tampered {what}"
                );
                assert_eq!(buf, [0u8; 30], "{alg}: no plaintext released");
            }
            let mut buf = ct;
            k.open_in_place_separate_tag(&nonce, b"hdr", &mut buf, &tag)
                .unwrap();
            assert_eq!(&buf, b"attack at dawn, bring snacks!!");
        }
    }

    #[test]
    fn refuses_short_sealed_message() {
        let k = key(AeadAlg::Aes256Gcm);
        assert_eq!(
            k.open(&[0; 12], b"", &[0; 15]),
            Err(Error::InvalidInputLength {
                alg: "AES-256-GCM",
                len: 15,
                reason: "shorter than the tag",
            })
        );
    }

    proptest! {
        #[test]
        fn seal_open_round_trip(
            alg_idx in 0usize..7,
            key_bytes in proptest::collection::vec(any::<u8>(), 32),
            nonce_len in 7usize..=13,
            tag_half in 2usize..=8,
            aad in proptest::collection::vec(any::<u8>(), 0..40),
            pt in proptest::collection::vec(any::<u8>(), 0..300),
        ) {
            let alg = AeadAlg::ALL[alg_idx];
            let (nonce_len, tag_len) = if alg.is_ccm() { (nonce_len, tag_half * 2) } else { (12, 16) };
            let k = CryptoProvider::new()
                .aead_key_with_tag_len(alg, &key_bytes[..alg.key_len()], tag_len)
                .unwrap();
            let nonce = vec![3u8; nonce_len];
            let sealed = k.seal(&nonce, &aad, &pt).unwrap();
            prop_assert_eq!(sealed.len(), pt.len() + tag_len);
            prop_assert_eq!(k.open(&nonce, &aad, &sealed).unwrap(), pt.clone());
            let mut bad = sealed.clone();
            let last = bad.len() - 1;
            bad[last] ^= 1;
            prop_assert_eq!(
                k.open(&nonce, &aad, &bad),
                Err(Error::AuthenticationFailed { alg: alg.name() })
            );
        }
    }
}
