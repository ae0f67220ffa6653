//! Unauthenticated block-cipher modes, unpadded, in place: AES-ECB/CBC/CTR (NIST SP 800-38A),
//! AES-XTS (IEEE 1619, NIST SP 800-38E) and 3DES-CBC (NIST SP 800-67).
//!
//! This module owns [`CipherAlg`], [`CipherKey`] and the provider's `cipher_key` method.
//! These exist for virtio-crypto's cipher service and the TPM's `TPM2_EncryptDecrypt`; new
//! protocols should use [`crate::aead`]. Backend: aws-lc-rs for AES-ECB/CBC/CTR (its
//! `cipher` module works in place and does not pad); RustCrypto `xts-mode` + `aes` for XTS
//! and `des` + `cbc` for 3DES (aws-lc-rs's DES needs its `legacy-des` feature and extra
//! bindings).
//!
//! | mode | key bytes | `iv` | input length |
//! |---|---|---|---|
//! | AES-ECB | 16/24/32 | empty | multiple of 16 |
//! | AES-CBC | 16/24/32 | 16 | multiple of 16 |
//! | AES-CTR | 16/24/32 | 16 (initial counter block; the whole block is incremented, big-endian) | any |
//! | AES-XTS | 32/64 (two AES-128/256 keys, halves must differ) | 16 (the tweak) | 16 to 2^24 (one data unit of at most 2^20 blocks); a partial last block uses ciphertext stealing |
//! | 3DES-CBC | 24 (K1, K2, K3 distinct, no weak DES keys) | 8 | multiple of 8 |
//!
//! Each call is independent: CBC and CTR do not carry the chaining value or counter from
//! one call to the next; the caller passes the IV every time.

use aes::cipher::array::Array;
use aes::cipher::consts::{U8, U16};
use aes::cipher::{BlockModeDecrypt, BlockModeEncrypt, InnerIvInit, KeyInit};
use aws_lc_rs::cipher::{
    DecryptingKey, DecryptionContext, EncryptingKey, EncryptionContext, UnboundCipherKey,
};
use aws_lc_rs::iv::FixedLength;
use xts_mode::Xts128;

use crate::{CryptoProvider, Error};

/// The largest XTS data unit, in bytes: 2^20 AES blocks (NIST SP 800-38E §4, IEEE 1619 §5.1).
pub const XTS_MAX_DATA_UNIT: usize = 1 << 24;

/// A cipher mode (always unpadded).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CipherAlg {
    /// AES in Electronic Codebook mode (SP 800-38A §6.1).
    AesEcb,
    /// AES in Cipher Block Chaining mode (SP 800-38A §6.2).
    AesCbc,
    /// AES in Counter mode (SP 800-38A §6.5), 128-bit big-endian counter.
    AesCtr,
    /// XTS-AES (IEEE 1619-2018, SP 800-38E).
    AesXts,
    /// Triple DES (TDEA, three keys, EDE) in CBC mode (SP 800-67 Rev. 2). Legacy.
    TdesCbc,
}

impl CipherAlg {
    /// Every mode.
    pub const ALL: [CipherAlg; 5] = [
        CipherAlg::AesEcb,
        CipherAlg::AesCbc,
        CipherAlg::AesCtr,
        CipherAlg::AesXts,
        CipherAlg::TdesCbc,
    ];

    /// The name as printed ("AES-CBC").
    pub const fn name(self) -> &'static str {
        match self {
            CipherAlg::AesEcb => "AES-ECB",
            CipherAlg::AesCbc => "AES-CBC",
            CipherAlg::AesCtr => "AES-CTR",
            CipherAlg::AesXts => "AES-XTS",
            CipherAlg::TdesCbc => "3DES-CBC",
        }
    }

    /// The block length in bytes.
    pub const fn block_len(self) -> usize {
        match self {
            CipherAlg::TdesCbc => 8,
            _ => 16,
        }
    }

    /// The IV (or tweak, or initial counter block) length in bytes; 0 for ECB.
    pub const fn iv_len(self) -> usize {
        match self {
            CipherAlg::AesEcb => 0,
            CipherAlg::AesCbc | CipherAlg::AesCtr | CipherAlg::AesXts => 16,
            CipherAlg::TdesCbc => 8,
        }
    }

    /// Whether `len` is a valid key length.
    pub const fn is_valid_key_len(self, len: usize) -> bool {
        match self {
            CipherAlg::AesEcb | CipherAlg::AesCbc | CipherAlg::AesCtr => {
                matches!(len, 16 | 24 | 32)
            }
            CipherAlg::AesXts => matches!(len, 32 | 64),
            CipherAlg::TdesCbc => len == 24,
        }
    }
}

