//! Parser for SPDM capture files (`shared/spdm/transcripts/*.txt`; format in its README):
//! frame-by-frame records of a libspdm requester and responder talking through spdm-emu.
//!
//! ```text
//! # header comments (config, transport, negotiated algorithms, ...)
//! # [1] GET_VERSION: details            a note, attached to the next frame
//! > 0510840000                          requester -> responder, payload as lowercase hex
//! # [2] VERSION: details
//! < 051004000000010012                  responder -> requester
//! ```
//!
//! Each frame is one platform payload (the transport message, without the 12-byte platform
//! header). The files are test data, but parsing them is still bounded ([`CaptureLimits`]) and
//! every failure is a [`CaptureError`] naming the line.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use crate::limit::PayloadLimit;
use crate::transport_type::TransportKind;

/// Which way a frame went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// `>`: requester to responder.
    ToResponder,
    /// `<`: responder to requester.
    ToRequester,
}

/// The `# [n] NAME: details` note before a frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameNote {
    /// `n`, counting frames from 1.
    pub number: usize,
    /// `NAME`: the SPDM request/response code name (`GET_VERSION`, `CHALLENGE_AUTH`, ...),
    /// `DOE_DISCOVERY`, or `SECURED_MESSAGE(<inferred inner name>)`.
    pub name: String,
    /// Everything after `NAME: `.
    pub details: String,
}

/// One frame of a capture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaptureFrame {
    /// The line it was on (1-based).
    pub line: usize,
    /// Its direction.
    pub direction: Direction,
    /// The transport message, exactly as sent.
    pub bytes: Vec<u8>,
    /// The note before it, if there was one.
    pub note: Option<FrameNote>,
}

/// A parsed capture file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capture {
    /// Comment lines before the first frame (and its note), without the leading `#` and one
    /// space.
    pub header: Vec<String>,
    /// The frames, in wire order.
    pub frames: Vec<CaptureFrame>,
    /// Comment lines after the first frame that are not frame notes (e.g. the platform
    /// SHUTDOWN lines at the end).
    pub trailer: Vec<String>,
}

/// Our limits for a capture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct CaptureLimits {
    /// Longest input, bytes.
    pub max_input: usize,
    /// Most frames.
    pub max_frames: usize,
    /// Longest frame, bytes.
    pub max_frame: usize,
}

impl Default for CaptureLimits {
    /// 4 MiB of text, 4096 frames, frames up to [`PayloadLimit::CEILING`] (1 MiB).
    fn default() -> Self {
        Self {
            max_input: 4 << 20,
            max_frames: 4096,
            max_frame: PayloadLimit::CEILING,
        }
    }
}

/// A capture that does not parse: where, and what was wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
#[error("{kind} at line {line}")]
pub struct CaptureError {
    /// The line (1-based; 0 for the input as a whole).
    pub line: usize,
    /// What was wrong.
    pub kind: CaptureErrorKind,
}

/// The kind of a [`CaptureError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CaptureErrorKind {
    /// The input is longer than [`CaptureLimits::max_input`].
    #[error("Input of {len} bytes above the limit of {max}")]
    InputTooLarge {
        /// Its length (at least; reading stops past the limit).
        len: usize,
        /// The limit.
        max: usize,
    },
    /// More frames than [`CaptureLimits::max_frames`].
    #[error("More than {max} frames")]
    TooManyFrames {
        /// The limit.
        max: usize,
    },
    /// A frame longer than [`CaptureLimits::max_frame`].
    #[error("Frame of {len} bytes above the limit of {max}")]
    FrameTooLong {
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A line that is neither a comment, empty, nor starts with `>` or `<` and a space.
    #[error("Line is not a comment or a frame")]
    NotAFrame,
    /// Frame hex of odd length.
    #[error("Hex of odd length {len}")]
    OddHexLength {
        /// Hex digits.
        len: usize,
    },
    /// A character that is not a hex digit.
    #[error("Not a hex digit at column {column}")]
    BadHexDigit {
        /// Its column (1-based, bytes).
        column: usize,
    },
    /// A `# [` line that is not `# [n] NAME: details`.
    #[error("Frame note is not `# [n] NAME: details`")]
    BadFrameNote,
    /// A frame note numbered other than the frame it precedes.
    #[error("Frame note [{found}] before frame {expected}")]
    FrameNumber {
        /// The frame's number.
        expected: usize,
        /// The note's.
        found: usize,
    },
    /// A frame note not followed by its frame.
    #[error("Frame note without a frame")]
    DanglingNote,
}

