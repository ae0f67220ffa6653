//! Every frame of the four libspdm captures (`shared/spdm/transcripts/*.txt`) through the
//! capture parser, the platform codec and the matching binding: type bytes, DOE lengths,
//! padding and secured-record lengths must agree with the captures' own annotations, and our
//! encoder must rebuild libspdm's bytes exactly.

use vtrust_spdm_transport::binding::doe::DOE_HEADER_LEN;
use vtrust_spdm_transport::binding::doe_discovery::{
    DiscoveryRequest, DiscoveryResponse, DiscoveryTable, DiscoveryWalk, Protocol,
};
use vtrust_spdm_transport::capture::{Capture, CaptureFrame, CaptureLimits, Direction};
use vtrust_spdm_transport::{
    AnyBinding, Binding, CLIENT_HELLO, Command, Message, PayloadLimit, PlatformCodec, SERVER_HELLO,
    SocketFlavor, SocketTransport, TransportKind,
};

const DIR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/spdm/transcripts/"
);

/// (file, transport, frames) from the transcripts README.
const FILES: [(&str, TransportKind, usize); 4] = [
    ("mctp_1.2_p384.txt", TransportKind::Mctp, 22),
    ("doe_1.3_p256.txt", TransportKind::PciDoe, 28),
    ("mctp_1.2_p384_session.txt", TransportKind::Mctp, 38),
    ("mctp_1.4_mldsa65.txt", TransportKind::Mctp, 66),
];

fn load(name: &str) -> Capture {
    let path = format!("{DIR}{name}");
    Capture::read_file(&path, CaptureLimits::default()).unwrap_or_else(|e| panic!("{path}: {e:?}"))
}

