//! `FrameTransport`: send one transport message, receive one, whatever carries them (a TCP
//! socket speaking the platform protocol, an in-memory channel).
//!
//! An SPDM requester or responder loop is written against this trait, so the same loop runs
//! over a socket to spdm-emu or QEMU and in process against the other side in tests.

use crate::error::ConnectionError;
use crate::limit::PayloadLimit;

/// A bidirectional carrier of transport messages (platform payloads), one at a time.
pub trait FrameTransport {
    /// Sends one transport message.
    ///
    /// # Errors
    /// [`ConnectionError::Encode`] if `payload` is above [`limit`](Self::limit); I/O errors;
    /// [`ConnectionError::Closed`] if the peer is gone.
    fn send(&mut self, payload: &[u8]) -> Result<(), ConnectionError>;

    /// Receives one transport message, waiting up to the transport's read timeout.
    ///
    /// # Errors
    /// [`ConnectionError::TimedOut`], [`ConnectionError::Closed`], I/O errors, or a frame the
    /// codec refused ([`ConnectionError::Frame`]).
    fn recv(&mut self) -> Result<Vec<u8>, ConnectionError>;

    /// The largest transport message this transport sends or accepts.
    fn limit(&self) -> PayloadLimit;
}

impl<T: FrameTransport + ?Sized> FrameTransport for &mut T {
    fn send(&mut self, payload: &[u8]) -> Result<(), ConnectionError> {
        (**self).send(payload)
    }

    fn recv(&mut self) -> Result<Vec<u8>, ConnectionError> {
        (**self).recv()
    }

    fn limit(&self) -> PayloadLimit {
        (**self).limit()
    }
}

impl<T: FrameTransport + ?Sized> FrameTransport for Box<T> {
    fn send(&mut self, payload: &[u8]) -> Result<(), ConnectionError> {
        (**self).send(payload)
    }

    fn recv(&mut self) -> Result<Vec<u8>, ConnectionError> {
        (**self).recv()
    }

    fn limit(&self) -> PayloadLimit {
        (**self).limit()
    }
}
