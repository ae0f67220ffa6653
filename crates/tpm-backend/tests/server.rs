//! The swtpm-protocol server: byte-level control and data exchanges (known answers from
//! swtpm's ctrlchannel.c and measurements in shared/tpm-crb.md), our swtpm client through the
//! server to a real swtpm (proxy), and tpm2-tools against the server fronting real swtpm.

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};

use common::*;
use vtrust_tpm_backend::server::{Server, ServerConfig, ServerHandle};
use vtrust_tpm_backend::swtpm::{SwtpmBackend, SwtpmProcess};
use vtrust_tpm_backend::{
    BackendError, BackendState, Endpoint, InitOptions, TPM_RC_COMMAND_SIZE, TPM_RC_FAILURE,
    TpmBackend, error_response,
};

/// A backend that answers every command with `rc 0` and the command's locality and code in
/// a 4-byte body, and records the control calls it gets.
#[derive(Default)]
struct Fake {
    calls: Mutex<Vec<String>>,
    state: Mutex<BackendState>,
}

impl Fake {
    fn log(&self, s: String) {
        self.calls.lock().unwrap().push(s);
    }
    fn calls(&self) -> Vec<String> {
        self.calls.lock().unwrap().clone()
    }
}

impl TpmBackend for Fake {
    fn name(&self) -> &str {
        "fake"
    }
    fn init(&self, o: InitOptions) -> Result<usize, BackendError> {
        self.log(format!("init {} {:?}", o.delete_volatile, o.buffer_size));
        Ok(o.buffer_size.unwrap_or(4096))
    }
    fn buffer_size(&self) -> usize {
        4096
    }
    fn execute(&self, locality: u8, command: &[u8]) -> Result<Vec<u8>, BackendError> {
        if command.get(6..10) == Some(&[0xde, 0xad, 0xbe, 0xef]) {
            return Err(BackendError::NotRunning("fake failure".into()));
        }
        let mut r = vec![0x80, 0x01, 0, 0, 0, 14, 0, 0, 0, 0, locality];
        r.extend_from_slice(&command[7..10]);
        Ok(r)
    }
    fn cancel(&self) -> Result<(), BackendError> {
        self.log("cancel".into());
        Ok(())
    }
    fn established(&self) -> Result<bool, BackendError> {
        Ok(true)
    }
    fn reset_established(&self, locality: u8) -> Result<(), BackendError> {
        self.log(format!("reset_established {locality}"));
        Ok(())
    }
    fn reset(&self) -> Result<(), BackendError> {
        Ok(())
    }
    fn save_state(&self) -> Result<BackendState, BackendError> {
        Ok(self.state.lock().unwrap().clone())
    }
    fn load_state(&self, state: &BackendState) -> Result<(), BackendError> {
        self.log(format!("load_state {}", state.permanent.len()));
        *self.state.lock().unwrap() = state.clone();
        Ok(())
    }
}

struct Running {
    handle: ServerHandle,
    thread: Option<std::thread::JoinHandle<Result<(), BackendError>>>,
}

