//! Our responder in process, driven by a minimal requester written in this test (codec
//! messages, transcripts built here from the bytes, signatures checked with
//! `vtrust_spdm::signing::verify_signature` and the leaf key of the generated chain), over
//! every SPDM version 1.0-1.4 and signature algorithm it supports: authenticate
//! (DIGESTS, CERTIFICATE, CHALLENGE) and signed measurements; then every response byte of
//! CHALLENGE_AUTH and MEASUREMENTS flipped in flight is refused (by decoding or signature).
//!
//! The requester-driven variant (`vtrust_spdm::requester`) is the lead's follow-up once
//! the requester lands; this test pins the responder's side of the same matrix.

use vtrust_crypto::CryptoProvider;
use vtrust_crypto::hash::HashAlg;
use vtrust_crypto::sign::{RsaKeySize, SignatureAlg};
use vtrust_spdm::cert::ChainSpec;
use vtrust_spdm::codec::{
    AlgStructure, AlgType, BaseAsymAlgo, BaseHashAlgo, Certificate, Challenge, ChallengeAuth,
    DecodeContext, Digests, ExtCapabilityFlags, GetCapabilities, GetCertificate, GetDigests,
    GetMeasurements, GetVersion, MeasurementAttributes, MeasurementOperation,
    MeasurementSpecification, MeasurementSummaryHashType, Measurements, MelSpecification,
    NegotiateAlgorithms, OtherParams, PqcAsymAlgo, RequesterCapabilityFlags, SpdmVersion,
    SupportedAlgorithms,
};
use vtrust_spdm::measurements::MeasurementStore;
use vtrust_spdm::negotiated::Negotiated;
use vtrust_spdm::responder::{Responder, ResponderConfig, ResponderIdentity};
use vtrust_spdm::signing::{SigningContext, verify_signature};
use vtrust_wire::Encode;

const ALL_VERSIONS: [SpdmVersion; 5] = [
    SpdmVersion::V10,
    SpdmVersion::V11,
    SpdmVersion::V12,
    SpdmVersion::V13,
    SpdmVersion::V14,
];

/// (algorithm, BaseAsym bit or PQC bit, hash, versions).
fn matrix() -> Vec<(
    SignatureAlg,
    BaseAsymAlgo,
    PqcAsymAlgo,
    BaseHashAlgo,
    Vec<SpdmVersion>,
)> {
    let classic = ALL_VERSIONS.to_vec();
    let v12up = vec![SpdmVersion::V12, SpdmVersion::V13, SpdmVersion::V14];
    let none = PqcAsymAlgo::empty();
    vec![
        (
            SignatureAlg::EcdsaP256Sha256,
            BaseAsymAlgo::TPM_ALG_ECDSA_ECC_NIST_P256,
            none,
            BaseHashAlgo::TPM_ALG_SHA_256,
            classic.clone(),
        ),
        (
            SignatureAlg::EcdsaP384Sha384,
            BaseAsymAlgo::TPM_ALG_ECDSA_ECC_NIST_P384,
            none,
            BaseHashAlgo::TPM_ALG_SHA_384,
            classic.clone(),
        ),
        (
            SignatureAlg::EcdsaP521Sha512,
            BaseAsymAlgo::TPM_ALG_ECDSA_ECC_NIST_P521,
            none,
            BaseHashAlgo::TPM_ALG_SHA_512,
            vec![SpdmVersion::V12],
        ),
        (
            SignatureAlg::RsaPssSha384,
            BaseAsymAlgo::TPM_ALG_RSAPSS_3072,
            none,
            BaseHashAlgo::TPM_ALG_SHA_384,
            vec![SpdmVersion::V11, SpdmVersion::V12],
        ),
        (
            SignatureAlg::RsaPkcs1Sha256,
            BaseAsymAlgo::TPM_ALG_RSASSA_3072,
            none,
            BaseHashAlgo::TPM_ALG_SHA_256,
            vec![SpdmVersion::V10, SpdmVersion::V13],
        ),
        // Ed25519 signs M itself before 1.2, which our hashed transcripts cannot: 1.2+ only.
        (
            SignatureAlg::Ed25519,
            BaseAsymAlgo::EDDSA_ED25519,
            none,
            BaseHashAlgo::TPM_ALG_SHA_512,
            v12up,
        ),
        (
            SignatureAlg::MlDsa44,
            BaseAsymAlgo::empty(),
            PqcAsymAlgo::ML_DSA_44,
            BaseHashAlgo::TPM_ALG_SHA_256,
            vec![SpdmVersion::V14],
        ),
        (
            SignatureAlg::MlDsa65,
            BaseAsymAlgo::empty(),
            PqcAsymAlgo::ML_DSA_65,
            BaseHashAlgo::TPM_ALG_SHA_384,
            vec![SpdmVersion::V14],
        ),
        (
            SignatureAlg::MlDsa87,
            BaseAsymAlgo::empty(),
            PqcAsymAlgo::ML_DSA_87,
            BaseHashAlgo::TPM_ALG_SHA_512,
            vec![SpdmVersion::V14],
        ),
    ]
}

