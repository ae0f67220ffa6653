//! Byte vectors built by hand from the message tables of DSP0274 (and the structure layouts of
//! DMTF libspdm's `spdm.h`, which encodes the same tables), for the layouts the captures do
//! not exercise: SPDM 1.0 and 1.1, and the 1.3 / 1.4 options libspdm's emulator leaves off.
//! Each vector is decoded to the expected value and that value encoded back to the vector.

use vtrust_spdm::codec::{
    AlgStructure, AlgType, Algorithms, BaseAsymAlgo, BaseHashAlgo, Capabilities, CertModel,
    Certificate, Challenge, ChallengeAuth, ContentChanged, DecodeContext, Digests, DmtfMeasurement,
    DmtfMeasurementType, ErrorCode, ErrorResponse, ExtCapabilityFlags, ExtendedAlgorithm,
    ExtendedErrorData, GetCapabilities, GetCertificate, GetMeasurements, KeyUsageMask, MeasCap,
    Measurement, MeasurementAttributes, MeasurementBlock, MeasurementHashAlgo,
    MeasurementOperation, MeasurementSpecification, MeasurementSummaryHashType, Measurements,
    MelSpecification, NegotiateAlgorithms, OtherParams, PqcAsymAlgo, PskCap, RegistryId, Request,
    RequestCode, RequesterCapabilityFlags, RespondIfReady, ResponderCapabilityFlags, Response,
    SlotKeyInfo, SlotMask, SpdmVersion, StandardId, SupportedAlgorithms, VendorDefinedRequest,
    VendorDefinedResponse,
};
use vtrust_wire::Encode;

fn h(s: &str) -> Vec<u8> {
    hex::decode(s.replace([' ', '\n'], "")).unwrap()
}

/// Asserts `bytes` decodes (as a request) to `expected` and `expected` encodes to `bytes`.
fn request_vector(bytes: &[u8], expected: Request<'_>) {
    assert_eq!(Request::decode(bytes), Ok(expected.clone()));
    assert_eq!(expected.to_vec().unwrap(), bytes);
}

fn response_vector(bytes: &[u8], ctx: &DecodeContext, expected: Response<'_>) {
    assert_eq!(Response::decode(bytes, ctx), Ok(expected.clone()));
    assert_eq!(expected.to_vec().unwrap(), bytes);
}

#[test]
fn get_capabilities_1_0_is_the_header_alone() {
    // DSP0274 1.0 GET_CAPABILITIES: SPDMVersion, RequestResponseCode, Param1, Param2 only.
    let bytes = h("10 e1 00 00");
    request_vector(
        &bytes,
        Request::GetCapabilities(GetCapabilities {
            version: SpdmVersion::V10,
            supported_algorithms_requested: false,
            ct_exponent: 0,
            ext_flags: ExtCapabilityFlags::empty(),
            flags: RequesterCapabilityFlags::empty(),
            data_transfer_size: None,
            max_spdm_msg_size: None,
        }),
    );
}

#[test]
fn capabilities_1_0_has_ct_exponent_and_flags() {
    // DSP0274 1.0 CAPABILITIES: header, Reserved (1), CTExponent (1), Reserved (2), Flags (4):
    // 12 bytes. CTExponent 12; CERT_CAP | CHAL_CAP | MEAS_CAP=10b | MEAS_FRESH_CAP.
    let bytes = h("10 61 00 00  00 0c 00 00  36 00 00 00");
    let caps = Capabilities {
        version: SpdmVersion::V10,
        ct_exponent: 12,
        ext_flags: ExtCapabilityFlags::empty(),
        flags: ResponderCapabilityFlags::CERT_CAP
            | ResponderCapabilityFlags::CHAL_CAP
            | ResponderCapabilityFlags::MEAS_CAP_SIG
            | ResponderCapabilityFlags::MEAS_FRESH_CAP,
        data_transfer_size: None,
        max_spdm_msg_size: None,
        supported_algorithms: None,
    };
    assert_eq!(caps.flags.meas_cap(), MeasCap::Signature);
    response_vector(
        &bytes,
        &DecodeContext::default(),
        Response::Capabilities(caps),
    );
}

