//! TPM2_StartAuthSession (Part 3 §11.1): unsalted HMAC sessions, bound or unbound.
//!
//! Not implemented: salted sessions (`tpmKey` other than TPM_RH_NULL: TPM_RC_HANDLE on
//! handle 1), policy and trial sessions (TPM_RC_VALUE on parameter 3), parameter encryption
//! (`symmetric` other than TPM_ALG_NULL: TPM_RC_SYMMETRIC on parameter 4).

use vtrust_wire::{Reader, Writer};

use crate::codec::public::SymDef;
use crate::codec::{read_2b, read_hash, write_2b};
use crate::constants::{alg, handle};
use crate::keys::kdfa;
use crate::rc::*;
use crate::tpm::{Cmd, Entity, MAX_LOADED_SESSIONS, Out, Session, Tpm, enc, end, p};

impl Tpm {
    pub(crate) fn start_auth_session(&mut self, cmd: &Cmd, r: &mut Reader<'_>) -> Result<Out, Rc> {
        let tpm_key = cmd.handles.first().copied().ok_or(Rc(TPM_RC_FAILURE))?;
        let bind = cmd.handles.get(1).copied().ok_or(Rc(TPM_RC_FAILURE))?;
        let nonce_caller = p(1, read_2b(r, "nonceCaller", 64))?.to_vec();
        let salt = p(2, read_2b(r, "encryptedSalt", 1024))?;
        let session_type = p(3, r.u8("sessionType"))?;
        let symmetric = p(4, SymDef::decode(r))?;
        let auth_hash = p(5, read_hash(r, "authHash"))?;
        end(r)?;
        if tpm_key != handle::NULL {
            return Err(Rc::handle(TPM_RC_HANDLE, 1));
        }
        if nonce_caller.len() < 16 {
            return Err(Rc::param(TPM_RC_SIZE, 1));
        }
        if !salt.is_empty() {
            return Err(Rc::param(TPM_RC_VALUE, 2));
        }
        if session_type != 0 {
            return Err(Rc::param(TPM_RC_VALUE, 3));
        }
        if symmetric.algorithm != alg::NULL {
            return Err(Rc::param(TPM_RC_SYMMETRIC, 4));
        }
        let bind_auth = match bind {
            handle::NULL => None,
            handle::OWNER | handle::ENDORSEMENT | handle::PLATFORM | handle::LOCKOUT => {
                Some(Vec::new())
            }
            h if usize::try_from(h).is_ok_and(|i| i < crate::tpm::PCR_COUNT) => Some(Vec::new()),
            h => match self.vol.entities.get(&h) {
                Some(Entity::Object(o)) => Some(o.auth.clone()),
                Some(Entity::Sequence(s)) => Some(s.auth.clone()),
                None => return Err(Rc::handle(TPM_RC_HANDLE, 2)),
            },
        };
        let h = (0..u32::try_from(MAX_LOADED_SESSIONS).unwrap_or(0))
            .map(|i| handle::HMAC_SESSION_FIRST | i)
            .find(|h| !self.vol.sessions.contains_key(h))
            .ok_or(Rc(TPM_RC_SESSION_MEMORY))?;
        let mut nonce_tpm = vec![0u8; auth_hash.output_len()];
        self.provider
            .fill_random(&mut nonce_tpm)
            .map_err(|_| Rc(TPM_RC_FAILURE))?;
        let (session_key, bind_name) = match bind_auth {
            None => (Vec::new(), None),
            Some(auth) => {
                // sessionKey = KDFa(authHash, bind.authValue || salt, "ATH", nonceTPM,
                // nonceCaller, digest bits) (Part 1 §19.6.8).
                let end_ = auth
                    .iter()
                    .rposition(|&b| b != 0)
                    .map_or(0, |i| i.saturating_add(1));
                let mut key = vec![0u8; auth_hash.output_len()];
                kdfa(
                    &self.provider,
                    auth_hash,
                    auth.get(..end_).unwrap_or(&[]),
                    b"ATH",
                    &nonce_tpm,
                    &nonce_caller,
                    &mut key,
                )?;
                (key, Some(self.name_of_handle(bind)))
            }
        };
        self.vol.sessions.insert(
            h,
            Session {
                auth_hash,
                nonce_tpm: nonce_tpm.clone(),
                session_key,
                bind_name,
            },
        );
        let mut w = Writer::new();
        enc(write_2b(&mut w, "nonceTPM", &nonce_tpm))?;
        Ok(Out {
            handles: vec![h],
            params: w.into_vec(),
        })
    }
}
