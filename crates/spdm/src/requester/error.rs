//! [`RequesterError`]: why the requester refused a response or could not go on.

use crate::cert::ChainError;
use crate::codec::{CodecError, ErrorCode, ResponseCode, SpdmVersion};
use crate::negotiated::NegotiationError;
use crate::signing::SigningError;
use crate::transcript::TranscriptError;

/// A well-formed response that breaks a rule (DESIGN.md: `PeerMisbehaved`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Misbehavior {
    /// The response's SPDMVersion is not the negotiated one (VERSION: not 1.0).
    #[error("SPDMVersion {got:?} instead of {expected:?}")]
    VersionMismatch {
        /// What it should be.
        expected: SpdmVersion,
        /// What it was.
        got: SpdmVersion,
    },
    /// A large response (CHUNK_GET / CHUNK_RESPONSE) broke the transfer rules.
    #[error("Large response: {0}")]
    Chunk(&'static str),
    /// CAPABILITIES flags that contradict each other or the version.
    #[error("Incoherent capabilities: {0}")]
    IncoherentCapabilities(&'static str),
    /// The responder lacks a capability our configured flow needs.
    #[error("Responder lacks {0}")]
    MissingCapability(&'static str),
    /// DIGESTS does not list the slot we need, or CHALLENGE_AUTH / MEASUREMENTS name another
    /// slot.
    #[error("Slot {slot}: {reason}")]
    Slot {
        /// The slot.
        slot: u8,
        /// What is wrong.
        reason: &'static str,
    },
    /// The chain's hash differs from the slot's digest in DIGESTS.
    #[error("Slot {slot}: certificate chain does not match its digest")]
    DigestMismatch {
        /// The slot.
        slot: u8,
    },
    /// A later DIGESTS or CERTIFICATE differs from the chain already validated.
    #[error("Slot {slot}: certificate chain changed during the connection")]
    ChainChanged {
        /// The slot.
        slot: u8,
    },
    /// CERTIFICATE: portion larger than asked, empty with more remaining, or a chain above
    /// our limit.
    #[error("CERTIFICATE: {0}")]
    Certificate(&'static str),
    /// CHALLENGE_AUTH CertChainHash differs from the hash of the chain we validated.
    #[error("CertChainHash does not match the validated chain")]
    CertChainHashMismatch,
    /// RequesterContext not echoed.
    #[error("RequesterContext not echoed")]
    RequesterContextMismatch,
    /// CHALLENGE_AUTH asks for mutual authentication, which was not negotiated.
    #[error("Mutual authentication requested but not negotiated")]
    UnexpectedMutualAuth,
    /// MEASUREMENTS: a block other than the one asked for, a repeated index, or a count
    /// above our limit.
    #[error("MEASUREMENTS: {0}")]
    Measurements(&'static str),
    /// ERROR(ResponseNotReady) for another request, or a RESPOND_IF_READY loop.
    #[error("ResponseNotReady: {0}")]
    NotReady(&'static str),
}

/// Why the requester stopped. Malformed responses ([`Self::InvalidMessage`]) are told apart
/// from well-formed but forbidden ones ([`Self::PeerMisbehaved`]), unsupported features,
/// and API misuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RequesterError {
    /// The response does not parse.
    #[error("Malformed {expected:?} response: {source}")]
    InvalidMessage {
        /// The response we waited for.
        expected: ResponseCode,
        /// The codec's reason.
        source: CodecError,
    },
    /// A response with another code than the request's (out of order).
    #[error("Expected {expected:?}, got response code {got:#04x}")]
    UnexpectedResponse {
        /// The response we waited for.
        expected: ResponseCode,
        /// The code received.
        got: u8,
    },
    /// A well-formed response that breaks a rule.
    #[error("Peer misbehaved: {0}")]
    PeerMisbehaved(Misbehavior),
    /// ALGORITHMS cannot be used.
    #[error("Negotiation failed: {0}")]
    Negotiation(NegotiationError),
    /// VERSION offers no version in our range, all of them below our minimum.
    #[error("Downgrade refused: responder offers at most {offered:?}, we require {required:?}")]
    Downgrade {
        /// The responder's highest known version.
        offered: Option<SpdmVersion>,
        /// Our minimum.
        required: SpdmVersion,
    },
    /// VERSION offers no version in our range.
    #[error("No common SPDM version")]
    NoCommonVersion,
    /// The certificate chain does not validate.
    #[error("Certificate chain rejected: {0}")]
    Chain(ChainError),
    /// A signature does not verify.
    #[error("Signature rejected: {0}")]
    Signature(SigningError),
    /// The responder answered ERROR.
    #[error("Responder returned ERROR {code:?} (data {data:#04x})")]
    ErrorResponse {
        /// ErrorCode.
        code: ErrorCode,
        /// ErrorData.
        data: u8,
    },
    /// ERROR(LargeResponse) although chunking was not negotiated (1.2+ and CHUNK_CAP on
    /// both sides), or in answer to CHUNK_GET.
    #[error("ERROR(LargeResponse) without negotiated chunking")]
    ChunkingNotSupported,
    /// Busy, ResponseNotReady or RequestResynch more often than allowed.
    #[error("Gave up after {0} retries")]
    TooManyRetries(u8),
    /// A transcript grew beyond our limit.
    #[error("Transcript: {0}")]
    Transcript(TranscriptError),
    /// The configuration cannot be used (API misuse).
    #[error("Invalid configuration: {0}")]
    Config(&'static str),
    /// The crypto provider failed (RNG).
    #[error("Crypto: {0}")]
    Crypto(vtrust_crypto::Error),
    /// A request could not be encoded (a bug or a bad configuration).
    #[error("Request encoding failed: {0}")]
    Encode(vtrust_wire::EncodeError),
}

impl From<Misbehavior> for RequesterError {
    fn from(m: Misbehavior) -> Self {
        Self::PeerMisbehaved(m)
    }
}

impl From<TranscriptError> for RequesterError {
    fn from(e: TranscriptError) -> Self {
        Self::Transcript(e)
    }
}

impl From<NegotiationError> for RequesterError {
    fn from(e: NegotiationError) -> Self {
        Self::Negotiation(e)
    }
}

impl From<SigningError> for RequesterError {
    fn from(e: SigningError) -> Self {
        Self::Signature(e)
    }
}

impl From<ChainError> for RequesterError {
    fn from(e: ChainError) -> Self {
        Self::Chain(e)
    }
}

impl From<vtrust_wire::EncodeError> for RequesterError {
    fn from(e: vtrust_wire::EncodeError) -> Self {
        Self::Encode(e)
    }
}

impl From<vtrust_crypto::Error> for RequesterError {
    fn from(e: vtrust_crypto::Error) -> Self {
        Self::Crypto(e)
    }
}
