//! Large messages (DSP0274 1.2 §10.20 CHUNK_SEND, §10.21 CHUNK_GET) between our requester
//! and our responder in process, with libspdm's ML-DSA-87 sample identity: responses above
//! the requester's DataTransferSize come as ERROR(LargeResponse) + CHUNK_GET, requests above
//! the responder's go as CHUNK_SEND; and the responder's refusals of chunk messages out of
//! place. (libspdm's own chunked responses are replayed in `requester_replay.rs`.)

mod requester_support;

use std::path::PathBuf;

use requester_support::{CAPTURE_DAY_UNIX, SHARED, sample, split_der};
use vtrust_crypto::CryptoProvider;
use vtrust_crypto::sign::SignatureAlg;
use vtrust_spdm::cert::{Timestamp, TrustAnchor};
use vtrust_spdm::codec::{
    BaseAsymAlgo, ChunkBody, ChunkGet, ChunkSend, ErrorCode, ErrorResponse, ExtendedErrorData,
    GetCapabilities, GetDigests, GetVersion, NegotiateAlgorithms, PqcAsymAlgo,
    RequesterCapabilityFlags, ResponderCapabilityFlags, SpdmVersion,
};
use vtrust_spdm::measurements::MeasurementStore;
use vtrust_spdm::requester::{Exchange, RequesterConfig, RequesterError, Step, run};
use vtrust_spdm::responder::{Responder, ResponderConfig, ResponderIdentity};
use vtrust_wire::Encode;

/// Counts chunk messages and checks every message against both DataTransferSizes.
struct Counting {
    responder: Responder,
    requester_dts: usize,
    responder_dts: usize,
    chunk_gets: usize,
    chunk_sends: usize,
}

impl Exchange for Counting {
    type Error = std::convert::Infallible;
    fn exchange(&mut self, request: &[u8]) -> Result<Vec<u8>, Self::Error> {
        assert!(
            request.len() <= self.responder_dts,
            "request of {} bytes",
            request.len()
        );
        match request[1] {
            0x86 => self.chunk_gets += 1,
            0x85 => self.chunk_sends += 1,
            _ => {}
        }
        let response = self.responder.handle(request);
        assert!(
            response.len() <= self.requester_dts,
            "response of {} bytes",
            response.len()
        );
        Ok(response)
    }
    fn wait(&mut self, _: std::time::Duration) -> Result<(), Self::Error> {
        Ok(())
    }
}

fn path(p: &str) -> PathBuf {
    PathBuf::from(format!("{SHARED}sample_key/{p}"))
}

/// The libspdm sample identity used at `version`: ML-DSA-87 in 1.4 (PqcAsymAlgo), ECDSA
/// P-384 before (its ~1.6 KiB chain and 96-byte signatures still exceed small transfer
/// sizes).
struct Ident {
    dir: &'static str,
    key: &'static str,
    alg: SignatureAlg,
    base: BaseAsymAlgo,
    pqc: PqcAsymAlgo,
}

fn ident(version: SpdmVersion) -> Ident {
    if version >= SpdmVersion::V14 {
        Ident {
            dir: "mldsa87",
            key: "end_responder.key.priv.raw",
            alg: SignatureAlg::MlDsa87,
            base: BaseAsymAlgo::empty(),
            pqc: PqcAsymAlgo::ML_DSA_87,
        }
    } else {
        Ident {
            dir: "ecp384",
            key: "end_responder.key.der",
            alg: SignatureAlg::EcdsaP384Sha384,
            base: BaseAsymAlgo::TPM_ALG_ECDSA_ECC_NIST_P384,
            pqc: PqcAsymAlgo::empty(),
        }
    }
}