impl std::fmt::Display for CipherAlg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A key for one [`CipherAlg`]. `Debug` does not print it.
pub struct CipherKey {
    alg: CipherAlg,
    inner: KeyInner,
}

/// Key schedules are boxed: they are large and made once per key.
enum KeyInner {
    Aws(Box<AwsKeys>),
    Xts128(Box<Xts128<aes::Aes128>>),
    Xts256(Box<Xts128<aes::Aes256>>),
    Tdes(Box<des::TdesEde3>),
}

/// ECB and CBC need both directions; CTR uses `enc` both ways.
struct AwsKeys {
    enc: EncryptingKey,
    dec: Option<DecryptingKey>,
}

impl CipherKey {
    fn new(alg: CipherAlg, key: &[u8]) -> Result<Self, Error> {
        let bad_len = || Error::InvalidKeyLength {
            alg: alg.name(),
            len: key.len(),
        };
        if !alg.is_valid_key_len(key.len()) {
            return Err(bad_len());
        }
        let rejected = |_| Error::KeyRejected {
            alg: alg.name(),
            reason: "aws-lc-rs refused the key",
        };
        let unbound = || {
            let aws_alg = match key.len() {
                16 => &aws_lc_rs::cipher::AES_128,
                24 => &aws_lc_rs::cipher::AES_192,
                _ => &aws_lc_rs::cipher::AES_256,
            };
            UnboundCipherKey::new(aws_alg, key).map_err(rejected)
        };
        let inner = match alg {
            CipherAlg::AesEcb => KeyInner::Aws(Box::new(AwsKeys {
                enc: EncryptingKey::ecb(unbound()?).map_err(rejected)?,
                dec: Some(DecryptingKey::ecb(unbound()?).map_err(rejected)?),
            })),
            CipherAlg::AesCbc => KeyInner::Aws(Box::new(AwsKeys {
                enc: EncryptingKey::cbc(unbound()?).map_err(rejected)?,
                dec: Some(DecryptingKey::cbc(unbound()?).map_err(rejected)?),
            })),
            CipherAlg::AesCtr => KeyInner::Aws(Box::new(AwsKeys {
                enc: EncryptingKey::ctr(unbound()?).map_err(rejected)?,
                dec: None,
            })),
            CipherAlg::AesXts => {
                let (k1, k2) = key.split_at(key.len() / 2);
                // IEEE 1619-2018 §5.1 and FIPS 140-3 IG C.I: Key1 and Key2 must differ.
                if aws_lc_rs::constant_time::verify_slices_are_equal(k1, k2).is_ok() {
                    return Err(Error::KeyRejected {
                        alg: alg.name(),
                        reason: "the two halves of an XTS key must differ",
                    });
                }
                let bad = |_| bad_len();
                if key.len() == 32 {
                    KeyInner::Xts128(Box::new(Xts128::new(
                        aes::Aes128::new_from_slice(k1).map_err(bad)?,
                        aes::Aes128::new_from_slice(k2).map_err(bad)?,
                    )))
                } else {
                    KeyInner::Xts256(Box::new(Xts128::new(
                        aes::Aes256::new_from_slice(k1).map_err(bad)?,
                        aes::Aes256::new_from_slice(k2).map_err(bad)?,
                    )))
                }
            }
            CipherAlg::TdesCbc => {
                // SP 800-67 Rev. 2 §3.1: K1, K2 and K3 distinct (else 3DES collapses to
                // single DES or two-key TDEA); weak and semi-weak DES keys refused too.
                if des::weak_key_test(key).is_err() {
                    return Err(Error::KeyRejected {
                        alg: alg.name(),
                        reason: "weak DES key or repeated 3DES subkey",
                    });
                }
                KeyInner::Tdes(Box::new(
                    des::TdesEde3::new_from_slice(key).map_err(|_| bad_len())?,
                ))
            }
        };
        Ok(Self { alg, inner })
    }

    /// The mode.
    pub fn algorithm(&self) -> CipherAlg {
        self.alg
    }

