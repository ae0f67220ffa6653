//! The `vtrust` binary as a user runs it.

use std::process::Command;

fn vtrust(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_vtrust"))
        .args(args)
        .output()
        .expect("run vtrust")
}

#[test]
fn version_prints_the_package_version() {
    let out = vtrust(&["--version"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.trim(), format!("vtrust {}", env!("CARGO_PKG_VERSION")));
}

#[test]
fn help_lists_the_subcommands() {
    let out = vtrust(&["--help"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for word in ["crypto", "tour"] {
        assert!(text.contains(word), "help lacks {word}: {text}");
    }
}

#[test]
fn unknown_subcommand_is_a_usage_error() {
    let out = vtrust(&["frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unrecognized subcommand"));
}

#[test]
fn selftest_passes_and_lists_every_algorithm() {
    let out = vtrust(&["crypto", "selftest"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    for alg in [
        "SHA-1",
        "SHA-224",
        "SHA-256",
        "SHA-384",
        "SHA-512",
        "SHA3-224",
        "SHA3-256",
        "SHA3-384",
        "SHA3-512",
        "HMAC-SHA-256",
        "HMAC-SHA-384",
        "HMAC-SHA-512",
        "HKDF-SHA-256",
        "HKDF-SHA-384",
        "AES-128-GCM",
        "AES-256-GCM",
        "ChaCha20-Poly1305",
        "AES-128-CCM",
        "AES-128-ECB",
        "AES-128-CBC",
        "AES-128-CTR",
        "AES-128-XTS",
        "3DES-CBC",
        "CMAC-AES-128",
        "ECDSA P-256",
        "ECDSA P-384",
        "RSASSA-PKCS1-v1_5 2048",
        "RSASSA-PKCS1-v1_5 3072",
        "RSASSA-PKCS1-v1_5 4096",
        "RSASSA-PSS 2048",
        "RSASSA-PSS 3072",
        "RSASSA-PSS 4096",
        "Ed25519",
        "ML-DSA-44",
        "ML-DSA-65",
        "ML-DSA-87",
        "ECDH P-256",
        "ECDH P-384",
        "ML-KEM-512",
        "ML-KEM-768",
        "ML-KEM-1024",
    ] {
        assert!(text.contains(alg), "self test lacks {alg}:\n{text}");
    }
    assert!(text.contains(" 0 failed"), "{text}");
    assert!(!text.contains("FAIL"), "{text}");
}

#[test]
fn tour_runs_and_reports_timings() {
    let out = vtrust(&["tour"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("tour finished in"), "{text}");
}