/// Reading a capture file failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadCaptureError {
    /// The file could not be read (or is not UTF-8).
    #[error("Capture file not readable")]
    Io(#[source] io::Error),
    /// The file does not parse.
    #[error(transparent)]
    Parse(#[from] CaptureError),
}

impl Capture {
    /// Reads and parses the capture file at `path`, reading at most
    /// `limits.max_input + 1` bytes.
    ///
    /// # Errors
    /// [`ReadCaptureError::Io`] if the file cannot be read as UTF-8;
    /// [`ReadCaptureError::Parse`] as [`parse`](Self::parse).
    pub fn read_file(
        path: impl AsRef<Path>,
        limits: CaptureLimits,
    ) -> Result<Self, ReadCaptureError> {
        let file = File::open(path).map_err(ReadCaptureError::Io)?;
        let mut text = String::new();
        let max = u64::try_from(limits.max_input.saturating_add(1)).unwrap_or(u64::MAX);
        file.take(max)
            .read_to_string(&mut text)
            .map_err(ReadCaptureError::Io)?;
        Ok(Self::parse(&text, limits)?)
    }

    /// Parses a capture.
    ///
    /// # Errors
    /// A [`CaptureError`] with the line of the first problem.
    pub fn parse(text: &str, limits: CaptureLimits) -> Result<Self, CaptureError> {
        if text.len() > limits.max_input {
            return Err(CaptureError {
                line: 0,
                kind: CaptureErrorKind::InputTooLarge {
                    len: text.len(),
                    max: limits.max_input,
                },
            });
        }
        let mut capture = Self {
            header: Vec::new(),
            frames: Vec::new(),
            trailer: Vec::new(),
        };
        let mut pending: Option<(usize, FrameNote)> = None;
        let mut line_no = 0usize;
        for line in text.lines() {
            line_no = line_no.saturating_add(1);
            let err = |kind| CaptureError {
                line: line_no,
                kind,
            };
            let line = line.trim_end();
            if line.is_empty() {
                continue;
            }
            if let Some(comment) = line.strip_prefix('#') {
                let comment = comment.strip_prefix(' ').unwrap_or(comment);
                if comment.starts_with('[') {
                    if pending.is_some() {
                        return Err(err(CaptureErrorKind::DanglingNote));
                    }
                    let note = parse_note(comment).ok_or(err(CaptureErrorKind::BadFrameNote))?;
                    pending = Some((line_no, note));
                } else if capture.frames.is_empty() && pending.is_none() {
                    capture.header.push(comment.to_owned());
                } else {
                    capture.trailer.push(comment.to_owned());
                }
                continue;
            }
            let (direction, rest) = if let Some(rest) = line.strip_prefix('>') {
                (Direction::ToResponder, rest)
            } else if let Some(rest) = line.strip_prefix('<') {
                (Direction::ToRequester, rest)
            } else {
                return Err(err(CaptureErrorKind::NotAFrame));
            };
            // `> HEX`; an empty payload may have lost its space to trimming.
            let hex = match rest.strip_prefix(' ') {
                Some(hex) => hex,
                None if rest.is_empty() => rest,
                None => return Err(err(CaptureErrorKind::NotAFrame)),
            };
            let expected = capture.frames.len().saturating_add(1);
            if capture.frames.len() >= limits.max_frames {
                return Err(err(CaptureErrorKind::TooManyFrames {
                    max: limits.max_frames,
                }));
            }
            let len = hex.len() >> 1;
            if len > limits.max_frame {
                return Err(err(CaptureErrorKind::FrameTooLong {
                    len,
                    max: limits.max_frame,
                }));
            }
            let bytes = decode_hex(hex).map_err(err)?;
            let note = match pending.take() {
                Some((_, note)) if note.number != expected => {
                    return Err(err(CaptureErrorKind::FrameNumber {
                        expected,
                        found: note.number,
                    }));
                }
                Some((_, note)) => Some(note),
                None => None,
            };
            capture.frames.push(CaptureFrame {
                line: line_no,
                direction,
                bytes,
                note,
            });
        }
        if let Some((line, _)) = pending {
            return Err(CaptureError {
                line,
                kind: CaptureErrorKind::DanglingNote,
            });
        }
        Ok(capture)
    }

    /// The values of header lines `key: value`, in order (e.g. `"negotiated"` has two).
    pub fn header_values<'s>(&'s self, key: &'s str) -> impl Iterator<Item = &'s str> + 's {
        self.header.iter().filter_map(move |line| {
            line.strip_prefix(key)
                .and_then(|rest| rest.strip_prefix(':'))
                .map(str::trim)
        })
    }

    /// The transport named by the `transport:` header line (`MCTP`, `PCI_DOE`, `NONE`, `TCP`).
    #[must_use]
    pub fn transport(&self) -> Option<TransportKind> {
        let value = self.header_values("transport").next()?;
        let name = value.split(':').next()?.trim();
        match name {
            "MCTP" => Some(TransportKind::Mctp),
            "PCI_DOE" => Some(TransportKind::PciDoe),
            "NONE" => Some(TransportKind::None),
            "TCP" => Some(TransportKind::Tcp),
            _ => None,
        }
    }
}

