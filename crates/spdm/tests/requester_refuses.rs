//! One `refuses_*` test per requester check, each asserting the exact error: the
//! `mctp_1.2_p384` / `doe_1.3_p256` replays with one response (or the configuration) changed.
//!
//! Response indices (mctp_1.2_p384 pairs): 0 VERSION, 1 CAPABILITIES, 2 ALGORITHMS,
//! 3 DIGESTS, 4 CERTIFICATE slot 0, 5 CERTIFICATE slot 1, 6 CHALLENGE_AUTH, 7 DIGESTS,
//! 8 CERTIFICATE slot 0, 9 DIGESTS, 10 MEASUREMENTS.

mod requester_support;

use requester_support::replay::{Case, replay};
use vtrust_spdm::cert::{Timestamp, TrustAnchor};
use vtrust_spdm::codec::{ResponseCode, SpdmVersion};
use vtrust_spdm::negotiated::NegotiationError;
use vtrust_spdm::requester::{MeasurementPlan, Misbehavior, RequesterConfig, RequesterError, Step};
use vtrust_spdm::signing::{SigningContext, SigningError};

const VERSION: usize = 0;
const CAPABILITIES: usize = 1;
const ALGORITHMS: usize = 2;
const DIGESTS: usize = 3;
const CERTIFICATE0: usize = 4;
const CHALLENGE_AUTH: usize = 6;
const DIGESTS_AGAIN: usize = 7;
const MEASUREMENTS: usize = 10;

/// Runs the mctp replay with response `i` changed by `f` and the config changed by `c`.
fn run_with(
    i: usize,
    f: impl FnOnce(&mut Vec<u8>),
    c: impl FnOnce(&mut RequesterConfig),
) -> RequesterError {
    let case = Case::mctp();
    let mut pairs = case.pairs();
    f(&mut pairs[i].1);
    let mut config = case.config();
    c(&mut config);
    replay(&case, config, &pairs, false).unwrap_err()
}

fn set_u32(m: &mut [u8], at: usize, v: u32) {
    m[at..at + 4].copy_from_slice(&v.to_le_bytes());
}

#[test]
fn refuses_downgrade_below_minimum_version() {
    // VERSION offering only 1.1 while we require 1.2.
    let err = run_with(
        VERSION,
        |m| *m = vec![0x10, 0x04, 0, 0, 0, 1, 0x00, 0x11],
        |c| c.min_version = SpdmVersion::V12,
    );
    assert_eq!(
        err,
        RequesterError::Downgrade {
            offered: Some(SpdmVersion::V11),
            required: SpdmVersion::V12
        }
    );
}

#[test]
fn refuses_version_offering_nothing_allowed() {
    // VERSION offering only 1.3 while we speak at most 1.2.
    let err = run_with(
        VERSION,
        |m| *m = vec![0x10, 0x04, 0, 0, 0, 1, 0x00, 0x13],
        |_| {},
    );
    assert_eq!(err, RequesterError::NoCommonVersion);
    let err = run_with(VERSION, |m| *m = vec![0x10, 0x04, 0, 0, 0, 0], |_| {});
    assert!(matches!(
        err,
        RequesterError::Downgrade { offered: None, .. }
    ));
}

#[test]
fn refuses_highest_common_version_is_chosen_not_the_responders_highest() {
    // VERSION offers 1.0, 1.1, 1.2, 1.3: we pick 1.2 (our max), and GET_CAPABILITIES says so.
    let case = Case::mctp();
    let mut pairs = case.pairs();
    pairs[VERSION].1 = vec![0x10, 0x04, 0, 0, 0, 4, 0, 0x10, 0, 0x11, 0, 0x12, 0, 0x13];
    // The capture's responses carry 1.2 from here on, so the flow continues; only the
    // VERSION bytes (in A) differ, so the first signature fails.
    let err = replay(&case, case.config(), &pairs, false).unwrap_err();
    assert_eq!(
        err,
        RequesterError::Signature(SigningError::BadSignature {
            context: SigningContext::ResponderChallengeAuth
        })
    );
}

