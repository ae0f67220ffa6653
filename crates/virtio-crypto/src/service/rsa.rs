//! AKCIPHER RSA: raw RSA and PKCS#1 v1.5 (RFC 8017 §7.2, §8.2) encrypt, decrypt, sign and
//! verify. VIRTIO 1.3 §5.9.7.9.
//!
//! vtrust-crypto (aws-lc-rs) offers RSA signatures only with SHA-256/384/512 and no RSA
//! encryption or raw RSA, so this module uses RustCrypto's `rsa` crate (DESIGN.md: RustCrypto
//! fills the gaps). Private-key operations are blinded with randomness from the provider's
//! RNG. PKCS#1 v1.5 signing and verification work on a digest the guest computed: the
//! device prepends the DigestInfo prefix of the session's hash (RFC 8017 §9.2 note 1);
//! `VIRTIO_CRYPTO_RSA_NO_HASH` signs the bytes as given. Raw RSA works on `k`-byte
//! big-endian integers (`k` = modulus length) below the modulus.
//!
//! SIGN / ENCRYPT / DECRYPT: `src_data` in, `dst_data` out (`dst_data_len` is the room; the
//! used length gives the output length). VERIFY: `src_data` is the signature, followed by
//! `dst_data_len` bytes of digest (PKCS#1) or message representative (raw); a mismatch is
//! `VIRTIO_CRYPTO_KEY_REJECTED`.

use rsa::rand_core::{CryptoRng, RngCore};
use rsa::traits::PublicKeyParts;
use rsa::{BigUint, Pkcs1v15Encrypt, Pkcs1v15Sign, RsaPrivateKey, RsaPublicKey};
use vtrust_crypto::CryptoProvider;

use super::{Ctx, ensure_room, ignore_excess, take};
use crate::chain::Sink;
use crate::codec::data::AkcipherDataFlf;
use crate::error::RequestError;
use crate::spec::{akcipher_algo, data_op};

/// The largest RSA modulus handled, in bytes (the `rsa` crate's 4096-bit limit).
const MAX_K: usize = 512;

/// DigestInfo prefixes, RFC 8017 §9.2 note 1.
const MD5: &[u8] = &[
    0x30, 0x20, 0x30, 0x0c, 0x06, 0x08, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x05, 0x05, 0x00,
    0x04, 0x10,
];
const SHA1: &[u8] = &[
    0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14,
];
const SHA224: &[u8] = &[
    0x30, 0x2d, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x04, 0x05,
    0x00, 0x04, 0x1c,
];
const SHA256: &[u8] = &[
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];
const SHA384: &[u8] = &[
    0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05,
    0x00, 0x04, 0x30,
];
const SHA512: &[u8] = &[
    0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05,
    0x00, 0x04, 0x40,
];

/// RSA padding of a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RsaPadding {
    /// `VIRTIO_CRYPTO_RSA_RAW_PADDING`.
    Raw,
    /// `VIRTIO_CRYPTO_RSA_PKCS1_PADDING` with the DigestInfo prefix of the hash (empty for
    /// NO_HASH) and the digest length (`None` for NO_HASH).
    Pkcs1 {
        prefix: &'static [u8],
        digest_len: Option<usize>,
    },
}

/// An RSA session.
pub(crate) struct RsaState {
    pub(crate) public: RsaPublicKey,
    pub(crate) private: Option<RsaPrivateKey>,
    pub(crate) padding: RsaPadding,
}

/// Builds an RSA session from `{padding_algo, hash_algo}`, the key type and the DER key.
pub(crate) fn rsa_state(
    params: [u32; 2],
    key_type: u32,
    der: &[u8],
) -> Result<RsaState, RequestError> {
    use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey};
    let padding = match params {
        [akcipher_algo::RSA_RAW_PADDING, _] => RsaPadding::Raw,
        [akcipher_algo::RSA_PKCS1_PADDING, hash] => {
            let (prefix, len): (&'static [u8], Option<usize>) = match hash {
                akcipher_algo::RSA_NO_HASH => (&[], None),
                4 => (MD5, Some(16)),
                akcipher_algo::RSA_SHA1 => (SHA1, Some(20)),
                9 => (SHA224, Some(28)),
                akcipher_algo::RSA_SHA256 => (SHA256, Some(32)),
                akcipher_algo::RSA_SHA384 => (SHA384, Some(48)),
                akcipher_algo::RSA_SHA512 => (SHA512, Some(64)),
                _ => {
                    return Err(RequestError::Unsupported {
                        what: "RSA hash (MD2, MD3, MD4 or unknown)",
                    });
                }
            };
            RsaPadding::Pkcs1 {
                prefix,
                digest_len: len,
            }
        }
        _ => {
            return Err(RequestError::Unsupported {
                what: "RSA padding",
            });
        }
    };
    let bad =
        |reason| RequestError::BadKey(vtrust_crypto::Error::KeyRejected { alg: "RSA", reason });
    let (public, private) = match key_type {
        akcipher_algo::KEY_TYPE_PRIVATE => {
            let k = RsaPrivateKey::from_pkcs1_der(der)
                .map_err(|_| bad("not a PKCS#1 RSAPrivateKey"))?;
            (k.to_public_key(), Some(k))
        }
        akcipher_algo::KEY_TYPE_PUBLIC => {
            let k =
                RsaPublicKey::from_pkcs1_der(der).map_err(|_| bad("not a PKCS#1 RSAPublicKey"))?;
            (k, None)
        }
        _ => return Err(RequestError::InvalidParameter { field: "key_type" }),
    };
    Ok(RsaState {
        public,
        private,
        padding,
    })
}

/// `rand_core` over the provider's RNG. A failure is recorded (and the buffer filled with
/// non-zero bytes so that no retry loop spins); the operation's result is then discarded.
struct ProviderRng<'a> {
    provider: &'a CryptoProvider,
    failed: bool,
}

