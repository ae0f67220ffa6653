//! Known answers for `transcript` and `signing`: the worked examples of
//! `shared/spdm/transcripts/README.md`, replayed from the libspdm captures through the
//! capture parser, the transport bindings, the codec, [`Transcript`] and the signature rules.

mod requester_support;

use requester_support::{CAPTURE_DAY_UNIX, Loaded, load, reassemble_chunks, split_der};
use vtrust_crypto::CryptoProvider;
use vtrust_crypto::hash::{Digest, HashAlg};
use vtrust_crypto::sign::{KeyType, PublicKey, SignatureAlg};
use vtrust_spdm::cert::{
    Anchors, ParseOptions, Role, SpdmCertChain, Timestamp, TrustAnchor, ValidationPolicy,
};
use vtrust_spdm::codec::{
    ChallengeAuth, DecodeContext, Measurements, RequestCode, Response, SpdmVersion,
};
use vtrust_spdm::signing::{SigningContext, SigningError, verify_signature};
use vtrust_spdm::transcript::{Part, Transcript, VcaTranscript};

fn hx(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

/// The leaf key of slot 0, through CERTIFICATE -> SpdmCertChain -> validation against the
/// sample root.
fn leaf_key(
    provider: &CryptoProvider,
    certificate: &[u8],
    hash: HashAlg,
    key_type: KeyType,
) -> PublicKey {
    let Response::Certificate(c) =
        Response::decode(certificate, &DecodeContext::default()).unwrap()
    else {
        panic!("not CERTIFICATE")
    };
    assert_eq!(c.remainder_length, 0);
    let chain = SpdmCertChain::parse(c.cert_chain, &ParseOptions::new(hash)).unwrap();
    let root = split_der(&c.cert_chain[4 + hash.output_len()..])[0].clone();
    let anchors = [TrustAnchor::from_der(&root).unwrap()];
    let policy = ValidationPolicy::new(
        Role::ResponderAuth,
        Timestamp::from_unix(CAPTURE_DAY_UNIX),
        Anchors::Trusted(&anchors),
        key_type.into(),
    );
    chain
        .validate(&policy, provider)
        .unwrap()
        .leaf_public_key()
        .clone()
}

/// Replays the SPDM messages `frames` (request/response pairs in order) into a
/// transcript with the reset rules; `certificate_override` supplies reassembled large
/// responses by frame number.
struct Replay<'a> {
    loaded: &'a Loaded,
    t: Transcript,
    authenticated: bool,
}

impl<'a> Replay<'a> {
    fn new(loaded: &'a Loaded, version: SpdmVersion, hash: HashAlg) -> Self {
        let provider = CryptoProvider::new();
        let mut vca = VcaTranscript::new();
        for n in vca_frames(loaded) {
            vca.append(loaded.frame(n).exact()).unwrap();
        }
        Self {
            loaded,
            t: vca.finish(&provider, version, hash, Some(1 << 20)),
            authenticated: false,
        }
    }

    fn request(&mut self, n: usize) -> Vec<u8> {
        let m = self.loaded.frame(n).exact().to_vec();
        let code = RequestCode::from(m[1]);
        self.t.on_request(code, self.authenticated);
        m
    }

    fn b(&mut self, req: usize, rsp: &[u8]) {
        let q = self.request(req);
        self.t.append_b(&q).unwrap();
        self.t.append_b(rsp).unwrap();
    }
}

fn vca_frames(loaded: &Loaded) -> Vec<usize> {
    let first = loaded.msgs[0].number;
    (first..first + 6).collect()
}

fn check_vca_hash(loaded: &Loaded, version: SpdmVersion, hash: HashAlg, expected: Option<&str>) {
    let r = Replay::new(loaded, version, hash);
    if let Some(e) = expected {
        assert_eq!(r.t.a_hash().as_bytes(), hx(e));
    }
}