struct Run {
    version: SpdmVersion,
    alg: SignatureAlg,
    hash: HashAlg,
    negotiated: Negotiated,
    rsp: Responder,
    a: Vec<u8>,
    b: Vec<u8>,
}

fn exchange(rsp: &mut Responder, request: &[u8]) -> Vec<u8> {
    let out = rsp.handle(request);
    assert_ne!(
        out.get(1),
        Some(&0x7F),
        "ERROR for {request:02x?}: {out:02x?}"
    );
    out
}

fn setup(
    version: SpdmVersion,
    alg: SignatureAlg,
    asym: BaseAsymAlgo,
    pqc: PqcAsymAlgo,
    hash_bit: BaseHashAlgo,
    provider: &CryptoProvider,
) -> (Run, vtrust_crypto::sign::PublicKey) {
    let mut spec = ChainSpec::new(alg);
    if alg.key_type() == vtrust_crypto::sign::KeyType::Rsa {
        spec = spec.rsa_size(RsaKeySize::Rsa3072);
    }
    let chain = spec.generate(provider).unwrap();
    let public = chain.leaf_key().public_key().clone();
    let identity = ResponderIdentity::new().with_generated(0, chain).unwrap();
    let mut config = ResponderConfig::default();
    config.data_transfer_size = 0x10000;
    config.max_spdm_msg_size = 0x10000;
    let mut rsp = Responder::new(
        config,
        identity,
        MeasurementStore::default_set(),
        provider.clone(),
    )
    .unwrap();

    let mut a = Vec::new();
    let get_version = GetVersion.to_vec().unwrap();
    let version_rsp = exchange(&mut rsp, &get_version);
    a.extend_from_slice(&get_version);
    a.extend_from_slice(&version_rsp);

    let v12 = version.at_least(SpdmVersion::V12);
    let get_caps = GetCapabilities {
        version,
        supported_algorithms_requested: false,
        ct_exponent: 0,
        ext_flags: ExtCapabilityFlags::empty(),
        flags: RequesterCapabilityFlags::empty(),
        data_transfer_size: v12.then_some(0x10000),
        max_spdm_msg_size: v12.then_some(0x10000),
    };
    let get_caps_bytes = get_caps.to_vec().unwrap();
    let caps_bytes = exchange(&mut rsp, &get_caps_bytes);
    a.extend_from_slice(&get_caps_bytes);
    a.extend_from_slice(&caps_bytes);
    let caps = vtrust_spdm::codec::Capabilities::decode(&caps_bytes).unwrap();

    let negotiate = NegotiateAlgorithms {
        version,
        supported: SupportedAlgorithms {
            measurement_specification: MeasurementSpecification::DMTF,
            other_params_support: if v12 {
                OtherParams::OPAQUE_DATA_FMT1
            } else {
                OtherParams::empty()
            },
            base_asym_algo: asym,
            base_hash_algo: hash_bit,
            pqc_asym_algo: pqc,
            mel_specification: MelSpecification::empty(),
            ext_asym: Vec::new(),
            ext_hash: Vec::new(),
            alg_structs: if version.at_least(SpdmVersion::V11) {
                vec![AlgStructure {
                    alg_type: AlgType::KeySchedule,
                    alg_supported: 1,
                    alg_external: Vec::new(),
                }]
            } else {
                Vec::new()
            },
        },
    };
    let negotiate_bytes = negotiate.to_vec().unwrap();
    let algorithms_bytes = exchange(&mut rsp, &negotiate_bytes);
    a.extend_from_slice(&negotiate_bytes);
    a.extend_from_slice(&algorithms_bytes);
    let algorithms = vtrust_spdm::codec::Algorithms::decode(&algorithms_bytes).unwrap();
    let negotiated = Negotiated::from_vca(&get_caps, &caps, &negotiate, &algorithms).unwrap();
    assert_eq!(negotiated.asym.unwrap().alg, alg);
    let hash = negotiated.base_hash;
    (
        Run {
            version,
            alg,
            hash,
            negotiated,
            rsp,
            a,
            b: Vec::new(),
        },
        public,
    )
}

