//! `vtrust tpm`: TPM commands through the CRB device model with PTP 1.07 chunking
//! (`exec`), and the embedded TPM served over swtpm's socket protocol (`serve`).

mod client;
pub mod session;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, bail};
use clap::{Args, Subcommand};
use vtrust_crypto::CryptoProvider;
use vtrust_crypto::hash::HashAlg;
use vtrust_tpm_backend::Endpoint;
use vtrust_tpm_backend::embedded::EmbeddedBackend;
use vtrust_tpm_backend::server::{Server, ServerConfig};
use vtrust_tpm_crb::CrbConfig;

use crate::report;
use client::{Response, read_tpm2b};
use session::{BackendChoice, Exchange, Session, parse_backend, parse_endpoint};

/// `vtrust tpm ...`.
#[derive(Debug, Subcommand)]
pub enum TpmCommand {
    /// Run TPM commands through the CRB device and the Linux driver's algorithm, printing the
    /// result, the chunks each way and the timings.
    Exec(ExecArgs),
    /// Serve the embedded TPM over swtpm's socket protocol (for tpm2-tools `-T swtpm:` and
    /// QEMU `-tpmdev emulator`).
    Serve(ServeArgs),
}

/// Options of `vtrust tpm exec`.
#[derive(Debug, Args)]
pub struct ExecArgs {
    /// The TPM: `embedded`, `swtpm` (started for this run; needs Debian's swtpm), or
    /// `swtpm:CTRL[,DATA]` for a running `swtpm socket` (unix paths or HOST:PORT; without
    /// DATA the data channel is handed over with CMD_SET_DATAFD).
    #[arg(long, default_value = "embedded", value_parser = parse_backend)]
    pub backend: BackendChoice,
    /// The embedded TPM's state file (primary seeds); default: fresh seeds for this run.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// CRB data window in bytes (at most 3968 = 0x80..0xFFF).
    #[arg(long, default_value_t = 3968, value_parser = clap::value_parser!(u32).range(10..=3968))]
    pub window: u32,
    /// Largest command and response the interface carries (chunked through the window).
    #[arg(long, default_value_t = 8192, value_parser = clap::value_parser!(u32).range(10..=65536))]
    pub max: u32,
    /// Turn chunking off (CapCRBChunk clear): commands and responses must fit the window,
    /// as on machine types before PTP 1.07.
    #[arg(long)]
    pub no_chunking: bool,
    /// The command to run.
    #[command(subcommand)]
    pub op: Op,
}

/// What `vtrust tpm exec` runs.
#[derive(Debug, Subcommand)]
pub enum Op {
    /// TPM2_GetRandom.
    Getrandom {
        /// Bytes to ask for.
        #[arg(value_parser = clap::value_parser!(u16).range(1..=1024))]
        bytes: u16,
    },
    /// TPM2_PCR_Read of SHA-256 PCRs (default 0-7).
    Pcrread {
        /// PCR indices (0-23).
        #[arg(value_parser = clap::value_parser!(u8).range(0..=23))]
        indices: Vec<u8>,
    },
    /// TPM2_PCR_Extend of a SHA-256 PCR with the SHA-256 of DATA, then PCR_Read.
    Pcrextend {
        /// The PCR (0-23; the TPM refuses the ones its platform owns).
        #[arg(value_parser = clap::value_parser!(u8).range(0..=23))]
        index: u8,
        /// The data whose SHA-256 is extended.
        #[arg(default_value = "vtrust")]
        data: String,
    },
    /// ML-DSA (TPM 1.85): CreatePrimary, SignDigest of a SHA-256 digest,
    /// VerifyDigestSignature of it, FlushContext.
    MldsaSign {
        /// Parameter set.
        #[arg(long, value_parser = ["44", "65", "87"], default_value = "87")]
        set: String,
        /// The message whose SHA-256 is signed.
        #[arg(long, default_value = "vtrust")]
        message: String,
    },
    /// ML-KEM (TPM 1.85): CreatePrimary, Encapsulate, Decapsulate, compare the secrets.
    Mlkem {
        /// Parameter set.
        #[arg(long, value_parser = ["512", "768", "1024"], default_value = "1024")]
        set: String,
    },
    /// A raw command from FILE (binary, as on the wire); the response is printed in hex.
    Raw {
        /// The command file.
        file: PathBuf,
    },
}