#[test]
fn mctp_1_2_p384_message_a_m2_and_l1l2_known_answers() {
    let provider = CryptoProvider::new();
    let loaded = load("mctp_1.2_p384.txt");
    let v = SpdmVersion::V12;
    check_vca_hash(
        &loaded,
        v,
        HashAlg::Sha384,
        Some(
            "2d85878c7bfabb71bd47e5da2d58a61e541cd1c3c323f00361bf4c3301bd7e644e1cc1fd36b4a6f2302f8c489588450e",
        ),
    );
    let mut r = Replay::new(&loaded, v, HashAlg::Sha384);
    assert_eq!(r.t.message_a().len(), 152);
    for (q, s) in [(7, 8), (9, 10), (11, 12)] {
        let rsp = loaded.frame(s).exact().to_vec();
        r.b(q, &rsp);
    }
    // C: CHALLENGE + CHALLENGE_AUTH without the signature.
    let ctx = DecodeContext::new(48, 96, 48).with_measurement_summary_hash(true);
    let auth_bytes = loaded.frame(14).exact();
    let auth = ChallengeAuth::decode(auth_bytes, &ctx).unwrap();
    assert_eq!(auth.signature_offset(), 134);
    let q = r.request(13);
    r.t.append_c(&q).unwrap();
    r.t.append_c(&auth_bytes[..auth.signature_offset()])
        .unwrap();
    let m2 = r.t.m1m2_hash();
    assert_eq!(
        m2.as_bytes(),
        hx(
            "be7b9fbc97b09860ddb96760030a245a1d40a4fbd1ae7bcd17799cacc584284d35fd2e600899d30c7c3ccc24b6380a48"
        )
    );
    let record = r.t.m1m2_record().unwrap();
    assert_eq!(record.len(), 3640);
    assert_eq!(record.recompute(&provider), m2);
    assert_eq!(
        record.messages.iter().filter(|m| m.part == Part::B).count(),
        6
    );

    let key = leaf_key(
        &provider,
        loaded.frame(10).exact(),
        HashAlg::Sha384,
        KeyType::EcP384,
    );
    verify_signature(
        &provider,
        v,
        SigningContext::ResponderChallengeAuth,
        &key,
        SignatureAlg::EcdsaP384Sha384,
        &m2,
        auth.signature,
    )
    .unwrap();
    // The README's r || s.
    assert_eq!(
        auth.signature,
        [
            hx("8fa06fce3ee3b72402317b91107553a4b34f71aec9e46933c9bfa3e584ec24012881d025622aa38ec06af354324ba480"),
            hx("350b879137d93a5461883ef451aa7376e8553147d0acee590a1407b242352a080c884f1160b56583f49749b16b4044b2"),
        ]
        .concat()
    );
    // Wrong context: refused.
    assert_eq!(
        verify_signature(
            &provider,
            v,
            SigningContext::ResponderMeasurements,
            &key,
            SignatureAlg::EcdsaP384Sha384,
            &m2,
            auth.signature,
        ),
        Err(SigningError::BadSignature {
            context: SigningContext::ResponderMeasurements
        })
    );
    r.t.reset_m();
    r.authenticated = true;

    // [15]-[20]: GET_DIGESTS / GET_CERTIFICATE / GET_DIGESTS, then GET_MEASUREMENTS.
    for (q, s) in [(15, 16), (17, 18), (19, 20)] {
        let rsp = loaded.frame(s).exact().to_vec();
        r.b(q, &rsp);
    }
    let q = r.request(21);
    r.t.append_l(&q).unwrap();
    let mctx = DecodeContext::new(48, 96, 48).with_signature_requested(true);
    let meas_bytes = loaded.frame(22).exact();
    let meas = Measurements::decode(meas_bytes, &mctx).unwrap();
    assert_eq!(meas.blocks.len(), 8);
    r.t.append_l(&meas_bytes[..meas.signature_offset()])
        .unwrap();
    let l = r.t.l1l2_hash();
    assert_eq!(
        l.as_bytes(),
        hx(
            "71c73ab347cc70ed230ea686b26b118df6fedc00d13f1b1c9ef0f5137f0324432fc98ed5ab84c48fddf2da067c48bca6"
        )
    );
    let lrec = r.t.l1l2_record().unwrap();
    assert_eq!(lrec.len(), 679);
    assert_eq!(lrec.recompute(&provider), l);
    verify_signature(
        &provider,
        v,
        SigningContext::ResponderMeasurements,
        &key,
        SignatureAlg::EcdsaP384Sha384,
        &l,
        meas.signature.unwrap(),
    )
    .unwrap();
}

