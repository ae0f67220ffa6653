//! The emulated device's serving loop: platform frames from a [`PlatformListener`], the
//! transport binding removed, SPDM requests to the [`Responder`], responses back; PCI DOE
//! discovery objects are answered from spdm-emu's table (DOE discovery, SPDM, secured SPDM).

use std::net::{TcpListener, ToSocketAddrs as _};
use std::time::Duration;

use anyhow::{Context as _, anyhow};
use vtrust_crypto::CryptoProvider;
use vtrust_crypto::sign::SignatureAlg;
use vtrust_spdm::codec::{
    BaseAsymAlgo, PqcAsymAlgo, Request, ResponderCapabilityFlags, SpdmVersion,
};
use vtrust_spdm::measurements::MeasurementStore;
use vtrust_spdm::responder::{Responder, ResponderConfig, ResponderIdentity};
use vtrust_spdm_transport::binding::doe_discovery::{DiscoveryRequest, DiscoveryTable};
use vtrust_spdm_transport::binding::{AnyBinding, Binding, Message};
use vtrust_spdm_transport::{
    ConnectionError, PayloadLimit, PlatformListener, ServerEvent, SocketConfig,
};

use super::TransportArg;

/// How long a connected requester may stay silent before it is dropped.
const READ_TIMEOUT: Duration = Duration::from_secs(60);

/// What a serving run did.
#[derive(Debug, Default, Clone, Copy)]
pub struct ServeStats {
    /// Connections accepted.
    pub connections: usize,
    /// SPDM requests answered.
    pub requests: usize,
    /// Whether it ended on SHUTDOWN.
    pub shutdown: bool,
}

/// A responder offering `versions`, CERT|CHAL|MEAS_SIG (no sessions), every algorithm of
/// the default configuration (the slot key limits the asymmetric choice), transfer sizes
/// 0x8000.
///
/// # Errors
/// The responder refuses the configuration or the measurement store.
pub fn build_responder(
    versions: Vec<SpdmVersion>,
    asym: SignatureAlg,
    identity: ResponderIdentity,
    store: MeasurementStore,
    provider: CryptoProvider,
) -> anyhow::Result<Responder> {
    let mut config = ResponderConfig::default();
    config.versions = versions;
    // Offer only the slot key's algorithm: the responder's choice goes by algorithm, not by
    // RSA modulus size, so a 3072-bit key would otherwise be offered as RSAPSS_4096.
    let (base, pqc) = asym_bits(asym);
    config.base_asym_algo = base;
    config.pqc_asym_algo = pqc;
    config.flags = ResponderCapabilityFlags::CERT_CAP
        | ResponderCapabilityFlags::CHAL_CAP
        | ResponderCapabilityFlags::MEAS_CAP_SIG
        | ResponderCapabilityFlags::CHUNK_CAP;
    // Requests up to spdm-emu's 0x1200 in one transfer, messages up to 32 KiB: a requester
    // with CHUNK_CAP and a smaller DataTransferSize (libspdm `--cap CHUNK`: 0x1200) gets the
    // ML-DSA-87 CHALLENGE_AUTH (4.8 KiB) and certificate chain with CHUNK_GET; one without
    // gets them in one transfer if its DataTransferSize allows.
    config.data_transfer_size = 0x1200;
    config.max_spdm_msg_size = super::attest::MAX_SPDM_MSG_SIZE;
    Responder::new(config, identity, store, provider).context("Building the responder")
}

/// The BaseAsymAlgo / PqcAsymAlgo bit of `alg` (RSA: 3072-bit keys, as `--asym rsa3072`).
fn asym_bits(alg: SignatureAlg) -> (BaseAsymAlgo, PqcAsymAlgo) {
    let base = |b| (b, PqcAsymAlgo::empty());
    let pqc = |p| (BaseAsymAlgo::empty(), p);
    match alg {
        SignatureAlg::EcdsaP256Sha256 => base(BaseAsymAlgo::TPM_ALG_ECDSA_ECC_NIST_P256),
        SignatureAlg::EcdsaP384Sha384 => base(BaseAsymAlgo::TPM_ALG_ECDSA_ECC_NIST_P384),
        SignatureAlg::EcdsaP521Sha512 => base(BaseAsymAlgo::TPM_ALG_ECDSA_ECC_NIST_P521),
        SignatureAlg::RsaPkcs1Sha256
        | SignatureAlg::RsaPkcs1Sha384
        | SignatureAlg::RsaPkcs1Sha512 => base(BaseAsymAlgo::TPM_ALG_RSASSA_3072),
        SignatureAlg::RsaPssSha256 | SignatureAlg::RsaPssSha384 | SignatureAlg::RsaPssSha512 => {
            base(BaseAsymAlgo::TPM_ALG_RSAPSS_3072)
        }
        SignatureAlg::Ed25519 => base(BaseAsymAlgo::EDDSA_ED25519),
        SignatureAlg::MlDsa44 => pqc(PqcAsymAlgo::ML_DSA_44),
        SignatureAlg::MlDsa65 => pqc(PqcAsymAlgo::ML_DSA_65),
        SignatureAlg::MlDsa87 => pqc(PqcAsymAlgo::ML_DSA_87),
    }
}

