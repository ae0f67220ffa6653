//! swtpm (the Debian package) through `SwtpmBackend`: known answers computed independently
//! (SHA-256 from vtrust-crypto, limits measured in shared/tpm-crb.md §4).

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use vtrust_tpm_backend::swtpm::{SwtpmBackend, SwtpmConfig, SwtpmProcess};
use vtrust_tpm_backend::{BackendError, Endpoint, InitOptions, TPM_RC_COMMAND_SIZE, TpmBackend};

/// TPM_RC_INITIALIZE (Part 2 §6.6.3): a command before TPM2_Startup.
const TPM_RC_INITIALIZE: u32 = 0x100;
/// TPM_RC_SIZE | parameter 1 (0x1D5): TPM2B_MAX_BUFFER above 1024 bytes (measured).
const TPM_RC_SIZE_P1: u32 = 0x1d5;

fn launch(tag: &str, server_socket: bool) -> (TempDir, SwtpmProcess, SwtpmBackend) {
    ensure_swtpm();
    let dir = TempDir::new(tag);
    let process = SwtpmProcess::spawn_with(dir.path(), server_socket).unwrap();
    let (ctrl, data) = process.paths().endpoints();
    let backend = SwtpmBackend::connect(ctrl, data).unwrap();
    assert_eq!(rc(&backend.execute(0, &startup_clear()).unwrap()), 0);
    (dir, process, backend)
}

#[test]
fn get_random_over_datafd_socketpair() {
    let (_dir, _p, tpm) = launch("random", false);
    assert_eq!(tpm.name(), "swtpm");
    let rsp = tpm.execute(0, &get_random(16)).unwrap();
    // TPM2_GetRandom response: header, TPM2B_DIGEST(16) = 28 bytes (measured).
    assert_eq!(rsp.len(), 28);
    assert_eq!(rc(&rsp), 0);
    assert_eq!(&rsp[10..12], &[0, 16]);
    let again = tpm.execute(0, &get_random(16)).unwrap();
    assert_ne!(rsp[12..], again[12..], "two random draws are equal");
}

#[test]
fn get_random_over_server_socket() {
    let (_dir, _p, tpm) = launch("server-sock", true);
    let rsp = tpm.execute(0, &get_random(32)).unwrap();
    assert_eq!(rsp.len(), 44);
    assert_eq!(rc(&rsp), 0);
}

#[test]
fn capabilities_and_buffer_size_as_measured() {
    let (_dir, _p, tpm) = launch("caps", false);
    // swtpm 0.7.1: caps 0xffff; buffer size default 4096.
    let caps = tpm.capabilities();
    assert_eq!(
        caps & vtrust_tpm_backend::ptm::cap::QEMU_MINIMUM,
        vtrust_tpm_backend::ptm::cap::QEMU_MINIMUM
    );
    assert_eq!(tpm.buffer_size(), 4096);
    // SET_BUFFERSIZE(3968) while stopped gives 3968; 1000 gives the minimum 2808 (measured).
    assert_eq!(
        tpm.init(InitOptions {
            delete_volatile: false,
            buffer_size: Some(3968)
        })
        .unwrap(),
        3968
    );
    assert_eq!(tpm.buffer_size(), 3968);
    assert_eq!(
        tpm.init(InitOptions {
            delete_volatile: false,
            buffer_size: Some(1000)
        })
        .unwrap(),
        2808
    );
    assert_eq!(tpm.init(InitOptions::default()).unwrap(), 2808);
    assert_eq!(
        tpm.init(InitOptions {
            delete_volatile: true,
            buffer_size: Some(8192)
        })
        .unwrap(),
        4096
    );
    // After INIT the TPM wants TPM2_Startup again.
    assert_eq!(
        rc(&tpm.execute(0, &get_random(8)).unwrap()),
        TPM_RC_INITIALIZE
    );
    assert_eq!(rc(&tpm.execute(0, &startup_clear()).unwrap()), 0);
    assert_eq!(rc(&tpm.execute(0, &get_random(8)).unwrap()), 0);
}

