//! Property tests: arbitrary request bytes and request sequences always produce one
//! well-formed SPDM response (an ERROR at worst), never a panic.

use std::sync::OnceLock;

use proptest::prelude::*;
use vtrust_crypto::CryptoProvider;
use vtrust_crypto::sign::SignatureAlg;
use vtrust_spdm::cert::ChainSpec;
use vtrust_spdm::codec::{DecodeContext, Header, Response, ResponseCode};
use vtrust_spdm::measurements::MeasurementStore;
use vtrust_spdm::responder::{ConnectionState, Responder, ResponderConfig, ResponderIdentity};

fn identity() -> ResponderIdentity {
    static CHAIN: OnceLock<(Vec<Vec<u8>>, Vec<u8>)> = OnceLock::new();
    let provider = CryptoProvider::new();
    let (certs, pkcs8) = CHAIN.get_or_init(|| {
        let g = ChainSpec::new(SignatureAlg::EcdsaP256Sha256)
            .generate(&provider)
            .unwrap();
        (g.certs().to_vec(), g.leaf_key().to_pkcs8_der().unwrap())
    });
    let key = provider
        .signing_key_from_pkcs8(SignatureAlg::EcdsaP256Sha256, pkcs8)
        .unwrap();
    ResponderIdentity::new()
        .with_chain(0, certs.clone(), key)
        .unwrap()
}

fn responder() -> Responder {
    Responder::new(
        ResponderConfig::default(),
        identity(),
        MeasurementStore::default_set(),
        CryptoProvider::new(),
    )
    .unwrap()
}

/// Checks that `response` (to `request`) decodes as an SPDM response of the state's layout.
fn check(rsp: &Responder, request: &[u8], response: &[u8]) {
    let header = Header::peek(response).expect("response header");
    let code = header.response_code();
    assert!(code.is_known(), "response code {:#04x}", header.code);
    let mut ctx = match rsp.state() {
        ConnectionState::Negotiated(n) => n.params().decode_context(),
        _ => DecodeContext::default(),
    };
    if code == ResponseCode::ChallengeAuth {
        ctx = ctx.with_measurement_summary_hash(request.get(3).is_some_and(|&p| p != 0));
    }
    if code == ResponseCode::Measurements {
        ctx = ctx.with_signature_requested(request.get(2).is_some_and(|&p| p & 1 != 0));
    }
    Response::decode(response, &ctx).unwrap_or_else(|e| panic!("{e}: {response:02x?}"));
}

const VCA: [&str; 3] = [
    "10840000",
    "12e1000000000000c00200000012000000120000",
    "12e3040030000102800000000200000000000000000000000000000000000000022010000320020004200f0005200100",
];

fn request_strategy() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        // Anything.
        proptest::collection::vec(any::<u8>(), 0..80),
        // A plausible header then anything.
        (
            prop::sample::select(vec![0x10u8, 0x11, 0x12, 0x13, 0x14]),
            prop::sample::select(vec![
                0x81u8, 0x82, 0x83, 0x84, 0xE0, 0xE1, 0xE3, 0xE4, 0xFE, 0xFF, 0x86
            ]),
            proptest::collection::vec(any::<u8>(), 0..60)
        )
            .prop_map(|(v, c, rest)| [vec![v, c], rest].concat()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_requests_get_a_well_formed_response(
        vca_steps in 0usize..=3,
        requests in proptest::collection::vec(request_strategy(), 1..8),
    ) {
        let mut rsp = responder();
        for r in VCA.iter().take(vca_steps) {
            let req = hex::decode(r).unwrap();
            let out = rsp.handle(&req);
            check(&rsp, &req, &out);
        }
        for req in &requests {
            let out = rsp.handle(req);
            check(&rsp, req, &out);
        }
    }
}
