//! The evidence `vtrust spdm attest --json` writes, designed so that an offline verifier
//! (`vtrust spdm verify`, a later slice) can re-check everything without the device.
//!
//! Schema `vtrust-spdm-evidence` version 1 (all byte strings lower-case hex):
//!
//! ```text
//! {
//!   "format": "vtrust-spdm-evidence", "format_version": 1,
//!   "peer": "HOST:PORT", "transport": "mctp" | "doe" | "none",
//!   "checked_at_unix": u64, "checked_at": RFC 3339,      // the clock chains were judged at
//!   "authenticated": bool, "error": string | null,       // the verdict at collection time
//!   "nonce_fixed": bool,                                 // --nonce was used
//!   "slot": u8,                                          // the slot authenticated
//!   "trust_anchors_der": [hex],                          // the roots trusted
//!   "doe_protocols": [{"vendor_id", "data_object_type"}] | null,
//!   "negotiated": null | {
//!     "version": "1.4", "version_byte": u8,
//!     "base_hash": "SHA-384", "base_hash_bits": u32,     // BaseHashSel
//!     "asym": {"alg": "ML-DSA-87", "field": "BaseAsymSel" | "PqcAsymSel", "bits": u32,
//!              "signature_len": usize} | null,
//!     "measurement_hash": "SHA-384" | "raw" | null, "measurement_spec": u8,
//!     "other_params": u8, "requester_flags": u32, "responder_flags": u32,
//!     "responder_ct_exponent": u8, "responder_data_transfer_size": u32 | null,
//!     "responder_max_spdm_msg_size": u32 | null },
//!   "message_a": hex,                                    // VCA exactly as hashed
//!   "slots": [{ "slot", "chain": hex (SPDM chain: Length, Reserved, RootHash, DER certs),
//!               "digest": hex (BaseHash of chain), "leaf_der": hex,
//!               "anchor_index": usize | null,
//!               "certificates": [{subject, issuer, serial, key_type, rsa_bits,
//!                                 signature_alg, not_before_unix, not_after_unix, is_ca}] }],
//!   "challenges": [Signed & { "measurement_summary_hash_type": u8,
//!                  "measurement_summary_hash": hex | null, "opaque_data": hex }],
//!   "measurements": [{ "index", "measurement_specification": u8,
//!                      "value_type": u8 | null (bit 7 = raw bit stream), "value": hex }],
//!   "measurement_signatures": [Signed],
//!   "timings": [{"phase", "requests", "micros"}], "total_micros": u64
//! }
//! Signed = { "slot", "requester_nonce": hex, "responder_nonce": hex, "signature": hex,
//!            "transcript_hash": hex,                    // what the signature covers (M1/M2, L1/L2)
//!            "transcript": {"hash": "SHA-384",
//!                           "messages": [{"part": "A"|"B"|"C"|"L", "bytes": hex}]} | null }
//! ```
//!
//! Offline re-check: parse each slot's `chain` (BaseHash `digest`), validate it against
//! `trust_anchors_der` at a chosen time; hash the concatenated `transcript.messages` with
//! `transcript.hash` and compare with `transcript_hash`; verify `signature` with the leaf key,
//! `asym.alg` and the SPDM 1.2+ signing context of `version` (DSP0274 1.2 §15); compare
//! `requester_nonce` with the nonce the verifier chose.

use serde::Serialize;
use vtrust_spdm::cert::AnchorStatus;
use vtrust_spdm::negotiated::{AsymBit, MeasurementHash};
use vtrust_spdm::requester::{Attestation, SignedMeasurements};
use vtrust_spdm::transcript::{Part, TranscriptRecord};

use super::attest::Outcome;

/// The format name.
pub const FORMAT: &str = "vtrust-spdm-evidence";