/// Options of `vtrust tpm serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Control channel (swtpm `--ctrl`): a unix socket path or HOST:PORT.
    #[arg(long, value_name = "PATH|HOST:PORT", required_unless_present = "port")]
    pub ctrl: Option<String>,
    /// Data channel (swtpm `--server`): a unix socket path or HOST:PORT. Without it clients
    /// hand a socketpair over with CMD_SET_DATAFD (QEMU).
    #[arg(long, value_name = "PATH|HOST:PORT")]
    pub server: Option<String>,
    /// TCP on 127.0.0.1: data on PORT, control on PORT+1 (tpm2-tools `-T swtpm:port=PORT`).
    #[arg(long, conflicts_with_all = ["ctrl", "server"], value_parser = clap::value_parser!(u16).range(1..=65534))]
    pub port: Option<u16>,
    /// The embedded TPM's state file (primary seeds); default: fresh seeds each start.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
}

/// Runs `vtrust tpm ...`.
///
/// # Errors
/// Backend, device or TPM failures, with context.
pub fn run(command: TpmCommand) -> anyhow::Result<ExitCode> {
    match command {
        TpmCommand::Exec(args) => exec(args),
        TpmCommand::Serve(args) => serve(&args),
    }
}

fn crb_config(args: &ExecArgs) -> CrbConfig {
    CrbConfig {
        window: usize::try_from(args.window).unwrap_or(3968),
        max_size: usize::try_from(args.max).unwrap_or(8192),
        chunking: !args.no_chunking,
        ..CrbConfig::default()
    }
}

