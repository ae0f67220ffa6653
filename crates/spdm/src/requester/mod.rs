//! The SPDM requester, sans I/O: VCA, certificate retrieval and validation, CHALLENGE and
//! signed GET_MEASUREMENTS, ending in an [`Attestation`].
//!
//! Protocol state is a type: [`Requester`] is a closed enum of per-state structs, each
//! holding only what is valid in that state; every transition consumes the state and returns
//! a [`Next`]: the next request to send (with the new state to give its response to), a
//! "wait, then send" (ERROR ResponseNotReady), or the finished [`Attestation`].
//!
//! ```text
//! start ─► AwaitingVersion ─► AwaitingCapabilities ─► AwaitingAlgorithms ─► (plan steps:)
//!          AwaitingDigests | AwaitingCertificate (offset/length loop) | AwaitingChallengeAuth
//!          | AwaitingMeasurements ─► … ─► Done(Attestation)
//! ```
//!
//! | file | what it owns |
//! |---|---|
//! | `mod.rs` | [`Requester`], [`Next`], ERROR handling (Busy, ResponseNotReady, RequestResynch, LargeResponse), the post-VCA connection |
//! | `vca` | GET_VERSION, GET_CAPABILITIES, NEGOTIATE_ALGORITHMS and the capability checks |
//! | `digests`, `certificate`, `challenge`, `measurements` | one request/response pair each |
//! | `chunk` | CHUNK_GET (a response announced with ERROR(LargeResponse)) and CHUNK_SEND (a request above the responder's DataTransferSize) |
//! | `config` | [`RequesterConfig`], [`Step`], [`MeasurementPlan`] |
//! | `attestation` | [`Attestation`], the evidence |
//! | `driver` | [`Exchange`], [`run`] |
//! | `error` | [`RequesterError`], [`Misbehavior`] |
//!
//! Messages in and out are SPDM messages (no transport bytes); a caller on PCI DOE sets
//! [`RequesterConfig::max_padding`] to 3 and hands the padded body over. [`run`] drives the
//! machine over any [`Exchange`] (the caller's transport).
//!
//! ```no_run
//! use vtrust_crypto::CryptoProvider;
//! use vtrust_spdm::requester::{Next, Requester, RequesterConfig};
//! # fn send_and_receive(_: &[u8]) -> Vec<u8> { unimplemented!() }
//! # fn demo(config: RequesterConfig) -> Result<(), vtrust_spdm::requester::RequesterError> {
//! let provider = CryptoProvider::new();
//! let mut next = Requester::start(config)?;
//! let attestation = loop {
//!     next = match next {
//!         Next::Send { requester, request } => {
//!             requester.on_response(&provider, &send_and_receive(&request))?
//!         }
//!         Next::WaitThenSend { requester, delay, request } => {
//!             std::thread::sleep(delay);
//!             requester.on_response(&provider, &send_and_receive(&request))?
//!         }
//!         Next::Done(attestation) => break attestation,
//!     };
//! };
//! # let _ = attestation; Ok(()) }
//! ```
//!
//! What is checked: the version is the highest common one within the configured range
//! (refusing a downgrade below the minimum); responder capability flags are coherent for
//! the version and sufficient for the plan; ALGORITHMS selects exactly one offered algorithm
//! per field and agrees with the capabilities ([`Negotiated::from_vca`]); DIGESTS lists the
//! slots we fetch and never changes a validated slot's digest; each CERTIFICATE portion is
//! within what we asked and the chain within our limit, its hash equals its DIGESTS entry and
//! it validates against the trust anchors; CHALLENGE_AUTH names our slot, carries the hash of
//! the chain we validated, echoes RequesterContext, and its signature verifies over M1/M2;
//! MEASUREMENTS carries the blocks asked for, echoes RequesterContext and its signature
//! verifies over L1/L2. Every response must carry the negotiated version and the code of the
//! request; anything else is refused with a typed [`RequesterError`].

