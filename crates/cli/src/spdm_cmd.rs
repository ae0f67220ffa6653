//! `vtrust spdm ...`: an emulated SPDM device (`responder`), the attester (`attest`) and the
//! export of the built-in device's root certificate (`root`).
//!
//! | file | what it owns |
//! |---|---|
//! | this file | the clap arguments and their parsing into typed options |
//! | [`identity`] | the built-in device identity kept under the state directory |
//! | [`serve`] | the responder loop over [`PlatformListener`](vtrust_spdm_transport::PlatformListener) and a binding (MCTP, PCI DOE with discovery, none) |
//! | [`attest`] | the requester over [`TcpTransport`](vtrust_spdm_transport::TcpTransport), per-phase timings, the printed report |
//! | [`loopback`] | the device attested in process over loopback TCP (the tour) |
//! | [`evidence`] | the JSON evidence written by `attest --json` (schema documented there) |
//! | [`verify`] | `verify`: the offline re-check of that evidence |

pub mod attest;
pub mod evidence;
pub mod identity;
pub mod loopback;
pub mod serve;
pub mod verify;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use clap::{Args, Subcommand, ValueEnum};
use vtrust_crypto::CryptoProvider;
use vtrust_crypto::sign::SignatureAlg;
use vtrust_spdm::cert::TrustAnchor;
use vtrust_spdm::codec::SpdmVersion;
use vtrust_spdm::measurements::MeasurementStore;
use vtrust_spdm::responder::ResponderIdentity;
use vtrust_spdm_transport::SocketTransport;

/// Subcommands of `vtrust spdm`.
#[derive(Debug, Subcommand)]
pub enum SpdmCommand {
    /// Serve an emulated SPDM device (responder) on the spdm-emu socket protocol.
    ///
    /// Connections are served one after another until a requester sends SHUTDOWN or the
    /// process is stopped. The first line on stdout is `listening on ADDR`. Connections are
    /// logged at info level (`RUST_LOG=vtrust=info`).
    Responder(ResponderArgs),
    /// Attest an SPDM device: VCA, digests, certificate chain, CHALLENGE and signed
    /// measurements; exits 0 only if the device authenticated.
    Attest(AttestArgs),
    /// Export the built-in device's root certificate (DER), for `attest --trust`.
    Root(RootArgs),
    /// Re-check `attest --json` evidence offline: chains, transcripts, signatures, nonces;
    /// exits 0 only if everything verifies.
    Verify(VerifyArgs),
}

/// Options of `vtrust spdm verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The evidence written by `vtrust spdm attest --json`.
    #[arg(value_name = "EVIDENCE.json")]
    pub evidence: PathBuf,
    /// Trusted root certificate(s), DER (repeatable; at least one).
    #[arg(long, value_name = "ROOT.der", required = true)]
    pub trust: Vec<PathBuf>,
    /// The nonce (64 hex digits) the signed measurements must have been requested with.
    #[arg(long, value_name = "HEX", value_parser = parse_nonce)]
    pub nonce: Option<Nonce>,
    /// Judge certificate validity at this time (Unix seconds) instead of the recorded one.
    #[arg(long, value_name = "UNIX_SECONDS")]
    pub at: Option<u64>,
}

/// The transport binding inside the platform frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TransportArg {
    /// MCTP (DSP0275), spdm-emu's default.
    Mctp,
    /// PCI DOE (DSP0276) with DOE discovery.
    Doe,
    /// No binding: bare SPDM messages.
    None,
}

impl TransportArg {
    /// The platform-protocol transport (spdm-emu numbering).
    #[must_use]
    pub const fn socket(self) -> SocketTransport {
        match self {
            Self::Mctp => SocketTransport::SPDM_EMU_MCTP,
            Self::Doe => SocketTransport::SPDM_EMU_PCI_DOE,
            Self::None => SocketTransport::SPDM_EMU_NONE,
        }
    }

    /// The name as typed on the command line.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Mctp => "mctp",
            Self::Doe => "doe",
            Self::None => "none",
        }
    }
}