#[test]
fn refuses_response_with_another_version() {
    let err = run_with(DIGESTS, |m| m[0] = 0x11, |_| {});
    assert_eq!(
        err,
        RequesterError::PeerMisbehaved(Misbehavior::VersionMismatch {
            expected: SpdmVersion::V12,
            got: SpdmVersion::V11
        })
    );
}

#[test]
fn refuses_incoherent_capabilities() {
    // CHAL_CAP without CERT_CAP.
    let err = run_with(CAPABILITIES, |m| set_u32(m, 8, 0x0000_02d4), |_| {});
    assert_eq!(
        err,
        RequesterError::PeerMisbehaved(Misbehavior::IncoherentCapabilities(
            "CHAL_CAP without CERT_CAP or PUB_KEY_ID_CAP"
        ))
    );
    // KEY_EX_CAP without ENCRYPT/MAC.
    let err = run_with(CAPABILITIES, |m| set_u32(m, 8, 0x0000_0216), |_| {});
    assert!(matches!(
        err,
        RequesterError::PeerMisbehaved(Misbehavior::IncoherentCapabilities(_))
    ));
    // MaxSPDMmsgSize != DataTransferSize without CHUNK_CAP (1.2).
    let err = run_with(CAPABILITIES, |m| set_u32(m, 16, 0x2000), |_| {});
    assert_eq!(
        err,
        RequesterError::PeerMisbehaved(Misbehavior::IncoherentCapabilities(
            "MaxSPDMmsgSize differs from DataTransferSize without CHUNK_CAP"
        ))
    );
}

#[test]
fn refuses_responder_missing_a_capability_the_plan_needs() {
    // No CHAL_CAP.
    let err = run_with(CAPABILITIES, |m| set_u32(m, 8, 0x0000_02d2), |_| {});
    assert_eq!(
        err,
        RequesterError::PeerMisbehaved(Misbehavior::MissingCapability("CHAL_CAP"))
    );
}

#[test]
fn refuses_algorithms_selecting_zero_or_two() {
    // BaseHashSel = 0.
    let err = run_with(ALGORITHMS, |m| set_u32(m, 16, 0), |_| {});
    assert_eq!(
        err,
        RequesterError::Negotiation(NegotiationError::NotOneBit {
            field: "BaseHashSel",
            bits: 0
        })
    );
    // MeasurementHashAlgo = SHA-256 | SHA-384 with MEAS_CAP.
    let err = run_with(ALGORITHMS, |m| set_u32(m, 8, 0x6), |_| {});
    assert_eq!(
        err,
        RequesterError::Negotiation(NegotiationError::NotOneBit {
            field: "MeasurementHashAlgo",
            bits: 6
        })
    );
}

#[test]
fn refuses_algorithms_selecting_what_was_not_offered() {
    // BaseAsymSel = ECDSA P-256 (we offered P-384 only).
    let err = run_with(ALGORITHMS, |m| set_u32(m, 12, 0x10), |_| {});
    assert_eq!(
        err,
        RequesterError::Negotiation(NegotiationError::NotOffered {
            field: "BaseAsymSel",
            bits: 0x10
        })
    );
}

#[test]
fn refuses_algorithms_without_measurement_hash_when_responder_measures() {
    let err = run_with(ALGORITHMS, |m| set_u32(m, 8, 0), |_| {});
    assert_eq!(
        err,
        RequesterError::Negotiation(NegotiationError::NotOneBit {
            field: "MeasurementHashAlgo",
            bits: 0
        })
    );
}

#[test]
fn refuses_chain_whose_hash_differs_from_its_digest() {
    let err = run_with(DIGESTS, |m| m[4 + 10] ^= 1, |_| {});
    assert_eq!(
        err,
        RequesterError::PeerMisbehaved(Misbehavior::DigestMismatch { slot: 0 })
    );
}