impl Running {
    fn ctrl_path(&self) -> &Path {
        match self.handle.ctrl_endpoint() {
            Endpoint::Unix(p) => p,
            Endpoint::Tcp(_) => panic!("tcp"),
        }
    }
    fn data_path(&self) -> &Path {
        match self.handle.data_endpoint() {
            Some(Endpoint::Unix(p)) => p,
            _ => panic!("no unix data"),
        }
    }
    fn join(mut self) -> Result<(), BackendError> {
        self.thread.take().unwrap().join().unwrap()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.handle.shutdown();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve(backend: Arc<dyn TpmBackend>, dir: &Path, data: bool) -> Running {
    let config = ServerConfig {
        ctrl: Endpoint::Unix(dir.join("ctrl.sock")),
        data: data.then(|| Endpoint::Unix(dir.join("data.sock"))),
    };
    let (handle, thread) = Server::new(backend, config).unwrap().spawn();
    Running {
        handle,
        thread: Some(thread),
    }
}

fn ctrl(s: &mut UnixStream, req: &[u8], reply_len: usize) -> Vec<u8> {
    s.write_all(req).unwrap();
    let mut r = vec![0u8; reply_len];
    s.read_exact(&mut r).unwrap();
    r
}

fn roundtrip(s: &mut impl ReadWrite, cmd: &[u8]) -> Vec<u8> {
    s.write_all(cmd).unwrap();
    let mut h = [0u8; 10];
    s.read_exact(&mut h).unwrap();
    let size = u32::from_be_bytes(h[2..6].try_into().unwrap()) as usize;
    let mut r = h.to_vec();
    r.resize(size, 0);
    s.read_exact(&mut r[10..]).unwrap();
    r
}

trait ReadWrite: Read + Write {}
impl<T: Read + Write> ReadWrite for T {}

#[test]
fn control_known_answers() {
    let dir = TempDir::new("srv-ctrl");
    let fake = Arc::new(Fake::default());
    let srv = serve(fake.clone(), dir.path(), true);
    let mut c = UnixStream::connect(srv.ctrl_path()).unwrap();
    // GET_CAPABILITY: a bare u64 (swtpm ctrlchannel.c), QEMU's minimum included.
    let caps = ctrl(&mut c, &[0, 0, 0, 1], 8);
    let caps = u64::from_be_bytes(caps.try_into().unwrap());
    assert_eq!(caps & 0x3cad, 0x3cad, "{caps:#x}");
    // SET_BUFFERSIZE(n) while running: TPM_BAD_ORDINAL (measured on swtpm).
    assert_eq!(
        ctrl(&mut c, &[0, 0, 0, 0x11, 0, 0, 0x10, 0], 4),
        [0, 0, 0, 0x0a]
    );
    // Query while running: current 4096, min 2808, max 4096.
    assert_eq!(
        ctrl(&mut c, &[0, 0, 0, 0x11, 0, 0, 0, 0], 16),
        [0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0, 0x0a, 0xf8, 0, 0, 0x10, 0]
    );
    // GET_TPMESTABLISHED: res, bit, pad.
    assert_eq!(ctrl(&mut c, &[0, 0, 0, 4], 8), [0, 0, 0, 0, 1, 0, 0, 0]);
    // SET_LOCALITY as QEMU sends it (4-byte body) and as tpm2-tss sends it (1 byte).
    assert_eq!(ctrl(&mut c, &[0, 0, 0, 5, 3, 0, 0, 0], 4), [0, 0, 0, 0]);
    assert_eq!(ctrl(&mut c, &[0, 0, 0, 5, 5], 4), [0, 0, 0, 0x3d]);
    // RESET_TPMESTABLISHED from locality 3, CANCEL, GET_CONFIG.
    assert_eq!(ctrl(&mut c, &[0, 0, 0, 0x0b, 3, 0, 0, 0], 4), [0, 0, 0, 0]);
    assert_eq!(ctrl(&mut c, &[0, 0, 0, 9], 4), [0, 0, 0, 0]);
    assert_eq!(ctrl(&mut c, &[0, 0, 0, 0x0f], 8), [0, 0, 0, 0, 0, 0, 0, 0]);
    // Hashing and unknown commands: TPM_BAD_ORDINAL. STOP with a body: TPM_BAD_PARAMETER.
    assert_eq!(ctrl(&mut c, &[0, 0, 0, 6], 4), [0, 0, 0, 0x0a]);
    assert_eq!(ctrl(&mut c, &[0, 0, 0, 0x99], 4), [0, 0, 0, 0x0a]);
    assert_eq!(ctrl(&mut c, &[0, 0, 0, 0x0e, 1], 4), [0, 0, 0, 3]);
    // SET_DATAFD without a socket attached: TPM_BAD_PARAMETER.
    assert_eq!(ctrl(&mut c, &[0, 0, 0, 0x10], 4), [0, 0, 0, 3]);
    // The data channel uses the locality set above.
    let mut d = UnixStream::connect(srv.data_path()).unwrap();
    let rsp = roundtrip(&mut d, &get_random(16));
    assert_eq!(rsp[10], 3);
    assert_eq!(fake.calls(), ["reset_established 3", "cancel"]);
}

#[test]
fn stop_refuses_commands_until_init() {
    let dir = TempDir::new("srv-stop");
    let fake = Arc::new(Fake::default());
    let srv = serve(fake.clone(), dir.path(), true);
    let mut c = UnixStream::connect(srv.ctrl_path()).unwrap();
    let mut d = UnixStream::connect(srv.data_path()).unwrap();
    assert_eq!(rc(&roundtrip(&mut d, &get_random(16))), 0);
    assert_eq!(ctrl(&mut c, &[0, 0, 0, 0x0e], 4), [0, 0, 0, 0]);
    assert_eq!(
        roundtrip(&mut d, &get_random(16)),
        error_response(TPM_RC_FAILURE)
    );
    // Stopped: GET_TPMESTABLISHED refused, SET_BUFFERSIZE accepted (clamped to [2808, 4096]).
    assert_eq!(ctrl(&mut c, &[0, 0, 0, 4], 4), [0, 0, 0, 0x0a]);
    assert_eq!(
        ctrl(&mut c, &[0, 0, 0, 0x11, 0, 0, 0x03, 0xe8], 16),
        [
            0, 0, 0, 0, 0, 0, 0x0a, 0xf8, 0, 0, 0x0a, 0xf8, 0, 0, 0x10, 0
        ]
    );
    // INIT with DELETE_VOLATILE passes both on.
    assert_eq!(ctrl(&mut c, &[0, 0, 0, 2, 0, 0, 0, 1], 4), [0, 0, 0, 0]);
    assert_eq!(fake.calls(), ["init true Some(2808)"]);
    assert_eq!(rc(&roundtrip(&mut d, &get_random(16))), 0);
}

#[test]
fn state_blobs_round_trip_through_control_channel() {
    let dir = TempDir::new("srv-blobs");
    let fake = Arc::new(Fake::default());
    *fake.state.lock().unwrap() = BackendState {
        permanent: b"PERM".to_vec(),
        volatile: b"VOLATILE".to_vec(),
        savestate: Vec::new(),
    };
    let srv = serve(fake.clone(), dir.path(), false);
    let mut c = UnixStream::connect(srv.ctrl_path()).unwrap();
    // GET_STATEBLOB(volatile, offset 2): header then the data from the offset.
    let mut req = vec![0, 0, 0, 0x0c];
    req.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 2]);
    let r = ctrl(&mut c, &req, 22);
    assert_eq!(&r[..16], &[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 6, 0, 0, 0, 6]);
    assert_eq!(&r[16..], b"LATILE");
    // No savestate blob: TPM_RETRY, as swtpm answers.
    let mut req = vec![0, 0, 0, 0x0c];
    req.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0]);
    assert_eq!(ctrl(&mut c, &req, 4), [0, 0, 0x08, 0]);
    // SET_STATEBLOB while running: refused.
    let set = |t: u8, data: &[u8]| {
        let mut r = vec![0, 0, 0, 0x0d, 0, 0, 0, 0, 0, 0, 0, t];
        r.extend_from_slice(&u32::try_from(data.len()).unwrap().to_be_bytes());
        r.extend_from_slice(data);
        r
    };
    assert_eq!(ctrl(&mut c, &set(1, b"NEW"), 4), [0, 0, 0, 0x0a]);
    assert_eq!(ctrl(&mut c, &[0, 0, 0, 0x0e], 4), [0, 0, 0, 0]);
    assert_eq!(ctrl(&mut c, &set(1, b"NEWPERM"), 4), [0, 0, 0, 0]);
    assert_eq!(ctrl(&mut c, &set(7, b"x"), 4), [0, 0, 0, 3]);
    assert_eq!(ctrl(&mut c, &[0, 0, 0, 2, 0, 0, 0, 0], 4), [0, 0, 0, 0]);
    assert_eq!(fake.calls(), ["load_state 7"]);
    assert_eq!(fake.state.lock().unwrap().permanent, b"NEWPERM");
}

