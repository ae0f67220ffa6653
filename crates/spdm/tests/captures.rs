//! Every plain SPDM frame of the four libspdm captures (`shared/spdm/transcripts`, an
//! independent implementation) decoded and re-encoded byte for byte, with the header and
//! length of each checked against its capture note, and selected fields checked against the
//! notes and the transcripts README.

mod common;

use common::{CAPTURES, Frame, Transport};
use vtrust_spdm::codec::{
    AeadCipherSuite, AlgStructures, AlgType, BaseAsymAlgo, BaseHashAlgo, CertModel, ContentChanged,
    DecodeContext, DheNamedGroup, DmtfMeasurementType, ErrorCode, ExtendedErrorData, KemAlg,
    KeySchedule, Measurement, MeasurementAttributes, MeasurementHashAlgo, MeasurementOperation,
    MeasurementSpecification, MeasurementSummaryHashType, MelSpecification, OtherParams,
    PqcAsymAlgo, Request, RequesterCapabilityFlags, ResponderCapabilityFlags, Response,
    SpdmVersion,
};
use vtrust_wire::Encode;

/// Sizes of the negotiated algorithms of each capture (from its `# negotiated:` header).
fn sizes(file: &str) -> DecodeContext {
    match file {
        "doe_1.3_p256.txt" => DecodeContext::new(32, 64, 32),
        "mctp_1.4_mldsa65.txt" => DecodeContext::new(48, 3309, 48),
        _ => DecodeContext::new(48, 96, 48),
    }
}

