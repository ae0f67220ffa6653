//! AEAD service: `iv | src | aad` in, `dst` out. Encryption: `dst = ciphertext || tag`,
//! `dst_data_len == src_data_len + tag_len`. Decryption: `src = ciphertext || tag`,
//! `dst_data_len == src_data_len - tag_len`; a tag that does not verify completes the request
//! with `VIRTIO_CRYPTO_BADMSG` and writes no plaintext. VIRTIO 1.3 §5.9.7.8.

use vtrust_crypto::aead::AeadKey;

use super::{Ctx, ensure_room, ignore_excess, take};
use crate::chain::Sink;
use crate::codec::data::AeadDataFlf;
use crate::config::MAX_IV_LEN;
use crate::error::RequestError;

/// `VIRTIO_CRYPTO_AEAD_ENCRYPT` / `_DECRYPT`.
pub(crate) fn aead(
    ctx: &Ctx<'_>,
    key: &AeadKey,
    encrypt: bool,
    f: &AeadDataFlf,
    vlf: &mut [u8],
    out: &mut dyn Sink,
) -> Result<(), RequestError> {
    let iv_len = ctx.bounded("iv_len", f.iv_len, usize::try_from(MAX_IV_LEN).unwrap_or(0))?;
    let src_len = ctx.data_len("src_data_len", f.src_data_len)?;
    let dst_len = ctx.data_len("dst_data_len", f.dst_data_len)?;
    let aad_len = ctx.data_len("aad_len", f.aad_len)?;
    let tag_len = key.tag_len();
    if usize::try_from(f.tag_len).ok() != Some(tag_len) {
        return Err(RequestError::LengthMismatch {
            what: "tag_len differs from the session's",
        });
    }
    let expected = if encrypt {
        src_len.checked_add(tag_len)
    } else {
        src_len.checked_sub(tag_len)
    };
    if expected != Some(dst_len) {
        return Err(RequestError::LengthMismatch {
            what: "dst_data_len does not match src_data_len and tag_len",
        });
    }
    let mut rest = vlf;
    let iv = take(&mut rest, iv_len)?;
    let src = take(&mut rest, src_len)?;
    let aad = take(&mut rest, aad_len)?;
    ignore_excess(rest);
    ensure_room(out, dst_len)?;
    if encrypt {
        let mut tag = [0u8; 16];
        let tag = tag.get_mut(..tag_len).ok_or(RequestError::LengthMismatch {
            what: "tag longer than 16 bytes",
        })?;
        key.seal_in_place_separate_tag(iv, aad, src, tag)
            .map_err(RequestError::from_crypto)?;
        out.write(src)?;
        out.write(tag)
    } else {
        let (ct, tag) = src.split_at_mut(dst_len);
        key.open_in_place_separate_tag(iv, aad, ct, tag)
            .map_err(RequestError::from_crypto)?;
        out.write(ct)
    }
}
