//! TPM2_Sign (Part 3 §20.2) and TPM2_VerifySignature (§20.1) for ECDSA;
//! TPM2_SignDigest (1.85, 0x1A6) and TPM2_VerifyDigestSignature (1.85, 0x1A5) for ML-DSA
//! (and ECDSA).
//!
//! **1.85 layouts followed** (pqctoday-tpm's transcription of Part 3 Tables 120-121 and
//! 126-127; the TCG PDF was not read):
//! - SignDigest: `@keyHandle`; `context` TPM2B_SIGNATURE_CTX (≤ 255); `digest` TPM2B_DIGEST;
//!   `validation` TPMT_TK_HASHCHECK → `signature` TPMT_SIGNATURE.
//! - VerifyDigestSignature: `keyHandle`; `context`; `digest`; `signature` TPMT_SIGNATURE →
//!   `validation` TPMT_TK_VERIFIED with tag TPM_ST_DIGEST_VERIFIED, hierarchy, metadata
//!   (`digestVerified` TPM_ALG_ID, absent in a NULL ticket) and the HMAC.
//!
//! **Assumptions**: for pure ML-DSA (`allowExternalMu` = NO) the `digest` bytes are signed as
//! the FIPS 204 message M with `context` as the FIPS 204 context string; the verified ticket's
//! `digestVerified` is TPM_ALG_NULL (the TPM does not know which hash made the digest) and its
//! HMAC is `HMAC(proof, TPM_ST_DIGEST_VERIFIED || digest || keyName)`. A restricted ML-DSA key
//! needs a valid hash-check ticket (TPM_RC_TICKET otherwise).

use vtrust_crypto::hash::Digest;
use vtrust_crypto::sign::SignatureAlg;
use vtrust_wire::{Reader, Writer};

use crate::codec::public::{Curve, KeyParms, attr, mldsa_from_set};
use crate::codec::signature::{Signature, read_sig_scheme};
use crate::codec::ticket::Ticket;
use crate::codec::{MAX_DIGEST, read_2b};
use crate::constants::{TPM_ST_DIGEST_VERIFIED, TPM_ST_HASHCHECK, TPM_ST_VERIFIED, alg, handle};
use crate::keys::{KeyMaterial, Object};
use crate::rc::*;
use crate::tpm::{Cmd, Out, Tpm, enc, end, p};

/// TPM2B_SIGNATURE_CTX: at most 255 bytes (FIPS 204 context string).
const MAX_CONTEXT: usize = 255;

fn ecdsa_alg(curve: Curve) -> SignatureAlg {
    match curve {
        Curve::P256 => SignatureAlg::EcdsaP256Sha256,
        Curve::P384 => SignatureAlg::EcdsaP384Sha384,
    }
}

/// Signs `digest` with an ECC key (ECDSA, the key's hash); TPM_RC_SCHEME / TPM_RC_SIZE on
/// mismatches, parameters numbered `digest_n` and `scheme_n`.
fn ecdsa_sign(
    o: &Object,
    digest: &[u8],
    scheme: Option<vtrust_crypto::hash::HashAlg>,
    digest_n: u32,
    scheme_n: u32,
) -> Result<Signature, Rc> {
    let (
        KeyParms::Ecc {
            curve,
            scheme: key_scheme,
            ..
        },
        KeyMaterial::Ecc(key),
    ) = (&o.public.parms, &o.key)
    else {
        return Err(Rc::handle(TPM_RC_KEY, 1));
    };
    let hash = match (key_scheme, scheme) {
        (Some(k), None) => *k,
        (Some(k), Some(s)) if *k == s => s,
        (None, Some(s)) => s,
        _ => return Err(Rc::param(TPM_RC_SCHEME, scheme_n)),
    };
    let sig_alg = ecdsa_alg(*curve);
    // The provider signs a digest of the curve's own hash (P-256/SHA-256, P-384/SHA-384).
    if sig_alg.hash() != Some(hash) {
        return Err(Rc::param(TPM_RC_SCHEME, scheme_n));
    }
    let d = Digest::from_bytes(hash, digest).map_err(|_| Rc::param(TPM_RC_SIZE, digest_n))?;
    let rs = key.sign_digest(&d).map_err(|_| Rc(TPM_RC_NO_RESULT))?;
    let (r, s) = rs
        .split_at_checked(curve.coord_len())
        .ok_or(Rc(TPM_RC_NO_RESULT))?;
    Ok(Signature::Ecdsa {
        hash,
        r: r.to_vec(),
        s: s.to_vec(),
    })
}