/// The responder's signing algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AsymArg {
    /// ECDSA P-256 with SHA-256.
    P256,
    /// ECDSA P-384 with SHA-384 (default).
    P384,
    /// RSASSA-PSS 3072 with SHA-384.
    Rsa3072,
    /// Ed25519.
    Ed25519,
    /// ML-DSA-44 (SPDM 1.4).
    Mldsa44,
    /// ML-DSA-65 (SPDM 1.4).
    Mldsa65,
    /// ML-DSA-87 (SPDM 1.4; what `--pqc` selects).
    Mldsa87,
}

impl AsymArg {
    /// The crypto provider's algorithm.
    #[must_use]
    pub const fn alg(self) -> SignatureAlg {
        match self {
            Self::P256 => SignatureAlg::EcdsaP256Sha256,
            Self::P384 => SignatureAlg::EcdsaP384Sha384,
            Self::Rsa3072 => SignatureAlg::RsaPssSha384,
            Self::Ed25519 => SignatureAlg::Ed25519,
            Self::Mldsa44 => SignatureAlg::MlDsa44,
            Self::Mldsa65 => SignatureAlg::MlDsa65,
            Self::Mldsa87 => SignatureAlg::MlDsa87,
        }
    }

    /// A file-name-safe name (the state directory keeps one identity per algorithm).
    #[must_use]
    pub const fn slug(self) -> &'static str {
        match self {
            Self::P256 => "p256",
            Self::P384 => "p384",
            Self::Rsa3072 => "rsa3072",
            Self::Ed25519 => "ed25519",
            Self::Mldsa44 => "mldsa44",
            Self::Mldsa65 => "mldsa65",
            Self::Mldsa87 => "mldsa87",
        }
    }

    /// Whether the algorithm needs SPDM 1.4 (PqcAsymAlgo).
    #[must_use]
    pub const fn is_pqc(self) -> bool {
        matches!(self, Self::Mldsa44 | Self::Mldsa65 | Self::Mldsa87)
    }
}

/// `--asym` / `--pqc`, shared by `responder` and `root`.
#[derive(Debug, Clone, Args)]
pub struct AlgArgs {
    /// The device's signing algorithm.
    #[arg(long, value_enum, conflicts_with = "pqc")]
    pub asym: Option<AsymArg>,
    /// Post-quantum identity: ML-DSA-87 (same as `--asym mldsa87`).
    #[arg(long)]
    pub pqc: bool,
}

impl AlgArgs {
    /// The algorithm chosen: `--asym`, else ML-DSA-87 with `--pqc`, else ECDSA P-384.
    #[must_use]
    pub fn asym(&self) -> AsymArg {
        match (self.asym, self.pqc) {
            (Some(a), _) => a,
            (None, true) => AsymArg::Mldsa87,
            (None, false) => AsymArg::P384,
        }
    }
}

/// Options of `vtrust spdm responder`.
#[derive(Debug, Args)]
pub struct ResponderArgs {
    /// Address to listen on (port 0 picks a free port; the address is printed).
    #[arg(long, default_value = "127.0.0.1:2323", value_name = "ADDR")]
    pub listen: String,
    /// Transport binding.
    #[arg(long, value_enum, default_value = "mctp")]
    pub transport: TransportArg,
    /// SPDM version(s) offered: repeat for a set (`--version 1.2 --version 1.3`), or give
    /// one as `..1.3` for every version up to it. Default: 1.0 to 1.4.
    #[arg(long = "version", value_name = "VERSION", value_parser = parse_version_spec)]
    pub versions: Vec<VersionSpec>,
    #[command(flatten)]
    pub alg: AlgArgs,
    /// Slot of each `--chain` / `--key` pair, in the same order (repeatable; default: slot 0
    /// for a single chain). Every slot uses the `--asym` algorithm.
    #[arg(long, value_parser = clap::value_parser!(u8).range(0..=7))]
    pub slot: Vec<u8>,
    /// A slot's certificate chain: concatenated DER certificates, root first (repeatable,
    /// one per `--slot`).
    #[arg(long, value_name = "FILE", requires = "key")]
    pub chain: Vec<PathBuf>,
    /// The leaf's private key for the `--chain` at the same position (`*.p8` PKCS#8;
    /// `*.priv.raw` ML-DSA expanded; else SEC1 / PKCS#1 DER); its algorithm is `--asym`.
    #[arg(long, value_name = "FILE", requires = "chain")]
    pub key: Vec<PathBuf>,
    /// Measurements to report (TOML); default: the built-in set.
    #[arg(long, value_name = "FILE.toml")]
    pub measurements: Option<PathBuf>,
    /// Where the built-in identity is kept (default `$XDG_STATE_HOME/vtrust` or
    /// `~/.local/state/vtrust`).
    #[arg(long, value_name = "DIR")]
    pub state_dir: Option<PathBuf>,
    /// Write the root certificate (DER) of the identity served to FILE before serving.
    #[arg(long, value_name = "FILE")]
    pub print_root: Option<PathBuf>,
    /// Exit after one connection.
    #[arg(long)]
    pub once: bool,
}

