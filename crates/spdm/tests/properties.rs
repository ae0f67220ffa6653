//! Property tests: any valid message of any version encodes, decodes back to itself (also
//! behind PCI DOE padding), and every strict prefix of its encoding is refused, never a panic.

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use vtrust_spdm::codec::{
    AlgStructure, AlgType, Algorithms, BaseAsymAlgo, BaseHashAlgo, Capabilities, CertModel,
    Certificate, Challenge, ChallengeAuth, ChunkBody, ChunkGet, ChunkResponse, ChunkSend,
    ChunkSendAck, ContentChanged, DecodeContext, Digests, DmtfMeasurement, DmtfMeasurementType,
    ErrorCode, ErrorResponse, ExtCapabilityFlags, ExtendedAlgorithm, ExtendedErrorData,
    GetCapabilities, GetCertificate, GetDigests, GetMeasurements, GetVersion, Header, KeyUsageMask,
    Measurement, MeasurementAttributes, MeasurementBlock, MeasurementHashAlgo,
    MeasurementOperation, MeasurementSpecification, Measurements, MelSpecification,
    NegotiateAlgorithms, OtherMessage, OtherParams, PqcAsymAlgo, RegistryId, Request, RequestCode,
    RequesterCapabilityFlags, RespondIfReady, ResponderCapabilityFlags, Response, ResponseCode,
    SlotKeyInfo, SlotMask, SpdmVersion, StandardId, SupportedAlgorithms, VendorDefinedRequest,
    VendorDefinedResponse, Version, VersionNumberEntry,
};
use vtrust_wire::Encode;

/// Test data lives for the whole run (messages borrow their large fields).
fn leak(v: Vec<u8>) -> &'static [u8] {
    Box::leak(v.into_boxed_slice())
}

fn bytes(max: usize) -> impl Strategy<Value = &'static [u8]> {
    vec(any::<u8>(), 0..=max).prop_map(leak)
}

fn fixed(len: usize) -> impl Strategy<Value = &'static [u8]> {
    vec(any::<u8>(), len).prop_map(leak)
}

fn version() -> impl Strategy<Value = SpdmVersion> {
    select(SpdmVersion::ALL.to_vec())
}

fn ext_alg() -> impl Strategy<Value = ExtendedAlgorithm> {
    (any::<u8>(), any::<u16>()).prop_map(|(r, a)| ExtendedAlgorithm {
        registry_id: RegistryId::from(r),
        algorithm_id: a,
    })
}

/// Up to 6 structures, AlgType strictly ascending, at most 2 external entries each.
fn alg_structs() -> impl Strategy<Value = Vec<AlgStructure>> {
    proptest::collection::btree_set(any::<u8>(), 0..=6).prop_flat_map(|types| {
        let types: Vec<u8> = types.into_iter().collect();
        let n = types.len();
        (Just(types), vec((any::<u16>(), vec(ext_alg(), 0..=2)), n)).prop_map(|(types, rest)| {
            types
                .into_iter()
                .zip(rest)
                .map(|(t, (supported, external))| AlgStructure {
                    alg_type: AlgType::from(t),
                    alg_supported: supported,
                    alg_external: external,
                })
                .collect()
        })
    })
}

