//! One `refuses_*` test per responder check, asserting the exact SPDM ERROR code; plus the
//! knobs (ResponseNotReady / RESPOND_IF_READY, VENDOR_DEFINED) and state resets.

use std::sync::OnceLock;

use vtrust_crypto::CryptoProvider;
use vtrust_crypto::sign::SignatureAlg;
use vtrust_spdm::cert::ChainSpec;
use vtrust_spdm::codec::{
    ErrorCode, ErrorResponse, ExtCapabilityFlags, ExtendedErrorData, GetCapabilities, RequestCode,
    RequesterCapabilityFlags, ResponseCode, SpdmVersion, VendorDefinedRequest,
    VendorDefinedResponse,
};
use vtrust_spdm::measurements::MeasurementStore;
use vtrust_spdm::responder::{Responder, ResponderConfig, ResponderIdentity};

/// spdm-emu's 1.2 VCA requests (mctp_1.2_p384 frames [1], [3], [5]).
const GET_VERSION: &str = "10840000";
const GET_CAPABILITIES_12: &str = "12e1000000000000c00200000012000000120000";
const NEGOTIATE_ALGORITHMS_12: &str = "12e3040030000102800000000200000000000000000000000000000000000000022010000320020004200f0005200100";

fn chain() -> &'static vtrust_spdm::cert::GeneratedChain {
    static CHAIN: OnceLock<vtrust_spdm::cert::GeneratedChain> = OnceLock::new();
    CHAIN.get_or_init(|| {
        ChainSpec::new(SignatureAlg::EcdsaP384Sha384)
            .generate(&CryptoProvider::new())
            .unwrap()
    })
}

fn responder_with(config: ResponderConfig) -> Responder {
    let provider = CryptoProvider::new();
    let g = chain();
    let certs = g.certs().to_vec();
    let key = provider
        .signing_key_from_pkcs8(
            SignatureAlg::EcdsaP384Sha384,
            &g.leaf_key().to_pkcs8_der().unwrap(),
        )
        .unwrap();
    let identity = ResponderIdentity::new().with_chain(0, certs, key).unwrap();
    Responder::new(config, identity, MeasurementStore::default_set(), provider).unwrap()
}

fn responder() -> Responder {
    responder_with(ResponderConfig::default())
}

fn send(rsp: &mut Responder, hex_request: &str) -> Vec<u8> {
    rsp.handle(&hex::decode(hex_request).unwrap())
}

/// A responder after the 1.2 VCA of spdm-emu.
fn negotiated() -> Responder {
    let mut rsp = responder();
    for r in [GET_VERSION, GET_CAPABILITIES_12, NEGOTIATE_ALGORITHMS_12] {
        let out = send(&mut rsp, r);
        assert_ne!(out[1], 0x7F, "VCA step {r} failed: {out:02x?}");
    }
    assert_eq!(rsp.state().name(), "Negotiated");
    rsp
}

#[track_caller]
fn assert_error(response: &[u8], code: ErrorCode) -> u8 {
    let e = ErrorResponse::decode(response).unwrap_or_else(|e| panic!("not an ERROR: {e}"));
    assert_eq!(e.error_code, code, "{response:02x?}");
    e.error_data
}

#[test]
fn refuses_request_before_get_version() {
    let mut rsp = responder();
    assert_error(&send(&mut rsp, "12810000"), ErrorCode::UnexpectedRequest);
    assert_error(
        &send(&mut rsp, GET_CAPABILITIES_12),
        ErrorCode::UnexpectedRequest,
    );
}

#[test]
fn refuses_negotiate_algorithms_before_capabilities() {
    let mut rsp = responder();
    send(&mut rsp, GET_VERSION);
    assert_error(
        &send(&mut rsp, NEGOTIATE_ALGORITHMS_12),
        ErrorCode::UnexpectedRequest,
    );
    assert_eq!(rsp.state().name(), "AfterVersion");
}

