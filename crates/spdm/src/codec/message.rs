//! [`Request`] and [`Response`]: any SPDM message, decoded by dispatching on its code, and the
//! PCI DOE padding rule.

use vtrust_wire::{Encode, EncodeError, Reader, Writer};

use super::challenge::{Challenge, ChallengeAuth};
use super::chunk::{ChunkGet, ChunkResponse, ChunkSend, ChunkSendAck};
use super::context::DecodeContext;
use super::error::{CodecError, CodecErrorKind};
use super::error_response::{ErrorResponse, RespondIfReady};
use super::get_capabilities::{Capabilities, GetCapabilities};
use super::get_certificate::{Certificate, GetCertificate};
use super::get_digests::{Digests, GetDigests};
use super::get_measurements::{GetMeasurements, Measurements};
use super::get_version::{GetVersion, Version};
use super::header::{Header, RequestCode, ResponseCode, SpdmVersion};
use super::negotiate_algorithms::{Algorithms, NegotiateAlgorithms};
use super::other::OtherMessage;
use super::vendor_defined::{VendorDefinedRequest, VendorDefinedResponse};
use super::{MESSAGE, check_padding};

fn unexpected_code(code: u8) -> CodecError {
    CodecError::new(
        "RequestResponseCode",
        CodecErrorKind::UnexpectedCode { code },
    )
}

