//! TPML_PCR_SELECTION (Part 2 §10.9.7, TPMS_PCR_SELECTION §10.6.2), TPML_DIGEST (§10.9.3)
//! and TPML_DIGEST_VALUES (§10.9.5).

use vtrust_crypto::hash::HashAlg;
use vtrust_wire::{DecodeError, EncodeError, Reader, Writer};

use super::{alg_of_hash, read_hash, write_2b};

/// HASH_COUNT: at most this many banks in a list.
pub(crate) const MAX_BANKS: usize = 16;
/// PCR_SELECT_MAX: the bitmap holds at most this many bytes.
pub(crate) const PCR_SELECT_MAX: usize = 4;

/// TPMS_PCR_SELECTION: a hash and a bitmap (bit n of byte n/8 selects PCR n).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PcrSelection {
    pub hash: u16,
    pub select: Vec<u8>,
}

/// Reads TPML_PCR_SELECTION.
pub(crate) fn read_selection(r: &mut Reader<'_>) -> Result<Vec<PcrSelection>, DecodeError> {
    let count = usize::try_from(r.u32_be("count")?).unwrap_or(usize::MAX);
    let count = vtrust_wire::check_max("count", count, MAX_BANKS)?;
    let mut out = Vec::with_capacity(count);
    for _ in 0..count {
        let hash = r.u16_be("hash")?;
        let size = usize::from(r.u8("sizeofSelect")?);
        if size > PCR_SELECT_MAX {
            return Err(DecodeError::invalid_value("sizeofSelect"));
        }
        out.push(PcrSelection {
            hash,
            select: r.bytes("pcrSelect", size)?.to_vec(),
        });
    }
    Ok(out)
}

/// Writes TPML_PCR_SELECTION.
pub(crate) fn write_selection(w: &mut Writer, sel: &[PcrSelection]) -> Result<(), EncodeError> {
    w.u32_len_be("count", sel.len())?;
    for s in sel {
        w.u16_be("hash", s.hash)?;
        w.u8_len("sizeofSelect", s.select.len())?;
        w.bytes("pcrSelect", &s.select)?;
    }
    Ok(())
}

/// Reads TPML_DIGEST_VALUES: `count` TPMT_HA { hashAlg, digest of the hash's size }.
pub(crate) fn read_digest_values(
    r: &mut Reader<'_>,
) -> Result<Vec<(HashAlg, Vec<u8>)>, DecodeError> {
    let count = usize::try_from(r.u32_be("count")?).unwrap_or(usize::MAX);
    let count = vtrust_wire::check_max("count", count, MAX_BANKS)?;
    let mut out = Vec::with_capacity(count);
    for _ in 0..count {
        let h = read_hash(r, "hashAlg")?;
        out.push((h, r.bytes("digest", h.output_len())?.to_vec()));
    }
    Ok(out)
}

/// Writes TPML_DIGEST_VALUES.
pub(crate) fn write_digest_values(
    w: &mut Writer,
    v: &[(HashAlg, Vec<u8>)],
) -> Result<(), EncodeError> {
    w.u32_len_be("count", v.len())?;
    for (h, d) in v {
        w.u16_be("hashAlg", alg_of_hash(*h))?;
        w.bytes("digest", d)?;
    }
    Ok(())
}

/// Writes TPML_DIGEST (each a TPM2B_DIGEST).
pub(crate) fn write_digests(w: &mut Writer, v: &[Vec<u8>]) -> Result<(), EncodeError> {
    w.u32_len_be("count", v.len())?;
    for d in v {
        write_2b(w, "digest", d)?;
    }
    Ok(())
}
