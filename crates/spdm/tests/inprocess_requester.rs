//! Our requester (`vtrust_spdm::requester`) against our responder, in process: every SPDM
//! version 1.0-1.4 x signature algorithm, authenticate (DIGESTS, CERTIFICATE, CHALLENGE) and
//! signed measurements; the RESPOND_IF_READY path; and tampering in flight: one byte of one
//! response flipped between them is never accepted.

use vtrust_crypto::CryptoProvider;
use vtrust_crypto::sign::{KeyType, RsaKeySize, SignatureAlg};
use vtrust_spdm::cert::{ChainSpec, GeneratedChain, Timestamp};
use vtrust_spdm::codec::{BaseAsymAlgo, BaseHashAlgo, PqcAsymAlgo, SpdmVersion};
use vtrust_spdm::measurements::MeasurementStore;
use vtrust_spdm::requester::{Attestation, Next, Requester, RequesterConfig};
use vtrust_spdm::responder::{Responder, ResponderConfig, ResponderIdentity};

const NOW: u64 = 1_795_305_600; // 2026-11-22

struct Case {
    alg: SignatureAlg,
    asym: BaseAsymAlgo,
    pqc: PqcAsymAlgo,
    hash: BaseHashAlgo,
    versions: &'static [SpdmVersion],
}

const ALL: &[SpdmVersion] = &[
    SpdmVersion::V10,
    SpdmVersion::V11,
    SpdmVersion::V12,
    SpdmVersion::V13,
    SpdmVersion::V14,
];

fn cases() -> Vec<Case> {
    let none = PqcAsymAlgo::empty();
    vec![
        Case {
            alg: SignatureAlg::EcdsaP256Sha256,
            asym: BaseAsymAlgo::TPM_ALG_ECDSA_ECC_NIST_P256,
            pqc: none,
            hash: BaseHashAlgo::TPM_ALG_SHA_256,
            versions: ALL,
        },
        Case {
            alg: SignatureAlg::EcdsaP384Sha384,
            asym: BaseAsymAlgo::TPM_ALG_ECDSA_ECC_NIST_P384,
            pqc: none,
            hash: BaseHashAlgo::TPM_ALG_SHA_384,
            versions: ALL,
        },
        Case {
            alg: SignatureAlg::RsaPssSha384,
            asym: BaseAsymAlgo::TPM_ALG_RSAPSS_3072,
            pqc: none,
            hash: BaseHashAlgo::TPM_ALG_SHA_384,
            versions: &[SpdmVersion::V11, SpdmVersion::V12],
        },
        Case {
            alg: SignatureAlg::RsaPkcs1Sha256,
            asym: BaseAsymAlgo::TPM_ALG_RSASSA_3072,
            pqc: none,
            hash: BaseHashAlgo::TPM_ALG_SHA_256,
            versions: &[SpdmVersion::V10, SpdmVersion::V13],
        },
        Case {
            alg: SignatureAlg::Ed25519,
            asym: BaseAsymAlgo::EDDSA_ED25519,
            pqc: none,
            hash: BaseHashAlgo::TPM_ALG_SHA_512,
            versions: &[SpdmVersion::V12, SpdmVersion::V13, SpdmVersion::V14],
        },
        Case {
            alg: SignatureAlg::MlDsa44,
            asym: BaseAsymAlgo::empty(),
            pqc: PqcAsymAlgo::ML_DSA_44,
            hash: BaseHashAlgo::TPM_ALG_SHA_256,
            versions: &[SpdmVersion::V14],
        },
        Case {
            alg: SignatureAlg::MlDsa65,
            asym: BaseAsymAlgo::empty(),
            pqc: PqcAsymAlgo::ML_DSA_65,
            hash: BaseHashAlgo::TPM_ALG_SHA_384,
            versions: &[SpdmVersion::V14],
        },
        Case {
            alg: SignatureAlg::MlDsa87,
            asym: BaseAsymAlgo::empty(),
            pqc: PqcAsymAlgo::ML_DSA_87,
            hash: BaseHashAlgo::TPM_ALG_SHA_512,
            versions: &[SpdmVersion::V14],
        },
    ]
}

fn chain(provider: &CryptoProvider, alg: SignatureAlg) -> GeneratedChain {
    let mut spec = ChainSpec::new(alg);
    if alg.key_type() == KeyType::Rsa {
        spec = spec.rsa_size(RsaKeySize::Rsa3072);
    }
    spec.generate(provider).unwrap()
}

