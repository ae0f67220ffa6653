//! `vtrust spdm attest`: our requester over a platform-protocol TCP connection, timed per
//! phase, and the printed report.
//!
//! The requester ([`vtrust_spdm::requester::run`]) runs VCA, GET_DIGESTS, GET_CERTIFICATE
//! (chain validated against the trust anchors at the current time), CHALLENGE and one
//! signed GET_MEASUREMENTS for all blocks, each with a fresh nonce. `--nonce` fixes both
//! nonces: [`RequesterConfig`] has no nonce field, so the nonce is injected through the
//! crypto provider's RNG seam ([`FixedNonce`]), which the requester draws its nonces from.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context as _, anyhow};
use vtrust_crypto::CryptoProvider;
use vtrust_crypto::rng::{SecureRandom, SystemRng};
use vtrust_spdm::cert::{AnchorStatus, Timestamp, TrustAnchor};
use vtrust_spdm::codec::{BaseAsymAlgo, PqcAsymAlgo, RequesterCapabilityFlags, SpdmVersion};
use vtrust_spdm::negotiated::{AsymBit, MeasurementHash};
use vtrust_spdm::requester::{
    Attestation, ChallengeEvidence, Exchange, RequesterConfig, Step, run,
};
use vtrust_spdm_transport::binding::doe_discovery::{DiscoveryResponse, DiscoveryWalk, Protocol};
use vtrust_spdm_transport::binding::{AnyBinding, Binding, Message};
use vtrust_spdm_transport::{FrameTransport, PayloadLimit, SocketConfig, TcpTransport};

use super::{AttestArgs, Nonce, TransportArg, evidence};
use crate::report::{self, Table};

/// Our DataTransferSize and MaxSPDMmsgSize (spdm-emu's with ML-DSA), and the platform
/// payload limit to match ([`PayloadLimit::LARGE`]).
pub const MAX_SPDM_MSG_SIZE: u32 = 0x8000;

/// How long we wait for the device per message.
const IO_TIMEOUT: Duration = Duration::from_secs(30);

/// What to attest and how.
#[derive(Debug, Clone)]
pub struct AttestOptions {
    /// HOST:PORT.
    pub connect: String,
    /// The binding.
    pub transport: TransportArg,
    /// The roots we trust.
    pub anchors: Vec<TrustAnchor>,
    /// The slot to authenticate.
    pub slot: u8,
    /// A fixed nonce.
    pub nonce: Option<Nonce>,
    /// End with SHUTDOWN rather than CONTINUE.
    pub shutdown: bool,
    /// Versions accepted (lowest, highest).
    pub versions: (SpdmVersion, SpdmVersion),
    /// Our DataTransferSize with CHUNK_CAP (`None`: one transfer, no chunking).
    pub data_transfer_size: Option<u32>,
}

/// One phase of the flow and the time spent in it (round trips and our checks).
#[derive(Debug, Clone, Copy)]
pub struct PhaseTiming {
    /// Its name.
    pub name: &'static str,
    /// Requests sent in it.
    pub requests: usize,
    /// Time from its first request to the next phase's first request.
    pub elapsed: Duration,
}

/// The result of one attestation.
#[derive(Debug)]
pub struct Outcome {
    /// The device address.
    pub peer: String,
    /// The binding.
    pub transport: TransportArg,
    /// The evidence, or why the device was not authenticated.
    pub result: Result<Attestation, String>,
    /// Per phase.
    pub phases: Vec<PhaseTiming>,
    /// From connect to the end of the flow.
    pub total: Duration,
    /// PCI DOE: what discovery listed.
    pub doe_protocols: Option<Vec<Protocol>>,
    /// Whether `--nonce` fixed the nonces.
    pub nonce_fixed: bool,
    /// The time certificates were checked against.
    pub now: Timestamp,
    /// The trust anchors' DER.
    pub anchors: Vec<Vec<u8>>,
    /// The slot asked for.
    pub slot: u8,
}

impl Outcome {
    /// Whether the device authenticated.
    #[must_use]
    pub fn authenticated(&self) -> bool {
        self.result.is_ok()
    }
}