#[test]
fn refuses_get_digests_before_algorithms() {
    let mut rsp = responder();
    send(&mut rsp, GET_VERSION);
    send(&mut rsp, GET_CAPABILITIES_12);
    assert_error(&send(&mut rsp, "12810000"), ErrorCode::UnexpectedRequest);
    assert_eq!(rsp.state().name(), "AfterCapabilities");
}

#[test]
fn refuses_repeated_capabilities_after_negotiation() {
    let mut rsp = negotiated();
    assert_error(
        &send(&mut rsp, GET_CAPABILITIES_12),
        ErrorCode::UnexpectedRequest,
    );
}

#[test]
fn refuses_unsupported_request() {
    let mut rsp = negotiated();
    // KEY_EXCHANGE (sessions are not implemented): ErrorData is the request code.
    let data = assert_error(&send(&mut rsp, "12e4000000"), ErrorCode::UnsupportedRequest);
    assert_eq!(data, 0xE4);
    // Not a request code at all.
    assert_error(&send(&mut rsp, "12550000"), ErrorCode::UnsupportedRequest);
}

#[test]
fn refuses_vendor_defined_without_handler() {
    let mut rsp = negotiated();
    let req = VendorDefinedRequest {
        version: SpdmVersion::V12,
        large: false,
        standard_id: 0.into(),
        vendor_id: &[],
        payload: b"ping",
    };
    use vtrust_wire::Encode;
    let out = rsp.handle(&req.to_vec().unwrap());
    assert_error(&out, ErrorCode::UnsupportedRequest);
}

#[test]
fn vendor_defined_goes_to_the_handler() {
    use vtrust_wire::Encode;
    let mut rsp = negotiated().with_vendor_handler(Box::new(
        |r: &VendorDefinedRequest<'_>| -> Result<Vec<u8>, ErrorCode> {
            Ok([r.payload, b"-pong"].concat())
        },
    ));
    let req = VendorDefinedRequest {
        version: SpdmVersion::V12,
        large: false,
        standard_id: 0.into(),
        vendor_id: &[],
        payload: b"ping",
    };
    let out = rsp.handle(&req.to_vec().unwrap());
    let resp = VendorDefinedResponse::decode(&out).unwrap();
    assert_eq!(resp.payload, b"ping-pong");
}

#[test]
fn refuses_version_mismatch() {
    let mut rsp = negotiated();
    // GET_DIGESTS with SPDM 1.1 after 1.2 was negotiated.
    assert_error(&send(&mut rsp, "11810000"), ErrorCode::VersionMismatch);
    // An SPDMVersion no one speaks.
    assert_error(&send(&mut rsp, "30810000"), ErrorCode::VersionMismatch);
    // GET_VERSION must be 1.0.
    assert_error(&send(&mut rsp, "12840000"), ErrorCode::VersionMismatch);
    assert_eq!(rsp.state().name(), "Negotiated");
}

#[test]
fn refuses_capabilities_version_not_offered() {
    let mut config = ResponderConfig::default();
    config.versions = vec![SpdmVersion::V12];
    let mut rsp = responder_with(config);
    send(&mut rsp, GET_VERSION);
    assert_error(
        &send(&mut rsp, "11e10000000000000000c0020000"),
        ErrorCode::VersionMismatch,
    );
}

#[test]
fn refuses_bad_slot() {
    let mut rsp = negotiated();
    // GET_CERTIFICATE slot 5 (not provisioned).
    assert_error(
        &send(&mut rsp, "12820500000000f8"),
        ErrorCode::InvalidRequest,
    );
    // CHALLENGE slot 3.
    let chal = format!("128303ff{}", "11".repeat(32));
    assert_error(&send(&mut rsp, &chal), ErrorCode::InvalidRequest);
    // Signed GET_MEASUREMENTS with SlotIDParam 2.
    let meas = format!("12e001ff{}02", "22".repeat(32));
    assert_error(&send(&mut rsp, &meas), ErrorCode::InvalidRequest);
}