#[test]
fn data_channel_framing() {
    let dir = TempDir::new("srv-data");
    let fake = Arc::new(Fake::default());
    let srv = serve(fake, dir.path(), true);
    let mut d = UnixStream::connect(srv.data_path()).unwrap();
    // TPM2_SEND_COMMAND prefix: `u32be 8 | u8 loc | u32be size | cmd` -> `u32be size | rsp |
    // u32be 0` (measured on swtpm).
    let cmd = get_random(8);
    let mut req = vec![0, 0, 0, 8, 2];
    req.extend_from_slice(&u32::try_from(cmd.len()).unwrap().to_be_bytes());
    req.extend_from_slice(&cmd);
    d.write_all(&req).unwrap();
    let mut r = [0u8; 4 + 14 + 4];
    d.read_exact(&mut r).unwrap();
    assert_eq!(&r[..4], &[0, 0, 0, 14]);
    assert_eq!(r[4 + 10], 2, "prefix locality used");
    assert_eq!(&r[18..], &[0, 0, 0, 0]);
    // A command above the buffer size: TPM_RC_COMMAND_SIZE, and the stream stays in step.
    let big = hash_sha256(&vec![1; 4079]);
    assert_eq!(roundtrip(&mut d, &big), error_response(TPM_RC_COMMAND_SIZE));
    assert_eq!(rc(&roundtrip(&mut d, &get_random(8))), 0);
    // Not a TPM command (size field below 10): an error response, no panic.
    d.write_all(&[0x80, 0x01, 0, 0, 0, 3, 0, 0, 0, 0]).unwrap();
    let mut r = [0u8; 10];
    d.read_exact(&mut r).unwrap();
    assert_eq!(r.to_vec(), error_response(TPM_RC_COMMAND_SIZE));
    assert_eq!(rc(&roundtrip(&mut d, &get_random(8))), 0);
    // A backend failure becomes TPM_RC_FAILURE.
    let failing = command(0x8001, 0xdead_beef, &[]);
    assert_eq!(roundtrip(&mut d, &failing), error_response(TPM_RC_FAILURE));
    // A truncated command followed by silence: answered after the deadline.
    d.write_all(&[0x80, 0x01, 0, 0, 0, 20, 0, 0]).unwrap();
    let mut r = [0u8; 10];
    d.read_exact(&mut r).unwrap();
    assert_eq!(r.to_vec(), error_response(TPM_RC_COMMAND_SIZE));
}