impl Tpm {
    fn signing_object(&self, cmd: &Cmd) -> Result<&Object, Rc> {
        let o = self.object(cmd, 1)?;
        if o.public.attributes & attr::SIGN == 0 {
            return Err(Rc::handle(TPM_RC_KEY, 1));
        }
        Ok(o)
    }

    fn check_restricted(
        &self,
        o: &Object,
        ticket: &Ticket,
        digest: &[u8],
        n: u32,
    ) -> Result<(), Rc> {
        if o.public.attributes & attr::RESTRICTED != 0 && !self.hash_ticket_valid(ticket, digest) {
            return Err(Rc::param(TPM_RC_TICKET, n));
        }
        Ok(())
    }

    pub(crate) fn sign(&mut self, cmd: &Cmd, r: &mut Reader<'_>) -> Result<Out, Rc> {
        let digest = p(1, read_2b(r, "digest", MAX_DIGEST))?;
        let scheme = p(2, read_sig_scheme(r))?;
        let ticket = p(3, Ticket::decode(r, TPM_ST_HASHCHECK))?;
        end(r)?;
        let o = self.signing_object(cmd)?;
        if !matches!(o.public.parms, KeyParms::Ecc { .. }) {
            // ML-DSA signs through TPM2_SignDigest.
            return Err(Rc::param(TPM_RC_SCHEME, 2));
        }
        self.check_restricted(o, &ticket, digest, 3)?;
        let sig = ecdsa_sign(o, digest, scheme, 1, 2)?;
        let mut w = Writer::new();
        enc(sig.encode(&mut w))?;
        Ok(Out::params(w))
    }

    pub(crate) fn verify_signature(&mut self, cmd: &Cmd, r: &mut Reader<'_>) -> Result<Out, Rc> {
        let digest = p(1, read_2b(r, "digest", MAX_DIGEST))?;
        let sig = p(2, Signature::decode(r))?;
        end(r)?;
        let o = self.signing_object(cmd)?;
        let (KeyParms::Ecc { curve, .. }, KeyMaterial::Ecc(key)) = (&o.public.parms, &o.key) else {
            return Err(Rc::param(TPM_RC_SCHEME, 2));
        };
        let Signature::Ecdsa { hash, r: sr, s: ss } = &sig else {
            return Err(Rc::param(TPM_RC_SCHEME, 2));
        };
        let sig_alg = ecdsa_alg(*curve);
        if sig_alg.hash() != Some(*hash) {
            return Err(Rc::param(TPM_RC_SCHEME, 2));
        }
        let d = Digest::from_bytes(*hash, digest).map_err(|_| Rc::param(TPM_RC_SIZE, 1))?;
        let len = curve.coord_len();
        if sr.len() > len || ss.len() > len {
            return Err(Rc::param(TPM_RC_SIGNATURE, 2));
        }
        let mut rs = vec![0u8; len.saturating_mul(2)];
        for (dst, src) in rs.iter_mut().skip(len.saturating_sub(sr.len())).zip(sr) {
            *dst = *src;
        }
        for (dst, src) in rs
            .iter_mut()
            .skip(len.saturating_mul(2).saturating_sub(ss.len()))
            .zip(ss)
        {
            *dst = *src;
        }
        self.provider
            .verify_digest(sig_alg, key.public_key(), &d, &rs)
            .map_err(|_| Rc::param(TPM_RC_SIGNATURE, 2))?;
        let ticket = if o.hierarchy == handle::NULL {
            Ticket {
                tag: TPM_ST_VERIFIED,
                hierarchy: handle::NULL,
                digest: Vec::new(),
            }
        } else {
            Ticket {
                tag: TPM_ST_VERIFIED,
                hierarchy: o.hierarchy,
                digest: self.ticket_hmac(
                    o.hierarchy,
                    &[&TPM_ST_VERIFIED.to_be_bytes(), digest, &o.name],
                )?,
            }
        };
        let mut w = Writer::new();
        enc(ticket.encode(&mut w))?;
        Ok(Out::params(w))
    }

