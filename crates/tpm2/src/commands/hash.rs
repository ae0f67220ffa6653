//! TPM2_Hash (Part 3 §15.4), TPM2_HashSequenceStart (§17.3), TPM2_SequenceUpdate (§17.4)
//! and TPM2_SequenceComplete (§17.5), with the hash-check ticket (Part 2 §10.6.3,
//! `HMAC(proof, TPM_ST_HASHCHECK || digest)`).

use vtrust_wire::{Reader, Writer};

use crate::codec::ticket::Ticket;
use crate::codec::{MAX_BUFFER, MAX_DIGEST, read_2b, read_hash, write_2b};
use crate::constants::{TPM_GENERATED_VALUE, TPM_ST_HASHCHECK, handle};
use crate::rc::*;
use crate::tpm::{Cmd, Entity, Out, Sequence, Tpm, enc, end, p};

fn check_hierarchy(h: u32, n: u32) -> Result<u32, Rc> {
    match h {
        handle::OWNER | handle::ENDORSEMENT | handle::PLATFORM | handle::NULL => Ok(h),
        _ => Err(Rc::param(TPM_RC_VALUE, n)),
    }
}

fn starts_generated(data: &[u8]) -> bool {
    data.starts_with(&TPM_GENERATED_VALUE.to_be_bytes())
}

impl Tpm {
    /// The TPMT_TK_HASHCHECK for `digest`: a NULL ticket in the NULL hierarchy or when the
    /// data began with TPM_GENERATED_VALUE.
    pub(crate) fn hash_ticket(
        &self,
        hierarchy: u32,
        digest: &[u8],
        generated: bool,
    ) -> Result<Ticket, Rc> {
        if hierarchy == handle::NULL || generated {
            return Ok(Ticket {
                tag: TPM_ST_HASHCHECK,
                hierarchy: handle::NULL,
                digest: Vec::new(),
            });
        }
        let hmac = self.ticket_hmac(hierarchy, &[&TPM_ST_HASHCHECK.to_be_bytes(), digest])?;
        Ok(Ticket {
            tag: TPM_ST_HASHCHECK,
            hierarchy,
            digest: hmac,
        })
    }

    /// Whether `t` is a valid (non-NULL) hash-check ticket for `digest`.
    pub(crate) fn hash_ticket_valid(&self, t: &Ticket, digest: &[u8]) -> bool {
        if t.hierarchy == handle::NULL || t.digest.is_empty() {
            return false;
        }
        match self.ticket_hmac(t.hierarchy, &[&TPM_ST_HASHCHECK.to_be_bytes(), digest]) {
            Ok(expected) => {
                expected.len() == t.digest.len()
                    && expected
                        .iter()
                        .zip(&t.digest)
                        .fold(0u8, |a, (x, y)| a | (x ^ y))
                        == 0
            }
            Err(_) => false,
        }
    }

    pub(crate) fn hash(&mut self, r: &mut Reader<'_>) -> Result<Out, Rc> {
        let data = p(1, read_2b(r, "data", MAX_BUFFER))?;
        let alg = p(2, read_hash(r, "hashAlg"))?;
        let hierarchy = check_hierarchy(p(3, r.u32_be("hierarchy"))?, 3)?;
        end(r)?;
        let digest = self.provider.digest(alg, data);
        let ticket = self.hash_ticket(hierarchy, digest.as_bytes(), starts_generated(data))?;
        let mut w = Writer::new();
        enc(write_2b(&mut w, "outHash", digest.as_bytes()))?;
        enc(ticket.encode(&mut w))?;
        Ok(Out::params(w))
    }

    pub(crate) fn hash_sequence_start(&mut self, r: &mut Reader<'_>) -> Result<Out, Rc> {
        let auth = p(1, read_2b(r, "auth", MAX_DIGEST))?.to_vec();
        // TPM_ALG_NULL would start an event sequence: not implemented (TPM_RC_HASH).
        let alg = p(2, read_hash(r, "hashAlg"))?;
        end(r)?;
        let h = self.free_object_handle()?;
        let seq = Sequence {
            hasher: self.provider.hasher(alg),
            auth,
            first_block: None,
        };
        self.vol.entities.insert(h, Entity::Sequence(Box::new(seq)));
        Ok(Out {
            handles: vec![h],
            params: Vec::new(),
        })
    }

    fn sequence_mut(&mut self, cmd: &Cmd) -> Result<&mut Sequence, Rc> {
        let h = cmd.handles.first().copied().ok_or(Rc(TPM_RC_FAILURE))?;
        match self.vol.entities.get_mut(&h) {
            Some(Entity::Sequence(s)) => Ok(s),
            // TPM_RC_MODE: not a sequence object.
            _ => Err(Rc::handle(0x089, 1)),
        }
    }

    pub(crate) fn sequence_update(&mut self, cmd: &Cmd, r: &mut Reader<'_>) -> Result<Out, Rc> {
        let data = p(1, read_2b(r, "buffer", MAX_BUFFER))?;
        end(r)?;
        let s = self.sequence_mut(cmd)?;
        if s.first_block.is_none() && !data.is_empty() {
            s.first_block = Some(starts_generated(data));
        }
        s.hasher.update(data);
        Ok(Out::default())
    }

    pub(crate) fn sequence_complete(&mut self, cmd: &Cmd, r: &mut Reader<'_>) -> Result<Out, Rc> {
        let data = p(1, read_2b(r, "buffer", MAX_BUFFER))?;
        let hierarchy = check_hierarchy(p(2, r.u32_be("hierarchy"))?, 2)?;
        end(r)?;
        self.sequence_mut(cmd)?;
        let h = cmd.handles.first().copied().ok_or(Rc(TPM_RC_FAILURE))?;
        let Some(Entity::Sequence(mut s)) = self.vol.entities.remove(&h) else {
            return Err(Rc::handle(0x089, 1));
        };
        if s.first_block.is_none() && !data.is_empty() {
            s.first_block = Some(starts_generated(data));
        }
        s.hasher.update(data);
        let digest = s.hasher.finish();
        let ticket =
            self.hash_ticket(hierarchy, digest.as_bytes(), s.first_block.unwrap_or(false))?;
        let mut w = Writer::new();
        enc(write_2b(&mut w, "result", digest.as_bytes()))?;
        enc(ticket.encode(&mut w))?;
        Ok(Out::params(w))
    }
}
