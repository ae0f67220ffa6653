//! Shared helpers of the swtpm and server tests: making sure swtpm and tpm2-tools are
//! installed, TPM 2.0 commands (from `vtrust_tpm2::client`, and raw frames for malformed ones)
//! and response accessors.

#![allow(dead_code, reason = "each test file uses a different subset")]

use std::path::PathBuf;
use std::process::Command;
use std::sync::Once;

use vtrust_crypto::CryptoProvider;
use vtrust_crypto::hash::HashAlg;
use vtrust_tpm_backend::TpmBackend;
use vtrust_tpm2::client;

fn runs(program: &str, arg: &str) -> bool {
    Command::new(program)
        .arg(arg)
        .output()
        .is_ok_and(|o| o.status.success())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

static INSTALL: Once = Once::new();

/// Makes sure `swtpm` and tpm2-tools are installed: installs them with apt-get when running
/// as root, otherwise panics saying what to install.
pub fn ensure_swtpm() {
    INSTALL.call_once(|| {
        if runs("swtpm", "--version") && runs("tpm2_getrandom", "--version") {
            return;
        }
        assert!(
            is_root(),
            "swtpm and tpm2-tools are not installed and we are not root: \
             run `apt-get install -y swtpm swtpm-tools tpm2-tools`"
        );
        let _ = Command::new("apt-get").arg("update").status();
        let status = Command::new("apt-get")
            .args(["install", "-y", "swtpm", "swtpm-tools", "tpm2-tools"])
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .expect("apt-get runs");
        assert!(
            status.success(),
            "apt-get install swtpm swtpm-tools tpm2-tools failed"
        );
        assert!(
            runs("swtpm", "--version"),
            "swtpm still missing after apt-get"
        );
    });
}

/// A fresh directory under the system temp dir, removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> Self {
        static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("vtrust-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }
    pub fn path(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn sha256(data: &[u8]) -> Vec<u8> {
    CryptoProvider::new()
        .digest(HashAlg::Sha256, data)
        .as_bytes()
        .to_vec()
}

/// `tag | commandSize | commandCode | body` (TPM 2.0 Part 1 §18), for malformed and
/// unknown commands; well-formed ones come from `vtrust_tpm2::client`.
pub fn command(tag: u16, cc: u32, body: &[u8]) -> Vec<u8> {
    let mut c = Vec::new();
    c.extend_from_slice(&tag.to_be_bytes());
    c.extend_from_slice(&u32::try_from(10 + body.len()).unwrap().to_be_bytes());
    c.extend_from_slice(&cc.to_be_bytes());
    c.extend_from_slice(body);
    c
}

/// TPM2_Startup(TPM_SU_CLEAR).
pub fn startup_clear() -> Vec<u8> {
    client::startup_clear().unwrap()
}

/// TPM2_GetRandom(n).
pub fn get_random(n: u16) -> Vec<u8> {
    client::get_random(n).unwrap()
}

/// TPM2_PCR_Extend(pcr, SHA-256 digest) with the empty password.
pub fn pcr_extend_sha256(pcr: u32, digest: &[u8; 32]) -> Vec<u8> {
    client::pcr_extend(pcr, digest).unwrap()
}

/// TPM2_PCR_Read of one SHA-256 PCR (0..24).
pub fn pcr_read_sha256(pcr: u32) -> Vec<u8> {
    client::pcr_read(&[pcr]).unwrap()
}

/// The one digest of a TPM2_PCR_Read response: header 10, pcrUpdateCounter 4,
/// TPML_PCR_SELECTION 10, TPML_DIGEST count 4, TPM2B size 2, then 32 bytes.
pub fn pcr_read_digest(rsp: &[u8]) -> Vec<u8> {
    assert_eq!(rc(rsp), 0, "PCR_Read failed: {rsp:02x?}");
    assert_eq!(&rsp[28..30], &[0, 32]);
    rsp[30..62].to_vec()
}

/// The SHA-256 value of PCR `pcr` of `tpm`.
pub fn read_pcr<T: TpmBackend + ?Sized>(tpm: &T, pcr: u32) -> Vec<u8> {
    pcr_read_digest(&tpm.execute(0, &pcr_read_sha256(pcr)).unwrap())
}

/// Saves `tpm`'s state (both blobs present), power-cycles it (PCR 16 reads zero after
/// Startup(CLEAR)), then loads the state: PCR 16 reads `value` again, with no Startup.
pub fn assert_state_survives_power_cycle<T: TpmBackend + ?Sized>(tpm: &T, value: &[u8]) {
    let state = tpm.save_state().unwrap();
    assert!(!state.permanent.is_empty(), "permanent blob");
    assert!(!state.volatile.is_empty(), "volatile blob");
    tpm.reset().unwrap();
    assert_eq!(rc(&tpm.execute(0, &startup_clear()).unwrap()), 0);
    assert_eq!(read_pcr(tpm, 16), [0u8; 32], "PCR 16 after the power cycle");
    tpm.load_state(&state).unwrap();
    assert_eq!(read_pcr(tpm, 16), value, "PCR 16 after loading the state");
}

/// TPM2_Hash(data, SHA-256, TPM_RH_NULL).
pub fn hash_sha256(data: &[u8]) -> Vec<u8> {
    client::hash_sha256(data).unwrap()
}

/// TPM2_CreatePrimary of an RSA-2048 restricted decryption key under the owner hierarchy
/// (Part 3 §24.1); `unique` is placed in unique.rsa so each call makes a new key.
pub fn create_primary_rsa(unique: &[u8]) -> Vec<u8> {
    let mut public = Vec::new();
    public.extend_from_slice(&0x0001u16.to_be_bytes()); // TPM_ALG_RSA
    public.extend_from_slice(&0x000bu16.to_be_bytes()); // nameAlg SHA-256
    public.extend_from_slice(&0x0003_0072u32.to_be_bytes()); // restricted|decrypt|...
    public.extend_from_slice(&0u16.to_be_bytes()); // authPolicy
    public.extend_from_slice(&0x0006u16.to_be_bytes()); // AES
    public.extend_from_slice(&128u16.to_be_bytes());
    public.extend_from_slice(&0x0043u16.to_be_bytes()); // CFB
    public.extend_from_slice(&0x0010u16.to_be_bytes()); // scheme NULL
    public.extend_from_slice(&2048u16.to_be_bytes());
    public.extend_from_slice(&0u32.to_be_bytes()); // exponent
    client::tpm2b(&mut public, unique).unwrap();
    let mut template = Vec::new();
    client::tpm2b(&mut template, &public).unwrap();
    client::create_primary(&template).unwrap()
}

/// The response code of a response.
pub fn rc(rsp: &[u8]) -> u32 {
    assert!(rsp.len() >= 10, "short response {rsp:02x?}");
    u32::from_be_bytes(rsp[6..10].try_into().unwrap())
}

/// The size field of a response agrees with its length.
pub fn assert_well_formed(rsp: &[u8]) {
    assert!(rsp.len() >= 10);
    assert_eq!(
        u32::from_be_bytes(rsp[2..6].try_into().unwrap()) as usize,
        rsp.len()
    );
}