    pub(crate) fn sign_digest(&mut self, cmd: &Cmd, r: &mut Reader<'_>) -> Result<Out, Rc> {
        let context = p(1, read_2b(r, "context", MAX_CONTEXT))?;
        let digest = p(2, read_2b(r, "digest", MAX_DIGEST))?;
        let ticket = p(3, Ticket::decode(r, TPM_ST_HASHCHECK))?;
        end(r)?;
        let o = self.signing_object(cmd)?;
        self.check_restricted(o, &ticket, digest, 3)?;
        let sig = match (&o.public.parms, &o.key) {
            (KeyParms::MlDsa { .. }, KeyMaterial::MlDsa(key)) => {
                let s = if context.is_empty() {
                    key.sign(digest)
                } else {
                    key.sign_with_context(digest, context)
                };
                Signature::MlDsa(s.map_err(|_| Rc(TPM_RC_NO_RESULT))?)
            }
            (KeyParms::Ecc { .. }, _) => {
                if !context.is_empty() {
                    return Err(Rc::param(TPM_RC_VALUE, 1));
                }
                ecdsa_sign(o, digest, None, 2, 2)?
            }
            _ => return Err(Rc::handle(TPM_RC_KEY, 1)),
        };
        let mut w = Writer::new();
        enc(sig.encode(&mut w))?;
        Ok(Out::params(w))
    }

    pub(crate) fn verify_digest_signature(
        &mut self,
        cmd: &Cmd,
        r: &mut Reader<'_>,
    ) -> Result<Out, Rc> {
        let context = p(1, read_2b(r, "context", MAX_CONTEXT))?;
        let digest = p(2, read_2b(r, "digest", MAX_DIGEST))?;
        let sig = p(3, Signature::decode(r))?;
        end(r)?;
        let o = self.signing_object(cmd)?;
        match (&o.public.parms, &o.key, &sig) {
            (
                KeyParms::MlDsa { parameter_set, .. },
                KeyMaterial::MlDsa(key),
                Signature::MlDsa(s),
            ) => {
                let sig_alg = mldsa_from_set(*parameter_set).ok_or(Rc::handle(TPM_RC_KEY, 1))?;
                let ok = if context.is_empty() {
                    self.provider.verify(sig_alg, key.public_key(), digest, s)
                } else {
                    self.provider
                        .verify_with_context(sig_alg, key.public_key(), digest, context, s)
                };
                ok.map_err(|_| Rc::param(TPM_RC_SIGNATURE, 3))?;
            }
            _ => return Err(Rc::param(TPM_RC_SCHEME, 3)),
        }
        let mut w = Writer::new();
        enc(w.u16_be("tag", TPM_ST_DIGEST_VERIFIED))?;
        if o.hierarchy == handle::NULL {
            enc(w.u32_be("hierarchy", handle::NULL))?;
            enc(w.u16_be("hmac", 0))?;
        } else {
            let hmac = self.ticket_hmac(
                o.hierarchy,
                &[&TPM_ST_DIGEST_VERIFIED.to_be_bytes(), digest, &o.name],
            )?;
            enc(w.u32_be("hierarchy", o.hierarchy))?;
            enc(w.u16_be("digestVerified", alg::NULL))?;
            enc(crate::codec::write_2b(&mut w, "hmac", &hmac))?;
        }
        Ok(Out::params(w))
    }
}