/// `vtrust spdm attest`.
///
/// # Errors
/// Unreadable trust anchors, connection failures, an unwritable JSON file.
pub fn run_cli(args: &AttestArgs) -> anyhow::Result<std::process::ExitCode> {
    let anchors = super::read_anchors(&args.trust)?;
    let options = AttestOptions {
        connect: args.connect.clone(),
        transport: args.transport,
        anchors,
        slot: args.slot,
        nonce: args.nonce,
        shutdown: args.shutdown,
        versions: version_range(&args.versions)?,
        data_transfer_size: args.data_transfer_size,
    };
    let outcome = attest(&options)?;
    let json_to_stdout = args.json.as_deref().is_some_and(|p| p.as_os_str() == "-");
    if let Some(path) = &args.json {
        let text = evidence::to_json(&outcome)?;
        if json_to_stdout {
            super::out(format_args!("{text}\n"));
        } else {
            super::identity::write_file(path, format!("{text}\n").as_bytes())
                .with_context(|| format!("Writing {}", path.display()))?;
        }
    }
    if json_to_stdout {
        eprint!("{}", render(&outcome));
    } else {
        super::out(format_args!("{}", render(&outcome)));
    }
    Ok(if outcome.authenticated() {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    })
}

/// Connects, runs DOE discovery (PCI DOE) and the requester, ends the connection.
///
/// # Errors
/// The address does not resolve or the connection fails before SPDM starts; a failure
/// during SPDM is an [`Outcome`] that did not authenticate.
pub fn attest(options: &AttestOptions) -> anyhow::Result<Outcome> {
    let started = Instant::now();
    let now = Timestamp::from_system_time(SystemTime::now())
        .ok_or_else(|| anyhow!("The system clock is before 1970"))?;
    let socket = options.transport.socket();
    let config = SocketConfig::new(socket)
        .with_limit(PayloadLimit::LARGE)
        .with_read_timeout(Some(IO_TIMEOUT))
        .with_write_timeout(Some(IO_TIMEOUT));
    let transport =
        TcpTransport::connect(options.connect.as_str(), &config).with_context(|| {
            format!(
                "Connecting to {} ({})",
                options.connect,
                options.transport.name()
            )
        })?;
    let binding = AnyBinding::for_kind(socket.kind())
        .ok_or_else(|| anyhow!("No binding for {}", options.transport.name()))?;
    let mut wire = Wire {
        transport,
        binding,
        timer: PhaseTimer::default(),
    };
    let mut doe_protocols = None;
    let mut result = Ok(());
    if options.transport == TransportArg::Doe {
        match wire.discover() {
            Ok(found) => {
                if !found.contains(&Protocol::SPDM) {
                    result = Err("DOE discovery does not list CMA/SPDM".to_owned());
                }
                doe_protocols = Some(found);
            }
            Err(e) => result = Err(format!("DOE discovery: {e:#}")),
        }
    }
    let provider = match options.nonce {
        Some(Nonce(nonce)) => CryptoProvider::with_rng(Arc::new(FixedNonce(nonce))),
        None => CryptoProvider::new(),
    };
    let result = result.and_then(|()| {
        let config = requester_config(options, now);
        run(&mut wire, &provider, config).map_err(|e| format!("{e}"))
    });
    wire.timer.finish();
    let phases = wire.timer.phases();
    let total = started.elapsed();
    let ended = if options.shutdown {
        wire.transport.shutdown()
    } else {
        wire.transport.close_continue()
    };
    if let Err(e) = ended {
        tracing::debug!(error = %e, "connection not ended cleanly");
    }
    Ok(Outcome {
        peer: options.connect.clone(),
        transport: options.transport,
        result,
        phases,
        total,
        doe_protocols,
        nonce_fixed: options.nonce.is_some(),
        now,
        anchors: options.anchors.iter().map(|a| a.der().to_vec()).collect(),
        slot: options.slot,
    })
}

/// `--version` values as (lowest, highest): the versions must form a contiguous range.
pub fn version_range(specs: &[super::VersionSpec]) -> anyhow::Result<(SpdmVersion, SpdmVersion)> {
    let versions = super::versions_of(specs);
    let (Some(&min), Some(&max)) = (versions.first(), versions.last()) else {
        return Ok((SpdmVersion::V10, SpdmVersion::V14));
    };
    let span = super::ALL_VERSIONS
        .iter()
        .filter(|v| **v >= min && **v <= max)
        .count();
    anyhow::ensure!(
        span == versions.len(),
        "--version: attest accepts a contiguous range of versions (e.g. 1.2 and 1.3, or ..1.3)"
    );
    Ok((min, max))
}

