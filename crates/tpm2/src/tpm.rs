//! The processor: [`Tpm`] owns the TPM's state and runs one command at a time
//! (TPM 2.0 Part 3 §5 "command processing": header, handle area, authorization area,
//! parameters; then the response with its authorization area).

use std::collections::BTreeMap;

use vtrust_crypto::CryptoProvider;
use vtrust_crypto::hash::{HashAlg, Hasher};
use vtrust_wire::{DecodeError, Reader, Writer};

use crate::StateError;
use crate::codec::frame::{
    AuthCommand, AuthResponse, Header, MAX_SESSIONS, encode_response, error_response,
};
use crate::codec::public::attr;
use crate::constants::{TPM_ST_NO_SESSIONS, TPM_ST_SESSIONS, cc, handle};
use crate::keys::Object;
use crate::rc::*;
use crate::state::Permanent;

/// Number of PCRs per bank (PC Client profile).
pub(crate) const PCR_COUNT: usize = 24;
/// PCR banks, all allocated (as swtpm 0.7.1 allocates them).
pub(crate) const PCR_BANKS: [HashAlg; 4] = [
    HashAlg::Sha1,
    HashAlg::Sha256,
    HashAlg::Sha384,
    HashAlg::Sha512,
];
/// Transient object slots (libtpms has 3; tpm2-tools leaves one loaded per invocation, so
/// we allow more).
pub(crate) const MAX_OBJECTS: usize = 16;
/// Loaded session slots.
pub(crate) const MAX_LOADED_SESSIONS: usize = 16;

/// TPMA_SESSION bits (Part 2 §8.4).
pub(crate) const SESSION_CONTINUE: u8 = 0x01;
const SESSION_DECRYPT: u8 = 0x20;
const SESSION_ENCRYPT: u8 = 0x40;
const SESSION_AUDIT: u8 = 0x80;

/// A hash sequence object (Part 3 §17.3).
pub(crate) struct Sequence {
    pub hasher: Hasher,
    pub auth: Vec<u8>,
    /// Whether the first bytes hashed began with TPM_GENERATED_VALUE (no ticket then).
    pub first_block: Option<bool>,
}

/// Something a transient handle refers to.
pub(crate) enum Entity {
    Object(Box<Object>),
    Sequence(Box<Sequence>),
}

/// An HMAC session (Part 1 §19.6).
#[derive(Clone)]
pub(crate) struct Session {
    pub auth_hash: HashAlg,
    pub nonce_tpm: Vec<u8>,
    pub session_key: Vec<u8>,
    /// Name of the bind entity, if the session is bound.
    pub bind_name: Option<Vec<u8>>,
}

/// PCR values and counters kept by TPM2_Shutdown(TPM_SU_STATE) for TPM Resume.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct SavedState {
    pub pcrs: Vec<Vec<Vec<u8>>>,
    pub pcr_update_counter: u32,
}

/// Whether TPM2_Startup has run (Part 1 §12 "TPM operational states").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    /// After _TPM_Init: only TPM2_Startup is accepted.
    AwaitingStartup,
    /// Startup done: every command runs.
    Operational,
}

/// The volatile state (lost at power cycle except `saved`).
pub(crate) struct Volatile {
    pub pcrs: Vec<Vec<Vec<u8>>>,
    pub pcr_update_counter: u32,
    pub entities: BTreeMap<u32, Entity>,
    pub sessions: BTreeMap<u32, Session>,
    pub null_seed: [u8; 64],
    pub null_proof: [u8; 64],
    pub context_counter: u64,
}

impl Volatile {
    pub(crate) fn fresh(provider: &CryptoProvider) -> Result<Self, StateError> {
        Ok(Self {
            pcrs: fresh_pcrs(),
            pcr_update_counter: 0,
            entities: BTreeMap::new(),
            sessions: BTreeMap::new(),
            null_seed: provider.random_array().map_err(|_| StateError::Rng)?,
            null_proof: provider.random_array().map_err(|_| StateError::Rng)?,
            context_counter: 0,
        })
    }
}

pub(crate) fn fresh_pcrs() -> Vec<Vec<Vec<u8>>> {
    PCR_BANKS
        .iter()
        .map(|h| vec![vec![0u8; h.output_len()]; PCR_COUNT])
        .collect()
}

/// What a command handler returns: response handles and the parameter area.
#[derive(Default)]
pub(crate) struct Out {
    pub handles: Vec<u32>,
    pub params: Vec<u8>,
}