fn supported_algorithms(v: SpdmVersion) -> impl Strategy<Value = SupportedAlgorithms> {
    (
        any::<u8>(),
        any::<u8>(),
        any::<u32>(),
        any::<u32>(),
        any::<u32>(),
        any::<u8>(),
        vec(ext_alg(), 0..=3),
        vec(ext_alg(), 0..=3),
        alg_structs(),
    )
        .prop_map(
            move |(meas, other, asym, hash, pqc, mel, ext_asym, ext_hash, structs)| {
                SupportedAlgorithms {
                    measurement_specification: MeasurementSpecification::from_bits_retain(meas),
                    other_params_support: if v >= SpdmVersion::V12 {
                        OtherParams::from_bits_retain(other)
                    } else {
                        OtherParams::empty()
                    },
                    base_asym_algo: BaseAsymAlgo::from_bits_retain(asym),
                    base_hash_algo: BaseHashAlgo::from_bits_retain(hash),
                    pqc_asym_algo: if v >= SpdmVersion::V14 {
                        PqcAsymAlgo::from_bits_retain(pqc)
                    } else {
                        PqcAsymAlgo::empty()
                    },
                    mel_specification: if v >= SpdmVersion::V13 {
                        MelSpecification::from_bits_retain(mel)
                    } else {
                        MelSpecification::empty()
                    },
                    ext_asym,
                    ext_hash,
                    alg_structs: if v >= SpdmVersion::V11 {
                        structs
                    } else {
                        vec![]
                    },
                }
            },
        )
}

fn sizes(v: SpdmVersion) -> impl Strategy<Value = (Option<u32>, Option<u32>)> {
    (any::<u32>(), any::<u32>()).prop_map(move |(a, b)| {
        if v >= SpdmVersion::V12 {
            (Some(a), Some(b))
        } else {
            (None, None)
        }
    })
}

fn context(v: SpdmVersion) -> impl Strategy<Value = Option<[u8; 8]>> {
    any::<[u8; 8]>().prop_map(move |c| (v >= SpdmVersion::V13).then_some(c))
}

