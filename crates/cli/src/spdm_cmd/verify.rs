//! `vtrust spdm verify`: re-checks `vtrust-spdm-evidence` v1 (see [`super::evidence`]) offline,
//! without the device.
//!
//! Checked: the JSON is well formed with no unknown fields and within our size caps; the
//! negotiated block is consistent (names, bits, sizes) and equals what the recorded VCA
//! messages (inside every signed transcript) negotiate; every
//! slot chain validates against the given trust anchors at the recorded time (or `--at`), its
//! digest is the hash of the chain and the recorded leaf, anchor and certificate summaries
//! match the validated chain; for every CHALLENGE and signed MEASUREMENTS the transcript
//! messages hash to the recorded transcript hash, the A part is `message_a`, the recorded
//! nonces, slot, CertChainHash, summary hash and opaque data equal those inside the recorded
//! messages, and the signature verifies with the validated leaf key; the measurement blocks
//! listed are exactly those of the recorded MEASUREMENTS responses; with `--nonce`, every
//! signed measurement request carried that nonce.
//!
//! Not authenticated (no signature covers them, so they are informational only): `peer`,
//! `transport`, `nonce_fixed`, `doe_protocols`, `timings`, `total_micros`, and the entries of
//! `trust_anchors_der` no slot's `anchor_index` names.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, anyhow, bail, ensure};
use vtrust_crypto::CryptoProvider;
use vtrust_crypto::hash::{Digest, HashAlg};
use vtrust_crypto::sign::{KeyType, PublicKey};
use vtrust_spdm::cert::{
    AnchorStatus, Anchors, LeafKey, ParseOptions, Role, SpdmCertChain, Timestamp, TrustAnchor,
    ValidatedChain, ValidationPolicy,
};
use vtrust_spdm::codec::{
    Algorithms, BaseAsymAlgo, BaseHashAlgo, Capabilities, Challenge, ChallengeAuth, DecodeContext,
    GetCapabilities, GetMeasurements, Measurement, Measurements, NegotiateAlgorithms, PqcAsymAlgo,
    SpdmVersion,
};
use vtrust_spdm::negotiated::{
    AsymSelection, MeasurementHash, Negotiated as NegotiatedState, base_asym_to_signature,
    base_hash_to_hash, pqc_asym_to_signature,
};
use vtrust_spdm::signing::{SigningContext, verify_signature};
use vtrust_spdm::transcript::{Part, RecordedMessage, TranscriptRecord};

use super::evidence::{
    Cert, Challenge as ChallengeRec, Evidence, FORMAT, Measurement as MeasurementRec, Negotiated,
    Signed, Slot, Transcript,
};
use super::{ALL_VERSIONS, Nonce, out};

/// The largest evidence file read.
pub const MAX_EVIDENCE_LEN: usize = 16 * 1024 * 1024;
/// The largest SPDM chain accepted (as the requester's LargeCertChain limit).
const MAX_CHAIN_LEN: usize = 0x28000;
/// Caps on list lengths.
const MAX_SLOTS: usize = 8;
const MAX_SIGNED: usize = 64;
const MAX_MESSAGES: usize = 1024;

/// The inputs of a verification.
pub struct VerifyInput<'a> {
    /// The evidence file.
    pub evidence: &'a Path,
    /// Trusted roots (DER files).
    pub trust: &'a [PathBuf],
    /// The caller's nonce for the signed measurements.
    pub nonce: Option<Nonce>,
    /// Judge the chains at this time instead of the recorded one.
    pub at: Option<u64>,
}

/// What verified.
struct Summary {
    version: SpdmVersion,
    alg: String,
    slots: usize,
    challenges: usize,
    measurement_signatures: usize,
    measurements: usize,
    at: u64,
}