#[test]
fn refuses_certificate_portion_longer_than_asked() {
    // We ask for at most 1000 - 8 bytes; the captured portion is 1591.
    let err = run_with(
        CERTIFICATE0,
        |_| {},
        |c| {
            c.data_transfer_size = 1000;
            c.max_spdm_msg_size = 1000;
        },
    );
    assert_eq!(
        err,
        RequesterError::PeerMisbehaved(Misbehavior::Certificate("portion longer than asked"))
    );
}

#[test]
fn refuses_certificate_chain_above_our_limit() {
    let err = run_with(CERTIFICATE0, |_| {}, |c| c.max_cert_chain_len = 1000);
    assert_eq!(
        err,
        RequesterError::PeerMisbehaved(Misbehavior::Certificate("chain above our limit"))
    );
}

#[test]
fn refuses_certificate_for_another_slot() {
    let err = run_with(CERTIFICATE0, |m| m[2] = 1, |_| {});
    assert_eq!(
        err,
        RequesterError::PeerMisbehaved(Misbehavior::Slot {
            slot: 1,
            reason: "CERTIFICATE for another slot"
        })
    );
}

#[test]
fn refuses_chain_not_rooted_in_a_trust_anchor() {
    let other_root = requester_support::split_der(&requester_support::sample(
        "ecp256/bundle_responder.certchain.der",
    ))[0]
        .clone();
    let err = run_with(
        CERTIFICATE0,
        |_| {},
        |c| {
            c.trust_anchors = vec![TrustAnchor::from_der(&other_root).unwrap()];
        },
    );
    assert!(matches!(err, RequesterError::Chain(_)), "{err:?}");
}

#[test]
fn refuses_expired_chain() {
    let err = run_with(
        CERTIFICATE0,
        |_| {},
        |c| {
            c.now = Timestamp::from_unix(4_102_444_800 + 100 * 365 * 86_400); // 2200
        },
    );
    assert!(matches!(err, RequesterError::Chain(_)), "{err:?}");
}

#[test]
fn refuses_challenge_auth_with_wrong_cert_chain_hash() {
    let err = run_with(CHALLENGE_AUTH, |m| m[4] ^= 1, |_| {});
    assert_eq!(
        err,
        RequesterError::PeerMisbehaved(Misbehavior::CertChainHashMismatch)
    );
}

#[test]
fn refuses_challenge_auth_for_another_slot() {
    let err = run_with(CHALLENGE_AUTH, |m| m[2] = 1, |_| {});
    assert_eq!(
        err,
        RequesterError::PeerMisbehaved(Misbehavior::Slot {
            slot: 1,
            reason: "CHALLENGE_AUTH for another slot"
        })
    );
}

#[test]
fn refuses_challenge_auth_slot_mask_without_the_slot() {
    let err = run_with(CHALLENGE_AUTH, |m| m[3] = 0x02, |_| {});
    assert_eq!(
        err,
        RequesterError::PeerMisbehaved(Misbehavior::Slot {
            slot: 0,
            reason: "not in CHALLENGE_AUTH SlotMask"
        })
    );
}

#[test]
fn refuses_unnegotiated_mutual_auth_request() {
    let err = run_with(CHALLENGE_AUTH, |m| m[2] |= 0x80, |_| {});
    assert_eq!(
        err,
        RequesterError::PeerMisbehaved(Misbehavior::UnexpectedMutualAuth)
    );
}

#[test]
fn refuses_challenge_auth_bad_signature() {
    let err = run_with(CHALLENGE_AUTH, |m| *m.last_mut().unwrap() ^= 1, |_| {});
    assert_eq!(
        err,
        RequesterError::Signature(SigningError::BadSignature {
            context: SigningContext::ResponderChallengeAuth
        })
    );
}

#[test]
fn refuses_challenge_auth_over_another_responder_nonce() {
    // The nonce is in C: changing it breaks the signature.
    let err = run_with(CHALLENGE_AUTH, |m| m[60] ^= 1, |_| {});
    assert!(matches!(err, RequesterError::Signature(_)));
}