    /// Encrypts `in_out` in place. See the module table for `iv` and length rules:
    /// [`Error::InvalidNonceLength`] for a wrong `iv`, [`Error::InvalidInputLength`] for a
    /// length the mode cannot process (then `in_out` is unchanged).
    pub fn encrypt(&self, iv: &[u8], in_out: &mut [u8]) -> Result<(), Error> {
        self.apply(Direction::Encrypt, iv, in_out)
    }

    /// Decrypts `in_out` in place; the same rules as [`CipherKey::encrypt`].
    pub fn decrypt(&self, iv: &[u8], in_out: &mut [u8]) -> Result<(), Error> {
        self.apply(Direction::Decrypt, iv, in_out)
    }

    fn apply(&self, dir: Direction, iv: &[u8], in_out: &mut [u8]) -> Result<(), Error> {
        self.check(iv.len(), in_out.len())?;
        if in_out.is_empty() {
            return Ok(());
        }
        let backend = || Error::Backend {
            alg: self.alg.name(),
        };
        match &self.inner {
            KeyInner::Aws(keys) => {
                let AwsKeys { enc, dec } = &**keys;
                let iv16 = <[u8; 16]>::try_from(iv).ok();
                match (dir, dec) {
                    (Direction::Decrypt, Some(dec)) => {
                        let ctx = match iv16 {
                            Some(iv) => DecryptionContext::Iv128(FixedLength::from(iv)),
                            None => DecryptionContext::None,
                        };
                        dec.decrypt(in_out, ctx).map(|_| ()).map_err(|_| backend())
                    }
                    // Encryption, and CTR decryption (the same keystream XOR).
                    _ => {
                        let ctx = match iv16 {
                            Some(iv) => EncryptionContext::Iv128(FixedLength::from(iv)),
                            None => EncryptionContext::None,
                        };
                        enc.less_safe_encrypt(in_out, ctx)
                            .map(|_| ())
                            .map_err(|_| backend())
                    }
                }
            }
            KeyInner::Xts128(xts) => xts_apply(xts, dir, iv, in_out).ok_or_else(backend),
            KeyInner::Xts256(xts) => xts_apply(xts, dir, iv, in_out).ok_or_else(backend),
            KeyInner::Tdes(tdes) => {
                let iv = Array::<u8, U8>::slice_as_array(iv).ok_or_else(backend)?;
                let (blocks, rest) = Array::<u8, U8>::slice_as_chunks_mut(in_out);
                if !rest.is_empty() {
                    return Err(backend());
                }
                match dir {
                    Direction::Encrypt => {
                        cbc::Encryptor::<&des::TdesEde3>::inner_iv_init(&**tdes, iv)
                            .encrypt_blocks(blocks);
                    }
                    Direction::Decrypt => {
                        cbc::Decryptor::<&des::TdesEde3>::inner_iv_init(&**tdes, iv)
                            .decrypt_blocks(blocks);
                    }
                }
                Ok(())
            }
        }
    }

    fn check(&self, iv_len: usize, len: usize) -> Result<(), Error> {
        let alg = self.alg;
        if iv_len != alg.iv_len() {
            return Err(Error::InvalidNonceLength {
                alg: alg.name(),
                len: iv_len,
            });
        }
        let reason = match alg {
            CipherAlg::AesEcb | CipherAlg::AesCbc | CipherAlg::TdesCbc
                if !len.is_multiple_of(alg.block_len()) =>
            {
                "unpadded mode: the input must be a multiple of the block length"
            }
            CipherAlg::AesXts if len < 16 => "XTS needs at least one full 16-byte block",
            CipherAlg::AesXts if len > XTS_MAX_DATA_UNIT => {
                "an XTS data unit is at most 2^20 blocks (SP 800-38E)"
            }
            _ => return Ok(()),
        };
        Err(Error::InvalidInputLength {
            alg: alg.name(),
            len,
            reason,
        })
    }
}

#[derive(Debug, Clone, Copy)]
enum Direction {
    Encrypt,
    Decrypt,
}

/// One XTS data unit; `None` only if a length check upstream was skipped.
fn xts_apply<C>(xts: &Xts128<C>, dir: Direction, tweak: &[u8], data: &mut [u8]) -> Option<()>
where
    C: aes::cipher::BlockCipherEncrypt
        + aes::cipher::BlockCipherDecrypt
        + aes::cipher::BlockSizeUser<BlockSize = U16>,
{
    let tweak = *Array::<u8, U16>::slice_as_array(tweak)?;
    if data.len() < 16 {
        return None; // xts-mode asserts this; never hand it a short unit.
    }
    match dir {
        Direction::Encrypt => xts.encrypt_sector(data, tweak),
        Direction::Decrypt => xts.decrypt_sector(data, tweak),
    }
    Some(())
}