/// Options of `vtrust spdm attest`.
#[derive(Debug, Args)]
pub struct AttestArgs {
    /// The device: HOST:PORT.
    #[arg(long, value_name = "HOST:PORT")]
    pub connect: String,
    /// Transport binding.
    #[arg(long, value_enum, default_value = "mctp")]
    pub transport: TransportArg,
    /// Trusted root certificate(s), DER (repeatable). Without one no chain validates.
    #[arg(long, value_name = "ROOT.der", num_args = 1..)]
    pub trust: Vec<PathBuf>,
    /// Fix the CHALLENGE and GET_MEASUREMENTS nonce (64 hex digits) instead of a fresh one.
    #[arg(long, value_name = "HEX", value_parser = parse_nonce)]
    pub nonce: Option<Nonce>,
    /// Slot to authenticate and to sign the measurements with.
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u8).range(0..=7))]
    pub slot: u8,
    /// Write the evidence as JSON to FILE (`-`: stdout, instead of the report).
    #[arg(long, value_name = "FILE|-")]
    pub json: Option<PathBuf>,
    /// End with SHUTDOWN (the responder stops) instead of CONTINUE (it serves the next one).
    #[arg(long)]
    pub shutdown: bool,
    /// SPDM version(s) to accept: repeat for a set (`--version 1.2 --version 1.3`) or give
    /// `..1.3` for every version up to one; the highest common one is used and a device
    /// offering only versions outside the set is refused. Default: 1.0 to 1.4.
    #[arg(long = "version", value_name = "VERSION", value_parser = parse_version_spec)]
    pub versions: Vec<VersionSpec>,
    /// Our DataTransferSize (42 or more): the largest message we take in one transfer. With
    /// it we set CHUNK_CAP and larger responses come in CHUNK_GET pieces (SPDM 1.2+).
    /// Default: one transfer of up to 32 KiB, no chunking.
    #[arg(long, value_name = "BYTES", value_parser = clap::value_parser!(u32).range(42..=0x8000))]
    pub data_transfer_size: Option<u32>,
}

/// Options of `vtrust spdm root`.
#[derive(Debug, Args)]
pub struct RootArgs {
    #[command(flatten)]
    pub alg: AlgArgs,
    /// Where the built-in identity is kept (as `responder --state-dir`).
    #[arg(long, value_name = "DIR")]
    pub state_dir: Option<PathBuf>,
    /// The file to write the root certificate (DER) to.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

/// A `--version` value: one version, or every version up to one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionSpec {
    /// Exactly this version.
    One(SpdmVersion),
    /// 1.0 up to this version.
    UpTo(SpdmVersion),
}

/// Every version we speak, ascending.
pub const ALL_VERSIONS: [SpdmVersion; 5] = [
    SpdmVersion::V10,
    SpdmVersion::V11,
    SpdmVersion::V12,
    SpdmVersion::V13,
    SpdmVersion::V14,
];

fn parse_version(text: &str) -> Result<SpdmVersion, String> {
    match text.trim() {
        "1.0" | "10" => Ok(SpdmVersion::V10),
        "1.1" | "11" => Ok(SpdmVersion::V11),
        "1.2" | "12" => Ok(SpdmVersion::V12),
        "1.3" | "13" => Ok(SpdmVersion::V13),
        "1.4" | "14" => Ok(SpdmVersion::V14),
        other => Err(format!(
            "unknown SPDM version {other:?} (expected 1.0, 1.1, 1.2, 1.3 or 1.4)"
        )),
    }
}