fn verify(
    run: &Run,
    public: &vtrust_crypto::sign::PublicKey,
    context: SigningContext,
    transcript: &[u8],
    sig: &[u8],
) -> bool {
    let provider = CryptoProvider::new();
    let digest = provider.digest(run.hash, transcript);
    verify_signature(
        &provider,
        run.version,
        context,
        public,
        run.alg,
        &digest,
        sig,
    )
    .is_ok()
}

fn authenticate_and_measure(run: &mut Run, public: &vtrust_crypto::sign::PublicKey) {
    let v = run.version;
    let ctx: DecodeContext = run.negotiated.decode_context();
    // DIGESTS
    let req = GetDigests { version: v }.to_vec().unwrap();
    let out = exchange(&mut run.rsp, &req);
    let digests = Digests::decode(&out, &ctx).unwrap();
    let digest0 = digests.digests[0].to_vec();
    run.b.extend_from_slice(&req);
    run.b.extend_from_slice(&out);
    // CERTIFICATE, in portions of at most 1000 bytes.
    let mut chain = Vec::new();
    loop {
        let req = GetCertificate {
            version: v,
            slot_id: 0,
            large_cert_chain: false,
            slot_size_requested: false,
            offset: u32::try_from(chain.len()).unwrap(),
            length: 1000,
        }
        .to_vec()
        .unwrap();
        let out = exchange(&mut run.rsp, &req);
        let cert = Certificate::decode(&out).unwrap();
        chain.extend_from_slice(cert.cert_chain);
        run.b.extend_from_slice(&req);
        run.b.extend_from_slice(&out);
        if cert.remainder_length == 0 {
            break;
        }
    }
    assert_eq!(
        CryptoProvider::new().digest(run.hash, &chain).as_bytes(),
        digest0
    );
    // CHALLENGE
    let challenge = Challenge {
        version: v,
        slot_id: 0,
        measurement_summary_hash_type: MeasurementSummaryHashType::AllMeasurementsHash,
        nonce: [0x5a; 32],
        requester_context: v
            .at_least(SpdmVersion::V13)
            .then_some([1, 2, 3, 4, 5, 6, 7, 8]),
    };
    let req = challenge.to_vec().unwrap();
    let out = exchange(&mut run.rsp, &req);
    let dctx = ctx.with_measurement_summary_hash(true);
    let auth = ChallengeAuth::decode(&out, &dctx).unwrap();
    assert_eq!(auth.cert_chain_hash, digest0);
    assert_eq!(auth.requester_context, challenge.requester_context);
    let off = auth.signature_offset();
    let m2 = |tbs: &[u8]| [run.a.as_slice(), &run.b, &req, tbs].concat();
    assert!(
        verify(
            run,
            public,
            SigningContext::ResponderChallengeAuth,
            &m2(&out[..off]),
            &out[off..]
        ),
        "{v} {:?} CHALLENGE_AUTH",
        run.alg
    );
    // Tamper in flight: every byte (a sample for large ML-DSA signatures).
    let step = if out.len() > 600 { 37 } else { 1 };
    for i in (0..out.len()).step_by(step) {
        let mut bad = out.clone();
        bad[i] ^= 0x01;
        let accepted = ChallengeAuth::decode(&bad, &dctx).is_ok_and(|t| {
            t.cert_chain_hash == digest0
                && verify(
                    run,
                    public,
                    SigningContext::ResponderChallengeAuth,
                    &m2(&bad[..off]),
                    &bad[off..],
                )
        });
        assert!(
            !accepted,
            "{v} {:?}: CHALLENGE_AUTH byte {i} flipped was accepted",
            run.alg
        );
    }
    run.b.clear();
    // MEASUREMENTS: one unsigned (count), then all signed: L = (1.2+: A ||) both.
    let count_req = GetMeasurements {
        version: v,
        attributes: MeasurementAttributes::empty(),
        operation: MeasurementOperation::TOTAL_NUMBER_OF_MEASUREMENTS,
        nonce: None,
        slot_id: None,
        requester_context: v.at_least(SpdmVersion::V13).then_some([9; 8]),
    }
    .to_vec()
    .unwrap();
    let count_rsp = exchange(&mut run.rsp, &count_req);
    let count = Measurements::decode(&count_rsp, &ctx).unwrap();
    assert_eq!(count.total_measurement_indices, 8);
    let req = GetMeasurements {
        version: v,
        attributes: MeasurementAttributes::SIGNATURE_REQUESTED,
        operation: MeasurementOperation::ALL_MEASUREMENTS,
        nonce: Some([0x77; 32]),
        slot_id: v.at_least(SpdmVersion::V11).then_some(0),
        requester_context: v.at_least(SpdmVersion::V13).then_some([9; 8]),
    }
    .to_vec()
    .unwrap();
    let out = exchange(&mut run.rsp, &req);
    let mctx = ctx.with_signature_requested(true);
    let meas = Measurements::decode(&out, &mctx).unwrap();
    assert_eq!(meas.blocks.len(), 8);
    let off = meas.signature_offset();
    let prefix_a: &[u8] = if v.at_least(SpdmVersion::V12) {
        &run.a
    } else {
        &[]
    };
    let l = |tbs: &[u8]| [prefix_a, &count_req, &count_rsp, &req, tbs].concat();
    assert!(
        verify(
            run,
            public,
            SigningContext::ResponderMeasurements,
            &l(&out[..off]),
            &out[off..]
        ),
        "{v} {:?} MEASUREMENTS",
        run.alg
    );
    let step = if out.len() > 600 { 37 } else { 1 };
    for i in (0..out.len()).step_by(step) {
        let mut bad = out.clone();
        bad[i] ^= 0x80;
        let accepted = Measurements::decode(&bad, &mctx).is_ok_and(|t| {
            let o = t.signature_offset();
            verify(
                run,
                public,
                SigningContext::ResponderMeasurements,
                &l(&bad[..o]),
                &bad[o..],
            )
        });
        assert!(
            !accepted,
            "{v} {:?}: MEASUREMENTS byte {i} flipped was accepted",
            run.alg
        );
    }
}

