//! The SPDM responder, sans I/O: request bytes in, response bytes out (DSP0274 1.0-1.4).
//!
//! [`Responder::handle`] always produces a response: the answer, or an SPDM ERROR when the
//! request is malformed (InvalidRequest), of a code we do not implement (UnsupportedRequest),
//! of another version than the negotiated one (VersionMismatch), out of order
//! (UnexpectedRequest), too large (RequestTooLarge, 1.2+) or would need a response larger
//! than the requester accepts (ResponseTooLarge, 1.2+).
//!
//! The connection is a closed enum of per-state structs ([`state`]), consumed on each VCA
//! transition: `AwaitingVersion -> AfterVersion -> AfterCapabilities -> Negotiated`.
//! GET_VERSION is accepted in every state and restarts the connection.
//!
//! | file | what it owns |
//! |---|---|
//! | [`config`] | [`ResponderConfig`]: versions, capabilities, algorithm sets, sizes, test knobs |
//! | [`identity`] | [`ResponderIdentity`]: slots (DER chain + leaf key), from generated chains or libspdm files |
//! | [`state`] | the connection state types |
//! | `vca` | GET_VERSION, GET_CAPABILITIES, NEGOTIATE_ALGORITHMS and the selection policy |
//! | `auth` | GET_DIGESTS, GET_CERTIFICATE, CHALLENGE, RESPOND_IF_READY |
//! | `meas` | GET_MEASUREMENTS |
//! | `chunk` | CHUNK_GET, CHUNK_SEND: large responses and requests |
//!
//! Transcripts ([`crate::transcript`]), VCA outcome checks ([`crate::negotiated`]) and
//! signatures ([`crate::signing`]) are shared with the requester.
//!
//! Large messages (1.2+, CHUNK_CAP on both sides, `chunk`): a response above the requester's
//! DataTransferSize is answered ERROR(LargeResponse) and fetched with CHUNK_GET; a request
//! above ours arrives with CHUNK_SEND. Without chunking such a response is refused with
//! ResponseTooLarge.
//!
//! Not implemented (answered UnsupportedRequest): sessions (KEY_EXCHANGE, PSK, ...),
//! mutual authentication, CSR/SET_CERTIFICATE, events, MEL, endpoint info, multi-key.

mod auth;
mod chunk;
pub mod config;
pub mod identity;
mod meas;
pub mod state;
mod vca;

use vtrust_crypto::CryptoProvider;
use vtrust_wire::Encode;

use crate::codec::{
    ErrorCode, ErrorResponse, ExtendedErrorData, Header, MeasurementHashAlgo, RequestCode,
    SpdmVersion, VendorDefinedRequest,
};
use crate::measurements::{MeasurementError, MeasurementStore};
use crate::negotiated::measurement_hash_to_hash;

pub use config::ResponderConfig;
pub use identity::{IdentityError, ResponderIdentity, SlotIdentity};
pub use state::ConnectionState;