fn exec(mut args: ExecArgs) -> anyhow::Result<ExitCode> {
    if let BackendChoice::Embedded { state } = &mut args.backend {
        state.clone_from(&args.state);
    } else if args.state.is_some() {
        bail!("--state is for the embedded TPM");
    }
    let crb = crb_config(&args);
    let mut session = Session::open(&args.backend, crb)?;
    let crb = *session.crb();
    println!(
        "TPM: {} behind CRB (window {} bytes, maximum {} bytes, chunking {})",
        session.backend_name(),
        crb.window,
        crb.max_size,
        if crb.chunking { "on" } else { "off" }
    );
    let mut log = Log::default();
    let ok = match &args.op {
        Op::Getrandom { bytes } => {
            let x = log.run(&mut session, "GetRandom", &client::get_random(*bytes)?)?;
            let (_, mut p) = Response::parse(&x.response)?
                .success("GetRandom")?
                .params(0)?;
            println!(
                "random: {}",
                hex::encode(read_tpm2b(&mut p, "randomBytes")?)
            );
            true
        }
        Op::Pcrread { indices } => {
            let indices = if indices.is_empty() {
                (0..8).collect()
            } else {
                indices.clone()
            };
            print_pcrs(&mut session, &mut log, &indices)?;
            true
        }
        Op::Pcrextend { index, data } => {
            let digest = sha256(data.as_bytes())?;
            let x = log.run(
                &mut session,
                "PCR_Extend",
                &client::pcr_extend(u32::from(*index), &digest)?,
            )?;
            Response::parse(&x.response)?.success("PCR_Extend")?;
            println!(
                "extended PCR {index} (SHA-256) with SHA-256({data:?}) = {}",
                hex::encode(digest)
            );
            print_pcrs(&mut session, &mut log, &[*index])?;
            true
        }
        Op::MldsaSign { set, message } => mldsa_sign(&mut session, &mut log, set, message)?,
        Op::Mlkem { set } => mlkem(&mut session, &mut log, set)?,
        Op::Raw { file } => {
            let command =
                std::fs::read(file).with_context(|| format!("Reading {}", file.display()))?;
            let x = log.run(&mut session, "raw", &command)?;
            let code = Response::parse(&x.response)?.code;
            println!("response code: {}", client::rc_name(code));
            println!("response: {}", hex::encode(&x.response));
            code == 0
        }
    };
    log.print();
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// What `mldsa-sign` established, for the tour.
#[derive(Debug, Clone, Copy)]
pub struct MldsaOutcome {
    /// Signature length.
    pub signature_len: usize,
    /// Whether VerifyDigestSignature accepted it and refused a tampered copy.
    pub verified: bool,
}

/// CreatePrimary(ML-DSA-`set`), SignDigest, VerifyDigestSignature (and a tampered signature
/// refused), FlushContext.
fn mldsa_sign(
    session: &mut Session,
    log: &mut Log,
    set: &str,
    message: &str,
) -> anyhow::Result<bool> {
    let outcome = run_mldsa(session, log, set, message)?;
    println!(
        "ML-DSA-{set}: signature {} bytes; VerifyDigestSignature {}",
        outcome.signature_len,
        if outcome.verified {
            "accepted it and refused a tampered copy"
        } else {
            "FAILED"
        }
    );
    Ok(outcome.verified)
}

/// The ML-DSA round trip, shared with the tour.
///
/// # Errors
/// A command the TPM refused or a malformed response.
pub fn run_mldsa(
    session: &mut Session,
    log: &mut Log,
    set: &str,
    message: &str,
) -> anyhow::Result<MldsaOutcome> {
    let (param_set, sig_len) = match set {
        "44" => (1, 2420),
        "65" => (2, 3309),
        "87" => (3, 4627),
        _ => bail!("ML-DSA parameter set {set}: 44, 65 or 87"),
    };
    let x = log.run(
        session,
        "CreatePrimary(ML-DSA)",
        &client::create_primary(&client::mldsa_template(param_set)?)?,
    )?;
    let (handles, _) = Response::parse(&x.response)?
        .success("CreatePrimary")?
        .params(1)?;
    let key = *handles.first().context("no object handle")?;
    let digest = sha256(message.as_bytes())?;
    let x = log.run(
        session,
        "SignDigest",
        &client::sign_digest(key, &[], &digest)?,
    )?;
    let (_, mut p) = Response::parse(&x.response)?
        .success("SignDigest")?
        .params(0)?;
    let alg = p.u16_be("sigAlg")?;
    if alg != client::ALG_MLDSA {
        bail!("SignDigest returned sigAlg {alg:#06x}, not TPM_ALG_MLDSA");
    }
    let signature = read_tpm2b(&mut p, "signature")?.to_vec();
    if signature.len() != sig_len {
        bail!(
            "ML-DSA-{set} signature of {} bytes (FIPS 204: {sig_len})",
            signature.len()
        );
    }
    let x = log.run(
        session,
        "VerifyDigestSignature",
        &client::verify_digest_signature(key, &[], &digest, &signature)?,
    )?;
    let response = Response::parse(&x.response)?;
    let accepted = response.code == 0 && {
        // TPMT_TK_VERIFIED: tag TPM_ST_DIGEST_VERIFIED.
        let (_, mut p) = response.params(0)?;
        p.u16_be("validation.tag")? == client::ST_DIGEST_VERIFIED
    };
    let mut tampered = signature.clone();
    if let Some(b) = tampered.get_mut(100) {
        *b ^= 1;
    }
    let x = log.run(
        session,
        "VerifyDigestSignature(tampered)",
        &client::verify_digest_signature(key, &[], &digest, &tampered)?,
    )?;
    let refused = Response::parse(&x.response)?.code != 0;
    let x = log.run(session, "FlushContext", &client::flush_context(key)?)?;
    Response::parse(&x.response)?.success("FlushContext")?;
    Ok(MldsaOutcome {
        signature_len: signature.len(),
        verified: accepted && refused,
    })
}

fn mlkem(session: &mut Session, log: &mut Log, set: &str) -> anyhow::Result<bool> {
    let (param_set, ct_len) = match set {
        "512" => (1, 768),
        "768" => (2, 1088),
        "1024" => (3, 1568),
        _ => bail!("ML-KEM parameter set {set}: 512, 768 or 1024"),
    };
    let x = log.run(
        session,
        "CreatePrimary(ML-KEM)",
        &client::create_primary(&client::mlkem_template(param_set)?)?,
    )?;
    let (handles, _) = Response::parse(&x.response)?
        .success("CreatePrimary")?
        .params(1)?;
    let key = *handles.first().context("no object handle")?;
    let x = log.run(session, "Encapsulate", &client::encapsulate(key)?)?;
    let (_, mut p) = Response::parse(&x.response)?
        .success("Encapsulate")?
        .params(0)?;
    let secret = read_tpm2b(&mut p, "sharedSecret")?.to_vec();
    let ciphertext = read_tpm2b(&mut p, "ciphertext")?.to_vec();
    if ciphertext.len() != ct_len || secret.len() != 32 {
        bail!(
            "ML-KEM-{set}: ciphertext {} bytes, secret {} (FIPS 203: {ct_len}, 32)",
            ciphertext.len(),
            secret.len()
        );
    }
    let x = log.run(
        session,
        "Decapsulate",
        &client::decapsulate(key, &ciphertext)?,
    )?;
    let (_, mut p) = Response::parse(&x.response)?
        .success("Decapsulate")?
        .params(0)?;
    let again = read_tpm2b(&mut p, "sharedSecret")?;
    let x = log.run(session, "FlushContext", &client::flush_context(key)?)?;
    Response::parse(&x.response)?.success("FlushContext")?;
    let same = again == secret.as_slice();
    println!(
        "ML-KEM-{set}: ciphertext {} bytes; Decapsulate {} the 32-byte shared secret",
        ciphertext.len(),
        if same { "recovered" } else { "DID NOT recover" }
    );
    Ok(same)
}

fn print_pcrs(session: &mut Session, log: &mut Log, indices: &[u8]) -> anyhow::Result<()> {
    let indices: Vec<u32> = indices.iter().copied().map(u32::from).collect();
    let x = log.run(session, "PCR_Read", &client::pcr_read(&indices)?)?;
    let (_, mut p) = Response::parse(&x.response)?
        .success("PCR_Read")?
        .params(0)?;
    p.u32_be("pcrUpdateCounter")?;
    // pcrSelectionOut: which PCRs the digests are for.
    let count = p.u32_be("TPML_PCR_SELECTION.count")?;
    let mut selected = Vec::new();
    for _ in 0..count.min(16) {
        let alg = p.u16_be("hash")?;
        let size = p.u8("sizeofSelect")?;
        let bits = p.bytes("pcrSelect", usize::from(size))?;
        if alg == 0x000B {
            for (byte, b) in bits.iter().enumerate() {
                for bit in 0..8u8 {
                    if b & (1 << bit) != 0 {
                        selected.push(byte.saturating_mul(8).saturating_add(usize::from(bit)));
                    }
                }
            }
        }
    }
    let digests = p.u32_be("TPML_DIGEST.count")?;
    for (i, &pcr) in (0..digests).zip(&selected) {
        let _ = i;
        let d = read_tpm2b(&mut p, "digest")?;
        println!("PCR {pcr:2} sha256: {}", hex::encode(d));
    }
    Ok(())
}

fn sha256(data: &[u8]) -> anyhow::Result<[u8; 32]> {
    let d = CryptoProvider::new().digest(HashAlg::Sha256, data);
    d.as_bytes()
        .try_into()
        .map_err(|_| anyhow::anyhow!("SHA-256 of unexpected length"))
}

/// The commands of a run: name, sizes, chunks, time.
#[derive(Debug, Default)]
pub struct Log {
    rows: Vec<(String, usize, usize, usize, usize, Duration)>,
}

impl Log {
    /// Sends `command` and records it.
    ///
    /// # Errors
    /// The driver failed.
    pub fn run(
        &mut self,
        session: &mut Session,
        name: &str,
        command: &[u8],
    ) -> anyhow::Result<Exchange> {
        let x = session
            .transmit(command)
            .with_context(|| format!("{name} through the CRB"))?;
        self.rows.push((
            name.to_owned(),
            command.len(),
            x.response.len(),
            x.stats.chunks_sent,
            x.stats.chunks_received,
            x.elapsed,
        ));
        Ok(x)
    }

    /// The rows: (command, command bytes, response bytes, chunks sent, chunks received, time).
    pub fn rows(&self) -> &[(String, usize, usize, usize, usize, Duration)] {
        &self.rows
    }

    /// Prints the table.
    pub fn print(&self) {
        println!();
        println!(
            "{:34} {:>9} {:>9} {:>10} {:>10} {:>10}",
            "command", "cmd bytes", "rsp bytes", "cmd chunks", "rsp chunks", "time"
        );
        for (name, c, r, cs, cr, t) in &self.rows {
            println!(
                "{name:34} {c:>9} {r:>9} {cs:>10} {cr:>10} {:>10}",
                report::duration(*t)
            );
        }
    }
}

fn serve(args: &ServeArgs) -> anyhow::Result<ExitCode> {
    let (ctrl, data) = match (args.port, &args.ctrl) {
        (Some(port), _) => (
            Endpoint::Tcp(([127, 0, 0, 1], port.saturating_add(1)).into()),
            Some(Endpoint::Tcp(([127, 0, 0, 1], port).into())),
        ),
        (None, Some(ctrl)) => (
            parse_endpoint(ctrl),
            args.server.as_deref().map(parse_endpoint),
        ),
        (None, None) => bail!("--ctrl or --port is needed"),
    };
    let backend = EmbeddedBackend::new(CryptoProvider::new(), args.state.clone())
        .context("Starting the embedded TPM")?;
    let server = Server::new(
        Arc::new(backend),
        ServerConfig {
            ctrl: ctrl.clone(),
            data: data.clone(),
        },
    )
    .context("Opening the sockets")?;
    println!(
        "embedded TPM on swtpm protocol: ctrl {ctrl}{}",
        data.map(|d| format!(", data {d}")).unwrap_or_default()
    );
    server.run().context("Serving")?;
    println!("stopped (CMD_SHUTDOWN)");
    Ok(ExitCode::SUCCESS)
}
