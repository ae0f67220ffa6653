//! TPM2_Encapsulate (1.85, 0x1A7) and TPM2_Decapsulate (1.85, 0x1A8) for ML-KEM.
//!
//! **1.85 layouts followed** (pqctoday-tpm's transcription of Part 3 Tables 60-63):
//! - Encapsulate: `keyHandle` (no authorization) → `sharedSecret` TPM2B_SHARED_SECRET,
//!   `ciphertext` TPM2B_KEM_CIPHERTEXT (in that order).
//! - Decapsulate: `@keyHandle` (USER) ; `ciphertext` TPM2B_KEM_CIPHERTEXT → `sharedSecret`.
//!
//! The key must be an ML-KEM key with decrypt SET and restricted CLEAR (TPM_RC_KEY /
//! TPM_RC_ATTRIBUTES on handle 1).

use vtrust_wire::{Reader, Writer};

use crate::codec::public::attr;
use crate::codec::{read_2b, write_2b};
use crate::keys::{KeyMaterial, Object};
use crate::rc::*;
use crate::tpm::{Cmd, Out, Tpm, enc, end, p};

/// The largest ML-KEM ciphertext (ML-KEM-1024).
const MAX_CIPHERTEXT: usize = 1568;

impl Tpm {
    fn kem_object(&self, cmd: &Cmd) -> Result<&Object, Rc> {
        let o = self.object(cmd, 1)?;
        if !matches!(o.key, KeyMaterial::MlKem(_)) {
            return Err(Rc::handle(TPM_RC_KEY, 1));
        }
        let a = o.public.attributes;
        if a & attr::DECRYPT == 0 || a & attr::RESTRICTED != 0 {
            return Err(Rc::handle(TPM_RC_ATTRIBUTES, 1));
        }
        Ok(o)
    }

    pub(crate) fn encapsulate(&mut self, cmd: &Cmd, r: &mut Reader<'_>) -> Result<Out, Rc> {
        end(r)?;
        let o = self.kem_object(cmd)?;
        let KeyMaterial::MlKem(dk) = &o.key else {
            return Err(Rc::handle(TPM_RC_KEY, 1));
        };
        let (ct, ss) = self
            .provider
            .kem_encapsulate(dk.alg(), dk.encapsulation_key_bytes())
            .map_err(|_| Rc(TPM_RC_NO_RESULT))?;
        let mut w = Writer::new();
        enc(write_2b(&mut w, "sharedSecret", ss.as_bytes()))?;
        enc(write_2b(&mut w, "ciphertext", &ct))?;
        Ok(Out::params(w))
    }

    pub(crate) fn decapsulate(&mut self, cmd: &Cmd, r: &mut Reader<'_>) -> Result<Out, Rc> {
        let ct = p(1, read_2b(r, "ciphertext", MAX_CIPHERTEXT))?;
        end(r)?;
        let o = self.kem_object(cmd)?;
        let KeyMaterial::MlKem(dk) = &o.key else {
            return Err(Rc::handle(TPM_RC_KEY, 1));
        };
        if ct.len() != dk.alg().ciphertext_len() {
            return Err(Rc::param(TPM_RC_SIZE, 1));
        }
        let ss = dk.decapsulate(ct).map_err(|_| Rc(TPM_RC_NO_RESULT))?;
        let mut w = Writer::new();
        enc(write_2b(&mut w, "sharedSecret", ss.as_bytes()))?;
        Ok(Out::params(w))
    }
}
