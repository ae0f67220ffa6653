//! Properties of the requester: arbitrary responses, after any valid prefix of the
//! `mctp_1.2_p384` replay, never panic and never finish the flow.

mod requester_support;

use proptest::prelude::*;
use requester_support::replay::Case;
use vtrust_spdm::requester::{Next, Requester};

fn run(prefix: usize, garbage: &[Vec<u8>]) {
    let case = Case::mctp();
    let pairs = case.pairs();
    let provider = case.provider();
    let mut responses = pairs[..prefix]
        .iter()
        .map(|p| p.1.clone())
        .collect::<Vec<_>>();
    responses.extend(garbage.iter().cloned());
    let Ok(mut next) = Requester::start(case.config()) else {
        return;
    };
    for r in &responses {
        let requester = match next {
            Next::Send { requester, .. } | Next::WaitThenSend { requester, .. } => requester,
            Next::Done(_) => panic!("finished on garbage"),
        };
        match requester.on_response(&provider, r) {
            Ok(n) => next = n,
            Err(_) => return,
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_responses_never_panic(
        prefix in 0usize..11,
        garbage in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..300), 1..4),
    ) {
        run(prefix, &garbage);
    }

    #[test]
    fn plausible_headers_never_panic(
        prefix in 0usize..11,
        code in prop_oneof![Just(0x04u8), Just(0x61), Just(0x63), Just(0x01), Just(0x02), Just(0x03), Just(0x60), Just(0x7f)],
        body in proptest::collection::vec(any::<u8>(), 0..400),
    ) {
        let mut m = vec![0x12, code];
        m.extend(body);
        run(prefix, &[m]);
    }
}