#[macro_use]
mod macros {
    /// Takes variant `$variant` of a decoded [`Response`], or refuses the response as
    /// [`RequesterError::UnexpectedResponse`] (the variant and the response code share a
    /// name).
    macro_rules! expect_response {
        ($response:expr, $variant:ident) => {
            match $response {
                Response::$variant(m) => m,
                other => {
                    return Err(RequesterError::UnexpectedResponse {
                        expected: ResponseCode::$variant,
                        got: other.code().into(),
                    });
                }
            }
        };
    }

    /// Implements [`State`] for the awaiting state `$state` (the `Requester` variant of the
    /// same name): `conn` for states after ALGORITHMS (chunking as negotiated), `base` for
    /// the states before and for chunk transfers (no ERROR(LargeResponse) there).
    macro_rules! awaiting_state {
        ($state:ident, conn) => {
            impl State for $state {
                fn pending(&mut self) -> &mut Pending {
                    &mut self.pending
                }
                fn chunk_version(&self) -> Option<SpdmVersion> {
                    self.conn.chunk_version()
                }
                fn base(&self) -> &Base {
                    &self.conn.base
                }
                fn wrap(self: Box<Self>) -> Requester {
                    Requester::$state(self)
                }
            }
        };
        ($state:ident, base) => {
            impl State for $state {
                fn pending(&mut self) -> &mut Pending {
                    &mut self.pending
                }
                fn chunk_version(&self) -> Option<SpdmVersion> {
                    None
                }
                fn base(&self) -> &Base {
                    &self.base
                }
                fn wrap(self: Box<Self>) -> Requester {
                    Requester::$state(self)
                }
            }
        };
    }
}

mod attestation;
mod certificate;
mod challenge;
mod chunk;
mod config;
mod digests;
mod driver;
mod error;
mod measurements;
mod vca;

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use vtrust_crypto::CryptoProvider;
use vtrust_crypto::sign::{KeyType, PublicKey};
use vtrust_wire::Encode;

pub use attestation::{
    Attestation, ChallengeEvidence, MeasurementEvidence, SignedMeasurements, SlotEvidence,
};
pub use certificate::AwaitingCertificate;
pub use challenge::AwaitingChallengeAuth;
pub use chunk::{AwaitingChunk, AwaitingChunkAck};
pub use config::{MeasurementPlan, RequesterConfig, Step};
pub use digests::AwaitingDigests;
pub use driver::{Exchange, RunError, run};
pub use error::{Misbehavior, RequesterError};
pub use measurements::AwaitingMeasurements;
pub use vca::{AwaitingAlgorithms, AwaitingCapabilities, AwaitingVersion};

use crate::cert::{Anchors, LeafKey, ParseOptions, Role, SpdmCertChain, ValidationPolicy};
use crate::codec::{
    Capabilities, CertModel, Challenge, DecodeContext, ErrorCode, ErrorResponse, ExtendedErrorData,
    GetCapabilities, GetCertificate, GetDigests, GetMeasurements, GetVersion, Header, MeasCap,
    MeasurementAttributes, MeasurementOperation, MeasurementSummaryHashType, NegotiateAlgorithms,
    PskCap, RequestCode, RequesterCapabilityFlags, RespondIfReady, ResponderCapabilityFlags,
    Response, ResponseCode, SpdmVersion,
};
use crate::negotiated::Negotiated;
use crate::signing::{SigningContext, verify_signature};
use crate::transcript::{Transcript, VcaTranscript};

/// SPDM 1.2 MinDataTransferSize.
const MIN_DATA_TRANSFER_SIZE: u32 = 42;

/// CERTIFICATE bytes before the portion.
const CERTIFICATE_HEADER_LEN: u32 = 8;

/// What to do next.
#[derive(Debug)]
pub enum Next {
    /// Send `request`, then give its response to `requester.on_response`.
    Send {
        /// The state waiting for the response.
        requester: Requester,
        /// The SPDM request.
        request: Vec<u8>,
    },
    /// Wait `delay` (ERROR ResponseNotReady), send `request` (RESPOND_IF_READY), then give
    /// the response to `requester.on_response`.
    WaitThenSend {
        /// The state waiting for the response.
        requester: Requester,
        /// How long to wait first.
        delay: Duration,
        /// The SPDM request.
        request: Vec<u8>,
    },
    /// The flow finished; the responder is authenticated as configured.
    Done(Box<Attestation>),
}