/// The number after `key` in a note's details (`"SPDM message "` -> 174).
fn number_after(details: &str, key: &str) -> Option<usize> {
    let rest = &details[details.find(key)? + key.len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

fn note_name(frame: &CaptureFrame) -> &str {
    &frame
        .note
        .as_ref()
        .expect("every captured frame has a note")
        .name
}

fn details(frame: &CaptureFrame) -> &str {
    &frame
        .note
        .as_ref()
        .expect("every captured frame has a note")
        .details
}

#[test]
fn every_frame_of_every_capture_decodes_and_re_encodes() {
    let mut total = 0;
    for (file, kind, count) in FILES {
        let capture = load(file);
        assert_eq!(capture.transport(), Some(kind), "{file}");
        assert_eq!(capture.frames.len(), count, "{file}");
        let declared: usize = capture
            .header_values("frames")
            .next()
            .and_then(|v| v.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap();
        assert_eq!(declared, count, "{file}: `# frames:` header");

        let binding = AnyBinding::for_kind(kind).unwrap();
        let transport = SocketTransport::new(SocketFlavor::SpdmEmu, kind).unwrap();
        let codec = PlatformCodec::new(transport, PayloadLimit::SPDM_EMU);
        for (i, frame) in capture.frames.iter().enumerate() {
            let at = format!("{file} [{}]", i + 1);
            let note = frame.note.as_ref().unwrap();
            assert_eq!(note.number, i + 1, "{at}");
            // Requests and responses alternate.
            let expect_dir = if i % 2 == 0 {
                Direction::ToResponder
            } else {
                Direction::ToRequester
            };
            assert_eq!(frame.direction, expect_dir, "{at}");

            // Through the platform framing, under spdm-emu's limit.
            let wire = codec.encode_frame(Command::Normal, &frame.bytes).unwrap();
            assert_eq!(
                wire[8..12],
                (frame.bytes.len() as u32).to_be_bytes(),
                "{at}"
            );
            let back = codec.decode_frame(&wire).unwrap();
            assert_eq!(back.payload, frame.bytes, "{at}");

            let decoded = binding
                .decode(&frame.bytes)
                .unwrap_or_else(|e| panic!("{at}: {e:?}"));
            let name = note_name(frame);
            let body = decoded.message.body();
            match decoded.message {
                Message::Secured(record) => {
                    assert!(name.starts_with("SECURED_MESSAGE("), "{at}: {name}");
                    // MCTP secured record: SessionID u32, SeqNum u16, Length u16, then Length bytes.
                    let length = u16::from_le_bytes([record[6], record[7]]) as usize;
                    assert_eq!(length, record.len() - 8, "{at}");
                    assert_eq!(
                        number_after(details(frame), "length="),
                        Some(length),
                        "{at}"
                    );
                    assert_eq!(record[..4], [0xFF; 4], "{at}: session 0xffffffff");
                }
                Message::Spdm(_) => {
                    assert!(!name.starts_with("SECURED_MESSAGE"), "{at}: {name}");
                    let spdm_len = number_after(details(frame), "SPDM message ").unwrap();
                    let pad = number_after(details(frame), "bytes + ").unwrap_or(0);
                    assert_eq!(body.len(), spdm_len + pad, "{at}");
                    assert!(pad <= decoded.max_padding, "{at}");
                    let message = decoded.strip_padding(spdm_len).unwrap();
                    // SPDMVersion 0x10..=0x14 and a code whose direction matches.
                    assert!((0x10..=0x14).contains(&message[0]), "{at}");
                    let is_request = message[1] & 0x80 != 0;
                    assert_eq!(
                        is_request,
                        frame.direction == Direction::ToResponder,
                        "{at}"
                    );
                    // Our encoder rebuilds libspdm's bytes, padding included.
                    assert_eq!(
                        binding.to_vec(Message::Spdm(message)).unwrap(),
                        frame.bytes,
                        "{at}"
                    );
                }
                Message::DoeDiscovery(_) => {
                    assert_eq!(name, "DOE_DISCOVERY", "{at}");
                    assert_eq!(
                        binding.to_vec(decoded.message).unwrap(),
                        frame.bytes,
                        "{at}"
                    );
                }
                other => panic!("{at}: unexpected {other:?}"),
            }
            if let Message::Secured(_) = decoded.message {
                assert_eq!(
                    binding.to_vec(decoded.message).unwrap(),
                    frame.bytes,
                    "{at}"
                );
            }

            if kind == TransportKind::Mctp {
                let expect_type = if name.starts_with("SECURED_MESSAGE") {
                    0x06
                } else {
                    0x05
                };
                assert_eq!(frame.bytes[0], expect_type, "{at}");
            }
            if kind == TransportKind::PciDoe {
                // The note's "length N dw" is the DOE Length field and the object's size.
                let dw = number_after(details(frame), "length ").unwrap();
                assert_eq!(dw * 4, frame.bytes.len(), "{at}");
                assert_eq!(
                    u32::from_le_bytes(frame.bytes[4..8].try_into().unwrap()) as usize,
                    dw,
                    "{at}"
                );
                assert_eq!(frame.bytes.len() % 4, 0, "{at}");
                let expect_type = if name == "DOE_DISCOVERY" { 0 } else { 1 };
                assert_eq!(frame.bytes[2], expect_type, "{at}");
                assert_eq!(frame.bytes.len() - DOE_HEADER_LEN, body.len(), "{at}");
            }
            total += 1;
        }
    }
    assert_eq!(total, 22 + 28 + 38 + 66);
}

#[test]
fn doe_capture_challenge_auth_is_padded_by_two() {
    let capture = load("doe_1.3_p256.txt");
    let frame = &capture.frames[19];
    assert_eq!(note_name(frame), "CHALLENGE_AUTH");
    // "46 dwords = 8 + 176 bytes, but the SPDM message is 174 bytes + 2 zero bytes".
    assert_eq!(frame.bytes.len(), 46 * 4);
    let decoded = AnyBinding::for_kind(TransportKind::PciDoe)
        .unwrap()
        .decode(&frame.bytes)
        .unwrap();
    assert_eq!(decoded.message.body().len(), 176);
    let message = decoded.strip_padding(174).unwrap();
    assert_eq!(message.len(), 174);
    assert_eq!(&message[..4], [0x13, 0x03, 0x00, 0x03]);
    assert_eq!(&frame.bytes[182..], [0, 0]);
}

#[test]
fn doe_capture_discovery_matches_our_table_and_walk() {
    let capture = load("doe_1.3_p256.txt");
    let binding = AnyBinding::for_kind(TransportKind::PciDoe).unwrap();
    let mut asking = DiscoveryWalk::start();
    let mut found = None;
    for pair in capture.frames[..6].chunks(2) {
        let (request, response) = (&pair[0], &pair[1]);
        let Message::DoeDiscovery(req) = binding.decode(&request.bytes).unwrap().message else {
            panic!("not discovery");
        };
        let Message::DoeDiscovery(rsp) = binding.decode(&response.bytes).unwrap().message else {
            panic!("not discovery");
        };
        let req = DiscoveryRequest::from_dword(req);
        let rsp = DiscoveryResponse::from_dword(rsp);
        // Responder side: our table gives libspdm's answer, byte for byte.
        assert_eq!(DiscoveryTable::SPDM.respond(req), Ok(rsp));
        let ours = binding
            .to_vec(Message::DoeDiscovery(
                &DiscoveryTable::SPDM.respond(req).unwrap().to_dword(),
            ))
            .unwrap();
        assert_eq!(ours, response.bytes);
        // Requester side: our walk asks what libspdm asked.
        assert_eq!(asking.request(), req);
        let ours = binding
            .to_vec(Message::DoeDiscovery(&asking.request().to_dword()))
            .unwrap();
        assert_eq!(ours, request.bytes);
        match asking.clone().on_response(rsp).unwrap() {
            DiscoveryWalk::Asking(next) => asking = next,
            DiscoveryWalk::Done(done) => found = Some(done),
        }
    }
    let found = found.expect("walk ends after three entries");
    assert_eq!(
        found.protocols(),
        [
            Protocol::DOE_DISCOVERY,
            Protocol::SPDM,
            Protocol::SECURED_SPDM
        ]
    );
}

#[test]
fn capture_platform_notes_hold_the_hello_payloads() {
    for (file, _, _) in FILES {
        let capture = load(file);
        let tests: Vec<&String> = capture
            .header
            .iter()
            .filter(|l| l.starts_with("platform TEST"))
            .collect();
        assert_eq!(tests.len(), 2, "{file}");
        assert!(tests[0].contains(&format!(
            "requester->responder {}",
            hex::encode(CLIENT_HELLO)
        )));
        assert!(tests[1].contains(&format!(
            "responder->requester {}",
            hex::encode(SERVER_HELLO)
        )));
        assert!(tests[0].contains("command 0x0000dead"));
        assert_eq!(format!("0x{:08x}", u32::from(Command::Test)), "0x0000dead");
        let shutdowns = capture
            .trailer
            .iter()
            .filter(|l| l.starts_with("platform SHUTDOWN (command 0x0000fffe"))
            .count();
        assert_eq!(shutdowns, 2, "{file}");
    }
}

#[test]
fn mldsa_capture_fits_spdm_emu_limit_and_chunks_at_4352() {
    let capture = load("mctp_1.4_mldsa65.txt");
    let largest = capture.frames.iter().map(|f| f.bytes.len()).max().unwrap();
    // CHUNK_RESPONSE: 1 MCTP byte + 4352-byte SPDM message.
    assert_eq!(largest, 4353);
    assert!(largest <= PayloadLimit::SPDM_EMU.get());
}
