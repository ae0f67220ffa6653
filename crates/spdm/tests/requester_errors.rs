//! ERROR handling of the requester: ResponseNotReady -> wait, RESPOND_IF_READY; Busy ->
//! bounded retry of the same request; RequestResynch -> restart at GET_VERSION;
//! LargeResponse -> "chunking not supported yet"; any other ERROR -> typed error. Each one is
//! injected into the `mctp_1.2_p384` replay before the captured GET_DIGESTS response.

mod requester_support;

use std::time::Duration;

use requester_support::replay::Case;
use vtrust_crypto::CryptoProvider;
use vtrust_spdm::codec::ErrorCode;
use vtrust_spdm::requester::{Attestation, Misbehavior, Next, Requester, RequesterError};

const DIGESTS: usize = 3;

/// Every request sent, with the delay asked before it.
type Log = Vec<(Vec<u8>, Option<Duration>)>;

/// Drives the replay; `inject(i, attempt)` may return an ERROR to deliver instead of the
/// captured response `i` on that attempt. Returns the outcome and every (request, delay).
fn drive(
    case: &Case,
    provider: &CryptoProvider,
    mut inject: impl FnMut(usize, usize) -> Option<Vec<u8>>,
) -> (Result<Attestation, RequesterError>, Log) {
    let pairs = case.pairs();
    let mut log = Vec::new();
    let mut i = 0;
    let mut attempt = 0;
    let mut next = match Requester::start(case.config()) {
        Ok(n) => n,
        Err(e) => return (Err(e), log),
    };
    loop {
        let (requester, request, delay) = match next {
            Next::Send { requester, request } => (requester, request, None),
            Next::WaitThenSend {
                requester,
                delay,
                request,
            } => (requester, request, Some(delay)),
            Next::Done(a) => return (Ok(*a), log),
        };
        log.push((request.clone(), delay));
        if request == [0x10, 0x84, 0, 0] {
            i = 0; // (re)start
        }
        let response = match inject(i, attempt) {
            Some(e) => {
                attempt += 1;
                e
            }
            None => {
                attempt = 0;
                i += 1;
                pairs[i - 1].1.clone()
            }
        };
        next = match requester.on_response(provider, &response) {
            Ok(n) => n,
            Err(e) => return (Err(e), log),
        };
    }
}

#[test]
fn response_not_ready_waits_then_sends_respond_if_ready() {
    let case = Case::mctp();
    // RDTExponent 4 (16 µs), RequestCode GET_DIGESTS, Token 7, RDTM 3.
    let (result, log) = drive(&case, &case.provider(), |i, attempt| {
        (i == DIGESTS && attempt == 0).then(|| vec![0x12, 0x7f, 0x42, 0x00, 4, 0x81, 7, 3])
    });
    let a = result.unwrap();
    assert!(a.challenge.is_some());
    let riy = log.iter().find(|(_, d)| d.is_some()).unwrap();
    assert_eq!(riy.0, [0x12, 0xff, 0x81, 0x07]);
    assert_eq!(riy.1, Some(Duration::from_micros(16)));
}

#[test]
fn response_not_ready_for_another_request_is_refused() {
    let case = Case::mctp();
    let (result, _) = drive(&case, &case.provider(), |i, attempt| {
        (i == DIGESTS && attempt == 0).then(|| vec![0x12, 0x7f, 0x42, 0x00, 4, 0x82, 7, 3])
    });
    assert_eq!(
        result.unwrap_err(),
        RequesterError::PeerMisbehaved(Misbehavior::NotReady("for another request"))
    );
}

#[test]
fn response_not_ready_forever_gives_up() {
    let case = Case::mctp();
    let (result, _) = drive(&case, &case.provider(), |i, _| {
        (i == DIGESTS).then(|| vec![0x12, 0x7f, 0x42, 0x00, 0, 0x81, 7, 3])
    });
    assert_eq!(result.unwrap_err(), RequesterError::TooManyRetries(8));
}

#[test]
fn response_not_ready_with_a_delay_above_our_limit_is_refused() {
    let case = Case::mctp();
    // RDTExponent 40: 2^40 µs, about 12.7 days.
    let (result, _) = drive(&case, &case.provider(), |i, _| {
        (i == DIGESTS).then(|| vec![0x12, 0x7f, 0x42, 0x00, 40, 0x81, 7, 3])
    });
    assert_eq!(
        result.unwrap_err(),
        RequesterError::PeerMisbehaved(Misbehavior::NotReady("delay above our limit"))
    );
}

#[test]
fn busy_resends_the_same_request_a_bounded_number_of_times() {
    let case = Case::mctp();
    let (result, log) = drive(&case, &case.provider(), |i, attempt| {
        (i == DIGESTS && attempt < 2).then(|| vec![0x12, 0x7f, 0x03, 0x00])
    });
    assert!(result.is_ok());
    let digests: Vec<_> = log
        .iter()
        .filter(|(r, _)| r == &[0x12, 0x81, 0, 0])
        .collect();
    assert_eq!(
        digests.len(),
        2 + 3,
        "two retries, then the flow's three GET_DIGESTS"
    );

    let (result, _) = drive(&case, &case.provider(), |i, _| {
        (i == DIGESTS).then(|| vec![0x12, 0x7f, 0x03, 0x00])
    });
    assert_eq!(result.unwrap_err(), RequesterError::TooManyRetries(3));
}

#[test]
fn request_resynch_restarts_from_get_version() {
    let case = Case::mctp();
    let mut resynched = false;
    let (result, log) = drive(&case, &case.provider(), |i, _| {
        if i == DIGESTS && !resynched {
            resynched = true;
            Some(vec![0x12, 0x7f, 0x43, 0x00])
        } else {
            None
        }
    });
    assert!(result.unwrap().challenge.is_some());
    assert_eq!(
        log.iter().filter(|(r, _)| r == &[0x10, 0x84, 0, 0]).count(),
        2
    );
}

#[test]
fn large_response_is_a_clean_unsupported_error() {
    let case = Case::mctp();
    let (result, _) = drive(&case, &case.provider(), |i, _| {
        (i == DIGESTS).then(|| vec![0x12, 0x7f, 0x0f, 0x00, 0x01])
    });
    assert_eq!(result.unwrap_err(), RequesterError::ChunkingNotSupported);
}

#[test]
fn other_errors_are_typed() {
    let case = Case::mctp();
    for (code, expected) in [
        (0x07u8, ErrorCode::UnsupportedRequest),
        (0x01, ErrorCode::InvalidRequest),
        (0x04, ErrorCode::UnexpectedRequest),
    ] {
        let (result, _) = drive(&case, &case.provider(), |i, _| {
            (i == DIGESTS).then(|| vec![0x12, 0x7f, code, 0x00])
        });
        assert_eq!(
            result.unwrap_err(),
            RequesterError::ErrorResponse {
                code: expected,
                data: 0
            }
        );
    }
}

#[test]
fn error_with_another_version_is_refused() {
    let case = Case::mctp();
    let (result, _) = drive(&case, &case.provider(), |i, _| {
        (i == DIGESTS).then(|| vec![0x11, 0x7f, 0x03, 0x00])
    });
    assert!(matches!(
        result.unwrap_err(),
        RequesterError::PeerMisbehaved(Misbehavior::VersionMismatch { .. })
    ));
}