impl Out {
    pub(crate) fn params(w: Writer) -> Self {
        Self {
            handles: Vec::new(),
            params: w.into_vec(),
        }
    }
}

/// The static description of a command: handles in, how many of them need authorization.
#[derive(Clone, Copy)]
pub(crate) struct CommandSpec {
    pub handles: usize,
    pub auth_handles: usize,
}

pub(crate) fn command_spec(code: u32) -> Option<CommandSpec> {
    let (handles, auth_handles) = match code {
        cc::STARTUP
        | cc::SHUTDOWN
        | cc::SELF_TEST
        | cc::GET_RANDOM
        | cc::STIR_RANDOM
        | cc::GET_CAPABILITY
        | cc::PCR_READ
        | cc::HASH
        | cc::HASH_SEQUENCE_START
        | cc::FLUSH_CONTEXT
        | cc::CONTEXT_LOAD
        | cc::TEST_PARMS => (0, 0),
        cc::PCR_EXTEND
        | cc::PCR_EVENT
        | cc::SEQUENCE_UPDATE
        | cc::SEQUENCE_COMPLETE
        | cc::CREATE_PRIMARY
        | cc::SIGN
        | cc::SIGN_DIGEST
        | cc::DECAPSULATE => (1, 1),
        cc::READ_PUBLIC
        | cc::VERIFY_SIGNATURE
        | cc::VERIFY_DIGEST_SIGNATURE
        | cc::ENCAPSULATE
        | cc::CONTEXT_SAVE => (1, 0),
        cc::START_AUTH_SESSION => (2, 0),
        _ => return None,
    };
    Some(CommandSpec {
        handles,
        auth_handles,
    })
}

/// Every command this TPM implements, in command-code order (for TPM_CAP_COMMANDS).
pub(crate) const COMMANDS: [u32; 26] = [
    cc::CREATE_PRIMARY,
    cc::PCR_EVENT,
    cc::SEQUENCE_COMPLETE,
    cc::SELF_TEST,
    cc::STARTUP,
    cc::SHUTDOWN,
    cc::STIR_RANDOM,
    cc::SEQUENCE_UPDATE,
    cc::SIGN,
    cc::CONTEXT_LOAD,
    cc::CONTEXT_SAVE,
    cc::FLUSH_CONTEXT,
    cc::READ_PUBLIC,
    cc::START_AUTH_SESSION,
    cc::VERIFY_SIGNATURE,
    cc::GET_CAPABILITY,
    cc::GET_RANDOM,
    cc::HASH,
    cc::PCR_READ,
    cc::PCR_EXTEND,
    cc::HASH_SEQUENCE_START,
    cc::TEST_PARMS,
    cc::VERIFY_DIGEST_SIGNATURE,
    cc::SIGN_DIGEST,
    cc::ENCAPSULATE,
    cc::DECAPSULATE,
];

/// A command being executed: what handlers see.
pub(crate) struct Cmd {
    pub code: u32,
    pub locality: u8,
    pub handles: Vec<u32>,
}

/// Maps the decode result of parameter `n` to its response code.
pub(crate) fn p<T>(n: u32, r: Result<T, DecodeError>) -> Result<T, Rc> {
    r.map_err(|e| decode_rc(e, n))
}

/// The parameter area must be consumed exactly (TPM_RC_SIZE otherwise).
pub(crate) fn end(r: &Reader<'_>) -> Result<(), Rc> {
    if r.is_empty() {
        Ok(())
    } else {
        Err(Rc(TPM_RC_SIZE))
    }
}

/// An authorization to check and answer.
struct SessionUse {
    handle: u32,
    nonce_caller: Vec<u8>,
    attributes: u8,
    /// HMAC key (sessionKey || authValue) for HMAC sessions; `None` for TPM_RS_PW.
    hmac_key: Option<Vec<u8>>,
}

/// Removes trailing zero octets (Part 1 §19.6.5: authValue comparisons ignore them).
fn strip(b: &[u8]) -> &[u8] {
    let n = b
        .iter()
        .rposition(|&x| x != 0)
        .map_or(0, |i| i.saturating_add(1));
    b.get(..n).unwrap_or(b)
}

/// Constant-time equality.
fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// An embedded TPM 2.0 (TPM Library 1.85 subset with ML-DSA and ML-KEM).
///
/// No I/O and no global state: commands in, responses out; cryptography through the
/// [`CryptoProvider`] it was given. See the crate docs for the commands it implements.
pub struct Tpm {
    pub(crate) provider: CryptoProvider,
    pub(crate) perm: Permanent,
    pub(crate) phase: Phase,
    pub(crate) vol: Volatile,
    pub(crate) saved: Option<SavedState>,
    pub(crate) self_tested: bool,
}

