//! Test helpers: command builders and response accessors (independent of the crate's own
//! codec, so tests check the wire bytes, not our encoder against itself).
#![allow(dead_code)]

use std::sync::Arc;

use vtrust_crypto::CryptoProvider;
use vtrust_crypto::rng::TestRng;
use vtrust_tpm2::Tpm;

pub const ST_NO_SESSIONS: u16 = 0x8001;
pub const ST_SESSIONS: u16 = 0x8002;
pub const RS_PW: u32 = 0x4000_0009;
pub const RH_OWNER: u32 = 0x4000_0001;
pub const RH_NULL: u32 = 0x4000_0007;

pub fn provider() -> CryptoProvider {
    provider_seeded(7)
}

/// A deterministic provider: another seed is another TPM (other primary seeds).
pub fn provider_seeded(seed: u8) -> CryptoProvider {
    CryptoProvider::with_rng(Arc::new(TestRng::new([seed; 32])))
}

/// A started TPM with primary seeds from `seed`.
pub fn started_seeded(seed: u8) -> Tpm {
    let mut tpm = Tpm::new(provider_seeded(seed), None).unwrap();
    assert_eq!(
        rc(&tpm.execute(0, &hex::decode("80010000000c000001440000").unwrap())),
        0
    );
    tpm
}

/// A TPM after TPM2_Startup(CLEAR).
pub fn started() -> Tpm {
    let mut tpm = Tpm::new(provider(), None).unwrap();
    let r = tpm.execute(0, &hex::decode("80010000000c000001440000").unwrap());
    assert_eq!(rc(&r), 0);
    tpm
}

pub fn tpm2b(b: &[u8]) -> Vec<u8> {
    let mut v = (b.len() as u16).to_be_bytes().to_vec();
    v.extend_from_slice(b);
    v
}

/// One TPMS_AUTH_COMMAND for TPM_RS_PW with `password`, continueSession set.
pub fn pw(password: &[u8]) -> Vec<u8> {
    let mut v = RS_PW.to_be_bytes().to_vec();
    v.extend_from_slice(&[0, 0, 1]);
    v.extend_from_slice(&tpm2b(password));
    v
}

/// A command frame: TPM_ST_SESSIONS with `auth` (the concatenated sessions) when given.
pub fn cmd(cc: u32, handles: &[u32], auth: Option<&[u8]>, params: &[u8]) -> Vec<u8> {
    let mut v = Vec::new();
    let tag = if auth.is_some() {
        ST_SESSIONS
    } else {
        ST_NO_SESSIONS
    };
    v.extend_from_slice(&tag.to_be_bytes());
    v.extend_from_slice(&[0; 4]);
    v.extend_from_slice(&cc.to_be_bytes());
    for h in handles {
        v.extend_from_slice(&h.to_be_bytes());
    }
    if let Some(a) = auth {
        v.extend_from_slice(&(a.len() as u32).to_be_bytes());
        v.extend_from_slice(a);
    }
    v.extend_from_slice(params);
    let len = v.len() as u32;
    v[2..6].copy_from_slice(&len.to_be_bytes());
    v
}

pub fn rc(r: &[u8]) -> u32 {
    assert!(r.len() >= 10, "short response {r:02x?}");
    assert_eq!(
        u32::from_be_bytes(r[2..6].try_into().unwrap()) as usize,
        r.len(),
        "size field"
    );
    u32::from_be_bytes(r[6..10].try_into().unwrap())
}

/// The parameter area of a successful response with `handles` response handles.
pub fn params(r: &[u8], handles: usize) -> &[u8] {
    assert_eq!(rc(r), 0, "response {:02x?}", &r[..r.len().min(16)]);
    let tag = u16::from_be_bytes([r[0], r[1]]);
    let start = 10 + 4 * handles;
    if tag == ST_SESSIONS {
        let n = u32::from_be_bytes(r[start..start + 4].try_into().unwrap()) as usize;
        &r[start + 4..start + 4 + n]
    } else {
        &r[start..]
    }
}

pub fn handle(r: &[u8]) -> u32 {
    assert_eq!(rc(r), 0);
    u32::from_be_bytes(r[10..14].try_into().unwrap())
}