fn responder(version: SpdmVersion, chunk: bool, dts: u32, max: u32) -> Responder {
    let provider = CryptoProvider::new();
    let id = ident(version);
    let identity = ResponderIdentity::new()
        .with_files(
            &provider,
            0,
            &path(&format!("{}/bundle_responder.certchain.der", id.dir)),
            &path(&format!("{}/{}", id.dir, id.key)),
            id.alg,
        )
        .unwrap();
    let mut config = ResponderConfig::default();
    config.versions = vec![version];
    config.base_asym_algo = id.base;
    config.pqc_asym_algo = id.pqc;
    if chunk {
        config.flags |= ResponderCapabilityFlags::CHUNK_CAP;
    }
    config.data_transfer_size = dts;
    config.max_spdm_msg_size = max;
    Responder::new(config, identity, MeasurementStore::libspdm_like(), provider).unwrap()
}

fn requester(version: SpdmVersion, chunk: bool, dts: u32, max: u32) -> RequesterConfig {
    let id = ident(version);
    let anchor = TrustAnchor::from_der(
        &split_der(&sample(&format!(
            "{}/bundle_responder.certchain.der",
            id.dir
        )))[0],
    )
    .unwrap();
    let mut rc = RequesterConfig::new(
        version,
        vec![anchor],
        Timestamp::from_unix(CAPTURE_DAY_UNIX),
    );
    rc.offer.base_asym_algo = id.base;
    rc.offer.pqc_asym_algo = id.pqc;
    rc.flags = RequesterCapabilityFlags::empty();
    if chunk {
        rc.flags |= RequesterCapabilityFlags::CHUNK_CAP;
    }
    rc.data_transfer_size = dts;
    rc.max_spdm_msg_size = max;
    rc.plan = vec![
        Step::Digests,
        Step::Certificate(0),
        Step::Challenge(0),
        Step::Measurements,
    ];
    rc
}

fn v12_up() -> [SpdmVersion; 3] {
    [SpdmVersion::V12, SpdmVersion::V13, SpdmVersion::V14]
}

#[test]
fn large_responses_are_fetched_with_chunk_get_every_version() {
    for version in v12_up() {
        let dts: u32 = if version >= SpdmVersion::V14 {
            1024
        } else {
            128
        };
        let mut ex = Counting {
            responder: responder(version, true, 0x1200, 0x28000),
            requester_dts: dts as usize,
            responder_dts: 0x1200,
            chunk_gets: 0,
            chunk_sends: 0,
        };
        let provider = CryptoProvider::new();
        let a = run(&mut ex, &provider, requester(version, true, dts, 0x28000))
            .unwrap_or_else(|e| panic!("{version:?}: {e}"));
        assert_eq!(a.negotiated.version, version);
        assert!(a.challenge.is_some());
        assert_eq!(a.measurement_signatures.len(), 1);
        // Chain, CHALLENGE_AUTH and MEASUREMENTS all exceed the transfer size: each needs
        // several chunks (ML-DSA-87: ~16 KiB chain, 4627-byte signatures; P-384: ~1.6 KiB
        // chain, 128-byte transfers).
        assert!(ex.chunk_gets >= 16, "{version:?}: {}", ex.chunk_gets);
        assert_eq!(ex.chunk_sends, 0);
    }
}

#[test]
fn large_requests_go_with_chunk_send_in_1_3_and_1_4() {
    // A responder DataTransferSize of 42 (MinDataTransferSize) makes CHALLENGE (1.3+: 44
    // bytes) and signed GET_MEASUREMENTS (45) large requests; VCA still fits when the
    // requester offers no session algorithms (NEGOTIATE_ALGORITHMS without AlgStructs).
    for version in [SpdmVersion::V13, SpdmVersion::V14] {
        let mut ex = Counting {
            responder: responder(version, true, 42, 0x28000),
            requester_dts: 0x28000,
            responder_dts: 42,
            chunk_gets: 0,
            chunk_sends: 0,
        };
        let provider = CryptoProvider::new();
        let mut rc = requester(version, true, 0x28000, 0x28000);
        rc.offer.alg_structs.clear();
        let result = run(&mut ex, &provider, rc);
        let a = result.unwrap_or_else(|e| panic!("{version:?}: {e}"));
        assert!(a.challenge.is_some());
        assert!(ex.chunk_sends >= 2, "{version:?}: {}", ex.chunk_sends);
        assert_eq!(ex.chunk_gets, 0);
    }
}