/// The requester, in one of its states. Each state waits for one response.
#[derive(Debug)]
pub enum Requester {
    /// GET_VERSION sent.
    AwaitingVersion(Box<AwaitingVersion>),
    /// GET_CAPABILITIES sent.
    AwaitingCapabilities(Box<AwaitingCapabilities>),
    /// NEGOTIATE_ALGORITHMS sent.
    AwaitingAlgorithms(Box<AwaitingAlgorithms>),
    /// GET_DIGESTS sent.
    AwaitingDigests(Box<AwaitingDigests>),
    /// GET_CERTIFICATE sent (one portion of a chain).
    AwaitingCertificate(Box<AwaitingCertificate>),
    /// CHALLENGE sent.
    AwaitingChallengeAuth(Box<AwaitingChallengeAuth>),
    /// GET_MEASUREMENTS sent.
    AwaitingMeasurements(Box<AwaitingMeasurements>),
    /// CHUNK_GET sent (fetching a large response for the state inside).
    AwaitingChunk(Box<AwaitingChunk>),
    /// CHUNK_SEND sent (a large request of the state inside, in pieces).
    AwaitingChunkAck(Box<AwaitingChunkAck>),
}

impl Requester {
    /// Checks `config` and returns GET_VERSION to send.
    ///
    /// # Errors
    /// [`RequesterError::Config`] for an unusable configuration.
    pub fn start(config: RequesterConfig) -> Result<Next, RequesterError> {
        check_config(&config)?;
        let resynch_left = config.resynch_retries;
        Ok(AwaitingVersion::send(Base {
            config: Arc::new(config),
            resynch_left,
        }))
    }

    /// Takes the response to the last request.
    ///
    /// # Errors
    /// A [`RequesterError`]; the state is consumed (start again).
    pub fn on_response(
        self,
        provider: &CryptoProvider,
        response: &[u8],
    ) -> Result<Next, RequesterError> {
        let next = match self {
            Self::AwaitingVersion(s) => step(s, provider, response),
            Self::AwaitingCapabilities(s) => step(s, provider, response),
            Self::AwaitingAlgorithms(s) => step(s, provider, response),
            Self::AwaitingDigests(s) => step(s, provider, response),
            Self::AwaitingCertificate(s) => step(s, provider, response),
            Self::AwaitingChallengeAuth(s) => step(s, provider, response),
            Self::AwaitingMeasurements(s) => step(s, provider, response),
            Self::AwaitingChunk(s) => step(s, provider, response),
            Self::AwaitingChunkAck(s) => step(s, provider, response),
        }?;
        AwaitingChunkAck::wrap_if_large(next)
    }

    /// For a state after VCA with chunking negotiated: the version, the responder's
    /// DataTransferSize and the base, to send a large request with CHUNK_SEND.
    fn chunk_send_params(&self) -> Option<(SpdmVersion, usize, Base)> {
        let conn = match self {
            Self::AwaitingDigests(s) => &s.conn,
            Self::AwaitingCertificate(s) => &s.conn,
            Self::AwaitingChallengeAuth(s) => &s.conn,
            Self::AwaitingMeasurements(s) => &s.conn,
            _ => return None,
        };
        let version = conn.chunk_version()?;
        let dts = conn.negotiated.responder_caps.data_transfer_size?;
        Some((
            version,
            usize::try_from(dts).unwrap_or(usize::MAX),
            conn.base.clone(),
        ))
    }

    /// The response code this state waits for.
    #[must_use]
    pub fn expected(&self) -> ResponseCode {
        match self {
            Self::AwaitingVersion(s) => s.pending.expected,
            Self::AwaitingCapabilities(s) => s.pending.expected,
            Self::AwaitingAlgorithms(s) => s.pending.expected,
            Self::AwaitingDigests(s) => s.pending.expected,
            Self::AwaitingCertificate(s) => s.pending.expected,
            Self::AwaitingChallengeAuth(s) => s.pending.expected,
            Self::AwaitingMeasurements(s) => s.pending.expected,
            Self::AwaitingChunk(s) => s.expected(),
            Self::AwaitingChunkAck(s) => s.expected(),
        }
    }
}