#[test]
fn every_version_and_algorithm_authenticates_and_measures() {
    let provider = CryptoProvider::new();
    let mut ran = Vec::new();
    for (alg, asym, pqc, hash, versions) in matrix() {
        for v in versions {
            let (mut run, public) = setup(v, alg, asym, pqc, hash, &provider);
            authenticate_and_measure(&mut run, &public);
            ran.push(format!("{v} {}", alg.name()));
        }
    }
    assert_eq!(ran.len(), 5 + 5 + 1 + 2 + 2 + 3 + 3);
}

/// An ERROR to GET_MEASUREMENTS restarts L1/L2 (libspdm resets message_m on every
/// GET_MEASUREMENTS error, on both sides); spdm-emu's one-by-one flow depends on it.
#[test]
fn measurement_error_restarts_l1l2() {
    let provider = CryptoProvider::new();
    let (mut run, public) = setup(
        SpdmVersion::V12,
        SignatureAlg::EcdsaP256Sha256,
        BaseAsymAlgo::TPM_ALG_ECDSA_ECC_NIST_P256,
        PqcAsymAlgo::empty(),
        BaseHashAlgo::TPM_ALG_SHA_256,
        &provider,
    );
    let v = run.version;
    let get = |op: u8, signed: bool| {
        GetMeasurements {
            version: v,
            attributes: if signed {
                MeasurementAttributes::SIGNATURE_REQUESTED
            } else {
                MeasurementAttributes::empty()
            },
            operation: MeasurementOperation(op),
            nonce: signed.then_some([3; 32]),
            slot_id: signed.then_some(0),
            requester_context: None,
        }
        .to_vec()
        .unwrap()
    };
    exchange(&mut run.rsp, &get(1, false));
    let err = run.rsp.handle(&get(0x42, false));
    assert_eq!(err[1], 0x7F);
    let req = get(2, true);
    let out = exchange(&mut run.rsp, &req);
    let ctx = run
        .negotiated
        .decode_context()
        .with_signature_requested(true);
    let off = Measurements::decode(&out, &ctx).unwrap().signature_offset();
    let l = [run.a.as_slice(), &req, &out[..off]].concat();
    assert!(verify(
        &run,
        &public,
        SigningContext::ResponderMeasurements,
        &l,
        &out[off..]
    ));
}