#[test]
fn refuses_offset_past_end() {
    let mut rsp = negotiated();
    assert_error(
        &send(&mut rsp, "12820000ffff0010"),
        ErrorCode::InvalidRequest,
    );
}

#[test]
fn refuses_malformed_request() {
    let mut rsp = negotiated();
    // GET_DIGESTS with a trailing byte.
    assert_error(&send(&mut rsp, "1281000000"), ErrorCode::InvalidRequest);
    // CHALLENGE with a truncated nonce.
    assert_error(&send(&mut rsp, "128300ff0102"), ErrorCode::InvalidRequest);
    // A header cut short.
    assert_error(&send(&mut rsp, "12"), ErrorCode::InvalidRequest);
    // NEGOTIATE_ALGORITHMS whose Length disagrees, in AfterCapabilities.
    let mut rsp = responder();
    send(&mut rsp, GET_VERSION);
    send(&mut rsp, GET_CAPABILITIES_12);
    let mut bad = hex::decode(NEGOTIATE_ALGORITHMS_12).unwrap();
    bad[4] = 0x31;
    assert_error(&rsp.handle(&bad), ErrorCode::InvalidRequest);
    assert_eq!(rsp.state().name(), "AfterCapabilities");
}

fn get_caps(flags: RequesterCapabilityFlags, ct_exponent: u8, dts: u32, max: u32) -> Vec<u8> {
    use vtrust_wire::Encode;
    GetCapabilities {
        version: SpdmVersion::V12,
        supported_algorithms_requested: false,
        ct_exponent,
        ext_flags: ExtCapabilityFlags::empty(),
        flags,
        data_transfer_size: Some(dts),
        max_spdm_msg_size: Some(max),
    }
    .to_vec()
    .unwrap()
}

#[test]
fn refuses_bad_requester_capabilities() {
    type F = RequesterCapabilityFlags;
    let session = F::ENCRYPT_CAP | F::MAC_CAP | F::KEY_EX_CAP;
    for (what, caps) in [
        (
            "ENCRYPT|MAC without KEY_EX or PSK",
            get_caps(F::ENCRYPT_CAP | F::MAC_CAP, 0, 4608, 4608),
        ),
        (
            "KEY_EX without ENCRYPT or MAC",
            get_caps(F::KEY_EX_CAP, 0, 4608, 4608),
        ),
        (
            "PSK_CAP 10b (reserved for a requester)",
            get_caps(F::PSK_CAP_BIT1, 0, 4608, 4608),
        ),
        (
            "HANDSHAKE_IN_THE_CLEAR without KEY_EX",
            get_caps(F::HANDSHAKE_IN_THE_CLEAR_CAP, 0, 4608, 4608),
        ),
        (
            "DataTransferSize 41 < MinDataTransferSize",
            get_caps(session, 0, 41, 41),
        ),
        (
            "MaxSPDMmsgSize < DataTransferSize",
            get_caps(session | F::CHUNK_CAP, 0, 4608, 4000),
        ),
        (
            "MaxSPDMmsgSize != DataTransferSize without CHUNK_CAP",
            get_caps(session, 0, 4608, 8192),
        ),
        ("CTExponent 32", get_caps(session, 32, 4608, 4608)),
    ] {
        let mut rsp = responder();
        send(&mut rsp, GET_VERSION);
        let out = rsp.handle(&caps);
        assert_eq!(
            ErrorResponse::decode(&out).map(|e| e.error_code),
            Ok(ErrorCode::InvalidRequest),
            "{what}"
        );
        assert_eq!(rsp.state().name(), "AfterVersion");
    }
    // The same session flags with matching sizes are fine.
    let mut rsp = responder();
    send(&mut rsp, GET_VERSION);
    assert_eq!(rsp.handle(&get_caps(session, 0, 4608, 4608))[1], 0x61);
}

