//! [`run`]: the blocking loop that drives a [`Requester`] over the caller's transport.
//!
//! The spdm crate does no I/O: the caller implements [`Exchange`] (send one SPDM request,
//! return the SPDM response, with the transport binding applied and removed; and wait when
//! the responder asks for time). `vtrust-spdm-transport` does not depend on this crate, so
//! the glue (a `FrameTransport` plus a binding) lives with the caller (CLI, tests).

use std::time::Duration;

use vtrust_crypto::CryptoProvider;

use super::{Attestation, Next, Requester, RequesterConfig, RequesterError};

/// One request/response round trip over the caller's transport.
pub trait Exchange {
    /// The transport's error.
    type Error;

    /// Sends the SPDM message `request` and returns the SPDM response (for PCI DOE, the
    /// padded body: see [`RequesterConfig::max_padding`]).
    ///
    /// # Errors
    /// The transport's.
    fn exchange(&mut self, request: &[u8]) -> Result<Vec<u8>, Self::Error>;

    /// Waits `delay` before RESPOND_IF_READY (ERROR ResponseNotReady). The default
    /// sleeps the thread.
    ///
    /// # Errors
    /// The transport's.
    fn wait(&mut self, delay: Duration) -> Result<(), Self::Error> {
        std::thread::sleep(delay);
        Ok(())
    }
}

/// Why [`run`] stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError<E> {
    /// The transport failed.
    #[error("Transport: {0}")]
    Exchange(E),
    /// The requester refused a response.
    #[error(transparent)]
    Requester(#[from] RequesterError),
}

/// Runs the requester from GET_VERSION to the [`Attestation`] over `exchange`.
///
/// # Errors
/// [`RunError::Exchange`] from the transport, [`RunError::Requester`] from the protocol.
pub fn run<X: Exchange>(
    exchange: &mut X,
    provider: &CryptoProvider,
    config: RequesterConfig,
) -> Result<Attestation, RunError<X::Error>> {
    let mut next = Requester::start(config)?;
    loop {
        next = match next {
            Next::Send { requester, request } => {
                let response = exchange.exchange(&request).map_err(RunError::Exchange)?;
                requester.on_response(provider, &response)?
            }
            Next::WaitThenSend {
                requester,
                delay,
                request,
            } => {
                exchange.wait(delay).map_err(RunError::Exchange)?;
                let response = exchange.exchange(&request).map_err(RunError::Exchange)?;
                requester.on_response(provider, &response)?
            }
            Next::Done(attestation) => return Ok(*attestation),
        };
    }
}
