//! The SPDM message codec: bytes to typed messages and back, SPDM 1.0 to 1.4.
//!
//! Owns the wire layout of every message of the VCA, certificate, challenge and measurement
//! flows, ERROR / RESPOND_IF_READY and VENDOR_DEFINED, one request/response pair per file,
//! and a generic header-only form ([`OtherMessage`]) for the messages later layers will parse.
//!
//! - Decoding takes the version from the SPDMVersion byte and, for responses whose layout
//!   depends on negotiated algorithms or on the request, a [`DecodeContext`].
//! - [`Request::decode`] / [`Response::decode`] dispatch on the code; each message type also
//!   has its own `decode`. `decode_with_padding` accepts the zero padding PCI DOE adds and
//!   returns the exact message length, so a transcript hashes only the message.
//! - Encoding ([`vtrust_wire::Encode`]) writes exactly what decoding reads: lengths and counts
//!   come from the data, reserved fields are written as zero, and a field the message's
//!   version does not have is refused rather than dropped.
//! - Large data (certificate portions, signatures, opaque data, measurement values) is
//!   borrowed from the input.
//!
//! ```
//! use vtrust_spdm::codec::{DecodeContext, Request, Response, SpdmVersion};
//! use vtrust_wire::Encode;
//!
//! // GET_VERSION and VERSION (SPDM 1.2 offered), as spdm-emu sends them.
//! let request = Request::decode(&[0x10, 0x84, 0x00, 0x00])?;
//! assert!(matches!(request, Request::GetVersion(_)));
//! let bytes = [0x10, 0x04, 0x00, 0x00, 0x00, 0x01, 0x00, 0x12];
//! let Response::Version(version) = Response::decode(&bytes, &DecodeContext::default())? else {
//!     panic!("not VERSION");
//! };
//! assert_eq!(version.entries[0].spdm_version(), SpdmVersion::V12);
//! assert_eq!(version.to_vec().unwrap(), bytes);
//! # Ok::<(), vtrust_spdm::codec::CodecError>(())
//! ```

mod algorithm;
mod challenge;
mod chunk;
mod context;
mod error;
mod error_response;
mod get_capabilities;
mod get_certificate;
mod get_digests;
mod get_measurements;
mod get_version;
mod header;
mod measurement_record;
mod message;
mod negotiate_algorithms;
mod other;
mod signed_tail;
mod vendor_defined;

pub use algorithm::{
    AeadCipherSuite, AlgStructure, AlgStructures, AlgType, BaseAsymAlgo, BaseHashAlgo,
    DheNamedGroup, ExtendedAlgorithm, KemAlg, KeySchedule, MeasurementHashAlgo,
    MeasurementSpecification, MelSpecification, OtherParams, PqcAsymAlgo, RegistryId,
    SupportedAlgorithms,
};
pub use challenge::{Challenge, ChallengeAuth, MeasurementSummaryHashType};
pub use chunk::{
    CHUNK_HEADER_LEN, ChunkBody, ChunkGet, ChunkResponse, ChunkSend, ChunkSendAck,
    LARGE_MESSAGE_SIZE_LEN, next_chunk_seq_no,
};
pub use context::DecodeContext;
pub use error::{CodecError, CodecErrorKind};
pub use error_response::{ErrorCode, ErrorResponse, ExtendedErrorData, RespondIfReady};
pub use get_capabilities::{
    Capabilities, EpInfoCap, ExtCapabilityFlags, GetCapabilities, MeasCap, MultiKeyCap, PskCap,
    RequesterCapabilityFlags, ResponderCapabilityFlags,
};
pub use get_certificate::{CertModel, Certificate, GetCertificate};
pub use get_digests::{Digests, GetDigests, KeyUsageMask, SlotKeyInfo, SlotMask};
pub use get_measurements::{
    ContentChanged, GetMeasurements, MeasurementAttributes, MeasurementOperation, Measurements,
};
pub use get_version::{GetVersion, Version, VersionNumberEntry};
pub use header::{Header, RequestCode, ResponseCode, SpdmVersion};
pub use measurement_record::{DmtfMeasurement, DmtfMeasurementType, Measurement, MeasurementBlock};
pub use message::{Request, Response};
pub use negotiate_algorithms::{Algorithms, NegotiateAlgorithms};
pub use other::OtherMessage;
pub use vendor_defined::{StandardId, VendorDefinedRequest, VendorDefinedResponse};

use vtrust_wire::Reader;

/// Size of every nonce (CHALLENGE, CHALLENGE_AUTH, GET_MEASUREMENTS, MEASUREMENTS).
pub const NONCE_LEN: usize = 32;

