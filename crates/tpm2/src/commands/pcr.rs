//! TPM2_PCR_Read (Part 3 §22.4), TPM2_PCR_Extend (§22.2) and TPM2_PCR_Event (§22.3).
//!
//! Four banks (SHA-1, SHA-256, SHA-384, SHA-512) of 24 PCRs, all allocated as swtpm 0.7.1
//! allocates them. Simplification: every PCR may be extended from every locality (the PC
//! Client locality restrictions on PCRs 17-22 are not enforced).

use vtrust_crypto::hash::HashAlg;
use vtrust_wire::{Reader, Writer};

use crate::codec::pcr::{
    PcrSelection, read_digest_values, read_selection, write_digest_values, write_digests,
    write_selection,
};
use crate::codec::{MAX_BUFFER, hash_from_alg, read_2b};
use crate::constants::handle;
use crate::rc::*;
use crate::tpm::{Cmd, Out, PCR_BANKS, PCR_COUNT, Tpm, enc, end, p};

/// TPML_DIGEST holds at most 8 digests (Part 2 §10.9.3).
const MAX_READ: usize = 8;

fn bank_index(h: HashAlg) -> Option<usize> {
    PCR_BANKS.iter().position(|b| *b == h)
}

impl Tpm {
    /// The PCR index of `pcrHandle`, `None` for TPM_RH_NULL (no extend).
    fn pcr_index(cmd: &Cmd) -> Result<Option<usize>, Rc> {
        let h = cmd.handles.first().copied().ok_or(Rc(TPM_RC_FAILURE))?;
        if h == handle::NULL {
            return Ok(None);
        }
        match usize::try_from(h) {
            Ok(i) if i < PCR_COUNT => Ok(Some(i)),
            _ => Err(Rc::handle(TPM_RC_VALUE, 1)),
        }
    }

    fn extend(&mut self, pcr: usize, h: HashAlg, digest: &[u8]) {
        let Some(b) = bank_index(h) else { return };
        let provider = self.provider.clone();
        if let Some(slot) = self.vol.pcrs.get_mut(b).and_then(|bank| bank.get_mut(pcr)) {
            let mut hs = provider.hasher(h);
            hs.update(slot);
            hs.update(digest);
            *slot = hs.finish().as_bytes().to_vec();
        }
    }

    pub(crate) fn pcr_read(&mut self, r: &mut Reader<'_>) -> Result<Out, Rc> {
        let sel = p(1, read_selection(r))?;
        end(r)?;
        let mut out_sel = Vec::with_capacity(sel.len());
        let mut values = Vec::new();
        for s in &sel {
            let mut bits = vec![0u8; s.select.len()];
            let bank = hash_from_alg(s.hash).and_then(bank_index);
            if let Some(b) = bank {
                for pcr in 0..(s.select.len().saturating_mul(8)).min(PCR_COUNT) {
                    let (byte, bit) = (pcr / 8, pcr % 8);
                    let selected = s.select.get(byte).is_some_and(|v| v & (1 << bit) != 0);
                    if selected
                        && values.len() < MAX_READ
                        && let (Some(v), Some(o)) = (
                            self.vol.pcrs.get(b).and_then(|bk| bk.get(pcr)),
                            bits.get_mut(byte),
                        )
                    {
                        values.push(v.clone());
                        *o |= 1 << bit;
                    }
                }
            }
            out_sel.push(PcrSelection {
                hash: s.hash,
                select: bits,
            });
        }
        let mut w = Writer::new();
        enc(w.u32_be("pcrUpdateCounter", self.vol.pcr_update_counter))?;
        enc(write_selection(&mut w, &out_sel))?;
        enc(write_digests(&mut w, &values))?;
        Ok(Out::params(w))
    }

    pub(crate) fn pcr_extend(&mut self, cmd: &Cmd, r: &mut Reader<'_>) -> Result<Out, Rc> {
        let pcr = Self::pcr_index(cmd)?;
        let digests = p(1, read_digest_values(r))?;
        end(r)?;
        if let Some(i) = pcr {
            for (h, d) in &digests {
                self.extend(i, *h, d);
            }
            self.vol.pcr_update_counter = self.vol.pcr_update_counter.wrapping_add(1);
        }
        Ok(Out::default())
    }

    pub(crate) fn pcr_event(&mut self, cmd: &Cmd, r: &mut Reader<'_>) -> Result<Out, Rc> {
        let pcr = Self::pcr_index(cmd)?;
        let data = p(1, read_2b(r, "eventData", MAX_BUFFER))?;
        end(r)?;
        let digests: Vec<(HashAlg, Vec<u8>)> = PCR_BANKS
            .iter()
            .map(|h| (*h, self.provider.digest(*h, data).as_bytes().to_vec()))
            .collect();
        if let Some(i) = pcr {
            for (h, d) in &digests {
                self.extend(i, *h, d);
            }
            self.vol.pcr_update_counter = self.vol.pcr_update_counter.wrapping_add(1);
        }
        let mut w = Writer::new();
        enc(write_digest_values(&mut w, &digests))?;
        Ok(Out::params(w))
    }
}
