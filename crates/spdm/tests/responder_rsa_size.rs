//! Regression: the responder selects an RSA BaseAsymAlgo bit only if a slot key has that
//! bit's modulus size. A 3072-bit slot key offered TPM_ALG_RSAPSS_4096 alone is refused at
//! NEGOTIATE_ALGORITHMS (no common algorithm: ERROR InvalidRequest); offered RSAPSS_3072 it
//! attests; offered both it selects RSAPSS_3072, not the higher-priority RSAPSS_4096.

use std::sync::OnceLock;

use vtrust_crypto::CryptoProvider;
use vtrust_crypto::sign::{RsaKeySize, SignatureAlg};
use vtrust_spdm::cert::{ChainSpec, GeneratedChain, Timestamp};
use vtrust_spdm::codec::{
    BaseAsymAlgo, BaseHashAlgo, ErrorCode, ErrorResponse, PqcAsymAlgo, SpdmVersion,
};
use vtrust_spdm::measurements::MeasurementStore;
use vtrust_spdm::negotiated::AsymBit;
use vtrust_spdm::requester::{self, Attestation, Exchange, RequesterConfig, RunError};
use vtrust_spdm::responder::{Responder, ResponderConfig, ResponderIdentity};

const NOW: u64 = 1_795_305_600; // 2026-11-22

/// Root -> intermediate -> leaf, all RSA-3072 (RSASSA-PSS with SHA-384).
fn chain() -> &'static GeneratedChain {
    static CHAIN: OnceLock<GeneratedChain> = OnceLock::new();
    CHAIN.get_or_init(|| {
        ChainSpec::new(SignatureAlg::RsaPssSha384)
            .rsa_size(RsaKeySize::Rsa3072)
            .generate(&CryptoProvider::new())
            .unwrap()
    })
}

fn responder(provider: &CryptoProvider) -> Responder {
    let g = chain();
    let key = provider
        .signing_key_from_pkcs8(g.leaf_key().alg(), &g.leaf_key().to_pkcs8_der().unwrap())
        .unwrap();
    let identity = ResponderIdentity::new()
        .with_chain(0, g.certs().to_vec(), key)
        .unwrap();
    let mut config = ResponderConfig::default();
    config.data_transfer_size = 0x10000;
    config.max_spdm_msg_size = 0x10000;
    Responder::new(
        config,
        identity,
        MeasurementStore::default_set(),
        provider.clone(),
    )
    .unwrap()
}

/// The responder as transport, recording every (request, response).
struct Recording<'a> {
    responder: &'a mut Responder,
    log: Vec<Exchanged>,
}

impl Exchange for Recording<'_> {
    type Error = std::convert::Infallible;

    fn exchange(&mut self, request: &[u8]) -> Result<Vec<u8>, Self::Error> {
        let response = self.responder.handle(request);
        self.log.push((request.to_vec(), response.clone()));
        Ok(response)
    }
}

/// What the requester concluded.
type Outcome = Result<Attestation, RunError<std::convert::Infallible>>;
/// One (request, response).
type Exchanged = (Vec<u8>, Vec<u8>);

/// Attests over SPDM 1.2 offering only `asym` with SHA-384; also returns the exchanges.
fn attest(asym: BaseAsymAlgo) -> (Outcome, Vec<Exchanged>) {
    let provider = CryptoProvider::new();
    let mut rsp = responder(&provider);
    let v = SpdmVersion::V12;
    let mut config = RequesterConfig::new(
        v,
        vec![chain().trust_anchor().unwrap()],
        Timestamp::from_unix(NOW),
    );
    config.min_version = v;
    config.offer.base_asym_algo = asym;
    config.offer.pqc_asym_algo = PqcAsymAlgo::empty();
    config.offer.base_hash_algo = BaseHashAlgo::TPM_ALG_SHA_384;
    config.data_transfer_size = 0x10000;
    config.max_spdm_msg_size = 0x10000;
    let mut x = Recording {
        responder: &mut rsp,
        log: Vec::new(),
    };
    let result = requester::run(&mut x, &provider, config);
    (result, x.log)
}

#[test]
fn refuses_rsapss_4096_for_a_3072_bit_slot_key() {
    let (result, log) = attest(BaseAsymAlgo::TPM_ALG_RSAPSS_4096);
    assert!(result.is_err(), "attested with a 4096 selection");
    // 0xE3: NEGOTIATE_ALGORITHMS.
    let (_, response) = log
        .iter()
        .find(|(request, _)| request.get(1) == Some(&0xE3))
        .expect("NEGOTIATE_ALGORITHMS was sent");
    let e = ErrorResponse::decode(response)
        .unwrap_or_else(|e| panic!("ALGORITHMS, not an ERROR ({e}): {response:02x?}"));
    assert_eq!(e.error_code, ErrorCode::InvalidRequest);
    // Nothing was signed: the flow stopped at NEGOTIATE_ALGORITHMS.
    assert_eq!(log.last().map(|(_, r)| r), Some(response));
}

#[test]
fn rsapss_3072_attests_with_a_3072_bit_slot_key() {
    let (result, _) = attest(BaseAsymAlgo::TPM_ALG_RSAPSS_3072);
    let a = result.unwrap();
    let asym = a.negotiated.asym.expect("an asymmetric selection");
    assert_eq!(
        asym.selected,
        AsymBit::Base(BaseAsymAlgo::TPM_ALG_RSAPSS_3072)
    );
    assert!(a.challenge.is_some());
    assert!(!a.measurements.is_empty());
}

#[test]
fn selects_the_slot_key_size_when_both_are_offered() {
    // RSAPSS_4096 is first in the priority order; the key is 3072 bits.
    let (result, _) = attest(BaseAsymAlgo::TPM_ALG_RSAPSS_4096 | BaseAsymAlgo::TPM_ALG_RSAPSS_3072);
    let a = result.unwrap();
    assert_eq!(
        a.negotiated.asym.map(|s| s.selected),
        Some(AsymBit::Base(BaseAsymAlgo::TPM_ALG_RSAPSS_3072))
    );
}