#[test]
fn mctp_1_2_p384_negative_controls() {
    let provider = CryptoProvider::new();
    let loaded = load("mctp_1.2_p384.txt");
    let v = SpdmVersion::V12;
    let ctx = DecodeContext::new(48, 96, 48).with_measurement_summary_hash(true);
    let auth_bytes = loaded.frame(14).exact();
    let auth = ChallengeAuth::decode(auth_bytes, &ctx).unwrap();
    let key = leaf_key(
        &provider,
        loaded.frame(10).exact(),
        HashAlg::Sha384,
        KeyType::EcP384,
    );
    let verify = |h: &Digest, sig: &[u8]| {
        verify_signature(
            &provider,
            v,
            SigningContext::ResponderChallengeAuth,
            &key,
            SignatureAlg::EcdsaP384Sha384,
            h,
            sig,
        )
    };

    // B left out.
    let mut r = Replay::new(&loaded, v, HashAlg::Sha384);
    let q = r.request(13);
    r.t.append_c(&q).unwrap();
    r.t.append_c(&auth_bytes[..auth.signature_offset()])
        .unwrap();
    assert!(matches!(
        verify(&r.t.m1m2_hash(), auth.signature),
        Err(SigningError::BadSignature { .. })
    ));

    // Only the challenged slot's chain in B (the slot-1 exchange left out).
    let mut r = Replay::new(&loaded, v, HashAlg::Sha384);
    for (q, s) in [(7, 8), (9, 10)] {
        let rsp = loaded.frame(s).exact().to_vec();
        r.b(q, &rsp);
    }
    let q = r.request(13);
    r.t.append_c(&q).unwrap();
    r.t.append_c(&auth_bytes[..auth.signature_offset()])
        .unwrap();
    assert!(verify(&r.t.m1m2_hash(), auth.signature).is_err());

    // A byte of the transcript flipped, and a byte of the signature flipped.
    let mut r = Replay::new(&loaded, v, HashAlg::Sha384);
    for (q, s) in [(7, 8), (9, 10), (11, 12)] {
        let mut rsp = loaded.frame(s).exact().to_vec();
        if s == 10 {
            rsp[700] ^= 1;
        }
        r.b(q, &rsp);
    }
    let q = r.request(13);
    r.t.append_c(&q).unwrap();
    r.t.append_c(&auth_bytes[..auth.signature_offset()])
        .unwrap();
    assert!(verify(&r.t.m1m2_hash(), auth.signature).is_err());
    let mut sig = auth.signature.to_vec();
    sig[5] ^= 0x80;
    let mut r = Replay::new(&loaded, v, HashAlg::Sha384);
    for (q, s) in [(7, 8), (9, 10), (11, 12)] {
        let rsp = loaded.frame(s).exact().to_vec();
        r.b(q, &rsp);
    }
    let q = r.request(13);
    r.t.append_c(&q).unwrap();
    r.t.append_c(&auth_bytes[..auth.signature_offset()])
        .unwrap();
    let good = r.t.m1m2_hash();
    assert!(verify(&good, auth.signature).is_ok());
    assert!(verify(&good, &sig).is_err());
    // Wrong size.
    assert!(matches!(
        verify(&good, &auth.signature[..95]),
        Err(SigningError::BadSignatureLength { .. })
    ));
    // Wrong version's prefix.
    assert!(
        verify_signature(
            &provider,
            SpdmVersion::V13,
            SigningContext::ResponderChallengeAuth,
            &key,
            SignatureAlg::EcdsaP384Sha384,
            &good,
            auth.signature,
        )
        .is_err()
    );
}

#[test]
fn doe_1_3_p256_m2_and_l_known_answers() {
    let provider = CryptoProvider::new();
    let loaded = load("doe_1.3_p256.txt");
    let v = SpdmVersion::V13;
    let mut r = Replay::new(&loaded, v, HashAlg::Sha256);
    for (q, s) in [(13, 14), (15, 16), (17, 18)] {
        // Padding stripped by the codec's own length, not the note.
        let (_, len) = Response::decode_with_padding(
            &loaded.frame(s).spdm,
            3,
            &DecodeContext::new(32, 64, 32),
        )
        .unwrap();
        assert_eq!(len, loaded.frame(s).spdm_len());
        let rsp = loaded.frame(s).spdm[..len].to_vec();
        r.b(q, &rsp);
    }
    let ctx = DecodeContext::new(32, 64, 32).with_measurement_summary_hash(true);
    let (resp, len) = Response::decode_with_padding(&loaded.frame(20).spdm, 3, &ctx).unwrap();
    let Response::ChallengeAuth(auth) = resp else {
        panic!()
    };
    assert_eq!(len, 174);
    let q = r.request(19);
    r.t.append_c(&q).unwrap();
    r.t.append_c(&loaded.frame(20).spdm[..auth.signature_offset()])
        .unwrap();
    let m2 = r.t.m1m2_hash();
    assert_eq!(
        m2.as_bytes(),
        hx("b67d5e3d8183813b314cc1e31648c03dd225418572dee5354020c0e64c3b598e")
    );
    assert_eq!(r.t.m1m2_record().unwrap().len(), 3191);
    let key = leaf_key(
        &provider,
        loaded.frame(16).exact(),
        HashAlg::Sha256,
        KeyType::EcP256,
    );
    verify_signature(
        &provider,
        v,
        SigningContext::ResponderChallengeAuth,
        &key,
        SignatureAlg::EcdsaP256Sha256,
        &m2,
        auth.signature,
    )
    .unwrap();
    r.t.reset_m();
    r.authenticated = true;
    for (q, s) in [(21, 22), (23, 24), (25, 26)] {
        let rsp = loaded.frame(s).exact().to_vec();
        r.b(q, &rsp);
    }
    let q = r.request(27);
    r.t.append_l(&q).unwrap();
    let mctx = DecodeContext::new(32, 64, 32).with_signature_requested(true);
    let (resp, _) = Response::decode_with_padding(&loaded.frame(28).spdm, 3, &mctx).unwrap();
    let Response::Measurements(meas) = resp else {
        panic!()
    };
    r.t.append_l(&loaded.frame(28).spdm[..meas.signature_offset()])
        .unwrap();
    let l = r.t.l1l2_hash();
    assert_eq!(
        l.as_bytes(),
        hx("e0ee2b9d1a2b0ad7ca88825488d0934a8be53e016a29a747a67d6292b146cf5e")
    );
    verify_signature(
        &provider,
        v,
        SigningContext::ResponderMeasurements,
        &key,
        SignatureAlg::EcdsaP256Sha256,
        &l,
        meas.signature.unwrap(),
    )
    .unwrap();
}