fn parse_version_spec(text: &str) -> Result<VersionSpec, String> {
    match text.strip_prefix("..") {
        Some(max) => parse_version(max).map(VersionSpec::UpTo),
        None => parse_version(text).map(VersionSpec::One),
    }
}

/// The versions the specs name, ascending, no duplicates; all of them if none given.
#[must_use]
pub fn versions_of(specs: &[VersionSpec]) -> Vec<SpdmVersion> {
    if specs.is_empty() {
        return ALL_VERSIONS.to_vec();
    }
    let mut out: Vec<SpdmVersion> = Vec::new();
    for spec in specs {
        match *spec {
            VersionSpec::One(v) => out.push(v),
            VersionSpec::UpTo(max) => out.extend(ALL_VERSIONS.iter().filter(|v| **v <= max)),
        }
    }
    out.sort();
    out.dedup();
    out
}

/// A 32-byte nonce given on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Nonce(pub [u8; 32]);

/// The `--slot` / `--chain` / `--key` sets: the identity, slot 0's (else the first slot's)
/// root and a description.
fn load_slots(
    provider: &CryptoProvider,
    args: &ResponderArgs,
    asym: AsymArg,
) -> anyhow::Result<(ResponderIdentity, Vec<u8>, String)> {
    if args.chain.len() != args.key.len() {
        bail!(
            "{} --chain but {} --key: give one key per chain",
            args.chain.len(),
            args.key.len()
        );
    }
    let slots: Vec<u8> = match (args.slot.len(), args.chain.len()) {
        (0, 1) => vec![0],
        (n, m) if n == m => args.slot.clone(),
        (n, m) => bail!("{n} --slot for {m} --chain: give one slot per chain"),
    };
    let mut seen = 0u8;
    for &slot in &slots {
        let bit = 1u8 << slot;
        if seen & bit != 0 {
            bail!("--slot {slot} given twice");
        }
        seen |= bit;
    }
    let mut identity = ResponderIdentity::new();
    let mut described = Vec::new();
    for ((&slot, chain), key) in slots.iter().zip(&args.chain).zip(&args.key) {
        identity = identity
            .with_files(provider, slot, chain, key, asym.alg())
            .with_context(|| {
                format!(
                    "Loading slot {slot} from {} and {}",
                    chain.display(),
                    key.display()
                )
            })?;
        described.push(format!("slot {slot} from {}", chain.display()));
    }
    let root = identity
        .slots()
        .iter()
        .min_by_key(|s| s.slot_id)
        .and_then(|s| s.certs.first())
        .cloned()
        .unwrap_or_default();
    Ok((identity, root, described.join(", ")))
}

fn parse_nonce(text: &str) -> Result<Nonce, String> {
    let bytes = hex::decode(text.trim())
        .map_err(|e| format!("not hexadecimal ({e}); expected 64 hex digits"))?;
    let array: [u8; 32] = bytes
        .as_slice()
        .try_into()
        .map_err(|_| format!("{} bytes; a nonce is 32 bytes (64 hex digits)", bytes.len()))?;
    Ok(Nonce(array))
}