fn request() -> impl Strategy<Value = Request<'static>> {
    let get_capabilities = version().prop_flat_map(|v| {
        (
            any::<bool>(),
            any::<u8>(),
            any::<u16>(),
            any::<u32>(),
            sizes(v),
        )
            .prop_map(move |(algs, ct, ext, flags, (dts, max))| {
                let core = v >= SpdmVersion::V11;
                Request::GetCapabilities(GetCapabilities {
                    version: v,
                    supported_algorithms_requested: algs && v >= SpdmVersion::V13,
                    ct_exponent: if core { ct } else { 0 },
                    ext_flags: if v >= SpdmVersion::V14 {
                        ExtCapabilityFlags::from_bits_retain(ext)
                    } else {
                        ExtCapabilityFlags::empty()
                    },
                    flags: RequesterCapabilityFlags::from_bits_retain(if core { flags } else { 0 }),
                    data_transfer_size: dts,
                    max_spdm_msg_size: max,
                })
            })
    });
    let negotiate = version().prop_flat_map(|v| {
        supported_algorithms(v).prop_map(move |supported| {
            Request::NegotiateAlgorithms(NegotiateAlgorithms {
                version: v,
                supported,
            })
        })
    });
    let get_certificate = version().prop_flat_map(|v| {
        (
            0..=15u8,
            any::<bool>(),
            any::<bool>(),
            any::<u32>(),
            any::<u32>(),
        )
            .prop_map(move |(slot_id, large, size, offset, length)| {
                let large = large && v >= SpdmVersion::V14;
                let (offset, length) = if large {
                    (offset, length)
                } else {
                    (offset & 0xFFFF, length & 0xFFFF)
                };
                Request::GetCertificate(GetCertificate {
                    version: v,
                    slot_id,
                    large_cert_chain: large,
                    slot_size_requested: size && v >= SpdmVersion::V13,
                    offset,
                    length,
                })
            })
    });
    let challenge = version().prop_flat_map(|v| {
        (any::<u8>(), any::<u8>(), any::<[u8; 32]>(), context(v)).prop_map(
            move |(slot_id, hash_type, nonce, requester_context)| {
                Request::Challenge(Challenge {
                    version: v,
                    slot_id,
                    measurement_summary_hash_type: hash_type.into(),
                    nonce,
                    requester_context,
                })
            },
        )
    });
    let get_measurements = version().prop_flat_map(|v| {
        (
            any::<u8>(),
            any::<u8>(),
            any::<[u8; 32]>(),
            0..=15u8,
            context(v),
        )
            .prop_map(move |(attributes, op, nonce, slot, requester_context)| {
                let attributes = MeasurementAttributes::from_bits_truncate(attributes)
                    & MeasurementAttributes::defined_in(v);
                let signed = attributes.contains(MeasurementAttributes::SIGNATURE_REQUESTED);
                Request::GetMeasurements(GetMeasurements {
                    version: v,
                    attributes,
                    operation: MeasurementOperation(op),
                    nonce: signed.then_some(nonce),
                    slot_id: (signed && v >= SpdmVersion::V11).then_some(slot),
                    requester_context,
                })
            })
    });
    let vendor = version().prop_flat_map(|v| {
        (any::<bool>(), any::<u16>(), bytes(32), bytes(300)).prop_map(
            move |(large, standard_id, vendor_id, payload)| {
                Request::VendorDefinedRequest(VendorDefinedRequest {
                    version: v,
                    large: large && v >= SpdmVersion::V14,
                    standard_id: StandardId::from(standard_id),
                    vendor_id,
                    payload,
                })
            },
        )
    });
    let other_codes: Vec<RequestCode> = RequestCode::ALL
        .iter()
        .copied()
        .filter(|c| {
            !matches!(
                c,
                RequestCode::GetVersion
                    | RequestCode::GetCapabilities
                    | RequestCode::NegotiateAlgorithms
                    | RequestCode::GetDigests
                    | RequestCode::GetCertificate
                    | RequestCode::Challenge
                    | RequestCode::GetMeasurements
                    | RequestCode::VendorDefinedRequest
                    | RequestCode::RespondIfReady
                    | RequestCode::ChunkSend
                    | RequestCode::ChunkGet
            )
        })
        .collect();
    let other = (version(), select(other_codes), any::<[u8; 2]>(), bytes(64)).prop_map(
        |(v, code, [p1, p2], body)| {
            Request::Other(OtherMessage {
                header: Header {
                    version: v,
                    code: code.into(),
                    param1: p1,
                    param2: p2,
                },
                body,
            })
        },
    );
    let chunk_send = chunk_parts().prop_map(|(version, last_chunk, handle, body)| {
        Request::ChunkSend(ChunkSend {
            version,
            last_chunk,
            handle,
            body,
        })
    });
    let chunk_get =
        (chunk_version(), any::<u8>(), any::<u32>()).prop_map(|(version, handle, seq)| {
            Request::ChunkGet(ChunkGet {
                version,
                handle,
                chunk_seq_no: seq_for(version, seq),
            })
        });
    prop_oneof![
        chunk_send,
        chunk_get,
        Just(Request::GetVersion(GetVersion)),
        get_capabilities,
        negotiate,
        version().prop_map(|version| Request::GetDigests(GetDigests { version })),
        get_certificate,
        challenge,
        get_measurements,
        vendor,
        (version(), any::<u8>(), any::<u8>()).prop_map(|(version, code, token)| {
            Request::RespondIfReady(RespondIfReady {
                version,
                request_code: code.into(),
                token,
            })
        }),
        other,
    ]
}

/// Negotiated sizes: small ones keep the cases fast, real ones check the real layouts.
fn negotiated() -> impl Strategy<Value = (usize, usize, usize)> {
    prop_oneof![
        Just((32, 64, 32)),
        Just((48, 96, 48)),
        Just((64, 132, 64)),
        (1..=8usize, 0..=16usize, 0..=8usize),
    ]
}

