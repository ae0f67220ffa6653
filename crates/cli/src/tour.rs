//! `vtrust tour`: the main job. Runs each system end to end on embedded defaults and prints
//! a readable report with timings. Each system adds its section as it lands.

use std::process::ExitCode;
use std::time::Instant;

use clap::Args;
use vtrust_crypto::CryptoProvider;
use vtrust_crypto::sign::SignatureAlg;

use crate::crypto_cmd;
use crate::report;
use crate::spdm_cmd::{TransportArg, attest, loopback};
use crate::tpm_cmd;

/// Options of `vtrust tour`.
#[derive(Debug, Args)]
pub struct TourArgs {}

/// A section of the tour: what it shows and whether it passed.
struct Section {
    title: &'static str,
    passed: bool,
    detail: String,
}

/// Runs the tour; exits non-zero if any section failed.
pub fn run(_args: &TourArgs) -> anyhow::Result<ExitCode> {
    let start = Instant::now();
    println!("vtrust {} tour", env!("CARGO_PKG_VERSION"));
    println!();
    let provider = CryptoProvider::new();
    let mut sections = Vec::new();

    println!("[1] Crypto provider: power-on self test");
    let summary = crypto_cmd::selftest_report(&provider);
    print!("{}", summary.text);
    sections.push(Section {
        title: "crypto provider self test",
        passed: summary.failed == 0,
        detail: format!(
            "{} of {} algorithms",
            summary.passed,
            summary.passed + summary.failed
        ),
    });
    println!();

    spdm_section(&mut sections);
    tpm_section(&mut sections);
    virtio_crypto_section(&mut sections);

    println!("Not in the tour yet: device trust (no issue yet).");
    println!();
    let failed: Vec<_> = sections.iter().filter(|s| !s.passed).collect();
    for s in &sections {
        println!(
            "  {:<32} {:<7} {}",
            s.title,
            if s.passed { "ok" } else { "FAILED" },
            s.detail
        );
    }
    println!("tour finished in {}", report::duration(start.elapsed()));
    Ok(if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// [2] SPDM: the emulated device attested over loopback TCP (MCTP binding), once with a
/// classic identity (ECDSA P-384) and once post-quantum (ML-DSA-87), each freshly generated.
fn spdm_section(sections: &mut Vec<Section>) {
    println!("[2] SPDM: attest the emulated device over loopback TCP (MCTP), fresh identities");
    let mut table = report::Table::new(&[
        "identity",
        "version",
        "hash",
        "signature",
        "meas. hash",
        "blocks",
        "verdict",
        "keygen",
        "attest",
    ]);
    let mut failures = Vec::new();
    let mut passed = 0usize;
    for (title, alg) in [
        ("ECDSA P-384", SignatureAlg::EcdsaP384Sha384),
        ("ML-DSA-87", SignatureAlg::MlDsa87),
    ] {
        match loopback::run(alg, TransportArg::Mctp) {
            Ok(run) => {
                let o = &run.outcome;
                let (version, hash, asym, meas, blocks) = match &o.result {
                    Ok(a) => (
                        a.negotiated.version.to_string(),
                        a.negotiated.base_hash.to_string(),
                        attest::asym_text(a),
                        attest::measurement_hash_text(a),
                        a.measurements.len().to_string(),
                    ),
                    Err(_) => Default::default(),
                };
                match &o.result {
                    Ok(_) => passed += 1,
                    Err(why) => failures.push(format!("{title}: {why}")),
                }
                table.row(vec![
                    title.to_string(),
                    version,
                    hash,
                    asym,
                    meas,
                    blocks,
                    if o.authenticated() {
                        "authenticated"
                    } else {
                        "FAILED"
                    }
                    .to_string(),
                    report::duration(run.keygen),
                    report::duration(o.total),
                ]);
            }
            Err(e) => {
                failures.push(format!("{title}: {e:#}"));
                table.row(vec![title.to_string(), "FAILED".to_string()]);
            }
        }
    }
    print!("{}", table.render(2));
    for f in &failures {
        println!("  FAILED {f}");
    }
    sections.push(Section {
        title: "SPDM attest P-384 + ML-DSA-87",
        passed: failures.is_empty(),
        detail: format!("{passed} of 2 devices authenticated"),
    });
    println!();
}

/// [3] TPM: ML-DSA-87 CreatePrimary, SignDigest and VerifyDigestSignature on the embedded TPM
/// through the CRB device with PTP 1.07 chunking: the 4.6 KiB signature crosses the
/// 3968-byte window in both directions.
fn tpm_section(sections: &mut Vec<Section>) {
    println!("[3] TPM: ML-DSA-87 on the embedded TPM through the chunked CRB (window 3968 bytes)");
    let result = (|| -> anyhow::Result<(tpm_cmd::MldsaOutcome, tpm_cmd::Log)> {
        let mut session = tpm_cmd::session::Session::open(
            &tpm_cmd::session::BackendChoice::Embedded { state: None },
            vtrust_tpm_crb::CrbConfig::default(),
        )?;
        let mut log = tpm_cmd::Log::default();
        let outcome = tpm_cmd::run_mldsa(&mut session, &mut log, "87", "vtrust tour")?;
        Ok((outcome, log))
    })();
    let (passed, detail) = match result {
        Ok((outcome, log)) => {
            let mut table = report::Table::new(&[
                "command",
                "cmd bytes",
                "rsp bytes",
                "cmd chunks",
                "rsp chunks",
                "time",
            ]);
            let mut chunked = 0;
            for (name, c, r, cs, cr, t) in log.rows() {
                if *cs > 1 || *cr > 1 {
                    chunked += 1;
                }
                table.row(vec![
                    name.clone(),
                    c.to_string(),
                    r.to_string(),
                    cs.to_string(),
                    cr.to_string(),
                    report::duration(*t),
                ]);
            }
            print!("{}", table.render(2));
            let ok = outcome.verified && chunked >= 2;
            (
                ok,
                format!(
                    "{}-byte signature, {chunked} chunked transfers, {}",
                    outcome.signature_len,
                    if outcome.verified {
                        "verified (tampered copy refused)"
                    } else {
                        "NOT verified"
                    }
                ),
            )
        }
        Err(e) => {
            println!("  FAILED {e:#}");
            (false, format!("{e:#}"))
        }
    };
    sections.push(Section {
        title: "TPM ML-DSA-87 via chunked CRB",
        passed,
        detail,
    });
    println!();
}

/// [4] virtio-crypto: AES-256-GCM, HMAC-SHA-256 and ECDSA P-256 sessions on the device model, driven
/// through the control and data queues by the test driver as a guest would.
fn virtio_crypto_section(sections: &mut Vec<Section>) {
    use std::time::Instant;
    use vtrust_crypto::CryptoProvider;
    use vtrust_virtio_crypto::codec::Layout;
    use vtrust_virtio_crypto::driver::{TestDriver, guest_memory};
    use vtrust_virtio_crypto::spec::{aead_algo, mac_algo};
    use vtrust_virtio_crypto::{CryptoDevice, DeviceConfig, Status};

    println!("[4] virtio-crypto: requests through the device model's queues (in process)");
    let mem = guest_memory();
    let device = CryptoDevice::new(DeviceConfig::default(), CryptoProvider::new());
    let mut driver = TestDriver::new(&mem, device, Layout::Legacy);
    let mut table = report::Table::new(&["request", "result", "time"]);
    let mut ok = true;
    let mut row = |name: &str, result: String, t: std::time::Duration| {
        table.row(vec![name.to_string(), result, report::duration(t)]);
    };
    let key = [0x42u8; 32];
    let nonce = [0x24u8; 12];
    let aad = b"vtrust tour";
    let message = b"sealed by the virtio crypto device";
    let t = Instant::now();
    let gcm = driver.create_aead_session(aead_algo::GCM, &key, 16, aad.len() as u32, true);
    row(
        "CREATE_SESSION AES-256-GCM",
        format!("{gcm:?}"),
        t.elapsed(),
    );
    match gcm {
        Ok(session) => {
            let t = Instant::now();
            let sealed = driver.aead(session, true, &nonce, aad, message, 16);
            row(
                "AEAD_ENCRYPT (34 B)",
                sealed
                    .as_ref()
                    .map_or_else(|s| format!("{s:?}"), |c| format!("{} B", c.len())),
                t.elapsed(),
            );
            if let Ok(sealed) = sealed {
                let t = Instant::now();
                let opened = driver.aead(session, false, &nonce, aad, &sealed, 16);
                let good = opened.as_deref() == Ok(&message[..]);
                ok &= good;
                row(
                    "AEAD_DECRYPT",
                    if good {
                        "plaintext back".into()
                    } else {
                        format!("{opened:?}")
                    },
                    t.elapsed(),
                );
                let mut forged = sealed.clone();
                if let Some(b) = forged.last_mut() {
                    *b ^= 1;
                }
                let t = Instant::now();
                let r = driver.aead(session, false, &nonce, aad, &forged, 16);
                ok &= r == Err(Status::BadMsg);
                row(
                    "AEAD_DECRYPT, forged tag",
                    format!("{:?}", r.err()),
                    t.elapsed(),
                );
            } else {
                ok = false;
            }
        }
        Err(_) => ok = false,
    }
    let t = Instant::now();
    let hmac = driver.create_mac_session(mac_algo::HMAC_SHA_256, b"key", 32);
    row(
        "CREATE_SESSION HMAC-SHA-256",
        format!("{hmac:?}"),
        t.elapsed(),
    );
    match hmac {
        Ok(session) => {
            let t = Instant::now();
            let tag = driver.mac(session, b"The quick brown fox jumps over the lazy dog", 32);
            // RFC 2104 example (also Wikipedia's): HMAC-SHA256("key", "The quick brown fox...").
            let good = tag.as_ref().is_ok_and(|t| {
                hex::encode(t) == "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
            });
            ok &= good;
            row(
                "MAC",
                if good {
                    "known answer".into()
                } else {
                    format!("{tag:?}")
                },
                t.elapsed(),
            );
        }
        Err(_) => ok = false,
    }
    // ECDSA P-256: a key made by the provider, sign through the device, verify through the
    // device, and a signature over another digest refused (KEY_REJECTED).
    let provider = CryptoProvider::new();
    let ecdsa = (|| -> Option<(Vec<u8>, Vec<u8>)> {
        let key = provider
            .generate_signing_key(vtrust_crypto::sign::SignatureAlg::EcdsaP256Sha256)
            .ok()?;
        Some((
            key.to_pkcs8_der().ok()?,
            key.public_key().as_bytes().to_vec(),
        ))
    })();
    let curve = [
        vtrust_virtio_crypto::spec::akcipher_algo::CURVE_NIST_P256,
        0,
    ];
    let digest = provider.digest(vtrust_crypto::hash::HashAlg::Sha256, b"measured boot");
    let other = provider.digest(vtrust_crypto::hash::HashAlg::Sha256, b"something else");
    let t = Instant::now();
    let sessions = ecdsa.as_ref().and_then(|(private, public)| {
        use vtrust_virtio_crypto::spec::akcipher_algo::{ECDSA, KEY_TYPE_PRIVATE, KEY_TYPE_PUBLIC};
        let sk = driver
            .create_akcipher_session(ECDSA, KEY_TYPE_PRIVATE, curve, private)
            .ok()?;
        let pk = driver
            .create_akcipher_session(ECDSA, KEY_TYPE_PUBLIC, curve, public)
            .ok()?;
        Some((sk, pk))
    });
    row(
        "CREATE_SESSION ECDSA P-256 x2",
        format!("{:?}", sessions.is_some()),
        t.elapsed(),
    );
    match sessions {
        Some((sk, pk)) => {
            let t = Instant::now();
            let sig = driver.akcipher_sign(sk, None, &[], digest.as_bytes(), 72);
            row(
                "AKCIPHER_SIGN",
                sig.as_ref()
                    .map_or_else(|s| format!("{s:?}"), |s| format!("{} B DER", s.len())),
                t.elapsed(),
            );
            if let Ok(sig) = sig {
                let t = Instant::now();
                let good = driver.akcipher_verify(pk, None, &[], &sig, digest.as_bytes());
                row("AKCIPHER_VERIFY", format!("{good:?}"), t.elapsed());
                let t = Instant::now();
                let bad = driver.akcipher_verify(pk, None, &[], &sig, other.as_bytes());
                row(
                    "AKCIPHER_VERIFY, other digest",
                    format!("{bad:?}"),
                    t.elapsed(),
                );
                ok &= good == Status::Ok && bad == Status::KeyRejected;
            } else {
                ok = false;
            }
        }
        None => ok = false,
    }
    print!("{}", table.render(2));
    sections.push(Section {
        title: "virtio-crypto GCM, HMAC, ECDSA",
        passed: ok,
        detail: if ok {
            "GCM sealed/opened, forged tag BADMSG, HMAC known answer, ECDSA signed/verified, wrong digest KEY_REJECTED".into()
        } else {
            "FAILED".into()
        },
    });
    println!();
}
