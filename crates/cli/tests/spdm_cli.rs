//! `vtrust spdm` as a user runs it: the emulated device (`responder --once` on an ephemeral
//! port), its exported root, and the attester against it; hostile arguments.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{Device, Scratch, text, vtrust};

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
    let report = assert_authenticated(&out);
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

/// Asserts `vtrust spdm attest` exited 0 with the AUTHENTICATED verdict; returns its report.
fn assert_authenticated(out: &std::process::Output) -> String {
    let report = text(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{report}\n{}",
        text(&out.stderr)
    );
    assert!(report.contains("verdict: AUTHENTICATED"), "{report}");
    report
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

#[test]
fn attests_with_chunk_get_under_a_small_data_transfer_size() {
    // ML-DSA-87: the ~16 KiB chain and the 4.8 KiB CHALLENGE_AUTH exceed 1024 bytes, so the
    // device answers ERROR(LargeResponse) and the attester fetches them with CHUNK_GET.
    let scratch = Scratch::new("chunk");
    let root = export_root(&scratch, &["--pqc"], "root.der");
    let state = scratch.state();
    let device = Device::start(&["--state-dir", &state, "--pqc"]);
    let json = scratch.path("evidence.json");
    let out = attest(
        &device,
        &[
            "--trust",
            &root.display().to_string(),
            "--data-transfer-size",
            "1024",
            "--version",
            "1.4",
            "--json",
            &json.display().to_string(),
        ],
    );
    assert_authenticated(&out);
    device.wait_success();
    let evidence: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&json).expect("evidence")).expect("JSON");
    let flags = evidence["negotiated"]["requester_flags"].as_u64().unwrap();
    assert_ne!(flags & 0x2_0000, 0, "CHUNK_CAP set: {flags:#x}");
    let flags = evidence["negotiated"]["responder_flags"].as_u64().unwrap();
    assert_ne!(
        flags & 0x2_0000,
        0,
        "the device offers CHUNK_CAP: {flags:#x}"
    );
}

#[test]
fn attest_version_range_caps_the_negotiated_version() {
    let scratch = Scratch::new("version-range");
    let root = export_root(&scratch, &[], "root.der");
    let state = scratch.state();
    let device = Device::start(&["--state-dir", &state]);
    let json = scratch.path("evidence.json");
    let out = attest(
        &device,
        &[
            "--trust",
            &root.display().to_string(),
            "--version",
            "..1.2",
            "--json",
            &json.display().to_string(),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    device.wait_success();
    let evidence: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&json).expect("evidence")).expect("JSON");
    assert_eq!(evidence["negotiated"]["version"], "1.2");
}

#[test]
fn attest_refuses_a_gap_in_versions_and_a_tiny_transfer_size() {
    let gap = vtrust(&[
        "spdm",
        "attest",
        "--connect",
        "127.0.0.1:1",
        "--version",
        "1.1",
        "--version",
        "1.3",
    ]);
    assert_eq!(gap.status.code(), Some(1), "{}", text(&gap.stderr));
    assert!(
        text(&gap.stderr).contains("contiguous"),
        "{}",
        text(&gap.stderr)
    );
    let tiny = vtrust(&[
        "spdm",
        "attest",
        "--connect",
        "127.0.0.1:1",
        "--data-transfer-size",
        "41",
    ]);
    assert_eq!(tiny.status.code(), Some(2), "{}", text(&tiny.stderr));
}

const SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/spdm/sample_key/ecp384/"
);

/// The first DER certificate of a concatenation (the chain's root).
fn first_cert(chain: &[u8]) -> Vec<u8> {
    let len = usize::from(u16::from_be_bytes([chain[2], chain[3]])) + 4;
    chain[..len].to_vec()
}

#[test]
fn serves_several_slots_and_attests_the_one_asked() {
    // libspdm's two sample chains (different roots, same leaf key) in slots 0 and 1.
    let scratch = Scratch::new("slots");
    let chain0 = format!("{SAMPLE}bundle_responder.certchain.der");
    let chain1 = format!("{SAMPLE}bundle_responder.certchain1.der");
    let key = format!("{SAMPLE}end_responder.key.der");
    let root1 = scratch.path("root1.der");
    std::fs::write(&root1, first_cert(&std::fs::read(&chain1).unwrap())).unwrap();
    let root1 = root1.display().to_string();
    let device = Device::start(&[
        "--asym", "p384", "--slot", "0", "--chain", &chain0, "--key", &key, "--slot", "1",
        "--chain", &chain1, "--key", &key,
    ]);
    let out = attest(&device, &["--slot", "1", "--trust", &root1]);
    let report = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{report}{}", text(&out.stderr));
    assert!(report.contains("Certificate chain, slot 1"), "{report}");
    device.wait_success();

    // Slot 0's root does not anchor slot 1.
    let device = Device::start(&[
        "--asym", "p384", "--slot", "0", "--chain", &chain0, "--key", &key, "--slot", "1",
        "--chain", &chain1, "--key", &key,
    ]);
    let root0 = format!("{SAMPLE}ca.cert.der");
    let out = attest(&device, &["--slot", "1", "--trust", &root0]);
    assert_ne!(out.status.code(), Some(0), "{}", text(&out.stdout));
}

#[test]
fn refuses_mismatched_slot_chain_and_key_lists() {
    let chain0 = format!("{SAMPLE}bundle_responder.certchain.der");
    let key = format!("{SAMPLE}end_responder.key.der");
    let cases: [&[&str]; 3] = [
        // Two chains, one key.
        &["--chain", &chain0, "--key", &key, "--chain", &chain0],
        // Two chains without slots.
        &[
            "--chain", &chain0, "--key", &key, "--chain", &chain0, "--key", &key,
        ],
        // The same slot twice.
        &[
            "--slot", "2", "--chain", &chain0, "--key", &key, "--slot", "2", "--chain", &chain0,
            "--key", &key,
        ],
    ];
    for extra in cases {
        let mut args = vec![
            "spdm",
            "responder",
            "--listen",
            "127.0.0.1:0",
            "--asym",
            "p384",
        ];
        args.extend_from_slice(extra);
        let out = vtrust(&args);
        assert_ne!(out.status.code(), Some(0), "{extra:?}");
        let err = text(&out.stderr);
        assert!(
            err.contains("--key") || err.contains("--slot"),
            "{extra:?}: {err}"
        );
    }
}