fn measurement_block(hash_len: usize) -> impl Strategy<Value = MeasurementBlock<'static>> {
    let dmtf = (
        any::<u8>(),
        any::<bool>(),
        0..=0x7Fu8,
        bytes(40),
        fixed(hash_len),
    )
        .prop_map(
            |(index, raw, value_type, raw_value, digest)| MeasurementBlock {
                index,
                measurement_specification: MeasurementSpecification::DMTF,
                measurement: Measurement::Dmtf(DmtfMeasurement {
                    raw_bit_stream: raw,
                    value_type: DmtfMeasurementType::from(value_type),
                    value: if raw { raw_value } else { digest },
                }),
            },
        );
    let other = (any::<u8>(), any::<u8>(), bytes(40)).prop_map(|(index, spec, bytes)| {
        let spec = if spec == MeasurementSpecification::DMTF.bits() {
            0x02
        } else {
            spec
        };
        MeasurementBlock {
            index,
            measurement_specification: MeasurementSpecification::from_bits_retain(spec),
            measurement: Measurement::Other(bytes),
        }
    });
    prop_oneof![3 => dmtf, 1 => other]
}

fn response() -> impl Strategy<Value = (Response<'static>, DecodeContext)> {
    let plain = |r: Response<'static>| (r, DecodeContext::default());
    let version_rsp = vec(any::<u16>(), 0..=32).prop_map(move |entries| {
        plain(Response::Version(Version {
            entries: entries.into_iter().map(VersionNumberEntry).collect(),
        }))
    });
    let capabilities = version().prop_flat_map(move |v| {
        (
            any::<u8>(),
            any::<u16>(),
            any::<u32>(),
            sizes(v),
            proptest::option::of(supported_algorithms(v)),
        )
            .prop_map(move |(ct, ext, flags, (dts, max), block)| {
                plain(Response::Capabilities(Capabilities {
                    version: v,
                    ct_exponent: ct,
                    ext_flags: if v >= SpdmVersion::V14 {
                        ExtCapabilityFlags::from_bits_retain(ext)
                    } else {
                        ExtCapabilityFlags::empty()
                    },
                    flags: ResponderCapabilityFlags::from_bits_retain(flags),
                    data_transfer_size: dts,
                    max_spdm_msg_size: max,
                    supported_algorithms: block.filter(|_| v >= SpdmVersion::V13),
                }))
            })
    });
    let algorithms = version().prop_flat_map(move |v| {
        (supported_algorithms(v), any::<u32>()).prop_map(move |(s, meas_hash)| {
            plain(Response::Algorithms(Algorithms {
                version: v,
                measurement_specification_sel: s.measurement_specification,
                other_params_selection: s.other_params_support,
                measurement_hash_algo: MeasurementHashAlgo::from_bits_retain(meas_hash),
                base_asym_sel: s.base_asym_algo,
                base_hash_sel: s.base_hash_algo,
                pqc_asym_sel: s.pqc_asym_algo,
                mel_specification_sel: s.mel_specification,
                ext_asym_sel: s.ext_asym,
                ext_hash_sel: s.ext_hash,
                alg_structs: s.alg_structs,
            }))
        })
    });
    let digests = (
        version(),
        negotiated(),
        any::<u8>(),
        any::<u8>(),
        any::<bool>(),
    )
        .prop_flat_map(
            |(v, (hash_len, sig, meas), supported, provisioned, multi)| {
                let n = provisioned.count_ones() as usize;
                let multi = multi && v >= SpdmVersion::V13;
                (
                    vec(fixed(hash_len), n),
                    vec((any::<u8>(), 0..=7u8, any::<u16>()), n),
                )
                    .prop_map(move |(digests, info)| {
                        let ctx = DecodeContext::new(hash_len, sig, meas).with_multi_key(multi);
                        let msg = Response::Digests(Digests {
                            version: v,
                            supported_slot_mask: SlotMask(if v >= SpdmVersion::V13 {
                                supported
                            } else {
                                0
                            }),
                            provisioned_slot_mask: SlotMask(provisioned),
                            digests,
                            multi_key: multi.then(|| {
                                info.iter()
                                    .map(|&(id, model, usage)| SlotKeyInfo {
                                        key_pair_id: id,
                                        cert_model: CertModel::from(model),
                                        key_usage_mask: KeyUsageMask::from_bits_retain(usage),
                                    })
                                    .collect()
                            }),
                        });
                        (msg, ctx)
                    })
            },
        );
    let certificate = version().prop_flat_map(move |v| {
        (0..=15u8, any::<bool>(), 0..=7u8, any::<u32>(), bytes(300)).prop_map(
            move |(slot_id, large, model, remainder, chain)| {
                let large = large && v >= SpdmVersion::V14;
                plain(Response::Certificate(Certificate {
                    version: v,
                    slot_id,
                    large_cert_chain: large,
                    cert_model: CertModel::from(if v >= SpdmVersion::V13 { model } else { 0 }),
                    remainder_length: if large { remainder } else { remainder & 0xFFFF },
                    cert_chain: chain,
                }))
            },
        )
    });
    let challenge_auth = (version(), negotiated(), any::<bool>()).prop_flat_map(
        |(v, (hash_len, sig_len, meas), summary)| {
            (
                0..=15u8,
                any::<bool>(),
                any::<u8>(),
                fixed(hash_len),
                any::<[u8; 32]>(),
                fixed(hash_len),
                bytes(64),
                context(v),
                fixed(sig_len),
            )
                .prop_map(
                    move |(
                        slot_id,
                        mut_auth,
                        mask,
                        chain_hash,
                        nonce,
                        summary_hash,
                        opaque,
                        ctx8,
                        sig,
                    )| {
                        let ctx = DecodeContext::new(hash_len, sig_len, meas)
                            .with_measurement_summary_hash(summary);
                        let msg = Response::ChallengeAuth(ChallengeAuth {
                            version: v,
                            slot_id,
                            basic_mut_auth_req: mut_auth && v >= SpdmVersion::V11,
                            slot_mask: SlotMask(mask),
                            cert_chain_hash: chain_hash,
                            nonce,
                            measurement_summary_hash: summary.then_some(summary_hash),
                            opaque_data: opaque,
                            requester_context: ctx8,
                            signature: sig,
                        });
                        (msg, ctx)
                    },
                )
        },
    );
    let measurements = (version(), negotiated(), any::<bool>()).prop_flat_map(
        |(v, (hash_len, sig_len, meas_len), signed)| {
            (
                any::<u8>(),
                0..=15u8,
                select(vec![
                    ContentChanged::NotSupported,
                    ContentChanged::Changed,
                    ContentChanged::NotChanged,
                    ContentChanged::Reserved,
                ]),
                vec(measurement_block(meas_len), 0..=5),
                any::<[u8; 32]>(),
                bytes(64),
                context(v),
                fixed(sig_len),
            )
                .prop_map(
                    move |(total, slot, changed, blocks, nonce, opaque, ctx8, sig)| {
                        let ctx = DecodeContext::new(hash_len, sig_len, meas_len)
                            .with_signature_requested(signed);
                        let msg = Response::Measurements(Measurements {
                            version: v,
                            total_measurement_indices: total,
                            slot_id: if v >= SpdmVersion::V11 { slot } else { 0 },
                            content_changed: if v >= SpdmVersion::V12 {
                                changed
                            } else {
                                ContentChanged::NotSupported
                            },
                            blocks,
                            nonce,
                            opaque_data: opaque,
                            requester_context: ctx8,
                            signature: signed.then_some(sig),
                        });
                        (msg, ctx)
                    },
                )
        },
    );
    let error = (
        version(),
        any::<u8>(),
        any::<u8>(),
        any::<[u8; 4]>(),
        bytes(32),
    )
        .prop_map(move |(v, code, data, [a, b, c, d], opaque)| {
            let error_code = ErrorCode::from(code);
            let extended = if error_code == ErrorCode::ResponseNotReady {
                ExtendedErrorData::ResponseNotReady {
                    rdt_exponent: a,
                    request_code: b.into(),
                    token: c,
                    rdtm: d,
                }
            } else if error_code == ErrorCode::LargeResponse && v >= SpdmVersion::V12 {
                ExtendedErrorData::LargeResponse { handle: a }
            } else {
                ExtendedErrorData::Opaque(opaque)
            };
            plain(Response::Error(ErrorResponse {
                version: v,
                error_code,
                error_data: data,
                extended,
            }))
        });
    let vendor = version().prop_flat_map(move |v| {
        (any::<bool>(), any::<u16>(), bytes(32), bytes(300)).prop_map(
            move |(large, standard_id, vendor_id, payload)| {
                plain(Response::VendorDefinedResponse(VendorDefinedResponse {
                    version: v,
                    large: large && v >= SpdmVersion::V14,
                    standard_id: StandardId::from(standard_id),
                    vendor_id,
                    payload,
                }))
            },
        )
    });
    let other_codes: Vec<ResponseCode> = ResponseCode::ALL
        .iter()
        .copied()
        .filter(|c| {
            !matches!(
                c,
                ResponseCode::Version
                    | ResponseCode::Capabilities
                    | ResponseCode::Algorithms
                    | ResponseCode::Digests
                    | ResponseCode::Certificate
                    | ResponseCode::ChallengeAuth
                    | ResponseCode::Measurements
                    | ResponseCode::Error
                    | ResponseCode::VendorDefinedResponse
                    | ResponseCode::ChunkSendAck
                    | ResponseCode::ChunkResponse
            )
        })
        .collect();
    let other = (version(), select(other_codes), any::<[u8; 2]>(), bytes(64)).prop_map(
        move |(v, code, [p1, p2], body)| {
            plain(Response::Other(OtherMessage {
                header: Header {
                    version: v,
                    code: code.into(),
                    param1: p1,
                    param2: p2,
                },
                body,
            }))
        },
    );
    let chunk_response = chunk_parts().prop_map(move |(version, last_chunk, handle, body)| {
        plain(Response::ChunkResponse(ChunkResponse {
            version,
            last_chunk,
            handle,
            body,
        }))
    });
    let chunk_ack = (
        chunk_version(),
        any::<bool>(),
        any::<u8>(),
        any::<u32>(),
        bytes(64),
    )
        .prop_map(
            move |(version, early_error_detected, handle, seq, response)| {
                plain(Response::ChunkSendAck(ChunkSendAck {
                    version,
                    early_error_detected,
                    handle,
                    chunk_seq_no: seq_for(version, seq),
                    response,
                }))
            },
        );
    prop_oneof![
        chunk_response,
        chunk_ack,
        version_rsp,
        capabilities,
        algorithms,
        digests,
        certificate,
        challenge_auth,
        measurements,
        error,
        vendor,
        other,
    ]
}