/// `[n] NAME: details` (after `# `).
fn parse_note(comment: &str) -> Option<FrameNote> {
    let rest = comment.strip_prefix('[')?;
    let (number, rest) = rest.split_once(']')?;
    let number = number.parse::<usize>().ok()?;
    let (name, details) = rest.strip_prefix(' ')?.split_once(':')?;
    if name.is_empty() || name.contains(' ') {
        return None;
    }
    Some(FrameNote {
        number,
        name: name.to_owned(),
        details: details.trim_start().to_owned(),
    })
}

/// Hex digits to bytes (either case).
fn decode_hex(hex: &str) -> Result<Vec<u8>, CaptureErrorKind> {
    let digits = hex.as_bytes();
    if digits.len() & 1 != 0 {
        return Err(CaptureErrorKind::OddHexLength { len: digits.len() });
    }
    let mut out = Vec::with_capacity(digits.len() >> 1);
    for (i, pair) in digits.chunks_exact(2).enumerate() {
        // Column of the pair's first digit in the line (after "> ").
        let column = i.saturating_mul(2).saturating_add(3);
        let byte = match pair {
            &[hi, lo] => nibble(hi)
                .ok_or(CaptureErrorKind::BadHexDigit { column })?
                .checked_mul(16)
                .and_then(|hi| nibble(lo).and_then(|lo| hi.checked_add(lo)))
                .ok_or(CaptureErrorKind::BadHexDigit {
                    column: column.saturating_add(1),
                })?,
            _ => return Err(CaptureErrorKind::OddHexLength { len: digits.len() }),
        };
        out.push(byte);
    }
    Ok(out)
}

