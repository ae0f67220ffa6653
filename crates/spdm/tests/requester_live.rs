//! Live smoke test against libspdm's `spdm_responder_emu` (built outside the repository at
//! `/opt/spdm-interop`, see its README). `#[ignore]`d: CI uses the replay tests instead.
//! Run with `cargo test -p vtrust-spdm --test requester_live -- --ignored`; each test skips
//! (passes with a note) when the emulator is absent.
//!
//! Each test starts one responder (from its bin directory, `--ip 127.0.0.1`, the
//! `libnodelay.so` shim), connects with `TcpTransport` and the transport binding, runs
//! [`vtrust_spdm::requester::run`] and ends with SHUTDOWN (the responder then exits; it is
//! killed by handle if it has not).

mod requester_support;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use requester_support::{CAPTURE_DAY_UNIX, sample, split_der};
use vtrust_crypto::CryptoProvider;
use vtrust_spdm::cert::{Timestamp, TrustAnchor};
use vtrust_spdm::codec::SpdmVersion;
use vtrust_spdm::requester::{Exchange, RequesterConfig, run};
use vtrust_spdm_transport::binding::{AnyBinding, Binding, Message};
use vtrust_spdm_transport::{FrameTransport, SocketConfig, SocketTransport, TcpTransport};

const BIN: &str = "/opt/spdm-interop/bin";

struct Live {
    transport: TcpTransport,
    binding: AnyBinding,
    /// Request codes sent, in order.
    sent: Vec<u8>,
}

impl Exchange for Live {
    type Error = String;
    fn exchange(&mut self, request: &[u8]) -> Result<Vec<u8>, String> {
        self.sent.push(request.get(1).copied().unwrap_or(0));
        let frame = self
            .binding
            .to_vec(Message::Spdm(request))
            .map_err(|e| e.to_string())?;
        self.transport.send(&frame).map_err(|e| e.to_string())?;
        let reply = self.transport.recv().map_err(|e| e.to_string())?;
        match self
            .binding
            .decode(&reply)
            .map_err(|e| e.to_string())?
            .message
        {
            Message::Spdm(body) => Ok(body.to_vec()),
            other => Err(format!("not an SPDM message: {other:?}")),
        }
    }
}

struct Responder(Child);

