//! CIPHER service: cipher-only and chained cipher + hash/MAC requests. VIRTIO 1.3 §5.9.7.6.
//!
//! Chaining (not specified in more detail by the spec; this device's rule): `dst_data` is
//! `src_data` with `[cipher_start_src_offset, + len_to_cipher)` encrypted or decrypted in
//! place, so `dst_data_len == src_data_len`; the hash or MAC covers `aad` followed by
//! `[hash_start_src_offset, + len_to_hash)` of the data *after* the cipher step for
//! CIPHER_THEN_HASH and *before* it for HASH_THEN_CIPHER; `hash_result` (its first
//! `hash_result_len` bytes) follows `dst_data`.

use super::{Ctx, ensure_room, ignore_excess, take};
use crate::chain::Sink;
use crate::codec::data::{AlgChainDataFlf, CipherDataFlf};
use crate::config::MAX_IV_LEN;
use crate::error::RequestError;
use crate::session::{Authenticator, ChainState, CipherState, check_result_len};

fn max_iv() -> usize {
    usize::try_from(MAX_IV_LEN).unwrap_or(usize::MAX)
}

fn apply(c: &CipherState, encrypt: bool, iv: &[u8], data: &mut [u8]) -> Result<(), RequestError> {
    if encrypt {
        c.key.encrypt(iv, data)
    } else {
        c.key.decrypt(iv, data)
    }
    .map_err(RequestError::from_crypto)
}

/// iv_len, src_data_len and dst_data_len checked against our limits, with
/// `dst_data_len == src_data_len` (cipher and chain requests alike).
fn cipher_lengths(
    ctx: &Ctx<'_>,
    iv_len: u32,
    src_len: u32,
    dst_len: u32,
) -> Result<(usize, usize), RequestError> {
    let iv_len = ctx.bounded("iv_len", iv_len, max_iv())?;
    let src_len = ctx.data_len("src_data_len", src_len)?;
    let dst_len = ctx.data_len("dst_data_len", dst_len)?;
    if dst_len != src_len {
        return Err(RequestError::LengthMismatch {
            what: "dst_data_len != src_data_len",
        });
    }
    Ok((iv_len, src_len))
}

/// `VIRTIO_CRYPTO_CIPHER_ENCRYPT` / `_DECRYPT` on a cipher session: `iv | src` in, `dst`
/// out, `dst_data_len == src_data_len`.
pub(crate) fn cipher(
    ctx: &Ctx<'_>,
    c: &CipherState,
    encrypt: bool,
    f: &CipherDataFlf,
    vlf: &mut [u8],
    out: &mut dyn Sink,
) -> Result<(), RequestError> {
    let (iv_len, src_len) = cipher_lengths(ctx, f.iv_len, f.src_data_len, f.dst_data_len)?;
    let mut rest = vlf;
    let iv = take(&mut rest, iv_len)?;
    let data = take(&mut rest, src_len)?;
    ignore_excess(rest);
    ensure_room(out, src_len)?;
    apply(c, encrypt, iv, data)?;
    out.write(data)
}

/// Runs the hash or MAC over `parts` and returns the full output in `buf`.
pub(crate) fn authenticate(
    ctx: &Ctx<'_>,
    a: &Authenticator,
    parts: &[&[u8]],
    buf: &mut [u8; 64],
) -> Result<usize, RequestError> {
    match a {
        Authenticator::Hash(alg) => {
            let mut h = ctx.provider.hasher(*alg);
            parts.iter().for_each(|p| h.update(p));
            copy_out(h.finish().as_bytes(), buf)
        }
        Authenticator::Hmac(k) => {
            let mut h = k.context();
            parts.iter().for_each(|p| h.update(p));
            copy_out(h.sign().as_bytes(), buf)
        }
        Authenticator::Cmac(k) => {
            let mut h = k.context();
            for p in parts {
                h.update(p).map_err(RequestError::from_crypto)?;
            }
            copy_out(&h.sign().map_err(RequestError::from_crypto)?, buf)
        }
    }
}

fn copy_out(v: &[u8], buf: &mut [u8; 64]) -> Result<usize, RequestError> {
    let dst = buf.get_mut(..v.len()).ok_or(RequestError::LengthMismatch {
        what: "digest longer than 64 bytes",
    })?;
    dst.copy_from_slice(v);
    Ok(v.len())
}

fn region(
    start: u32,
    len: u32,
    total: usize,
    what: &'static str,
) -> Result<(usize, usize), RequestError> {
    let bad = RequestError::LengthMismatch { what };
    let s = usize::try_from(start).map_err(|_| bad.clone())?;
    let l = usize::try_from(len).map_err(|_| bad.clone())?;
    let e = s.checked_add(l).ok_or(bad.clone())?;
    if e > total {
        return Err(bad);
    }
    Ok((s, e))
}

/// `VIRTIO_CRYPTO_CIPHER_ENCRYPT` / `_DECRYPT` on a chain session: `iv | src | aad` in,
/// `dst | hash_result` out.
pub(crate) fn chain(
    ctx: &Ctx<'_>,
    c: &ChainState,
    encrypt: bool,
    f: &AlgChainDataFlf,
    vlf: &mut [u8],
    out: &mut dyn Sink,
) -> Result<(), RequestError> {
    let (iv_len, src_len) = cipher_lengths(ctx, f.iv_len, f.src_data_len, f.dst_data_len)?;
    let aad_len = ctx.data_len("aad_len", f.aad_len)?;
    check_result_len(f.hash_result_len, c.auth.output_len())?;
    let result_len = usize::try_from(f.hash_result_len).unwrap_or(usize::MAX);
    let (cs, ce) = region(
        f.cipher_start_src_offset,
        f.len_to_cipher,
        src_len,
        "cipher region outside src_data",
    )?;
    let (hs, he) = region(
        f.hash_start_src_offset,
        f.len_to_hash,
        src_len,
        "hash region outside src_data",
    )?;
    let mut rest = vlf;
    let iv = take(&mut rest, iv_len)?;
    let data = take(&mut rest, src_len)?;
    let aad = take(&mut rest, aad_len)?;
    ignore_excess(rest);
    ensure_room(
        out,
        src_len
            .checked_add(result_len)
            .ok_or(RequestError::LengthMismatch {
                what: "dst overflow",
            })?,
    )?;
    let mut tag = [0u8; 64];
    let cipher_part = |data: &mut [u8]| -> Result<(), RequestError> {
        let part = data.get_mut(cs..ce).ok_or(RequestError::LengthMismatch {
            what: "cipher region outside src_data",
        })?;
        apply(&c.cipher, encrypt, iv, part)
    };
    let hash_part = |data: &[u8], tag: &mut [u8; 64]| -> Result<usize, RequestError> {
        let part = data.get(hs..he).ok_or(RequestError::LengthMismatch {
            what: "hash region outside src_data",
        })?;
        authenticate(ctx, &c.auth, &[aad, part], tag)
    };
    if c.cipher_then_hash {
        cipher_part(data)?;
        hash_part(data, &mut tag)?;
    } else {
        hash_part(data, &mut tag)?;
        cipher_part(data)?;
    }
    out.write(data)?;
    out.write(tag.get(..result_len).unwrap_or_default())
}