/// Runs a `vtrust spdm` subcommand.
pub fn run(command: SpdmCommand) -> anyhow::Result<ExitCode> {
    match command {
        SpdmCommand::Responder(args) => run_responder(&args),
        SpdmCommand::Attest(args) => attest::run_cli(&args),
        SpdmCommand::Verify(args) => verify::run_cli(&verify::VerifyInput {
            evidence: &args.evidence,
            trust: &args.trust,
            nonce: args.nonce,
            at: args.at,
        }),
        SpdmCommand::Root(args) => {
            let provider = CryptoProvider::new();
            let state = identity::state_dir(args.state_dir.as_deref())?;
            let builtin = identity::load_or_generate(&provider, &state, args.alg.asym())?;
            identity::write_file(&args.out, &builtin.root_der)
                .with_context(|| format!("Writing {}", args.out.display()))?;
            out(format_args!(
                "root certificate of the built-in {} device written to {} ({} bytes; identity in {})\n",
                builtin.alg,
                args.out.display(),
                builtin.root_der.len(),
                builtin.dir.display()
            ));
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn run_responder(args: &ResponderArgs) -> anyhow::Result<ExitCode> {
    let provider = CryptoProvider::new();
    let asym = args.alg.asym();
    let versions = versions_of(&args.versions);
    if asym.is_pqc() && !versions.contains(&SpdmVersion::V14) {
        bail!(
            "{} needs SPDM 1.4, which the --version set excludes",
            asym.alg()
        );
    }
    let store = match &args.measurements {
        Some(path) => MeasurementStore::from_toml_file(path)
            .with_context(|| format!("Measurements {}", path.display()))?,
        None => MeasurementStore::default_set(),
    };
    let (identity, root_der, description) = if args.chain.is_empty() {
        if !args.slot.is_empty() {
            bail!("--slot needs --chain and --key");
        }
        let state = identity::state_dir(args.state_dir.as_deref())?;
        let builtin = identity::load_or_generate(&provider, &state, asym)?;
        let text = format!(
            "built-in {} identity {} {}",
            builtin.alg,
            if builtin.generated {
                "generated in"
            } else {
                "from"
            },
            builtin.dir.display()
        );
        (builtin.identity, builtin.root_der, text)
    } else {
        load_slots(&provider, args, asym)?
    };
    if let Some(path) = &args.print_root {
        identity::write_file(path, &root_der)
            .with_context(|| format!("Writing {}", path.display()))?;
    }
    let mut responder =
        serve::build_responder(versions.clone(), asym.alg(), identity, store, provider)?;
    let listener = serve::bind(&args.listen, args.transport)?;
    let addr = listener
        .local_addr()
        .context("Reading the listening address")?;
    out(format_args!("listening on {addr}\n"));
    out(format_args!(
        "SPDM {} over {}, {description}{}\n",
        versions
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", "),
        args.transport.name(),
        args.print_root
            .as_ref()
            .map(|p| format!(", root certificate in {}", p.display()))
            .unwrap_or_default()
    ));
    flush_stdout();
    let stats = serve::serve(listener, &mut responder, args.transport, args.once)?;
    out(format_args!(
        "stopped after {} connection(s), {} SPDM request(s){}\n",
        stats.connections,
        stats.requests,
        if stats.shutdown { " (SHUTDOWN)" } else { "" }
    ));
    Ok(ExitCode::SUCCESS)
}

/// Reads trust anchors (DER root certificates).
///
/// # Errors
/// A file that cannot be read or is not one DER certificate with a supported key.
pub fn read_anchors(paths: &[PathBuf]) -> anyhow::Result<Vec<TrustAnchor>> {
    paths
        .iter()
        .map(|path| {
            let der = std::fs::read(path)
                .with_context(|| format!("Reading trust anchor {}", path.display()))?;
            TrustAnchor::from_der(&der).with_context(|| format!("Trust anchor {}", path.display()))
        })
        .collect()
}

/// Writes to stdout, ignoring a closed stdout (a parent that read our first line and went
/// away must not make the device panic, as `println` would).
pub fn out(text: std::fmt::Arguments<'_>) {
    use std::io::Write as _;
    let _ = std::io::stdout().lock().write_fmt(text);
}

/// Flushes stdout so that a parent reading our first line sees it now.
pub fn flush_stdout() {
    use std::io::Write as _;
    let _ = std::io::stdout().flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_and_combine() {
        assert_eq!(versions_of(&[]), ALL_VERSIONS.to_vec());
        let up_to = parse_version_spec("..1.2").unwrap();
        assert_eq!(
            versions_of(&[up_to]),
            vec![SpdmVersion::V10, SpdmVersion::V11, SpdmVersion::V12]
        );
        let a = parse_version_spec("1.3").unwrap();
        let b = parse_version_spec("1.1").unwrap();
        assert_eq!(
            versions_of(&[a, b, a]),
            vec![SpdmVersion::V11, SpdmVersion::V13]
        );
        assert!(parse_version_spec("1.5").is_err());
        assert!(parse_version_spec("").is_err());
    }

    #[test]
    fn nonces_are_32_bytes_of_hex() {
        assert_eq!(parse_nonce(&"ab".repeat(32)).unwrap(), Nonce([0xAB; 32]));
        assert!(parse_nonce("zz").unwrap_err().contains("not hexadecimal"));
        assert!(parse_nonce("abcd").unwrap_err().contains("2 bytes"));
    }
}