#[test]
fn both_directions_chunked_at_once() {
    let version = SpdmVersion::V14;
    let mut ex = Counting {
        responder: responder(version, true, 42, 0x28000),
        requester_dts: 42,
        responder_dts: 42,
        chunk_gets: 0,
        chunk_sends: 0,
    };
    let provider = CryptoProvider::new();
    let mut rc = requester(version, true, 42, 0x28000);
    rc.offer.alg_structs.clear();
    let a = run(&mut ex, &provider, rc).unwrap();
    assert!(a.challenge.is_some());
    assert!(ex.chunk_sends > 0 && ex.chunk_gets > 100);
}

#[test]
fn refuses_large_response_without_chunk_cap_as_response_too_large() {
    // DSP0274 1.2: without chunking a response above DataTransferSize is ResponseTooLarge
    // (the ML-DSA-87 chain portion is capped by the request, CHALLENGE_AUTH is not).
    let version = SpdmVersion::V14;
    let mut ex = Counting {
        responder: responder(version, false, 0x28000, 0x28000),
        requester_dts: 4096,
        responder_dts: 0x28000,
        chunk_gets: 0,
        chunk_sends: 0,
    };
    let provider = CryptoProvider::new();
    let err = run(&mut ex, &provider, requester(version, false, 4096, 4096)).unwrap_err();
    assert!(format!("{err}").contains("ResponseTooLarge"), "{err}");
}

/// Runs VCA by hand (CHUNK_CAP both ways, requester DataTransferSize `dts`).
fn negotiated_responder(version: SpdmVersion, requester_chunk: bool, dts: u32) -> Responder {
    let mut r = responder(version, true, 0x1200, 0x28000);
    let rc = requester(version, requester_chunk, dts, 0x28000);
    let get_version = GetVersion.to_vec().unwrap();
    r.handle(&get_version);
    let caps = GetCapabilities {
        version,
        ct_exponent: 0,
        ext_flags: vtrust_spdm::codec::ExtCapabilityFlags::empty(),
        flags: rc.flags,
        data_transfer_size: Some(dts),
        max_spdm_msg_size: Some(rc.max_spdm_msg_size),
        supported_algorithms_requested: false,
    };
    let resp = r.handle(&caps.to_vec().unwrap());
    assert_eq!(resp[1], 0x61, "CAPABILITIES");
    let na = NegotiateAlgorithms {
        version,
        supported: rc.offer_for(version),
    };
    let resp = r.handle(&na.to_vec().unwrap());
    assert_eq!(resp[1], 0x63, "ALGORITHMS {resp:02x?}");
    r
}

fn error_of(bytes: &[u8]) -> ErrorResponse<'_> {
    ErrorResponse::decode(bytes).unwrap_or_else(|e| panic!("not ERROR: {e}: {bytes:02x?}"))
}

fn chunk_get(version: SpdmVersion, handle: u8, seq: u32) -> Vec<u8> {
    ChunkGet {
        version,
        handle,
        chunk_seq_no: seq,
    }
    .to_vec()
    .unwrap()
}

/// GET_CERTIFICATE for the whole chain, answered ERROR(LargeResponse); returns the handle.
fn large_certificate(r: &mut Responder, version: SpdmVersion) -> u8 {
    r.handle(&GetDigests { version }.to_vec().unwrap());
    let get_cert = vtrust_spdm::codec::GetCertificate {
        version,
        slot_id: 0,
        large_cert_chain: false,
        slot_size_requested: false,
        offset: 0,
        length: 0xFFFF,
    };
    let resp = r.handle(&get_cert.to_vec().unwrap());
    let e = error_of(&resp);
    assert_eq!(e.error_code, ErrorCode::LargeResponse);
    let ExtendedErrorData::LargeResponse { handle } = e.extended else {
        panic!("no handle")
    };
    handle
}

#[test]
fn refuses_chunk_get_without_large_response_as_unexpected() {
    let v = SpdmVersion::V13;
    let mut r = negotiated_responder(v, true, 1024);
    let e = r.handle(&chunk_get(v, 1, 0));
    assert_eq!(error_of(&e).error_code, ErrorCode::UnexpectedRequest);
}