fn nibble(digit: u8) -> Option<u8> {
    char::from(digit)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "\
# SPDM transcript: sample
# transport: MCTP: each payload = 1-byte MCTP message type
# negotiated: SPDM 1.2
# negotiated: BaseHashSel=SHA_384
#
# [1] GET_VERSION: SPDM 1.0, code 0x84
> 0510840000
# [2] VERSION: SPDM 1.0, code 0x04
< 051004000000010012
> 05

# platform SHUTDOWN (command 0x0000fffe, not SPDM) requester->responder, empty payload
";

    fn parse(text: &str) -> Result<Capture, CaptureError> {
        Capture::parse(text, CaptureLimits::default())
    }

    fn at(line: usize, kind: CaptureErrorKind) -> Result<Capture, CaptureError> {
        Err(CaptureError { line, kind })
    }

    #[test]
    fn parses_frames_notes_and_header() {
        let c = parse(SAMPLE).unwrap();
        assert_eq!(c.frames.len(), 3);
        assert_eq!(c.frames[0].direction, Direction::ToResponder);
        assert_eq!(c.frames[0].bytes, [0x05, 0x10, 0x84, 0x00, 0x00]);
        assert_eq!(c.frames[0].line, 7);
        assert_eq!(
            c.frames[0].note,
            Some(FrameNote {
                number: 1,
                name: "GET_VERSION".into(),
                details: "SPDM 1.0, code 0x84".into()
            })
        );
        assert_eq!(c.frames[1].direction, Direction::ToRequester);
        assert_eq!(c.frames[2].note, None);
        assert_eq!(c.header.len(), 5);
        assert_eq!(c.header[0], "SPDM transcript: sample");
        assert_eq!(c.transport(), Some(TransportKind::Mctp));
        assert_eq!(
            c.header_values("negotiated").collect::<Vec<_>>(),
            ["SPDM 1.2", "BaseHashSel=SHA_384"]
        );
        assert_eq!(c.trailer.len(), 1);
        assert!(c.trailer[0].starts_with("platform SHUTDOWN"));
    }

    #[test]
    fn accepts_empty_and_uppercase_frames() {
        let c = parse("> \n<\n> AbCd\n").unwrap();
        assert_eq!(c.frames[0].bytes, [] as [u8; 0]);
        assert_eq!(c.frames[1].bytes, [] as [u8; 0]);
        assert_eq!(c.frames[2].bytes, [0xAB, 0xCD]);
    }

    #[test]
    fn refuses_line_that_is_not_a_frame() {
        assert_eq!(parse("# ok\n>0510\n"), at(2, CaptureErrorKind::NotAFrame));
        assert_eq!(parse("= 0510\n"), at(1, CaptureErrorKind::NotAFrame));
    }

    #[test]
    fn refuses_odd_hex() {
        assert_eq!(
            parse("> 051\n"),
            at(1, CaptureErrorKind::OddHexLength { len: 3 })
        );
    }

    #[test]
    fn refuses_bad_hex_digit() {
        assert_eq!(
            parse("> 05zz\n"),
            at(1, CaptureErrorKind::BadHexDigit { column: 5 })
        );
        assert_eq!(
            parse("> 0g\n"),
            at(1, CaptureErrorKind::BadHexDigit { column: 4 })
        );
        // `+f` parses with `from_str_radix`; not here.
        assert_eq!(
            parse("> +f\n"),
            at(1, CaptureErrorKind::BadHexDigit { column: 3 })
        );
        // A multi-byte character.
        assert_eq!(
            parse("> é00\n"),
            at(1, CaptureErrorKind::BadHexDigit { column: 3 })
        );
    }

    #[test]
    fn refuses_bad_frame_note() {
        for note in [
            "# [x] A: b",
            "# [1 A: b",
            "# [1]A: b",
            "# [1] A b",
            "# [1] : b",
        ] {
            assert_eq!(
                parse(&format!("{note}\n> 00\n")),
                at(1, CaptureErrorKind::BadFrameNote),
                "{note}"
            );
        }
    }

    #[test]
    fn refuses_frame_note_numbered_wrong() {
        assert_eq!(
            parse("# [1] A: x\n> 00\n# [3] B: y\n< 00\n"),
            at(
                4,
                CaptureErrorKind::FrameNumber {
                    expected: 2,
                    found: 3
                }
            )
        );
    }

    #[test]
    fn refuses_dangling_note() {
        assert_eq!(
            parse("# [1] A: x\n# [2] B: y\n> 00\n"),
            at(2, CaptureErrorKind::DanglingNote)
        );
        assert_eq!(
            parse("> 00\n# [2] B: y\n"),
            at(2, CaptureErrorKind::DanglingNote)
        );
    }

    #[test]
    fn refuses_input_over_limit() {
        let limits = CaptureLimits {
            max_input: 8,
            ..CaptureLimits::default()
        };
        assert_eq!(
            Capture::parse("> 0510840000\n", limits),
            at(0, CaptureErrorKind::InputTooLarge { len: 13, max: 8 })
        );
    }

    #[test]
    fn refuses_too_many_frames() {
        let limits = CaptureLimits {
            max_frames: 2,
            ..CaptureLimits::default()
        };
        assert_eq!(
            Capture::parse("> 00\n< 00\n> 00\n", limits),
            at(3, CaptureErrorKind::TooManyFrames { max: 2 })
        );
    }

    #[test]
    fn refuses_frame_over_limit() {
        let limits = CaptureLimits {
            max_frame: 2,
            ..CaptureLimits::default()
        };
        assert_eq!(
            Capture::parse("> 0000\n< 000000\n", limits),
            at(2, CaptureErrorKind::FrameTooLong { len: 3, max: 2 })
        );
    }

    #[test]
    fn error_messages_name_the_line() {
        let e = CaptureError {
            line: 7,
            kind: CaptureErrorKind::OddHexLength { len: 3 },
        };
        assert_eq!(e.to_string(), "Hex of odd length 3 at line 7");
    }

    #[test]
    fn refuses_unreadable_file() {
        assert!(matches!(
            Capture::read_file("/nonexistent/capture.txt", CaptureLimits::default()),
            Err(ReadCaptureError::Io(_))
        ));
    }
}