/// Runs `vtrust spdm verify`: prints a verdict, exit 0 only if everything verifies.
///
/// # Errors
/// None in practice: every failure is a verdict with exit status 1.
pub fn run_cli(input: &VerifyInput<'_>) -> anyhow::Result<ExitCode> {
    match verify(input) {
        Ok(s) => {
            out(format_args!(
                "evidence {}: SPDM {}, {}, judged at unix {}\n  {} slot chain(s) valid, {} CHALLENGE_AUTH signature(s), {} MEASUREMENTS signature(s), {} measurement block(s)\nverdict: VERIFIED\n",
                input.evidence.display(),
                s.version,
                s.alg,
                s.at,
                s.slots,
                s.challenges,
                s.measurement_signatures,
                s.measurements
            ));
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            out(format_args!("verdict: NOT VERIFIED: {e:#}\n"));
            Ok(ExitCode::FAILURE)
        }
    }
}

fn unhex(field: &str, text: &str) -> anyhow::Result<Vec<u8>> {
    ensure!(
        !text.bytes().any(|b| b.is_ascii_uppercase()),
        "{field}: hex must be lower-case"
    );
    hex::decode(text).map_err(|e| anyhow!("{field}: not hexadecimal ({e})"))
}

fn unhex32(field: &str, text: &str) -> anyhow::Result<[u8; 32]> {
    let v = unhex(field, text)?;
    <[u8; 32]>::try_from(v.as_slice()).map_err(|_| anyhow!("{field}: {} bytes, not 32", v.len()))
}

/// The algorithms the evidence says were negotiated, checked for consistency.
struct Params {
    version: SpdmVersion,
    hash: HashAlg,
    asym: AsymSelection,
}

fn params(n: &Negotiated) -> anyhow::Result<Params> {
    let version = ALL_VERSIONS
        .into_iter()
        .find(|v| v.raw() == n.version_byte)
        .ok_or_else(|| anyhow!("negotiated.version_byte {:#04x} unknown", n.version_byte))?;
    ensure!(
        version.to_string() == n.version,
        "negotiated.version {:?} disagrees with version_byte {version}",
        n.version
    );
    let hash = base_hash_to_hash(BaseHashAlgo::from_bits_retain(n.base_hash_bits))
        .context("negotiated.base_hash_bits")?;
    ensure!(
        hash.name() == n.base_hash,
        "negotiated.base_hash {:?} disagrees with base_hash_bits ({hash})",
        n.base_hash
    );
    let a = n
        .asym
        .as_ref()
        .ok_or_else(|| anyhow!("negotiated.asym is null: nothing was signed"))?;
    let asym = match a.field.as_str() {
        "BaseAsymSel" => base_asym_to_signature(BaseAsymAlgo::from_bits_retain(a.bits), hash),
        "PqcAsymSel" => {
            ensure!(
                version.at_least(SpdmVersion::V14),
                "negotiated.asym: PqcAsymSel before SPDM 1.4"
            );
            pqc_asym_to_signature(PqcAsymAlgo::from_bits_retain(a.bits))
        }
        other => bail!("negotiated.asym.field {other:?} unknown"),
    }
    .context("negotiated.asym.bits")?;
    ensure!(
        asym.alg.to_string() == a.alg,
        "negotiated.asym.alg {:?} disagrees with its bits ({})",
        a.alg,
        asym.alg
    );
    ensure!(
        asym.signature_len == a.signature_len,
        "negotiated.asym.signature_len {} disagrees with {} ({})",
        a.signature_len,
        asym.alg,
        asym.signature_len
    );
    Ok(Params {
        version,
        hash,
        asym,
    })
}