#[derive(Serialize)]
struct Evidence {
    format: &'static str,
    format_version: u32,
    peer: String,
    transport: &'static str,
    checked_at_unix: u64,
    checked_at: String,
    authenticated: bool,
    error: Option<String>,
    nonce_fixed: bool,
    slot: u8,
    trust_anchors_der: Vec<String>,
    doe_protocols: Option<Vec<DoeProtocol>>,
    negotiated: Option<Negotiated>,
    message_a: Option<String>,
    slots: Vec<Slot>,
    challenges: Vec<Challenge>,
    measurements: Vec<Measurement>,
    measurement_signatures: Vec<Signed>,
    timings: Vec<Timing>,
    total_micros: u64,
}

#[derive(Serialize)]
struct DoeProtocol {
    vendor_id: u16,
    data_object_type: u8,
}

#[derive(Serialize)]
struct Negotiated {
    version: String,
    version_byte: u8,
    base_hash: String,
    base_hash_bits: u32,
    asym: Option<Asym>,
    measurement_hash: Option<String>,
    measurement_spec: u8,
    other_params: u8,
    requester_flags: u32,
    responder_flags: u32,
    responder_ct_exponent: u8,
    responder_data_transfer_size: Option<u32>,
    responder_max_spdm_msg_size: Option<u32>,
}

#[derive(Serialize)]
struct Asym {
    alg: String,
    field: &'static str,
    bits: u32,
    signature_len: usize,
}

#[derive(Serialize)]
struct Slot {
    slot: u8,
    chain: String,
    digest: String,
    leaf_der: String,
    anchor_index: Option<usize>,
    certificates: Vec<Cert>,
}

#[derive(Serialize)]
struct Cert {
    subject: String,
    issuer: String,
    serial: String,
    key_type: String,
    rsa_bits: Option<usize>,
    signature_alg: String,
    not_before_unix: u64,
    not_after_unix: u64,
    is_ca: bool,
}

#[derive(Serialize)]
struct Challenge {
    #[serde(flatten)]
    signed: Signed,
    measurement_summary_hash_type: u8,
    measurement_summary_hash: Option<String>,
    opaque_data: String,
}

#[derive(Serialize)]
struct Signed {
    slot: u8,
    requester_nonce: String,
    responder_nonce: String,
    signature: String,
    transcript_hash: String,
    transcript: Option<Transcript>,
}

#[derive(Serialize)]
struct Transcript {
    hash: String,
    messages: Vec<TranscriptMessage>,
}

#[derive(Serialize)]
struct TranscriptMessage {
    part: &'static str,
    bytes: String,
}

#[derive(Serialize)]
struct Measurement {
    index: u8,
    measurement_specification: u8,
    value_type: Option<u8>,
    value: String,
}

#[derive(Serialize)]
struct Timing {
    phase: &'static str,
    requests: usize,
    micros: u64,
}