/// The requester's configuration: SPDM up to 1.4, every signature algorithm we verify
/// offered, no session capabilities, the flow DIGESTS, CERTIFICATE(slot), CHALLENGE(slot),
/// all measurements signed with slot `slot`.
fn requester_config(options: &AttestOptions, now: Timestamp) -> RequesterConfig {
    let (min_version, max_version) = options.versions;
    let mut config = RequesterConfig::new(max_version, options.anchors.clone(), now);
    config.min_version = min_version;
    config.flags = RequesterCapabilityFlags::empty();
    config.offer.base_asym_algo = BaseAsymAlgo::TPM_ALG_ECDSA_ECC_NIST_P256
        | BaseAsymAlgo::TPM_ALG_ECDSA_ECC_NIST_P384
        | BaseAsymAlgo::TPM_ALG_ECDSA_ECC_NIST_P521
        | BaseAsymAlgo::TPM_ALG_RSASSA_2048
        | BaseAsymAlgo::TPM_ALG_RSAPSS_2048
        | BaseAsymAlgo::TPM_ALG_RSASSA_3072
        | BaseAsymAlgo::TPM_ALG_RSAPSS_3072
        | BaseAsymAlgo::TPM_ALG_RSASSA_4096
        | BaseAsymAlgo::TPM_ALG_RSAPSS_4096
        | BaseAsymAlgo::EDDSA_ED25519;
    config.offer.pqc_asym_algo =
        PqcAsymAlgo::ML_DSA_44 | PqcAsymAlgo::ML_DSA_65 | PqcAsymAlgo::ML_DSA_87;
    config.plan = vec![
        Step::Digests,
        Step::Certificate(options.slot),
        Step::Challenge(options.slot),
        Step::Measurements,
    ];
    config.measurement_slot = options.slot;
    // By default one transfer takes any message up to MAX_SPDM_MSG_SIZE (ML-DSA-87
    // signatures, 4627 bytes, exceed spdm-emu's 0x1200); with --data-transfer-size larger
    // responses come with CHUNK_GET.
    config.data_transfer_size = options.data_transfer_size.unwrap_or(MAX_SPDM_MSG_SIZE);
    config.max_spdm_msg_size = MAX_SPDM_MSG_SIZE;
    if options.data_transfer_size.is_some() {
        config.flags |= RequesterCapabilityFlags::CHUNK_CAP;
    }
    config.max_padding = if options.transport == TransportArg::Doe {
        3
    } else {
        0
    };
    config
}

/// The requester's side of the connection.
struct Wire {
    transport: TcpTransport,
    binding: AnyBinding,
    timer: PhaseTimer,
}

impl Wire {
    fn round_trip(&mut self, message: Message<'_>) -> anyhow::Result<Vec<u8>> {
        let frame = self
            .binding
            .to_vec(message)
            .map_err(|e| anyhow!("Encoding: {e}"))?;
        self.transport.send(&frame).context("Sending")?;
        self.transport.recv().context("Receiving")
    }

    /// Walks the DOE discovery table (at most 256 entries).
    fn discover(&mut self) -> anyhow::Result<Vec<Protocol>> {
        let mut asking = DiscoveryWalk::start();
        for _ in 0..=u8::MAX {
            let reply = self.round_trip(Message::DoeDiscovery(&asking.request().to_dword()))?;
            let decoded = self.binding.decode(&reply).context("Discovery response")?;
            let Message::DoeDiscovery(dword) = decoded.message else {
                return Err(anyhow!("Not a discovery response"));
            };
            match asking.on_response(DiscoveryResponse::from_dword(dword))? {
                DiscoveryWalk::Asking(next) => asking = next,
                DiscoveryWalk::Done(done) => return Ok(done.protocols().to_vec()),
            }
        }
        Err(anyhow!("Discovery table longer than 256 entries"))
    }
}

impl Exchange for Wire {
    type Error = anyhow::Error;

    fn exchange(&mut self, request: &[u8]) -> Result<Vec<u8>, Self::Error> {
        self.timer.request(request.get(1).copied().unwrap_or(0));
        let reply = self.round_trip(Message::Spdm(request))?;
        let decoded = self
            .binding
            .decode(&reply)
            .map_err(|e| anyhow!("Response transport message: {e}"))?;
        match decoded.message {
            Message::Spdm(body) => Ok(body.to_vec()),
            other => Err(anyhow!("Not an SPDM response: {other:?}")),
        }
    }
}

/// Phases of the flow, by request code.
const PHASES: [&str; 5] = [
    "VCA",
    "GET_DIGESTS",
    "GET_CERTIFICATE",
    "CHALLENGE",
    "GET_MEASUREMENTS",
];

fn phase_of(code: u8) -> Option<usize> {
    match code {
        0x84 | 0xE1 | 0xE3 => Some(0),
        0x81 => Some(1),
        0x82 => Some(2),
        0x83 => Some(3),
        0xE0 => Some(4),
        _ => None, // RESPOND_IF_READY and others: the phase in progress
    }
}

