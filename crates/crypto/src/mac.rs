//! CMAC-AES (NIST SP 800-38B, RFC 4493) with 128-, 192- and 256-bit keys.
//!
//! This module owns [`CmacKey`], [`CmacContext`] and the provider's `cmac*` methods.
//! Backend: aws-lc-rs `cmac`. HMAC lives in [`crate::hmac`].
//!
//! Tags: [`CmacKey::sign`] returns the full 16-byte tag. [`CmacKey::verify`] wants all 16
//! bytes; [`CmacKey::verify_truncated`] accepts the leftmost 4 to 16 bytes (SP 800-38B
//! §5.3 allows truncation; below 8 bytes see its Appendix A on the forgery risk). Both
//! compare in constant time. The caller fixes a truncated length from its protocol, never
//! from the length of what the peer sent.

use crate::{CryptoProvider, Error};

/// The full CMAC-AES tag length (the AES block), in bytes.
pub const CMAC_TAG_LEN: usize = 16;

/// The shortest tag [`CmacKey::verify_truncated`] accepts, in bytes.
pub const MIN_TRUNCATED_TAG_LEN: usize = 4;

fn cmac_name(key_len: usize) -> &'static str {
    match key_len {
        16 => "CMAC-AES-128",
        24 => "CMAC-AES-192",
        32 => "CMAC-AES-256",
        _ => "CMAC-AES",
    }
}

/// A CMAC-AES key. `Debug` does not print it.
#[derive(Clone)]
pub struct CmacKey {
    name: &'static str,
    key: aws_lc_rs::cmac::Key,
}

impl CmacKey {
    fn new(key: &[u8]) -> Result<Self, Error> {
        let alg = match key.len() {
            16 => aws_lc_rs::cmac::AES_128,
            24 => aws_lc_rs::cmac::AES_192,
            32 => aws_lc_rs::cmac::AES_256,
            len => {
                return Err(Error::InvalidKeyLength {
                    alg: "CMAC-AES",
                    len,
                });
            }
        };
        let name = cmac_name(key.len());
        let key = aws_lc_rs::cmac::Key::new(alg, key).map_err(|_| Error::KeyRejected {
            alg: name,
            reason: "aws-lc-rs refused the key",
        })?;
        Ok(Self { name, key })
    }

    /// "CMAC-AES-128", "CMAC-AES-192" or "CMAC-AES-256".
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Starts an incremental computation.
    pub fn context(&self) -> CmacContext {
        CmacContext {
            name: self.name,
            ctx: aws_lc_rs::cmac::Context::with_key(&self.key),
        }
    }

    /// The 16-byte tag of `data`. Fails only with [`Error::Backend`].
    pub fn sign(&self, data: &[u8]) -> Result<[u8; CMAC_TAG_LEN], Error> {
        let mut ctx = self.context();
        ctx.update(data)?;
        ctx.sign()
    }

    /// Checks a full 16-byte tag in constant time: [`Error::InvalidTagLength`] for another
    /// length, [`Error::AuthenticationFailed`] for a mismatch.
    pub fn verify(&self, data: &[u8], tag: &[u8]) -> Result<(), Error> {
        let mut ctx = self.context();
        ctx.update(data)?;
        ctx.verify(tag)
    }

    /// Checks the leftmost `tag.len()` bytes (4 to 16) of the tag in constant time.
    pub fn verify_truncated(&self, data: &[u8], tag: &[u8]) -> Result<(), Error> {
        let mut ctx = self.context();
        ctx.update(data)?;
        ctx.verify_truncated(tag)
    }
}

impl std::fmt::Debug for CmacKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CmacKey")
            .field("alg", &self.name)
            .finish_non_exhaustive()
    }
}

/// An incremental CMAC computation. `Clone` forks it.
#[derive(Clone)]
pub struct CmacContext {
    name: &'static str,
    ctx: aws_lc_rs::cmac::Context,
}

impl CmacContext {
    /// Absorbs `data`. Fails only with [`Error::Backend`].
    pub fn update(&mut self, data: &[u8]) -> Result<(), Error> {
        self.ctx
            .update(data)
            .map_err(|_| Error::Backend { alg: self.name })
    }

    /// Finishes and returns the 16-byte tag.
    pub fn sign(self) -> Result<[u8; CMAC_TAG_LEN], Error> {
        let name = self.name;
        let tag = self.ctx.sign().map_err(|_| Error::Backend { alg: name })?;
        <[u8; CMAC_TAG_LEN]>::try_from(tag.as_ref()).map_err(|_| Error::Backend { alg: name })
    }