/// A caller-supplied VENDOR_DEFINED_REQUEST handler: returns the response payload, or the
/// SPDM error code to answer with.
pub trait VendorDefinedHandler: Send {
    /// Handles one request (after VCA).
    ///
    /// # Errors
    /// The ERROR code to send.
    fn handle(&mut self, request: &VendorDefinedRequest<'_>) -> Result<Vec<u8>, ErrorCode>;
}

impl<F> VendorDefinedHandler for F
where
    F: FnMut(&VendorDefinedRequest<'_>) -> Result<Vec<u8>, ErrorCode> + Send,
{
    fn handle(&mut self, request: &VendorDefinedRequest<'_>) -> Result<Vec<u8>, ErrorCode> {
        self(request)
    }
}

/// Why a responder could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ResponderError {
    /// The configuration contradicts itself.
    #[error("Configuration: {0}")]
    Config(&'static str),
    /// The measurement store does not render with a configured measurement hash.
    #[error("Measurements: {0}")]
    Measurements(#[from] MeasurementError),
}

/// An SPDM ERROR to answer with: the code and ErrorData (Param2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rejection {
    pub(crate) code: ErrorCode,
    pub(crate) data: u8,
}

impl Rejection {
    pub(crate) const fn new(code: ErrorCode) -> Self {
        Self { code, data: 0 }
    }
    pub(crate) const fn invalid() -> Self {
        Self::new(ErrorCode::InvalidRequest)
    }
    pub(crate) const fn unexpected() -> Self {
        Self::new(ErrorCode::UnexpectedRequest)
    }
    pub(crate) fn unsupported(code: u8) -> Self {
        Self {
            code: ErrorCode::UnsupportedRequest,
            data: code,
        }
    }
    pub(crate) const fn unspecified() -> Self {
        Self::new(ErrorCode::Unspecified)
    }
}

impl From<crate::codec::CodecError> for Rejection {
    fn from(e: crate::codec::CodecError) -> Self {
        Self::new(e.error_code())
    }
}

impl From<crate::transcript::TranscriptError> for Rejection {
    fn from(_: crate::transcript::TranscriptError) -> Self {
        Self::unspecified()
    }
}

impl From<vtrust_wire::EncodeError> for Rejection {
    fn from(_: vtrust_wire::EncodeError) -> Self {
        Self::unspecified()
    }
}

impl From<crate::signing::SigningError> for Rejection {
    fn from(_: crate::signing::SigningError) -> Self {
        Self::unspecified()
    }
}

impl From<MeasurementError> for Rejection {
    fn from(_: MeasurementError) -> Self {
        Self::unspecified()
    }
}

/// A request held back by ResponseNotReady, answered on RESPOND_IF_READY.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pending {
    pub(crate) code: RequestCode,
    pub(crate) token: u8,
    pub(crate) request: Vec<u8>,
}

/// The SPDM responder.
pub struct Responder {
    pub(crate) config: ResponderConfig,
    pub(crate) identity: ResponderIdentity,
    pub(crate) measurements: MeasurementStore,
    pub(crate) provider: CryptoProvider,
    pub(crate) vendor: Option<Box<dyn VendorDefinedHandler>>,
    pub(crate) state: ConnectionState,
    /// The not-ready knob fired already.
    pub(crate) not_ready_used: bool,
    pub(crate) next_token: u8,
    /// Handle for the next ERROR(LargeResponse).
    pub(crate) next_chunk_handle: u8,
}

impl std::fmt::Debug for Responder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Responder")
            .field("state", &self.state.name())
            .field("slots", &self.identity.slots().len())
            .finish_non_exhaustive()
    }
}

impl Responder {
    /// A responder in state `AwaitingVersion`.
    ///
    /// # Errors
    /// [`ResponderError::Config`] for no versions, a DataTransferSize below 42 or above
    /// MaxSPDMmsgSize (or different from it without CHUNK_CAP); [`ResponderError::Measurements`] if the store does not render with
    /// one of the configured measurement hashes (a precomputed digest of another size).
    pub fn new(
        config: ResponderConfig,
        identity: ResponderIdentity,
        measurements: MeasurementStore,
        provider: CryptoProvider,
    ) -> Result<Self, ResponderError> {
        if config.versions.is_empty() {
            return Err(ResponderError::Config("no SPDM version"));
        }
        if config.data_transfer_size < config::MIN_DATA_TRANSFER_SIZE
            || config.max_spdm_msg_size < config.data_transfer_size
        {
            return Err(ResponderError::Config(
                "DataTransferSize below 42 or above MaxSPDMmsgSize",
            ));
        }
        // DSP0274 1.2 §10.4: without CHUNK_CAP the two sizes are equal.
        if !config
            .flags
            .contains(crate::codec::ResponderCapabilityFlags::CHUNK_CAP)
            && config.data_transfer_size != config.max_spdm_msg_size
        {
            return Err(ResponderError::Config(
                "MaxSPDMmsgSize differs from DataTransferSize without CHUNK_CAP",
            ));
        }
        for bit in config.measurement_hash_algo.iter() {
            let hash = match measurement_hash_to_hash(bit) {
                Ok(crate::negotiated::MeasurementHash::Hash(h)) => Some(h),
                Ok(crate::negotiated::MeasurementHash::RawBitStreamOnly) => None,
                Err(_) => continue,
            };
            if bit == MeasurementHashAlgo::RAW_BIT_STREAM_ONLY || hash.is_some() {
                measurements.check_renders(&provider, hash)?;
            }
        }
        let mut config = config;
        config.versions.sort();
        config.versions.dedup();
        Ok(Self {
            config,
            identity,
            measurements,
            provider,
            vendor: None,
            state: ConnectionState::default(),
            not_ready_used: false,
            next_token: 1,
            next_chunk_handle: 1,
        })
    }