fn check_config(c: &RequesterConfig) -> Result<(), RequesterError> {
    if !c.min_version.is_known() || !c.max_version.is_known() || c.min_version > c.max_version {
        return Err(RequesterError::Config("min_version..=max_version is empty"));
    }
    if c.data_transfer_size < MIN_DATA_TRANSFER_SIZE || c.max_spdm_msg_size < c.data_transfer_size {
        return Err(RequesterError::Config("DataTransferSize / MaxSPDMmsgSize"));
    }
    if !c.flags.contains(RequesterCapabilityFlags::CHUNK_CAP)
        && c.max_spdm_msg_size != c.data_transfer_size
    {
        return Err(RequesterError::Config(
            "MaxSPDMmsgSize differs from DataTransferSize without CHUNK_CAP",
        ));
    }
    let mut digests = false;
    let mut chains: Vec<u8> = Vec::new();
    for s in &c.plan {
        match *s {
            Step::Digests => digests = true,
            Step::Certificate(slot) if digests && slot < 8 => chains.push(slot),
            Step::Certificate(_) => {
                return Err(RequesterError::Config(
                    "Certificate step before Digests or slot > 7",
                ));
            }
            Step::Challenge(slot) if chains.contains(&slot) => {}
            Step::Challenge(_) => {
                return Err(RequesterError::Config(
                    "Challenge step before its Certificate",
                ));
            }
            Step::Measurements => {
                if !chains.contains(&c.measurement_slot) {
                    return Err(RequesterError::Config(
                        "Measurements step before Certificate(measurement_slot)",
                    ));
                }
                if let MeasurementPlan::Indices { indices, .. } = &c.measurements
                    && (indices.is_empty() || indices.iter().any(|&i| i == 0 || i == 0xFF))
                {
                    return Err(RequesterError::Config(
                        "measurement indices must be 1..=0xFE",
                    ));
                }
            }
        }
    }
    Ok(())
}

/// What every state keeps: the configuration and the restart budget.
#[derive(Debug, Clone)]
struct Base {
    config: Arc<RequesterConfig>,
    resynch_left: u8,
}

/// The request in flight and its retry budget.
#[derive(Debug, Clone)]
struct Pending {
    request: Vec<u8>,
    code: RequestCode,
    expected: ResponseCode,
    busy: u8,
    not_ready: u8,
}

impl Pending {
    fn new(request: Vec<u8>, code: RequestCode, expected: ResponseCode) -> Self {
        Self {
            request,
            code,
            expected,
            busy: 0,
            not_ready: 0,
        }
    }

    fn version(&self) -> SpdmVersion {
        SpdmVersion::from(self.request.first().copied().unwrap_or(0))
    }
}

enum ErrorAction {
    NotError,
    Resend(Vec<u8>),
    Wait(Duration, Vec<u8>),
    Resynch,
    /// ERROR(LargeResponse, Handle): fetch the response with CHUNK_GET.
    Large(u8),
}

