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

    println!("Not in the tour yet (their issues are open): TPM CRB with chunking,");
    println!("virtio-crypto device, device trust.");
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
