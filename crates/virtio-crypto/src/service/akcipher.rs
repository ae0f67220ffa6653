//! AKCIPHER service, ECDSA: P-256/P-384 sign and verify over a digest the guest computed,
//! through vtrust-crypto. VIRTIO 1.3 §5.9.7.9. (RSA is in `rsa.rs`.)
//!
//! SIGN: `src_data` is the digest (the curve's or the session's hash length), `dst_data`
//! receives the signature (ECDSA: DER `SEQUENCE {r, s}`; RSA: modulus-length bytes); the
//! used length tells the guest how long it is. VERIFY: `src_data` is the signature,
//! followed by `dst_data_len` bytes of digest; nothing is written but the status, which is
//! `VIRTIO_CRYPTO_KEY_REJECTED` for a signature that does not verify. ENCRYPT and DECRYPT
//! are `NOTSUPP` for ECDSA.

use vtrust_crypto::hash::Digest;
use vtrust_crypto::sign::EcdsaEncoding;

use super::{Ctx, ensure_room, ignore_excess, take};
use crate::chain::Sink;
use crate::codec::data::AkcipherDataFlf;
use crate::error::RequestError;
use crate::session::{AkKey, AkState};
use crate::spec::data_op;

/// The largest signature or digest handled, in bytes.
const MAX_AK_LEN: usize = 1024;

/// Runs `opcode` on an AKCIPHER session.
pub(crate) fn run(
    ctx: &Ctx<'_>,
    k: &AkState,
    opcode: u32,
    f: &AkcipherDataFlf,
    vlf: &mut [u8],
    out: &mut dyn Sink,
) -> Result<(), RequestError> {
    let src_len = ctx.bounded("src_data_len", f.src_data_len, MAX_AK_LEN)?;
    let dst_len = ctx.bounded("dst_data_len", f.dst_data_len, MAX_AK_LEN)?;
    let hash = k.alg.hash().ok_or(RequestError::Unsupported {
        what: "signature algorithm without a hash",
    })?;
    match opcode {
        data_op::AKCIPHER_SIGN => {
            let mut rest = vlf;
            let src = take(&mut rest, src_len)?;
            ignore_excess(rest);
            ensure_room(out, dst_len)?;
            let AkKey::Private(key) = &k.key else {
                return Err(RequestError::InvalidParameter { field: "key_type" });
            };
            let digest =
                Digest::from_bytes(hash, src).map_err(|_| RequestError::LengthMismatch {
                    what: "src_data_len is not the digest length",
                })?;
            let sig = key
                .sign_digest_with(&digest, EcdsaEncoding::Der)
                .map_err(RequestError::from_crypto)?;
            if sig.len() > dst_len {
                return Err(RequestError::LengthMismatch {
                    what: "dst_data_len shorter than the signature",
                });
            }
            out.write(&sig)
        }
        data_op::AKCIPHER_VERIFY => {
            let mut rest = vlf;
            let sig = take(&mut rest, src_len)?;
            let digest = take(&mut rest, dst_len)?;
            ignore_excess(rest);
            let digest =
                Digest::from_bytes(hash, digest).map_err(|_| RequestError::LengthMismatch {
                    what: "dst_data_len is not the digest length",
                })?;
            let public = match &k.key {
                AkKey::Private(key) => key.public_key(),
                AkKey::Public(p) => p,
            };
            ctx.provider
                .verify_digest_with(k.alg, public, &digest, sig, EcdsaEncoding::Der)
                .map_err(RequestError::from_crypto)
        }
        _ => Err(RequestError::Unsupported {
            what: "ECDSA encrypt/decrypt",
        }),
    }
}