/// Size of the SPDM 1.3 RequesterContext (CHALLENGE, CHALLENGE_AUTH, GET_MEASUREMENTS,
/// MEASUREMENTS).
pub const REQUESTER_CONTEXT_LEN: usize = 8;

/// Our limit on VersionNumberEntryCount (1.0-1.4 define 5 versions; updates and alphas may add
/// entries).
pub const MAX_VERSION_ENTRIES: usize = 32;

/// Our limit on the extended algorithms of one NEGOTIATE_ALGORITHMS / ALGORITHMS / supported
/// algorithms block, all lists together (DSP0274 1.1+: at most 20).
pub const MAX_EXT_ALGORITHMS: usize = 20;

/// Our limit on algorithm structures (AlgStructCount): 1.4 defines 6 AlgTypes, each at most
/// once.
pub const MAX_ALG_STRUCTS: usize = 16;

/// Our limit on OpaqueDataLength (DSP0274: at most 1024 bytes).
pub const MAX_OPAQUE_DATA_LEN: usize = 1024;

/// Our limit on ExtendedErrorData of ERROR (DSP0274: at most 32 bytes).
pub const MAX_EXTENDED_ERROR_DATA_LEN: usize = 32;

/// Our limit on the VendorID length of VENDOR_DEFINED messages.
pub const MAX_VENDOR_ID_LEN: usize = 32;

/// Our limit on the 32-bit lengths of SPDM 1.4 large messages (CERTIFICATE
/// LargePortionLength, VENDOR_DEFINED LargeReqLength / LargeRespLength) and on
/// MeasurementRecordLength: 1 MiB.
pub const MAX_LARGE_LEN: usize = 1 << 20;

/// The field name of whole-message checks (trailing bytes, code, padding).
pub(crate) const MESSAGE: &str = "SPDM message";

/// Encodes into a scratch writer with the same room, then appends it: a message is written
/// whole or not at all (on error `w` is unchanged).
pub(crate) fn atomic(
    w: &mut vtrust_wire::Writer,
    f: impl FnOnce(&mut vtrust_wire::Writer) -> Result<(), vtrust_wire::EncodeError>,
) -> Result<(), vtrust_wire::EncodeError> {
    let mut scratch = vtrust_wire::Writer::with_limit(w.remaining());
    f(&mut scratch)?;
    w.bytes(MESSAGE, scratch.as_slice())
}

/// Decodes one message with code `code` that fills `bytes` exactly.
pub(crate) fn decode_exact<'a, T>(
    bytes: &'a [u8],
    code: u8,
    body: impl FnOnce(&Header, &mut Reader<'a>) -> Result<T, CodecError>,
) -> Result<T, CodecError> {
    let mut r = Reader::new(bytes);
    let header = Header::decode(&mut r)?;
    if header.code != code {
        return Err(CodecError::new(
            "RequestResponseCode",
            CodecErrorKind::UnexpectedCode { code: header.code },
        ));
    }
    let message = body(&header, &mut r)?;
    r.expect_end(MESSAGE)?;
    Ok(message)
}

/// After a message: accepts up to `max_pad` zero bytes and returns the message length.
pub(crate) fn check_padding(r: &mut Reader<'_>, max_pad: usize) -> Result<usize, CodecError> {
    let len = r.position();
    let pad = r.rest();
    if pad.len() > max_pad {
        return Err(CodecError::new(
            MESSAGE,
            CodecErrorKind::PaddingTooLong {
                len: pad.len(),
                max: max_pad,
            },
        ));
    }
    if pad.iter().any(|&b| b != 0) {
        return Err(CodecError::new(MESSAGE, CodecErrorKind::PaddingNotZero));
    }
    Ok(len)
}

/// Reads a fixed-size field that is there iff `present`.
pub(crate) fn read_if<const N: usize>(
    r: &mut Reader<'_>,
    field: &'static str,
    present: bool,
) -> Result<Option<[u8; N]>, CodecError> {
    if present {
        Ok(Some(r.array::<N>(field)?))
    } else {
        Ok(None)
    }
}

/// Checks, before encoding, that an optional field is present exactly when the layout has it.
pub(crate) fn check_presence<T>(
    field: &'static str,
    value: Option<T>,
    present: bool,
) -> Result<Option<T>, vtrust_wire::EncodeError> {
    if value.is_some() == present {
        Ok(value)
    } else {
        Err(vtrust_wire::EncodeError::invalid_value(field))
    }
}

/// Refuses, before encoding, a value that must be zero (empty) in this version.
pub(crate) fn check_absent(
    field: &'static str,
    is_zero: bool,
) -> Result<(), vtrust_wire::EncodeError> {
    if is_zero {
        Ok(())
    } else {
        Err(vtrust_wire::EncodeError::invalid_value(field))
    }
}
