//! Fuzz target for `vtrust-spdm-transport`: arbitrary bytes into the platform header decoder
//! and frame codec, every binding's decoder, DOE discovery, padding removal and the capture
//! parser; whatever decodes must re-encode and decode to the same value.
//!
//! Input layout: `[selector: u8][data: the rest]`. The selector picks the socket transport
//! (bits 0..=2) and the payload limit (bit 3: 64 bytes or spdm-emu's 4736).

#![no_main]

use libfuzzer_sys::fuzz_target;
use vtrust_spdm_transport::binding::doe_discovery::{
    DiscoveryRequest, DiscoveryResponse, DiscoveryTable, DiscoveryWalk,
};
use vtrust_spdm_transport::capture::{Capture, CaptureLimits, Direction};
use vtrust_spdm_transport::{
    AnyBinding, Binding, Decoded, Message, PayloadLimit, PlatformCodec, PlatformHeader,
    SocketFlavor, SocketTransport, TransportError, TransportKind, strip_padding,
};
use vtrust_wire::{Decode, Encode};

const TRANSPORTS: [SocketTransport; 6] = [
    SocketTransport::SPDM_EMU_MCTP,
    SocketTransport::SPDM_EMU_PCI_DOE,
    SocketTransport::SPDM_EMU_NONE,
    SocketTransport::SPDM_EMU_TCP,
    SocketTransport::QEMU_PCI_DOE,
    SocketTransport::SPDM_EMU_MCTP,
];

/// Platform layer: header and whole-frame decode; what decodes re-encodes exactly (the
/// header has no reserved bits).
fn platform(selector: u8, data: &[u8]) {
    let transport = TRANSPORTS[usize::from(selector & 7) % TRANSPORTS.len()];
    let limit = if selector & 8 == 0 {
        PayloadLimit::new(64).unwrap()
    } else {
        PayloadLimit::SPDM_EMU
    };
    let codec = PlatformCodec::new(transport, limit);

    if let Ok(header) = PlatformHeader::decode_exact(data.get(..12).unwrap_or(data)) {
        assert_eq!(header.to_vec().unwrap(), data[..12]);
        let bytes: [u8; 12] = data[..12].try_into().unwrap();
        match codec.decode_header(&bytes) {
            Ok((h, size)) => {
                assert_eq!(h, header);
                assert!(size <= limit.get());
                assert_eq!(h.transport_type, transport.transport_type());
            }
            Err(e) => assert!(matches!(
                e,
                TransportError::TransportMismatch { .. } | TransportError::Malformed(_)
            )),
        }
    }

    match codec.decode_frame(data) {
        Ok(frame) => {
            assert!(frame.payload.len() <= limit.get());
            assert_eq!(
                codec.encode_frame(frame.command, frame.payload).unwrap(),
                data
            );
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
}

/// Checks one decoded transport message of `binding`.
fn check_decoded(binding: &AnyBinding, payload: &[u8], decoded: Decoded<'_>) {
    let body = decoded.message.body();
    assert!(decoded.max_padding <= binding.max_padding());
    assert!(body.len() <= payload.len());

    // Re-encode, decode again: the same message.
    let again = binding.to_vec(decoded.message).unwrap();
    assert_eq!(binding.decode(&again).unwrap(), decoded);
    if binding.kind() != TransportKind::PciDoe {
        assert_eq!(again, payload, "only PCI DOE has reserved bits");
    } else {
        assert_eq!(again.len(), payload.len());
    }

    // Every claimed message length either strips valid padding or is refused.
    for pad in 0..=4usize {
        let Some(len) = body.len().checked_sub(pad) else {
            break;
        };
        match decoded.strip_padding(len) {
            Ok(message) => {
                assert_eq!(message, &body[..len]);
                assert!(pad <= decoded.max_padding);
                assert!(body[len..].iter().all(|&b| b == 0));
            }
            Err(_) => assert!(pad > decoded.max_padding || body[len..].iter().any(|&b| b != 0)),
        }
    }
    assert!(strip_padding(body, body.len().saturating_add(1), 3).is_err());

    if let Message::DoeDiscovery(dword) = decoded.message {
        let request = DiscoveryRequest::from_dword(dword);
        let response = DiscoveryResponse::from_dword(dword);
        assert_eq!(response.to_dword(), *dword);
        let answered = DiscoveryTable::SPDM.respond(request);
        assert_eq!(answered.is_ok(), request.index <= 2);
        let next = DiscoveryWalk::start().on_response(response);
        if let Ok(DiscoveryWalk::Asking(asking)) = next {
            assert!(asking.request().index > 0);
        }
    }
}

/// Binding layer: every binding's decoder on the same bytes.
fn bindings(data: &[u8]) {
    for kind in TransportKind::ALL {
        let Some(binding) = AnyBinding::for_kind(kind) else {
            continue;
        };
        match binding.decode(data) {
            Ok(decoded) => check_decoded(&binding, data, decoded),
            Err(e) => assert!(!e.to_string().is_empty()),
        }
    }
}

/// Capture parser: never panics; what parses re-renders to the same frames.
fn capture(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let limits = CaptureLimits::default();
    let Ok(parsed) = Capture::parse(&text, limits) else {
        return;
    };
    let mut rendered = String::new();
    for frame in &parsed.frames {
        if let Some(note) = &frame.note {
            rendered.push_str(&format!(
                "# [{}] {}: {}\n",
                note.number, note.name, note.details
            ));
        }
        let dir = match frame.direction {
            Direction::ToResponder => '>',
            Direction::ToRequester => '<',
        };
        rendered.push(dir);
        rendered.push(' ');
        for b in &frame.bytes {
            rendered.push_str(&format!("{b:02x}"));
        }
        rendered.push('\n');
    }
    let again = Capture::parse(&rendered, limits).unwrap();
    assert_eq!(again.frames.len(), parsed.frames.len());
    for (a, b) in again.frames.iter().zip(&parsed.frames) {
        assert_eq!(a.direction, b.direction);
        assert_eq!(a.bytes, b.bytes);
        assert_eq!(
            a.note.as_ref().map(|n| n.number),
            b.note.as_ref().map(|n| n.number)
        );
    }
}

fuzz_target!(|input: &[u8]| {
    let Some((&selector, data)) = input.split_first() else {
        return;
    };
    platform(selector, data);
    bindings(data);
    // The platform payload, if the data is a frame, through the bindings too.
    if let Some(payload) = data.get(12..) {
        bindings(payload);
    }
    capture(data);
    // Flavor numbering is a bijection on whatever number the data holds.
    if let Some(raw) = data.get(..4) {
        let raw = u32::from_be_bytes(raw.try_into().unwrap());
        for flavor in SocketFlavor::ALL {
            if let Some(kind) = flavor.transport_kind(raw) {
                assert_eq!(flavor.transport_type(kind), Some(raw));
            }
        }
    }
});
