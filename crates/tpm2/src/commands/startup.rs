//! TPM2_Startup (Part 3 §9.3), TPM2_Shutdown (§9.4) and TPM2_SelfTest (§10.2).

use vtrust_wire::Reader;

use crate::rc::*;
use crate::tpm::{Out, Phase, SavedState, Tpm, end, fresh_pcrs, p};

/// TPM_SU_CLEAR.
const SU_CLEAR: u16 = 0;
/// TPM_SU_STATE.
const SU_STATE: u16 = 1;

impl Tpm {
    pub(crate) fn startup(&mut self, r: &mut Reader<'_>) -> Result<Out, Rc> {
        let su = p(1, r.u16_be("startupType"))?;
        end(r)?;
        if self.phase == Phase::Operational {
            return Err(Rc(TPM_RC_INITIALIZE));
        }
        match su {
            SU_CLEAR => {
                // TPM Reset (no preceding Shutdown(STATE)) renews the null hierarchy; TPM
                // Restart keeps it. Both reset the PCRs.
                if self.saved.take().is_none() {
                    self.vol.null_seed = self
                        .provider
                        .random_array()
                        .map_err(|_| Rc(TPM_RC_FAILURE))?;
                    self.vol.null_proof = self
                        .provider
                        .random_array()
                        .map_err(|_| Rc(TPM_RC_FAILURE))?;
                    self.vol.context_counter = 0;
                }
                self.vol.pcrs = fresh_pcrs();
                self.vol.pcr_update_counter = 0;
            }
            SU_STATE => {
                let saved = self.saved.take().ok_or(Rc::param(TPM_RC_VALUE, 1))?;
                self.vol.pcrs = saved.pcrs;
                self.vol.pcr_update_counter = saved.pcr_update_counter;
            }
            _ => return Err(Rc::param(TPM_RC_VALUE, 1)),
        }
        self.vol.entities.clear();
        self.vol.sessions.clear();
        self.phase = Phase::Operational;
        Ok(Out::default())
    }

    pub(crate) fn shutdown(&mut self, r: &mut Reader<'_>) -> Result<Out, Rc> {
        let su = p(1, r.u16_be("shutdownType"))?;
        end(r)?;
        match su {
            SU_CLEAR => self.saved = None,
            SU_STATE => {
                self.saved = Some(SavedState {
                    pcrs: self.vol.pcrs.clone(),
                    pcr_update_counter: self.vol.pcr_update_counter,
                });
            }
            _ => return Err(Rc::param(TPM_RC_VALUE, 1)),
        }
        Ok(Out::default())
    }

    pub(crate) fn self_test(&mut self, r: &mut Reader<'_>) -> Result<Out, Rc> {
        let full = p(1, r.u8("fullTest"))?;
        end(r)?;
        if full > 1 {
            return Err(Rc::param(TPM_RC_VALUE, 1));
        }
        // The algorithms this TPM uses, tested once per instance by the provider's own
        // known-answer tests (vtrust-crypto selftest).
        if !self.self_tested {
            let wanted = [
                "SHA-1",
                "SHA-256",
                "SHA-384",
                "SHA-512",
                "HMAC-SHA-256",
                "ECDSA-P256-SHA256",
                "ML-DSA-65",
                "ML-KEM-768",
            ];
            for case in vtrust_crypto::selftest::cases() {
                if wanted.iter().any(|w| case.algorithm.starts_with(w))
                    && (case.run)(&self.provider).is_err()
                {
                    return Err(Rc(TPM_RC_FAILURE));
                }
            }
            self.self_tested = true;
        }
        Ok(Out::default())
    }
}