/// Handles ERROR responses common to every state.
fn check_error(
    pending: &mut Pending,
    config: &RequesterConfig,
    bytes: &[u8],
) -> Result<ErrorAction, RequesterError> {
    let header = Header::peek(bytes).map_err(|source| RequesterError::InvalidMessage {
        expected: pending.expected,
        source,
    })?;
    let code = header.response_code();
    if code != ResponseCode::Error {
        if code != pending.expected {
            return Err(RequesterError::UnexpectedResponse {
                expected: pending.expected,
                got: header.code,
            });
        }
        return Ok(ErrorAction::NotError);
    }
    let (err, _) =
        decode_padded(bytes, config.max_padding, &DecodeContext::default()).map_err(|source| {
            RequesterError::InvalidMessage {
                expected: ResponseCode::Error,
                source,
            }
        })?;
    let Response::Error(err) = err else {
        return Err(RequesterError::UnexpectedResponse {
            expected: pending.expected,
            got: header.code,
        });
    };
    let ErrorResponse {
        version,
        error_code,
        error_data,
        extended,
    } = err;
    if version != pending.version() {
        return Err(Misbehavior::VersionMismatch {
            expected: pending.version(),
            got: version,
        }
        .into());
    }
    match error_code {
        ErrorCode::Busy => {
            if pending.busy >= config.busy_retries {
                return Err(RequesterError::TooManyRetries(pending.busy));
            }
            pending.busy = pending.busy.saturating_add(1);
            Ok(ErrorAction::Resend(pending.request.clone()))
        }
        ErrorCode::ResponseNotReady => {
            let ExtendedErrorData::ResponseNotReady {
                rdt_exponent,
                request_code,
                token,
                ..
            } = extended
            else {
                return Err(Misbehavior::NotReady("no extended error data").into());
            };
            if request_code != pending.code {
                return Err(Misbehavior::NotReady("for another request").into());
            }
            if pending.not_ready >= config.not_ready_retries {
                return Err(RequesterError::TooManyRetries(pending.not_ready));
            }
            pending.not_ready = pending.not_ready.saturating_add(1);
            // RDT = 2^RDTExponent µs (DSP0274 1.2 §10.12); bounded by our own limit.
            let delay = Duration::from_micros(
                1u64.checked_shl(u32::from(rdt_exponent.min(63)))
                    .unwrap_or(u64::MAX),
            );
            if delay > config.max_not_ready_delay {
                return Err(Misbehavior::NotReady("delay above our limit").into());
            }
            let riy = RespondIfReady {
                version: pending.version(),
                request_code,
                token,
            }
            .to_vec()?;
            Ok(ErrorAction::Wait(delay, riy))
        }
        ErrorCode::RequestResynch => Ok(ErrorAction::Resynch),
        ErrorCode::LargeResponse => match extended {
            ExtendedErrorData::LargeResponse { handle } => Ok(ErrorAction::Large(handle)),
            _ => Err(Misbehavior::Chunk("ERROR(LargeResponse) without a Handle").into()),
        },
        code => Err(RequesterError::ErrorResponse {
            code,
            data: error_data,
        }),
    }
}

fn decode_padded<'a>(
    bytes: &'a [u8],
    max_padding: usize,
    ctx: &DecodeContext,
) -> Result<(Response<'a>, usize), crate::codec::CodecError> {
    Response::decode_with_padding(bytes, max_padding, ctx)
}

/// One awaiting state.
/// What [`step`] needs of an awaiting state besides its handler (`awaiting_state!`).
trait State: Sized {
    fn pending(&mut self) -> &mut Pending;
    /// The negotiated version when chunking was negotiated (ERROR(LargeResponse) allowed).
    fn chunk_version(&self) -> Option<SpdmVersion>;
    fn base(&self) -> &Base;
    fn wrap(self: Box<Self>) -> Requester;
}

/// An awaiting state: handles the response it waits for.
trait Awaiting: State {
    fn handle(
        self: Box<Self>,
        provider: &CryptoProvider,
        bytes: &[u8],
    ) -> Result<Next, RequesterError>;
}

fn step<S: Awaiting>(
    mut s: Box<S>,
    provider: &CryptoProvider,
    bytes: &[u8],
) -> Result<Next, RequesterError> {
    let config = Arc::clone(&s.base().config);
    match check_error(s.pending(), &config, bytes)? {
        ErrorAction::NotError => s.handle(provider, bytes),
        ErrorAction::Resend(request) => Ok(Next::Send {
            requester: s.wrap(),
            request,
        }),
        ErrorAction::Wait(delay, request) => Ok(Next::WaitThenSend {
            requester: s.wrap(),
            delay,
            request,
        }),
        ErrorAction::Large(handle) => match s.chunk_version() {
            Some(version) => {
                let base = s.base().clone();
                AwaitingChunk::start(s.wrap(), base, version, handle)
            }
            None => Err(RequesterError::ChunkingNotSupported),
        },
        ErrorAction::Resynch => {
            let mut base = s.base().clone();
            if base.resynch_left == 0 {
                return Err(RequesterError::TooManyRetries(config.resynch_retries));
            }
            base.resynch_left = base.resynch_left.saturating_sub(1);
            Ok(AwaitingVersion::send(base))
        }
    }
}

