//! `vtrust spdm verify`: evidence from a real `attest --json` verifies offline; every one-byte
//! change to an authenticated field, a wrong trust anchor and a wrong `--nonce` fail.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{Device, Scratch, text, vtrust};

use serde_json::Value;

const NONCE: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/// Fields no signature covers (documented as informational in `spdm_cmd/verify.rs`): a change
/// there cannot be detected offline, so the mutation loop skips them.
const UNAUTHENTICATED: &[&str] = &[
    "/peer",
    "/transport",
    "/nonce_fixed",
    "/doe_protocols",
    "/timings",
    "/total_micros",
];

/// Exports the root of `alg`, attests a fresh responder and returns (root, evidence).
fn collect(scratch: &Scratch, alg: &[&str], tag: &str, nonce: Option<&str>) -> (PathBuf, PathBuf) {
    let state = scratch.path("state").display().to_string();
    let root = scratch.path(&format!("{tag}-root.der"));
    let root_s = root.display().to_string();
    let mut args = vec!["spdm", "root", "--state-dir", &state, "--out", &root_s];
    args.extend_from_slice(alg);
    let run = vtrust(&args);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let mut dev_args = vec!["--state-dir", state.as_str()];
    dev_args.extend_from_slice(alg);
    let device = Device::start(&dev_args);
    let json = scratch.path(&format!("{tag}-evidence.json"));
    let json_s = json.display().to_string();
    let mut args = vec![
        "spdm",
        "attest",
        "--connect",
        &device.addr,
        "--trust",
        &root_s,
        "--json",
        &json_s,
    ];
    if let Some(n) = nonce {
        args.extend_from_slice(&["--nonce", n]);
    }
    let out = vtrust(&args);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    device.wait_success();
    (root, json)
}

fn verify(evidence: &Path, roots: &[&Path], extra: &[&str]) -> Output {
    let evidence = evidence.display().to_string();
    let roots: Vec<String> = roots.iter().map(|r| r.display().to_string()).collect();
    let mut args = vec!["spdm", "verify", evidence.as_str()];
    for r in &roots {
        args.extend_from_slice(&["--trust", r]);
    }
    args.extend_from_slice(extra);
    vtrust(&args)
}

fn is_hex(s: &str) -> bool {
    !s.is_empty() && s.len().is_multiple_of(2) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Every single-change variant of `value` at `path`: each leaf changed once (hex strings at
/// several byte positions, one bit flipped), as (description, whole document).
fn variants(root: &Value, path: &str, value: &Value, out: &mut Vec<(String, Value)>) {
    if UNAUTHENTICATED.contains(&path) {
        return;
    }
    let push = |new: Value| {
        let mut doc = root.clone();
        *doc.pointer_mut(path).expect("pointer") = new;
        doc
    };
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                variants(root, &format!("{path}/{k}"), v, out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                variants(root, &format!("{path}/{i}"), v, out);
            }
        }
        Value::String(s) if is_hex(s) => {
            let bytes = hex::decode(s).expect("hex");
            let n = bytes.len();
            let mut positions = vec![0, n / 3, n / 2, n.saturating_mul(2) / 3, n - 1];
            positions.sort_unstable();
            positions.dedup();
            for pos in positions {
                let mut b = bytes.clone();
                b[pos] ^= 0x01 << (pos % 8);
                out.push((
                    format!("{path} byte {pos}"),
                    push(Value::String(hex::encode(b))),
                ));
            }
        }
        Value::String(s) => {
            let mut chars: Vec<char> = s.chars().collect();
            if let Some(last) = chars.last_mut() {
                *last = if *last == '5' { '6' } else { '5' };
            } else {
                chars.push('x');
            }
            out.push((
                format!("{path} text"),
                push(Value::String(chars.into_iter().collect())),
            ));
        }
        Value::Number(n) => {
            let v = n.as_u64().expect("unsigned");
            out.push((format!("{path} number"), push(Value::from(v ^ 1))));
        }
        Value::Bool(b) => out.push((format!("{path} bool"), push(Value::Bool(!b)))),
        Value::Null => {}
    }
}

