//! `vtrust tpm` as a user runs it: commands through the CRB device and driver on the
//! embedded TPM and on swtpm, chunking visible in the report, and the embedded TPM served to
//! tpm2-tools over swtpm's protocol.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{text, vtrust};

/// The row of `command` in the report: (cmd bytes, rsp bytes, cmd chunks, rsp chunks).
fn row(report: &str, command: &str) -> (usize, usize, usize, usize) {
    let line = report
        .lines()
        .find(|l| l.split_whitespace().next() == Some(command))
        .unwrap_or_else(|| panic!("no row {command} in\n{report}"));
    let n: Vec<usize> = line
        .split_whitespace()
        .skip(1)
        .take(4)
        .map(|x| x.parse().unwrap())
        .collect();
    (n[0], n[1], n[2], n[3])
}

#[test]
fn mldsa87_signature_crosses_the_window_both_ways_and_verifies() {
    let out = vtrust(&["tpm", "exec", "mldsa-sign", "--set", "87"]);
    let report = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{report}{}", text(&out.stderr));
    assert!(report.contains("signature 4627 bytes"), "{report}");
    assert!(
        report.contains("accepted it and refused a tampered copy"),
        "{report}"
    );
    // FIPS 204: a 4627-byte signature; the response (4650 bytes) and the verify command
    // (4681 bytes) exceed the 3968-byte window, so each takes two chunks.
    let (_, rsp, _, rsp_chunks) = row(&report, "SignDigest");
    assert!(rsp > 3968 && rsp_chunks == 2, "{report}");
    let (cmd, _, cmd_chunks, _) = row(&report, "VerifyDigestSignature");
    assert!(cmd > 3968 && cmd_chunks == 2, "{report}");
}

