//! Replaying a capture against the requester: the captured nonces as the RNG, a
//! configuration mirroring spdm-emu's requester, and a loop feeding captured responses.

use std::sync::{Arc, Mutex};

use super::{CAPTURE_DAY_UNIX, Loaded, load, sample, split_der};
use vtrust_crypto::CryptoProvider;
use vtrust_crypto::rng::SecureRandom;
use vtrust_spdm::cert::{Timestamp, TrustAnchor};
use vtrust_spdm::codec::{GetCapabilities, NegotiateAlgorithms, SpdmVersion};
use vtrust_spdm::requester::{Attestation, Next, Requester, RequesterConfig, RequesterError, Step};

/// An RNG that hands out the captured nonces in order.
pub struct Nonces(pub Mutex<Vec<[u8; 32]>>);

impl SecureRandom for Nonces {
    fn fill(&self, out: &mut [u8]) -> Result<(), vtrust_crypto::Error> {
        let mut q = self.0.lock().unwrap();
        if q.is_empty() || out.len() != 32 {
            return Err(vtrust_crypto::Error::Rng);
        }
        out.copy_from_slice(&q.remove(0));
        Ok(())
    }
    fn name(&self) -> &'static str {
        "captured-nonces"
    }
}

pub struct Case {
    pub loaded: Loaded,
    pub alg_dir: &'static str,
    pub version: SpdmVersion,
    pub max_padding: usize,
}

impl Case {
    pub fn mctp() -> Self {
        Self {
            loaded: load("mctp_1.2_p384.txt"),
            alg_dir: "ecp384",
            version: SpdmVersion::V12,
            max_padding: 0,
        }
    }

    pub fn doe() -> Self {
        Self {
            loaded: load("doe_1.3_p256.txt"),
            alg_dir: "ecp256",
            version: SpdmVersion::V13,
            max_padding: 3,
        }
    }

    /// libspdm 1.4, ML-DSA-65, CHUNK: the certificate comes as ERROR(LargeResponse) +
    /// CHUNK_GET/CHUNK_RESPONSE. Only the frames before KEY_EXCHANGE (frame 47).
    pub fn mctp14() -> Self {
        let mut loaded = load("mctp_1.4_mldsa65.txt");
        loaded.msgs.retain(|m| m.number < 47);
        Self {
            loaded,
            alg_dir: "mldsa65",
            version: SpdmVersion::V14,
            max_padding: 0,
        }
    }

    /// Captured (request, response) pairs: request exact, response as the binding gives it
    /// (DOE padding still on).
    pub fn pairs(&self) -> Vec<(Vec<u8>, Vec<u8>)> {
        self.loaded
            .msgs
            .chunks(2)
            .map(|p| {
                assert!(p[0].to_responder && !p[1].to_responder);
                (p[0].exact().to_vec(), p[1].spdm.clone())
            })
            .collect()
    }

    pub fn provider(&self) -> CryptoProvider {
        let nonces = self
            .loaded
            .msgs
            .iter()
            .filter(|m| m.name == "CHALLENGE" || m.name == "GET_MEASUREMENTS")
            .map(|m| m.exact()[4..36].try_into().unwrap())
            .collect();
        CryptoProvider::with_rng(Arc::new(Nonces(Mutex::new(nonces))))
    }

    /// A configuration mirroring the captured spdm-emu requester.
    pub fn config(&self) -> RequesterConfig {
        let anchors = [
            "bundle_responder.certchain.der",
            "bundle_responder.certchain1.der",
        ]
        .iter()
        .map(|f| {
            let der = &split_der(&sample(&format!("{}/{f}", self.alg_dir)))[0];
            TrustAnchor::from_der(der).unwrap()
        })
        .collect();
        let mut c = RequesterConfig::new(
            self.version,
            anchors,
            Timestamp::from_unix(CAPTURE_DAY_UNIX),
        );
        let by_name = |n: &str| {
            self.loaded
                .msgs
                .iter()
                .find(|m| m.name == n)
                .unwrap()
                .exact()
                .to_vec()
        };
        let caps = GetCapabilities::decode(&by_name("GET_CAPABILITIES")).unwrap();
        c.flags = caps.flags;
        c.ct_exponent = caps.ct_exponent;
        c.data_transfer_size = caps.data_transfer_size.unwrap();
        c.max_spdm_msg_size = caps.max_spdm_msg_size.unwrap();
        c.offer = NegotiateAlgorithms::decode(&by_name("NEGOTIATE_ALGORITHMS"))
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
        c.challenge_context = [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88];
        c.measurements_context = [0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x00, 0xff];
        c.max_padding = self.max_padding;
        c
    }
}

/// Runs the requester against `responses` in order; with `check`, asserts every request
/// equals the captured one.
pub fn replay(
    case: &Case,
    config: RequesterConfig,
    responses: &[(Vec<u8>, Vec<u8>)],
    check: bool,
) -> Result<Attestation, RequesterError> {
    let provider = case.provider();
    let mut next = Requester::start(config)?;
    let mut i = 0;
    loop {
        next = match next {
            Next::Send { requester, request } => {
                let Some((captured, response)) = responses.get(i) else {
                    panic!("requester sent more requests than the capture has");
                };
                if check {
                    assert_eq!(&request, captured, "request {i}");
                }
                i += 1;
                requester.on_response(&provider, response)?
            }
            Next::WaitThenSend { .. } => panic!("no ResponseNotReady in the capture"),
            Next::Done(a) => {
                if check {
                    assert_eq!(i, responses.len(), "every captured response used");
                }
                return Ok(*a);
            }
        };
    }
}
