//! Property tests: round trips, truncation and arbitrary input for the platform codec, every
//! binding, DOE discovery, padding and the capture parser.

use proptest::prelude::*;
use vtrust_spdm_transport::binding::doe_discovery::{DiscoveryRequest, DiscoveryResponse};
use vtrust_spdm_transport::capture::{Capture, CaptureLimits, Direction};
use vtrust_spdm_transport::{
    AnyBinding, Binding, Command, Message, PayloadLimit, PlatformCodec, SocketFlavor,
    SocketTransport, TransportError, TransportKind, strip_padding,
};
use vtrust_wire::DecodeErrorKind;

const BINDINGS: [TransportKind; 4] = [
    TransportKind::None,
    TransportKind::Mctp,
    TransportKind::PciDoe,
    TransportKind::Tcp,
];

fn transports() -> impl Strategy<Value = SocketTransport> {
    (
        prop::sample::select(SocketFlavor::ALL.to_vec()),
        prop::sample::select(TransportKind::ALL.to_vec()),
    )
        .prop_filter_map("flavor has no number for kind", |(f, k)| {
            SocketTransport::new(f, k)
        })
}

fn binding(kind: TransportKind) -> AnyBinding {
    AnyBinding::for_kind(kind).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn platform_frames_round_trip(
        transport in transports(),
        command in any::<u32>(),
        payload in prop::collection::vec(any::<u8>(), 0..=PayloadLimit::SPDM_EMU.get()),
    ) {
        let codec = PlatformCodec::new(transport, PayloadLimit::SPDM_EMU);
        let bytes = codec.encode_frame(Command::from(command), &payload).unwrap();
        prop_assert_eq!(bytes.len(), 12 + payload.len());
        prop_assert_eq!(&bytes[..4], &command.to_be_bytes());
        prop_assert_eq!(&bytes[4..8], &transport.transport_type().to_be_bytes());
        prop_assert_eq!(&bytes[8..12], &(payload.len() as u32).to_be_bytes());
        let frame = codec.decode_frame(&bytes).unwrap();
        prop_assert_eq!(u32::from(frame.command), command);
        prop_assert_eq!(frame.payload, &payload[..]);
    }

    #[test]
    fn truncated_platform_frames_are_refused(
        payload in prop::collection::vec(any::<u8>(), 0..64),
        cut in any::<prop::sample::Index>(),
    ) {
        let codec = PlatformCodec::new(SocketTransport::SPDM_EMU_MCTP, PayloadLimit::SPDM_EMU);
        let bytes = codec.encode_frame(Command::Normal, &payload).unwrap();
        let cut = cut.index(bytes.len());
        let err = codec.decode_frame(&bytes[..cut]).unwrap_err();
        prop_assert!(
            matches!(err, TransportError::Malformed(e) if matches!(e.kind, DecodeErrorKind::Truncated { .. })),
            "{:?}", err
        );
    }

    #[test]
    fn arbitrary_platform_bytes_decode_or_fail_cleanly(
        transport in transports(),
        bytes in prop::collection::vec(any::<u8>(), 0..96),
    ) {
        let codec = PlatformCodec::new(transport, PayloadLimit::new(64).unwrap());
        if let Ok(frame) = codec.decode_frame(&bytes) {
            // Nothing reserved in the platform header: the frame re-encodes exactly.
            prop_assert_eq!(codec.encode_frame(frame.command, frame.payload).unwrap(), bytes);
        }
    }

    #[test]
    fn bindings_round_trip_spdm_messages(
        body in prop::collection::vec(any::<u8>(), 0..3000),
    ) {
        for kind in BINDINGS {
            let b = binding(kind);
            let bytes = b.to_vec(Message::Spdm(&body)).unwrap();
            prop_assert!(bytes.len() <= b.header_len() + body.len() + b.max_padding());
            let decoded = b.decode(&bytes).unwrap();
            prop_assert!(matches!(decoded.message, Message::Spdm(_)));
            prop_assert_eq!(decoded.strip_padding(body.len()).unwrap(), &body[..]);
        }
    }

    #[test]
    fn bindings_round_trip_secured_records(
        body in prop::collection::vec(any::<u8>(), 0..600),
    ) {
        for kind in [TransportKind::Mctp, TransportKind::PciDoe, TransportKind::Tcp] {
            let b = binding(kind);
            let bytes = b.to_vec(Message::Secured(&body)).unwrap();
            let decoded = b.decode(&bytes).unwrap();
            prop_assert!(matches!(decoded.message, Message::Secured(_)));
            prop_assert_eq!(decoded.strip_padding(body.len()).unwrap(), &body[..]);
        }
    }

    #[test]
    fn truncated_doe_and_tcp_objects_are_refused(
        body in prop::collection::vec(any::<u8>(), 0..64),
        cut in any::<prop::sample::Index>(),
    ) {
        for kind in [TransportKind::PciDoe, TransportKind::Tcp] {
            let b = binding(kind);
            let bytes = b.to_vec(Message::Spdm(&body)).unwrap();
            let cut = cut.index(bytes.len());
            prop_assert!(b.decode(&bytes[..cut]).is_err(), "{:?} cut at {}", kind, cut);
        }
    }

    #[test]
    fn arbitrary_binding_payloads_decode_stably(
        bytes in prop::collection::vec(any::<u8>(), 0..80),
        doe_header in prop::bool::ANY,
    ) {
        // Half the cases get a plausible DOE header so the DOE decoder gets past its checks.
        let mut bytes = bytes;
        if doe_header && bytes.len() >= 8 && bytes.len() % 4 == 0 {
            bytes[0] = 1;
            bytes[1] = 0;
            bytes[2] %= 4;
            let dwords = (bytes.len() / 4) as u32;
            bytes[4..8].copy_from_slice(&dwords.to_le_bytes());
        }
        for kind in BINDINGS {
            let b = binding(kind);
            if let Ok(decoded) = b.decode(&bytes) {
                let again = b.to_vec(decoded.message).unwrap();
                // Decoding our encoding gives the same message.
                prop_assert_eq!(b.decode(&again).unwrap(), decoded);
                // Only PCI DOE has reserved bits (ignored on read, written as zero).
                if kind != TransportKind::PciDoe {
                    prop_assert_eq!(&again, &bytes);
                }
            }
        }
    }

    #[test]
    fn padding_is_stripped_only_when_zero(
        message in prop::collection::vec(any::<u8>(), 0..32),
        pad in prop::collection::vec(any::<u8>(), 0..6),
    ) {
        let mut body = message.clone();
        body.extend(&pad);
        let result = strip_padding(&body, message.len(), 3);
        let ok = pad.len() <= 3 && pad.iter().all(|&b| b == 0);
        prop_assert_eq!(result.is_ok(), ok);
        if ok {
            prop_assert_eq!(result.unwrap(), &message[..]);
        }
    }

    #[test]
    fn discovery_dwords_round_trip(dword in any::<[u8; 4]>()) {
        let response = DiscoveryResponse::from_dword(&dword);
        prop_assert_eq!(response.to_dword(), dword);
        let request = DiscoveryRequest::from_dword(&dword);
        prop_assert_eq!(request.to_dword(), [dword[0], dword[1], 0, 0]);
    }

    #[test]
    fn captures_round_trip(
        frames in prop::collection::vec(
            (prop::bool::ANY, prop::collection::vec(any::<u8>(), 0..40)),
            0..12,
        ),
    ) {
        let mut text = String::from("# SPDM transcript: generated\n# transport: MCTP: x\n");
        for (i, (to_responder, bytes)) in frames.iter().enumerate() {
            text.push_str(&format!("# [{}] NAME_{i}: details {i}\n", i + 1));
            let dir = if *to_responder { '>' } else { '<' };
            text.push_str(&format!("{dir} {}\n", hex::encode(bytes)));
        }
        let capture = Capture::parse(&text, CaptureLimits::default()).unwrap();
        prop_assert_eq!(capture.frames.len(), frames.len());
        for (i, (frame, (to_responder, bytes))) in capture.frames.iter().zip(&frames).enumerate() {
            let dir = if *to_responder { Direction::ToResponder } else { Direction::ToRequester };
            prop_assert_eq!(frame.direction, dir);
            prop_assert_eq!(&frame.bytes, bytes);
            let note = frame.note.as_ref().unwrap();
            prop_assert_eq!(note.number, i + 1);
            prop_assert_eq!(&note.name, &format!("NAME_{i}"));
        }
    }

    #[test]
    fn arbitrary_capture_text_parses_or_fails_cleanly(text in ".{0,400}") {
        let _ = Capture::parse(&text, CaptureLimits::default());
    }

    #[test]
    fn arbitrary_capture_like_lines_parse_or_fail_cleanly(
        lines in prop::collection::vec("(# \\[[0-9]{0,3}\\] ?[A-Z_]{0,6}:? ?.{0,6}|[<>] ?[0-9a-fA-Fxz]{0,9}|#.{0,8}|)", 0..12),
    ) {
        let text = lines.join("\n");
        let _ = Capture::parse(&text, CaptureLimits::default());
    }
}