fn check_slot(
    provider: &CryptoProvider,
    p: &Params,
    anchors: &[TrustAnchor],
    now: Timestamp,
    recorded_anchors: &[String],
    s: &Slot,
) -> anyhow::Result<(Vec<u8>, ValidatedChain)> {
    let chain = unhex("chain", &s.chain)?;
    let digest = unhex("digest", &s.digest)?;
    ensure!(
        provider.digest(p.hash, &chain).as_bytes() == digest.as_slice(),
        "digest is not the {} of the chain",
        p.hash
    );
    let mut options = ParseOptions::new(p.hash);
    options.max_len = MAX_CHAIN_LEN;
    let parsed = SpdmCertChain::parse(&chain, &options).context("chain")?;
    let key_type = p.asym.alg.key_type();
    let leaf_key = if key_type == KeyType::Rsa {
        LeafKey::rsa(p.asym.signature_len.saturating_mul(8))
    } else {
        LeafKey::new(key_type)
    };
    let policy = ValidationPolicy::new(
        Role::ResponderAuth,
        now,
        Anchors::Trusted(anchors),
        leaf_key,
    );
    let validated = parsed
        .validate(&policy, provider)
        .context("chain does not validate against the trust anchors")?;
    ensure!(
        unhex("leaf_der", &s.leaf_der)? == validated.leaf_der(),
        "leaf_der is not the chain's leaf"
    );
    ensure!(
        matches!(validated.anchor(), AnchorStatus::Anchored { .. }),
        "chain is not anchored"
    );
    // The recorded anchor (an index into the attester's `trust_anchors_der`) must be the
    // chain's root.
    let index = s
        .anchor_index
        .ok_or_else(|| anyhow!("anchor_index is null but the chain is anchored"))?;
    let recorded = recorded_anchors
        .get(index)
        .ok_or_else(|| anyhow!("anchor_index {index} is not in trust_anchors_der"))?;
    let recorded = TrustAnchor::from_der(&unhex("trust_anchors_der", recorded)?)
        .with_context(|| format!("trust_anchors_der[{index}]"))?;
    let mut policy = policy;
    policy.anchors = Anchors::Trusted(std::slice::from_ref(&recorded));
    parsed
        .validate(&policy, provider)
        .with_context(|| format!("trust_anchors_der[{index}] does not anchor the chain"))?;
    let summaries: Vec<Cert> = validated
        .certificates()
        .iter()
        .map(|c| Cert {
            subject: c.subject.clone(),
            issuer: c.issuer.clone(),
            serial: c.serial.clone(),
            key_type: c.key_type.to_string(),
            rsa_bits: c.rsa_bits,
            signature_alg: c.signature_alg.to_string(),
            not_before_unix: c.not_before.unix(),
            not_after_unix: c.not_after.unix(),
            is_ca: c.is_ca,
        })
        .collect();
    ensure!(
        summaries == s.certificates,
        "certificates do not describe the chain"
    );
    Ok((digest, validated))
}

