//! The responder's connection state: a closed enum of per-state structs, each holding only
//! what is valid in that state, consumed on each VCA transition.

use vtrust_crypto::hash::Digest;

use crate::codec::{Capabilities, GetCapabilities, SpdmVersion};
use crate::negotiated::Negotiated as NegotiatedParams;
use crate::transcript::{Transcript, VcaTranscript};

use super::Pending;

/// Before GET_VERSION: only GET_VERSION is answered.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct AwaitingVersion;

/// After VERSION: waiting for GET_CAPABILITIES.
#[derive(Debug)]
pub struct AfterVersion {
    /// Message A so far (GET_VERSION, VERSION).
    pub(crate) vca: VcaTranscript,
}

/// After CAPABILITIES: the version is fixed; waiting for NEGOTIATE_ALGORITHMS.
#[derive(Debug)]
pub struct AfterCapabilities {
    /// Message A so far.
    pub(crate) vca: VcaTranscript,
    /// The version GET_CAPABILITIES chose.
    pub(crate) version: SpdmVersion,
    /// The requester's GET_CAPABILITIES.
    pub(crate) get_caps: GetCapabilities,
    /// Our CAPABILITIES.
    pub(crate) caps: Capabilities,
}

/// One provisioned slot's chain for this connection (RootHash and digest use the
/// negotiated hash).
#[derive(Debug, Clone)]
pub(crate) struct SlotChain {
    pub(crate) slot_id: u8,
    /// The SPDM certificate chain (Length, Reserved, RootHash, certificates).
    pub(crate) chain: Vec<u8>,
    /// Hash of `chain` (DIGESTS entry, CHALLENGE_AUTH CertChainHash).
    pub(crate) digest: Digest,
}

/// After ALGORITHMS: the negotiated parameters, the transcripts and this connection's
/// certificate chains.
#[derive(Debug)]
pub struct Negotiated {
    /// What VCA established.
    pub(crate) negotiated: NegotiatedParams,
    /// A, B, C and L.
    pub(crate) transcript: Transcript,
    /// Provisioned slots, ascending.
    pub(crate) chains: Vec<SlotChain>,
    /// A CHALLENGE_AUTH was sent since VCA.
    pub(crate) authenticated: bool,
    /// A request answered with ResponseNotReady.
    pub(crate) pending: Option<Pending>,
    /// A response answered with ERROR(LargeResponse), being fetched with CHUNK_GET.
    pub(crate) large_response: Option<LargeResponse>,
    /// A request arriving in CHUNK_SEND pieces.
    pub(crate) large_request: Option<LargeRequest>,
}

/// DSP0274 1.2 §10.21: a response larger than the requester's DataTransferSize, kept until
/// its last chunk went out.
#[derive(Debug, Clone)]
pub(crate) struct LargeResponse {
    pub(crate) handle: u8,
    pub(crate) bytes: Vec<u8>,
    /// The ChunkSeqNo the next CHUNK_GET must carry.
    pub(crate) next_seq: u32,
    /// Bytes of `bytes` already sent.
    pub(crate) sent: usize,
}

/// DSP0274 1.2 §10.20: a request arriving in CHUNK_SEND pieces.
#[derive(Debug, Clone)]
pub(crate) struct LargeRequest {
    pub(crate) handle: u8,
    /// LargeMessageSize from chunk 0 (at most our MaxSPDMmsgSize).
    pub(crate) total: usize,
    pub(crate) bytes: Vec<u8>,
    /// The ChunkSeqNo the next CHUNK_SEND must carry.
    pub(crate) next_seq: u32,
}

impl Negotiated {
    /// What VCA established.
    #[must_use]
    pub fn params(&self) -> &NegotiatedParams {
        &self.negotiated
    }
}

/// The responder's connection state.
#[derive(Debug)]
pub enum ConnectionState {
    /// Nothing received yet (or the last GET_VERSION failed to decode).
    AwaitingVersion(AwaitingVersion),
    /// VERSION sent.
    AfterVersion(AfterVersion),
    /// CAPABILITIES sent.
    AfterCapabilities(AfterCapabilities),
    /// ALGORITHMS sent: authentication and measurements are served.
    Negotiated(Box<Negotiated>),
}

impl Default for ConnectionState {
    fn default() -> Self {
        Self::AwaitingVersion(AwaitingVersion)
    }
}

impl ConnectionState {
    /// The state's name, for logs and tests.
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            Self::AwaitingVersion(_) => "AwaitingVersion",
            Self::AfterVersion(_) => "AfterVersion",
            Self::AfterCapabilities(_) => "AfterCapabilities",
            Self::Negotiated(_) => "Negotiated",
        }
    }

    /// The version an ERROR carries in this state: the negotiated one once GET_CAPABILITIES
    /// fixed it, else 1.0.
    #[must_use]
    pub fn error_version(&self) -> SpdmVersion {
        match self {
            Self::AwaitingVersion(_) | Self::AfterVersion(_) => SpdmVersion::V10,
            Self::AfterCapabilities(s) => s.version,
            Self::Negotiated(s) => s.negotiated.version,
        }
    }
}
