//! TPM2_ContextSave (Part 3 §28.2), TPM2_ContextLoad (§28.3) and TPM2_FlushContext (§28.4).
//!
//! Context blob (Part 1 §30 describes the protections; the layout is ours):
//! `TPM2B integrity || iv[16] || AES-256-CTR(encKey, iv, object)` where
//! `encKey || hmacKey = KDFa(SHA-256, proof(hierarchy) || contextSecret, "CONTEXT",
//! sequence, savedHandle || hierarchy, 512)` and
//! `integrity = HMAC-SHA-256(hmacKey, iv || ciphertext)`. The hierarchy proof keys it, so
//! contexts of the NULL hierarchy die at TPM Reset (its proof is renewed); contexts of the
//! other hierarchies survive for as long as the permanent state does. Only objects are
//! saved: hash sequences and sessions are refused (TPM_RC_HANDLE on handle 1).

use vtrust_crypto::cipher::{CipherAlg, CipherKey};
use vtrust_crypto::hash::HashAlg;
use vtrust_crypto::hmac::HmacKey;
use vtrust_wire::{Reader, Writer};

use crate::codec::context::{Context, MAX_CONTEXT_BLOB};
use crate::codec::{read_2b, write_2b};
use crate::constants::handle;
use crate::keys::{Object, kdfa};
use crate::rc::*;
use crate::tpm::{Cmd, Entity, Out, Tpm, enc, end, p};

impl Tpm {
    /// The keys protecting a saved context: AES-256-CTR `encKey` and HMAC-SHA-256 `hmacKey`
    /// (module docs).
    fn context_keys(
        &self,
        hierarchy: u32,
        sequence: u64,
        saved: u32,
    ) -> Result<(CipherKey, HmacKey), Rc> {
        let proof = self
            .proof(hierarchy)
            .ok_or(Rc::param(TPM_RC_HIERARCHY, 1))?;
        let mut secret = proof.to_vec();
        secret.extend_from_slice(&self.perm.context_secret);
        let mut v = saved.to_be_bytes().to_vec();
        v.extend_from_slice(&hierarchy.to_be_bytes());
        let mut out = [0u8; 64];
        kdfa(
            &self.provider,
            HashAlg::Sha256,
            &secret,
            b"CONTEXT",
            &sequence.to_be_bytes(),
            &v,
            &mut out,
        )?;
        let (ek, mk) = out.split_at(32);
        let cipher = self
            .provider
            .cipher_key(CipherAlg::AesCtr, ek)
            .map_err(|_| Rc(TPM_RC_NO_RESULT))?;
        let mac = self
            .provider
            .hmac_key(HashAlg::Sha256, mk)
            .map_err(|_| Rc(TPM_RC_NO_RESULT))?;
        Ok((cipher, mac))
    }

    pub(crate) fn context_save(&mut self, cmd: &Cmd, r: &mut Reader<'_>) -> Result<Out, Rc> {
        end(r)?;
        let h = cmd.handles.first().copied().ok_or(Rc(TPM_RC_FAILURE))?;
        let Some(Entity::Object(o)) = self.vol.entities.get(&h) else {
            return Err(Rc::handle(TPM_RC_HANDLE, 1));
        };
        let mut plain = Writer::new();
        enc(o.serialize(&mut plain))?;
        let mut plain = plain.into_vec();
        let hierarchy = o.hierarchy;
        let sequence = self
            .vol
            .context_counter
            .checked_add(1)
            .ok_or(Rc(TPM_RC_CONTEXT_GAP))?;
        let saved = handle::TRANSIENT_FIRST;
        let (cipher, mac) = self.context_keys(hierarchy, sequence, saved)?;
        let iv: [u8; 16] = self
            .provider
            .random_array()
            .map_err(|_| Rc(TPM_RC_FAILURE))?;
        cipher
            .encrypt(&iv, &mut plain)
            .map_err(|_| Rc(TPM_RC_NO_RESULT))?;
        let mut c = mac.context();
        c.update(&iv);
        c.update(&plain);
        let tag = c.sign();
        let mut blob = Writer::new();
        enc(write_2b(&mut blob, "integrity", tag.as_bytes()))?;
        enc(blob.bytes("iv", &iv))?;
        enc(blob.bytes("encrypted", &plain))?;
        self.vol.context_counter = sequence;
        let ctx = Context {
            sequence,
            saved_handle: saved,
            hierarchy,
            blob: blob.into_vec(),
        };
        let mut w = Writer::new();
        enc(ctx.encode(&mut w))?;
        Ok(Out::params(w))
    }

    pub(crate) fn context_load(&mut self, r: &mut Reader<'_>) -> Result<Out, Rc> {
        let ctx = p(1, Context::decode(r))?;
        end(r)?;
        if ctx.saved_handle != handle::TRANSIENT_FIRST {
            return Err(Rc::param(TPM_RC_HANDLE, 1));
        }
        if ctx.blob.len() > MAX_CONTEXT_BLOB {
            return Err(Rc::param(TPM_RC_SIZE, 1));
        }
        let (cipher, mac) = self.context_keys(ctx.hierarchy, ctx.sequence, ctx.saved_handle)?;
        let mut br = Reader::new(&ctx.blob);
        let integrity = read_2b(&mut br, "integrity", 64).map_err(|_| Rc::param(TPM_RC_SIZE, 1))?;
        let iv: [u8; 16] = br.array("iv").map_err(|_| Rc::param(TPM_RC_SIZE, 1))?;
        let mut data = br.rest().to_vec();
        let mut c = mac.context();
        c.update(&iv);
        c.update(&data);
        c.verify(integrity)
            .map_err(|_| Rc::param(TPM_RC_INTEGRITY, 1))?;
        cipher
            .decrypt(&iv, &mut data)
            .map_err(|_| Rc(TPM_RC_NO_RESULT))?;
        let mut dr = Reader::new(&data);
        let obj = Object::deserialize(&self.provider, &mut dr)
            .map_err(|_| Rc::param(TPM_RC_INTEGRITY, 1))?;
        if !dr.is_empty() || obj.hierarchy != ctx.hierarchy {
            return Err(Rc::param(TPM_RC_INTEGRITY, 1));
        }
        let h = self.free_object_handle()?;
        self.vol.entities.insert(h, Entity::Object(Box::new(obj)));
        Ok(Out {
            handles: vec![h],
            params: Vec::new(),
        })
    }

    pub(crate) fn flush_context(&mut self, r: &mut Reader<'_>) -> Result<Out, Rc> {
        let h = p(1, r.u32_be("flushHandle"))?;
        end(r)?;
        let removed = match h >> 24 {
            0x80 => self.vol.entities.remove(&h).is_some(),
            0x02 | 0x03 => self.vol.sessions.remove(&h).is_some(),
            _ => false,
        };
        if removed {
            Ok(Out::default())
        } else {
            Err(Rc::param(TPM_RC_VALUE, 1))
        }
    }
}