impl std::fmt::Debug for CipherKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CipherKey")
            .field("alg", &self.alg)
            .finish_non_exhaustive()
    }
}

/// Cipher keys.
impl CryptoProvider {
    /// A key for `alg`: [`Error::InvalidKeyLength`] for a length the mode does not take,
    /// [`Error::KeyRejected`] for XTS keys with equal halves and weak 3DES keys.
    pub fn cipher_key(&self, alg: CipherAlg, key: &[u8]) -> Result<CipherKey, Error> {
        CipherKey::new(alg, key)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// Distinct bytes: XTS halves differ, DES subkeys differ and none is weak.
    fn test_key(len: usize) -> Vec<u8> {
        (0..len)
            .map(|i| (i as u8).wrapping_mul(37).wrapping_add(11))
            .collect()
    }

    #[test]
    fn refuses_bad_key_length() {
        let p = CryptoProvider::new();
        for (alg, len) in [
            (CipherAlg::AesEcb, 15),
            (CipherAlg::AesCbc, 0),
            (CipherAlg::AesCtr, 33),
            (CipherAlg::AesXts, 16),
            (CipherAlg::AesXts, 48),
            (CipherAlg::TdesCbc, 16),
        ] {
            assert_eq!(
                p.cipher_key(alg, &vec![1; len]).unwrap_err(),
                Error::InvalidKeyLength {
                    alg: alg.name(),
                    len
                }
            );
        }
    }

    #[test]
    fn refuses_xts_key_with_equal_halves() {
        // FIPS 140-3 IG C.I: "the module shall check explicitly that Key_1 != Key_2".
        let p = CryptoProvider::new();
        for len in [32, 64] {
            let mut key = vec![0x5a; len];
            assert_eq!(
                p.cipher_key(CipherAlg::AesXts, &key).unwrap_err(),
                Error::KeyRejected {
                    alg: "AES-XTS",
                    reason: "the two halves of an XTS key must differ",
                }
            );
            key[len - 1] ^= 1;
            assert!(p.cipher_key(CipherAlg::AesXts, &key).is_ok());
        }
    }

    #[test]
    fn refuses_degenerate_3des_key() {
        let p = CryptoProvider::new();
        let k1 = hex::decode("0123456789abcdef").unwrap();
        let k2 = hex::decode("23456789abcdef01").unwrap();
        let k3 = hex::decode("456789abcdef0123").unwrap();
        let want = Error::KeyRejected {
            alg: "3DES-CBC",
            reason: "weak DES key or repeated 3DES subkey",
        };
        for key in [
            [k1.clone(), k1.clone(), k3.clone()].concat(),
            [k1.clone(), k2.clone(), k2.clone()].concat(),
            [k1.clone(), k2.clone(), k1.clone()].concat(),
            [vec![0x01; 8], k2.clone(), k3.clone()].concat(), // weak DES key 0101010101010101
        ] {
            assert_eq!(p.cipher_key(CipherAlg::TdesCbc, &key).unwrap_err(), want);
        }
        assert!(
            p.cipher_key(CipherAlg::TdesCbc, &[k1, k2, k3].concat())
                .is_ok()
        );
    }

    #[test]
    fn refuses_bad_iv_length() {
        let p = CryptoProvider::new();
        for alg in CipherAlg::ALL {
            let klen = match alg {
                CipherAlg::AesXts => 64,
                CipherAlg::TdesCbc => 24,
                _ => 16,
            };
            let key = p.cipher_key(alg, &test_key(klen)).unwrap();
            let bad = alg.iv_len() + 1;
            let mut buf = [7u8; 32];
            for r in [
                key.encrypt(&vec![0; bad], &mut buf),
                key.decrypt(&vec![0; bad], &mut buf),
            ] {
                assert_eq!(
                    r,
                    Err(Error::InvalidNonceLength {
                        alg: alg.name(),
                        len: bad
                    })
                );
            }
            assert_eq!(buf, [7u8; 32]);
        }
    }

    #[test]
    fn refuses_partial_block() {
        let p = CryptoProvider::new();
        for (alg, klen, len) in [
            (CipherAlg::AesEcb, 16, 17),
            (CipherAlg::AesCbc, 32, 15),
            (CipherAlg::TdesCbc, 24, 12),
        ] {
            let key = p.cipher_key(alg, &test_key(klen)).unwrap();
            let iv = vec![0; alg.iv_len()];
            let mut buf = vec![3u8; len];
            assert_eq!(
                key.encrypt(&iv, &mut buf),
                Err(Error::InvalidInputLength {
                    alg: alg.name(),
                    len,
                    reason: "unpadded mode: the input must be a multiple of the block length",
                })
            );
            assert_eq!(buf, vec![3u8; len]);
        }
        let xts = p.cipher_key(CipherAlg::AesXts, &test_key(32)).unwrap();
        let mut short = [0u8; 15];
        assert_eq!(
            xts.decrypt(&[0; 16], &mut short),
            Err(Error::InvalidInputLength {
                alg: "AES-XTS",
                len: 15,
                reason: "XTS needs at least one full 16-byte block",
            })
        );
    }

    #[test]
    fn refuses_xts_data_unit_over_2_pow_20_blocks() {
        // SP 800-38E §4: "The length of the data unit for any instance of an implementation
        // of XTS-AES shall not exceed 2^20 AES blocks."
        let xts = CryptoProvider::new()
            .cipher_key(CipherAlg::AesXts, &test_key(64))
            .unwrap();
        let mut buf = vec![0u8; XTS_MAX_DATA_UNIT + 1];
        assert_eq!(
            xts.encrypt(&[0; 16], &mut buf),
            Err(Error::InvalidInputLength {
                alg: "AES-XTS",
                len: XTS_MAX_DATA_UNIT + 1,
                reason: "an XTS data unit is at most 2^20 blocks (SP 800-38E)",
            })
        );
        assert!(xts.encrypt(&[0; 16], &mut buf[..XTS_MAX_DATA_UNIT]).is_ok());
    }

    #[test]
    fn keys_are_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<CipherKey>();
        check::<crate::aead::AeadKey>();
        check::<crate::hmac::HmacKey>();
        check::<crate::hmac::HmacContext>();
        check::<crate::hash::Hasher>();
        check::<crate::mac::CmacKey>();
        check::<crate::hkdf::Prk>();
    }