impl std::fmt::Debug for Tpm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tpm")
            .field("phase", &self.phase)
            .field("objects", &self.vol.entities.len())
            .field("sessions", &self.vol.sessions.len())
            .finish_non_exhaustive()
    }
}

impl Tpm {
    /// Largest command and response, reported as TPM_PT_MAX_COMMAND_SIZE and
    /// TPM_PT_MAX_RESPONSE_SIZE: an ML-DSA-87 signature response (about 4.7 KiB) fits.
    pub const MAX_COMMAND_SIZE: usize = 8192;

    /// A TPM with the permanent state `permanent` (as [`Self::permanent_state`] wrote it),
    /// or fresh primary seeds from the provider's RNG if `None`. The TPM starts as after
    /// _TPM_Init: TPM2_Startup is required.
    ///
    /// # Errors
    /// [`StateError`] if `permanent` does not parse or the RNG fails.
    pub fn new(provider: CryptoProvider, permanent: Option<&[u8]>) -> Result<Self, StateError> {
        let perm = match permanent {
            Some(bytes) => Permanent::decode(bytes)?,
            None => Permanent::generate(&provider)?,
        };
        let vol = Volatile::fresh(&provider)?;
        Ok(Self {
            provider,
            perm,
            phase: Phase::AwaitingStartup,
            vol,
            saved: None,
            self_tested: false,
        })
    }

    /// _TPM_Init (Part 1 §12.2): the volatile state is gone and TPM2_Startup is required
    /// again. The state saved by TPM2_Shutdown(TPM_SU_STATE) survives (for TPM Resume).
    pub fn power_cycle(&mut self) {
        self.phase = Phase::AwaitingStartup;
        self.vol.entities.clear();
        self.vol.sessions.clear();
    }

    /// Whether TPM2_Startup has run since the last power cycle.
    pub fn is_started(&self) -> bool {
        self.phase == Phase::Operational
    }

    /// Runs one command from `locality` and returns its response. Never panics: a
    /// malformed or refused command gets a TPM error response (10 bytes).
    pub fn execute(&mut self, locality: u8, command: &[u8]) -> Vec<u8> {
        match self.run(locality, command) {
            Ok(resp) if resp.len() <= Self::MAX_COMMAND_SIZE => resp,
            Ok(_) => error_response(TPM_RC_SIZE),
            Err(Rc(rc)) => error_response(rc),
        }
    }

    fn run(&mut self, locality: u8, command: &[u8]) -> Result<Vec<u8>, Rc> {
        if command.len() < 10 || command.len() > Self::MAX_COMMAND_SIZE {
            return Err(Rc(TPM_RC_COMMAND_SIZE));
        }
        let mut r = Reader::new(command);
        let header = Header::decode(&mut r).map_err(|_| Rc(TPM_RC_COMMAND_SIZE))?;
        if header.tag != TPM_ST_NO_SESSIONS && header.tag != TPM_ST_SESSIONS {
            return Err(Rc(TPM_RC_BAD_TAG));
        }
        if usize::try_from(header.size).ok() != Some(command.len()) {
            return Err(Rc(TPM_RC_COMMAND_SIZE));
        }
        if self.phase == Phase::AwaitingStartup && header.code != cc::STARTUP {
            return Err(Rc(TPM_RC_INITIALIZE));
        }
        let spec = command_spec(header.code).ok_or(Rc(TPM_RC_COMMAND_CODE))?;
        let mut handles = Vec::with_capacity(spec.handles);
        for _ in 0..spec.handles {
            handles.push(r.u32_be("handle").map_err(|_| Rc(TPM_RC_INSUFFICIENT))?);
        }
        for (i, h) in handles.iter().enumerate() {
            self.check_loaded(*h, i)?;
        }
        let mut auths = Vec::new();
        if header.tag == TPM_ST_SESSIONS {
            let size = r
                .u32_be("authorizationSize")
                .map_err(|_| Rc(TPM_RC_AUTHSIZE))?;
            let size = usize::try_from(size).map_err(|_| Rc(TPM_RC_AUTHSIZE))?;
            // Smaller than one TPMS_AUTH_COMMAND (9 bytes): TPM_RC_SIZE, as libtpms answers.
            if size < 9 {
                return Err(Rc(TPM_RC_SIZE));
            }
            let mut area = r
                .sub("authorization", size)
                .map_err(|_| Rc(TPM_RC_AUTHSIZE))?;
            while !area.is_empty() {
                if auths.len() >= MAX_SESSIONS {
                    return Err(Rc(TPM_RC_AUTHSIZE));
                }
                auths.push(AuthCommand::decode(&mut area).map_err(|_| Rc(TPM_RC_AUTHSIZE))?);
            }
            if auths.is_empty() {
                return Err(Rc(TPM_RC_AUTHSIZE));
            }
        }
        if auths.len() < spec.auth_handles {
            return Err(Rc(TPM_RC_AUTH_MISSING));
        }
        if auths.len() > spec.auth_handles {
            // Audit and parameter-encryption sessions are not implemented.
            return Err(Rc(TPM_RC_AUTH_CONTEXT));
        }
        let params = r.rest();
        let mut uses = Vec::with_capacity(auths.len());
        for (i, a) in auths.iter().enumerate() {
            let h = handles.get(i).copied().ok_or(Rc(TPM_RC_AUTH_CONTEXT))?;
            uses.push(self.authorize(i, a, h, header.code, &handles, params)?);
        }
        let cmd = Cmd {
            code: header.code,
            locality,
            handles,
        };
        let out = self.dispatch(&cmd, &mut Reader::new(params))?;
        let resp_auths = if header.tag == TPM_ST_SESSIONS {
            Some(self.respond_sessions(&uses, header.code, &out.params)?)
        } else {
            None
        };
        encode_response(&out.handles, &out.params, resp_auths.as_deref())
            .map_err(|_| Rc(TPM_RC_SIZE))
    }

