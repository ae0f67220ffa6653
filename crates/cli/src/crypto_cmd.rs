//! `vtrust crypto ...`: the crypto provider's commands.

use std::process::ExitCode;
use std::time::Instant;

use clap::Subcommand;
use vtrust_crypto::CryptoProvider;
use vtrust_crypto::selftest::{self, Outcome};

use crate::report::{self, Table};

/// Subcommands of `vtrust crypto`.
#[derive(Debug, Subcommand)]
pub enum CryptoCommand {
    /// Power-on self test: one known answer per algorithm; exits non-zero on any failure.
    Selftest,
    /// The virtio-crypto device as a vhost-user backend for QEMU's `cryptodev-vhost-user`:
    /// serves one QEMU at a time, and the next one after it disconnects.
    Serve(ServeArgs),
}

/// Options of `vtrust crypto serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// The vhost-user unix socket (QEMU: `-chardev socket,id=c,path=PATH -object
    /// cryptodev-vhost-user,id=cryptodev0,chardev=c`). A stale socket file is replaced.
    #[arg(long, value_name = "PATH")]
    pub socket: std::path::PathBuf,
    /// Data queues offered (GET_QUEUE_NUM).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub queues: u16,
}

/// Runs a `vtrust crypto` subcommand.
pub fn run(command: CryptoCommand) -> anyhow::Result<ExitCode> {
    match command {
        CryptoCommand::Serve(args) => serve(&args),
        CryptoCommand::Selftest => {
            let provider = CryptoProvider::new();
            let summary = selftest_report(&provider);
            print!("{}", summary.text);
            Ok(if summary.failed == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
    }
}

/// The self test's printed report and its counts.
#[derive(Debug)]
pub struct SelftestSummary {
    /// The report, ready to print.
    pub text: String,
    /// How many cases passed.
    pub passed: usize,
    /// How many failed.
    pub failed: usize,
}

/// Runs the self test and renders its table.
pub fn selftest_report(provider: &CryptoProvider) -> SelftestSummary {
    let start = Instant::now();
    let outcomes = selftest::run(provider);
    let total = start.elapsed();
    let mut table = Table::new(&["family", "algorithm", "result", "time", "known answer from"]);
    for outcome in &outcomes {
        table.row(row(outcome));
    }
    let failed = outcomes.iter().filter(|o| o.result.is_err()).count();
    let passed = outcomes.len().saturating_sub(failed);
    let mut text = format!(
        "Crypto provider self test (backend aws-lc-rs, rng {})\n",
        provider.rng_name()
    );
    text.push_str(&table.render(2));
    for outcome in &outcomes {
        if let Err(why) = &outcome.result {
            text.push_str(&format!("  FAILED {}: {why}\n", outcome.algorithm));
        }
    }
    text.push_str(&format!(
        "self test: {passed} passed, {failed} failed in {}\n",
        report::duration(total)
    ));
    SelftestSummary {
        text,
        passed,
        failed,
    }
}

fn row(outcome: &Outcome) -> Vec<String> {
    vec![
        outcome.family.to_string(),
        outcome.algorithm.to_string(),
        if outcome.result.is_ok() {
            "pass"
        } else {
            "FAIL"
        }
        .to_string(),
        report::duration(outcome.elapsed),
        outcome.source.to_string(),
    ]
}

fn serve(args: &ServeArgs) -> anyhow::Result<ExitCode> {
    use anyhow::Context as _;
    use vtrust_vhost_user_crypto::daemon::{Daemon, DaemonConfig};
    use vtrust_vhost_user_crypto::device::DeviceBackend;
    let provider = CryptoProvider::new();
    let config = vtrust_virtio_crypto::DeviceConfig {
        max_dataqueues: u32::from(args.queues),
        ..vtrust_virtio_crypto::DeviceConfig::default()
    };
    let daemon = Daemon::new(
        DaemonConfig {
            socket: args.socket.clone(),
            queues: args.queues,
            max_queue_size: 1024,
        },
        DeviceBackend::new(config, provider),
    );
    println!(
        "virtio-crypto vhost-user backend on {} ({} data queue{})",
        args.socket.display(),
        args.queues,
        if args.queues == 1 { "" } else { "s" }
    );
    let stop = std::sync::atomic::AtomicBool::new(false);
    daemon.run(&stop).context("Serving")?;
    Ok(ExitCode::SUCCESS)
}