/// Messages whose last field runs to the end of the message: a prefix can be another valid
/// message of the same kind.
/// Versions that have the chunk messages (1.2+).
fn chunk_version() -> impl Strategy<Value = SpdmVersion> {
    select(vec![SpdmVersion::V12, SpdmVersion::V13, SpdmVersion::V14])
}

/// ChunkSeqNo is 16-bit before 1.4.
fn seq_for(version: SpdmVersion, seq: u32) -> u32 {
    if version >= SpdmVersion::V14 {
        seq
    } else {
        seq & 0xFFFF
    }
}

/// Version, LastChunk, Handle and body of CHUNK_SEND / CHUNK_RESPONSE (LargeMessageSize
/// exactly in chunk 0).
fn chunk_parts() -> impl Strategy<Value = (SpdmVersion, bool, u8, ChunkBody<'static>)> {
    (
        chunk_version(),
        any::<bool>(),
        any::<u8>(),
        prop_oneof![Just(0u32), any::<u32>()],
        any::<u32>(),
        bytes(64),
    )
        .prop_map(|(version, last, handle, seq, total, chunk)| {
            let seq = seq_for(version, seq);
            (
                version,
                last,
                handle,
                ChunkBody {
                    chunk_seq_no: seq,
                    large_message_size: (seq == 0).then_some(total),
                    chunk,
                },
            )
        })
}

