//! The emulated device attested in process over loopback TCP (the tour): a responder with a
//! freshly generated identity (never the user's state directory) on `127.0.0.1:0` in a
//! thread, our attester against it, trusting exactly that identity's root.

use std::net::TcpListener;
use std::time::{Duration, Instant};

use anyhow::{Context as _, anyhow};
use vtrust_crypto::CryptoProvider;
use vtrust_crypto::sign::SignatureAlg;
use vtrust_spdm::cert::TrustAnchor;
use vtrust_spdm::measurements::MeasurementStore;

use super::attest::{AttestOptions, Outcome, attest};
use super::{ALL_VERSIONS, TransportArg, identity, serve};

/// One loopback run.
#[derive(Debug)]
pub struct Loopback {
    /// Generating the device identity.
    pub keygen: Duration,
    /// The attestation.
    pub outcome: Outcome,
}

/// Generates a `alg` device, serves it on loopback over `transport` and attests it.
///
/// # Errors
/// Generation, binding or connecting failed, or the responder thread failed.
pub fn run(alg: SignatureAlg, transport: TransportArg) -> anyhow::Result<Loopback> {
    let provider = CryptoProvider::new();
    let started = Instant::now();
    let (device, root) = identity::ephemeral(&provider, alg)?;
    let keygen = started.elapsed();
    let mut responder = serve::build_responder(
        ALL_VERSIONS.to_vec(),
        alg,
        device,
        MeasurementStore::default_set(),
        provider,
    )?;
    let listener = TcpListener::bind("127.0.0.1:0").context("Binding 127.0.0.1:0")?;
    let addr = listener.local_addr().context("Reading the bound address")?;
    let server = serve::from_listener(listener, transport);
    let thread = std::thread::Builder::new()
        .name("spdm-responder".into())
        .spawn(move || serve::serve(server, &mut responder, transport, true))
        .context("Starting the responder thread")?;
    let anchor = TrustAnchor::from_der(&root).context("The generated root")?;
    let outcome = attest(&AttestOptions {
        connect: addr.to_string(),
        transport,
        anchors: vec![anchor],
        slot: 0,
        nonce: None,
        shutdown: true,
        versions: (
            vtrust_spdm::codec::SpdmVersion::V10,
            vtrust_spdm::codec::SpdmVersion::V14,
        ),
        data_transfer_size: None,
    });
    let served = thread
        .join()
        .map_err(|_| anyhow!("The responder thread panicked"))?;
    let outcome = outcome?;
    served.context("Responder")?;
    Ok(Loopback { keygen, outcome })
}