fn micros(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

fn transcript(record: Option<&TranscriptRecord>) -> Option<Transcript> {
    record.map(|r| Transcript {
        hash: r.hash.to_string(),
        messages: r
            .messages
            .iter()
            .map(|m| TranscriptMessage {
                part: match m.part {
                    Part::A => "A",
                    Part::B => "B",
                    Part::C => "C",
                    Part::L => "L",
                },
                bytes: hex::encode(&m.bytes),
            })
            .collect(),
    })
}

fn signed_measurements(s: &SignedMeasurements) -> Signed {
    Signed {
        slot: s.slot,
        requester_nonce: hex::encode(s.requester_nonce),
        responder_nonce: hex::encode(s.responder_nonce),
        signature: hex::encode(&s.signature),
        transcript_hash: hex::encode(&s.transcript_hash),
        transcript: transcript(s.record.as_ref()),
    }
}

fn negotiated(a: &Attestation) -> Negotiated {
    let n = &a.negotiated;
    Negotiated {
        version: n.version.to_string(),
        version_byte: n.version.raw(),
        base_hash: n.base_hash.to_string(),
        base_hash_bits: n.base_hash_bit.bits(),
        asym: n.asym.map(|s| {
            let (field, bits) = match s.selected {
                AsymBit::Base(b) => ("BaseAsymSel", b.bits()),
                AsymBit::Pqc(p) => ("PqcAsymSel", p.bits()),
            };
            Asym {
                alg: s.alg.to_string(),
                field,
                bits,
                signature_len: s.signature_len,
            }
        }),
        measurement_hash: n.measurement_hash.map(|m| match m {
            MeasurementHash::Hash(h) => h.to_string(),
            MeasurementHash::RawBitStreamOnly => "raw".to_owned(),
        }),
        measurement_spec: n.measurement_spec.bits(),
        other_params: n.other_params.bits(),
        requester_flags: n.requester_caps.flags.bits(),
        responder_flags: n.responder_caps.flags.bits(),
        responder_ct_exponent: n.responder_caps.ct_exponent,
        responder_data_transfer_size: n.responder_caps.data_transfer_size,
        responder_max_spdm_msg_size: n.responder_caps.max_spdm_msg_size,
    }
}

/// The evidence of `outcome` as pretty-printed JSON.
///
/// # Errors
/// Serialization failure (not expected).
pub fn to_json(outcome: &Outcome) -> anyhow::Result<String> {
    let a = outcome.result.as_ref().ok();
    let evidence = Evidence {
        format: FORMAT,
        format_version: 1,
        peer: outcome.peer.clone(),
        transport: outcome.transport.name(),
        checked_at_unix: outcome.now.unix(),
        checked_at: outcome.now.to_string(),
        authenticated: outcome.authenticated(),
        error: outcome.result.as_ref().err().cloned(),
        nonce_fixed: outcome.nonce_fixed,
        slot: outcome.slot,
        trust_anchors_der: outcome.anchors.iter().map(hex::encode).collect(),
        doe_protocols: outcome.doe_protocols.as_ref().map(|found| {
            found
                .iter()
                .map(|p| DoeProtocol {
                    vendor_id: p.vendor_id,
                    data_object_type: p.data_object_type,
                })
                .collect()
        }),
        negotiated: a.map(negotiated),
        message_a: a.map(|a| hex::encode(&a.message_a)),
        slots: a
            .map(|a| {
                a.slots
                    .iter()
                    .map(|s| Slot {
                        slot: s.slot,
                        chain: hex::encode(&s.chain),
                        digest: hex::encode(&s.digest),
                        leaf_der: hex::encode(&s.leaf_der),
                        anchor_index: match s.anchor {
                            AnchorStatus::Anchored { index } => Some(index),
                            AnchorStatus::Unanchored => None,
                        },
                        certificates: s
                            .certificates
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
                            .collect(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        challenges: a
            .map(|a| {
                super::attest::challenges(a)
                    .map(|c| Challenge {
                        signed: Signed {
                            slot: c.slot,
                            requester_nonce: hex::encode(c.requester_nonce),
                            responder_nonce: hex::encode(c.responder_nonce),
                            signature: hex::encode(&c.signature),
                            transcript_hash: hex::encode(&c.transcript_hash),
                            transcript: transcript(c.record.as_ref()),
                        },
                        measurement_summary_hash_type: u8::from(c.measurement_summary_hash_type),
                        measurement_summary_hash: c
                            .measurement_summary_hash
                            .as_ref()
                            .map(hex::encode),
                        opaque_data: hex::encode(&c.opaque_data),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        measurements: a
            .map(|a| {
                a.measurements
                    .iter()
                    .map(|m| Measurement {
                        index: m.index,
                        measurement_specification: m.measurement_specification,
                        value_type: m.value_type,
                        value: hex::encode(&m.value),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        measurement_signatures: a
            .map(|a| {
                a.measurement_signatures
                    .iter()
                    .map(signed_measurements)
                    .collect()
            })
            .unwrap_or_default(),
        timings: outcome
            .phases
            .iter()
            .map(|p| Timing {
                phase: p.name,
                requests: p.requests,
                micros: micros(p.elapsed),
            })
            .collect(),
        total_micros: micros(outcome.total),
    };
    Ok(serde_json::to_string_pretty(&evidence)?)
}