#[test]
fn pcr_extend_matches_independent_sha256() {
    let (_dir, _p, tpm) = launch("pcr", false);
    let before = read_pcr(&tpm, 16);
    assert_eq!(
        before, [0u8; 32],
        "PCR 16 starts at zero after Startup(CLEAR)"
    );
    let digest: [u8; 32] = sha256(b"vtrust measured event").try_into().unwrap();
    let rsp = tpm.execute(0, &pcr_extend_sha256(16, &digest)).unwrap();
    assert_eq!(rc(&rsp), 0, "{rsp:02x?}");
    let after = read_pcr(&tpm, 16);
    let expected = sha256(&[[0u8; 32], digest].concat());
    assert_eq!(after, expected);
}

#[test]
fn hash_matches_independent_sha256() {
    let (_dir, _p, tpm) = launch("hash", false);
    let data = b"The quick brown fox jumps over the lazy dog";
    let rsp = tpm.execute(0, &hash_sha256(data)).unwrap();
    assert_eq!(rc(&rsp), 0);
    assert_eq!(&rsp[10..12], &[0, 32]);
    assert_eq!(rsp[12..44], sha256(data));
    // `printf 'The quick brown fox jumps over the lazy dog' | sha256sum`.
    assert_eq!(
        hex::encode(&rsp[12..44]),
        "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592"
    );
}

#[test]
fn command_of_4096_bytes_is_carried_and_4097_is_refused() {
    let (_dir, _p, tpm) = launch("sizes", false);
    // 4096 = 10 + 2 + 4078 + 2 + 4: transported and parsed, TPM2B_MAX_BUFFER too long.
    let cmd = hash_sha256(&vec![0xAB; 4078]);
    assert_eq!(cmd.len(), 4096);
    let rsp = tpm.execute(0, &cmd).unwrap();
    assert_eq!(rc(&rsp), TPM_RC_SIZE_P1, "{rsp:02x?}");
    let cmd = hash_sha256(&vec![0xAB; 4079]);
    assert_eq!(cmd.len(), 4097);
    let rsp = tpm.execute(0, &cmd).unwrap();
    assert_eq!(rc(&rsp), TPM_RC_COMMAND_SIZE);
    // The stream is still in step.
    assert_eq!(rc(&tpm.execute(0, &get_random(16)).unwrap()), 0);
    // A header that disagrees with the length: 0x142, as swtpm answers it.
    let mut bad = get_random(16);
    bad.push(0);
    assert_eq!(rc(&tpm.execute(0, &bad).unwrap()), TPM_RC_COMMAND_SIZE);
    assert_eq!(rc(&tpm.execute(0, &get_random(16)).unwrap()), 0);
}

