//! Service dispatch: runs one parsed data request against its session. One file per
//! service; each checks every length against the device limits and the request's own
//! buffers before it calls the crypto provider (VIRTIO 1.3 §5.9.7.4-§5.9.7.9).

mod aead;
mod akcipher;
mod cipher;
mod hash;
pub(crate) mod rsa;

use vtrust_crypto::CryptoProvider;

use crate::chain::Sink;
use crate::codec::data::{DataFlf, SymDataFlf};
use crate::config::DeviceConfig;
use crate::error::RequestError;
use crate::session::Session;
use crate::spec::data_op;

/// What a service needs besides its session.
pub(crate) struct Ctx<'a> {
    pub(crate) provider: &'a CryptoProvider,
    pub(crate) config: &'a DeviceConfig,
}

impl Ctx<'_> {
    /// A length from the guest, checked against `max`.
    pub(crate) fn bounded(
        &self,
        field: &'static str,
        len: u32,
        max: usize,
    ) -> Result<usize, RequestError> {
        match usize::try_from(len) {
            Ok(l) if l <= max => Ok(l),
            _ => Err(RequestError::TooLong {
                field,
                len: u64::from(len),
                max: u64::try_from(max).unwrap_or(u64::MAX),
            }),
        }
    }

    /// A data length, checked against `max_size`.
    pub(crate) fn data_len(&self, field: &'static str, len: u32) -> Result<usize, RequestError> {
        self.bounded(field, len, self.config.max_size_usize())
    }
}

/// Takes the next `n` bytes of the `op_vlf`.
pub(crate) fn take<'b>(rest: &mut &'b mut [u8], n: usize) -> Result<&'b mut [u8], RequestError> {
    let (head, tail) =
        std::mem::take(rest)
            .split_at_mut_checked(n)
            .ok_or(RequestError::LengthMismatch {
                what: "op_vlf shorter than the lengths in op_flf",
            })?;
    *rest = tail;
    Ok(head)
}

/// Bytes of the device-readable part beyond what the `op_flf` announced are ignored, as QEMU
/// does: the Linux driver hands over whole scatterlist entries, so its readable part can be
/// longer than `src_data_len` (the crypto self-test's "two even aligned splits" sends 24
/// bytes for a 16-byte request). Only a part *shorter* than announced is refused ([`take`]).
pub(crate) fn ignore_excess(_rest: &[u8]) {}

/// Checks that `need` output bytes fit the device-writable buffer.
pub(crate) fn ensure_room(out: &dyn Sink, need: usize) -> Result<(), RequestError> {
    if need <= out.room() {
        Ok(())
    } else {
        Err(RequestError::LengthMismatch {
            what: "dst_data_len longer than the device-writable buffer",
        })
    }
}

/// Runs a data request with `opcode` on `session`.
pub(crate) fn run(
    ctx: &Ctx<'_>,
    session: &Session,
    opcode: u32,
    flf: &DataFlf,
    vlf: &mut [u8],
    out: &mut dyn Sink,
) -> Result<(), RequestError> {
    let mismatch = || RequestError::InvalidSession { id: 0 };
    match (session, flf) {
        (Session::Cipher(c), DataFlf::Sym(SymDataFlf::Cipher(f))) => {
            cipher::cipher(ctx, c, opcode == data_op::CIPHER_ENCRYPT, f, vlf, out)
        }
        (Session::Chain(c), DataFlf::Sym(SymDataFlf::Chain(f))) => {
            cipher::chain(ctx, c, opcode == data_op::CIPHER_ENCRYPT, f, vlf, out)
        }
        (Session::Cipher(_) | Session::Chain(_), DataFlf::Sym(SymDataFlf::Other(_))) => {
            Err(RequestError::Unsupported {
                what: "symmetric op_type other than CIPHER or ALGORITHM_CHAINING",
            })
        }
        (Session::Cipher(_), DataFlf::Sym(SymDataFlf::Chain(_)))
        | (Session::Chain(_), DataFlf::Sym(SymDataFlf::Cipher(_))) => {
            Err(RequestError::InvalidParameter { field: "op_type" })
        }
        (Session::Hash(alg), DataFlf::Hash(f)) => hash::hash(ctx, *alg, f, vlf, out),
        (Session::Mac(auth), DataFlf::Mac(f)) => hash::mac(ctx, auth, f, vlf, out),
        (Session::Aead(key), DataFlf::Aead(f)) => {
            aead::aead(ctx, key, opcode == data_op::AEAD_ENCRYPT, f, vlf, out)
        }
        (Session::Akcipher(k), DataFlf::Akcipher(f)) => akcipher::run(ctx, k, opcode, f, vlf, out),
        (Session::Rsa(k), DataFlf::Akcipher(f)) => rsa::run(ctx, k, opcode, f, vlf, out),
        _ => Err(mismatch()),
    }
}
