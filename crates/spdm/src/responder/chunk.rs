//! Large messages (DSP0274 1.2 §10.20 CHUNK_SEND, §10.21 CHUNK_GET): a response larger
//! than the requester's DataTransferSize becomes ERROR(LargeResponse, Handle) and is fetched
//! with CHUNK_GET; a request larger than ours arrives in CHUNK_SEND pieces and its response
//! rides in the last CHUNK_SEND_ACK.
//!
//! Chunking is in use when the version is 1.2+ and both sides set CHUNK_CAP. Transcripts
//! hold the whole (reassembled) messages, never the chunk messages: the handlers append when
//! they build or take the large message.

use vtrust_wire::Encode;

use crate::codec::{
    ChunkBody, ChunkGet, ChunkResponse, ChunkSend, ChunkSendAck, ErrorCode, ExtendedErrorData,
    Header, RequestCode, RequesterCapabilityFlags, ResponderCapabilityFlags, SpdmVersion,
    next_chunk_seq_no,
};

use super::state::{LargeRequest, LargeResponse, Negotiated};
use super::{Rejection, Responder, error_bytes};

/// CHUNK_SEND_ACK bytes before ResponseToLargeRequest.
fn ack_header_len(version: SpdmVersion) -> usize {
    if version.at_least(SpdmVersion::V14) {
        8
    } else {
        6
    }
}

impl Responder {
    /// Whether this connection moves large messages in chunks: 1.2+, CHUNK_CAP on both sides.
    pub(crate) fn chunking(&self, s: &Negotiated) -> bool {
        s.negotiated.version.at_least(SpdmVersion::V12)
            && self
                .config
                .flags
                .contains(ResponderCapabilityFlags::CHUNK_CAP)
            && s.negotiated
                .requester_caps
                .flags
                .contains(RequesterCapabilityFlags::CHUNK_CAP)
    }

    /// The requester's DataTransferSize (1.2+), else our MaxSPDMmsgSize.
    pub(crate) fn transfer_size(&self, s: &Negotiated) -> usize {
        let dts = s
            .negotiated
            .requester_caps
            .data_transfer_size
            .unwrap_or(self.config.max_spdm_msg_size);
        usize::try_from(dts).unwrap_or(usize::MAX)
    }

    /// Sends `response` as is if it fits in `room` bytes, else keeps it for CHUNK_GET and
    /// answers ERROR(LargeResponse, Handle). [`Responder::check_size`] already refused
    /// anything above the requester's MaxSPDMmsgSize.
    pub(crate) fn deliver(
        &mut self,
        s: &mut Negotiated,
        response: Vec<u8>,
        room: usize,
    ) -> Vec<u8> {
        if response.len() <= room || !self.chunking(s) {
            return response;
        }
        let handle = self.next_chunk_handle;
        self.next_chunk_handle = self.next_chunk_handle.wrapping_add(1);
        s.large_response = Some(LargeResponse {
            handle,
            bytes: response,
            next_seq: 0,
            sent: 0,
        });
        error_bytes(
            s.negotiated.version,
            Rejection::new(ErrorCode::LargeResponse),
            Some(ExtendedErrorData::LargeResponse { handle }),
        )
    }

    /// CHUNK_GET: the next piece of the large response.
    pub(crate) fn chunk_get(
        &mut self,
        s: &mut Negotiated,
        request: &[u8],
    ) -> Result<Vec<u8>, Rejection> {
        self.check_chunking(s, RequestCode::ChunkGet)?;
        let req = ChunkGet::decode(request)?;
        let room = self.transfer_size(s);
        let Some(large) = s.large_response.as_mut() else {
            return Err(Rejection::unexpected());
        };
        if req.handle != large.handle || req.chunk_seq_no != large.next_seq {
            s.large_response = None;
            return Err(Rejection::invalid());
        }
        let first = large.next_seq == 0;
        let max_chunk = ChunkBody::capacity(room, large.next_seq);
        let rest = large
            .bytes
            .get(large.sent..)
            .ok_or(Rejection::unspecified())?;
        if max_chunk == 0 || rest.is_empty() {
            return Err(Rejection::unspecified());
        }
        let take = rest.len().min(max_chunk);
        let chunk = rest.get(..take).ok_or(Rejection::unspecified())?;
        let last = take == rest.len();
        let total = u32::try_from(large.bytes.len()).map_err(|_| Rejection::unspecified())?;
        let response = ChunkResponse {
            version: s.negotiated.version,
            last_chunk: last,
            handle: large.handle,
            body: ChunkBody {
                chunk_seq_no: large.next_seq,
                large_message_size: first.then_some(total),
                chunk,
            },
        }
        .to_vec()?;
        if last {
            s.large_response = None;
        } else {
            large.sent = large.sent.saturating_add(take);
            let Some(next) = next_chunk_seq_no(s.negotiated.version, large.next_seq) else {
                s.large_response = None;
                return Err(Rejection::unspecified());
            };
            large.next_seq = next;
        }
        Ok(response)
    }

