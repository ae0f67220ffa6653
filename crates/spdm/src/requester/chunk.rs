//! CHUNK_GET / CHUNK_RESPONSE (DSP0274 1.2 §10.21): fetching a response the responder
//! announced with ERROR(LargeResponse, Handle), then giving the reassembled response to the
//! state that asked for it, exactly as if it had come in one transfer.
//!
//! Checked: chunking was negotiated (1.2+, CHUNK_CAP both ways); every CHUNK_RESPONSE carries
//! the negotiated version, our Handle and the ChunkSeqNo we asked for; chunk 0 announces a
//! LargeMessageSize above our DataTransferSize and within our MaxSPDMmsgSize; the pieces add
//! up to exactly that size, with LastChunk on the last one only; the reassembled message is
//! not itself an ERROR.

use super::*;
use crate::codec::{ChunkBody, ChunkGet, ChunkResponse, ChunkSend, next_chunk_seq_no};

/// CHUNK_GET sent; CHUNK_RESPONSE expected. Holds the state waiting for the large response.
#[derive(Debug)]
pub struct AwaitingChunk {
    inner: Box<Requester>,
    version: SpdmVersion,
    handle: u8,
    next_seq: u32,
    /// LargeMessageSize from chunk 0.
    total: usize,
    bytes: Vec<u8>,
    pending: Pending,
    base: Base,
}

impl AwaitingChunk {
    /// Starts fetching large response `handle` for `inner`.
    pub(super) fn start(
        inner: Requester,
        base: Base,
        version: SpdmVersion,
        handle: u8,
    ) -> Result<Next, RequesterError> {
        let s = Self {
            inner: Box::new(inner),
            version,
            handle,
            next_seq: 0,
            total: 0,
            bytes: Vec::new(),
            pending: Pending::new(
                Vec::new(),
                RequestCode::ChunkGet,
                ResponseCode::ChunkResponse,
            ),
            base,
        };
        s.send_next()
    }

    /// CHUNK_RESPONSE.
    pub(super) fn expected(&self) -> ResponseCode {
        self.pending.expected
    }

    fn send_next(mut self) -> Result<Next, RequesterError> {
        let request = ChunkGet {
            version: self.version,
            handle: self.handle,
            chunk_seq_no: self.next_seq,
        }
        .to_vec()?;
        self.pending = Pending::new(
            request.clone(),
            RequestCode::ChunkGet,
            ResponseCode::ChunkResponse,
        );
        Ok(Next::Send {
            requester: Requester::AwaitingChunk(Box::new(self)),
            request,
        })
    }
}

fn bad(reason: &'static str) -> RequesterError {
    Misbehavior::Chunk(reason).into()
}

awaiting_state!(AwaitingChunk, base);

impl Awaiting for AwaitingChunk {
    fn handle(
        self: Box<Self>,
        provider: &CryptoProvider,
        bytes: &[u8],
    ) -> Result<Next, RequesterError> {
        let mut s = *self;
        let config = Arc::clone(&s.base.config);
        let (response, _) = decode_expected(&s.pending, &config, bytes, &DecodeContext::default())?;
        let Response::ChunkResponse(ChunkResponse {
            last_chunk,
            handle,
            body,
            ..
        }) = response
        else {
            return Err(RequesterError::UnexpectedResponse {
                expected: ResponseCode::ChunkResponse,
                got: response.code().into(),
            });
        };
        if handle != s.handle {
            return Err(bad("Handle differs from ERROR(LargeResponse)"));
        }
        if body.chunk_seq_no != s.next_seq {
            return Err(bad("ChunkSeqNo differs from CHUNK_GET"));
        }
        let dts = usize::try_from(config.data_transfer_size).unwrap_or(usize::MAX);
        let max = usize::try_from(config.max_spdm_msg_size).unwrap_or(usize::MAX);
        if s.next_seq == 0 {
            let total = body
                .large_message_size
                .and_then(|t| usize::try_from(t).ok())
                .ok_or(bad("no LargeMessageSize in chunk 0"))?;
            if total > max {
                return Err(bad("LargeMessageSize above our MaxSPDMmsgSize"));
            }
            if total <= dts {
                return Err(bad("LargeMessageSize fits one transfer"));
            }
            s.total = total;
            s.bytes.reserve_exact(total);
        }
        if body.chunk.is_empty() {
            return Err(bad("empty chunk"));
        }
        let have = s.bytes.len().saturating_add(body.chunk.len());
        if have > s.total {
            return Err(bad("chunks exceed LargeMessageSize"));
        }
        if last_chunk != (have == s.total) {
            return Err(bad("LastChunk does not match LargeMessageSize"));
        }
        s.bytes.extend_from_slice(body.chunk);
        if !last_chunk {
            s.next_seq = next_chunk_seq_no(s.version, s.next_seq).ok_or(bad("too many chunks"))?;
            return s.send_next();
        }
        let header = Header::peek(&s.bytes).map_err(|source| RequesterError::InvalidMessage {
            expected: s.inner.expected(),
            source,
        })?;
        if header.response_code() == ResponseCode::Error {
            return Err(bad("the large response is an ERROR"));
        }
        let AwaitingChunk { inner, bytes, .. } = s;
        inner.on_response(provider, &bytes)
    }
}