/// Time per phase: from a phase's first request to the next phase's first request (so a
/// phase includes our checks of its last response).
#[derive(Debug, Default)]
struct PhaseTimer {
    current: Option<(usize, Instant)>,
    elapsed: [Duration; 5],
    requests: [usize; 5],
}

impl PhaseTimer {
    fn request(&mut self, code: u8) {
        let phase = phase_of(code).or(self.current.map(|(p, _)| p)).unwrap_or(0);
        if let Some(count) = self.requests.get_mut(phase) {
            *count = count.saturating_add(1);
        }
        match self.current {
            Some((p, _)) if p == phase => {}
            _ => {
                self.finish();
                self.current = Some((phase, Instant::now()));
            }
        }
    }

    fn finish(&mut self) {
        if let Some((p, since)) = self.current.take()
            && let Some(total) = self.elapsed.get_mut(p)
        {
            *total = total.saturating_add(since.elapsed());
        }
    }

    fn phases(&self) -> Vec<PhaseTiming> {
        PHASES
            .iter()
            .zip(self.elapsed.iter().zip(&self.requests))
            .filter(|(_, (_, n))| **n > 0)
            .map(|(name, (elapsed, requests))| PhaseTiming {
                name,
                requests: *requests,
                elapsed: *elapsed,
            })
            .collect()
    }
}

/// An RNG that answers every 32-byte draw (an SPDM nonce) with the `--nonce` value, and any
/// other draw from the system RNG.
struct FixedNonce([u8; 32]);

impl SecureRandom for FixedNonce {
    fn fill(&self, out: &mut [u8]) -> Result<(), vtrust_crypto::Error> {
        if out.len() == self.0.len() {
            out.copy_from_slice(&self.0);
            Ok(())
        } else {
            SystemRng.fill(out)
        }
    }

    fn name(&self) -> &'static str {
        "fixed nonce"
    }
}

/// `aabbcc…` with at most `max` bytes shown, and the length when cut.
#[must_use]
pub fn short_hex(bytes: &[u8], max: usize) -> String {
    if bytes.len() <= max {
        hex::encode(bytes)
    } else {
        let head = bytes.get(..max).unwrap_or(bytes);
        format!("{}… ({} bytes)", hex::encode(head), bytes.len())
    }
}

/// DSP0274 DMTFSpecMeasurementValueType names (bits 6:0).
#[must_use]
pub fn measurement_type_name(value_type: u8) -> &'static str {
    match value_type & 0x7F {
        0x00 => "immutable ROM",
        0x01 => "mutable firmware",
        0x02 => "hardware configuration",
        0x03 => "firmware configuration",
        0x04 => "measurement manifest",
        0x05 => "device mode",
        0x06 => "firmware version",
        0x07 => "firmware SVN",
        0x08 => "hash-extended",
        0x09 => "informational",
        0x0A => "structured manifest",
        _ => "unknown",
    }
}

/// The negotiated signature algorithm with the field that selected it.
#[must_use]
pub fn asym_text(a: &Attestation) -> String {
    match &a.negotiated.asym {
        Some(s) => format!(
            "{} ({})",
            s.alg,
            match s.selected {
                AsymBit::Base(_) => "BaseAsymSel",
                AsymBit::Pqc(_) => "PqcAsymSel",
            }
        ),
        None => "none".to_owned(),
    }
}

/// Every CHALLENGE of the flow, in order.
pub fn challenges(a: &Attestation) -> impl Iterator<Item = &ChallengeEvidence> {
    a.earlier_challenges.iter().chain(a.challenge.iter())
}

/// The negotiated measurement hash.
#[must_use]
pub fn measurement_hash_text(a: &Attestation) -> String {
    match a.negotiated.measurement_hash {
        Some(MeasurementHash::Hash(h)) => h.to_string(),
        Some(MeasurementHash::RawBitStreamOnly) => "raw bit stream only".to_owned(),
        None => "none".to_owned(),
    }
}