    /// CHUNK_SEND: one piece of a large request; the last one runs the request and carries
    /// its response in the CHUNK_SEND_ACK.
    pub(crate) fn chunk_send(
        &mut self,
        s: &mut Negotiated,
        request: &[u8],
    ) -> Result<Vec<u8>, Rejection> {
        self.check_chunking(s, RequestCode::ChunkSend)?;
        let req = match ChunkSend::decode(request) {
            Ok(req) => req,
            Err(e) => {
                s.large_request = None;
                return Err(e.into());
            }
        };
        let version = s.negotiated.version;
        let early_error = |s: &mut Negotiated, code: ErrorCode| {
            s.large_request = None;
            let error = error_bytes(version, Rejection::new(code), None);
            ChunkSendAck {
                version,
                early_error_detected: true,
                handle: req.handle,
                chunk_seq_no: req.body.chunk_seq_no,
                response: &error,
            }
            .to_vec()
            .map_err(Rejection::from)
        };
        let our_max = usize::try_from(self.config.max_spdm_msg_size).unwrap_or(usize::MAX);
        let our_dts = usize::try_from(self.config.data_transfer_size).unwrap_or(usize::MAX);
        if req.body.chunk_seq_no == 0 {
            // A new large request replaces an unfinished one.
            let total = req
                .body
                .large_message_size
                .and_then(|t| usize::try_from(t).ok())
                .unwrap_or(0);
            if total > our_max {
                return early_error(s, ErrorCode::RequestTooLarge);
            }
            // A request that fits one transfer is not a large request.
            if total <= our_dts || req.body.chunk.len() >= total {
                return early_error(s, ErrorCode::InvalidRequest);
            }
            s.large_request = Some(LargeRequest {
                handle: req.handle,
                total,
                bytes: Vec::with_capacity(total),
                next_seq: 0,
            });
        }
        let Some(large) = s.large_request.as_mut() else {
            return early_error(s, ErrorCode::UnexpectedRequest);
        };
        if req.handle != large.handle || req.body.chunk_seq_no != large.next_seq {
            return early_error(s, ErrorCode::InvalidRequest);
        }
        let have = large.bytes.len().saturating_add(req.body.chunk.len());
        let complete = have == large.total;
        if have > large.total || complete != req.last_chunk || req.body.chunk.is_empty() {
            return early_error(s, ErrorCode::InvalidRequest);
        }
        large.bytes.extend_from_slice(req.body.chunk);
        let seq = large.next_seq;
        if !complete {
            large.next_seq = seq.checked_add(1).ok_or(Rejection::unspecified())?;
            return Ok(ChunkSendAck {
                version,
                early_error_detected: false,
                handle: req.handle,
                chunk_seq_no: seq,
                response: &[],
            }
            .to_vec()?);
        }
        let Some(LargeRequest { bytes: inner, .. }) = s.large_request.take() else {
            return Err(Rejection::unspecified());
        };
        let inner_response = self.inner_request(s, &inner);
        Ok(ChunkSendAck {
            version,
            early_error_detected: false,
            handle: req.handle,
            chunk_seq_no: seq,
            response: &inner_response,
        }
        .to_vec()?)
    }

    /// Runs a reassembled large request; returns its response (or ERROR), itself delivered
    /// in chunks if it does not fit the CHUNK_SEND_ACK.
    fn inner_request(&mut self, s: &mut Negotiated, inner: &[u8]) -> Vec<u8> {
        let version = s.negotiated.version;
        let result = match Header::peek(inner) {
            Err(e) => Err(Rejection::from(e)),
            Ok(h) if h.version != version => Err(Rejection::new(ErrorCode::VersionMismatch)),
            Ok(h) => {
                let code = h.request_code();
                let result = if matches!(
                    code,
                    RequestCode::ChunkSend | RequestCode::ChunkGet | RequestCode::GetVersion
                ) {
                    Err(Rejection::invalid())
                } else {
                    self.answer(s, code, inner)
                };
                if code != RequestCode::GetMeasurements || result.is_err() {
                    s.transcript.reset_l();
                }
                result
            }
        };
        match result {
            Ok(response) => {
                let room = self
                    .transfer_size(s)
                    .saturating_sub(ack_header_len(version));
                self.deliver(s, response, room)
            }
            Err(rejection) => error_bytes(version, rejection, None),
        }
    }

    /// CHUNK_SEND / CHUNK_GET need 1.2+ and CHUNK_CAP from both sides.
    fn check_chunking(&self, s: &Negotiated, code: RequestCode) -> Result<(), Rejection> {
        if !s.negotiated.version.at_least(SpdmVersion::V12)
            || !self
                .config
                .flags
                .contains(ResponderCapabilityFlags::CHUNK_CAP)
        {
            return Err(Rejection::unsupported(code.into()));
        }
        if !self.chunking(s) {
            return Err(Rejection::unexpected());
        }
        Ok(())
    }
}