/// A cursor for reading response parameters.
pub struct Cur<'a>(pub &'a [u8]);

impl<'a> Cur<'a> {
    pub fn u8(&mut self) -> u8 {
        let v = self.0[0];
        self.0 = &self.0[1..];
        v
    }
    pub fn u16(&mut self) -> u16 {
        let v = u16::from_be_bytes([self.0[0], self.0[1]]);
        self.0 = &self.0[2..];
        v
    }
    pub fn u32(&mut self) -> u32 {
        let v = u32::from_be_bytes(self.0[..4].try_into().unwrap());
        self.0 = &self.0[4..];
        v
    }
    pub fn bytes(&mut self, n: usize) -> &'a [u8] {
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        a
    }
    pub fn b2(&mut self) -> &'a [u8] {
        let n = self.u16() as usize;
        self.bytes(n)
    }
}

/// TPM2B_PUBLIC template for an ML-DSA signing key (`set` 1..3), fixedTPM|fixedParent|
/// sensitiveDataOrigin|userWithAuth|sign = 0x00040072, nameAlg SHA-256, empty unique.
pub fn mldsa_template(set: u16) -> Vec<u8> {
    let mut t = Vec::new();
    t.extend_from_slice(&0x00A1u16.to_be_bytes());
    t.extend_from_slice(&0x000Bu16.to_be_bytes());
    t.extend_from_slice(&0x0004_0072u32.to_be_bytes());
    t.extend_from_slice(&[0, 0]); // authPolicy
    t.extend_from_slice(&set.to_be_bytes());
    t.push(0); // allowExternalMu NO
    t.extend_from_slice(&[0, 0]); // unique
    tpm2b(&t)
}

/// TPM2B_PUBLIC template for an ML-KEM decryption key: ...|decrypt = 0x00020072.
pub fn mlkem_template(set: u16) -> Vec<u8> {
    let mut t = Vec::new();
    t.extend_from_slice(&0x00A0u16.to_be_bytes());
    t.extend_from_slice(&0x000Bu16.to_be_bytes());
    t.extend_from_slice(&0x0002_0072u32.to_be_bytes());
    t.extend_from_slice(&[0, 0]);
    t.extend_from_slice(&0x0010u16.to_be_bytes()); // symmetric NULL
    t.extend_from_slice(&set.to_be_bytes());
    t.extend_from_slice(&[0, 0]);
    tpm2b(&t)
}

/// The ECC P-256 signing template tpm2-tools sends for
/// `tpm2_createprimary -G ecc -a 'fixedtpm|fixedparent|sensitivedataorigin|userwithauth|sign'`
/// (captured from tpm2-tools 5.4 against swtpm 0.7.1).
pub fn ecc_sign_template() -> Vec<u8> {
    hex::decode("00160023000b000400720000001000100003001000000000").unwrap()
}

/// SignDigest parameters: context, digest, the NULL hash-check ticket
/// (TPM_ST_HASHCHECK, TPM_RH_NULL, empty digest).
pub fn sign_digest_params(context: &[u8], digest: &[u8]) -> Vec<u8> {
    let mut p = tpm2b(context);
    p.extend_from_slice(&tpm2b(digest));
    p.extend_from_slice(&hex::decode("8024400000070000").unwrap());
    p
}

/// CreatePrimary(owner, password "", template) parameters.
pub fn create_primary_params(template: &[u8], user_auth: &[u8]) -> Vec<u8> {
    let mut p = Vec::new();
    let mut sens = tpm2b(user_auth);
    sens.extend_from_slice(&[0, 0]);
    p.extend_from_slice(&tpm2b(&sens));
    p.extend_from_slice(template);
    p.extend_from_slice(&[0, 0]); // outsideInfo
    p.extend_from_slice(&[0, 0, 0, 0]); // creationPCR
    p
}

pub fn create_primary(tpm: &mut Tpm, template: &[u8], user_auth: &[u8]) -> u32 {
    let r = tpm.execute(
        0,
        &cmd(
            0x131,
            &[RH_OWNER],
            Some(&pw(b"")),
            &create_primary_params(template, user_auth),
        ),
    );
    handle(&r)
}