fn open_ended_request(r: &Request<'_>) -> bool {
    matches!(r, Request::Other(_))
}

fn open_ended_response(r: &Response<'_>) -> bool {
    matches!(
        r,
        Response::Other(_)
            | Response::ChunkSendAck(_)
            | Response::Error(ErrorResponse {
                extended: ExtendedErrorData::Opaque(_),
                ..
            })
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn request_round_trip(message in request(), pad in 0..=3usize) {
        let bytes = message.to_vec().unwrap();
        prop_assert_eq!(Request::decode(&bytes), Ok(message.clone()));
        let mut padded = bytes.clone();
        padded.resize(bytes.len() + pad, 0);
        if !open_ended_request(&message) {
            prop_assert_eq!(
                Request::decode_with_padding(&padded, 3),
                Ok((message.clone(), bytes.len()))
            );
        }
        prop_assert_eq!(message.version(), SpdmVersion::from(bytes[0]));
        prop_assert_eq!(u8::from(message.code()), bytes[1]);
    }

    #[test]
    fn response_round_trip((message, ctx) in response(), pad in 0..=3usize) {
        let bytes = message.to_vec().unwrap();
        prop_assert_eq!(Response::decode(&bytes, &ctx), Ok(message.clone()));
        let mut padded = bytes.clone();
        padded.resize(bytes.len() + pad, 0);
        if !open_ended_response(&message) {
            prop_assert_eq!(
                Response::decode_with_padding(&padded, 3, &ctx),
                Ok((message.clone(), bytes.len()))
            );
        }
        match &message {
            Response::ChallengeAuth(c) => {
                prop_assert_eq!(c.signature_offset(), bytes.len() - c.signature.len());
            }
            Response::Measurements(m) => {
                prop_assert_eq!(
                    m.signature_offset(),
                    bytes.len() - m.signature.map_or(0, <[u8]>::len)
                );
            }
            _ => {}
        }
        prop_assert_eq!(u8::from(message.code()), bytes[1]);
    }

    #[test]
    fn request_prefixes_are_refused(message in request()) {
        let bytes = message.to_vec().unwrap();
        for len in 0..bytes.len() {
            let result = Request::decode(&bytes[..len]);
            if open_ended_request(&message) && len >= 4 {
                prop_assert_ne!(result, Ok(message.clone()));
            } else {
                prop_assert!(result.is_err(), "prefix of {} bytes decoded", len);
            }
        }
    }

    #[test]
    fn response_prefixes_are_refused((message, ctx) in response()) {
        let bytes = message.to_vec().unwrap();
        for len in 0..bytes.len() {
            let result = Response::decode(&bytes[..len], &ctx);
            if open_ended_response(&message) && len >= 4 {
                prop_assert_ne!(result, Ok(message.clone()));
            } else {
                prop_assert!(result.is_err(), "prefix of {} bytes decoded", len);
            }
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic_and_re_encode_within_their_bits(
        data in vec(any::<u8>(), 0..200),
        (hash, sig, meas) in negotiated(),
        [multi, summary, signed] in any::<[bool; 3]>(),
    ) {
        let ctx = DecodeContext::new(hash, sig, meas)
            .with_multi_key(multi)
            .with_measurement_summary_hash(summary)
            .with_signature_requested(signed);
        if let Ok(message) = Request::decode(&data) {
            let bytes = message.to_vec().unwrap();
            prop_assert_eq!(bytes.len(), data.len());
            prop_assert!(bytes.iter().zip(&data).all(|(b, d)| b & !d == 0));
        }
        if let Ok(message) = Response::decode(&data, &ctx) {
            let bytes = message.to_vec().unwrap();
            prop_assert_eq!(bytes.len(), data.len());
            prop_assert!(bytes.iter().zip(&data).all(|(b, d)| b & !d == 0));
        }
    }
}