#[test]
fn refuses_chunk_get_with_another_handle_as_invalid() {
    let v = SpdmVersion::V14;
    let mut r = negotiated_responder(v, true, 1024);
    let handle = large_certificate(&mut r, v);
    let e = r.handle(&chunk_get(v, handle.wrapping_add(1), 0));
    assert_eq!(error_of(&e).error_code, ErrorCode::InvalidRequest);
    // The transfer is abandoned: even the right handle is unexpected now.
    let e = r.handle(&chunk_get(v, handle, 0));
    assert_eq!(error_of(&e).error_code, ErrorCode::UnexpectedRequest);
}

#[test]
fn refuses_chunk_get_out_of_sequence_as_invalid() {
    let v = SpdmVersion::V12;
    let mut r = negotiated_responder(v, true, 1024);
    let handle = large_certificate(&mut r, v);
    let ok = r.handle(&chunk_get(v, handle, 0));
    assert_eq!(ok[1], 0x06, "CHUNK_RESPONSE");
    let e = r.handle(&chunk_get(v, handle, 2));
    assert_eq!(error_of(&e).error_code, ErrorCode::InvalidRequest);
}

#[test]
fn another_request_abandons_the_large_response() {
    let v = SpdmVersion::V13;
    let mut r = negotiated_responder(v, true, 1024);
    let handle = large_certificate(&mut r, v);
    r.handle(&GetDigests { version: v }.to_vec().unwrap());
    let e = r.handle(&chunk_get(v, handle, 0));
    assert_eq!(error_of(&e).error_code, ErrorCode::UnexpectedRequest);
}

#[test]
fn refuses_chunk_get_when_requester_lacks_chunk_cap_as_unexpected() {
    let v = SpdmVersion::V13;
    let mut r = negotiated_responder(v, false, 0x28000);
    let e = r.handle(&chunk_get(v, 1, 0));
    assert_eq!(error_of(&e).error_code, ErrorCode::UnexpectedRequest);
}

#[test]
fn chunk_responses_reassemble_to_the_chain_and_stay_within_dts() {
    let v = SpdmVersion::V14;
    let mut r = negotiated_responder(v, true, 1024);
    let handle = large_certificate(&mut r, v);
    let mut whole = Vec::new();
    let mut total = None;
    for seq in 0.. {
        let resp = r.handle(&chunk_get(v, handle, seq));
        assert!(resp.len() <= 1024);
        let c = vtrust_spdm::codec::ChunkResponse::decode(&resp).unwrap();
        assert_eq!((c.handle, c.body.chunk_seq_no), (handle, seq));
        if seq == 0 {
            total = c.body.large_message_size;
        }
        whole.extend_from_slice(c.body.chunk);
        if c.last_chunk {
            break;
        }
    }
    assert_eq!(Some(whole.len() as u32), total);
    let cert = vtrust_spdm::codec::Certificate::decode(&whole).unwrap();
    assert_eq!(cert.remainder_length, 0);
    let chain_der = sample(&format!("{}/bundle_responder.certchain.der", ident(v).dir));
    assert!(
        cert.cert_chain.ends_with(&chain_der),
        "the SPDM chain ends with the DER chain"
    );
}

fn chunk_send(v: SpdmVersion, last: bool, seq: u32, total: Option<u32>, chunk: &[u8]) -> Vec<u8> {
    ChunkSend {
        version: v,
        last_chunk: last,
        handle: 9,
        body: ChunkBody {
            chunk_seq_no: seq,
            large_message_size: total,
            chunk,
        },
    }
    .to_vec()
    .unwrap()
}

fn early_error(ack: &[u8]) -> ErrorCode {
    let a = vtrust_spdm::codec::ChunkSendAck::decode(ack).unwrap();
    assert!(a.early_error_detected);
    ErrorResponse::decode(a.response).unwrap().error_code
}