/// CHUNK_SEND sent; CHUNK_SEND_ACK expected (DSP0274 1.2 §10.20): a request larger than the
/// responder's DataTransferSize goes in pieces, and the last ACK carries its response, which
/// goes to the state that made the request.
#[derive(Debug)]
pub struct AwaitingChunkAck {
    inner: Box<Requester>,
    version: SpdmVersion,
    request: Vec<u8>,
    /// Bytes of `request` sent, including the piece in flight.
    sent: usize,
    seq: u32,
    last: bool,
    /// The responder's DataTransferSize.
    transfer_size: usize,
    pending: Pending,
    base: Base,
}

/// CHUNK_SEND Handle: one large request at a time.
const CHUNK_SEND_HANDLE: u8 = 1;

impl AwaitingChunkAck {
    /// Wraps `next` when its request needs CHUNK_SEND; returns it unchanged otherwise.
    pub(super) fn wrap_if_large(next: Next) -> Result<Next, RequesterError> {
        let Next::Send { requester, request } = next else {
            return Ok(next);
        };
        let Some((version, transfer_size, base)) = requester.chunk_send_params() else {
            return Ok(Next::Send { requester, request });
        };
        if request.len() <= transfer_size {
            return Ok(Next::Send { requester, request });
        }
        let s = Self {
            inner: Box::new(requester),
            version,
            request,
            sent: 0,
            seq: 0,
            last: false,
            transfer_size,
            pending: Pending::new(
                Vec::new(),
                RequestCode::ChunkSend,
                ResponseCode::ChunkSendAck,
            ),
            base,
        };
        s.send_piece()
    }

    /// CHUNK_SEND_ACK.
    pub(super) fn expected(&self) -> ResponseCode {
        self.pending.expected
    }

    fn send_piece(mut self) -> Result<Next, RequesterError> {
        let first = self.seq == 0;
        let room = ChunkBody::capacity(self.transfer_size, self.seq);
        let rest = self.request.get(self.sent..).unwrap_or_default();
        if room == 0 || rest.is_empty() {
            return Err(RequesterError::Config(
                "responder DataTransferSize too small for CHUNK_SEND",
            ));
        }
        let take = rest.len().min(room);
        let chunk = rest.get(..take).unwrap_or_default();
        self.last = take == rest.len();
        let total = u32::try_from(self.request.len())
            .map_err(|_| RequesterError::Config("request above 4 GiB"))?;
        let request = ChunkSend {
            version: self.version,
            last_chunk: self.last,
            handle: CHUNK_SEND_HANDLE,
            body: ChunkBody {
                chunk_seq_no: self.seq,
                large_message_size: first.then_some(total),
                chunk,
            },
        }
        .to_vec()?;
        self.sent = self.sent.saturating_add(take);
        self.pending = Pending::new(
            request.clone(),
            RequestCode::ChunkSend,
            ResponseCode::ChunkSendAck,
        );
        Ok(Next::Send {
            requester: Requester::AwaitingChunkAck(Box::new(self)),
            request,
        })
    }
}

awaiting_state!(AwaitingChunkAck, base);

impl Awaiting for AwaitingChunkAck {
    fn handle(
        self: Box<Self>,
        provider: &CryptoProvider,
        bytes: &[u8],
    ) -> Result<Next, RequesterError> {
        let mut s = *self;
        let config = Arc::clone(&s.base.config);
        let (response, _) = decode_expected(&s.pending, &config, bytes, &DecodeContext::default())?;
        let ack = expect_response!(response, ChunkSendAck);
        if ack.handle != CHUNK_SEND_HANDLE || ack.chunk_seq_no != s.seq {
            return Err(bad("CHUNK_SEND_ACK for another chunk"));
        }
        if ack.early_error_detected {
            let (err, _) =
                decode_padded(ack.response, config.max_padding, &DecodeContext::default())
                    .map_err(|source| RequesterError::InvalidMessage {
                        expected: ResponseCode::Error,
                        source,
                    })?;
            return match err {
                Response::Error(e) => Err(RequesterError::ErrorResponse {
                    code: e.error_code,
                    data: e.error_data,
                }),
                _ => Err(bad("EarlyErrorDetected without an ERROR")),
            };
        }
        if !s.last {
            if !ack.response.is_empty() {
                return Err(bad("a response before the last chunk"));
            }
            s.seq = next_chunk_seq_no(s.version, s.seq).ok_or(bad("too many chunks"))?;
            return s.send_piece();
        }
        if ack.response.is_empty() {
            return Err(bad("no response in the last CHUNK_SEND_ACK"));
        }
        s.inner.on_response(provider, ack.response)
    }
}