impl Drop for Responder {
    fn drop(&mut self) {
        // Only the child we started, by its handle.
        let deadline = Instant::now() + Duration::from_secs(2);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.0.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn anchors(dir: &str) -> Vec<TrustAnchor> {
    [
        "bundle_responder.certchain.der",
        "bundle_responder.certchain1.der",
    ]
    .iter()
    .map(|f| TrustAnchor::from_der(&split_der(&sample(&format!("{dir}/{f}")))[0]).unwrap())
    .collect()
}

fn attest(port: u16, socket: SocketTransport, config: RequesterConfig) -> Vec<u8> {
    let started = Instant::now();
    let transport =
        TcpTransport::connect(("127.0.0.1", port), &SocketConfig::new(socket)).expect("connect");
    let binding = AnyBinding::for_kind(socket.kind()).unwrap();
    let mut live = Live {
        transport,
        binding,
        sent: Vec::new(),
    };
    let provider = CryptoProvider::new();
    let result = run(&mut live, &provider, config);
    let _ = live.transport.shutdown();
    let a = result.expect("attestation");
    eprintln!(
        "authenticated: SPDM {:?}, {:?}, {} measurement blocks, {} signature(s), {:?}",
        a.negotiated.version,
        a.negotiated.asym.map(|s| s.alg),
        a.measurements.len(),
        1 + a.measurement_signatures.len(),
        started.elapsed()
    );
    assert!(a.challenge.is_some());
    assert!(!a.measurements.is_empty());
    live.sent
}

/// Starts the responder and waits for its port without connecting (a probe connection
/// would make spdm-emu exit).
fn start_once(port: u16, args: &[&str]) -> Option<Responder> {
    let exe = Path::new(BIN).join("spdm_responder_emu");
    if !exe.exists() {
        eprintln!("skipped: {} not found", exe.display());
        return None;
    }
    let child = Command::new(exe)
        .current_dir(BIN)
        .env("LD_PRELOAD", format!("{BIN}/libnodelay.so"))
        .args(["--ip", "127.0.0.1", "--port", &port.to_string()])
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn responder");
    let r = Responder(child);
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let listening = std::fs::read_to_string("/proc/net/tcp")
            .map(|t| {
                let hex = format!(":{port:04X} ");
                t.lines()
                    .any(|l| l.contains(&format!("0100007F{hex}")) && l.contains(" 0A "))
            })
            .unwrap_or(false);
        if listening {
            return Some(r);
        }
        assert!(Instant::now() < deadline, "responder did not listen");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
#[ignore = "needs /opt/spdm-interop (libspdm spdm_responder_emu); CI uses the replay tests"]
fn live_mctp_1_2_p384_authenticates() {
    let port = 23461;
    let Some(_r) = start_once(
        port,
        &[
            "--trans",
            "MCTP",
            "--ver",
            "1.2",
            "--asym",
            "ECDSA_P384",
            "--hash",
            "SHA_384",
            "--meas_hash",
            "SHA_384",
            "--dhe",
            "SECP_384_R1",
            "--aead",
            "AES_256_GCM",
            "--cap",
            "CERT,CHAL,MEAS_SIG,ENCRYPT,MAC,KEY_EX",
            "--basic_mut_auth",
            "NO",
            "--mut_auth",
            "NO",
        ],
    ) else {
        return;
    };
    let mut config = RequesterConfig::new(
        SpdmVersion::V12,
        anchors("ecp384"),
        Timestamp::from_unix(CAPTURE_DAY_UNIX),
    );
    config.min_version = SpdmVersion::V12;
    // Both slots, each challenged: after CHALLENGE_AUTH, B and C reset on both sides
    // (libspdm `libspdm_verify_challenge_auth_signature` / `..._generate_...`).
    config.plan = vec![
        vtrust_spdm::requester::Step::Digests,
        vtrust_spdm::requester::Step::Certificate(0),
        vtrust_spdm::requester::Step::Certificate(1),
        vtrust_spdm::requester::Step::Challenge(0),
        vtrust_spdm::requester::Step::Challenge(1),
        vtrust_spdm::requester::Step::Measurements,
    ];
    let _ = attest(port, SocketTransport::SPDM_EMU_MCTP, config);
}

#[test]
#[ignore = "needs /opt/spdm-interop (libspdm spdm_responder_emu); CI uses the replay tests"]
fn live_doe_1_3_p256_authenticates() {
    let port = 23462;
    let Some(_r) = start_once(
        port,
        &[
            "--trans",
            "PCI_DOE",
            "--ver",
            "1.3",
            "--asym",
            "ECDSA_P256",
            "--hash",
            "SHA_256",
            "--meas_hash",
            "SHA_256",
            "--dhe",
            "SECP_256_R1",
            "--aead",
            "AES_256_GCM",
            "--cap",
            "CERT,CHAL,MEAS_SIG,ENCRYPT,MAC,KEY_EX",
            "--basic_mut_auth",
            "NO",
            "--mut_auth",
            "NO",
        ],
    ) else {
        return;
    };
    let mut config = RequesterConfig::new(
        SpdmVersion::V13,
        anchors("ecp256"),
        Timestamp::from_unix(CAPTURE_DAY_UNIX),
    );
    config.max_padding = 3;
    config.challenge_context = *b"vtrust-c";
    config.measurements_context = *b"vtrust-m";
    let _ = attest(port, SocketTransport::SPDM_EMU_PCI_DOE, config);
}

#[test]
#[ignore = "needs /opt/spdm-interop (libspdm spdm_responder_emu); CI uses the replay tests"]
fn live_mctp_1_2_measurements_one_index_at_a_time_signed_last() {
    let port = 23463;
    let Some(_r) = start_once(
        port,
        &[
            "--trans",
            "MCTP",
            "--ver",
            "1.2",
            "--asym",
            "ECDSA_P384",
            "--hash",
            "SHA_384",
            "--meas_hash",
            "SHA_384",
            "--dhe",
            "SECP_384_R1",
            "--aead",
            "AES_256_GCM",
            "--cap",
            "CERT,CHAL,MEAS_SIG,ENCRYPT,MAC,KEY_EX",
            "--basic_mut_auth",
            "NO",
            "--mut_auth",
            "NO",
        ],
    ) else {
        return;
    };
    let mut config = RequesterConfig::new(
        SpdmVersion::V12,
        anchors("ecp384"),
        Timestamp::from_unix(CAPTURE_DAY_UNIX),
    );
    config.measurements = vtrust_spdm::requester::MeasurementPlan::Indices {
        indices: vec![1, 2, 3, 4, 0x10],
        sign_each: false,
    };
    let _ = attest(port, SocketTransport::SPDM_EMU_MCTP, config);
}

#[test]
#[ignore = "needs /opt/spdm-interop (libspdm spdm_responder_emu); CI uses the replay tests"]
fn live_mctp_1_2_certificate_in_several_portions() {
    let port = 23464;
    let Some(_r) = start_once(
        port,
        &[
            "--trans",
            "MCTP",
            "--ver",
            "1.2",
            "--asym",
            "ECDSA_P384",
            "--hash",
            "SHA_384",
            "--meas_hash",
            "SHA_384",
            "--dhe",
            "SECP_384_R1",
            "--aead",
            "AES_256_GCM",
            "--cap",
            "CERT,CHAL,MEAS_SIG,ENCRYPT,MAC,KEY_EX",
            "--basic_mut_auth",
            "NO",
            "--mut_auth",
            "NO",
        ],
    ) else {
        return;
    };
    let mut config = RequesterConfig::new(
        SpdmVersion::V12,
        anchors("ecp384"),
        Timestamp::from_unix(CAPTURE_DAY_UNIX),
    );
    // 600 - 8 bytes per portion: the 1591-byte chain comes in 3 GET_CERTIFICATE rounds.
    config.data_transfer_size = 600;
    config.max_spdm_msg_size = 600;
    let sent = attest(port, SocketTransport::SPDM_EMU_MCTP, config);
    assert_eq!(sent.iter().filter(|&&c| c == 0x82).count(), 3);
}

#[test]
#[ignore = "needs /opt/spdm-interop (libspdm spdm_responder_emu); CI uses the replay tests"]
fn live_mctp_1_1_and_1_0_authenticate_without_signing_prefix() {
    for (port, ver, version) in [
        (23465, "1.1", SpdmVersion::V11),
        (23466, "1.0", SpdmVersion::V10),
    ] {
        let cap = if version == SpdmVersion::V10 {
            "CERT,CHAL,MEAS_SIG"
        } else {
            "CERT,CHAL,MEAS_SIG,ENCRYPT,MAC,KEY_EX"
        };
        let Some(_r) = start_once(
            port,
            &[
                "--trans",
                "MCTP",
                "--ver",
                ver,
                "--asym",
                "ECDSA_P384",
                "--hash",
                "SHA_384",
                "--meas_hash",
                "SHA_384",
                "--dhe",
                "SECP_384_R1",
                "--aead",
                "AES_256_GCM",
                "--cap",
                cap,
                "--basic_mut_auth",
                "NO",
                "--mut_auth",
                "NO",
            ],
        ) else {
            return;
        };
        let config = RequesterConfig::new(
            version,
            anchors("ecp384"),
            Timestamp::from_unix(CAPTURE_DAY_UNIX),
        );
        let _ = attest(port, SocketTransport::SPDM_EMU_MCTP, config);
    }
}

#[test]
#[ignore = "needs /opt/spdm-interop (libspdm spdm_responder_emu); CI uses the replay tests"]
fn live_mctp_1_4_mldsa65_without_chunking() {
    let port = 23467;
    // No CHUNK_CAP on either side: the 16.8 KB chain comes by offset/length.
    let Some(_r) = start_once(
        port,
        &[
            "--trans",
            "MCTP",
            "--ver",
            "1.4",
            "--pqc_asym",
            "ML_DSA_65",
            "--kem",
            "ML_KEM_768",
            "--pqc_first",
            "TRUE",
            "--hash",
            "SHA_384",
            "--meas_hash",
            "SHA_384",
            "--aead",
            "AES_256_GCM",
            "--cap",
            "CERT,CHAL,MEAS_SIG,ENCRYPT,MAC,KEY_EX",
            "--basic_mut_auth",
            "NO",
            "--mut_auth",
            "NO",
        ],
    ) else {
        return;
    };
    let config = RequesterConfig::new(
        SpdmVersion::V14,
        anchors("mldsa65"),
        Timestamp::from_unix(CAPTURE_DAY_UNIX),
    );
    let sent = attest(port, SocketTransport::SPDM_EMU_MCTP, config);
    assert!(sent.iter().filter(|&&c| c == 0x82).count() >= 4);
}