    /// With a VENDOR_DEFINED_REQUEST handler (without one they are UnsupportedRequest).
    #[must_use]
    pub fn with_vendor_handler(mut self, handler: Box<dyn VendorDefinedHandler>) -> Self {
        self.vendor = Some(handler);
        self
    }

    /// The configuration.
    #[must_use]
    pub fn config(&self) -> &ResponderConfig {
        &self.config
    }

    /// The connection state.
    #[must_use]
    pub fn state(&self) -> &ConnectionState {
        &self.state
    }

    /// Handles one SPDM request (the SPDM message, without transport bytes or padding) and
    /// returns the response to send. Never fails: problems become an SPDM ERROR.
    pub fn handle(&mut self, request: &[u8]) -> Vec<u8> {
        let version = self.state.error_version();
        match self.dispatch(request) {
            Ok(response) => response,
            Err((v, rejection)) => error_bytes(v.unwrap_or(version), rejection, None),
        }
    }

    /// Dispatches on the state and the code; the error carries the version to answer with
    /// (when it differs from the state's).
    fn dispatch(&mut self, request: &[u8]) -> Result<Vec<u8>, (Option<SpdmVersion>, Rejection)> {
        let bare = |r: Rejection| (None, r);
        let header = Header::peek(request).map_err(|e| bare(e.into()))?;
        let code = header.request_code();
        let limit = usize::try_from(self.config.data_transfer_size).unwrap_or(usize::MAX);
        if request.len() > limit {
            let v = self.state.error_version();
            let code = if v.at_least(SpdmVersion::V12) {
                ErrorCode::RequestTooLarge
            } else {
                ErrorCode::InvalidRequest
            };
            return Err(bare(Rejection::new(code)));
        }
        if code == RequestCode::GetVersion {
            return self
                .get_version(request)
                .map_err(|r| (Some(SpdmVersion::V10), r));
        }
        if !implemented(code) {
            return Err(bare(Rejection::unsupported(header.code)));
        }
        let state = core::mem::take(&mut self.state);
        match state {
            ConnectionState::AwaitingVersion(s) => {
                self.state = ConnectionState::AwaitingVersion(s);
                Err(bare(Rejection::unexpected()))
            }
            ConnectionState::AfterVersion(s) => {
                if code != RequestCode::GetCapabilities {
                    self.state = ConnectionState::AfterVersion(s);
                    return Err(bare(Rejection::unexpected()));
                }
                let (next, result) = self.get_capabilities(s, request);
                self.state = next;
                result.map_err(bare)
            }
            ConnectionState::AfterCapabilities(s) => {
                if header.version != s.version {
                    self.state = ConnectionState::AfterCapabilities(s);
                    return Err(bare(Rejection::new(ErrorCode::VersionMismatch)));
                }
                if code != RequestCode::NegotiateAlgorithms {
                    self.state = ConnectionState::AfterCapabilities(s);
                    return Err(bare(Rejection::unexpected()));
                }
                let (next, result) = self.negotiate_algorithms(s, request);
                self.state = next;
                result.map_err(bare)
            }
            ConnectionState::Negotiated(mut s) => {
                let result = if header.version != s.negotiated.version {
                    Err(Rejection::new(ErrorCode::VersionMismatch))
                } else {
                    self.negotiated_request(&mut s, code, request)
                };
                // L1/L2 covers an unbroken run of GET_MEASUREMENTS: any other request, and a
                // GET_MEASUREMENTS answered with an ERROR, restarts it (libspdm resets
                // message_m on every GET_MEASUREMENTS error; its requester does the same).
                // Chunk messages only carry other messages and leave it alone.
                let chunk = matches!(code, RequestCode::ChunkGet | RequestCode::ChunkSend);
                if !chunk && (code != RequestCode::GetMeasurements || result.is_err()) {
                    s.transcript.reset_l();
                }
                self.state = ConnectionState::Negotiated(s);
                result.map_err(bare)
            }
        }
    }