    #[test]
    fn ctr_takes_any_length_and_is_ecb_of_the_counter() {
        let p = CryptoProvider::new();
        let ctr = p.cipher_key(CipherAlg::AesCtr, &[9; 16]).unwrap();
        let mut buf = [0u8; 5];
        ctr.encrypt(&[0; 16], &mut buf).unwrap();
        // Independent check: the CTR keystream is AES-ECB of the counter block.
        let ecb = p.cipher_key(CipherAlg::AesEcb, &[9; 16]).unwrap();
        let mut ks = [0u8; 16];
        ecb.encrypt(&[], &mut ks).unwrap();
        assert_eq!(buf, ks[..5]);
    }

    proptest! {
        #[test]
        fn encrypt_decrypt_round_trip(
            alg_idx in 0usize..5,
            key_choice in 0usize..3,
            blocks in 1usize..20,
            tail in 0usize..16,
            seed in any::<u8>(),
        ) {
            let alg = CipherAlg::ALL[alg_idx];
            let klen = match alg {
                CipherAlg::AesXts => [32, 64, 64][key_choice],
                CipherAlg::TdesCbc => 24,
                _ => [16, 24, 32][key_choice],
            };
            let key_bytes: Vec<u8> = test_key(klen).iter().map(|b| b ^ seed).collect();
            let key = CryptoProvider::new().cipher_key(alg, &key_bytes).unwrap();
            let len = match alg {
                CipherAlg::AesCtr | CipherAlg::AesXts => blocks * 16 + tail,
                _ => blocks * alg.block_len(),
            };
            let pt: Vec<u8> = (0..len).map(|i| (i as u8) ^ seed).collect();
            let iv = vec![seed; alg.iv_len()];
            let mut buf = pt.clone();
            key.encrypt(&iv, &mut buf).unwrap();
            prop_assert_ne!(&buf, &pt);
            key.decrypt(&iv, &mut buf).unwrap();
            prop_assert_eq!(buf, pt);
        }
    }
}