/// The human report.
#[must_use]
pub fn render(outcome: &Outcome) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "SPDM attestation of {} over {}",
        outcome.peer,
        outcome.transport.name()
    );
    if let Some(found) = &outcome.doe_protocols {
        let names: Vec<String> = found
            .iter()
            .map(|p| match *p {
                Protocol::DOE_DISCOVERY => "DOE discovery".to_owned(),
                Protocol::SPDM => "CMA/SPDM".to_owned(),
                Protocol::SECURED_SPDM => "secured CMA/SPDM".to_owned(),
                other => format!("{:04x}:{:02x}", other.vendor_id, other.data_object_type),
            })
            .collect();
        let _ = writeln!(out, "  DOE discovery: {}", names.join(", "));
    }
    if let Ok(a) = &outcome.result {
        render_evidence(&mut out, outcome, a);
    }
    out.push_str("Timings\n");
    let mut table = Table::new(&["phase", "requests", "time"]);
    for p in &outcome.phases {
        table.row(vec![
            p.name.to_owned(),
            p.requests.to_string(),
            report::duration(p.elapsed),
        ]);
    }
    table.row(vec![
        "total".to_owned(),
        outcome
            .phases
            .iter()
            .map(|p| p.requests)
            .sum::<usize>()
            .to_string(),
        report::duration(outcome.total),
    ]);
    out.push_str(&table.render(2));
    match &outcome.result {
        Ok(a) => {
            let _ = writeln!(
                out,
                "verdict: AUTHENTICATED (SPDM {}, {}, chain anchored, CHALLENGE and measurement signatures verified)",
                a.negotiated.version,
                asym_text(a)
            );
        }
        Err(why) => {
            let _ = writeln!(out, "verdict: NOT AUTHENTICATED: {why}");
            if outcome.anchors.is_empty() {
                let _ = writeln!(
                    out,
                    "  (no --trust given: no certificate chain can validate; export the device's root with `vtrust spdm root --out ROOT.der`)"
                );
            }
        }
    }
    out
}

fn render_evidence(out: &mut String, outcome: &Outcome, a: &Attestation) {
    let n = &a.negotiated;
    out.push_str("Negotiated\n");
    let mut t = Table::new(&["parameter", "value"]);
    t.row(vec!["version".into(), n.version.to_string()]);
    t.row(vec!["base hash".into(), n.base_hash.to_string()]);
    t.row(vec!["signature".into(), asym_text(a)]);
    t.row(vec!["measurement hash".into(), measurement_hash_text(a)]);
    t.row(vec![
        "responder caps".into(),
        n.responder_caps
            .flags
            .iter_names()
            .map(|(name, _)| name)
            .collect::<Vec<_>>()
            .join(" | "),
    ]);
    if let Some(dts) = n.responder_caps.data_transfer_size {
        t.row(vec!["responder DataTransferSize".into(), dts.to_string()]);
    }
    out.push_str(&t.render(2));
    for slot in &a.slots {
        let anchor = match slot.anchor {
            AnchorStatus::Anchored { index } => format!("anchored by trust anchor #{}", index + 1),
            AnchorStatus::Unanchored => "NOT anchored".to_owned(),
        };
        let _ = writeln!(
            out,
            "Certificate chain, slot {} ({} certificates, {anchor}, digest {})",
            slot.slot,
            slot.certificates.len(),
            short_hex(&slot.digest, 8)
        );
        let mut t = Table::new(&[
            "#",
            "subject",
            "key",
            "signed with",
            "not before",
            "not after",
        ]);
        for (i, c) in slot.certificates.iter().enumerate() {
            let key = match c.rsa_bits {
                Some(bits) => format!("{} {bits}", c.key_type),
                None => c.key_type.to_string(),
            };
            t.row(vec![
                i.to_string(),
                c.subject.clone(),
                key,
                c.signature_alg.to_string(),
                c.not_before.to_string(),
                c.not_after.to_string(),
            ]);
        }
        out.push_str(&t.render(2));
    }
    for c in challenges(a) {
        let _ = writeln!(
            out,
            "CHALLENGE slot {}: signature verified ({} bytes), nonce {}",
            c.slot,
            c.signature.len(),
            short_hex(&c.requester_nonce, 8)
        );
    }
    let signed = a
        .measurement_signatures
        .iter()
        .map(|s| {
            format!(
                "signed by slot {}, nonce {}",
                s.slot,
                short_hex(&s.requester_nonce, 8)
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    let _ = writeln!(
        out,
        "Measurements ({} blocks, {signed}{})",
        a.measurements.len(),
        if outcome.nonce_fixed {
            ", nonce fixed by --nonce"
        } else {
            ""
        }
    );
    let mut t = Table::new(&["index", "type", "kind", "value"]);
    for m in &a.measurements {
        let (ty, kind) = match m.value_type {
            Some(v) => (
                measurement_type_name(v).to_owned(),
                if v & 0x80 != 0 { "raw" } else { "digest" },
            ),
            None => (
                format!("spec {:#04x}", m.measurement_specification),
                "opaque",
            ),
        };
        t.row(vec![
            m.index.to_string(),
            ty,
            kind.to_owned(),
            short_hex(&m.value, 24),
        ]);
    }
    out.push_str(&t.render(2));
}