    fn negotiated_request(
        &mut self,
        s: &mut state::Negotiated,
        code: RequestCode,
        request: &[u8],
    ) -> Result<Vec<u8>, Rejection> {
        match code {
            RequestCode::ChunkGet => return self.chunk_get(s, request),
            RequestCode::ChunkSend => return self.chunk_send(s, request),
            _ => {}
        }
        // Any other request abandons a large message in transfer (DSP0274 1.2 §10.20/21).
        s.large_response = None;
        s.large_request = None;
        let response = self.answer(s, code, request)?;
        let room = self.transfer_size(s);
        Ok(self.deliver(s, response, room))
    }

    /// The response to a (possibly reassembled) request after VCA, before chunking.
    pub(crate) fn answer(
        &mut self,
        s: &mut state::Negotiated,
        code: RequestCode,
        request: &[u8],
    ) -> Result<Vec<u8>, Rejection> {
        match code {
            RequestCode::GetDigests => self.get_digests(s, request),
            RequestCode::GetCertificate => self.get_certificate(s, request),
            RequestCode::Challenge => self.challenge(s, request, true),
            RequestCode::GetMeasurements => self.get_measurements(s, request),
            RequestCode::RespondIfReady => self.respond_if_ready(s, request),
            RequestCode::VendorDefinedRequest => self.vendor_defined(s, request),
            RequestCode::GetCapabilities | RequestCode::NegotiateAlgorithms => {
                Err(Rejection::unexpected())
            }
            _ => Err(Rejection::unsupported(code.into())),
        }
    }

    fn vendor_defined(
        &mut self,
        s: &mut state::Negotiated,
        request: &[u8],
    ) -> Result<Vec<u8>, Rejection> {
        let Some(handler) = self.vendor.as_mut() else {
            return Err(Rejection::unsupported(
                RequestCode::VendorDefinedRequest.into(),
            ));
        };
        let req = VendorDefinedRequest::decode(request)?;
        s.transcript
            .on_request(RequestCode::VendorDefinedRequest, s.authenticated);
        let payload = handler.handle(&req).map_err(Rejection::new)?;
        let large = req.large
            || (s.negotiated.version.at_least(SpdmVersion::V14) && payload.len() > 0xFFFF);
        let response = crate::codec::VendorDefinedResponse {
            version: s.negotiated.version,
            large,
            standard_id: req.standard_id,
            vendor_id: req.vendor_id,
            payload: &payload,
        }
        .to_vec()?;
        self.check_size(s, response.len())?;
        Ok(response)
    }

    /// The largest response the requester takes: with chunking its MaxSPDMmsgSize (larger
    /// responses go out with CHUNK_GET), else its DataTransferSize (1.2+), else our
    /// MaxSPDMmsgSize.
    pub(crate) fn max_response(&self, s: &state::Negotiated) -> u32 {
        let caps = &s.negotiated.requester_caps;
        let one_transfer = caps
            .data_transfer_size
            .unwrap_or(self.config.max_spdm_msg_size);
        if self.chunking(s) {
            caps.max_spdm_msg_size.unwrap_or(one_transfer)
        } else {
            one_transfer
        }
    }

    /// ResponseTooLarge (1.2+) if `len` exceeds what the requester receives in one transfer.
    pub(crate) fn check_size(&self, s: &state::Negotiated, len: usize) -> Result<(), Rejection> {
        let max = self.max_response(s);
        if usize::try_from(max).is_ok_and(|m| len > m) {
            return Err(Rejection::new(
                if s.negotiated.version.at_least(SpdmVersion::V12) {
                    ErrorCode::ResponseTooLarge
                } else {
                    ErrorCode::Unspecified
                },
            ));
        }
        Ok(())
    }
}

/// Whether this responder implements request `code` at all.
fn implemented(code: RequestCode) -> bool {
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
            | RequestCode::ChunkGet
            | RequestCode::ChunkSend
    )
}

/// An ERROR message (never fails: falls back to a bare header).
pub(crate) fn error_bytes(
    version: SpdmVersion,
    rejection: Rejection,
    extended: Option<ExtendedErrorData<'_>>,
) -> Vec<u8> {
    let message = ErrorResponse {
        version,
        error_code: rejection.code,
        error_data: rejection.data,
        extended: extended.unwrap_or(ExtendedErrorData::Opaque(&[])),
    };
    message.to_vec().unwrap_or_else(|_| {
        vec![
            version.raw(),
            crate::codec::ResponseCode::Error.into(),
            rejection.code.into(),
            rejection.data,
        ]
    })
}