fn responder(provider: &CryptoProvider, g: &GeneratedChain, not_ready: bool) -> Responder {
    let key = provider
        .signing_key_from_pkcs8(g.leaf_key().alg(), &g.leaf_key().to_pkcs8_der().unwrap())
        .unwrap();
    let identity = ResponderIdentity::new()
        .with_chain(0, g.certs().to_vec(), key)
        .unwrap();
    let mut config = ResponderConfig::default();
    config.data_transfer_size = 0x10000;
    config.max_spdm_msg_size = 0x10000;
    config.not_ready_first_challenge = not_ready;
    Responder::new(
        config,
        identity,
        MeasurementStore::default_set(),
        provider.clone(),
    )
    .unwrap()
}

fn requester_config(case: &Case, v: SpdmVersion, g: &GeneratedChain) -> RequesterConfig {
    let mut c = RequesterConfig::new(
        v,
        vec![g.trust_anchor().unwrap()],
        Timestamp::from_unix(NOW),
    );
    c.min_version = v;
    c.offer.base_asym_algo = case.asym;
    c.offer.pqc_asym_algo = case.pqc;
    c.offer.base_hash_algo = case.hash;
    c.data_transfer_size = 0x10000;
    c.max_spdm_msg_size = 0x10000;
    c
}

/// Runs the flow; `tamper(k, response)` may alter the k-th response in flight.
fn run(
    provider: &CryptoProvider,
    config: RequesterConfig,
    rsp: &mut Responder,
    mut tamper: impl FnMut(usize, &mut Vec<u8>),
) -> Result<(Attestation, usize), String> {
    let mut next = Requester::start(config).map_err(|e| e.to_string())?;
    for k in 0..1000 {
        next = match next {
            Next::Send { requester, request }
            | Next::WaitThenSend {
                requester, request, ..
            } => {
                let mut response = rsp.handle(&request);
                tamper(k, &mut response);
                requester
                    .on_response(provider, &response)
                    .map_err(|e| format!("response {k}: {e}"))?
            }
            Next::Done(a) => return Ok((*a, k)),
        };
    }
    Err("no end".into())
}

#[test]
fn requester_and_responder_agree_on_every_version_and_algorithm() {
    let provider = CryptoProvider::new();
    let mut ran = 0;
    let mut failures = Vec::new();
    for case in cases() {
        let g = chain(&provider, case.alg);
        for &v in case.versions {
            let mut rsp = responder(&provider, &g, false);
            match run(
                &provider,
                requester_config(&case, v, &g),
                &mut rsp,
                |_, _| {},
            ) {
                Ok((a, _)) => {
                    assert_eq!(a.negotiated.version, v);
                    assert_eq!(a.negotiated.asym.unwrap().alg, case.alg);
                    assert!(a.challenge.is_some());
                    assert_eq!(a.measurements.len(), 8);
                    assert_eq!(a.measurement_signatures.len(), 1);
                    ran += 1;
                }
                Err(e) => failures.push(format!("{v} {}: {e}", case.alg.name())),
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    assert_eq!(ran, 5 + 5 + 2 + 2 + 3 + 1 + 1 + 1);
}

#[test]
fn respond_if_ready_path() {
    let provider = CryptoProvider::new();
    let case = &cases()[1];
    let g = chain(&provider, case.alg);
    let mut rsp = responder(&provider, &g, true);
    let mut saw_not_ready = false;
    let (a, _) = run(
        &provider,
        requester_config(case, SpdmVersion::V12, &g),
        &mut rsp,
        |_, r| {
            saw_not_ready |= r.get(1..3) == Some(&[0x7F, 0x42]);
        },
    )
    .unwrap();
    assert!(saw_not_ready);
    assert!(a.challenge.is_some());
}

#[test]
fn tampered_responses_are_never_accepted() {
    let provider = CryptoProvider::new();
    for (case_index, v) in [
        (1, SpdmVersion::V12),
        (0, SpdmVersion::V13),
        (6, SpdmVersion::V14),
    ] {
        let case = &cases()[case_index];
        let g = chain(&provider, case.alg);
        // The untampered flow: response lengths.
        let mut lens = Vec::new();
        let mut rsp = responder(&provider, &g, false);
        run(
            &provider,
            requester_config(case, v, &g),
            &mut rsp,
            |_, r| lens.push(r.len()),
        )
        .unwrap();
        let mut tried = 0;
        for (k, &len) in lens.iter().enumerate() {
            let step = (len / 24).max(1);
            for pos in (0..len).step_by(step).chain([len - 1]) {
                let mut rsp = responder(&provider, &g, false);
                let out = run(
                    &provider,
                    requester_config(case, v, &g),
                    &mut rsp,
                    |i, r| {
                        if i == k {
                            r[pos] ^= 0x01;
                        }
                    },
                );
                assert!(
                    out.is_err(),
                    "{v} {}: response {k} byte {pos} flipped was accepted",
                    case.alg.name()
                );
                tried += 1;
            }
        }
        assert!(tried > 100);
    }
}