/// Decodes the expected response (after [`check_error`] ruled out ERROR) and checks its
/// version; returns it with its exact length (DOE padding excluded).
fn decode_expected<'a>(
    pending: &Pending,
    config: &RequesterConfig,
    bytes: &'a [u8],
    ctx: &DecodeContext,
) -> Result<(Response<'a>, usize), RequesterError> {
    let (response, len) = decode_padded(bytes, config.max_padding, ctx).map_err(|source| {
        RequesterError::InvalidMessage {
            expected: pending.expected,
            source,
        }
    })?;
    if response.code() != pending.expected {
        return Err(RequesterError::UnexpectedResponse {
            expected: pending.expected,
            got: response.code().into(),
        });
    }
    if response.version() != pending.version() {
        return Err(Misbehavior::VersionMismatch {
            expected: pending.version(),
            got: response.version(),
        }
        .into());
    }
    Ok((response, len))
}

fn exact(bytes: &[u8], len: usize) -> &[u8] {
    bytes.get(..len).unwrap_or(bytes)
}

/// A validated slot.
#[derive(Debug)]
struct ValidSlot {
    evidence: SlotEvidence,
    key: PublicKey,
}

/// The connection after VCA: shared by the post-VCA states.
#[derive(Debug)]
struct Conn {
    base: Base,
    plan: VecDeque<Step>,
    negotiated: Negotiated,
    transcript: Transcript,
    /// The last DIGESTS: (slot, digest) for each provisioned slot.
    digests: Option<Vec<(u8, Vec<u8>)>>,
    slots: Vec<ValidSlot>,
    authenticated: bool,
    challenges: Vec<ChallengeEvidence>,
    measurements: Vec<MeasurementEvidence>,
    measurement_signatures: Vec<SignedMeasurements>,
}

impl Conn {
    fn version(&self) -> SpdmVersion {
        self.negotiated.version
    }

    /// The version, when chunking was negotiated: 1.2+ and CHUNK_CAP on both sides.
    fn chunk_version(&self) -> Option<SpdmVersion> {
        let n = &self.negotiated;
        (n.version.at_least(SpdmVersion::V12)
            && n.requester_caps
                .flags
                .contains(RequesterCapabilityFlags::CHUNK_CAP)
            && n.responder_caps
                .flags
                .contains(ResponderCapabilityFlags::CHUNK_CAP))
        .then_some(n.version)
    }

    fn slot(&self, slot: u8) -> Option<&ValidSlot> {
        self.slots.iter().find(|s| s.evidence.slot == slot)
    }

    fn next_step(mut self, provider: &CryptoProvider) -> Result<Next, RequesterError> {
        let Some(step) = self.plan.pop_front() else {
            return Ok(Next::Done(Box::new(Attestation {
                message_a: self.transcript.message_a().to_vec(),
                negotiated: self.negotiated,
                slots: self.slots.into_iter().map(|s| s.evidence).collect(),
                challenge: self.challenges.pop(),
                earlier_challenges: self.challenges,
                measurements: self.measurements,
                measurement_signatures: self.measurement_signatures,
            })));
        };
        match step {
            Step::Digests => AwaitingDigests::send(self),
            Step::Certificate(slot) => {
                let provisioned = self
                    .digests
                    .as_ref()
                    .and_then(|d| d.iter().find(|(s, _)| *s == slot))
                    .is_some();
                if !provisioned {
                    return Err(Misbehavior::Slot {
                        slot,
                        reason: "not provisioned in DIGESTS",
                    }
                    .into());
                }
                AwaitingCertificate::send(self, slot, Vec::new(), None)
            }
            Step::Challenge(slot) => AwaitingChallengeAuth::send(self, provider, slot),
            Step::Measurements => {
                let queue: VecDeque<(u8, bool)> = match &self.base.config.measurements {
                    MeasurementPlan::AllSigned => VecDeque::from([(0xFF, true)]),
                    MeasurementPlan::Indices { indices, sign_each } => {
                        let last = indices.len().saturating_sub(1);
                        indices
                            .iter()
                            .enumerate()
                            .map(|(i, &idx)| (idx, *sign_each || i == last))
                            .collect()
                    }
                };
                AwaitingMeasurements::send(self, provider, queue)
            }
        }
    }
}