/// One decoded SPDM frame.
enum Decoded<'a> {
    Request(Request<'a>),
    Response(Response<'a>),
}

/// Decodes every plain SPDM frame of `file` the way a requester and a responder would:
/// the context of each response follows from the request before it. Checks every frame
/// against its note and its re-encoding against the capture, and hands each to `check`.
fn walk(
    file: &str,
    transport: Transport,
    mut check: impl FnMut(&Frame, &Decoded<'_>, usize),
) -> usize {
    let frames = common::read(file);
    let mut ctx = sizes(file);
    let mut decoded = 0;
    for frame in &frames {
        let Some(data) = frame.spdm(transport) else {
            continue;
        };
        let (note_len, note_pad) = frame.spdm_len();
        let (message, len) = if frame.to_responder {
            let (request, len) = Request::decode_with_padding(data, 3)
                .unwrap_or_else(|e| panic!("{file} [{}] {}: {e}", frame.number, frame.name));
            match &request {
                Request::Challenge(c) => {
                    ctx.measurement_summary_hash = c.measurement_summary_hash_type
                        != MeasurementSummaryHashType::NoMeasurementSummaryHash;
                }
                Request::GetMeasurements(g) => ctx.signature_requested = g.signature_requested(),
                _ => {}
            }
            (Decoded::Request(request), len)
        } else {
            let (response, len) = Response::decode_with_padding(data, 3, &ctx)
                .unwrap_or_else(|e| panic!("{file} [{}] {}: {e}", frame.number, frame.name));
            (Decoded::Response(response), len)
        };
        let n = frame.number;
        assert_eq!(
            (len, data.len() - len),
            (note_len, note_pad),
            "{file} [{n}] length"
        );
        let message_bytes = &data[..len];
        assert_eq!(
            message_bytes[0],
            frame.spdm_version(),
            "{file} [{n}] version"
        );
        assert_eq!(message_bytes[1], frame.code(), "{file} [{n}] code");
        assert_eq!(
            u64::from(message_bytes[2]),
            frame.number("param1").unwrap(),
            "[{n}]"
        );
        assert_eq!(
            u64::from(message_bytes[3]),
            frame.number("param2").unwrap(),
            "[{n}]"
        );
        let reencoded = match &message {
            Decoded::Request(m) => {
                assert_eq!(
                    Request::decode(message_bytes).as_ref(),
                    Ok(m),
                    "[{n}] strict"
                );
                m.to_vec()
            }
            Decoded::Response(m) => {
                assert_eq!(
                    Response::decode(message_bytes, &ctx).as_ref(),
                    Ok(m),
                    "[{n}] strict"
                );
                m.to_vec()
            }
        }
        .unwrap_or_else(|e| panic!("{file} [{n}] re-encode: {e}"));
        assert_eq!(
            hex::encode(&reencoded),
            hex::encode(message_bytes),
            "{file} [{n}] {}",
            frame.name
        );
        check(frame, &message, len);
        decoded += 1;
    }
    decoded
}

#[test]
fn every_plain_spdm_frame_round_trips_byte_for_byte() {
    // Plain SPDM frames per capture: all but DOE discovery (6 of 28) and secured messages
    // (12 of 38 in the session capture, 8 of 66 in the 1.4 capture).
    let expected = [22, 22, 26, 58];
    for ((file, transport), expected) in CAPTURES.into_iter().zip(expected) {
        assert_eq!(walk(file, transport, |_, _, _| {}), expected, "{file}");
    }
}

fn by_number(
    file: &str,
    transport: Transport,
    wanted: &[usize],
    mut f: impl FnMut(usize, &Decoded<'_>, usize, &Frame),
) {
    let mut seen = Vec::new();
    walk(file, transport, |frame, message, len| {
        if wanted.contains(&frame.number) {
            seen.push(frame.number);
            f(frame.number, message, len, frame);
        }
    });
    assert_eq!(seen, wanted, "{file}: frames checked");
}

fn request<'a>(m: &'a Decoded<'_>) -> &'a Request<'a> {
    match m {
        Decoded::Request(r) => r,
        Decoded::Response(_) => panic!("not a request"),
    }
}

fn response<'a>(m: &'a Decoded<'_>) -> &'a Response<'a> {
    match m {
        Decoded::Response(r) => r,
        Decoded::Request(_) => panic!("not a response"),
    }
}

#[test]
fn mctp_1_2_p384_fields_match_the_notes() {
    let mut chain_hash_slot0 = Vec::new();
    by_number(
        "mctp_1.2_p384.txt",
        Transport::Mctp,
        &[2, 3, 4, 5, 6, 8, 10, 12, 13, 14, 21, 22],
        |n, m, len, frame| match n {
            2 => {
                let Response::Version(v) = response(m) else {
                    panic!()
                };
                let versions: Vec<_> = v.entries.iter().map(|e| e.spdm_version()).collect();
                assert_eq!(versions, [SpdmVersion::V12]);
                assert_eq!((v.entries[0].update(), v.entries[0].alpha()), (0, 0));
            }
            3 => {
                let Request::GetCapabilities(c) = request(m) else {
                    panic!()
                };
                assert_eq!(c.flags.bits(), 0x2c0);
                assert_eq!(
                    c.flags,
                    RequesterCapabilityFlags::ENCRYPT_CAP
                        | RequesterCapabilityFlags::MAC_CAP
                        | RequesterCapabilityFlags::KEY_EX_CAP
                );
                assert_eq!(
                    (c.data_transfer_size, c.max_spdm_msg_size),
                    (Some(4608), Some(4608))
                );
                assert_eq!(c.ct_exponent, 0);
            }
            4 => {
                let Response::Capabilities(c) = response(m) else {
                    panic!()
                };
                assert_eq!(c.flags.bits(), 0x2d6);
                assert_eq!(c.flags.meas_cap(), vtrust_spdm::codec::MeasCap::Signature);
                assert!(c.flags.contains(
                    ResponderCapabilityFlags::CERT_CAP | ResponderCapabilityFlags::CHAL_CAP
                ));
                assert_eq!(c.supported_algorithms, None);
            }
            5 => {
                let Request::NegotiateAlgorithms(a) = request(m) else {
                    panic!()
                };
                let s = &a.supported;
                assert_eq!(s.base_asym_algo, BaseAsymAlgo::TPM_ALG_ECDSA_ECC_NIST_P384);
                assert_eq!(s.base_hash_algo, BaseHashAlgo::TPM_ALG_SHA_384);
                assert_eq!(s.other_params_support, OtherParams::OPAQUE_DATA_FMT1);
                assert_eq!(
                    s.alg_structs.req_base_asym_alg(),
                    Some(
                        BaseAsymAlgo::TPM_ALG_RSASSA_2048
                            | BaseAsymAlgo::TPM_ALG_RSAPSS_2048
                            | BaseAsymAlgo::TPM_ALG_RSASSA_3072
                            | BaseAsymAlgo::TPM_ALG_RSAPSS_3072
                    )
                );
                assert_eq!(frame.number("Length"), Some(len as u64));
            }
            6 => {
                let Response::Algorithms(a) = response(m) else {
                    panic!()
                };
                assert_eq!(
                    a.measurement_specification_sel,
                    MeasurementSpecification::DMTF
                );
                assert_eq!(a.other_params_selection, OtherParams::OPAQUE_DATA_FMT1);
                assert_eq!(
                    a.measurement_hash_algo,
                    MeasurementHashAlgo::TPM_ALG_SHA_384
                );
                assert_eq!(a.base_asym_sel, BaseAsymAlgo::TPM_ALG_ECDSA_ECC_NIST_P384);
                assert_eq!(a.base_hash_sel, BaseHashAlgo::TPM_ALG_SHA_384);
                assert_eq!(a.alg_structs.dhe(), Some(DheNamedGroup::SECP_384_R1));
                assert_eq!(a.alg_structs.aead(), Some(AeadCipherSuite::AES_256_GCM));
                assert_eq!(
                    a.alg_structs.req_base_asym_alg(),
                    Some(BaseAsymAlgo::TPM_ALG_RSAPSS_3072)
                );
                assert_eq!(a.alg_structs.key_schedule(), Some(KeySchedule::SPDM));
                assert_eq!(a.alg_structs.kem_alg(), None);
            }
            8 => {
                let Response::Digests(d) = response(m) else {
                    panic!()
                };
                assert_eq!(d.provisioned_slot_mask.0, 0x03);
                assert_eq!(d.supported_slot_mask.0, 0, "1.2: Param1 reserved");
                assert_eq!(d.digests.len(), 2);
                assert!(d.digests.iter().all(|x| x.len() == 48));
                chain_hash_slot0 = d.digests[0].to_vec();
            }
            10 | 12 => {
                let Response::Certificate(c) = response(m) else {
                    panic!()
                };
                assert_eq!(u64::from(c.slot_id), frame.number("SlotID").unwrap());
                assert_eq!(
                    c.cert_chain.len() as u64,
                    frame.number("PortionLength").unwrap()
                );
                assert_eq!(c.remainder_length, 0);
                // The SPDM CertChain starts with its own Length (u16 in 1.2).
                assert_eq!(u16::from_le_bytes([c.cert_chain[0], c.cert_chain[1]]), 1591);
            }
            13 => {
                let Request::Challenge(c) = request(m) else {
                    panic!()
                };
                assert_eq!(hex::encode(c.nonce), frame.detail("Nonce").unwrap());
                assert_eq!(
                    c.measurement_summary_hash_type,
                    MeasurementSummaryHashType::AllMeasurementsHash
                );
                assert_eq!(c.requester_context, None);
            }
            14 => {
                let Response::ChallengeAuth(c) = response(m) else {
                    panic!()
                };
                // README: CertChainHash 4..51, Nonce 52..83, MeasurementSummaryHash 84..131,
                // OpaqueDataLength 132..133, Signature 134..229.
                assert_eq!(c.signature_offset(), 134);
                assert_eq!(c.signature.len(), 96);
                assert_eq!(len, 230);
                assert_eq!(c.slot_mask.0, 0x03);
                assert_eq!(c.cert_chain_hash, chain_hash_slot0.as_slice());
                assert_eq!(c.measurement_summary_hash.map(<[u8]>::len), Some(48));
                assert!(c.opaque_data.is_empty());
                assert_eq!(
                    hex::encode(c.signature),
                    "8fa06fce3ee3b72402317b91107553a4b34f71aec9e46933c9bfa3e584ec24012881d025622aa38ec06af354324ba480350b879137d93a5461883ef451aa7376e8553147d0acee590a1407b242352a080c884f1160b56583f49749b16b4044b2"
                );
            }
            21 => {
                let Request::GetMeasurements(g) = request(m) else {
                    panic!()
                };
                assert_eq!(g.attributes, MeasurementAttributes::SIGNATURE_REQUESTED);
                assert_eq!(g.operation, MeasurementOperation::ALL_MEASUREMENTS);
                assert_eq!(
                    hex::encode(g.nonce.unwrap()),
                    frame.detail("Nonce").unwrap()
                );
                assert_eq!(g.slot_id, Some(0));
            }
            22 => {
                let Response::Measurements(r) = response(m) else {
                    panic!()
                };
                check_libspdm_measurement_blocks(&r.blocks, 48);
                assert_eq!(r.measurement_record_length(), 448);
                // README: L1/L2 takes MEASUREMENTS without its last 96 bytes (490 bytes).
                assert_eq!(r.signature_offset(), 490);
                assert_eq!(r.signature.map(<[u8]>::len), Some(96));
                assert_eq!(r.content_changed, ContentChanged::NotChanged);
                assert_eq!(r.slot_id, 0);
            }
            _ => unreachable!(),
        },
    );
}

/// The 8 DMTF blocks spdm-emu reports (transcripts README): 1-4 digests of types 0-3, 0x10 raw
/// SVN (0x87), 0x11 hash-extended (0x08), 0xFD raw manifest (0x84, 128 bytes), 0xFE raw device
/// mode (0x85, 16 bytes).
fn check_libspdm_measurement_blocks(
    blocks: &[vtrust_spdm::codec::MeasurementBlock<'_>],
    hash_len: usize,
) {
    let expected = [
        (0x01, false, DmtfMeasurementType::ImmutableRom, hash_len),
        (0x02, false, DmtfMeasurementType::MutableFirmware, hash_len),
        (
            0x03,
            false,
            DmtfMeasurementType::HardwareConfiguration,
            hash_len,
        ),
        (
            0x04,
            false,
            DmtfMeasurementType::FirmwareConfiguration,
            hash_len,
        ),
        (
            0x10,
            true,
            DmtfMeasurementType::MutableFirmwareSecurityVersionNumber,
            8,
        ),
        (
            0x11,
            false,
            DmtfMeasurementType::HashExtendedMeasurement,
            hash_len,
        ),
        (0xFD, true, DmtfMeasurementType::MeasurementManifest, 128),
        (0xFE, true, DmtfMeasurementType::DeviceMode, 16),
    ];
    assert_eq!(blocks.len(), expected.len());
    for (block, (index, raw, value_type, size)) in blocks.iter().zip(expected) {
        assert_eq!(block.index, index);
        assert_eq!(
            block.measurement_specification,
            MeasurementSpecification::DMTF
        );
        let Measurement::Dmtf(d) = block.measurement else {
            panic!("block {index:#x} not DMTF")
        };
        assert_eq!(
            (d.raw_bit_stream, d.value_type, d.value.len()),
            (raw, value_type, size),
            "block {index:#x}"
        );
        assert_eq!(block.measurement_size(), size + 3);
    }
    // Block 0x10: SVN 7 (u64 LE); block 0xFD: 0xFD bytes.
    let Measurement::Dmtf(svn) = blocks[4].measurement else {
        panic!()
    };
    assert_eq!(svn.value, 7u64.to_le_bytes());
    let Measurement::Dmtf(manifest) = blocks[6].measurement else {
        panic!()
    };
    assert!(manifest.value.iter().all(|&b| b == 0xFD));
}

#[test]
fn doe_1_3_p256_fields_match_the_notes() {
    by_number(
        "doe_1.3_p256.txt",
        Transport::Doe,
        &[11, 12, 14, 16, 18, 19, 20, 27, 28],
        |n, m, len, frame| match n {
            11 => {
                let Request::NegotiateAlgorithms(a) = request(m) else {
                    panic!()
                };
                assert_eq!(a.version, SpdmVersion::V13);
                assert_eq!(a.supported.mel_specification, MelSpecification::DMTF);
                assert_eq!(
                    a.supported.base_asym_algo,
                    BaseAsymAlgo::TPM_ALG_ECDSA_ECC_NIST_P256
                );
            }
            12 => {
                let Response::Algorithms(a) = response(m) else {
                    panic!()
                };
                assert_eq!(a.mel_specification_sel, MelSpecification::empty());
                assert_eq!(
                    a.measurement_hash_algo,
                    MeasurementHashAlgo::TPM_ALG_SHA_256
                );
                assert_eq!(a.alg_structs.dhe(), Some(DheNamedGroup::SECP_256_R1));
            }
            14 => {
                let Response::Digests(d) = response(m) else {
                    panic!()
                };
                assert_eq!(
                    u64::from(d.supported_slot_mask.0),
                    frame.number("SupportedSlotMask").unwrap()
                );
                assert_eq!(
                    u64::from(d.provisioned_slot_mask.0),
                    frame.number("ProvisionedSlotMask").unwrap()
                );
                assert_eq!(d.digests.len(), 2);
                assert_eq!(d.multi_key, None);
            }
            16 | 18 => {
                let Response::Certificate(c) = response(m) else {
                    panic!()
                };
                assert_eq!(
                    c.cert_chain.len() as u64,
                    frame.number("PortionLength").unwrap()
                );
                assert_eq!(c.cert_model, CertModel::NoCertificate);
                assert_eq!(len, 8 + c.cert_chain.len());
            }
            19 => {
                let Request::Challenge(c) = request(m) else {
                    panic!()
                };
                assert_eq!(
                    hex::encode(c.requester_context.unwrap()),
                    "1122334455667788"
                );
                assert_eq!(len, 44);
            }
            20 => {
                let Response::ChallengeAuth(c) = response(m) else {
                    panic!()
                };
                assert_eq!(len, 174, "README: 174 bytes + 2 zero pad");
                assert_eq!(c.signature_offset(), 174 - 64);
                assert_eq!(
                    hex::encode(c.requester_context.unwrap()),
                    "1122334455667788"
                );
            }
            27 => {
                let Request::GetMeasurements(g) = request(m) else {
                    panic!()
                };
                assert_eq!(len, 45);
                assert_eq!(
                    hex::encode(g.requester_context.unwrap()),
                    "aabbccddeeff00ff"
                );
            }
            28 => {
                let Response::Measurements(r) = response(m) else {
                    panic!()
                };
                check_libspdm_measurement_blocks(&r.blocks, 32);
                assert_eq!(r.measurement_record_length(), 368);
                // README: MEASUREMENTS without signature is 418 bytes.
                assert_eq!(r.signature_offset(), 418);
                assert_eq!(len, 482);
                assert_eq!(
                    hex::encode(r.requester_context.unwrap()),
                    "aabbccddeeff00ff"
                );
            }
            _ => unreachable!(),
        },
    );
}

#[test]
fn mctp_1_4_mldsa65_fields_match_the_notes() {
    by_number(
        "mctp_1.4_mldsa65.txt",
        Transport::Mctp,
        &[4, 5, 6, 9, 10, 11, 12, 30, 46, 47, 52],
        |n, m, len, frame| match n {
            4 => {
                let Response::Capabilities(c) = response(m) else {
                    panic!()
                };
                assert_eq!(c.flags.bits(), 0x0002_02d6);
                assert!(c.flags.contains(ResponderCapabilityFlags::CHUNK_CAP));
                assert_eq!(c.max_spdm_msg_size, Some(163_840));
                assert!(c.ext_flags.is_empty());
            }
            5 => {
                let Request::NegotiateAlgorithms(a) = request(m) else {
                    panic!()
                };
                let s = &a.supported;
                assert_eq!(s.pqc_asym_algo, PqcAsymAlgo::ML_DSA_65);
                assert_eq!(s.mel_specification, MelSpecification::DMTF);
                assert_eq!(
                    s.alg_structs.iter().map(|x| x.alg_type).collect::<Vec<_>>(),
                    [
                        AlgType::Dhe,
                        AlgType::AeadCipherSuite,
                        AlgType::ReqBaseAsymAlg,
                        AlgType::KeySchedule,
                        AlgType::ReqPqcAsymAlg,
                        AlgType::KemAlg
                    ]
                );
                assert_eq!(
                    s.alg_structs.dhe(),
                    Some(
                        DheNamedGroup::FFDHE_2048
                            | DheNamedGroup::FFDHE_3072
                            | DheNamedGroup::SECP_256_R1
                            | DheNamedGroup::SECP_384_R1
                    )
                );
                assert_eq!(len, 56);
            }
            6 => {
                let Response::Algorithms(a) = response(m) else {
                    panic!()
                };
                assert_eq!(a.pqc_asym_sel, PqcAsymAlgo::ML_DSA_65);
                assert_eq!(a.base_asym_sel, BaseAsymAlgo::empty());
                assert_eq!(
                    a.alg_structs.req_pqc_asym_alg(),
                    Some(PqcAsymAlgo::ML_DSA_87)
                );
                assert_eq!(a.alg_structs.kem_alg(), Some(KemAlg::ML_KEM_768));
                assert_eq!(a.alg_structs.dhe(), Some(DheNamedGroup::empty()));
                assert_eq!(
                    a.alg_structs.req_base_asym_alg(),
                    Some(BaseAsymAlgo::empty())
                );
            }
            9 => {
                let Request::GetCertificate(g) = request(m) else {
                    panic!()
                };
                assert!(!g.large_cert_chain);
                assert_eq!((g.slot_id, g.offset, g.length), (0, 0, 0xFFFF));
            }
            10 => {
                let Response::Error(e) = response(m) else {
                    panic!()
                };
                assert_eq!(e.error_code, ErrorCode::LargeResponse);
                assert_eq!(e.extended, ExtendedErrorData::LargeResponse { handle: 1 });
            }
            11 => {
                let Request::ChunkGet(g) = request(m) else {
                    panic!("[11] not CHUNK_GET")
                };
                assert_eq!((g.handle, g.chunk_seq_no), (1, 0));
                assert_eq!(len, 8, "1.4 ChunkSeqNo is 32-bit");
            }
            12 | 52 => {
                let Response::ChunkResponse(c) = response(m) else {
                    panic!("[{n}] not CHUNK_RESPONSE")
                };
                if n == 12 {
                    assert!(!c.last_chunk);
                    assert_eq!((c.handle, c.body.chunk_seq_no), (1, 0));
                    assert_eq!(c.body.chunk.len(), 4336);
                    assert_eq!(c.body.large_message_size, Some(16_861));
                } else {
                    // The KEY_EXCHANGE_RSP's second and last piece: no LargeMessageSize.
                    assert!(c.last_chunk);
                    assert_eq!((c.handle, c.body.chunk_seq_no), (7, 1));
                    assert_eq!(c.body.chunk.len(), 211);
                    assert_eq!(c.body.large_message_size, None);
                }
            }
            47 => {
                // KEY_EXCHANGE: header only in this layer.
                let Decoded::Request(Request::Other(o)) = m else {
                    panic!("[47] not generic")
                };
                assert_eq!(o.header.code, frame.code());
            }
            30 => {
                let Response::ChallengeAuth(c) = response(m) else {
                    panic!()
                };
                assert_eq!(c.signature.len(), 3309);
                assert_eq!(
                    c.signature_offset(),
                    142,
                    "README: C takes 142 bytes of CHALLENGE_AUTH"
                );
                assert_eq!(len, 3451);
            }
            46 => {
                let Response::Measurements(r) = response(m) else {
                    panic!()
                };
                check_libspdm_measurement_blocks(&r.blocks, 48);
                assert_eq!(r.signature_offset(), 3807 - 3309);
            }
            _ => unreachable!(),
        },
    );
}

/// The four CHUNK_RESPONSEs of libspdm's slot-0 certificate (frames 12, 14, 16, 18) reassemble
/// into one CERTIFICATE of LargeMessageSize bytes that holds the whole chain.
#[test]
fn mctp_1_4_chunk_responses_reassemble_into_the_certificate() {
    let frames = common::read("mctp_1.4_mldsa65.txt");
    let ctx = sizes("mctp_1.4_mldsa65.txt");
    let mut whole = Vec::new();
    let mut announced = None;
    let mut seen = Vec::new();
    for number in [12, 14, 16, 18] {
        let frame = frames.iter().find(|f| f.number == number).unwrap();
        let data = frame.spdm(Transport::Mctp).unwrap();
        let Response::ChunkResponse(c) = Response::decode(data, &ctx).unwrap() else {
            panic!("[{number}] not CHUNK_RESPONSE")
        };
        if c.body.chunk_seq_no == 0 {
            announced = c.body.large_message_size;
        }
        seen.push((c.body.chunk_seq_no, c.last_chunk, c.body.chunk.len()));
        whole.extend_from_slice(c.body.chunk);
    }
    assert_eq!(
        seen,
        [
            (0, false, 4336),
            (1, false, 4340),
            (2, false, 4340),
            (3, true, 3845)
        ]
    );
    assert_eq!(Some(whole.len() as u32), announced);
    let Response::Certificate(cert) = Response::decode(&whole, &ctx).unwrap() else {
        panic!("reassembled message is not CERTIFICATE")
    };
    assert_eq!(cert.remainder_length, 0);
    assert_eq!(cert.cert_chain.len(), 16_861 - 8);
    // The SPDM chain's own Length field (bytes 0-1 before 1.4 large chains) covers it all.
    assert_eq!(
        usize::from(u16::from_le_bytes([cert.cert_chain[0], cert.cert_chain[1]])),
        cert.cert_chain.len()
    );
}
