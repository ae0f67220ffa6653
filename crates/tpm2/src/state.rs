//! Saved state: the permanent blob (primary seeds, proofs, context secret) for the state
//! file, and the volatile blob (PCRs, loaded objects, sessions) for VM snapshots.
//!
//! Both are versioned (`magic || version`) and parsed strictly: a blob from another
//! version, a truncated blob or trailing bytes is refused with [`StateError`].

use std::collections::BTreeMap;

use vtrust_crypto::CryptoProvider;
use vtrust_wire::{DecodeError, Reader, Writer};

use crate::StateError;
use crate::codec::{alg_of_hash, read_2b, read_hash, write_2b};
use crate::keys::Object;
use crate::tpm::{Entity, PCR_BANKS, PCR_COUNT, Phase, SavedState, Session, Tpm};

const PERMANENT_MAGIC: &[u8; 8] = b"VTPMPERM";
const VOLATILE_MAGIC: &[u8; 8] = b"VTPMVOLA";
/// The version of both blobs.
const VERSION: u16 = 1;

/// Permanent state (Part 1 §37.2 "persistent data"): the primary seeds of the three
/// persistent hierarchies, their proof values, and the secret keying saved contexts.
#[derive(Clone)]
pub(crate) struct Permanent {
    pub platform_seed: [u8; 64],
    pub owner_seed: [u8; 64],
    pub endorsement_seed: [u8; 64],
    pub ph_proof: [u8; 64],
    pub sh_proof: [u8; 64],
    pub eh_proof: [u8; 64],
    pub context_secret: [u8; 32],
}

fn rng<T>(r: Result<T, vtrust_crypto::Error>) -> Result<T, StateError> {
    r.map_err(|_| StateError::Rng)
}

fn malformed(e: DecodeError) -> StateError {
    StateError::Malformed(e)
}

impl Permanent {
    pub(crate) fn generate(p: &CryptoProvider) -> Result<Self, StateError> {
        Ok(Self {
            platform_seed: rng(p.random_array())?,
            owner_seed: rng(p.random_array())?,
            endorsement_seed: rng(p.random_array())?,
            ph_proof: rng(p.random_array())?,
            sh_proof: rng(p.random_array())?,
            eh_proof: rng(p.random_array())?,
            context_secret: rng(p.random_array())?,
        })
    }

    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(8 + 2 + 6 * 64 + 32);
        out.extend_from_slice(PERMANENT_MAGIC);
        out.extend_from_slice(&VERSION.to_be_bytes());
        for s in [
            &self.platform_seed,
            &self.owner_seed,
            &self.endorsement_seed,
            &self.ph_proof,
            &self.sh_proof,
            &self.eh_proof,
        ] {
            out.extend_from_slice(s);
        }
        out.extend_from_slice(&self.context_secret);
        out
    }

    pub(crate) fn decode(bytes: &[u8]) -> Result<Self, StateError> {
        let mut r = Reader::new(bytes);
        let magic: [u8; 8] = r.array("magic").map_err(malformed)?;
        if &magic != PERMANENT_MAGIC {
            return Err(StateError::BadMagic);
        }
        let version = r.u16_be("version").map_err(malformed)?;
        if version != VERSION {
            return Err(StateError::UnsupportedVersion(version));
        }
        let p = Self {
            platform_seed: r.array("platformSeed").map_err(malformed)?,
            owner_seed: r.array("ownerSeed").map_err(malformed)?,
            endorsement_seed: r.array("endorsementSeed").map_err(malformed)?,
            ph_proof: r.array("phProof").map_err(malformed)?,
            sh_proof: r.array("shProof").map_err(malformed)?,
            eh_proof: r.array("ehProof").map_err(malformed)?,
            context_secret: r.array("contextSecret").map_err(malformed)?,
        };
        r.expect_end("permanent").map_err(malformed)?;
        Ok(p)
    }
}

fn write_pcrs(w: &mut Writer, pcrs: &[Vec<Vec<u8>>]) -> Result<(), vtrust_wire::EncodeError> {
    for bank in pcrs {
        for v in bank {
            w.bytes("pcr", v)?;
        }
    }
    Ok(())
}

fn read_pcrs(r: &mut Reader<'_>) -> Result<Vec<Vec<Vec<u8>>>, DecodeError> {
    let mut out = Vec::with_capacity(PCR_BANKS.len());
    for h in PCR_BANKS {
        let mut bank = Vec::with_capacity(PCR_COUNT);
        for _ in 0..PCR_COUNT {
            bank.push(r.bytes("pcr", h.output_len())?.to_vec());
        }
        out.push(bank);
    }
    Ok(out)
}

impl Tpm {
    /// The permanent state (primary seeds, proofs, context secret), versioned, for the state
    /// file. It changes only when the TPM is created.
    pub fn permanent_state(&self) -> Vec<u8> {
        self.perm.encode()
    }

    /// The volatile state (phase, PCRs, loaded objects, HMAC sessions, state saved by
    /// TPM2_Shutdown(STATE)), versioned, for VM snapshots. Hash sequences in progress are
    /// not saved (their hash state is not exportable): they are gone after a load.
    pub fn volatile_state(&self) -> Vec<u8> {
        self.encode_volatile().unwrap_or_default()
    }

