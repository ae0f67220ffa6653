//! The embedded TPM behind [`TpmBackend`]: state file, state blobs, buffer size, reset; and
//! tpm2-tools against it through the swtpm-protocol [`Server`] (skipped with a message when
//! tpm2-tools is absent).

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use vtrust_crypto::CryptoProvider;
use vtrust_tpm_backend::embedded::EmbeddedBackend;
use vtrust_tpm_backend::server::{Server, ServerConfig};
use vtrust_tpm_backend::{BackendError, BackendState, Endpoint, InitOptions, TpmBackend};

struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Self {
        let p = std::env::temp_dir().join(format!(
            "vtrust-embedded-{tag}-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        Self(p)
    }
    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn rc(r: &[u8]) -> u32 {
    assert_eq!(
        u32::from_be_bytes(r[2..6].try_into().unwrap()) as usize,
        r.len()
    );
    u32::from_be_bytes(r[6..10].try_into().unwrap())
}

const STARTUP_CLEAR: &str = "80010000000c000001440000";
const GET_RANDOM_16: &str = "80010000000c0000017b0010";

fn x(b: &dyn TpmBackend, h: &str) -> Vec<u8> {
    b.execute(0, &hex::decode(h).unwrap()).unwrap()
}

/// CreatePrimary(owner, TPM_RS_PW "") of an ML-DSA-87 signing key; returns the response.
fn create_mldsa87(b: &dyn TpmBackend) -> Vec<u8> {
    let template = "000f 00a1 000b 00040072 0000 0003 00 0000";
    let c = format!(
        "8002 00000000 00000131 40000001 00000009 40000009 0000 01 0000 0004 0000 0000 {template} 0000 00000000"
    )
    .replace(' ', "");
    let mut c = hex::decode(c).unwrap();
    let len = c.len() as u32;
    c[2..6].copy_from_slice(&len.to_be_bytes());
    let r = b.execute(0, &c).unwrap();
    assert_eq!(rc(&r), 0);
    r
}

/// The outPublic of a CreatePrimary response.
fn out_public(r: &[u8]) -> Vec<u8> {
    let n = u16::from_be_bytes([r[18], r[19]]) as usize;
    r[20..20 + n].to_vec()
}

#[test]
fn runs_commands_with_an_8k_buffer() {
    let b = EmbeddedBackend::new(CryptoProvider::new(), None).unwrap();
    assert_eq!(b.name(), "embedded");
    assert_eq!(b.buffer_size(), 8192);
    assert_eq!(
        rc(&x(&b, GET_RANDOM_16)),
        0x100,
        "TPM_RC_INITIALIZE before Startup"
    );
    assert_eq!(
        x(&b, STARTUP_CLEAR),
        hex::decode("80010000000a00000000").unwrap()
    );
    let r = x(&b, GET_RANDOM_16);
    assert_eq!((rc(&r), r.len()), (0, 28));
    let r = create_mldsa87(&b);
    let h = u32::from_be_bytes(r[10..14].try_into().unwrap());
    // SignDigest(h, context "", digest 32 x 0x01, NULL ticket): a response above 4 KiB.
    let mut c = hex::decode("800200000000000001a6").unwrap();
    c.extend_from_slice(&h.to_be_bytes());
    c.extend_from_slice(
        &hex::decode("00000009400000090000010000 0000 0020".replace(' ', "")).unwrap(),
    );
    c.extend_from_slice(&[1; 32]);
    c.extend_from_slice(&hex::decode("8024400000070000").unwrap());
    let len = c.len() as u32;
    c[2..6].copy_from_slice(&len.to_be_bytes());
    let r = b.execute(0, &c).unwrap();
    assert_eq!(rc(&r), 0);
    assert!(r.len() > 4627, "{}", r.len());
    assert!(!b.established().unwrap());
    b.reset_established(0).unwrap();
    b.cancel().unwrap();
}

#[test]
fn refuses_commands_above_the_buffer_size() {
    let b = EmbeddedBackend::new(CryptoProvider::new(), None).unwrap();
    assert_eq!(
        b.init(InitOptions {
            delete_volatile: false,
            buffer_size: Some(4096)
        })
        .unwrap(),
        4096
    );
    assert_eq!(
        b.init(InitOptions {
            delete_volatile: false,
            buffer_size: Some(100_000)
        })
        .unwrap(),
        8192
    );
    assert_eq!(
        b.init(InitOptions {
            delete_volatile: false,
            buffer_size: Some(3000)
        })
        .unwrap(),
        3000
    );
    let mut big = hex::decode("8001000000000000017d").unwrap();
    big.resize(4000, 0);
    let len = big.len() as u32;
    big[2..6].copy_from_slice(&len.to_be_bytes());
    assert_eq!(rc(&b.execute(0, &big).unwrap()), 0x142);
}

#[test]
fn state_file_keeps_primary_seeds_across_restarts() {
    let dir = TempDir::new("state");
    let path = dir.path().join("tpm.state");
    let first = {
        let b = EmbeddedBackend::new(CryptoProvider::new(), Some(path.clone())).unwrap();
        assert!(path.exists(), "state file written at creation");
        x(&b, STARTUP_CLEAR);
        out_public(&create_mldsa87(&b))
    };
    let contents = std::fs::read(&path).unwrap();
    let b = EmbeddedBackend::new(CryptoProvider::new(), Some(path.clone())).unwrap();
    assert_eq!(b.state_path(), Some(path.as_path()));
    x(&b, STARTUP_CLEAR);
    assert_eq!(
        out_public(&create_mldsa87(&b)),
        first,
        "same seed, same template, same key"
    );
    assert_eq!(std::fs::read(&path).unwrap(), contents, "file unchanged");
    // Atomic write leaves no temporary file behind.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
    // Another state file is another TPM.
    let other =
        EmbeddedBackend::new(CryptoProvider::new(), Some(dir.path().join("other.state"))).unwrap();
    x(&other, STARTUP_CLEAR);
    assert!(out_public(&create_mldsa87(&other)) != first);
}

#[test]
fn refuses_a_garbage_state_file() {
    let dir = TempDir::new("garbage");
    let path = dir.path().join("tpm.state");
    std::fs::write(&path, b"not a tpm state").unwrap();
    let e = EmbeddedBackend::new(CryptoProvider::new(), Some(path)).unwrap_err();
    assert!(matches!(e, BackendError::InvalidState(_)), "{e}");
}

#[test]
fn save_and_load_state_round_trip() {
    let a = EmbeddedBackend::new(CryptoProvider::new(), None).unwrap();
    x(&a, STARTUP_CLEAR);
    let pa = out_public(&create_mldsa87(&a));
    let state = a.save_state().unwrap();
    assert!(!state.permanent.is_empty() && !state.volatile.is_empty());
    let b = EmbeddedBackend::new(CryptoProvider::new(), None).unwrap();
    b.load_state(&state).unwrap();
    // Already started (volatile state says so); the object at 0x80000000 is loaded.
    assert_eq!(rc(&x(&b, STARTUP_CLEAR)), 0x100);
    let r = x(&b, "80010000000e0000017380000000");
    assert_eq!(rc(&r), 0);
    assert_eq!(&r[12..12 + pa.len()], pa.as_slice());
    // reset = power cycle: Startup needed again, objects gone.
    b.reset().unwrap();
    assert_eq!(rc(&x(&b, STARTUP_CLEAR)), 0);
    assert_eq!(rc(&x(&b, "80010000000e0000017380000000")), 0x184);
}

#[test]
fn refuses_garbage_state_blobs() {
    let b = EmbeddedBackend::new(CryptoProvider::new(), None).unwrap();
    let good = b.save_state().unwrap();
    for bad in [
        BackendState {
            permanent: b"garbage".to_vec(),
            ..good.clone()
        },
        BackendState {
            volatile: b"garbage".to_vec(),
            ..good.clone()
        },
        BackendState {
            permanent: good.permanent[..good.permanent.len() - 1].to_vec(),
            ..good.clone()
        },
        BackendState {
            savestate: vec![1],
            ..good.clone()
        },
    ] {
        let e = b.load_state(&bad).unwrap_err();
        assert!(matches!(e, BackendError::InvalidState(_)), "{e}");
    }
    b.load_state(&good).unwrap();
}

fn serve_tcp(backend: Arc<dyn TpmBackend>) -> (vtrust_tpm_backend::server::ServerHandle, u16) {
    for _ in 0..50 {
        let a = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = a.local_addr().unwrap().port();
        if port == u16::MAX {
            continue;
        }
        let Ok(bl) = TcpListener::bind(("127.0.0.1", port + 1)) else {
            continue;
        };
        let data: SocketAddr = a.local_addr().unwrap();
        let ctrl: SocketAddr = bl.local_addr().unwrap();
        drop((a, bl));
        let config = ServerConfig {
            ctrl: Endpoint::Tcp(ctrl),
            data: Some(Endpoint::Tcp(data)),
        };
        if let Ok(server) = Server::new(Arc::clone(&backend), config) {
            let (handle, _thread) = server.spawn();
            return (handle, port);
        }
    }
    panic!("could not bind the server");
}

fn tpm2(port: u16, cwd: &Path, args: &[&str]) -> String {
    let out = Command::new(args[0])
        .args(&args[1..])
        .env(
            "TPM2TOOLS_TCTI",
            format!("swtpm:host=127.0.0.1,port={port}"),
        )
        .current_dir(cwd)
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", args[0]));
    assert!(
        out.status.success(),
        "{args:?} failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn tpm2_tools_against_the_embedded_tpm_through_the_server() {
    if Command::new("tpm2_startup")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("SKIPPED: tpm2-tools is not installed (apt install tpm2-tools)");
        return;
    }
    let dir = TempDir::new("tools");
    let cwd = dir.path();
    let backend: Arc<dyn TpmBackend> =
        Arc::new(EmbeddedBackend::new(CryptoProvider::new(), Some(cwd.join("tpm.state"))).unwrap());
    let (server, port) = serve_tcp(backend);
    std::fs::write(cwd.join("msg.txt"), b"abc").unwrap();
    // 3000 bytes: more than TPM2B_MAX_BUFFER, so tpm2_hash uses a hash sequence.
    std::fs::write(cwd.join("big.bin"), vec![b'a'; 3000]).unwrap();

    tpm2(port, cwd, &["tpm2_startup", "-c"]);
    tpm2(port, cwd, &["tpm2_selftest", "-f"]);
    assert_eq!(
        tpm2(port, cwd, &["tpm2_getrandom", "--hex", "16"]).len(),
        32
    );
    let props = tpm2(port, cwd, &["tpm2_getcap", "properties-fixed"]);
    assert!(
        props.contains("TPM2_PT_MAX_COMMAND_SIZE:\n  raw: 0x2000"),
        "{props}"
    );
    let algs = tpm2(port, cwd, &["tpm2_getcap", "algorithms"]);
    assert!(algs.contains("ecc") && algs.contains("sha256"), "{algs}");
    tpm2(port, cwd, &["tpm2_getcap", "commands"]);
    tpm2(port, cwd, &["tpm2_getcap", "pcrs"]);
    tpm2(
        port,
        cwd,
        &[
            "tpm2_pcrextend",
            "0:sha256=0000000000000000000000000000000000000000000000000000000000000000",
        ],
    );
    // sha256(32 zero bytes || 32 zero bytes): `head -c 64 /dev/zero | sha256sum`; swtpm 0.7.1 agrees.
    let pcr = tpm2(port, cwd, &["tpm2_pcrread", "sha256:0"]);
    assert!(
        pcr.contains("0xF5A5FD42D16A20302798EF6ED309979B43003D2320D9F0E8EA9831A92759FB4B"),
        "{pcr}"
    );
    let ev = tpm2(port, cwd, &["tpm2_pcrevent", "16", "msg.txt"]);
    assert!(
        ev.contains("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        "{ev}"
    );
    let h = tpm2(
        port,
        cwd,
        &["tpm2_hash", "-g", "sha256", "--hex", "msg.txt"],
    );
    assert!(
        h.contains("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        "{h}"
    );
    // `head -c 3000 /dev/zero | tr '\0' a | sha256sum`
    let h = tpm2(
        port,
        cwd,
        &["tpm2_hash", "-g", "sha256", "--hex", "big.bin"],
    );
    assert!(
        h.contains("556ac82f23f64d2f41b3fb3b9a171791364021aa95c0af6df9e2b5e1d88c8038"),
        "{h}"
    );
    tpm2(
        port,
        cwd,
        &["tpm2_createprimary", "-G", "ecc", "-c", "primary.ctx"],
    );
    tpm2(port, cwd, &["tpm2_flushcontext", "-t"]);
    tpm2(
        port,
        cwd,
        &[
            "tpm2_createprimary",
            "-G",
            "ecc",
            "-c",
            "signer.ctx",
            "-a",
            "fixedtpm|fixedparent|sensitivedataorigin|userwithauth|sign",
        ],
    );
    tpm2(
        port,
        cwd,
        &[
            "tpm2_sign",
            "-c",
            "signer.ctx",
            "-g",
            "sha256",
            "-o",
            "sig.bin",
            "msg.txt",
        ],
    );
    tpm2(
        port,
        cwd,
        &[
            "tpm2_verifysignature",
            "-c",
            "signer.ctx",
            "-g",
            "sha256",
            "-m",
            "msg.txt",
            "-s",
            "sig.bin",
            "-t",
            "ticket.bin",
        ],
    );
    tpm2(port, cwd, &["tpm2_flushcontext", "-t"]);
    tpm2(port, cwd, &["tpm2_readpublic", "-c", "signer.ctx"]);
    tpm2(port, cwd, &["tpm2_flushcontext", "-t"]);
    server.shutdown();
}