    /// Finishes and checks a full 16-byte tag; see [`CmacKey::verify`].
    pub fn verify(self, tag: &[u8]) -> Result<(), Error> {
        if tag.len() != CMAC_TAG_LEN {
            return Err(Error::InvalidTagLength {
                alg: self.name,
                len: tag.len(),
            });
        }
        self.verify_truncated(tag)
    }

    /// Finishes and checks a 4- to 16-byte tag prefix; see [`CmacKey::verify_truncated`].
    pub fn verify_truncated(self, tag: &[u8]) -> Result<(), Error> {
        let name = self.name;
        if !(MIN_TRUNCATED_TAG_LEN..=CMAC_TAG_LEN).contains(&tag.len()) {
            return Err(Error::InvalidTagLength {
                alg: name,
                len: tag.len(),
            });
        }
        let full = self.sign()?;
        aws_lc_rs::constant_time::verify_slices_are_equal(full.get(..tag.len()).unwrap_or(&[]), tag)
            .map_err(|_| Error::AuthenticationFailed { alg: name })
    }
}

impl std::fmt::Debug for CmacContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CmacContext")
            .field("alg", &self.name)
            .finish_non_exhaustive()
    }
}

/// CMAC.
impl CryptoProvider {
    /// A CMAC-AES key; the AES variant follows the key length (16, 24 or 32 bytes, else
    /// [`Error::InvalidKeyLength`]).
    pub fn cmac_key(&self, key: &[u8]) -> Result<CmacKey, Error> {
        CmacKey::new(key)
    }

    /// CMAC-AES of `data` in one step.
    pub fn cmac(&self, key: &[u8], data: &[u8]) -> Result<[u8; CMAC_TAG_LEN], Error> {
        CmacKey::new(key)?.sign(data)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const RFC4493_KEY: &str = "2b7e151628aed2a6abf7158809cf4f3c";

    #[test]
    fn rfc4493_example_2() {
        let key = hex::decode(RFC4493_KEY).unwrap();
        let msg = hex::decode("6bc1bee22e409f96e93d7e117393172a").unwrap();
        let tag = CryptoProvider::new().cmac(&key, &msg).unwrap();
        assert_eq!(hex::encode(tag), "070a16b46b4d4144f79bdd9dd04a287c");
    }

    #[test]
    fn refuses_bad_key_length() {
        for len in [0, 8, 15, 20, 33, 64] {
            assert_eq!(
                CryptoProvider::new().cmac_key(&vec![0; len]).unwrap_err(),
                Error::InvalidKeyLength {
                    alg: "CMAC-AES",
                    len
                }
            );
        }
    }

    #[test]
    fn refuses_bad_tag_length() {
        let k = CryptoProvider::new().cmac_key(&[1; 32]).unwrap();
        let tag = k.sign(b"m").unwrap();
        assert_eq!(
            k.verify(b"m", &tag[..8]),
            Err(Error::InvalidTagLength {
                alg: "CMAC-AES-256",
                len: 8
            })
        );
        for len in [0, 3, 17] {
            let t = vec![0u8; len];
            assert_eq!(
                k.verify_truncated(b"m", &t),
                Err(Error::InvalidTagLength {
                    alg: "CMAC-AES-256",
                    len
                })
            );
        }
        assert_eq!(k.verify_truncated(b"m", &tag[..4]), Ok(()));
        assert_eq!(k.verify_truncated(b"m", &tag), Ok(()));
    }

    #[test]
    fn refuses_tampered_tag() {
        let k = CryptoProvider::new().cmac_key(&[1; 24]).unwrap();
        let mut tag = k.sign(b"m").unwrap();
        tag[0] ^= 1;
        let want = Err(Error::AuthenticationFailed {
            alg: "CMAC-AES-192",
        });
        assert_eq!(k.verify(b"m", &tag), want);
        assert_eq!(k.verify_truncated(b"m", &tag[..4]), want);
    }

    proptest! {
        #[test]
        fn incremental_equals_one_shot(
            data in proptest::collection::vec(any::<u8>(), 0..200),
            split in any::<prop::sample::Index>(),
            klen in prop::sample::select(vec![16usize, 24, 32]),
        ) {
            let k = CryptoProvider::new().cmac_key(&vec![0x33; klen]).unwrap();
            let at = split.index(data.len() + 1);
            let mut ctx = k.context();
            ctx.update(&data[..at]).unwrap();
            ctx.update(&data[at..]).unwrap();
            let tag = ctx.sign().unwrap();
            prop_assert_eq!(tag, k.sign(&data).unwrap());
            prop_assert!(k.verify(&data, &tag).is_ok());
        }
    }
}
