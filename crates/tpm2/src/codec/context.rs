//! TPMS_CONTEXT (Part 2 §14.5): a saved object context.

use vtrust_wire::{DecodeError, EncodeError, Reader, Writer};

use super::{read_2b, write_2b};

/// Largest context blob we make or accept (TPM2B_CONTEXT_DATA; an ML-DSA-87 object with its
/// public area is about 2.7 KiB).
pub(crate) const MAX_CONTEXT_BLOB: usize = 6144;

/// TPMS_CONTEXT.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Context {
    /// sequence (UINT64).
    pub sequence: u64,
    /// savedHandle (TPMI_DH_SAVED).
    pub saved_handle: u32,
    /// hierarchy (TPMI_RH_HIERARCHY+).
    pub hierarchy: u32,
    /// contextBlob (TPM2B_CONTEXT_DATA): integrity || encrypted data.
    pub blob: Vec<u8>,
}

impl Context {
    pub(crate) fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            sequence: r.u64_be("sequence")?,
            saved_handle: r.u32_be("savedHandle")?,
            hierarchy: r.u32_be("hierarchy")?,
            blob: read_2b(r, "contextBlob", MAX_CONTEXT_BLOB)?.to_vec(),
        })
    }

    pub(crate) fn encode(&self, w: &mut Writer) -> Result<(), EncodeError> {
        w.u64_be("sequence", self.sequence)?;
        w.u32_be("savedHandle", self.saved_handle)?;
        w.u32_be("hierarchy", self.hierarchy)?;
        write_2b(w, "contextBlob", &self.blob)
    }
}