#[test]
fn shutdown_command_ends_run() {
    let dir = TempDir::new("srv-shutdown");
    let srv = serve(Arc::new(Fake::default()), dir.path(), true);
    let mut c = UnixStream::connect(srv.ctrl_path()).unwrap();
    assert_eq!(ctrl(&mut c, &[0, 0, 0, 3], 4), [0, 0, 0, 0]);
    // The server stops before it answers, as swtpm exits after answering.
    assert!(srv.handle.is_stopped());
    srv.join().unwrap();
    assert!(!dir.path().join("ctrl.sock").exists());
}

#[test]
fn handle_shutdown_ends_run_with_open_connections() {
    let dir = TempDir::new("srv-handle");
    let srv = serve(Arc::new(Fake::default()), dir.path(), true);
    let _c = UnixStream::connect(srv.ctrl_path()).unwrap();
    let mut d = UnixStream::connect(srv.data_path()).unwrap();
    assert_eq!(rc(&roundtrip(&mut d, &get_random(8))), 0);
    srv.handle.shutdown();
    srv.join().unwrap();
    let mut b = [0u8; 1];
    assert_eq!(d.read(&mut b).unwrap_or(0), 0, "connection closed");
}

fn swtpm_behind(dir: &Path) -> (SwtpmProcess, Arc<SwtpmBackend>) {
    ensure_swtpm();
    let p = SwtpmProcess::spawn(&dir.join("swtpm")).unwrap();
    let (ctrl, data) = p.paths().endpoints();
    (p, Arc::new(SwtpmBackend::connect(ctrl, data).unwrap()))
}

