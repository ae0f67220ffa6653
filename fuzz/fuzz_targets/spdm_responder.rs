//! Fuzz target for the SPDM responder (`vtrust_spdm::responder`): arbitrary request sequences
//! into one responder; it must never panic and every response must decode as a valid SPDM
//! response for the connection's state.
//!
//! Input: byte 0 selects how many of spdm-emu's SPDM 1.2 VCA requests (GET_VERSION,
//! GET_CAPABILITIES, NEGOTIATE_ALGORITHMS) run first (bits 1:0, 0-3) and the
//! ResponseNotReady knob (bit 2); then requests as `len u16 LE | bytes` until the input ends
//! (a short last one takes what is left).

#![no_main]

use std::sync::{Arc, OnceLock};

use libfuzzer_sys::fuzz_target;
use vtrust_crypto::CryptoProvider;
use vtrust_crypto::rng::TestRng;
use vtrust_crypto::sign::SignatureAlg;
use vtrust_spdm::cert::ChainSpec;
use vtrust_spdm::codec::{DecodeContext, Header, Response, ResponseCode};
use vtrust_spdm::measurements::MeasurementStore;
use vtrust_spdm::responder::{ConnectionState, Responder, ResponderConfig, ResponderIdentity};

const VCA: [&[u8]; 3] = [
    &[0x10, 0x84, 0x00, 0x00],
    &[
        0x12, 0xe1, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc0, 0x02, 0x00, 0x00, 0x00, 0x12, 0x00,
        0x00, 0x00, 0x12, 0x00, 0x00,
    ],
    &[
        0x12, 0xe3, 0x04, 0x00, 0x30, 0x00, 0x01, 0x02, 0x80, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x02, 0x20, 0x10, 0x00, 0x03, 0x20, 0x02, 0x00, 0x04, 0x20, 0x0f, 0x00, 0x05,
        0x20, 0x01, 0x00,
    ],
];

fn identity_parts() -> &'static (Vec<Vec<u8>>, Vec<u8>) {
    static PARTS: OnceLock<(Vec<Vec<u8>>, Vec<u8>)> = OnceLock::new();
    PARTS.get_or_init(|| {
        let provider = CryptoProvider::new();
        let g = ChainSpec::new(SignatureAlg::EcdsaP384Sha384)
            .generate(&provider)
            .expect("chain");
        (
            g.certs().to_vec(),
            g.leaf_key().to_pkcs8_der().expect("pkcs8"),
        )
    })
}

fn responder(not_ready: bool) -> Responder {
    let provider = CryptoProvider::with_rng(Arc::new(TestRng::new([7; 32])));
    let (certs, pkcs8) = identity_parts();
    let key = provider
        .signing_key_from_pkcs8(SignatureAlg::EcdsaP384Sha384, pkcs8)
        .expect("key");
    let identity = ResponderIdentity::new()
        .with_chain(0, certs.clone(), key)
        .expect("slot");
    let mut config = ResponderConfig::default();
    config.not_ready_first_challenge = not_ready;
    // Large messages: CHUNK_GET / CHUNK_SEND reachable when the requester sets CHUNK_CAP.
    config.flags |= vtrust_spdm::codec::ResponderCapabilityFlags::CHUNK_CAP;
    config.max_spdm_msg_size = 0x8000;
    Responder::new(config, identity, MeasurementStore::default_set(), provider).expect("responder")
}

fn check(rsp: &Responder, request: &[u8], response: &[u8]) {
    let header = Header::peek(response).expect("response header");
    let code = header.response_code();
    assert!(code.is_known(), "response code {:#04x}", header.code);
    let mut ctx = match rsp.state() {
        ConnectionState::Negotiated(n) => n.params().decode_context(),
        _ => DecodeContext::default(),
    };
    if code == ResponseCode::ChallengeAuth {
        // A deferred CHALLENGE is answered to RESPOND_IF_READY: the type is in that case
        // unknown here, so accept either layout.
        let with = ctx.with_measurement_summary_hash(true);
        let without = ctx.with_measurement_summary_hash(false);
        assert!(
            Response::decode(response, &with).is_ok()
                || Response::decode(response, &without).is_ok(),
            "CHALLENGE_AUTH does not decode: {response:02x?}"
        );
        return;
    }
    if code == ResponseCode::Measurements {
        ctx = ctx.with_signature_requested(request.get(2).is_some_and(|&p| p & 1 != 0));
    }
    if let Err(e) = Response::decode(response, &ctx) {
        panic!("{e}: {response:02x?}");
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, mut rest)) = data.split_first() else {
        return;
    };
    let mut rsp = responder(selector & 0x04 != 0);
    for req in VCA.iter().take(usize::from(selector & 0x03)) {
        let out = rsp.handle(req);
        check(&rsp, req, &out);
    }
    let mut count = 0;
    while !rest.is_empty() && count < 64 {
        count += 1;
        let (len, tail) = match rest {
            [lo, hi, tail @ ..] => (usize::from(u16::from_le_bytes([*lo, *hi])), tail),
            _ => (rest.len(), &[][..]),
        };
        let (req, tail) = tail.split_at(len.min(tail.len()));
        rest = tail;
        let out = rsp.handle(req);
        check(&rsp, req, &out);
    }
});
