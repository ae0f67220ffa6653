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

use serde::{Deserialize, Serialize};
use vtrust_spdm::cert::AnchorStatus;
use vtrust_spdm::negotiated::{AsymBit, MeasurementHash};
use vtrust_spdm::requester::{Attestation, SignedMeasurements};
use vtrust_spdm::transcript::{Part, TranscriptRecord};

use super::attest::Outcome;

/// The format name.
pub const FORMAT: &str = "vtrust-spdm-evidence";

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Evidence {
    pub(super) format: String,
    pub(super) format_version: u32,
    pub(super) peer: String,
    pub(super) transport: String,
    pub(super) checked_at_unix: u64,
    pub(super) checked_at: String,
    pub(super) authenticated: bool,
    pub(super) error: Option<String>,
    pub(super) nonce_fixed: bool,
    pub(super) slot: u8,
    pub(super) trust_anchors_der: Vec<String>,
    pub(super) doe_protocols: Option<Vec<DoeProtocol>>,
    pub(super) negotiated: Option<Negotiated>,
    pub(super) message_a: Option<String>,
    pub(super) slots: Vec<Slot>,
    pub(super) challenges: Vec<Challenge>,
    pub(super) measurements: Vec<Measurement>,
    pub(super) measurement_signatures: Vec<Signed>,
    pub(super) timings: Vec<Timing>,
    pub(super) total_micros: u64,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DoeProtocol {
    pub(super) vendor_id: u16,
    pub(super) data_object_type: u8,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Negotiated {
    pub(super) version: String,
    pub(super) version_byte: u8,
    pub(super) base_hash: String,
    pub(super) base_hash_bits: u32,
    pub(super) asym: Option<Asym>,
    pub(super) measurement_hash: Option<String>,
    pub(super) measurement_spec: u8,
    pub(super) other_params: u8,
    pub(super) requester_flags: u32,
    pub(super) responder_flags: u32,
    pub(super) responder_ct_exponent: u8,
    pub(super) responder_data_transfer_size: Option<u32>,
    pub(super) responder_max_spdm_msg_size: Option<u32>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Asym {
    pub(super) alg: String,
    pub(super) field: String,
    pub(super) bits: u32,
    pub(super) signature_len: usize,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Slot {
    pub(super) slot: u8,
    pub(super) chain: String,
    pub(super) digest: String,
    pub(super) leaf_der: String,
    pub(super) anchor_index: Option<usize>,
    pub(super) certificates: Vec<Cert>,
}

#[derive(Serialize, Deserialize, PartialEq, Eq, Debug)]
#[serde(deny_unknown_fields)]
pub(super) struct Cert {
    pub(super) subject: String,
    pub(super) issuer: String,
    pub(super) serial: String,
    pub(super) key_type: String,
    pub(super) rsa_bits: Option<usize>,
    pub(super) signature_alg: String,
    pub(super) not_before_unix: u64,
    pub(super) not_after_unix: u64,
    pub(super) is_ca: bool,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Challenge {
    pub(super) slot: u8,
    pub(super) requester_nonce: String,
    pub(super) responder_nonce: String,
    pub(super) signature: String,
    pub(super) transcript_hash: String,
    pub(super) transcript: Option<Transcript>,
    pub(super) measurement_summary_hash_type: u8,
    pub(super) measurement_summary_hash: Option<String>,
    pub(super) opaque_data: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Signed {
    pub(super) slot: u8,
    pub(super) requester_nonce: String,
    pub(super) responder_nonce: String,
    pub(super) signature: String,
    pub(super) transcript_hash: String,
    pub(super) transcript: Option<Transcript>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Transcript {
    pub(super) hash: String,
    pub(super) messages: Vec<TranscriptMessage>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct TranscriptMessage {
    pub(super) part: String,
    pub(super) bytes: String,
}

#[derive(Serialize, Deserialize, PartialEq, Eq, Debug)]
#[serde(deny_unknown_fields)]
pub(super) struct Measurement {
    pub(super) index: u8,
    pub(super) measurement_specification: u8,
    pub(super) value_type: Option<u8>,
    pub(super) value: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Timing {
    pub(super) phase: String,
    pub(super) requests: usize,
    pub(super) micros: u64,
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
                    Part::A => "A".to_string(),
                    Part::B => "B".to_string(),
                    Part::C => "C".to_string(),
                    Part::L => "L".to_string(),
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
                field: field.to_string(),
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
        format: FORMAT.to_string(),
        format_version: 1,
        peer: outcome.peer.clone(),
        transport: outcome.transport.name().to_string(),
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
                        slot: c.slot,
                        requester_nonce: hex::encode(c.requester_nonce),
                        responder_nonce: hex::encode(c.responder_nonce),
                        signature: hex::encode(&c.signature),
                        transcript_hash: hex::encode(&c.transcript_hash),
                        transcript: transcript(c.record.as_ref()),
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
                phase: p.name.to_string(),
                requests: p.requests,
                micros: micros(p.elapsed),
            })
            .collect(),
        total_micros: micros(outcome.total),
    };
    Ok(serde_json::to_string_pretty(&evidence)?)
}
