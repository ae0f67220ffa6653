//! Shared helpers of the `requester_*` and `transcript_*` tests: the libspdm captures read
//! through `vtrust-spdm-transport`'s capture parser and bindings, the sample keys, and the
//! transcript known answers of `shared/spdm/transcripts/README.md`.

#![allow(dead_code, reason = "each test binary uses part of it")]

pub mod replay;

use vtrust_spdm_transport::binding::{AnyBinding, Binding, Message};
use vtrust_spdm_transport::capture::{Capture, CaptureLimits, Direction};

/// `shared/spdm/` beside the repository.
pub const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/spdm/");

/// One SPDM frame of a capture.
#[derive(Debug, Clone)]
pub struct Msg {
    /// `[n]` of the note.
    pub number: usize,
    /// Requester to responder.
    pub to_responder: bool,
    /// The note's NAME.
    pub name: String,
    /// The note's details.
    pub details: String,
    /// The transport payload exactly as sent.
    pub frame: Vec<u8>,
    /// The SPDM message with any DOE padding still on.
    pub spdm: Vec<u8>,
}

impl Msg {
    /// "SPDM message N bytes" from the note: the exact SPDM length (no padding).
    pub fn spdm_len(&self) -> usize {
        let (_, rest) = self.details.split_once("SPDM message ").expect("length");
        rest.split(' ').next().unwrap().parse().unwrap()
    }

    /// The exact SPDM message (DOE padding removed, per the note's length).
    pub fn exact(&self) -> &[u8] {
        &self.spdm[..self.spdm_len()]
    }

    /// The hex value after `key=` in the details.
    pub fn hex_detail(&self, key: &str) -> Vec<u8> {
        let start = self.details.find(&format!("{key}=")).expect(key) + key.len() + 1;
        let hex: String = self.details[start..]
            .chars()
            .take_while(char::is_ascii_hexdigit)
            .collect();
        hex::decode(hex).unwrap()
    }
}

/// A parsed capture: its binding and its SPDM frames (DOE discovery and secured frames
/// are skipped).
pub struct Loaded {
    /// The transport binding named in the header.
    pub binding: AnyBinding,
    /// The SPDM frames in wire order.
    pub msgs: Vec<Msg>,
    /// Every frame, in wire order (including discovery), as (to_responder, payload).
    pub all_frames: Vec<(bool, Vec<u8>)>,
}

/// Reads `transcripts/<name>`.
pub fn load(name: &str) -> Loaded {
    let path = format!("{SHARED}transcripts/{name}");
    let capture = Capture::read_file(&path, CaptureLimits::default()).expect("capture");
    let kind = capture.transport().expect("transport");
    let binding = AnyBinding::for_kind(kind).expect("binding");
    let mut msgs = Vec::new();
    let mut all_frames = Vec::new();
    for f in &capture.frames {
        let to_responder = f.direction == Direction::ToResponder;
        all_frames.push((to_responder, f.bytes.clone()));
        let decoded = binding.decode(&f.bytes).expect("transport decode");
        if let Message::Spdm(body) = decoded.message {
            let note = f.note.as_ref().expect("note");
            msgs.push(Msg {
                number: note.number,
                to_responder,
                name: note.name.clone(),
                details: note.details.clone(),
                frame: f.bytes.clone(),
                spdm: body.to_vec(),
            });
        }
    }
    Loaded {
        binding,
        msgs,
        all_frames,
    }
}

impl Loaded {
    /// The frame with note number `n`.
    pub fn frame(&self, n: usize) -> &Msg {
        self.msgs.iter().find(|m| m.number == n).expect("frame")
    }

    /// Concatenation of the exact SPDM messages of frames `ns`.
    pub fn cat(&self, ns: impl IntoIterator<Item = usize>) -> Vec<u8> {
        ns.into_iter()
            .flat_map(|n| self.frame(n).exact().to_vec())
            .collect()
    }
}

/// Reassembles the large response carried by CHUNK_RESPONSE frames `ns` (SPDM 1.4:
/// header 4, ChunkSeqNo u16, Reserved u16, ChunkSize u32, LargeMessageSize u32 in chunk 0).
pub fn reassemble_chunks(loaded: &Loaded, ns: &[usize]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut large = None;
    for (i, &n) in ns.iter().enumerate() {
        let m = loaded.frame(n).exact();
        assert_eq!(m[1], 0x06, "CHUNK_RESPONSE");
        let seq = u16::from_le_bytes([m[4], m[5]]) as usize;
        assert_eq!(seq, i);
        let size = u32::from_le_bytes(m[8..12].try_into().unwrap()) as usize;
        let start = if i == 0 {
            large = Some(u32::from_le_bytes(m[12..16].try_into().unwrap()) as usize);
            16
        } else {
            12
        };
        assert_eq!(m.len(), start + size);
        out.extend_from_slice(&m[start..]);
    }
    assert_eq!(Some(out.len()), large);
    out
}

/// Reads a sample key file.
pub fn sample(path: &str) -> Vec<u8> {
    std::fs::read(format!("{SHARED}sample_key/{path}")).expect("sample key")
}

/// Splits concatenated DER certificates.
pub fn split_der(mut bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        assert_eq!(bytes[0], 0x30);
        let (len, hdr) = match bytes[1] {
            n if n < 0x80 => (n as usize, 2),
            0x81 => (bytes[2] as usize, 3),
            0x82 => (u16::from_be_bytes([bytes[2], bytes[3]]) as usize, 4),
            0x83 => (
                u32::from_be_bytes([0, bytes[2], bytes[3], bytes[4]]) as usize,
                5,
            ),
            _ => panic!("DER length"),
        };
        out.push(bytes[..hdr + len].to_vec());
        bytes = &bytes[hdr + len..];
    }
    out
}

/// 2026-11-22 00:00:00 UTC, the day the captures were made.
pub const CAPTURE_DAY_UNIX: u64 = 1_795_305_600;