    /// A transient handle must be loaded: TPM_RC_VALUE on that handle otherwise (what
    /// libtpms 0.9.2 answers; Part 3 §5.4 also allows TPM_RC_REFERENCE_H0 + n).
    fn check_loaded(&self, h: u32, index: usize) -> Result<(), Rc> {
        let ty = h >> 24;
        let idx = u32::try_from(index).unwrap_or(0);
        if ty == 0x80 && !self.vol.entities.contains_key(&h) {
            return Err(Rc::handle(TPM_RC_VALUE, idx.saturating_add(1)));
        }
        if (ty == 0x02 || ty == 0x03) && !self.vol.sessions.contains_key(&h) {
            return Err(Rc(TPM_RC_REFERENCE_H0.saturating_add(idx)));
        }
        Ok(())
    }

    /// The Name of the entity behind `h` (Part 1 §16): the handle for permanent entities,
    /// PCRs, sessions and sequences; nameAlg || H(public) for objects.
    pub(crate) fn name_of_handle(&self, h: u32) -> Vec<u8> {
        match self.vol.entities.get(&h) {
            Some(Entity::Object(o)) => o.name.clone(),
            _ => h.to_be_bytes().to_vec(),
        }
    }

    /// The authValue of `h` for the USER role and whether the entity is noDA.
    fn entity_auth(&self, h: u32, n: u32) -> Result<(Vec<u8>, bool), Rc> {
        let ty = h >> 24;
        match ty {
            0x00 if usize::try_from(h).is_ok_and(|i| i < PCR_COUNT) => Ok((Vec::new(), true)),
            0x40 => match h {
                handle::OWNER
                | handle::ENDORSEMENT
                | handle::PLATFORM
                | handle::NULL
                | handle::LOCKOUT => Ok((Vec::new(), false)),
                _ => Err(Rc::handle(TPM_RC_VALUE, n)),
            },
            0x80 => match self.vol.entities.get(&h) {
                Some(Entity::Object(o)) => {
                    if o.public.attributes & attr::USER_WITH_AUTH == 0 {
                        return Err(Rc(TPM_RC_AUTH_UNAVAILABLE));
                    }
                    Ok((o.auth.clone(), o.public.attributes & attr::NO_DA != 0))
                }
                Some(Entity::Sequence(s)) => Ok((s.auth.clone(), true)),
                None => Err(Rc::handle(TPM_RC_VALUE, n)),
            },
            _ => Err(Rc::handle(TPM_RC_VALUE, n)),
        }
    }

