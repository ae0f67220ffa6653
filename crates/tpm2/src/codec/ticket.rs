//! Tickets (Part 2 §10.6): TPMT_TK_CREATION, TPMT_TK_VERIFIED, TPMT_TK_HASHCHECK.

use vtrust_wire::{DecodeError, EncodeError, Reader, Writer};

use super::{MAX_DIGEST, read_2b, write_2b};

/// A ticket: tag, hierarchy, digest (the HMAC; empty for a NULL ticket).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Ticket {
    pub tag: u16,
    pub hierarchy: u32,
    pub digest: Vec<u8>,
}

impl Ticket {
    pub(crate) fn decode(r: &mut Reader<'_>, expected_tag: u16) -> Result<Self, DecodeError> {
        let tag = r.u16_be("tag")?;
        if tag != expected_tag {
            return Err(DecodeError::invalid_value("tag"));
        }
        Ok(Self {
            tag,
            hierarchy: r.u32_be("hierarchy")?,
            digest: read_2b(r, "digest", MAX_DIGEST)?.to_vec(),
        })
    }

    pub(crate) fn encode(&self, w: &mut Writer) -> Result<(), EncodeError> {
        w.u16_be("tag", self.tag)?;
        w.u32_be("hierarchy", self.hierarchy)?;
        write_2b(w, "digest", &self.digest)
    }
}