/// Whether this layer parses requests with `code` (so [`Request::Other`] may not carry it).
const fn parsed_request(code: RequestCode) -> bool {
    matches!(
        code,
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
}

/// Whether this layer parses responses with `code` (so [`Response::Other`] may not carry it).
const fn parsed_response(code: ResponseCode) -> bool {
    matches!(
        code,
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
}

/// Any SPDM request (requester to responder).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Request<'a> {
    /// GET_VERSION.
    GetVersion(GetVersion),
    /// GET_CAPABILITIES.
    GetCapabilities(GetCapabilities),
    /// NEGOTIATE_ALGORITHMS.
    NegotiateAlgorithms(NegotiateAlgorithms),
    /// GET_DIGESTS.
    GetDigests(GetDigests),
    /// GET_CERTIFICATE.
    GetCertificate(GetCertificate),
    /// CHALLENGE.
    Challenge(Challenge),
    /// GET_MEASUREMENTS.
    GetMeasurements(GetMeasurements),
    /// VENDOR_DEFINED_REQUEST.
    VendorDefinedRequest(VendorDefinedRequest<'a>),
    /// RESPOND_IF_READY.
    RespondIfReady(RespondIfReady),
    /// CHUNK_SEND (1.2).
    ChunkSend(ChunkSend<'a>),
    /// CHUNK_GET (1.2).
    ChunkGet(ChunkGet),
    /// Any other known request code, by header only.
    Other(OtherMessage<'a>),
}

impl<'a> Request<'a> {
    /// Decodes the request that fills `bytes`.
    ///
    /// # Errors
    /// A [`CodecError`]: [`CodecErrorKind::UnexpectedCode`] for a code that is not a request
    /// code of SPDM 1.0-1.4, [`CodecErrorKind::UnsupportedVersion`] for an unknown version,
    /// otherwise the failing field.
    pub fn decode(bytes: &'a [u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new(bytes);
        let message = Self::decode_prefix(&mut r)?;
        r.expect_end(MESSAGE)?;
        Ok(message)
    }

    /// Decodes a request followed by at most `max_pad` zero bytes (PCI DOE pads every data
    /// object to a multiple of 4 bytes: `max_pad` 3). Returns the request and its exact
    /// length, which is what a transcript hashes.
    ///
    /// # Errors
    /// As [`Request::decode`], plus [`CodecErrorKind::PaddingTooLong`] and
    /// [`CodecErrorKind::PaddingNotZero`].
    pub fn decode_with_padding(
        bytes: &'a [u8],
        max_pad: usize,
    ) -> Result<(Self, usize), CodecError> {
        let mut r = Reader::new(bytes);
        let message = Self::decode_prefix(&mut r)?;
        let len = check_padding(&mut r, max_pad)?;
        Ok((message, len))
    }

    fn decode_prefix(r: &mut Reader<'a>) -> Result<Self, CodecError> {
        let h = Header::decode(r)?;
        Ok(match h.request_code() {
            RequestCode::GetVersion => Self::GetVersion(GetVersion::decode_body(&h, r)?),
            RequestCode::GetCapabilities => {
                Self::GetCapabilities(GetCapabilities::decode_body(&h, r)?)
            }
            RequestCode::NegotiateAlgorithms => {
                Self::NegotiateAlgorithms(NegotiateAlgorithms::decode_body(&h, r)?)
            }
            RequestCode::GetDigests => Self::GetDigests(GetDigests::decode_body(&h, r)?),
            RequestCode::GetCertificate => {
                Self::GetCertificate(GetCertificate::decode_body(&h, r)?)
            }
            RequestCode::Challenge => Self::Challenge(Challenge::decode_body(&h, r)?),
            RequestCode::GetMeasurements => {
                Self::GetMeasurements(GetMeasurements::decode_body(&h, r)?)
            }
            RequestCode::VendorDefinedRequest => {
                Self::VendorDefinedRequest(VendorDefinedRequest::decode_body(&h, r)?)
            }
            RequestCode::RespondIfReady => {
                Self::RespondIfReady(RespondIfReady::decode_body(&h, r)?)
            }
            RequestCode::ChunkSend => Self::ChunkSend(ChunkSend::decode_body(&h, r)?),
            RequestCode::ChunkGet => Self::ChunkGet(ChunkGet::decode_body(&h, r)?),
            RequestCode::Unknown(_) => return Err(unexpected_code(h.code)),
            _ => Self::Other(OtherMessage::decode_body(&h, r)),
        })
    }

    /// The message's SPDMVersion.
    #[must_use]
    pub fn version(&self) -> SpdmVersion {
        match self {
            Self::GetVersion(_) => SpdmVersion::V10,
            Self::GetCapabilities(m) => m.version,
            Self::NegotiateAlgorithms(m) => m.version,
            Self::GetDigests(m) => m.version,
            Self::GetCertificate(m) => m.version,
            Self::Challenge(m) => m.version,
            Self::GetMeasurements(m) => m.version,
            Self::VendorDefinedRequest(m) => m.version,
            Self::RespondIfReady(m) => m.version,
            Self::ChunkSend(m) => m.version,
            Self::ChunkGet(m) => m.version,
            Self::Other(m) => m.header.version,
        }
    }

    /// The message's request code.
    #[must_use]
    pub fn code(&self) -> RequestCode {
        match self {
            Self::GetVersion(_) => RequestCode::GetVersion,
            Self::GetCapabilities(_) => RequestCode::GetCapabilities,
            Self::NegotiateAlgorithms(_) => RequestCode::NegotiateAlgorithms,
            Self::GetDigests(_) => RequestCode::GetDigests,
            Self::GetCertificate(_) => RequestCode::GetCertificate,
            Self::Challenge(_) => RequestCode::Challenge,
            Self::GetMeasurements(_) => RequestCode::GetMeasurements,
            Self::VendorDefinedRequest(_) => RequestCode::VendorDefinedRequest,
            Self::RespondIfReady(_) => RequestCode::RespondIfReady,
            Self::ChunkSend(_) => RequestCode::ChunkSend,
            Self::ChunkGet(_) => RequestCode::ChunkGet,
            Self::Other(m) => m.header.request_code(),
        }
    }
}

impl Encode for Request<'_> {
    /// Writes the request, whole or not at all.
    fn encode(&self, w: &mut Writer) -> Result<(), EncodeError> {
        match self {
            Self::GetVersion(m) => m.encode(w),
            Self::GetCapabilities(m) => m.encode(w),
            Self::NegotiateAlgorithms(m) => m.encode(w),
            Self::GetDigests(m) => m.encode(w),
            Self::GetCertificate(m) => m.encode(w),
            Self::Challenge(m) => m.encode(w),
            Self::GetMeasurements(m) => m.encode(w),
            Self::VendorDefinedRequest(m) => m.encode(w),
            Self::RespondIfReady(m) => m.encode(w),
            Self::ChunkSend(m) => m.encode(w),
            Self::ChunkGet(m) => m.encode(w),
            Self::Other(m) => {
                // Only codes `decode` would also leave unparsed.
                let code = m.header.request_code();
                if code.is_known() && !parsed_request(code) {
                    m.encode(w)
                } else {
                    Err(EncodeError::invalid_value("RequestResponseCode"))
                }
            }
        }
    }
}

/// Any SPDM response (responder to requester).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Response<'a> {
    /// VERSION.
    Version(Version),
    /// CAPABILITIES.
    Capabilities(Capabilities),
    /// ALGORITHMS.
    Algorithms(Algorithms),
    /// DIGESTS.
    Digests(Digests<'a>),
    /// CERTIFICATE.
    Certificate(Certificate<'a>),
    /// CHALLENGE_AUTH.
    ChallengeAuth(ChallengeAuth<'a>),
    /// MEASUREMENTS.
    Measurements(Measurements<'a>),
    /// ERROR.
    Error(ErrorResponse<'a>),
    /// VENDOR_DEFINED_RESPONSE.
    VendorDefinedResponse(VendorDefinedResponse<'a>),
    /// CHUNK_SEND_ACK (1.2).
    ChunkSendAck(ChunkSendAck<'a>),
    /// CHUNK_RESPONSE (1.2).
    ChunkResponse(ChunkResponse<'a>),
    /// Any other known response code, by header only.
    Other(OtherMessage<'a>),
}

impl<'a> Response<'a> {
    /// Decodes the response that fills `bytes`; `ctx` gives the sizes and flags DIGESTS,
    /// CHALLENGE_AUTH and MEASUREMENTS depend on.
    ///
    /// # Errors
    /// A [`CodecError`]: [`CodecErrorKind::UnexpectedCode`] for a code that is not a response
    /// code of SPDM 1.0-1.4, [`CodecErrorKind::UnsupportedVersion`] for an unknown version,
    /// otherwise the failing field.
    pub fn decode(bytes: &'a [u8], ctx: &DecodeContext) -> Result<Self, CodecError> {
        let mut r = Reader::new(bytes);
        let message = Self::decode_prefix(&mut r, ctx)?;
        r.expect_end(MESSAGE)?;
        Ok(message)
    }

    /// Decodes a response followed by at most `max_pad` zero bytes (PCI DOE: 3) and returns
    /// it with its exact length, which is what a transcript hashes.
    ///
    /// # Errors
    /// As [`Response::decode`], plus [`CodecErrorKind::PaddingTooLong`] and
    /// [`CodecErrorKind::PaddingNotZero`].
    pub fn decode_with_padding(
        bytes: &'a [u8],
        max_pad: usize,
        ctx: &DecodeContext,
    ) -> Result<(Self, usize), CodecError> {
        let mut r = Reader::new(bytes);
        let message = Self::decode_prefix(&mut r, ctx)?;
        let len = check_padding(&mut r, max_pad)?;
        Ok((message, len))
    }

    fn decode_prefix(r: &mut Reader<'a>, ctx: &DecodeContext) -> Result<Self, CodecError> {
        let h = Header::decode(r)?;
        Ok(match h.response_code() {
            ResponseCode::Version => Self::Version(Version::decode_body(&h, r)?),
            ResponseCode::Capabilities => Self::Capabilities(Capabilities::decode_body(&h, r)?),
            ResponseCode::Algorithms => Self::Algorithms(Algorithms::decode_body(&h, r)?),
            ResponseCode::Digests => Self::Digests(Digests::decode_body(&h, r, ctx)?),
            ResponseCode::Certificate => Self::Certificate(Certificate::decode_body(&h, r)?),
            ResponseCode::ChallengeAuth => {
                Self::ChallengeAuth(ChallengeAuth::decode_body(&h, r, ctx)?)
            }
            ResponseCode::Measurements => {
                Self::Measurements(Measurements::decode_body(&h, r, ctx)?)
            }
            ResponseCode::Error => Self::Error(ErrorResponse::decode_body(&h, r)?),
            ResponseCode::VendorDefinedResponse => {
                Self::VendorDefinedResponse(VendorDefinedResponse::decode_body(&h, r)?)
            }
            ResponseCode::ChunkSendAck => Self::ChunkSendAck(ChunkSendAck::decode_body(&h, r)?),
            ResponseCode::ChunkResponse => Self::ChunkResponse(ChunkResponse::decode_body(&h, r)?),
            ResponseCode::Unknown(_) => return Err(unexpected_code(h.code)),
            _ => Self::Other(OtherMessage::decode_body(&h, r)),
        })
    }

    /// The message's SPDMVersion.
    #[must_use]
    pub fn version(&self) -> SpdmVersion {
        match self {
            Self::Version(_) => SpdmVersion::V10,
            Self::Capabilities(m) => m.version,
            Self::Algorithms(m) => m.version,
            Self::Digests(m) => m.version,
            Self::Certificate(m) => m.version,
            Self::ChallengeAuth(m) => m.version,
            Self::Measurements(m) => m.version,
            Self::Error(m) => m.version,
            Self::VendorDefinedResponse(m) => m.version,
            Self::ChunkSendAck(m) => m.version,
            Self::ChunkResponse(m) => m.version,
            Self::Other(m) => m.header.version,
        }
    }

    /// The message's response code.
    #[must_use]
    pub fn code(&self) -> ResponseCode {
        match self {
            Self::Version(_) => ResponseCode::Version,
            Self::Capabilities(_) => ResponseCode::Capabilities,
            Self::Algorithms(_) => ResponseCode::Algorithms,
            Self::Digests(_) => ResponseCode::Digests,
            Self::Certificate(_) => ResponseCode::Certificate,
            Self::ChallengeAuth(_) => ResponseCode::ChallengeAuth,
            Self::Measurements(_) => ResponseCode::Measurements,
            Self::Error(_) => ResponseCode::Error,
            Self::VendorDefinedResponse(_) => ResponseCode::VendorDefinedResponse,
            Self::ChunkSendAck(_) => ResponseCode::ChunkSendAck,
            Self::ChunkResponse(_) => ResponseCode::ChunkResponse,
            Self::Other(m) => m.header.response_code(),
        }
    }
}

impl Encode for Response<'_> {
    /// Writes the response, whole or not at all.
    fn encode(&self, w: &mut Writer) -> Result<(), EncodeError> {
        match self {
            Self::Version(m) => m.encode(w),
            Self::Capabilities(m) => m.encode(w),
            Self::Algorithms(m) => m.encode(w),
            Self::Digests(m) => m.encode(w),
            Self::Certificate(m) => m.encode(w),
            Self::ChallengeAuth(m) => m.encode(w),
            Self::Measurements(m) => m.encode(w),
            Self::Error(m) => m.encode(w),
            Self::VendorDefinedResponse(m) => m.encode(w),
            Self::ChunkSendAck(m) => m.encode(w),
            Self::ChunkResponse(m) => m.encode(w),
            Self::Other(m) => {
                // Only codes `decode` would also leave unparsed.
                let code = m.header.response_code();
                if code.is_known() && !parsed_response(code) {
                    m.encode(w)
                } else {
                    Err(EncodeError::invalid_value("RequestResponseCode"))
                }
            }
        }
    }
}