    fn authorize(
        &self,
        i: usize,
        a: &AuthCommand<'_>,
        h: u32,
        code: u32,
        handles: &[u32],
        params: &[u8],
    ) -> Result<SessionUse, Rc> {
        let s = u32::try_from(i).unwrap_or(0).saturating_add(1);
        let hn = s;
        let (auth, no_da) = self.entity_auth(h, hn)?;
        let fail = if no_da {
            Rc::session(TPM_RC_BAD_AUTH, s)
        } else {
            Rc::session(TPM_RC_AUTH_FAIL, s)
        };
        if a.attributes & (SESSION_DECRYPT | SESSION_ENCRYPT | SESSION_AUDIT) != 0 {
            return Err(Rc::session(TPM_RC_ATTRIBUTES, s));
        }
        if a.session_handle == handle::PW {
            if !a.nonce.is_empty() {
                return Err(Rc::session(TPM_RC_SIZE, s));
            }
            if !ct_eq(strip(a.hmac), strip(&auth)) {
                return Err(fail);
            }
            return Ok(SessionUse {
                handle: handle::PW,
                nonce_caller: Vec::new(),
                attributes: a.attributes,
                hmac_key: None,
            });
        }
        let sess = match a.session_handle >> 24 {
            0x02 => self
                .vol
                .sessions
                .get(&a.session_handle)
                .ok_or(Rc(TPM_RC_REFERENCE_S0.saturating_add(s.saturating_sub(1))))?,
            0x03 => return Err(Rc(TPM_RC_AUTH_TYPE)),
            _ => return Err(Rc::session(TPM_RC_HANDLE, s)),
        };
        let ah = sess.auth_hash;
        let mut cp = self.provider.hasher(ah);
        cp.update(&code.to_be_bytes());
        for hh in handles {
            cp.update(&self.name_of_handle(*hh));
        }
        cp.update(params);
        let cp_hash = cp.finish();
        let mut key = sess.session_key.clone();
        let entity_name = self.name_of_handle(h);
        if sess.bind_name.as_deref() != Some(entity_name.as_slice()) {
            key.extend_from_slice(strip(&auth));
        }
        let hk = self
            .provider
            .hmac_key(ah, &key)
            .map_err(|_| Rc(TPM_RC_NO_RESULT))?;
        let mut ctx = hk.context();
        ctx.update(cp_hash.as_bytes());
        ctx.update(a.nonce);
        ctx.update(&sess.nonce_tpm);
        ctx.update(&[a.attributes]);
        if ctx.verify(a.hmac).is_err() {
            return Err(fail);
        }
        Ok(SessionUse {
            handle: a.session_handle,
            nonce_caller: a.nonce.to_vec(),
            attributes: a.attributes,
            hmac_key: Some(key),
        })
    }

    fn respond_sessions(
        &mut self,
        uses: &[SessionUse],
        code: u32,
        params: &[u8],
    ) -> Result<Vec<AuthResponse>, Rc> {
        let mut out = Vec::with_capacity(uses.len());
        for u in uses {
            let Some(key) = &u.hmac_key else {
                out.push(AuthResponse {
                    nonce: Vec::new(),
                    attributes: u.attributes,
                    hmac: Vec::new(),
                });
                continue;
            };
            let provider = self.provider.clone();
            let Some(sess) = self.vol.sessions.get_mut(&u.handle) else {
                return Err(Rc(TPM_RC_NO_RESULT));
            };
            let ah = sess.auth_hash;
            let mut nonce = vec![0u8; ah.output_len()];
            provider
                .fill_random(&mut nonce)
                .map_err(|_| Rc(TPM_RC_NO_RESULT))?;
            sess.nonce_tpm.clone_from(&nonce);
            let mut rp = provider.hasher(ah);
            rp.update(&0u32.to_be_bytes());
            rp.update(&code.to_be_bytes());
            rp.update(params);
            let rp_hash = rp.finish();
            let hk = provider
                .hmac_key(ah, key)
                .map_err(|_| Rc(TPM_RC_NO_RESULT))?;
            let mut ctx = hk.context();
            ctx.update(rp_hash.as_bytes());
            ctx.update(&nonce);
            ctx.update(&u.nonce_caller);
            ctx.update(&[u.attributes]);
            let hmac = ctx.sign().as_bytes().to_vec();
            if u.attributes & SESSION_CONTINUE == 0 {
                self.vol.sessions.remove(&u.handle);
            }
            out.push(AuthResponse {
                nonce,
                attributes: u.attributes,
                hmac,
            });
        }
        Ok(out)
    }

