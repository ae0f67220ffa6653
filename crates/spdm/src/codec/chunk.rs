//! CHUNK_SEND / CHUNK_SEND_ACK and CHUNK_GET / CHUNK_RESPONSE (DSP0274 1.2 §10.20, §10.21):
//! moving a message larger than the peer's DataTransferSize in pieces.
//!
//! Layouts (Param2 is the Handle in all four):
//! - CHUNK_SEND: Param1 bit 0 LastChunk; ChunkSeqNo (1.2/1.3: u16 + Reserved u16; 1.4: u32),
//!   ChunkSize u32, LargeMessageSize u32 (only in chunk 0), SPDMchunk.
//! - CHUNK_SEND_ACK: Param1 bit 0 EarlyErrorDetected; ChunkSeqNo (1.2/1.3: u16; 1.4: u32),
//!   then ResponseToLargeRequest (the response to the reassembled request, after the last
//!   chunk or with an early error; absent otherwise).
//! - CHUNK_GET: Param1 reserved; ChunkSeqNo (1.2/1.3: u16; 1.4: u32).
//! - CHUNK_RESPONSE: Param1 bit 0 LastChunk; then as CHUNK_SEND.
//!
//! The 1.4 layouts are checked against the libspdm 1.4 capture
//! (`shared/spdm/transcripts/mctp_1.4_mldsa65.txt` frames 11-18).

use vtrust_wire::{Encode, EncodeError, LengthPrefix, Reader, Writer};

use super::error::CodecError;
use super::header::{Header, RequestCode, ResponseCode, SpdmVersion, write_header};
use super::{MAX_LARGE_LEN, decode_exact};

/// Param1 bit 0 of CHUNK_SEND and CHUNK_RESPONSE: LastChunk.
const LAST_CHUNK: u8 = 0x01;
/// Param1 bit 0 of CHUNK_SEND_ACK: EarlyErrorDetected.
const EARLY_ERROR_DETECTED: u8 = 0x01;

/// Bytes before SPDMchunk in CHUNK_SEND and CHUNK_RESPONSE (header, ChunkSeqNo, ChunkSize;
/// 1.2/1.3 with the reserved u16), not counting LargeMessageSize. Both layouts are 12 bytes.
pub const CHUNK_HEADER_LEN: usize = 12;
/// LargeMessageSize, present in chunk 0 only.
pub const LARGE_MESSAGE_SIZE_LEN: usize = 4;

fn read_seq_no(
    r: &mut Reader<'_>,
    version: SpdmVersion,
    reserved: bool,
) -> Result<u32, CodecError> {
    if version.at_least(SpdmVersion::V14) {
        Ok(r.u32_le("ChunkSeqNo")?)
    } else {
        let seq = r.u16_le("ChunkSeqNo")?;
        if reserved {
            r.skip_reserved("Reserved", 2)?;
        }
        Ok(u32::from(seq))
    }
}

fn write_seq_no(
    w: &mut Writer,
    version: SpdmVersion,
    seq: u32,
    reserved: bool,
) -> Result<(), EncodeError> {
    if version.at_least(SpdmVersion::V14) {
        w.u32_le("ChunkSeqNo", seq)
    } else {
        let seq = u16::try_from(seq).map_err(|_| EncodeError::invalid_value("ChunkSeqNo"))?;
        w.u16_le("ChunkSeqNo", seq)?;
        if reserved {
            w.zeros("Reserved", 2)?;
        }
        Ok(())
    }
}

/// Chunk messages exist from SPDM 1.2: an earlier SPDMVersion byte does not decode.
fn check_decode_version(version: SpdmVersion) -> Result<(), CodecError> {
    if version.at_least(SpdmVersion::V12) {
        Ok(())
    } else {
        Err(CodecError::new(
            "SPDMVersion",
            super::error::CodecErrorKind::UnsupportedVersion {
                version: version.raw(),
            },
        ))
    }
}

fn check_chunk_version(version: SpdmVersion) -> Result<(), EncodeError> {
    if version.at_least(SpdmVersion::V12) {
        Ok(())
    } else {
        Err(EncodeError::invalid_value("SPDMVersion"))
    }
}

/// The ChunkSeqNo after `seq`, or `None` once it no longer fits `version`'s field (16 bits
/// before 1.4, 32 bits from 1.4).
#[must_use]
pub fn next_chunk_seq_no(version: SpdmVersion, seq: u32) -> Option<u32> {
    seq.checked_add(1)
        .filter(|&n| version.at_least(SpdmVersion::V14) || n <= u32::from(u16::MAX))
}

