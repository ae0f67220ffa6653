//! ERROR response (DSP0274 1.1 §10.12) and RESPOND_IF_READY request (DSP0274 1.1 §10.13).
//!
//! ERROR: Param1 ErrorCode, Param2 ErrorData, then ExtendedErrorData whose layout depends on
//! the code: ResponseNotReady (4 bytes), 1.2 LargeResponse (1-byte handle); for every other
//! code (vendor-defined included) it is kept as opaque bytes, at most 32.

use vtrust_wire::{Encode, EncodeError, OpenEnum, Reader, Writer, open_enum};

use super::error::CodecError;
use super::header::{Header, RequestCode, ResponseCode, SpdmVersion, write_header};
use super::{MAX_EXTENDED_ERROR_DATA_LEN, check_absent, decode_exact};

open_enum! {
    /// DSP0274 1.1 §10.12 error codes (ERROR Param1), all of SPDM 1.0-1.4.
    pub enum ErrorCode: u8 {
        /// InvalidRequest (1.0): one or more request fields are invalid.
        InvalidRequest = 0x01,
        /// InvalidSession (1.1; secured messages, DSP0277).
        InvalidSession = 0x02,
        /// Busy (1.0): retry later.
        Busy = 0x03,
        /// UnexpectedRequest (1.0): out of sequence.
        UnexpectedRequest = 0x04,
        /// Unspecified (1.0).
        Unspecified = 0x05,
        /// DecryptError (1.1).
        DecryptError = 0x06,
        /// UnsupportedRequest (1.0): ErrorData is the request code.
        UnsupportedRequest = 0x07,
        /// RequestInFlight (1.1).
        RequestInFlight = 0x08,
        /// InvalidResponseCode (1.1).
        InvalidResponseCode = 0x09,
        /// SessionLimitExceeded (1.1).
        SessionLimitExceeded = 0x0A,
        /// SessionRequired (1.2).
        SessionRequired = 0x0B,
        /// ResetRequired (1.2).
        ResetRequired = 0x0C,
        /// ResponseTooLarge (1.2).
        ResponseTooLarge = 0x0D,
        /// RequestTooLarge (1.2).
        RequestTooLarge = 0x0E,
        /// LargeResponse (1.2): fetch the response with CHUNK_GET.
        LargeResponse = 0x0F,
        /// MessageLost (1.2).
        MessageLost = 0x10,
        /// InvalidPolicy (1.3).
        InvalidPolicy = 0x11,
        /// DataTooLarge (1.4).
        DataTooLarge = 0x12,
        /// VersionMismatch (1.0, "MajorVersionMismatch").
        VersionMismatch = 0x41,
        /// ResponseNotReady (1.0): retry with RESPOND_IF_READY.
        ResponseNotReady = 0x42,
        /// RequestResynch (1.0): restart with GET_VERSION.
        RequestResynch = 0x43,
        /// OperationFailed (1.3).
        OperationFailed = 0x44,
        /// NoPendingRequests (1.3).
        NoPendingRequests = 0x45,
        /// RequestSessionTerminated (1.4).
        RequestSessionTerminated = 0x46,
        /// InvalidState (1.4).
        InvalidState = 0x47,
        /// Vendor or other standards defined (1.0).
        VendorDefined = 0xFF,
    }
}

/// DSP0274 1.1 §10.12 ExtendedErrorData.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExtendedErrorData<'a> {
    /// ResponseNotReady: when and how to ask again.
    ResponseNotReady {
        /// RDTExponent: the responder needs 2^RDTExponent microseconds.
        rdt_exponent: u8,
        /// RequestCode of the request being processed.
        request_code: RequestCode,
        /// Token to put in RESPOND_IF_READY.
        token: u8,
        /// RDTM: multiplier for the time before the request is dropped.
        rdtm: u8,
    },
    /// 1.2 LargeResponse: the handle to fetch the response with (CHUNK_GET).
    LargeResponse {
        /// Handle.
        handle: u8,
    },
    /// Any other code: the bytes as received (possibly none).
    Opaque(&'a [u8]),
}

/// DSP0274 1.1 §10.12 ERROR response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ErrorResponse<'a> {
    /// SPDMVersion.
    pub version: SpdmVersion,
    /// Param1: ErrorCode.
    pub error_code: ErrorCode,
    /// Param2: ErrorData.
    pub error_data: u8,
    /// ExtendedErrorData.
    pub extended: ExtendedErrorData<'a>,
}