#[test]
fn mctp_1_4_mldsa65_m2_known_answer_and_context_string() {
    let provider = CryptoProvider::new();
    let loaded = load("mctp_1.4_mldsa65.txt");
    let v = SpdmVersion::V14;
    let mut r = Replay::new(&loaded, v, HashAlg::Sha384);
    assert_eq!(r.t.message_a().len(), 168);
    let cert0 = reassemble_chunks(&loaded, &[12, 14, 16, 18]);
    let cert1 = reassemble_chunks(&loaded, &[22, 24, 26, 28]);
    assert_eq!((cert0.len(), cert1.len()), (16861, 16864));
    let digests = loaded.frame(8).exact().to_vec();
    r.b(7, &digests);
    r.b(9, &cert0);
    r.b(19, &cert1);
    let ctx = DecodeContext::new(48, 3309, 48).with_measurement_summary_hash(true);
    let auth_bytes = loaded.frame(30).exact();
    let auth = ChallengeAuth::decode(auth_bytes, &ctx).unwrap();
    let q = r.request(29);
    r.t.append_c(&q).unwrap();
    r.t.append_c(&auth_bytes[..auth.signature_offset()])
        .unwrap();
    assert_eq!(r.t.m1m2_record().unwrap().len(), 34199);
    let m2 = r.t.m1m2_hash();
    assert_eq!(
        m2.as_bytes(),
        hx(
            "b7409751d07cec6470099bc3499d19361625c9f3fd4d114be4fb6e59b17adc82842b886bf73acc1ee3c0f9d6b0181e32"
        )
    );
    let key = leaf_key(&provider, &cert0, HashAlg::Sha384, KeyType::MlDsa65);
    let raw = requester_support::sample("mldsa65/end_responder.key.pub.raw");
    assert_eq!(key.as_bytes(), raw);
    verify_signature(
        &provider,
        v,
        SigningContext::ResponderChallengeAuth,
        &key,
        SignatureAlg::MlDsa65,
        &m2,
        auth.signature,
    )
    .unwrap();
    // With the empty FIPS 204 context (plain `verify`) it does not verify.
    let msg = vtrust_spdm::signing::signed_message(v, SigningContext::ResponderChallengeAuth, &m2)
        .unwrap();
    assert!(
        provider
            .verify(SignatureAlg::MlDsa65, &key, &msg, auth.signature)
            .is_err()
    );

    // MEASUREMENTS [46]: L = A || GET_MEASUREMENTS || MEASUREMENTS minus signature.
    r.t.reset_m();
    r.authenticated = true;
    let q = r.request(45);
    r.t.append_l(&q).unwrap();
    let mctx = DecodeContext::new(48, 3309, 48).with_signature_requested(true);
    let meas_bytes = loaded.frame(46).exact();
    let meas = Measurements::decode(meas_bytes, &mctx).unwrap();
    r.t.append_l(&meas_bytes[..meas.signature_offset()])
        .unwrap();
    verify_signature(
        &provider,
        v,
        SigningContext::ResponderMeasurements,
        &key,
        SignatureAlg::MlDsa65,
        &r.t.l1l2_hash(),
        meas.signature.unwrap(),
    )
    .unwrap();
}

#[test]
fn sign_then_verify_matches_for_responder_use() {
    // The responder's path: sign with the sample-shaped key, verify with our verifier.
    let provider = CryptoProvider::new();
    for alg in [SignatureAlg::EcdsaP384Sha384, SignatureAlg::MlDsa65] {
        let key = provider.generate_signing_key(alg).unwrap();
        let h = provider.digest(HashAlg::Sha384, b"M2");
        let sig = vtrust_spdm::signing::sign(
            &key,
            SpdmVersion::V14,
            SigningContext::ResponderChallengeAuth,
            &h,
        )
        .unwrap();
        verify_signature(
            &provider,
            SpdmVersion::V14,
            SigningContext::ResponderChallengeAuth,
            key.public_key(),
            alg,
            &h,
            &sig,
        )
        .unwrap();
    }
}