    fn encode_volatile(&self) -> Result<Vec<u8>, vtrust_wire::EncodeError> {
        let v = &self.vol;
        let mut w = Writer::new();
        w.bytes("magic", VOLATILE_MAGIC)?;
        w.u16_be("version", VERSION)?;
        w.u8("phase", u8::from(self.phase == Phase::Operational))?;
        w.u32_be("pcrUpdateCounter", v.pcr_update_counter)?;
        write_pcrs(&mut w, &v.pcrs)?;
        w.bytes("nullSeed", &v.null_seed)?;
        w.bytes("nullProof", &v.null_proof)?;
        w.u64_be("contextCounter", v.context_counter)?;
        match &self.saved {
            None => w.u8("saved", 0)?,
            Some(s) => {
                w.u8("saved", 1)?;
                w.u32_be("savedCounter", s.pcr_update_counter)?;
                write_pcrs(&mut w, &s.pcrs)?;
            }
        }
        let objects: Vec<_> = v
            .entities
            .iter()
            .filter_map(|(h, e)| match e {
                Entity::Object(o) => Some((*h, o)),
                Entity::Sequence(_) => None,
            })
            .collect();
        w.u16_len_be("objectCount", objects.len())?;
        for (h, o) in objects {
            w.u32_be("handle", h)?;
            o.serialize(&mut w)?;
        }
        w.u16_len_be("sessionCount", v.sessions.len())?;
        for (h, s) in &v.sessions {
            w.u32_be("handle", *h)?;
            w.u16_be("authHash", alg_of_hash(s.auth_hash))?;
            write_2b(&mut w, "nonceTPM", &s.nonce_tpm)?;
            write_2b(&mut w, "sessionKey", &s.session_key)?;
            match &s.bind_name {
                None => w.u8("bound", 0)?,
                Some(n) => {
                    w.u8("bound", 1)?;
                    write_2b(&mut w, "bindName", n)?;
                }
            }
        }
        Ok(w.into_vec())
    }

    /// Replaces the volatile state with `bytes` from [`Self::volatile_state`] (of a TPM with
    /// the same permanent state: keys are rebuilt from their secrets).
    ///
    /// # Errors
    /// [`StateError`] for a blob that does not parse; the TPM is then unchanged.
    pub fn load_volatile(&mut self, bytes: &[u8]) -> Result<(), StateError> {
        let mut r = Reader::new(bytes);
        let magic: [u8; 8] = r.array("magic").map_err(malformed)?;
        if &magic != VOLATILE_MAGIC {
            return Err(StateError::BadMagic);
        }
        let version = r.u16_be("version").map_err(malformed)?;
        if version != VERSION {
            return Err(StateError::UnsupportedVersion(version));
        }
        let phase = match r.u8("phase").map_err(malformed)? {
            0 => Phase::AwaitingStartup,
            1 => Phase::Operational,
            _ => return Err(malformed(DecodeError::invalid_value("phase"))),
        };
        let pcr_update_counter = r.u32_be("pcrUpdateCounter").map_err(malformed)?;
        let pcrs = read_pcrs(&mut r).map_err(malformed)?;
        let null_seed: [u8; 64] = r.array("nullSeed").map_err(malformed)?;
        let null_proof: [u8; 64] = r.array("nullProof").map_err(malformed)?;
        let context_counter = r.u64_be("contextCounter").map_err(malformed)?;
        let saved = match r.u8("saved").map_err(malformed)? {
            0 => None,
            1 => {
                let c = r.u32_be("savedCounter").map_err(malformed)?;
                Some(SavedState {
                    pcr_update_counter: c,
                    pcrs: read_pcrs(&mut r).map_err(malformed)?,
                })
            }
            _ => return Err(malformed(DecodeError::invalid_value("saved"))),
        };
        let n = r.u16_be("objectCount").map_err(malformed)?;
        if usize::from(n) > crate::tpm::MAX_OBJECTS {
            return Err(malformed(DecodeError::invalid_value("objectCount")));
        }
        let mut entities = BTreeMap::new();
        for _ in 0..n {
            let h = r.u32_be("handle").map_err(malformed)?;
            if h >> 24 != 0x80 {
                return Err(malformed(DecodeError::invalid_value("handle")));
            }
            let o =
                Object::deserialize(&self.provider, &mut r).map_err(|_| StateError::BadObject)?;
            entities.insert(h, Entity::Object(Box::new(o)));
        }
        let n = r.u16_be("sessionCount").map_err(malformed)?;
        if usize::from(n) > crate::tpm::MAX_LOADED_SESSIONS {
            return Err(malformed(DecodeError::invalid_value("sessionCount")));
        }
        let mut sessions = BTreeMap::new();
        for _ in 0..n {
            let h = r.u32_be("handle").map_err(malformed)?;
            if h >> 24 != 0x02 {
                return Err(malformed(DecodeError::invalid_value("handle")));
            }
            let auth_hash = read_hash(&mut r, "authHash").map_err(malformed)?;
            let nonce_tpm = read_2b(&mut r, "nonceTPM", 64).map_err(malformed)?.to_vec();
            let session_key = read_2b(&mut r, "sessionKey", 64)
                .map_err(malformed)?
                .to_vec();
            let bind_name = match r.u8("bound").map_err(malformed)? {
                0 => None,
                1 => Some(read_2b(&mut r, "bindName", 66).map_err(malformed)?.to_vec()),
                _ => return Err(malformed(DecodeError::invalid_value("bound"))),
            };
            sessions.insert(
                h,
                Session {
                    auth_hash,
                    nonce_tpm,
                    session_key,
                    bind_name,
                },
            );
        }
        r.expect_end("volatile").map_err(malformed)?;
        self.phase = phase;
        self.saved = saved;
        self.vol.pcrs = pcrs;
        self.vol.pcr_update_counter = pcr_update_counter;
        self.vol.null_seed = null_seed;
        self.vol.null_proof = null_proof;
        self.vol.context_counter = context_counter;
        self.vol.entities = entities;
        self.vol.sessions = sessions;
        Ok(())
    }
}
