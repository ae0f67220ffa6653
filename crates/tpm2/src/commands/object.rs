//! TPM2_CreatePrimary (Part 3 §24.1) and TPM2_ReadPublic (§12.4).

use vtrust_wire::{LengthPrefix, Reader, Writer};

use crate::codec::pcr::{read_selection, write_selection};
use crate::codec::public::{KeyParms, attr, read_2b_public};
use crate::codec::ticket::Ticket;
use crate::codec::{MAX_DIGEST, alg_of_hash, hash_from_alg, read_2b, write_2b};
use crate::constants::{TPM_ST_CREATION, alg, handle};
use crate::keys::Object;
use crate::rc::*;
use crate::tpm::{Cmd, Entity, Out, PCR_BANKS, PCR_COUNT, Tpm, enc, end, p};

/// TPM2B_DATA holds at most sizeof(TPMT_HA) = 66 bytes.
const MAX_DATA: usize = 66;

impl Tpm {
    pub(crate) fn create_primary(&mut self, cmd: &Cmd, r: &mut Reader<'_>) -> Result<Out, Rc> {
        let hierarchy = cmd.handles.first().copied().ok_or(Rc(TPM_RC_FAILURE))?;
        let seed: [u8; 64] = match hierarchy {
            handle::OWNER => self.perm.owner_seed,
            handle::ENDORSEMENT => self.perm.endorsement_seed,
            handle::PLATFORM => self.perm.platform_seed,
            handle::NULL => self.vol.null_seed,
            _ => return Err(Rc::handle(TPM_RC_VALUE, 1)),
        };
        // P1: TPM2B_SENSITIVE_CREATE { userAuth TPM2B_AUTH, data TPM2B_SENSITIVE_DATA }.
        let (user_auth, data) = p(
            1,
            (|| {
                let mut s = r.prefixed("inSensitive", LengthPrefix::U16Be, 256)?;
                let a = read_2b(&mut s, "userAuth", MAX_DIGEST)?.to_vec();
                let d = read_2b(&mut s, "data", 128)?.to_vec();
                s.expect_end("inSensitive")?;
                Ok((a, d))
            })(),
        )?;
        let template = p(2, read_2b_public(r))?;
        let outside_info = p(3, read_2b(r, "outsideInfo", MAX_DATA))?.to_vec();
        let creation_pcr = p(4, read_selection(r))?;
        end(r)?;
        // Asymmetric keys take no sensitive data (Part 3 §24.1.1 / §12.1).
        if !data.is_empty() {
            return Err(Rc::param(TPM_RC_SIZE, 1));
        }
        let a = template.attributes;
        let (sign, decrypt, restricted) = (
            a & attr::SIGN != 0,
            a & attr::DECRYPT != 0,
            a & attr::RESTRICTED != 0,
        );
        if (!sign && !decrypt) || (sign && decrypt && restricted) {
            return Err(Rc::param(TPM_RC_ATTRIBUTES, 2));
        }
        if a & attr::SENSITIVE_DATA_ORIGIN == 0
            || (a & attr::FIXED_TPM != 0) != (a & attr::FIXED_PARENT != 0)
        {
            return Err(Rc::param(TPM_RC_ATTRIBUTES, 2));
        }
        match &template.parms {
            KeyParms::Ecc {
                symmetric, scheme, ..
            } => {
                if restricted && decrypt && symmetric.algorithm == alg::NULL {
                    return Err(Rc::param(TPM_RC_SYMMETRIC, 2));
                }
                if !(restricted && decrypt) && symmetric.algorithm != alg::NULL {
                    return Err(Rc::param(TPM_RC_SYMMETRIC, 2));
                }
                if (restricted && sign && scheme.is_none())
                    || (decrypt && !sign && scheme.is_some())
                {
                    return Err(Rc::param(TPM_RC_SCHEME, 2));
                }
            }
            KeyParms::MlDsa {
                allow_external_mu, ..
            } => {
                if !sign || decrypt {
                    return Err(Rc::param(TPM_RC_ATTRIBUTES, 2));
                }
                // Signing an external µ needs an ML-DSA interface aws-lc does not offer.
                if *allow_external_mu {
                    return Err(Rc::param(TPM_RC_VALUE, 2));
                }
            }
            KeyParms::MlKem { symmetric, .. } => {
                if sign || !decrypt {
                    return Err(Rc::param(TPM_RC_ATTRIBUTES, 2));
                }
                if !restricted && symmetric.algorithm != alg::NULL {
                    return Err(Rc::param(TPM_RC_SYMMETRIC, 2));
                }
            }
        }
        let handle_out = self.free_object_handle()?;
        let obj = Object::derive_primary(&self.provider, &seed, hierarchy, &template, user_auth)?;
        let name_alg = obj.public.name_alg;

        // TPMS_CREATION_DATA (Part 2 §15.1).
        let mut pcr_hasher = self.provider.hasher(name_alg);
        for s in &creation_pcr {
            let bank = hash_from_alg(s.hash).and_then(|h| PCR_BANKS.iter().position(|b| *b == h));
            let Some(b) = bank else {
                return Err(Rc::param(TPM_RC_HASH, 4));
            };
            for pcr in 0..PCR_COUNT.min(s.select.len().saturating_mul(8)) {
                if s.select
                    .get(pcr / 8)
                    .is_some_and(|v| v & (1 << (pcr % 8)) != 0)
                    && let Some(v) = self.vol.pcrs.get(b).and_then(|bk| bk.get(pcr))
                {
                    pcr_hasher.update(v);
                }
            }
        }
        let pcr_digest = pcr_hasher.finish();
        let mut cd = Writer::new();
        enc(write_selection(&mut cd, &creation_pcr))?;
        enc(write_2b(&mut cd, "pcrDigest", pcr_digest.as_bytes()))?;
        enc(cd.u8(
            "locality",
            1u8.checked_shl(u32::from(cmd.locality.min(4))).unwrap_or(1),
        ))?;
        enc(cd.u16_be("parentNameAlg", alg::NULL))?;
        enc(write_2b(&mut cd, "parentName", &hierarchy.to_be_bytes()))?;
        enc(write_2b(
            &mut cd,
            "parentQualifiedName",
            &hierarchy.to_be_bytes(),
        ))?;
        enc(write_2b(&mut cd, "outsideInfo", &outside_info))?;
        let creation_data = cd.into_vec();
        let creation_hash = self.provider.digest(name_alg, &creation_data);
        let ticket = Ticket {
            tag: TPM_ST_CREATION,
            hierarchy,
            digest: self.ticket_hmac(
                hierarchy,
                &[
                    &TPM_ST_CREATION.to_be_bytes(),
                    &obj.name,
                    creation_hash.as_bytes(),
                ],
            )?,
        };

        let mut w = Writer::new();
        enc(write_2b(&mut w, "outPublic", &obj.public_bytes))?;
        enc(write_2b(&mut w, "creationData", &creation_data))?;
        enc(write_2b(&mut w, "creationHash", creation_hash.as_bytes()))?;
        enc(ticket.encode(&mut w))?;
        enc(write_2b(&mut w, "name", &obj.name))?;
        let _ = alg_of_hash(name_alg);
        self.vol
            .entities
            .insert(handle_out, Entity::Object(Box::new(obj)));
        Ok(Out {
            handles: vec![handle_out],
            params: w.into_vec(),
        })
    }

    pub(crate) fn read_public(&mut self, cmd: &Cmd, r: &mut Reader<'_>) -> Result<Out, Rc> {
        end(r)?;
        let h = cmd.handles.first().copied().ok_or(Rc(TPM_RC_FAILURE))?;
        let o = match self.vol.entities.get(&h) {
            Some(Entity::Object(o)) => o,
            Some(Entity::Sequence(_)) => return Err(Rc(TPM_RC_SEQUENCE)),
            None => return Err(Rc::handle(TPM_RC_VALUE, 1)),
        };
        let mut w = Writer::new();
        enc(write_2b(&mut w, "outPublic", &o.public_bytes))?;
        enc(write_2b(&mut w, "name", &o.name))?;
        enc(write_2b(&mut w, "qualifiedName", &o.qualified_name))?;
        Ok(Out::params(w))
    }
}