/// A recorded transcript: its messages, checked against the recorded hash.
fn transcript(
    provider: &CryptoProvider,
    p: &Params,
    t: Option<&Transcript>,
    recorded_hash: &str,
    message_a: &[u8],
) -> anyhow::Result<(Vec<RecordedMessage>, Digest)> {
    let t = t.ok_or_else(|| anyhow!("transcript is null: nothing to re-check"))?;
    ensure!(
        t.hash == p.hash.name(),
        "transcript.hash {:?} is not the negotiated {}",
        t.hash,
        p.hash
    );
    ensure!(
        t.messages.len() <= MAX_MESSAGES,
        "transcript: more than {MAX_MESSAGES} messages"
    );
    let messages = t
        .messages
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let part = match m.part.as_str() {
                "A" => Part::A,
                "B" => Part::B,
                "C" => Part::C,
                "L" => Part::L,
                other => bail!("transcript.messages[{i}].part {other:?} unknown"),
            };
            Ok(RecordedMessage {
                part,
                bytes: unhex(&format!("transcript.messages[{i}].bytes"), &m.bytes)?,
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let record = TranscriptRecord {
        hash: p.hash,
        messages,
    };
    let hash = record.recompute(provider);
    ensure!(
        hash.as_bytes() == unhex("transcript_hash", recorded_hash)?.as_slice(),
        "transcript_hash is not the {} of the recorded messages",
        p.hash
    );
    let a: Vec<u8> = record
        .messages
        .iter()
        .filter(|m| m.part == Part::A)
        .flat_map(|m| m.bytes.iter().copied())
        .collect();
    ensure!(a == message_a, "the transcript's A part is not message_a");
    Ok((record.messages, hash))
}

/// Rebuilds the negotiated state from the VCA messages (the A part every signature covers)
/// and checks that every field of `negotiated` says the same.
fn check_vca(a: &[RecordedMessage], n: &Negotiated, p: &Params) -> anyhow::Result<DecodeContext> {
    let [_, _, get_caps, caps, negotiate, algorithms] = a else {
        bail!(
            "transcript: {} A messages, expected the six of VCA",
            a.len()
        );
    };
    let vca = NegotiatedState::from_vca(
        &GetCapabilities::decode(&get_caps.bytes).context("recorded GET_CAPABILITIES")?,
        &Capabilities::decode(&caps.bytes).context("recorded CAPABILITIES")?,
        &NegotiateAlgorithms::decode(&negotiate.bytes).context("recorded NEGOTIATE_ALGORITHMS")?,
        &Algorithms::decode(&algorithms.bytes).context("recorded ALGORITHMS")?,
    )
    .context("recorded VCA")?;
    let mismatch =
        |field: &str| anyhow!("negotiated.{field} is not what the recorded VCA negotiated");
    ensure!(vca.version == p.version, mismatch("version"));
    ensure!(vca.base_hash == p.hash, mismatch("base_hash"));
    ensure!(vca.asym == Some(p.asym), mismatch("asym"));
    let measurement_hash = vca.measurement_hash.map(|m| match m {
        MeasurementHash::Hash(h) => h.to_string(),
        MeasurementHash::RawBitStreamOnly => "raw".to_owned(),
    });
    ensure!(
        measurement_hash == n.measurement_hash,
        mismatch("measurement_hash")
    );
    ensure!(
        vca.measurement_spec.bits() == n.measurement_spec,
        mismatch("measurement_spec")
    );
    ensure!(
        vca.other_params.bits() == n.other_params,
        mismatch("other_params")
    );
    ensure!(
        vca.requester_caps.flags.bits() == n.requester_flags,
        mismatch("requester_flags")
    );
    ensure!(
        vca.responder_caps.flags.bits() == n.responder_flags,
        mismatch("responder_flags")
    );
    ensure!(
        vca.responder_caps.ct_exponent == n.responder_ct_exponent,
        mismatch("responder_ct_exponent")
    );
    ensure!(
        vca.responder_caps.data_transfer_size == n.responder_data_transfer_size,
        mismatch("responder_data_transfer_size")
    );
    ensure!(
        vca.responder_caps.max_spdm_msg_size == n.responder_max_spdm_msg_size,
        mismatch("responder_max_spdm_msg_size")
    );
    Ok(vca.decode_context())
}

fn a_part(messages: &[RecordedMessage]) -> Vec<RecordedMessage> {
    messages
        .iter()
        .filter(|m| m.part == Part::A)
        .cloned()
        .collect()
}

fn slot_key(
    slots: &[(u8, Vec<u8>, ValidatedChain)],
    slot: u8,
) -> anyhow::Result<(&[u8], &PublicKey)> {
    slots
        .iter()
        .find(|(s, _, _)| *s == slot)
        .map(|(_, d, v)| (d.as_slice(), v.leaf_public_key()))
        .ok_or_else(|| anyhow!("slot {slot} has no validated chain in the evidence"))
}

fn check_challenge(
    provider: &CryptoProvider,
    n: &Negotiated,
    p: &Params,
    slots: &[(u8, Vec<u8>, ValidatedChain)],
    message_a: &[u8],
    c: &ChallengeRec,
) -> anyhow::Result<()> {
    let (messages, hash) = transcript(
        provider,
        p,
        c.transcript.as_ref(),
        &c.transcript_hash,
        message_a,
    )?;
    check_vca(&a_part(&messages), n, p)?;
    let cs: Vec<&RecordedMessage> = messages.iter().filter(|m| m.part == Part::C).collect();
    let [c_part] = cs.as_slice() else {
        bail!(
            "transcript: {} C parts, expected one (CHALLENGE || CHALLENGE_AUTH)",
            cs.len()
        );
    };
    // CHALLENGE: header, Nonce, and RequesterContext from 1.3 (DSP0274 1.3 §10.9).
    let request_len = if p.version.at_least(SpdmVersion::V13) {
        44
    } else {
        36
    };
    let (request, auth) = (
        c_part.bytes.get(..request_len),
        c_part.bytes.get(request_len..),
    );
    let (Some(request), Some(auth)) = (request, auth) else {
        bail!("transcript: the C part is shorter than a CHALLENGE");
    };
    let challenge = Challenge::decode(request).context("recorded CHALLENGE")?;
    ensure!(
        challenge.version == p.version,
        "recorded CHALLENGE is SPDM {}, not {}",
        challenge.version,
        p.version
    );
    ensure!(
        challenge.nonce == unhex32("requester_nonce", &c.requester_nonce)?,
        "requester_nonce is not the nonce in the recorded CHALLENGE"
    );
    ensure!(
        challenge.slot_id == c.slot,
        "slot {} is not the recorded CHALLENGE's slot {}",
        c.slot,
        challenge.slot_id
    );
    ensure!(
        u8::from(challenge.measurement_summary_hash_type) == c.measurement_summary_hash_type,
        "measurement_summary_hash_type is not the recorded CHALLENGE's"
    );
    let signature = unhex("signature", &c.signature)?;
    let mut full = auth.to_vec();
    full.extend_from_slice(&signature);
    let ctx = DecodeContext::new(p.hash.output_len(), p.asym.signature_len, 0)
        .with_measurement_summary_hash(c.measurement_summary_hash_type != 0);
    let decoded = ChallengeAuth::decode(&full, &ctx)
        .or_else(|_| ChallengeAuth::decode(&full, &ctx.with_measurement_summary_hash(false)))
        .context("recorded CHALLENGE_AUTH")?;
    ensure!(
        decoded.version == p.version,
        "recorded CHALLENGE_AUTH is SPDM {}",
        decoded.version
    );
    let (digest, key) = slot_key(slots, c.slot)?;
    ensure!(
        decoded.cert_chain_hash == digest,
        "CHALLENGE_AUTH CertChainHash is not slot {}'s chain digest",
        c.slot
    );
    ensure!(
        decoded.nonce == unhex32("responder_nonce", &c.responder_nonce)?,
        "responder_nonce is not the nonce in the recorded CHALLENGE_AUTH"
    );
    let summary = c
        .measurement_summary_hash
        .as_deref()
        .map(|h| unhex("measurement_summary_hash", h))
        .transpose()?;
    ensure!(
        decoded.measurement_summary_hash.map(<[u8]>::to_vec) == summary,
        "measurement_summary_hash is not the recorded CHALLENGE_AUTH's"
    );
    ensure!(
        decoded.opaque_data == unhex("opaque_data", &c.opaque_data)?.as_slice(),
        "opaque_data is not the recorded CHALLENGE_AUTH's"
    );
    verify_signature(
        provider,
        p.version,
        SigningContext::ResponderChallengeAuth,
        key,
        p.asym.alg,
        &hash,
        &signature,
    )
    .with_context(|| format!("CHALLENGE_AUTH signature (slot {})", c.slot))?;
    Ok(())
}

/// Checks one signed MEASUREMENTS; returns the blocks of the recorded responses.
fn check_measurements(
    provider: &CryptoProvider,
    n: &Negotiated,
    p: &Params,
    slots: &[(u8, Vec<u8>, ValidatedChain)],
    message_a: &[u8],
    nonce: Option<Nonce>,
    s: &Signed,
) -> anyhow::Result<Vec<MeasurementRec>> {
    let (messages, hash) = transcript(
        provider,
        p,
        s.transcript.as_ref(),
        &s.transcript_hash,
        message_a,
    )?;
    let vca_ctx = check_vca(&a_part(&messages), n, p)?;
    let ls: Vec<&RecordedMessage> = messages.iter().filter(|m| m.part == Part::L).collect();
    ensure!(
        !ls.is_empty() && ls.len().is_multiple_of(2),
        "transcript: {} L messages, expected GET_MEASUREMENTS/MEASUREMENTS pairs",
        ls.len()
    );
    let signature = unhex("signature", &s.signature)?;
    let requester_nonce = unhex32("requester_nonce", &s.requester_nonce)?;
    let mut blocks = Vec::new();
    let pairs = ls.chunks_exact(2);
    let count = pairs.len();
    for (i, pair) in pairs.enumerate() {
        let [req, rsp] = pair else {
            bail!("transcript: unpaired L message");
        };
        let last = i.saturating_add(1) == count;
        let request = GetMeasurements::decode(&req.bytes).context("recorded GET_MEASUREMENTS")?;
        ensure!(
            request.version == p.version,
            "recorded GET_MEASUREMENTS is SPDM {}",
            request.version
        );
        ensure!(
            request.nonce.is_some() == last,
            "recorded GET_MEASUREMENTS {i}: a signature is requested only by the last one"
        );
        let mut full = rsp.bytes.clone();
        if last {
            full.extend_from_slice(&signature);
        }
        let ctx = vca_ctx.with_signature_requested(last);
        let m = Measurements::decode(&full, &ctx).context("recorded MEASUREMENTS")?;
        ensure!(
            m.version == p.version,
            "recorded MEASUREMENTS is SPDM {}",
            m.version
        );
        blocks.extend(m.blocks.iter().map(|b| {
            let (value_type, value) = match &b.measurement {
                Measurement::Dmtf(d) => (
                    Some(u8::from(d.value_type) | if d.raw_bit_stream { 0x80 } else { 0 }),
                    d.value,
                ),
                Measurement::Other(bytes) => (None, *bytes),
            };
            MeasurementRec {
                index: b.index,
                measurement_specification: b.measurement_specification.bits(),
                value_type,
                value: hex::encode(value),
            }
        }));
        if last {
            ensure!(
                request.nonce == Some(requester_nonce),
                "requester_nonce is not the nonce in the recorded GET_MEASUREMENTS"
            );
            if let Some(n) = nonce {
                ensure!(
                    n.0 == requester_nonce,
                    "the signed measurements were requested with nonce {}, not the --nonce given",
                    hex::encode(requester_nonce)
                );
            }
            if p.version.at_least(SpdmVersion::V11) {
                ensure!(
                    request.slot_id == Some(s.slot) && m.slot_id == s.slot,
                    "slot {} is not the recorded request's/response's slot",
                    s.slot
                );
            }
            ensure!(
                m.nonce == unhex32("responder_nonce", &s.responder_nonce)?,
                "responder_nonce is not the nonce in the recorded MEASUREMENTS"
            );
            ensure!(
                m.signature == Some(signature.as_slice()),
                "signature is not the recorded MEASUREMENTS'"
            );
        }
    }
    let (_, key) = slot_key(slots, s.slot)?;
    verify_signature(
        provider,
        p.version,
        SigningContext::ResponderMeasurements,
        key,
        p.asym.alg,
        &hash,
        &signature,
    )
    .with_context(|| format!("MEASUREMENTS signature (slot {})", s.slot))?;
    Ok(blocks)
}

fn verify(input: &VerifyInput<'_>) -> anyhow::Result<Summary> {
    let provider = CryptoProvider::new();
    let anchors = super::read_anchors(input.trust)?;
    ensure!(!anchors.is_empty(), "no --trust anchor given");
    let meta = std::fs::metadata(input.evidence)
        .with_context(|| format!("Reading {}", input.evidence.display()))?;
    ensure!(
        meta.len() <= MAX_EVIDENCE_LEN as u64,
        "evidence is {} bytes, above our limit {MAX_EVIDENCE_LEN}",
        meta.len()
    );
    let text = std::fs::read_to_string(input.evidence)
        .with_context(|| format!("Reading {}", input.evidence.display()))?;
    let e: Evidence = serde_json::from_str(&text).context("Malformed evidence JSON")?;
    ensure!(
        e.format == FORMAT,
        "format {:?} is not {FORMAT:?}",
        e.format
    );
    ensure!(
        e.format_version == 1,
        "format_version {} unsupported (expected 1)",
        e.format_version
    );
    ensure!(
        e.authenticated && e.error.is_none(),
        "the evidence records a failed attestation: {}",
        e.error.as_deref().unwrap_or("not authenticated")
    );
    ensure!(
        Timestamp::from_unix(e.checked_at_unix).to_string() == e.checked_at,
        "checked_at {:?} disagrees with checked_at_unix {}",
        e.checked_at,
        e.checked_at_unix
    );
    ensure!(e.slots.len() <= MAX_SLOTS, "more than {MAX_SLOTS} slots");
    ensure!(
        e.challenges.len() <= MAX_SIGNED && e.measurement_signatures.len() <= MAX_SIGNED,
        "more than {MAX_SIGNED} signatures"
    );
    let n = e
        .negotiated
        .as_ref()
        .ok_or_else(|| anyhow!("negotiated is null"))?;
    let p = params(n)?;
    let message_a = unhex(
        "message_a",
        e.message_a
            .as_deref()
            .ok_or_else(|| anyhow!("message_a is null"))?,
    )?;
    let at = input.at.unwrap_or(e.checked_at_unix);
    let now = Timestamp::from_unix(at);
    let mut slots = Vec::new();
    for s in &e.slots {
        ensure!(
            !slots.iter().any(|(x, _, _)| *x == s.slot),
            "slot {} listed twice",
            s.slot
        );
        let (digest, validated) = check_slot(&provider, &p, &anchors, now, &e.trust_anchors_der, s)
            .with_context(|| format!("slot {}", s.slot))?;
        slots.push((s.slot, digest, validated));
    }
    ensure!(
        slots.iter().any(|(x, _, _)| *x == e.slot),
        "slot {} (the slot authenticated) has no chain in the evidence",
        e.slot
    );
    ensure!(!e.challenges.is_empty(), "no CHALLENGE in the evidence");
    for (i, c) in e.challenges.iter().enumerate() {
        check_challenge(&provider, n, &p, &slots, &message_a, c)
            .with_context(|| format!("challenges[{i}]"))?;
    }
    ensure!(
        e.challenges.iter().any(|c| c.slot == e.slot),
        "no CHALLENGE of slot {}",
        e.slot
    );
    let mut blocks = Vec::new();
    for (i, s) in e.measurement_signatures.iter().enumerate() {
        blocks.extend(
            check_measurements(&provider, n, &p, &slots, &message_a, input.nonce, s)
                .with_context(|| format!("measurement_signatures[{i}]"))?,
        );
    }
    if input.nonce.is_some() {
        ensure!(
            !e.measurement_signatures.is_empty(),
            "--nonce given but the evidence holds no signed measurements"
        );
    }
    ensure!(
        blocks == e.measurements,
        "measurements are not the blocks of the signed MEASUREMENTS responses"
    );
    Ok(Summary {
        version: p.version,
        alg: p.asym.alg.to_string(),
        slots: slots.len(),
        challenges: e.challenges.len(),
        measurement_signatures: e.measurement_signatures.len(),
        measurements: blocks.len(),
        at,
    })
}
