//! `vtrust`: the command-line front end of vtrust.
//!
//! Subcommands map to the systems of the project; each lives in its own module:
//! `crypto` ([`crypto_cmd`]), `spdm` ([`spdm_cmd`]), `tpm` ([`tpm_cmd`]) and `tour` ([`tour`]). Logging goes to stderr through
//! `tracing`, filtered by `RUST_LOG` (default `warn`).

#![forbid(unsafe_code)]

mod crypto_cmd;
mod report;
mod spdm_cmd;
mod tour;
mod tpm_cmd;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// vtrust: trust between a virtual machine, its host and its devices, post-quantum ready.
///
/// Systems: TPM CRB with PTP 1.07 chunking, virtio-crypto, SPDM 1.0-1.4, device trust.
/// Start with `vtrust tour`, which runs each system end to end on embedded defaults.
#[derive(Debug, Parser)]
#[command(name = "vtrust", version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// The crypto provider shared by every system.
    Crypto {
        #[command(subcommand)]
        command: crypto_cmd::CryptoCommand,
    },
    /// SPDM: an emulated device (responder) and the attester.
    Spdm {
        #[command(subcommand)]
        command: spdm_cmd::SpdmCommand,
    },
    /// TPM: commands through the CRB device with PTP 1.07 chunking; the embedded TPM served
    /// over swtpm's protocol.
    Tpm {
        #[command(subcommand)]
        command: tpm_cmd::TpmCommand,
    },
    /// Run every system end to end on embedded defaults and print a report with timings.
    Tour(tour::TourArgs),
}

fn main() -> ExitCode {
    init_tracing();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Crypto { command } => crypto_cmd::run(command),
        Command::Spdm { command } => spdm_cmd::run(command),
        Command::Tpm { command } => tpm_cmd::run(command),
        Command::Tour(args) => tour::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("vtrust: error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// Logs to stderr, filtered by `RUST_LOG` (e.g. `RUST_LOG=vtrust=debug`); `warn` by default.
fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .try_init();
}