#[test]
fn refuses_chunk_send_of_a_request_that_fits_as_invalid() {
    let v = SpdmVersion::V13;
    let mut r = negotiated_responder(v, true, 1024);
    let digests = GetDigests { version: v }.to_vec().unwrap();
    let ack = r.handle(&chunk_send(v, true, 0, Some(4), &digests));
    assert_eq!(early_error(&ack), ErrorCode::InvalidRequest);
}

#[test]
fn refuses_chunk_send_above_max_spdm_msg_size_as_request_too_large() {
    let v = SpdmVersion::V14;
    let mut r = negotiated_responder(v, true, 1024);
    let ack = r.handle(&chunk_send(v, false, 0, Some(0x28001), &[0x14; 16]));
    assert_eq!(early_error(&ack), ErrorCode::RequestTooLarge);
}

#[test]
fn refuses_chunk_send_out_of_sequence_as_invalid() {
    let v = SpdmVersion::V14;
    let mut r = negotiated_responder(v, true, 1024);
    let ack = r.handle(&chunk_send(v, false, 0, Some(0x2000), &[0x14; 16]));
    let a = vtrust_spdm::codec::ChunkSendAck::decode(&ack).unwrap();
    assert!(!a.early_error_detected && a.response.is_empty());
    let ack = r.handle(&chunk_send(v, false, 2, None, &[0; 16]));
    assert_eq!(early_error(&ack), ErrorCode::InvalidRequest);
}

#[test]
fn refuses_chunk_send_whose_chunks_overrun_large_message_size_as_invalid() {
    let v = SpdmVersion::V13;
    let mut r = negotiated_responder(v, true, 1024);
    r.handle(&chunk_send(v, false, 0, Some(0x1300), &[0x13; 0x1000]));
    let ack = r.handle(&chunk_send(v, true, 1, None, &[0; 0x400]));
    assert_eq!(early_error(&ack), ErrorCode::InvalidRequest);
}

#[test]
fn refuses_chunk_messages_before_1_2_as_unsupported() {
    let v = SpdmVersion::V11;
    let mut r = responder(v, true, 0x1200, 0x1200);
    r.handle(&GetVersion.to_vec().unwrap());
    // Chunk messages do not exist in 1.1; after VCA they are UnsupportedRequest.
    let caps = GetCapabilities {
        version: v,
        ct_exponent: 0,
        ext_flags: vtrust_spdm::codec::ExtCapabilityFlags::empty(),
        flags: RequesterCapabilityFlags::empty(),
        data_transfer_size: None,
        max_spdm_msg_size: None,
        supported_algorithms_requested: false,
    };
    r.handle(&caps.to_vec().unwrap());
    let rc = requester(v, false, 0x1200, 0x1200);
    let na = NegotiateAlgorithms {
        version: v,
        supported: rc.offer_for(v),
    };
    assert_eq!(r.handle(&na.to_vec().unwrap())[1], 0x63);
    let mut get = vec![0x11, 0x86, 0, 1];
    get.extend_from_slice(&[0, 0]);
    assert_eq!(
        error_of(&r.handle(&get)).error_code,
        ErrorCode::UnsupportedRequest
    );
}

#[test]
fn requester_refuses_large_response_without_negotiated_chunking() {
    // A responder that answers ERROR(LargeResponse) although the requester did not set
    // CHUNK_CAP.
    struct Liar(Responder);
    impl Exchange for Liar {
        type Error = std::convert::Infallible;
        fn exchange(&mut self, request: &[u8]) -> Result<Vec<u8>, Self::Error> {
            if request[1] == 0x82 {
                return Ok(vec![request[0], 0x7F, 0x0F, 0x00, 0x01]);
            }
            Ok(self.0.handle(request))
        }
        fn wait(&mut self, _: std::time::Duration) -> Result<(), Self::Error> {
            Ok(())
        }
    }
    let v = SpdmVersion::V13;
    let provider = CryptoProvider::new();
    let err = run(
        &mut Liar(responder(v, true, 0x28000, 0x28000)),
        &provider,
        requester(v, false, 0x28000, 0x28000),
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            vtrust_spdm::requester::RunError::Requester(RequesterError::ChunkingNotSupported)
        ),
        "{err:?}"
    );
}
