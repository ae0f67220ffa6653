//! `vtrust spdm` as a user runs it: the emulated device (`responder --once` on an ephemeral
//! port), its exported root, and the attester against it; hostile arguments.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_vtrust");

/// A scratch directory removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("vtrust-spdm-cli-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch dir");
        Self(dir)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    fn state(&self) -> String {
        self.path("state").display().to_string()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A responder we started; killed by its handle if it has not exited.
struct Device {
    child: Child,
    addr: String,
    /// Kept open: the responder prints more lines.
    _stdout: BufReader<std::process::ChildStdout>,
}

impl Device {
    /// `vtrust spdm responder --listen 127.0.0.1:0 --once ARGS`; reads the bound address
    /// from the first stdout line.
    fn start(args: &[&str]) -> Self {
        let mut child = Command::new(BIN)
            .args(["spdm", "responder", "--listen", "127.0.0.1:0", "--once"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start responder");
        let stdout = child.stdout.take().expect("stdout");
        let mut first = String::new();
        let mut reader = BufReader::new(stdout);
        reader.read_line(&mut first).expect("first line");
        let addr = first
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
            .to_owned();
        Self {
            child,
            addr,
            _stdout: reader,
        }
    }

    /// Waits (bounded) for the responder to exit after its one connection.
    fn wait_success(mut self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                assert!(status.success(), "responder exited with {status}");
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("responder still running after its --once connection");
    }
}

impl Drop for Device {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn vtrust(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().expect("run vtrust")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `vtrust spdm root [ALG] --state-dir STATE --out FILE`.
fn export_root(scratch: &Scratch, alg: &[&str], file: &str) -> PathBuf {
    let out = scratch.path(file);
    let state = scratch.state();
    let mut args = vec!["spdm", "root", "--state-dir", &state];
    args.extend_from_slice(alg);
    let out_str = out.display().to_string();
    args.extend_from_slice(&["--out", &out_str]);
    let run = vtrust(&args);
    assert!(run.status.success(), "{}", text(&run.stderr));
    out
}

fn attest(device: &Device, extra: &[&str]) -> Output {
    let mut args = vec!["spdm", "attest", "--connect", &device.addr];
    args.extend_from_slice(extra);
    vtrust(&args)
}

fn authenticates(alg: &[&str], transport: &str, name: &str) {
    let scratch = Scratch::new(name);
    let root = export_root(&scratch, alg, "root.der");
    let state = scratch.state();
    let mut args = vec!["--state-dir", &state, "--transport", transport];
    args.extend_from_slice(alg);
    let device = Device::start(&args);
    let json = scratch.path("evidence.json");
    let out = attest(
        &device,
        &[
            "--transport",
            transport,
            "--trust",
            &root.display().to_string(),
            "--json",
            &json.display().to_string(),
        ],
    );
    let report = text(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{report}\n{}",
        text(&out.stderr)
    );
    assert!(report.contains("verdict: AUTHENTICATED"), "{report}");
    assert!(report.contains("Measurements ("), "{report}");
    assert!(report.contains("Timings"), "{report}");
    device.wait_success();
    let evidence: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&json).expect("evidence")).expect("JSON");
    assert_eq!(evidence["format"], "vtrust-spdm-evidence");
    assert_eq!(evidence["authenticated"], true);
    assert_eq!(evidence["negotiated"]["version"], "1.4");
    assert!(
        !evidence["measurements"]
            .as_array()
            .expect("measurements")
            .is_empty()
    );
    let chain = evidence["slots"][0]["chain"].as_str().expect("chain hex");
    assert!(chain.len() > 100);
    assert!(evidence["measurement_signatures"][0]["transcript"]["messages"].is_array());
}

#[test]
fn attests_the_p384_device() {
    authenticates(&[], "mctp", "p384");
}

#[test]
fn attests_the_pqc_device() {
    authenticates(&["--pqc"], "mctp", "pqc");
}

#[test]
fn attests_over_pci_doe_with_discovery() {
    let scratch = Scratch::new("doe");
    let root = export_root(&scratch, &[], "root.der");
    let state = scratch.state();
    let device = Device::start(&["--state-dir", &state, "--transport", "doe"]);
    let out = attest(
        &device,
        &[
            "--transport",
            "doe",
            "--trust",
            &root.display().to_string(),
            "--nonce",
            &"5a".repeat(32),
        ],
    );
    let report = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{report}");
    assert!(
        report.contains("DOE discovery: DOE discovery, CMA/SPDM"),
        "{report}"
    );
    assert!(report.contains("nonce fixed by --nonce"), "{report}");
    assert!(report.contains("5a5a5a5a"), "{report}");
    device.wait_success();
}

#[test]
fn wrong_trust_anchor_is_not_authenticated() {
    let scratch = Scratch::new("wrong-anchor");
    // The ML-DSA-87 device's root does not anchor the P-384 device.
    let other_root = export_root(&scratch, &["--pqc"], "pqc-root.der");
    let state = scratch.state();
    let device = Device::start(&["--state-dir", &state]);
    let out = attest(&device, &["--trust", &other_root.display().to_string()]);
    let report = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{report}");
    assert!(report.contains("verdict: NOT AUTHENTICATED"), "{report}");
    assert!(report.contains("trust anchor"), "{report}");
    device.wait_success();
}

#[test]
fn the_built_in_identity_is_kept_and_regenerated_when_corrupt() {
    let scratch = Scratch::new("state");
    let a = std::fs::read(export_root(&scratch, &[], "a.der")).unwrap();
    let b = std::fs::read(export_root(&scratch, &[], "b.der")).unwrap();
    assert_eq!(a, b, "the root changed between runs");
    let key = Path::new(&scratch.state()).join("spdm/p384/key.p8");
    std::fs::write(&key, b"not a key").unwrap();
    let state = scratch.state();
    let out_c = scratch.path("c.der").display().to_string();
    let run = vtrust(&["spdm", "root", "--state-dir", &state, "--out", &out_c]);
    assert!(run.status.success());
    assert!(
        text(&run.stderr).contains("unusable"),
        "{}",
        text(&run.stderr)
    );
    assert_ne!(std::fs::read(&out_c).unwrap(), a);
}

#[test]
fn bad_nonce_is_a_usage_error() {
    for (nonce, why) in [("xyz", "not hexadecimal"), ("abcd", "32 bytes")] {
        let out = vtrust(&[
            "spdm",
            "attest",
            "--connect",
            "127.0.0.1:1",
            "--nonce",
            nonce,
        ]);
        assert_eq!(out.status.code(), Some(2));
        let err = text(&out.stderr);
        assert!(err.contains("--nonce") && err.contains(why), "{err}");
    }
}

#[test]
fn unknown_transport_is_a_usage_error() {
    let out = vtrust(&[
        "spdm",
        "attest",
        "--connect",
        "127.0.0.1:1",
        "--transport",
        "carrier-pigeon",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("--transport") && err.contains("mctp"), "{err}");
}

#[test]
fn missing_files_fail_clearly() {
    let out = vtrust(&[
        "spdm",
        "attest",
        "--connect",
        "127.0.0.1:1",
        "--trust",
        "/nonexistent/root.der",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("Reading trust anchor /nonexistent/root.der"),
        "{err}"
    );
    let scratch = Scratch::new("missing");
    let state = scratch.state();
    let out = vtrust(&[
        "spdm",
        "responder",
        "--listen",
        "127.0.0.1:0",
        "--state-dir",
        &state,
        "--measurements",
        "/nonexistent/m.toml",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("/nonexistent/m.toml"));
}

#[test]
fn unreachable_device_fails() {
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = free.local_addr().unwrap().to_string();
    drop(free);
    let out = vtrust(&["spdm", "attest", "--connect", &addr]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("Connecting to"));
}

#[test]
fn tour_attests_both_emulated_devices() {
    let out = vtrust(&["tour"]);
    let report = text(&out.stdout);
    assert!(out.status.success(), "{report}");
    assert!(report.contains("[2] SPDM"), "{report}");
    assert!(report.contains("ML-DSA-87 (PqcAsymSel)"), "{report}");
    assert!(report.contains("2 of 2 devices authenticated"), "{report}");
}