/// ChunkSeqNo, ChunkSize, LargeMessageSize (chunk 0) and SPDMchunk, shared by CHUNK_SEND and
/// CHUNK_RESPONSE.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ChunkBody<'a> {
    /// ChunkSeqNo (at most 0xFFFF before 1.4).
    pub chunk_seq_no: u32,
    /// LargeMessageSize: the whole message's size; present exactly in chunk 0.
    pub large_message_size: Option<u32>,
    /// SPDMchunk; ChunkSize is its length.
    pub chunk: &'a [u8],
}

impl<'a> ChunkBody<'a> {
    /// The most SPDMchunk bytes a CHUNK_SEND or CHUNK_RESPONSE of at most `transfer_size`
    /// bytes carries as chunk `chunk_seq_no` (chunk 0 also carries LargeMessageSize).
    #[must_use]
    pub fn capacity(transfer_size: usize, chunk_seq_no: u32) -> usize {
        let overhead = CHUNK_HEADER_LEN.saturating_add(if chunk_seq_no == 0 {
            LARGE_MESSAGE_SIZE_LEN
        } else {
            0
        });
        transfer_size.saturating_sub(overhead)
    }

    fn decode(r: &mut Reader<'a>, version: SpdmVersion) -> Result<Self, CodecError> {
        let chunk_seq_no = read_seq_no(r, version, true)?;
        let size = r.length("ChunkSize", LengthPrefix::U32Le)?;
        vtrust_wire::check_max("ChunkSize", size, MAX_LARGE_LEN)?;
        let large_message_size = if chunk_seq_no == 0 {
            Some(r.u32_le("LargeMessageSize")?)
        } else {
            None
        };
        let chunk = r.bytes("SPDMchunk", size)?;
        Ok(Self {
            chunk_seq_no,
            large_message_size,
            chunk,
        })
    }

    fn encode(&self, w: &mut Writer, version: SpdmVersion) -> Result<(), EncodeError> {
        if self.large_message_size.is_some() != (self.chunk_seq_no == 0) {
            return Err(EncodeError::invalid_value("LargeMessageSize"));
        }
        write_seq_no(w, version, self.chunk_seq_no, true)?;
        let size =
            u32::try_from(self.chunk.len()).map_err(|_| EncodeError::invalid_value("ChunkSize"))?;
        w.u32_le("ChunkSize", size)?;
        if let Some(total) = self.large_message_size {
            w.u32_le("LargeMessageSize", total)?;
        }
        w.bytes("SPDMchunk", self.chunk)
    }

    fn encoded_len(&self) -> usize {
        CHUNK_HEADER_LEN
            .saturating_add(if self.large_message_size.is_some() {
                LARGE_MESSAGE_SIZE_LEN
            } else {
                0
            })
            .saturating_add(self.chunk.len())
    }
}

/// CHUNK_SEND and CHUNK_RESPONSE have the same layout (LastChunk in Param1, Handle in
/// Param2, then a [`ChunkBody`]); this writes each type from one definition.
macro_rules! chunk_piece {
    ($(#[$doc:meta])* $name:ident, $code:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $name<'a> {
            /// SPDMVersion (1.2+).
            pub version: SpdmVersion,
            /// LastChunk (Param1 bit 0).
            pub last_chunk: bool,
            /// Handle (Param2).
            pub handle: u8,
            /// The piece.
            pub body: ChunkBody<'a>,
        }

        impl<'a> $name<'a> {
            /// Decodes the message that fills `bytes`.
            ///
            /// # Errors
            /// A [`CodecError`] for a malformed message, a version before 1.2 or another code.
            pub fn decode(bytes: &'a [u8]) -> Result<Self, CodecError> {
                decode_exact(bytes, $code.into(), Self::decode_body)
            }

            pub(crate) fn decode_body(
                header: &Header,
                r: &mut Reader<'a>,
            ) -> Result<Self, CodecError> {
                check_decode_version(header.version)?;
                Ok(Self {
                    version: header.version,
                    last_chunk: header.param1 & LAST_CHUNK != 0,
                    handle: header.param2,
                    body: ChunkBody::decode(r, header.version)?,
                })
            }
        }

        impl Encode for $name<'_> {
            fn encode(&self, w: &mut Writer) -> Result<(), EncodeError> {
                super::atomic(w, |w| {
                    check_chunk_version(self.version)?;
                    let param1 = if self.last_chunk { LAST_CHUNK } else { 0 };
                    write_header(w, self.version, $code.into(), param1, self.handle)?;
                    self.body.encode(w, self.version)
                })
            }

            fn encoded_len(&self) -> Option<usize> {
                Some(self.body.encoded_len())
            }
        }
    };
}

