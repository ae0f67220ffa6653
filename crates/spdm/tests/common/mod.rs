//! A small reader for the libspdm captures (`shared/spdm/transcripts/*.txt`, format in its
//! README): each frame with its `# [n] NAME: details` note and, for SPDM frames, the SPDM
//! message with the transport bytes stripped.

#![allow(dead_code, reason = "each test binary uses part of it")]

use std::path::PathBuf;

/// One frame of a capture.
#[derive(Debug, Clone)]
pub struct Frame {
    /// `n` of the note.
    pub number: usize,
    /// `>`: requester to responder.
    pub to_responder: bool,
    /// The note's NAME.
    pub name: String,
    /// The note's details.
    pub details: String,
    /// The transport payload, exactly as sent.
    pub payload: Vec<u8>,
}

/// What the transport byte(s) of a frame say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// 1-byte MCTP message type.
    Mctp,
    /// 8-byte PCI DOE header, data padded to 4 bytes.
    Doe,
}

/// The four capture files with their transport.
pub const CAPTURES: [(&str, Transport); 4] = [
    ("mctp_1.2_p384.txt", Transport::Mctp),
    ("doe_1.3_p256.txt", Transport::Doe),
    ("mctp_1.2_p384_session.txt", Transport::Mctp),
    ("mctp_1.4_mldsa65.txt", Transport::Mctp),
];

/// The transcripts directory (`shared/` beside the repository).
pub fn dir() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/spdm/transcripts/"
    ))
}

/// Reads every frame of `name`.
pub fn read(name: &str) -> Vec<Frame> {
    let text = std::fs::read_to_string(dir().join(name)).expect("capture file");
    let mut frames = Vec::new();
    let mut note: Option<(usize, String, String)> = None;
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# [") {
            let (n, rest) = rest.split_once("] ").expect("note number");
            let (name, details) = rest.split_once(": ").expect("note name");
            note = Some((n.parse().expect("number"), name.into(), details.into()));
        } else if let Some((dir, hex)) = line.split_once(' ')
            && (dir == ">" || dir == "<")
        {
            let (number, name, details) = note.take().expect("every frame has a note");
            frames.push(Frame {
                number,
                to_responder: dir == ">",
                name,
                details,
                payload: hex::decode(hex).expect("hex"),
            });
        }
    }
    frames
}

impl Frame {
    /// The SPDM message and the bytes after it (DOE padding), or `None` for a frame that
    /// is not a plain SPDM message (secured messages, DOE discovery).
    pub fn spdm(&self, transport: Transport) -> Option<&[u8]> {
        match transport {
            Transport::Mctp => match self.payload.split_first() {
                Some((0x05, message)) => Some(message),
                _ => None,
            },
            Transport::Doe => {
                let (header, data) = self.payload.split_at(8);
                assert_eq!(&header[..2], &[0x01, 0x00], "DOE vendor PCI-SIG");
                let dwords = u32::from_le_bytes(header[4..8].try_into().unwrap());
                assert_eq!(dwords as usize * 4, self.payload.len(), "DOE length");
                (header[2] == 1).then_some(data)
            }
        }
    }

    /// `key=0x..` / `key=N` from the details.
    pub fn detail(&self, key: &str) -> Option<String> {
        let start = self.details.find(&format!("{key}="))? + key.len() + 1;
        let value: String = self.details[start..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '.')
            .collect();
        Some(value)
    }

    /// A `0x..` or decimal detail as a number.
    pub fn number(&self, key: &str) -> Option<u64> {
        let v = self.detail(key)?;
        match v.strip_prefix("0x") {
            Some(hex) => u64::from_str_radix(hex, 16).ok(),
            None => v.parse().ok(),
        }
    }

    /// "SPDM message N bytes" and "+ P zero pad byte(s)" from the details.
    pub fn spdm_len(&self) -> (usize, usize) {
        let (_, rest) = self
            .details
            .split_once("SPDM message ")
            .expect("SPDM message length");
        let len = rest.split(' ').next().unwrap().parse().unwrap();
        let pad = rest
            .split_once("+ ")
            .filter(|(_, r)| r.contains("zero pad"))
            .map_or(0, |(_, r)| r.split(' ').next().unwrap().parse().unwrap());
        (len, pad)
    }

    /// "SPDM 1.x" from the details, as the SPDMVersion byte.
    pub fn spdm_version(&self) -> u8 {
        let (_, rest) = self.details.split_once("SPDM 1.").expect("SPDM version");
        0x10 + rest.as_bytes()[0] - b'0'
    }

    /// "code 0xNN" from the details.
    pub fn code(&self) -> u8 {
        let (_, rest) = self.details.split_once("code 0x").expect("code");
        u8::from_str_radix(&rest[..2], 16).unwrap()
    }
}
