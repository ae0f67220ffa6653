//! tpm2-tools (ESYS, HMAC sessions, context files) against the embedded TPM, served over a
//! minimal swtpm TCP protocol written here (data port P, control port P+1), so the TPM's
//! structures are checked by an independent implementation (tpm2-tss 4.0 / tpm2-tools 5.4).
//! Skipped with a message when tpm2-tools is not installed.

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::Command;
use std::sync::{Arc, Mutex};

use vtrust_tpm2::Tpm;

fn serve_data(tpm: Arc<Mutex<Tpm>>, mut s: TcpStream) {
    loop {
        let mut hdr = [0u8; 10];
        if s.read_exact(&mut hdr).is_err() {
            return;
        }
        let size = u32::from_be_bytes(hdr[2..6].try_into().unwrap()) as usize;
        let mut cmd = hdr.to_vec();
        if size > 10 && size <= 65536 {
            let mut rest = vec![0u8; size - 10];
            if s.read_exact(&mut rest).is_err() {
                return;
            }
            cmd.extend_from_slice(&rest);
        }
        let rsp = tpm.lock().unwrap().execute(0, &cmd);
        if s.write_all(&rsp).is_err() {
            return;
        }
    }
}

fn serve_ctrl(mut s: TcpStream) {
    loop {
        let mut c = [0u8; 4];
        if s.read_exact(&mut c).is_err() {
            return;
        }
        let reply: Vec<u8> = match u32::from_be_bytes(c) {
            1 => [0u32.to_be_bytes(), 0x0000_3FFFu32.to_be_bytes()].concat(),
            5 => {
                let mut l = [0u8; 1];
                let _ = s.read_exact(&mut l);
                0u32.to_be_bytes().to_vec()
            }
            2 | 0x11 => {
                let mut l = [0u8; 4];
                let _ = s.read_exact(&mut l);
                0u32.to_be_bytes().to_vec()
            }
            _ => 0u32.to_be_bytes().to_vec(),
        };
        if s.write_all(&reply).is_err() {
            return;
        }
    }
}

fn listen_pair() -> (TcpListener, TcpListener, u16) {
    for _ in 0..200 {
        let a = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = a.local_addr().unwrap().port();
        if port == u16::MAX {
            continue;
        }
        if let Ok(b) = TcpListener::bind(("127.0.0.1", port + 1)) {
            return (a, b, port);
        }
    }
    panic!("no adjacent free ports");
}

fn spawn_server(tpm: Tpm) -> u16 {
    let tpm = Arc::new(Mutex::new(tpm));
    let (data, ctrl, port) = listen_pair();
    std::thread::spawn(move || {
        for s in data.incoming().flatten() {
            let t = tpm.clone();
            std::thread::spawn(move || serve_data(t, s));
        }
    });
    std::thread::spawn(move || {
        for s in ctrl.incoming().flatten() {
            std::thread::spawn(move || serve_ctrl(s));
        }
    });
    port
}

fn tool(port: u16, dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    let out = Command::new(args[0])
        .args(&args[1..])
        .current_dir(dir)
        .env(
            "TPM2TOOLS_TCTI",
            format!("swtpm:host=127.0.0.1,port={port}"),
        )
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?} failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
fn tpm2_tools_work_against_the_embedded_tpm() {
    if Command::new("tpm2_startup")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("SKIPPED: tpm2-tools is not installed");
        return;
    }
    let tpm = Tpm::new(common::provider(), None).unwrap();
    let port = spawn_server(tpm);
    let dir = std::env::temp_dir().join(format!("vtrust-tpm2-tools-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("msg.txt"), b"abc").unwrap();
    tool(port, &dir, &["tpm2_startup", "-c"]);
    let out = tool(port, &dir, &["tpm2_getrandom", "--hex", "16"]);
    assert_eq!(
        out.stdout.len(),
        32,
        "{:?}",
        String::from_utf8_lossy(&out.stdout)
    );
    tool(
        port,
        &dir,
        &[
            "tpm2_pcrextend",
            "0:sha256=0000000000000000000000000000000000000000000000000000000000000000",
        ],
    );
    let out = tool(port, &dir, &["tpm2_pcrread", "sha256:0"]);
    // SHA-256(32 zero bytes || 32 zero bytes), as swtpm 0.7.1 reports it after the same extend.
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("0xF5A5FD42D16A20302798EF6ED309979B43003D2320D9F0E8EA9831A92759FB4B"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let out = tool(
        port,
        &dir,
        &["tpm2_hash", "-g", "sha256", "--hex", "msg.txt"],
    );
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    );
    tool(
        port,
        &dir,
        &["tpm2_createprimary", "-G", "ecc", "-c", "primary.ctx"],
    );
    tool(port, &dir, &["tpm2_flushcontext", "-t"]);
    tool(
        port,
        &dir,
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
    tool(
        port,
        &dir,
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
    tool(
        port,
        &dir,
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
    tool(port, &dir, &["tpm2_flushcontext", "-t"]);
    let _ = std::fs::remove_dir_all(&dir);
}