#[test]
fn swtpm_client_through_proxy_server_via_datafd() {
    let dir = TempDir::new("srv-proxy");
    let (_p, real) = swtpm_behind(dir.path());
    let srv = serve(real, dir.path(), false);
    // Our client hands the server a socketpair with CMD_SET_DATAFD, as QEMU does.
    let tpm = SwtpmBackend::connect(Endpoint::Unix(srv.ctrl_path().to_path_buf()), None).unwrap();
    assert_eq!(tpm.buffer_size(), 4096);
    assert_eq!(rc(&tpm.execute(0, &startup_clear()).unwrap()), 0);
    let rsp = tpm.execute(0, &get_random(16)).unwrap();
    assert_eq!((rsp.len(), rc(&rsp)), (28, 0));
    let digest: [u8; 32] = sha256(b"through the proxy").try_into().unwrap();
    assert_eq!(
        rc(&tpm.execute(3, &pcr_extend_sha256(16, &digest)).unwrap()),
        0
    );
    let value = read_pcr(&tpm, 16);
    assert_eq!(value, sha256(&[[0u8; 32], digest].concat()));
    let data = b"abc";
    let rsp = tpm.execute(0, &hash_sha256(data)).unwrap();
    assert_eq!(rsp[12..44], sha256(data));
    // 4096 bytes pass through both hops; 4097 are refused.
    assert_eq!(
        rc(&tpm.execute(0, &hash_sha256(&vec![7; 4078])).unwrap()),
        0x1d5
    );
    assert_eq!(
        rc(&tpm.execute(0, &hash_sha256(&vec![7; 4079])).unwrap()),
        TPM_RC_COMMAND_SIZE
    );
    // Control commands pass through too.
    assert!(!tpm.established().unwrap());
    tpm.reset_established(3).unwrap();
    tpm.cancel().unwrap();
    // State round trip through the proxy: save, power cycle, load.
    assert_state_survives_power_cycle(&tpm, &value);
}

fn free_port_pair() -> (TcpListener, TcpListener) {
    for _ in 0..50 {
        let a = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = a.local_addr().unwrap().port();
        if port == u16::MAX {
            continue;
        }
        if let Ok(b) = TcpListener::bind(("127.0.0.1", port + 1)) {
            return (a, b);
        }
    }
    panic!("no two adjacent free ports");
}

fn serve_tcp(backend: Arc<dyn TpmBackend>) -> (Running, u16) {
    for _ in 0..20 {
        let (a, b) = free_port_pair();
        let data: SocketAddr = a.local_addr().unwrap();
        let ctrl: SocketAddr = b.local_addr().unwrap();
        drop((a, b));
        let config = ServerConfig {
            ctrl: Endpoint::Tcp(ctrl),
            data: Some(Endpoint::Tcp(data)),
        };
        if let Ok(server) = Server::new(Arc::clone(&backend), config) {
            let (handle, thread) = server.spawn();
            return (
                Running {
                    handle,
                    thread: Some(thread),
                },
                data.port(),
            );
        }
    }
    panic!("could not bind the server");
}

#[test]
fn swtpm_client_through_proxy_server_over_tcp() {
    let dir = TempDir::new("srv-tcp");
    let (_p, real) = swtpm_behind(dir.path());
    let (srv, port) = serve_tcp(real);
    let ctrl = Endpoint::Tcp(([127, 0, 0, 1], port + 1).into());
    let data = Endpoint::Tcp(([127, 0, 0, 1], port).into());
    let tpm = SwtpmBackend::connect(ctrl, Some(data)).unwrap();
    assert_eq!(rc(&tpm.execute(0, &startup_clear()).unwrap()), 0);
    assert_eq!(rc(&tpm.execute(0, &get_random(16)).unwrap()), 0);
    // A raw TCP data connection per command, as libtss2-tcti-swtpm makes them.
    for _ in 0..3 {
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        assert_eq!(rc(&roundtrip(&mut s, &get_random(8))), 0);
    }
    drop(srv);
}