#[test]
fn get_capabilities_1_1_adds_ct_exponent_and_flags() {
    // DSP0274 1.1 GET_CAPABILITIES: header, Reserved, CTExponent, Reserved (2), Flags (4).
    // Flags: CERT, CHAL, ENCRYPT, MAC, MUT_AUTH, KEY_EX, PSK_CAP=01b, ENCAP, HBEAT, KEY_UPD.
    let bytes = h("11 e1 00 00  00 0a 00 00  c6 77 00 00");
    let flags = RequesterCapabilityFlags::from_bits_retain(0x77c6);
    assert_eq!(flags.psk_cap(), PskCap::Supported);
    request_vector(
        &bytes,
        Request::GetCapabilities(GetCapabilities {
            version: SpdmVersion::V11,
            supported_algorithms_requested: false,
            ct_exponent: 10,
            ext_flags: ExtCapabilityFlags::empty(),
            flags,
            data_transfer_size: None,
            max_spdm_msg_size: None,
        }),
    );
}

#[test]
fn capabilities_1_1_reserved_bytes_are_ignored_then_written_as_zero() {
    // DSP0274 1.1 §2: reserved fields "shall be written as zero and ignored when read".
    // Reserved byte 4 and the 16 bits before Flags (ExtFlags only from 1.4) set here.
    let bytes = h("11 61 00 00  ff 00 01 00  02 00 00 00");
    let Response::Capabilities(caps) = Response::decode(&bytes, &DecodeContext::default()).unwrap()
    else {
        panic!()
    };
    assert!(caps.ext_flags.is_empty());
    assert_eq!(
        caps.to_vec().unwrap(),
        h("11 61 00 00  00 00 00 00  02 00 00 00")
    );
}

#[test]
fn get_capabilities_1_4_has_ext_flags() {
    // DSP0274 1.4 GET_CAPABILITIES: the 16 bits before Flags are ExtFlags (bit 0
    // SLOT_MGMT_CAP); DataTransferSize 0x1200, MaxSPDMmsgSize 0x8000; CHUNK_CAP.
    let bytes = h("14 e1 00 00  00 00 01 00  00 00 02 00  00 12 00 00  00 80 00 00");
    request_vector(
        &bytes,
        Request::GetCapabilities(GetCapabilities {
            version: SpdmVersion::V14,
            supported_algorithms_requested: false,
            ct_exponent: 0,
            ext_flags: ExtCapabilityFlags::SLOT_MGMT_CAP,
            flags: RequesterCapabilityFlags::CHUNK_CAP,
            data_transfer_size: Some(0x1200),
            max_spdm_msg_size: Some(0x8000),
        }),
    );
}

#[test]
fn capabilities_1_3_carries_supported_algorithms_block() {
    // DSP0274 1.3: GET_CAPABILITIES Param1 bit 0 asks for the supported algorithms; the
    // CAPABILITIES (Param1 bit 0) appends them: Param1 AlgStructCount, Param2, Length (from
    // Param1 of the block: 30 fixed bytes + 4 per structure), then the NEGOTIATE_ALGORITHMS
    // fields. Here: DMTF, OpaqueDataFmt1, ECDSA P-384, SHA-384, MEL DMTF, DHE secp384r1.
    let request = h("13 e1 01 00  00 00 00 00  00 00 02 00  00 12 00 00  00 12 00 00");
    let Request::GetCapabilities(get) = Request::decode(&request).unwrap() else {
        panic!()
    };
    assert!(get.supported_algorithms_requested);
    assert_eq!(get.to_vec().unwrap(), request);

    let bytes = h(
        "13 61 01 00  00 00 00 00  00 00 02 00  00 12 00 00  00 12 00 00
         01 00 22 00  01 02  80 00 00 00  02 00 00 00  00 00 00 00
         00 00 00 00 00 00 00 00  00 00 00 01  02 20 10 00",
    );
    let block = SupportedAlgorithms {
        measurement_specification: MeasurementSpecification::DMTF,
        other_params_support: OtherParams::OPAQUE_DATA_FMT1,
        base_asym_algo: BaseAsymAlgo::TPM_ALG_ECDSA_ECC_NIST_P384,
        base_hash_algo: BaseHashAlgo::TPM_ALG_SHA_384,
        pqc_asym_algo: PqcAsymAlgo::empty(),
        mel_specification: MelSpecification::DMTF,
        ext_asym: vec![],
        ext_hash: vec![],
        alg_structs: vec![AlgStructure {
            alg_type: AlgType::Dhe,
            alg_supported: 0x0010,
            alg_external: vec![],
        }],
    };
    response_vector(
        &bytes,
        &DecodeContext::default(),
        Response::Capabilities(Capabilities {
            version: SpdmVersion::V13,
            ct_exponent: 0,
            ext_flags: ExtCapabilityFlags::empty(),
            flags: ResponderCapabilityFlags::CHUNK_CAP,
            data_transfer_size: Some(0x1200),
            max_spdm_msg_size: Some(0x1200),
            supported_algorithms: Some(block),
        }),
    );
}