#[test]
fn refuses_algorithm_struct_offering_nothing() {
    let mut rsp = responder();
    send(&mut rsp, GET_VERSION);
    send(&mut rsp, GET_CAPABILITIES_12);
    let mut req = hex::decode(NEGOTIATE_ALGORITHMS_12).unwrap();
    // First AlgStructure (DHE) offers nothing.
    req[34] = 0;
    req[35] = 0;
    assert_error(&rsp.handle(&req), ErrorCode::InvalidRequest);
}

#[test]
fn refuses_request_too_large() {
    let mut rsp = negotiated();
    let mut big = vec![0x12, 0xFE, 0, 0];
    big.resize(0x1201, 0);
    assert_error(&rsp.handle(&big), ErrorCode::RequestTooLarge);
}

#[test]
fn refuses_response_too_large() {
    let mut rsp = responder();
    send(&mut rsp, GET_VERSION);
    // CHUNK_CAP, DataTransferSize 64, MaxSPDMmsgSize 0x1200.
    let caps = get_caps(RequesterCapabilityFlags::CHUNK_CAP, 0, 64, 0x1200);
    assert_eq!(rsp.handle(&caps)[1], 0x61);
    let out = send(&mut rsp, NEGOTIATE_ALGORITHMS_12);
    assert_eq!(out[1], 0x63, "{out:02x?}");
    // CHALLENGE_AUTH would be 230 bytes.
    let chal = format!("128300ff{}", "11".repeat(32));
    assert_error(&send(&mut rsp, &chal), ErrorCode::ResponseTooLarge);
    // CERTIFICATE portions shrink to fit instead.
    let out = send(&mut rsp, "12820000000000f8");
    assert_eq!(out[1], 0x02);
    assert_eq!(out.len(), 64);
}

#[test]
fn refuses_absent_measurement_index() {
    let mut rsp = negotiated();
    assert_error(&send(&mut rsp, "12e00042"), ErrorCode::InvalidRequest);
}

#[test]
fn refuses_respond_if_ready_without_not_ready() {
    let mut rsp = negotiated();
    assert_error(&send(&mut rsp, "12ff8301"), ErrorCode::UnexpectedRequest);
}

#[test]
fn not_ready_knob_defers_the_first_challenge() {
    let mut config = ResponderConfig::default();
    config.not_ready_first_challenge = true;
    let mut rsp = responder_with(config);
    for r in [GET_VERSION, GET_CAPABILITIES_12, NEGOTIATE_ALGORITHMS_12] {
        send(&mut rsp, r);
    }
    let chal = format!("128300ff{}", "11".repeat(32));
    let out = send(&mut rsp, &chal);
    let e = ErrorResponse::decode(&out).unwrap();
    assert_eq!(e.error_code, ErrorCode::ResponseNotReady);
    let ExtendedErrorData::ResponseNotReady {
        request_code,
        token,
        ..
    } = e.extended
    else {
        panic!("no extended data");
    };
    assert_eq!(request_code, RequestCode::Challenge);
    // A wrong token is InvalidRequest and keeps the request pending.
    let wrong = format!("12ff83{:02x}", token.wrapping_add(1));
    assert_error(&send(&mut rsp, &wrong), ErrorCode::InvalidRequest);
    let out = send(&mut rsp, &format!("12ff83{token:02x}"));
    assert_eq!(out[1], u8::from(ResponseCode::ChallengeAuth), "{out:02x?}");
    assert_eq!(out.len(), 230);
    // Only once.
    assert_error(
        &send(&mut rsp, &format!("12ff83{token:02x}")),
        ErrorCode::UnexpectedRequest,
    );
    let out = send(&mut rsp, &chal);
    assert_eq!(out[1], 0x03);
}

#[test]
fn get_version_restarts_the_connection() {
    let mut rsp = negotiated();
    let out = send(&mut rsp, GET_VERSION);
    assert_eq!(hex::encode(out), "10040000000500100011001200130014");
    assert_eq!(rsp.state().name(), "AfterVersion");
    assert_error(&send(&mut rsp, "12810000"), ErrorCode::UnexpectedRequest);
}