chunk_piece!(
    /// DSP0274 1.2 §10.20 CHUNK_SEND request: one piece of a large request.
    ChunkSend,
    RequestCode::ChunkSend
);

/// DSP0274 1.2 §10.20 CHUNK_SEND_ACK response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ChunkSendAck<'a> {
    /// SPDMVersion (1.2+).
    pub version: SpdmVersion,
    /// EarlyErrorDetected (Param1 bit 0): `response` is an ERROR and the transfer is over.
    pub early_error_detected: bool,
    /// Handle (Param2).
    pub handle: u8,
    /// ChunkSeqNo of the CHUNK_SEND acknowledged.
    pub chunk_seq_no: u32,
    /// ResponseToLargeRequest: the response to the reassembled request (after the last
    /// chunk) or the ERROR (early error); empty otherwise. Over PCI DOE it may end in the
    /// transport's zero padding: decode it with padding allowed.
    pub response: &'a [u8],
}

impl<'a> ChunkSendAck<'a> {
    /// Decodes a CHUNK_SEND_ACK that fills `bytes`.
    ///
    /// # Errors
    /// A [`CodecError`] for a malformed message or another code.
    pub fn decode(bytes: &'a [u8]) -> Result<Self, CodecError> {
        decode_exact(bytes, ResponseCode::ChunkSendAck.into(), Self::decode_body)
    }

    pub(crate) fn decode_body(header: &Header, r: &mut Reader<'a>) -> Result<Self, CodecError> {
        check_decode_version(header.version)?;
        Ok(Self {
            version: header.version,
            early_error_detected: header.param1 & EARLY_ERROR_DETECTED != 0,
            handle: header.param2,
            chunk_seq_no: read_seq_no(r, header.version, false)?,
            response: r.rest(),
        })
    }
}

impl Encode for ChunkSendAck<'_> {
    fn encode(&self, w: &mut Writer) -> Result<(), EncodeError> {
        super::atomic(w, |w| {
            check_chunk_version(self.version)?;
            let param1 = if self.early_error_detected {
                EARLY_ERROR_DETECTED
            } else {
                0
            };
            write_header(
                w,
                self.version,
                ResponseCode::ChunkSendAck.into(),
                param1,
                self.handle,
            )?;
            write_seq_no(w, self.version, self.chunk_seq_no, false)?;
            w.bytes("ResponseToLargeRequest", self.response)
        })
    }
}

/// DSP0274 1.2 §10.21 CHUNK_GET request: asks for one piece of a large response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ChunkGet {
    /// SPDMVersion (1.2+).
    pub version: SpdmVersion,
    /// Handle (Param2), from ERROR(LargeResponse).
    pub handle: u8,
    /// ChunkSeqNo.
    pub chunk_seq_no: u32,
}

impl ChunkGet {
    /// Decodes a CHUNK_GET that fills `bytes`.
    ///
    /// # Errors
    /// A [`CodecError`] for a malformed message or another code.
    pub fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        decode_exact(bytes, RequestCode::ChunkGet.into(), Self::decode_body)
    }

    pub(crate) fn decode_body(header: &Header, r: &mut Reader<'_>) -> Result<Self, CodecError> {
        check_decode_version(header.version)?;
        Ok(Self {
            version: header.version,
            handle: header.param2,
            chunk_seq_no: read_seq_no(r, header.version, false)?,
        })
    }
}

impl Encode for ChunkGet {
    fn encode(&self, w: &mut Writer) -> Result<(), EncodeError> {
        super::atomic(w, |w| {
            check_chunk_version(self.version)?;
            write_header(
                w,
                self.version,
                RequestCode::ChunkGet.into(),
                0,
                self.handle,
            )?;
            write_seq_no(w, self.version, self.chunk_seq_no, false)
        })
    }
}

chunk_piece!(
    /// DSP0274 1.2 §10.21 CHUNK_RESPONSE: one piece of a large response.
    ChunkResponse,
    ResponseCode::ChunkResponse
);