/// Whether `code` has a structured ExtendedErrorData in `version`.
fn structured(version: SpdmVersion, code: ErrorCode) -> bool {
    code == ErrorCode::ResponseNotReady
        || (code == ErrorCode::LargeResponse && version.at_least(SpdmVersion::V12))
}

impl<'a> ErrorResponse<'a> {
    /// Decodes an ERROR that fills `bytes`.
    ///
    /// # Errors
    /// A [`CodecError`] for a malformed message, extended data above
    /// [`MAX_EXTENDED_ERROR_DATA_LEN`] or another code.
    pub fn decode(bytes: &'a [u8]) -> Result<Self, CodecError> {
        decode_exact(bytes, ResponseCode::Error.into(), Self::decode_body)
    }

    pub(crate) fn decode_body(header: &Header, r: &mut Reader<'a>) -> Result<Self, CodecError> {
        let v = header.version;
        let error_code = ErrorCode::from(header.param1);
        let extended = if error_code == ErrorCode::ResponseNotReady {
            ExtendedErrorData::ResponseNotReady {
                rdt_exponent: r.u8("RDTExponent")?,
                request_code: RequestCode::read_field(r, "RequestCode")?,
                token: r.u8("Token")?,
                rdtm: r.u8("RDTM")?,
            }
        } else if structured(v, error_code) {
            ExtendedErrorData::LargeResponse {
                handle: r.u8("Handle")?,
            }
        } else {
            let len = r.remaining();
            vtrust_wire::check_max("ExtendedErrorData", len, MAX_EXTENDED_ERROR_DATA_LEN)?;
            ExtendedErrorData::Opaque(r.rest())
        };
        Ok(Self {
            version: v,
            error_code,
            error_data: header.param2,
            extended,
        })
    }
}

impl Encode for ErrorResponse<'_> {
    fn encode(&self, w: &mut Writer) -> Result<(), EncodeError> {
        super::atomic(w, |w| {
            let consistent = match self.extended {
                ExtendedErrorData::ResponseNotReady { .. } => {
                    self.error_code == ErrorCode::ResponseNotReady
                }
                ExtendedErrorData::LargeResponse { .. } => {
                    self.error_code == ErrorCode::LargeResponse
                        && self.version.at_least(SpdmVersion::V12)
                }
                ExtendedErrorData::Opaque(data) => {
                    !structured(self.version, self.error_code)
                        && data.len() <= MAX_EXTENDED_ERROR_DATA_LEN
                }
            };
            check_absent("ExtendedErrorData", consistent)?;
            write_header(
                w,
                self.version,
                ResponseCode::Error.into(),
                self.error_code.into(),
                self.error_data,
            )?;
            match self.extended {
                ExtendedErrorData::ResponseNotReady {
                    rdt_exponent,
                    request_code,
                    token,
                    rdtm,
                } => w.bytes(
                    "ExtendedErrorData",
                    &[rdt_exponent, request_code.into(), token, rdtm],
                ),
                ExtendedErrorData::LargeResponse { handle } => w.u8("Handle", handle),
                ExtendedErrorData::Opaque(data) => w.bytes("ExtendedErrorData", data),
            }
        })
    }
}

/// DSP0274 1.1 §10.13 RESPOND_IF_READY request: the header alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RespondIfReady {
    /// SPDMVersion.
    pub version: SpdmVersion,
    /// Param1: the RequestCode of the original request (from ResponseNotReady).
    pub request_code: RequestCode,
    /// Param2: the Token from ResponseNotReady.
    pub token: u8,
}

impl RespondIfReady {
    /// Decodes a RESPOND_IF_READY that fills `bytes`.
    ///
    /// # Errors
    /// A [`CodecError`] for a malformed message or another code.
    pub fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        decode_exact(bytes, RequestCode::RespondIfReady.into(), Self::decode_body)
    }

    pub(crate) fn decode_body(header: &Header, _r: &mut Reader<'_>) -> Result<Self, CodecError> {
        Ok(Self {
            version: header.version,
            request_code: header.param1.into(),
            token: header.param2,
        })
    }
}

impl Encode for RespondIfReady {
    fn encode(&self, w: &mut Writer) -> Result<(), EncodeError> {
        write_header(
            w,
            self.version,
            RequestCode::RespondIfReady.into(),
            self.request_code.into(),
            self.token,
        )
    }

    fn encoded_len(&self) -> Option<usize> {
        Some(Header::LEN)
    }
}