#[test]
fn negotiate_algorithms_1_0_has_no_structures() {
    // DSP0274 1.0 NEGOTIATE_ALGORITHMS: Param1/Param2 reserved, Length (2), MeasurementSpec
    // (1), Reserved (1), BaseAsymAlgo (4), BaseHashAlgo (4), Reserved (12), ExtAsymCount,
    // ExtHashCount, Reserved (2), ExtAsym (4 each), ExtHash. One ExtAsym: TCG algorithm 0x0017.
    let bytes = h("10 e3 00 00  24 00  01 00  90 00 00 00  03 00 00 00
         00 00 00 00 00 00 00 00 00 00 00 00  01 00 00 00
         01 00 17 00");
    request_vector(
        &bytes,
        Request::NegotiateAlgorithms(NegotiateAlgorithms {
            version: SpdmVersion::V10,
            supported: SupportedAlgorithms {
                measurement_specification: MeasurementSpecification::DMTF,
                other_params_support: OtherParams::empty(),
                base_asym_algo: BaseAsymAlgo::TPM_ALG_ECDSA_ECC_NIST_P256
                    | BaseAsymAlgo::TPM_ALG_ECDSA_ECC_NIST_P384,
                base_hash_algo: BaseHashAlgo::TPM_ALG_SHA_256 | BaseHashAlgo::TPM_ALG_SHA_384,
                pqc_asym_algo: PqcAsymAlgo::empty(),
                mel_specification: MelSpecification::empty(),
                ext_asym: vec![ExtendedAlgorithm {
                    registry_id: RegistryId::Tcg,
                    algorithm_id: 0x0017,
                }],
                ext_hash: vec![],
                alg_structs: vec![],
            },
        }),
    );
}

#[test]
fn algorithms_1_0_is_36_bytes() {
    // DSP0274 1.0 ALGORITHMS: Length, MeasurementSpecificationSel, Reserved,
    // MeasurementHashAlgo (4), BaseAsymSel (4), BaseHashSel (4), Reserved (12),
    // ExtAsymSelCount, ExtHashSelCount, Reserved (2).
    let bytes = h(
        "10 63 00 00  24 00  01 00  04 00 00 00  80 00 00 00  02 00 00 00
         00 00 00 00 00 00 00 00 00 00 00 00  00 00 00 00",
    );
    response_vector(
        &bytes,
        &DecodeContext::default(),
        Response::Algorithms(Algorithms {
            version: SpdmVersion::V10,
            measurement_specification_sel: MeasurementSpecification::DMTF,
            other_params_selection: OtherParams::empty(),
            measurement_hash_algo: MeasurementHashAlgo::TPM_ALG_SHA_384,
            base_asym_sel: BaseAsymAlgo::TPM_ALG_ECDSA_ECC_NIST_P384,
            base_hash_sel: BaseHashAlgo::TPM_ALG_SHA_384,
            pqc_asym_sel: PqcAsymAlgo::empty(),
            mel_specification_sel: MelSpecification::empty(),
            ext_asym_sel: vec![],
            ext_hash_sel: vec![],
            alg_structs: vec![],
        }),
    );
}

#[test]
fn algorithms_1_1_structures_with_an_external_algorithm() {
    // DSP0274 1.1 ALGORITHMS with RespAlgStruct: Param1 = 2 structures. AlgCount: bits 7:4
    // FixedAlgCount = 2, bits 3:0 ExtAlgCount; AlgExternal entries are 4 bytes. The 1.2 bits
    // of OtherParamsSelection (byte 7) are reserved in 1.1.
    let bytes = h(
        "11 63 02 00  30 00  01 00  02 00 00 00  10 00 00 00  01 00 00 00
         00 00 00 00 00 00 00 00 00 00 00 00  00 00 00 00
         02 20 08 00  03 21 00 00  01 00 44 00",
    );
    response_vector(
        &bytes,
        &DecodeContext::default(),
        Response::Algorithms(Algorithms {
            version: SpdmVersion::V11,
            measurement_specification_sel: MeasurementSpecification::DMTF,
            other_params_selection: OtherParams::empty(),
            measurement_hash_algo: MeasurementHashAlgo::TPM_ALG_SHA_256,
            base_asym_sel: BaseAsymAlgo::TPM_ALG_ECDSA_ECC_NIST_P256,
            base_hash_sel: BaseHashAlgo::TPM_ALG_SHA_256,
            pqc_asym_sel: PqcAsymAlgo::empty(),
            mel_specification_sel: MelSpecification::empty(),
            ext_asym_sel: vec![],
            ext_hash_sel: vec![],
            alg_structs: vec![
                AlgStructure {
                    alg_type: AlgType::Dhe,
                    alg_supported: 0x0008,
                    alg_external: vec![],
                },
                AlgStructure {
                    alg_type: AlgType::AeadCipherSuite,
                    alg_supported: 0,
                    alg_external: vec![ExtendedAlgorithm {
                        registry_id: RegistryId::Tcg,
                        algorithm_id: 0x0044,
                    }],
                },
            ],
        }),
    );
}

#[test]
fn get_measurements_1_0_signed_has_no_slot_id_param() {
    // DSP0274 1.0 GET_MEASUREMENTS: Param1 bit 0 signature requested, Param2 operation; Nonce
    // (32) present only when signed; SlotIDParam arrives in 1.1.
    let nonce = [0x5A; 32];
    let mut bytes = h("10 e0 01 01");
    bytes.extend(nonce);
    request_vector(
        &bytes,
        Request::GetMeasurements(GetMeasurements {
            version: SpdmVersion::V10,
            attributes: MeasurementAttributes::SIGNATURE_REQUESTED,
            operation: MeasurementOperation(1),
            nonce: Some(nonce),
            slot_id: None,
            requester_context: None,
        }),
    );
    // Unsigned: the header alone; count operation.
    request_vector(
        &h("10 e0 00 00"),
        Request::GetMeasurements(GetMeasurements {
            version: SpdmVersion::V10,
            attributes: MeasurementAttributes::empty(),
            operation: MeasurementOperation::TOTAL_NUMBER_OF_MEASUREMENTS,
            nonce: None,
            slot_id: None,
            requester_context: None,
        }),
    );
}

#[test]
fn get_measurements_1_1_signed_has_slot_id_param() {
    // DSP0274 1.1: SlotIDParam (bits 3:0 slot) follows the nonce when signed. Param1 bit 1
    // (raw bit stream, 1.2) is reserved in 1.1: ignored on read.
    let nonce = [0x11; 32];
    let mut bytes = h("11 e0 03 ff");
    bytes.extend(nonce);
    bytes.push(0x03);
    let expected = GetMeasurements {
        version: SpdmVersion::V11,
        attributes: MeasurementAttributes::SIGNATURE_REQUESTED,
        operation: MeasurementOperation::ALL_MEASUREMENTS,
        nonce: Some(nonce),
        slot_id: Some(3),
        requester_context: None,
    };
    assert_eq!(
        Request::decode(&bytes),
        Ok(Request::GetMeasurements(expected))
    );
    bytes[2] = 0x01;
    assert_eq!(expected.to_vec().unwrap(), bytes);
}

#[test]
fn measurements_1_1_unsigned_one_digest_block() {
    // DSP0274 1.1 MEASUREMENTS: Param1 reserved (kept), Param2 bits 3:0 slot, NumberOfBlocks,
    // MeasurementRecordLength (3), record, Nonce (32), OpaqueLength (2), OpaqueData, no
    // signature. Block: Index 1, MeasurementSpecification DMTF, MeasurementSize 35,
    // DMTFSpecMeasurementValueType 0 (immutable ROM digest), ValueSize 32, SHA-256 digest.
    let digest = [0xD1; 32];
    let nonce = [0x4E; 32];
    let mut bytes = h("11 60 00 00  01 27 00 00  01 01 23 00  00 20 00");
    bytes.extend(digest);
    bytes.extend(nonce);
    bytes.extend(h("02 00 ab cd"));
    response_vector(
        &bytes,
        &DecodeContext::new(32, 64, 32),
        Response::Measurements(Measurements {
            version: SpdmVersion::V11,
            total_measurement_indices: 0,
            slot_id: 0,
            content_changed: ContentChanged::NotSupported,
            blocks: vec![MeasurementBlock {
                index: 1,
                measurement_specification: MeasurementSpecification::DMTF,
                measurement: Measurement::Dmtf(DmtfMeasurement {
                    raw_bit_stream: false,
                    value_type: DmtfMeasurementType::ImmutableRom,
                    value: &digest,
                }),
            }],
            nonce,
            opaque_data: &[0xab, 0xcd],
            requester_context: None,
            signature: None,
        }),
    );
}

#[test]
fn measurements_count_only_has_an_empty_record() {
    // Operation 0: Param1 TotalNumberOfMeasurementIndices (here 7), no blocks.
    let nonce = [0x22; 32];
    let mut bytes = h("12 60 07 00  00 00 00 00");
    bytes.extend(nonce);
    bytes.extend(h("00 00"));
    let Response::Measurements(m) =
        Response::decode(&bytes, &DecodeContext::new(48, 96, 48)).unwrap()
    else {
        panic!()
    };
    assert_eq!((m.total_measurement_indices, m.blocks.len()), (7, 0));
    assert_eq!(m.signature_offset(), bytes.len());
    assert_eq!(m.to_vec().unwrap(), bytes);
}

#[test]
fn challenge_1_0_and_challenge_auth_without_summary_hash() {
    // DSP0274 1.0 CHALLENGE: Param1 SlotID, Param2 MeasurementSummaryHashType, Nonce.
    let nonce = [0x01; 32];
    let mut bytes = h("10 83 02 00");
    bytes.extend(nonce);
    request_vector(
        &bytes,
        Request::Challenge(Challenge {
            version: SpdmVersion::V10,
            slot_id: 2,
            measurement_summary_hash_type: MeasurementSummaryHashType::NoMeasurementSummaryHash,
            nonce,
            requester_context: None,
        }),
    );
    // CHALLENGE_AUTH: Param1 slot (bits 3:0), Param2 SlotMask, CertChainHash (H), Nonce,
    // MeasurementSummaryHash absent (Param2 of CHALLENGE was 0), OpaqueLength, Signature (S).
    let hash = [0xC0; 32];
    let rsp_nonce = [0x02; 32];
    let signature = [0x5E; 64];
    let mut bytes = h("10 03 02 04");
    bytes.extend(hash);
    bytes.extend(rsp_nonce);
    bytes.extend(h("00 00"));
    bytes.extend(signature);
    let expected = ChallengeAuth {
        version: SpdmVersion::V10,
        slot_id: 2,
        basic_mut_auth_req: false,
        slot_mask: SlotMask(0x04),
        cert_chain_hash: &hash,
        nonce: rsp_nonce,
        measurement_summary_hash: None,
        opaque_data: &[],
        requester_context: None,
        signature: &signature,
    };
    assert_eq!(expected.signature_offset(), 4 + 32 + 32 + 2);
    response_vector(
        &bytes,
        &DecodeContext::new(32, 64, 32),
        Response::ChallengeAuth(expected),
    );
}

#[test]
fn challenge_auth_1_1_basic_mut_auth_req() {
    // DSP0274 1.1 CHALLENGE_AUTH Param1 bit 7: BasicMutAuthReq; bits 3:0 SlotID. TCB summary.
    let hash = [0xA5; 48];
    let mut bytes = h("11 03 81 02");
    bytes.extend(hash);
    bytes.extend([0x33; 32]);
    bytes.extend([0x44; 48]);
    bytes.extend(h("00 00"));
    bytes.extend([0x77; 96]);
    let ctx = DecodeContext::new(48, 96, 48).with_measurement_summary_hash(true);
    let Response::ChallengeAuth(c) = Response::decode(&bytes, &ctx).unwrap() else {
        panic!()
    };
    assert!(c.basic_mut_auth_req);
    assert_eq!((c.slot_id, c.slot_mask), (1, SlotMask(0x02)));
    assert_eq!(c.measurement_summary_hash, Some(&[0x44; 48][..]));
    assert_eq!(c.signature_offset(), 4 + 48 + 32 + 48 + 2);
    assert_eq!(c.to_vec().unwrap(), bytes);
}

#[test]
fn error_response_not_ready_and_respond_if_ready() {
    // DSP0274 1.0 ERROR ResponseNotReady: ExtendedErrorData RDTExponent, RequestCode, Token,
    // RDTM. RESPOND_IF_READY: Param1 the original request code, Param2 the token.
    let bytes = h("10 7f 42 00  0a e0 05 02");
    response_vector(
        &bytes,
        &DecodeContext::default(),
        Response::Error(ErrorResponse {
            version: SpdmVersion::V10,
            error_code: ErrorCode::ResponseNotReady,
            error_data: 0,
            extended: ExtendedErrorData::ResponseNotReady {
                rdt_exponent: 10,
                request_code: RequestCode::GetMeasurements,
                token: 5,
                rdtm: 2,
            },
        }),
    );
    request_vector(
        &h("10 ff e0 05"),
        Request::RespondIfReady(RespondIfReady {
            version: SpdmVersion::V10,
            request_code: RequestCode::GetMeasurements,
            token: 5,
        }),
    );
    // UnsupportedRequest: ErrorData is the request code, no extended data.
    response_vector(
        &h("11 7f 07 e4"),
        &DecodeContext::default(),
        Response::Error(ErrorResponse {
            version: SpdmVersion::V11,
            error_code: ErrorCode::UnsupportedRequest,
            error_data: 0xE4,
            extended: ExtendedErrorData::Opaque(&[]),
        }),
    );
}

#[test]
fn error_large_response_before_1_2_is_opaque() {
    // ErrorCode 0x0F is LargeResponse only from 1.2 on; in 1.1 its data stays opaque.
    let v11 = h("11 7f 0f 00 01");
    let Response::Error(e) = Response::decode(&v11, &DecodeContext::default()).unwrap() else {
        panic!()
    };
    assert_eq!(e.extended, ExtendedErrorData::Opaque(&[0x01]));
    let v12 = h("12 7f 0f 00 01");
    let Response::Error(e) = Response::decode(&v12, &DecodeContext::default()).unwrap() else {
        panic!()
    };
    assert_eq!(e.extended, ExtendedErrorData::LargeResponse { handle: 1 });
}

#[test]
fn vendor_defined_1_0_and_1_4_large() {
    // DSP0274 1.0 VENDOR_DEFINED_REQUEST: StandardID (2), Len (1), VendorID (Len), ReqLength
    // (2), payload. PCI-SIG, vendor 0x8086.
    let bytes = h("10 fe 00 00  03 00  02  86 80  03 00  aa bb cc");
    request_vector(
        &bytes,
        Request::VendorDefinedRequest(VendorDefinedRequest {
            version: SpdmVersion::V10,
            large: false,
            standard_id: StandardId::PciSig,
            vendor_id: &[0x86, 0x80],
            payload: &[0xaa, 0xbb, 0xcc],
        }),
    );
    // DSP0274 1.4 LargeResp (Param1 bit 7): RespLength 0, then LargeRespLength (4).
    let bytes = h("14 7e 80 00  03 00  02  86 80  00 00  03 00 00 00  aa bb cc");
    response_vector(
        &bytes,
        &DecodeContext::default(),
        Response::VendorDefinedResponse(VendorDefinedResponse {
            version: SpdmVersion::V14,
            large: true,
            standard_id: StandardId::PciSig,
            vendor_id: &[0x86, 0x80],
            payload: &[0xaa, 0xbb, 0xcc],
        }),
    );
    // Before 1.4 Param1 bit 7 is reserved: the 16-bit length applies.
    let v13 = h("13 fe 80 00  03 00  00  01 00  aa");
    let Request::VendorDefinedRequest(v) = Request::decode(&v13).unwrap() else {
        panic!()
    };
    assert!(!v.large);
    assert_eq!(v.payload, [0xaa]);
}

#[test]
fn certificate_1_4_large_cert_chain() {
    // libspdm spdm.h spdm_get_certificate_large_request_t: Param1 bit 7 LargeCertChain, Offset
    // and Length (u16, zero), LargeOffset (u32), LargeLength (u32).
    let bytes = h("14 82 81 00  00 00 00 00  00 00 01 00  00 10 00 00");
    request_vector(
        &bytes,
        Request::GetCertificate(GetCertificate {
            version: SpdmVersion::V14,
            slot_id: 1,
            large_cert_chain: true,
            slot_size_requested: false,
            offset: 0x1_0000,
            length: 0x1000,
        }),
    );
    // spdm_certificate_large_response_t: PortionLength, RemainderLength (u16, zero),
    // LargePortionLength (u32), LargeRemainderLength (u32), CertChain.
    let bytes = h("14 02 81 00  00 00 00 00  03 00 00 00  00 00 02 00  30 82 01");
    response_vector(
        &bytes,
        &DecodeContext::default(),
        Response::Certificate(Certificate {
            version: SpdmVersion::V14,
            slot_id: 1,
            large_cert_chain: true,
            cert_model: CertModel::NoCertificate,
            remainder_length: 0x2_0000,
            cert_chain: &[0x30, 0x82, 0x01],
        }),
    );
}

#[test]
fn certificate_1_3_slot_size_and_certificate_info() {
    // DSP0274 1.3: GET_CERTIFICATE Param2 bit 0 SlotSizeRequested; CERTIFICATE Param2
    // CertificateInfo bits 2:0 (here AliasCert) with an empty portion.
    let bytes = h("13 82 02 01  00 00 00 00");
    request_vector(
        &bytes,
        Request::GetCertificate(GetCertificate {
            version: SpdmVersion::V13,
            slot_id: 2,
            large_cert_chain: false,
            slot_size_requested: true,
            offset: 0,
            length: 0,
        }),
    );
    response_vector(
        &h("13 02 02 02  00 00 00 10"),
        &DecodeContext::default(),
        Response::Certificate(Certificate {
            version: SpdmVersion::V13,
            slot_id: 2,
            large_cert_chain: false,
            cert_model: CertModel::AliasCert,
            remainder_length: 0x1000,
            cert_chain: &[],
        }),
    );
}

#[test]
fn digests_1_3_multi_key() {
    // DSP0274 1.3 DIGESTS with MULTI_KEY_CONN_RSP: Param1 SupportedSlotMask, Param2
    // ProvisionedSlotMask; the digests, then KeyPairID[n], CertificateInfo[n],
    // KeyUsageMask[n] (u16). Slots 0 and 2 provisioned, SHA-256.
    let (d0, d2) = ([0x10; 32], [0x12; 32]);
    let mut bytes = h("13 01 07 05");
    bytes.extend(d0);
    bytes.extend(d2);
    bytes.extend(h("01 02  01 02  03 00 04 00"));
    let ctx = DecodeContext::new(32, 64, 32).with_multi_key(true);
    response_vector(
        &bytes,
        &ctx,
        Response::Digests(Digests {
            version: SpdmVersion::V13,
            supported_slot_mask: SlotMask(0x07),
            provisioned_slot_mask: SlotMask(0x05),
            digests: vec![&d0, &d2],
            multi_key: Some(vec![
                SlotKeyInfo {
                    key_pair_id: 1,
                    cert_model: CertModel::DeviceCert,
                    key_usage_mask: KeyUsageMask::KEY_EX_USE | KeyUsageMask::CHALLENGE_USE,
                },
                SlotKeyInfo {
                    key_pair_id: 2,
                    cert_model: CertModel::AliasCert,
                    key_usage_mask: KeyUsageMask::MEASUREMENT_USE,
                },
            ]),
        }),
    );
    // Without multi-key the same connection version has no arrays.
    assert!(Response::decode(&bytes, &DecodeContext::new(32, 64, 32)).is_err());
    assert_eq!(SlotMask(0x05).slots().collect::<Vec<_>>(), [0, 2]);
}

#[test]
fn raw_bit_stream_and_other_measurement_specification() {
    // DMTFSpecMeasurementValueType bit 7: raw bit stream (any size, also with a
    // RAW_BIT_STREAM_ONLY measurement hash: size 0); a block whose MeasurementSpecification
    // is not DMTF is opaque.
    let nonce = [0; 32];
    let mut bytes = h("12 60 00 00  02 0f 00 00  05 01 05 00 86 02 00 01 02  06 02 02 00 ab cd");
    bytes.extend(nonce);
    bytes.extend(h("00 00"));
    let ctx = DecodeContext::new(48, 96, 0);
    let Response::Measurements(m) = Response::decode(&bytes, &ctx).unwrap() else {
        panic!()
    };
    assert_eq!(
        m.blocks[0].measurement,
        Measurement::Dmtf(DmtfMeasurement {
            raw_bit_stream: true,
            value_type: DmtfMeasurementType::MutableFirmwareVersion,
            value: &[1, 2],
        })
    );
    assert_eq!(m.blocks[1].measurement, Measurement::Other(&[0xab, 0xcd]));
    assert_eq!(m.to_vec().unwrap(), bytes);
}