impl RngCore for ProviderRng<'_> {
    fn next_u32(&mut self) -> u32 {
        let mut b = [0u8; 4];
        self.fill_bytes(&mut b);
        u32::from_le_bytes(b)
    }
    fn next_u64(&mut self) -> u64 {
        let mut b = [0u8; 8];
        self.fill_bytes(&mut b);
        u64::from_le_bytes(b)
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        if self.provider.fill_random(dest).is_err() {
            self.failed = true;
            dest.fill(0xff);
        }
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rsa::rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

impl CryptoRng for ProviderRng<'_> {}

fn failed(_: rsa::Error) -> RequestError {
    RequestError::Crypto(vtrust_crypto::Error::Backend { alg: "RSA" })
}

/// `bytes` as a big-endian integer below the modulus.
fn integer(k: &RsaPublicKey, bytes: &[u8]) -> Result<BigUint, RequestError> {
    let m = BigUint::from_bytes_be(bytes);
    if &m >= k.n() {
        return Err(RequestError::LengthMismatch {
            what: "raw RSA input not below the modulus",
        });
    }
    Ok(m)
}

/// `m` as exactly `k` big-endian bytes.
fn k_bytes(m: &BigUint, k: usize) -> Result<Vec<u8>, RequestError> {
    let b = m.to_bytes_be();
    let pad = k.checked_sub(b.len()).ok_or(RequestError::LengthMismatch {
        what: "RSA result longer than the modulus",
    })?;
    let mut out = vec![0u8; pad];
    out.extend_from_slice(&b);
    Ok(out)
}

fn prefixed(padding: RsaPadding, digest: &[u8]) -> Result<Vec<u8>, RequestError> {
    let RsaPadding::Pkcs1 { prefix, digest_len } = padding else {
        return Ok(digest.to_vec());
    };
    if digest_len.is_some_and(|l| l != digest.len()) {
        return Err(RequestError::LengthMismatch {
            what: "digest length differs from the session's hash",
        });
    }
    Ok([prefix, digest].concat())
}

/// Runs `opcode` on an RSA session.
pub(crate) fn run(
    ctx: &Ctx<'_>,
    s: &RsaState,
    opcode: u32,
    f: &AkcipherDataFlf,
    vlf: &mut [u8],
    out: &mut dyn Sink,
) -> Result<(), RequestError> {
    let src_len = ctx.bounded("src_data_len", f.src_data_len, MAX_K)?;
    let dst_len = ctx.bounded("dst_data_len", f.dst_data_len, MAX_K)?;
    let k = s.public.size();
    let mut rng = ProviderRng {
        provider: ctx.provider,
        failed: false,
    };
    let private = || {
        s.private
            .as_ref()
            .ok_or(RequestError::InvalidParameter { field: "key_type" })
    };
    let mut rest = vlf;
    let src = take(&mut rest, src_len)?;
    if opcode == data_op::AKCIPHER_VERIFY {
        let data = take(&mut rest, dst_len)?;
        ignore_excess(rest);
        let ok = match s.padding {
            RsaPadding::Raw => {
                let sig = integer(&s.public, src)?;
                let m = rsa::hazmat::rsa_encrypt(&s.public, &sig).map_err(failed)?;
                let want = integer(&s.public, data)?;
                m == want
            }
            RsaPadding::Pkcs1 { .. } => {
                let msg = prefixed(s.padding, data)?;
                s.public
                    .verify(Pkcs1v15Sign::new_unprefixed(), &msg, src)
                    .is_ok()
            }
        };
        return if ok {
            Ok(())
        } else {
            Err(RequestError::SignatureRejected)
        };
    }
    ignore_excess(rest);
    ensure_room(out, dst_len)?;
    let result = match (opcode, s.padding) {
        (data_op::AKCIPHER_ENCRYPT, RsaPadding::Raw) => {
            let m = integer(&s.public, src)?;
            k_bytes(&rsa::hazmat::rsa_encrypt(&s.public, &m).map_err(failed)?, k)?
        }
        (data_op::AKCIPHER_ENCRYPT, RsaPadding::Pkcs1 { .. }) => s
            .public
            .encrypt(&mut rng, Pkcs1v15Encrypt, src)
            .map_err(failed)?,
        (data_op::AKCIPHER_DECRYPT | data_op::AKCIPHER_SIGN, RsaPadding::Raw) => {
            let c = integer(&s.public, src)?;
            let m = rsa::hazmat::rsa_decrypt_and_check(private()?, Some(&mut rng), &c)
                .map_err(failed)?;
            k_bytes(&m, k)?
        }
        (data_op::AKCIPHER_DECRYPT, RsaPadding::Pkcs1 { .. }) => private()?
            .decrypt_blinded(&mut rng, Pkcs1v15Encrypt, src)
            .map_err(|_| {
                RequestError::Crypto(vtrust_crypto::Error::AuthenticationFailed {
                    alg: "RSA PKCS#1 v1.5",
                })
            })?,
        (data_op::AKCIPHER_SIGN, RsaPadding::Pkcs1 { .. }) => {
            let msg = prefixed(s.padding, src)?;
            private()?
                .sign_with_rng(&mut rng, Pkcs1v15Sign::new_unprefixed(), &msg)
                .map_err(failed)?
        }
        _ => {
            return Err(RequestError::Unsupported {
                what: "AKCIPHER opcode",
            });
        }
    };
    if rng.failed {
        return Err(RequestError::Crypto(vtrust_crypto::Error::Rng));
    }
    if result.len() > dst_len {
        return Err(RequestError::LengthMismatch {
            what: "dst_data_len shorter than the RSA output",
        });
    }
    out.write(&result)
}