/// Runs every variant (a few worker threads); returns those verify accepted.
fn accepted_variants(scratch: &Scratch, tag: &str, root: &Path, evidence: &Path) -> Vec<String> {
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(evidence).expect("read")).expect("json");
    let mut all = Vec::new();
    variants(&doc, "", &doc, &mut all);
    assert!(all.len() > 100, "only {} variants", all.len());
    let workers = 8;
    let chunks: Vec<Vec<(usize, (String, Value))>> = (0..workers)
        .map(|w| {
            all.iter()
                .cloned()
                .enumerate()
                .filter(|(i, _)| i % workers == w)
                .collect()
        })
        .collect();
    std::thread::scope(|s| {
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                s.spawn(move || {
                    let mut accepted = Vec::new();
                    for (i, (what, v)) in chunk {
                        let file = scratch.path(&format!("{tag}-variant-{i}.json"));
                        std::fs::write(&file, serde_json::to_string_pretty(&v).expect("ser"))
                            .expect("write");
                        let out = verify(&file, &[root], &[]);
                        if out.status.code() != Some(1) {
                            accepted.push(format!("{what}: {:?}", out.status.code()));
                        }
                        let _ = std::fs::remove_file(&file);
                    }
                    accepted
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("worker"))
            .collect()
    })
}

fn verifies_and_detects_tampering(alg: &[&str], tag: &str) {
    let scratch = Scratch::new(tag);
    let (root, evidence) = collect(&scratch, alg, tag, None);
    let out = verify(&evidence, &[&root], &[]);
    let report = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{report}");
    assert!(report.contains("verdict: VERIFIED"), "{report}");
    let accepted = accepted_variants(&scratch, tag, &root, &evidence);
    assert!(
        accepted.is_empty(),
        "tampered evidence accepted: {accepted:#?}"
    );
}

#[test]
fn p384_evidence_verifies_and_every_change_fails() {
    verifies_and_detects_tampering(&[], "p384");
}

#[test]
fn pqc_evidence_verifies_and_every_change_fails() {
    verifies_and_detects_tampering(&["--pqc"], "pqc");
}

#[test]
fn wrong_trust_and_nonce_fail() {
    let scratch = Scratch::new("nonce");
    let (root, evidence) = collect(&scratch, &[], "p384", Some(NONCE));
    let other = scratch.path("other-root.der");
    let other_s = other.display().to_string();
    let state = scratch.path("other-state").display().to_string();
    let run = vtrust(&["spdm", "root", "--state-dir", &state, "--out", &other_s]);
    assert!(run.status.success(), "{}", text(&run.stderr));

    let ok = verify(&evidence, &[&root], &["--nonce", NONCE]);
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok.stdout));
    // Extra anchors are fine as long as one anchors the chain.
    let ok = verify(&evidence, &[&other, &root], &[]);
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok.stdout));

    let wrong_trust = verify(&evidence, &[&other], &[]);
    assert_eq!(wrong_trust.status.code(), Some(1));
    assert!(
        text(&wrong_trust.stdout).contains("not a trust anchor"),
        "{}",
        text(&wrong_trust.stdout)
    );

    let other_nonce = "ff".repeat(32);
    let wrong_nonce = verify(&evidence, &[&root], &["--nonce", &other_nonce]);
    assert_eq!(wrong_nonce.status.code(), Some(1));
    assert!(
        text(&wrong_nonce.stdout).contains("not the --nonce given"),
        "{}",
        text(&wrong_nonce.stdout)
    );

    // Before the chain was issued: the recorded time passes, `--at` in 1970 fails.
    let late = verify(&evidence, &[&root], &["--at", "1"]);
    assert_eq!(late.status.code(), Some(1), "{}", text(&late.stdout));
}
