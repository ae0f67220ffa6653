//! Fuzz target for the SPDM requester state machine (`vtrust_spdm::requester`): drives it
//! from `Requester::start` with arbitrary response bytes; it must never panic, and it must
//! never finish the flow on anything but the genuine responses.
//!
//! Input: a sequence of frames, each `u16 LE length | bytes` (a short tail is one last
//! frame). Each frame is the response to the requester's current request. The
//! configuration mirrors spdm-emu's requester of `shared/spdm/transcripts/mctp_1.2_p384.txt`
//! (its GET_CAPABILITIES and NEGOTIATE_ALGORITHMS, plan DIGESTS, CERTIFICATE 0 and 1,
//! CHALLENGE 0, DIGESTS, CERTIFICATE 0, DIGESTS, MEASUREMENTS), the RNG returns that
//! capture's nonces, so the seed `seed-mctp_1.2_p384` (the capture's responses) runs the
//! whole flow and mutations of it reach every state.

#![no_main]

use std::sync::{Arc, Mutex};

use libfuzzer_sys::fuzz_target;
use vtrust_crypto::CryptoProvider;
use vtrust_crypto::rng::SecureRandom;
use vtrust_spdm::cert::{Timestamp, TrustAnchor};
use vtrust_spdm::codec::{GetCapabilities, NegotiateAlgorithms, SpdmVersion};
use vtrust_spdm::requester::{Next, Requester, RequesterConfig, Step};

const GET_CAPABILITIES: &str = "12e1000000000000c00200000012000000120000";
const NEGOTIATE_ALGORITHMS: &str = "12e3040030000102800000000200000000000000000000000000000000000000022010000320020004200f0005200100";
const CHALLENGE_NONCE: &str = "be030bf4335a780ce62e1303ba24c6f1623cacc5ff438a2b7a324b2b60ca6805";
const MEASUREMENTS_NONCE: &str = "8143b3cbe64d6746862109b297a7978b301c1adb9e85a1b65eacc8bd0978ffaa";
const ROOT0: &[u8] =
    include_bytes!("../../../shared/spdm/sample_key/ecp384/bundle_responder.certchain.der");
const ROOT1: &[u8] =
    include_bytes!("../../../shared/spdm/sample_key/ecp384/bundle_responder.certchain1.der");

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// The first DER certificate of a concatenation.
fn first_der(b: &[u8]) -> &[u8] {
    let len = match b[1] {
        0x82 => usize::from(u16::from_be_bytes([b[2], b[3]])) + 4,
        0x81 => usize::from(b[2]) + 3,
        n => usize::from(n) + 2,
    };
    &b[..len]
}

struct Nonces(Mutex<Vec<[u8; 32]>>);

impl SecureRandom for Nonces {
    fn fill(&self, out: &mut [u8]) -> Result<(), vtrust_crypto::Error> {
        let mut q = self.0.lock().map_err(|_| vtrust_crypto::Error::Rng)?;
        let n = if q.is_empty() { [0u8; 32] } else { q.remove(0) };
        for (o, b) in out.iter_mut().zip(n.iter().cycle()) {
            *o = *b;
        }
        Ok(())
    }
    fn name(&self) -> &'static str {
        "fuzz"
    }
}

fn config() -> RequesterConfig {
    let anchors = [ROOT0, ROOT1]
        .iter()
        .map(|c| TrustAnchor::from_der(first_der(c)).unwrap())
        .collect();
    let mut c = RequesterConfig::new(
        SpdmVersion::V12,
        anchors,
        Timestamp::from_unix(1_795_305_600),
    );
    let caps = GetCapabilities::decode(&unhex(GET_CAPABILITIES)).unwrap();
    c.flags = caps.flags;
    // CHUNK_CAP with a larger MaxSPDMmsgSize, so that mutated CAPABILITIES that set the
    // responder's CHUNK_CAP reach ERROR(LargeResponse) / CHUNK_GET and CHUNK_SEND (the
    // capture's own responder has no CHUNK_CAP, so the seed still runs the whole flow).
    c.flags |= vtrust_spdm::codec::RequesterCapabilityFlags::CHUNK_CAP;
    c.data_transfer_size = caps.data_transfer_size.unwrap();
    c.max_spdm_msg_size = 0x8000;
    c.offer = NegotiateAlgorithms::decode(&unhex(NEGOTIATE_ALGORITHMS))
        .unwrap()
        .supported;
    c.plan = vec![
        Step::Digests,
        Step::Certificate(0),
        Step::Certificate(1),
        Step::Challenge(0),
        Step::Digests,
        Step::Certificate(0),
        Step::Digests,
        Step::Measurements,
    ];
    c.record_cap = Some(64 * 1024);
    c
}

fn frames(mut data: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    while data.len() >= 2 && out.len() < 64 {
        let len = usize::from(u16::from_le_bytes([data[0], data[1]]));
        let rest = &data[2..];
        let take = len.min(rest.len());
        out.push(&rest[..take]);
        data = &rest[take..];
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let nonces = [CHALLENGE_NONCE, MEASUREMENTS_NONCE]
        .iter()
        .map(|h| unhex(h).try_into().unwrap())
        .collect();
    let provider = CryptoProvider::with_rng(Arc::new(Nonces(Mutex::new(nonces))));
    let Ok(mut next) = Requester::start(config()) else {
        return;
    };
    for frame in frames(data) {
        let requester = match next {
            Next::Send { requester, request }
            | Next::WaitThenSend {
                requester, request, ..
            } => {
                assert!(!request.is_empty());
                requester
            }
            Next::Done(_) => return,
        };
        match requester.on_response(&provider, frame) {
            Ok(n) => next = n,
            Err(e) => {
                let _ = e.to_string();
                return;
            }
        }
    }
});