#[test]
fn refuses_digests_changing_after_validation() {
    let err = run_with(DIGESTS_AGAIN, |m| m[4 + 47] ^= 1, |_| {});
    assert_eq!(
        err,
        RequesterError::PeerMisbehaved(Misbehavior::ChainChanged { slot: 0 })
    );
}

#[test]
fn refuses_measurements_bad_signature() {
    let err = run_with(MEASUREMENTS, |m| *m.last_mut().unwrap() ^= 1, |_| {});
    assert_eq!(
        err,
        RequesterError::Signature(SigningError::BadSignature {
            context: SigningContext::ResponderMeasurements
        })
    );
}

#[test]
fn refuses_measurements_with_other_blocks_than_asked() {
    let err = run_with(
        MEASUREMENTS,
        |_| {},
        |c| {
            c.measurements = MeasurementPlan::Indices {
                indices: vec![1],
                sign_each: true,
            };
        },
    );
    assert_eq!(
        err,
        RequesterError::PeerMisbehaved(Misbehavior::Measurements(
            "block other than the index asked"
        ))
    );
}

#[test]
fn refuses_measurements_above_our_block_limit() {
    let err = run_with(MEASUREMENTS, |_| {}, |c| c.max_measurement_blocks = 7);
    assert_eq!(
        err,
        RequesterError::PeerMisbehaved(Misbehavior::Measurements("more blocks than our limit"))
    );
}

#[test]
fn refuses_measurements_signed_by_another_slot() {
    // Param2 of MEASUREMENTS 1.2: SlotID in bits 3:0.
    let err = run_with(MEASUREMENTS, |m| m[3] = (m[3] & 0xF0) | 1, |_| {});
    assert_eq!(
        err,
        RequesterError::PeerMisbehaved(Misbehavior::Slot {
            slot: 1,
            reason: "MEASUREMENTS signed by another slot"
        })
    );
}

#[test]
fn refuses_requester_context_not_echoed() {
    let case = Case::doe();
    let mut pairs = case.pairs();
    // CHALLENGE_AUTH 1.3: RequesterContext right before the 64-byte signature.
    let auth = &mut pairs[CHALLENGE_AUTH].1;
    let at = 174 - 64 - 8;
    auth[at] ^= 1;
    let err = replay(&case, case.config(), &pairs, false).unwrap_err();
    assert_eq!(
        err,
        RequesterError::PeerMisbehaved(Misbehavior::RequesterContextMismatch)
    );
}

#[test]
fn refuses_doe_padding_that_is_not_zero() {
    let case = Case::doe();
    let mut pairs = case.pairs();
    // CERTIFICATE slot 0 carries 2 pad bytes.
    *pairs[CERTIFICATE0].1.last_mut().unwrap() = 1;
    let err = replay(&case, case.config(), &pairs, false).unwrap_err();
    assert!(
        matches!(
            err,
            RequesterError::InvalidMessage {
                expected: ResponseCode::Certificate,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn refuses_truncated_response_as_malformed() {
    let err = run_with(ALGORITHMS, |m| m.truncate(30), |_| {});
    assert!(matches!(
        err,
        RequesterError::InvalidMessage {
            expected: ResponseCode::Algorithms,
            ..
        }
    ));
}

#[test]
fn refuses_unusable_configurations() {
    let case = Case::mctp();
    let mut c = case.config();
    c.plan = vec![Step::Certificate(0)];
    assert!(matches!(
        vtrust_spdm::requester::Requester::start(c),
        Err(RequesterError::Config(_))
    ));
    let mut c = case.config();
    c.plan = vec![Step::Digests, Step::Challenge(0)];
    assert!(matches!(
        vtrust_spdm::requester::Requester::start(c),
        Err(RequesterError::Config(_))
    ));
    let mut c = case.config();
    c.min_version = SpdmVersion::V13;
    c.max_version = SpdmVersion::V12;
    assert!(matches!(
        vtrust_spdm::requester::Requester::start(c),
        Err(RequesterError::Config(_))
    ));
}