#[test]
fn without_chunking_a_response_over_the_window_is_refused_cleanly() {
    let out = vtrust(&["tpm", "exec", "--no-chunking", "mldsa-sign", "--set", "87"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("TPM_RC_COMMAND_SIZE"),
        "{}",
        text(&out.stderr)
    );
    // ML-DSA-44 (2420-byte signatures) still fits a window.
    let out = vtrust(&["tpm", "exec", "--no-chunking", "mldsa-sign", "--set", "44"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

#[test]
fn small_window_chunks_everything() {
    let out = vtrust(&["tpm", "exec", "--window", "1024", "mlkem", "--set", "768"]);
    let report = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{report}{}", text(&out.stderr));
    assert!(
        report.contains("recovered the 32-byte shared secret"),
        "{report}"
    );
    // ML-KEM-768 ciphertext 1088 bytes (FIPS 203): Decapsulate takes two 1024-byte chunks.
    let (cmd, _, cmd_chunks, _) = row(&report, "Decapsulate");
    assert!(cmd > 1024 && cmd_chunks == 2, "{report}");
}

#[test]
fn pcr_extend_gives_the_value_computed_independently() {
    let out = vtrust(&["tpm", "exec", "pcrextend", "16", "hello"]);
    let report = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{report}{}", text(&out.stderr));
    // SHA-256(32 zero bytes || SHA-256("hello")), computed with Python's hashlib.
    assert!(
        report.contains(
            "PCR 16 sha256: 9851312028952521510e8eaab5be94e7dc24b5fc292b2e9781173cf11ffa9878"
        ),
        "{report}"
    );
}

#[test]
fn raw_command_from_a_file() {
    let dir = std::env::temp_dir().join(format!("vtrust-tpm-raw-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("getrandom.bin");
    // TPM2_GetRandom(16), as in tpm-crb.md §4.
    std::fs::write(
        &file,
        [0x80, 0x01, 0, 0, 0, 0x0c, 0, 0, 0x01, 0x7b, 0, 0x10],
    )
    .unwrap();
    let out = vtrust(&["tpm", "exec", "raw", &file.display().to_string()]);
    let report = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{report}");
    assert!(
        report.contains("response: 80010000001c00000000"),
        "{report}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn swtpm_behind_the_crb() {
    if Command::new("swtpm").arg("--version").output().is_err() {
        panic!("swtpm is not installed: run `bash scripts/test.sh` (it installs Debian's swtpm)");
    }
    let out = vtrust(&["tpm", "exec", "--backend", "swtpm", "getrandom", "32"]);
    let report = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{report}{}", text(&out.stderr));
    assert!(report.contains("TPM: swtpm behind CRB"), "{report}");
    let random = report
        .lines()
        .find_map(|l| l.strip_prefix("random: "))
        .unwrap();
    assert_eq!(random.len(), 64, "{report}");
}

#[test]
fn refuses_bad_arguments() {
    for args in [
        &["tpm", "exec", "--window", "4000", "getrandom", "8"][..],
        &["tpm", "exec", "--backend", "tpm0", "getrandom", "8"],
        &["tpm", "exec", "getrandom", "0"],
        &["tpm", "exec", "pcrread", "24"],
        &["tpm", "exec", "mldsa-sign", "--set", "99"],
    ] {
        let out = vtrust(args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
}

fn free_port_pair() -> u16 {
    loop {
        let a = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = a.local_addr().unwrap().port();
        if port < 65535 && std::net::TcpListener::bind(("127.0.0.1", port + 1)).is_ok() {
            return port;
        }
    }
}

#[test]
fn tpm2_tools_use_the_served_embedded_tpm() {
    if Command::new("tpm2_getrandom")
        .arg("--version")
        .output()
        .is_err()
    {
        panic!("tpm2-tools is not installed: run `bash scripts/test.sh` (it installs them)");
    }
    let port = free_port_pair();
    let mut server = Command::new(env!("CARGO_BIN_EXE_vtrust"))
        .args(["tpm", "serve", "--port", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let tcti = format!("swtpm:host=127.0.0.1,port={port}");
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port + 1)).is_err() {
        assert!(Instant::now() < deadline, "server did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    let tool = |args: &[&str]| {
        Command::new(args[0])
            .args(&args[1..])
            .env("TPM2TOOLS_TCTI", &tcti)
            .output()
            .unwrap()
    };
    let out = tool(&["tpm2_startup", "-c"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = tool(&["tpm2_getrandom", "--hex", "16"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).trim().len(), 32);
    let out = tool(&[
        "tpm2_pcrextend",
        "16:sha256=2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = tool(&["tpm2_pcrread", "sha256:16"]);
    assert!(
        text(&out.stdout)
            .to_lowercase()
            .contains("9851312028952521510e8eaab5be94e7dc24b5fc292b2e9781173cf11ffa9878"),
        "{}",
        text(&out.stdout)
    );
    let _ = server.kill();
    let _ = server.wait();
}

/// QEMU's `-tpmdev emulator` (its swtpm client) with QEMU's own `tpm-crb` device in front of
/// `vtrust tpm serve`: the firmware (SeaBIOS) starts the TPM and measures the boot into it.
#[test]
fn qemu_firmware_measures_into_the_served_tpm() {
    use std::io::Write as _;
    if Command::new("qemu-system-x86_64")
        .arg("--version")
        .output()
        .is_err()
    {
        panic!("qemu-system-x86_64 is not installed: run `bash scripts/test.sh` (it installs it)");
    }
    let dir = std::env::temp_dir().join(format!("vtrust-tpm-qemu-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let ctrl = dir.join("ctrl.sock");
    let log = dir.join("serve.log");
    let mut server = Command::new(env!("CARGO_BIN_EXE_vtrust"))
        .args(["tpm", "serve", "--ctrl", &ctrl.display().to_string()])
        .env("RUST_LOG", "vtrust_tpm_backend=debug")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !ctrl.exists() {
        assert!(Instant::now() < deadline, "server did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut qemu = Command::new("qemu-system-x86_64")
        .args([
            "-machine",
            "q35,accel=tcg",
            "-m",
            "256",
            "-nodefaults",
            "-display",
            "none",
            "-qmp",
            "stdio",
            "-chardev",
            &format!("socket,id=chrtpm,path={}", ctrl.display()),
            "-tpmdev",
            "emulator,id=tpm0,chardev=chrtpm",
            "-device",
            "tpm-crb,tpmdev=tpm0",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = qemu.stdin.take().unwrap();
    writeln!(stdin, r#"{{"execute":"qmp_capabilities"}}"#).unwrap();
    // Wait for the firmware's first measurement (TPM2_PCR_Extend answered with success).
    let deadline = Instant::now() + Duration::from_secs(90);
    let text = loop {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        if text.contains("command_code=0x182") || Instant::now() > deadline {
            break text;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let _ = writeln!(stdin, r#"{{"execute":"quit"}}"#);
    let _ = qemu.wait();
    // QEMU ends the emulator with CMD_SHUTDOWN, which stops the server.
    let deadline = Instant::now() + Duration::from_secs(10);
    while server.try_wait().unwrap().is_none() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let stopped = server.try_wait().unwrap().is_some();
    let _ = server.kill();
    let _ = std::fs::remove_dir_all(&dir);
    let line = |code: &str| {
        text.lines()
            .find(|l| l.contains(&format!("command_code={code} ")))
            .unwrap_or_else(|| panic!("no command {code} in\n{text}"))
            .to_owned()
    };
    // TPM2_Startup and the first TPM2_PCR_Extend, both answered TPM_RC_SUCCESS.
    assert!(line("0x144").contains("response_code=0x0 "), "{text}");
    assert!(line("0x182").contains("response_code=0x0 "), "{text}");
    assert!(stopped, "the server did not stop on QEMU's CMD_SHUTDOWN");
}
