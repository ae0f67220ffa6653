//! [`Attestation`]: the evidence a finished requester flow hands out, complete enough for an
//! offline verifier to recompute every transcript hash and check every signature.

use crate::cert::{AnchorStatus, CertSummary};
use crate::codec::{Measurement, MeasurementBlock, MeasurementSummaryHashType};
use crate::negotiated::Negotiated;
use crate::transcript::TranscriptRecord;

/// One slot's certificate chain as fetched and validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotEvidence {
    /// SlotID.
    pub slot: u8,
    /// The SPDM certificate chain (Length, Reserved, RootHash, DER certificates).
    pub chain: Vec<u8>,
    /// Hash(chain) with BaseHash (= the slot's DIGESTS entry).
    pub digest: Vec<u8>,
    /// One summary per certificate, root first.
    pub certificates: Vec<CertSummary>,
    /// The leaf certificate's DER.
    pub leaf_der: Vec<u8>,
    /// How the root was trusted.
    pub anchor: AnchorStatus,
}

/// CHALLENGE / CHALLENGE_AUTH.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChallengeEvidence {
    /// The challenged slot.
    pub slot: u8,
    /// MeasurementSummaryHashType asked.
    pub measurement_summary_hash_type: MeasurementSummaryHashType,
    /// Our nonce.
    pub requester_nonce: [u8; 32],
    /// The responder's nonce.
    pub responder_nonce: [u8; 32],
    /// MeasurementSummaryHash, if asked.
    pub measurement_summary_hash: Option<Vec<u8>>,
    /// OpaqueData.
    pub opaque_data: Vec<u8>,
    /// The signature.
    pub signature: Vec<u8>,
    /// Hash(M1/M2) the signature covers.
    pub transcript_hash: Vec<u8>,
    /// The bytes of M1/M2, if recording was on and within its cap.
    pub record: Option<TranscriptRecord>,
}

/// One measurement block, owned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeasurementEvidence {
    /// Index.
    pub index: u8,
    /// MeasurementSpecification byte.
    pub measurement_specification: u8,
    /// DMTF: DMTFSpecMeasurementValueType (bit 7 = raw bit stream); `None` for other specs.
    pub value_type: Option<u8>,
    /// The value (DMTF) or the whole opaque measurement (other specs).
    pub value: Vec<u8>,
}

impl MeasurementEvidence {
    pub(crate) fn from_block(block: &MeasurementBlock<'_>) -> Self {
        let (value_type, value) = match &block.measurement {
            Measurement::Dmtf(d) => (
                Some(u8::from(d.value_type) | if d.raw_bit_stream { 0x80 } else { 0 }),
                d.value.to_vec(),
            ),
            Measurement::Other(bytes) => (None, bytes.to_vec()),
        };
        Self {
            index: block.index,
            measurement_specification: block.measurement_specification.bits(),
            value_type,
            value,
        }
    }
}

/// One signed MEASUREMENTS (with the unsigned ones before it in L1/L2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedMeasurements {
    /// SlotIDParam.
    pub slot: u8,
    /// Our nonce.
    pub requester_nonce: [u8; 32],
    /// The responder's nonce.
    pub responder_nonce: [u8; 32],
    /// The signature.
    pub signature: Vec<u8>,
    /// Hash(L1/L2) the signature covers.
    pub transcript_hash: Vec<u8>,
    /// The bytes of L1/L2, if recording was on and within its cap.
    pub record: Option<TranscriptRecord>,
}

/// The outcome of an authenticated attestation flow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attestation {
    /// What VCA established.
    pub negotiated: Negotiated,
    /// Message A (VCA) exactly as hashed.
    pub message_a: Vec<u8>,
    /// Every slot whose chain was fetched and validated.
    pub slots: Vec<SlotEvidence>,
    /// The last CHALLENGE of the flow, if it had one.
    pub challenge: Option<ChallengeEvidence>,
    /// The CHALLENGEs before the last one (a plan may challenge several slots), in order.
    pub earlier_challenges: Vec<ChallengeEvidence>,
    /// Every measurement block received, in order.
    pub measurements: Vec<MeasurementEvidence>,
    /// Every signed MEASUREMENTS.
    pub measurement_signatures: Vec<SignedMeasurements>,
}