/// Binds `addr` (the first address it resolves to that binds).
///
/// # Errors
/// The address does not resolve or cannot be bound.
pub fn bind(addr: &str, transport: TransportArg) -> anyhow::Result<PlatformListener> {
    let addrs: Vec<_> = addr
        .to_socket_addrs()
        .with_context(|| format!("Listen address {addr:?} (expected HOST:PORT)"))?
        .collect();
    let listener =
        TcpListener::bind(addrs.as_slice()).with_context(|| format!("Listening on {addr}"))?;
    Ok(from_listener(listener, transport))
}

/// Serves on a bound listener.
#[must_use]
pub fn from_listener(listener: TcpListener, transport: TransportArg) -> PlatformListener {
    let config = SocketConfig::new(transport.socket())
        .with_limit(PayloadLimit::LARGE)
        .with_read_timeout(Some(READ_TIMEOUT));
    PlatformListener::from_listener(listener, config)
}

/// Serves connections one after another until SHUTDOWN, or after the first one if `once`.
///
/// # Errors
/// Accept failures (a failing connection only ends that connection).
pub fn serve(
    mut listener: PlatformListener,
    responder: &mut Responder,
    transport: TransportArg,
    once: bool,
) -> anyhow::Result<ServeStats> {
    let binding = AnyBinding::for_kind(transport.socket().kind())
        .ok_or_else(|| anyhow!("No binding for {}", transport.name()))?;
    let mut stats = ServeStats::default();
    let mut in_connection = 0usize;
    loop {
        let event = match listener.next_event() {
            Ok(event) => event,
            Err(ConnectionError::Stopped) => return Ok(stats),
            Err(e) => return Err(anyhow!(e).context("Accepting a connection")),
        };
        let ended = match event {
            ServerEvent::Connected { peer } => {
                stats.connections = stats.connections.saturating_add(1);
                in_connection = 0;
                tracing::info!(%peer, transport = transport.name(), "connection");
                None
            }
            ServerEvent::Message(payload) => match answer(&binding, responder, &payload) {
                Some((reply, spdm)) => {
                    if spdm {
                        stats.requests = stats.requests.saturating_add(1);
                        in_connection = in_connection.saturating_add(1);
                    }
                    if let Err(e) = listener.respond(&reply) {
                        tracing::debug!(error = %e, "reply not sent");
                    }
                    (!listener.is_connected()).then_some("reply not sent")
                }
                None => {
                    listener.disconnect();
                    Some("dropped (transport message not answerable)")
                }
            },
            ServerEvent::OutOfBand { command, .. } => {
                tracing::debug!(?command, "out-of-band command");
                None
            }
            ServerEvent::Continue => Some("CONTINUE"),
            ServerEvent::Disconnected { reason } => {
                tracing::debug!(%reason, "disconnected");
                Some("disconnected")
            }
            ServerEvent::Shutdown => {
                stats.shutdown = true;
                Some("SHUTDOWN")
            }
            other => {
                tracing::debug!(event = ?other, "platform event");
                None
            }
        };
        if let Some(how) = ended {
            tracing::info!(requests = in_connection, end = how, "connection ended");
            if stats.shutdown || once {
                return Ok(stats);
            }
        }
    }
}

/// The reply to one transport message and whether it carried SPDM; `None` to drop the
/// connection (undecodable, a secured message we do not serve, a discovery index past the
/// table: spdm-emu drops those too).
fn answer(
    binding: &AnyBinding,
    responder: &mut Responder,
    payload: &[u8],
) -> Option<(Vec<u8>, bool)> {
    let decoded = match binding.decode(payload) {
        Ok(d) => d,
        Err(e) => {
            tracing::debug!(error = %e, "transport message refused");
            return None;
        }
    };
    match decoded.message {
        Message::Spdm(body) => {
            // PCI DOE pads to a dword: hand the responder the exact message when the request
            // parses; otherwise the whole body, which it answers with an ERROR.
            let request = if decoded.max_padding > 0 {
                Request::decode_with_padding(body, decoded.max_padding)
                    .ok()
                    .and_then(|(_, len)| body.get(..len))
                    .unwrap_or(body)
            } else {
                body
            };
            let response = responder.handle(request);
            tracing::debug!(
                request = request.get(1).copied().unwrap_or(0),
                response = response.get(1).copied().unwrap_or(0),
                len = response.len(),
                "SPDM"
            );
            binding
                .to_vec(Message::Spdm(&response))
                .ok()
                .map(|r| (r, true))
        }
        Message::DoeDiscovery(dword) => {
            let request = DiscoveryRequest::from_dword(dword);
            let response = DiscoveryTable::SPDM.respond(request).ok()?;
            binding
                .to_vec(Message::DoeDiscovery(&response.to_dword()))
                .ok()
                .map(|r| (r, false))
        }
        _ => None,
    }
}