    fn dispatch(&mut self, cmd: &Cmd, r: &mut Reader<'_>) -> Result<Out, Rc> {
        match cmd.code {
            cc::STARTUP => self.startup(r),
            cc::SHUTDOWN => self.shutdown(r),
            cc::SELF_TEST => self.self_test(r),
            cc::GET_RANDOM => self.get_random(r),
            cc::STIR_RANDOM => self.stir_random(r),
            cc::GET_CAPABILITY => self.get_capability(r),
            cc::TEST_PARMS => self.test_parms(r),
            cc::PCR_READ => self.pcr_read(r),
            cc::PCR_EXTEND => self.pcr_extend(cmd, r),
            cc::PCR_EVENT => self.pcr_event(cmd, r),
            cc::HASH => self.hash(r),
            cc::HASH_SEQUENCE_START => self.hash_sequence_start(r),
            cc::SEQUENCE_UPDATE => self.sequence_update(cmd, r),
            cc::SEQUENCE_COMPLETE => self.sequence_complete(cmd, r),
            cc::CREATE_PRIMARY => self.create_primary(cmd, r),
            cc::READ_PUBLIC => self.read_public(cmd, r),
            cc::SIGN => self.sign(cmd, r),
            cc::VERIFY_SIGNATURE => self.verify_signature(cmd, r),
            cc::SIGN_DIGEST => self.sign_digest(cmd, r),
            cc::VERIFY_DIGEST_SIGNATURE => self.verify_digest_signature(cmd, r),
            cc::ENCAPSULATE => self.encapsulate(cmd, r),
            cc::DECAPSULATE => self.decapsulate(cmd, r),
            cc::CONTEXT_SAVE => self.context_save(cmd, r),
            cc::CONTEXT_LOAD => self.context_load(r),
            cc::FLUSH_CONTEXT => self.flush_context(r),
            cc::START_AUTH_SESSION => self.start_auth_session(cmd, r),
            _ => Err(Rc(TPM_RC_COMMAND_CODE)),
        }
    }

    /// The first transient handle not in use.
    pub(crate) fn free_object_handle(&self) -> Result<u32, Rc> {
        if self.vol.entities.len() >= MAX_OBJECTS {
            return Err(Rc(TPM_RC_OBJECT_MEMORY));
        }
        (0..u32::try_from(MAX_OBJECTS).unwrap_or(16))
            .map(|i| handle::TRANSIENT_FIRST | i)
            .find(|h| !self.vol.entities.contains_key(h))
            .ok_or(Rc(TPM_RC_OBJECT_MEMORY))
    }

    /// The loaded object behind handle `n` (1-based) of `cmd`.
    pub(crate) fn object(&self, cmd: &Cmd, n: usize) -> Result<&Object, Rc> {
        let h = cmd
            .handles
            .get(n.saturating_sub(1))
            .copied()
            .ok_or(Rc(TPM_RC_NO_RESULT))?;
        let hn = u32::try_from(n).unwrap_or(1);
        match self.vol.entities.get(&h) {
            Some(Entity::Object(o)) => Ok(o),
            _ => Err(Rc::handle(TPM_RC_VALUE, hn)),
        }
    }

    /// The proof value of `hierarchy` (Part 1 §14.4), keying tickets and contexts.
    pub(crate) fn proof(&self, hierarchy: u32) -> Option<&[u8; 64]> {
        match hierarchy {
            handle::OWNER => Some(&self.perm.sh_proof),
            handle::ENDORSEMENT => Some(&self.perm.eh_proof),
            handle::PLATFORM => Some(&self.perm.ph_proof),
            handle::NULL => Some(&self.vol.null_proof),
            _ => None,
        }
    }

    /// A ticket HMAC: HMAC-SHA-512(proof, data...) (libtpms also uses SHA-512 here: 64-byte
    /// ticket digests).
    pub(crate) fn ticket_hmac(&self, hierarchy: u32, data: &[&[u8]]) -> Result<Vec<u8>, Rc> {
        let proof = self.proof(hierarchy).ok_or(Rc(TPM_RC_HIERARCHY))?;
        let k = self
            .provider
            .hmac_key(HashAlg::Sha512, proof)
            .map_err(|_| Rc(TPM_RC_NO_RESULT))?;
        let mut c = k.context();
        for d in data {
            c.update(d);
        }
        Ok(c.sign().as_bytes().to_vec())
    }
}

/// Maps an encode failure (only possible for absurd sizes) to TPM_RC_NO_RESULT.
pub(crate) fn enc<T>(r: Result<T, vtrust_wire::EncodeError>) -> Result<T, Rc> {
    r.map_err(|_| Rc(TPM_RC_NO_RESULT))
}
