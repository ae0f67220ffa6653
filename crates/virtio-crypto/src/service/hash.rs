//! HASH and MAC services: `src_data` in, the first `hash_result_len` bytes of the digest or
//! tag out. VIRTIO 1.3 §5.9.7.5, §5.9.7.7.

use vtrust_crypto::hash::HashAlg;

use super::cipher::authenticate;
use super::{Ctx, ensure_room, ignore_excess, take};
use crate::chain::Sink;
use crate::codec::data::HashDataFlf;
use crate::error::RequestError;
use crate::session::{Authenticator, check_result_len};

fn digest_of(
    ctx: &Ctx<'_>,
    auth: &Authenticator,
    f: &HashDataFlf,
    vlf: &mut [u8],
    out: &mut dyn Sink,
) -> Result<(), RequestError> {
    let src_len = ctx.data_len("src_data_len", f.src_data_len)?;
    check_result_len(f.hash_result_len, auth.output_len())?;
    let result_len = usize::try_from(f.hash_result_len).unwrap_or(usize::MAX);
    let mut rest = vlf;
    let src = take(&mut rest, src_len)?;
    ignore_excess(rest);
    ensure_room(out, result_len)?;
    let mut buf = [0u8; 64];
    authenticate(ctx, auth, &[src], &mut buf)?;
    out.write(buf.get(..result_len).unwrap_or_default())
}

/// `VIRTIO_CRYPTO_HASH`.
pub(crate) fn hash(
    ctx: &Ctx<'_>,
    alg: HashAlg,
    f: &HashDataFlf,
    vlf: &mut [u8],
    out: &mut dyn Sink,
) -> Result<(), RequestError> {
    digest_of(ctx, &Authenticator::Hash(alg), f, vlf, out)
}

/// `VIRTIO_CRYPTO_MAC`.
pub(crate) fn mac(
    ctx: &Ctx<'_>,
    auth: &Authenticator,
    f: &HashDataFlf,
    vlf: &mut [u8],
    out: &mut dyn Sink,
) -> Result<(), RequestError> {
    digest_of(ctx, auth, f, vlf, out)
}