#[test]
fn localities_switch() {
    let (_dir, _p, tpm) = launch("locality", false);
    for loc in [0, 3, 3, 1, 0] {
        assert_eq!(rc(&tpm.execute(loc, &get_random(4)).unwrap()), 0);
    }
    // Locality 5 does not exist: swtpm refuses SET_LOCALITY with TPM_BAD_LOCALITY.
    match tpm.execute(5, &get_random(4)) {
        Err(BackendError::Control { command, result }) => {
            assert_eq!((command, result), (0x05, 0x3d));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(rc(&tpm.execute(0, &get_random(4)).unwrap()), 0);
}

#[test]
fn established_flag() {
    let (_dir, _p, tpm) = launch("established", false);
    // A fresh swtpm has not run D-RTM (QEMU reads LOC_STATE 0x81: flag clear).
    assert!(!tpm.established().unwrap());
    tpm.reset_established(3).unwrap();
    assert!(!tpm.established().unwrap());
}

#[test]
fn cancel_does_not_break_anything() {
    let (_dir, _p, tpm) = launch("cancel", false);
    tpm.cancel().unwrap();
    assert_eq!(rc(&tpm.execute(0, &get_random(16)).unwrap()), 0);
    // Cancel from another thread while commands run.
    let tpm = Arc::new(tpm);
    let worker = {
        let tpm = Arc::clone(&tpm);
        std::thread::spawn(move || {
            for i in 0..20u8 {
                let rsp = tpm.execute(0, &get_random(16 + u16::from(i))).unwrap();
                assert_eq!(rc(&rsp), 0);
            }
        })
    };
    for _ in 0..10 {
        tpm.cancel().unwrap();
    }
    worker.join().unwrap();
}

#[test]
fn save_and_load_state_keeps_pcr() {
    let (_dir, _p, tpm) = launch("state", false);
    let digest: [u8; 32] = sha256(b"state").try_into().unwrap();
    assert_eq!(
        rc(&tpm.execute(0, &pcr_extend_sha256(16, &digest)).unwrap()),
        0
    );
    let value = read_pcr(&tpm, 16);
    assert_state_survives_power_cycle(&tpm, &value);
}

#[test]
fn state_moves_to_another_swtpm() {
    let (_dir, _p, a) = launch("migrate-a", false);
    let digest: [u8; 32] = sha256(b"migrate").try_into().unwrap();
    assert_eq!(
        rc(&a.execute(0, &pcr_extend_sha256(16, &digest)).unwrap()),
        0
    );
    let value = read_pcr(&a, 16);
    let state = a.save_state().unwrap();
    let (_dir2, _p2, b) = launch("migrate-b", false);
    b.load_state(&state).unwrap();
    assert_eq!(read_pcr(&b, 16), value);
}

#[test]
fn refuses_state_without_permanent_blob() {
    let (_dir, _p, tpm) = launch("badstate", false);
    let err = tpm
        .load_state(&vtrust_tpm_backend::BackendState::default())
        .unwrap_err();
    assert!(matches!(err, BackendError::InvalidState(_)), "{err:?}");
}

#[test]
fn refuses_state_swtpm_rejects() {
    let (_dir, _p, tpm) = launch("junkstate", false);
    let junk = vtrust_tpm_backend::BackendState {
        permanent: b"abc".to_vec(),
        ..Default::default()
    };
    let err = tpm.load_state(&junk).unwrap_err();
    assert!(matches!(err, BackendError::InvalidState(_)), "{err:?}");
}

#[test]
fn refuses_datafd_over_tcp_control() {
    // CMD_SET_DATAFD needs a unix socket; a TCP control endpoint without a data endpoint is
    // refused before anything is sent. (Nothing listens: the connect fails first otherwise,
    // so listen on a throwaway port that answers GET_CAPABILITY like swtpm.)
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    std::thread::spawn(move || {
        use std::io::{Read, Write};
        if let Ok((mut s, _)) = l.accept() {
            let mut b = [0u8; 4];
            let _ = s.read_exact(&mut b);
            let _ = s.write_all(&0xffffu64.to_be_bytes());
            let _ = s.read(&mut b);
        }
    });
    let err = SwtpmBackend::connect(Endpoint::Tcp(addr), None).unwrap_err();
    assert!(matches!(err, BackendError::Unsupported(_)), "{err:?}");
}

#[test]
fn refuses_connect_when_nothing_listens() {
    let dir = TempDir::new("nolisten");
    let err =
        SwtpmBackend::connect(Endpoint::Unix(dir.path().join("none.sock")), None).unwrap_err();
    assert!(matches!(err, BackendError::Io { .. }), "{err:?}");
}

#[test]
fn killed_mid_command_then_restarted() {
    ensure_swtpm();
    let dir = TempDir::new("kill");
    let mut process = SwtpmProcess::spawn(dir.path()).unwrap();
    let (ctrl, data) = process.paths().endpoints();
    let mut config = SwtpmConfig::new(ctrl, data);
    config.command_timeout = Duration::from_secs(120);
    let tpm = Arc::new(SwtpmBackend::with_config(config).unwrap());
    assert_eq!(rc(&tpm.execute(0, &startup_clear()).unwrap()), 0);

    let mut interrupted = false;
    for attempt in 0u8..10 {
        let worker = {
            let tpm = Arc::clone(&tpm);
            std::thread::spawn(move || {
                let started = Instant::now();
                let r = tpm.execute(0, &create_primary_rsa(&[attempt; 8]));
                (r, started.elapsed())
            })
        };
        std::thread::sleep(Duration::from_millis(3));
        process.kill().unwrap();
        let (result, took) = worker.join().unwrap();
        match result {
            Err(e) => {
                // The command in flight fails with a backend error (never a panic or hang).
                assert!(
                    matches!(e, BackendError::NotRunning(_) | BackendError::Io { .. }),
                    "{e:?}"
                );
                assert!(took < Duration::from_secs(10));
                interrupted = true;
            }
            Ok(rsp) => {
                // The key was made before the kill landed; try again.
                assert_eq!(rc(&rsp), 0);
            }
        }
        // While swtpm is down, commands fail.
        assert!(tpm.execute(0, &get_random(8)).is_err());
        // Restart on the same sockets and state: the next command reconnects and succeeds.
        process = SwtpmProcess::spawn(dir.path()).unwrap();
        let rsp = tpm.execute(0, &startup_clear()).unwrap();
        assert_eq!(rc(&rsp), 0, "{rsp:02x?}");
        assert_eq!(rc(&tpm.execute(0, &get_random(16)).unwrap()), 0);
        if interrupted {
            break;
        }
    }
    assert!(interrupted, "swtpm never was killed while a command ran");
}

#[test]
fn shutdown_command_ends_swtpm() {
    let (_dir, mut p, tpm) = launch("shutdown", false);
    drop(tpm);
    // Send CMD_SHUTDOWN by hand over a fresh control connection.
    use std::io::{Read, Write};
    let mut s = std::os::unix::net::UnixStream::connect(&p.paths().ctrl).unwrap();
    s.write_all(&[0, 0, 0, 3]).unwrap();
    let mut r = [0u8; 4];
    s.read_exact(&mut r).unwrap();
    assert_eq!(r, [0, 0, 0, 0]);
    assert!(p.wait_exit(Duration::from_secs(5)));
}

/// A backend behind our server that misbehaves on the data channel: slow, or answering with a
/// header whose size is below 10.
struct Misbehaving {
    slow: bool,
}

impl TpmBackend for Misbehaving {
    fn name(&self) -> &str {
        "misbehaving"
    }
    fn init(&self, _: InitOptions) -> Result<usize, BackendError> {
        Ok(4096)
    }
    fn buffer_size(&self) -> usize {
        4096
    }
    fn execute(&self, _: u8, _: &[u8]) -> Result<Vec<u8>, BackendError> {
        if self.slow {
            std::thread::sleep(Duration::from_secs(2));
        }
        Ok(vec![0x80, 0x01, 0, 0, 0, 5, 0, 0, 0, 0])
    }
    fn cancel(&self) -> Result<(), BackendError> {
        Ok(())
    }
    fn established(&self) -> Result<bool, BackendError> {
        Ok(false)
    }
    fn reset_established(&self, _: u8) -> Result<(), BackendError> {
        Ok(())
    }
    fn reset(&self) -> Result<(), BackendError> {
        Ok(())
    }
    fn save_state(&self) -> Result<vtrust_tpm_backend::BackendState, BackendError> {
        Ok(vtrust_tpm_backend::BackendState::default())
    }
    fn load_state(&self, _: &vtrust_tpm_backend::BackendState) -> Result<(), BackendError> {
        Ok(())
    }
}

fn misbehaving_peer(dir: &TempDir, slow: bool) -> vtrust_tpm_backend::server::ServerHandle {
    use vtrust_tpm_backend::server::{Server, ServerConfig};
    let config = ServerConfig {
        ctrl: Endpoint::Unix(dir.path().join("ctrl.sock")),
        data: None,
    };
    let (handle, _thread) = Server::new(Arc::new(Misbehaving { slow }), config)
        .unwrap()
        .spawn();
    handle
}

#[test]
fn refuses_to_wait_past_the_command_timeout() {
    let dir = TempDir::new("timeout");
    let peer = misbehaving_peer(&dir, true);
    let mut config = SwtpmConfig::new(peer.ctrl_endpoint().clone(), None);
    config.command_timeout = Duration::from_millis(200);
    let tpm = SwtpmBackend::with_config(config).unwrap();
    let started = Instant::now();
    match tpm.execute(0, &get_random(8)) {
        Err(BackendError::Timeout { what, millis }) => {
            assert_eq!((what, millis), ("TPM response", 200));
        }
        other => panic!("{other:?}"),
    }
    assert!(started.elapsed() < Duration::from_secs(2));
    // The late reply must not be taken for the next command's: the link was dropped.
    assert!(!tpm.is_connected());
    peer.shutdown();
}

#[test]
fn refuses_response_with_size_below_header() {
    let dir = TempDir::new("badrsp");
    let peer = misbehaving_peer(&dir, false);
    let tpm = SwtpmBackend::connect(peer.ctrl_endpoint().clone(), None).unwrap();
    match tpm.execute(0, &get_random(8)) {
        Err(BackendError::Malformed { what, .. }) => assert_eq!(what, "TPM response header"),
        other => panic!("{other:?}"),
    }
    peer.shutdown();
}

/// A scripted swtpm control peer that records every request and answers as swtpm 0.7.1 does
/// (shared/tpm-crb.md §3/§4); the data channel it receives with SET_DATAFD answers every
/// command with a 10-byte success response.
fn recording_peer(path: std::path::PathBuf) -> Arc<std::sync::Mutex<Vec<Vec<u8>>>> {
    use std::io::{Read, Write};
    use std::os::unix::net::{UnixListener, UnixStream};
    use vmm_sys_util::sock_ctrl_msg::ScmSocket;
    let log = Arc::new(std::sync::Mutex::new(Vec::new()));
    let listener = UnixListener::bind(path).unwrap();
    let seen = Arc::clone(&log);
    std::thread::spawn(move || {
        let (mut c, _) = listener.accept().unwrap();
        loop {
            let mut buf = [0u8; 64];
            let (n, file) = match c.recv_with_fd(&mut buf) {
                Ok((0, _)) | Err(_) => return,
                Ok(r) => r,
            };
            let req = buf[..n].to_vec();
            seen.lock().unwrap().push(req.clone());
            let reply: Vec<u8> = match req[3] {
                0x01 => 0xffffu64.to_be_bytes().to_vec(),
                0x11 => {
                    let size = u32::from_be_bytes(req[4..8].try_into().unwrap());
                    let size = if size == 0 { 4096 } else { size };
                    [0, size, 2808, 4096]
                        .iter()
                        .flat_map(|v: &u32| v.to_be_bytes())
                        .collect()
                }
                0x10 => {
                    let mut data = UnixStream::from(std::os::fd::OwnedFd::from(file.unwrap()));
                    std::thread::spawn(move || {
                        let mut cmd = [0u8; 4096];
                        while let Ok(n) = data.read(&mut cmd) {
                            if n == 0 {
                                return;
                            }
                            let _ = data.write_all(&[0x80, 1, 0, 0, 0, 10, 0, 0, 0, 0]);
                        }
                    });
                    vec![0; 4]
                }
                _ => vec![0; 4],
            };
            c.write_all(&reply).unwrap();
        }
    });
    log
}

#[test]
fn startup_sequence_and_locality_cache_as_qemu() {
    let dir = TempDir::new("sequence");
    let path = dir.path().join("ctrl.sock");
    let log = recording_peer(path.clone());
    let mut config = SwtpmConfig::new(Endpoint::Unix(path), None);
    config.init.buffer_size = Some(3968);
    let tpm = SwtpmBackend::with_config(config).unwrap();
    assert_eq!(tpm.buffer_size(), 3968);
    for loc in [2, 2, 2, 0, 0] {
        assert_eq!(rc(&tpm.execute(loc, &get_random(8)).unwrap()), 0);
    }
    let expected: Vec<Vec<u8>> = vec![
        vec![0, 0, 0, 0x01],                   // GET_CAPABILITY
        vec![0, 0, 0, 0x10],                   // SET_DATAFD (+ SCM_RIGHTS)
        vec![0, 0, 0, 0x0e],                   // STOP
        vec![0, 0, 0, 0x11, 0, 0, 0, 0],       // SET_BUFFERSIZE(0): query
        vec![0, 0, 0, 0x11, 0, 0, 0x0f, 0x80], // SET_BUFFERSIZE(3968)
        vec![0, 0, 0, 0x02, 0, 0, 0, 0],       // INIT
        vec![0, 0, 0, 0x05, 2],                // SET_LOCALITY(2), once
        vec![0, 0, 0, 0x05, 0],                // SET_LOCALITY(0), once
    ];
    assert_eq!(*log.lock().unwrap(), expected);
}