fn tpm2(tool: &str, port: u16, args: &[&str], cwd: &Path) -> Vec<u8> {
    let out = Command::new(tool)
        .args(args)
        .env(
            "TPM2TOOLS_TCTI",
            format!("swtpm:host=127.0.0.1,port={port}"),
        )
        .current_dir(cwd)
        .output()
        .unwrap_or_else(|e| panic!("{tool}: {e}"));
    assert!(
        out.status.success(),
        "{tool} {args:?} failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// The SHA-256 value tpm2_pcrread prints for PCR 16 (`16: 0x<HEX>`).
fn pcr16(port: u16, cwd: &Path) -> String {
    let out = String::from_utf8(tpm2("tpm2_pcrread", port, &["sha256:16"], cwd)).unwrap();
    let line = out
        .lines()
        .find(|l| l.trim_start().starts_with("16"))
        .unwrap_or_else(|| panic!("{out}"));
    line.split("0x").nth(1).unwrap().trim().to_lowercase()
}

#[test]
fn tpm2_tools_against_server_fronting_swtpm() {
    let dir = TempDir::new("srv-tools");
    let (_p, real) = swtpm_behind(dir.path());
    let (srv, port) = serve_tcp(real);
    let cwd = dir.path();
    tpm2("tpm2_startup", port, &["-c"], cwd);
    let random = tpm2("tpm2_getrandom", port, &["16", "--hex"], cwd);
    assert_eq!(String::from_utf8(random).unwrap().trim().len(), 32);

    assert_eq!(pcr16(port, cwd), "0".repeat(64));
    let digest = sha256(b"tpm2-tools event");
    let arg = format!("16:sha256={}", hex::encode(&digest));
    tpm2("tpm2_pcrextend", port, &[&arg], cwd);
    let expected = sha256(&[[0u8; 32].as_slice(), &digest].concat());
    assert_eq!(pcr16(port, cwd), hex::encode(expected));

    let msg = cwd.join("msg.txt");
    std::fs::write(&msg, b"message to hash and sign").unwrap();
    tpm2(
        "tpm2_hash",
        port,
        &[
            "-g",
            "sha256",
            "-o",
            "digest.bin",
            "-t",
            "ticket.bin",
            "msg.txt",
        ],
        cwd,
    );
    assert_eq!(
        std::fs::read(cwd.join("digest.bin")).unwrap(),
        sha256(b"message to hash and sign")
    );

    // Without a resource manager transient objects stay loaded: flush between tools.
    let flush = || {
        tpm2("tpm2_flushcontext", port, &["-t"], cwd);
    };
    tpm2(
        "tpm2_createprimary",
        port,
        &[
            "-C",
            "o",
            "-G",
            "ecc",
            "-a",
            "fixedtpm|fixedparent|sensitivedataorigin|userwithauth|sign",
            "-c",
            "key.ctx",
        ],
        cwd,
    );
    flush();
    tpm2(
        "tpm2_sign",
        port,
        &["-c", "key.ctx", "-g", "sha256", "-o", "sig.bin", "msg.txt"],
        cwd,
    );
    flush();
    tpm2(
        "tpm2_verifysignature",
        port,
        &[
            "-c", "key.ctx", "-g", "sha256", "-m", "msg.txt", "-s", "sig.bin",
        ],
        cwd,
    );
    flush();
    // A tampered message does not verify.
    std::fs::write(&msg, b"message to hash and sigN").unwrap();
    let out = Command::new("tpm2_verifysignature")
        .args([
            "-c", "key.ctx", "-g", "sha256", "-m", "msg.txt", "-s", "sig.bin",
        ])
        .env(
            "TPM2TOOLS_TCTI",
            format!("swtpm:host=127.0.0.1,port={port}"),
        )
        .current_dir(cwd)
        .output()
        .unwrap();
    assert!(!out.status.success(), "tampered message verified");
    drop(srv);
}
