//! Blocking platform-protocol connections over `std::net::TcpStream`: the requester side
//! ([`TcpTransport::connect`]) and the per-connection half of the responder side (used by
//! [`PlatformListener`](crate::PlatformListener)).
//!
//! Latency (spdm.md, "Latency trap"): spdm-emu writes each frame as four small `send()`s, and
//! with Nagle on its side and delayed ACKs on ours ~1,100 round trips take ~100 s instead of
//! ~0.7 s. So every connection sets `TCP_NODELAY`, writes each frame (header and payload) with
//! one `write_all` of one buffer, and on Linux sets `TCP_QUICKACK` before each receive (the
//! kernel clears it again on its own, so once is not enough).

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::Duration;

use vtrust_wire::{DecodeError, DecodeErrorKind};

use crate::error::{ConnectionError, TransportError};
use crate::frame_transport::FrameTransport;
use crate::limit::PayloadLimit;
use crate::platform::{CLIENT_HELLO, Command, Frame, PlatformCodec, PlatformHeader, SERVER_HELLO};
use crate::transport_type::{SocketTransport, TransportKind};

/// How to run a platform-protocol connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct SocketConfig {
    /// The transport, as the peer numbers it; every frame carries it and a frame with another
    /// is refused.
    pub transport: SocketTransport,
    /// Our payload limit, both directions.
    pub limit: PayloadLimit,
    /// Longest wait for data from the peer; `None` blocks (as spdm-emu does).
    pub read_timeout: Option<Duration>,
    /// Longest wait for the peer to take our data; `None` blocks.
    pub write_timeout: Option<Duration>,
    /// Whether [`TcpTransport::connect`] sends the TEST handshake. Never sent with transport
    /// NONE (spdm-emu's requester does not); QEMU sends none at all, so turn it off there.
    pub handshake: bool,
    /// Whether to set `TCP_QUICKACK` before each receive (Linux only; ignored elsewhere).
    pub quickack: bool,
}

impl SocketConfig {
    /// `transport` with spdm-emu's payload limit, no timeouts, the TEST handshake and
    /// `TCP_QUICKACK`.
    #[must_use]
    pub const fn new(transport: SocketTransport) -> Self {
        Self {
            transport,
            limit: PayloadLimit::SPDM_EMU,
            read_timeout: None,
            write_timeout: None,
            handshake: true,
            quickack: true,
        }
    }

    /// With payload limit `limit`.
    #[must_use]
    pub const fn with_limit(mut self, limit: PayloadLimit) -> Self {
        self.limit = limit;
        self
    }

    /// With read timeout `timeout` (`None` blocks; a zero duration is refused on connect).
    #[must_use]
    pub const fn with_read_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.read_timeout = timeout;
        self
    }

    /// With write timeout `timeout`.
    #[must_use]
    pub const fn with_write_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.write_timeout = timeout;
        self
    }

    /// With or without the TEST handshake on connect.
    #[must_use]
    pub const fn with_handshake(mut self, handshake: bool) -> Self {
        self.handshake = handshake;
        self
    }

    /// With or without `TCP_QUICKACK` before receives.
    #[must_use]
    pub const fn with_quickack(mut self, quickack: bool) -> Self {
        self.quickack = quickack;
        self
    }

    /// The frame codec for this configuration.
    #[must_use]
    pub const fn codec(&self) -> PlatformCodec {
        PlatformCodec::new(self.transport, self.limit)
    }
}

/// One platform-protocol connection over TCP.
///
/// Dropping it just closes the socket; call [`shutdown`](Self::shutdown) (or
/// [`close_continue`](Self::close_continue)) to end the session the way spdm-emu expects.
#[derive(Debug)]
pub struct TcpTransport {
    stream: TcpStream,
    codec: PlatformCodec,
    quickack: bool,
}

impl TcpTransport {
    /// Connects to a responder at `addr` (requester side): `TCP_NODELAY`, the configured
    /// timeouts, then the TEST handshake if configured and the transport is not NONE.
    ///
    /// # Errors
    /// I/O errors of connect and setup; the handshake's errors (see
    /// [`request`](Self::request)).
    pub fn connect<A: ToSocketAddrs>(
        addr: A,
        config: &SocketConfig,
    ) -> Result<Self, ConnectionError> {
        let stream =
            TcpStream::connect(addr).map_err(|e| ConnectionError::from_io("connect", e))?;
        let mut transport = Self::from_stream(stream, config)?;
        if config.handshake && config.transport.kind() != TransportKind::None {
            let reply = transport.request(Command::Test, CLIENT_HELLO)?;
            if reply.payload != SERVER_HELLO {
                // spdm-emu does not check the greeting either; a different one is only logged.
                tracing::debug!(len = reply.payload.len(), "unexpected TEST reply payload");
            }
        }
        Ok(transport)
    }

    /// Wraps a connected stream (either side): `TCP_NODELAY` and the configured timeouts, no
    /// handshake.
    ///
    /// # Errors
    /// I/O errors of the socket options.
    pub fn from_stream(stream: TcpStream, config: &SocketConfig) -> Result<Self, ConnectionError> {
        let setup = |e| ConnectionError::from_io("setup", e);
        stream.set_nodelay(true).map_err(setup)?;
        stream
            .set_read_timeout(config.read_timeout)
            .map_err(setup)?;
        stream
            .set_write_timeout(config.write_timeout)
            .map_err(setup)?;
        Ok(Self {
            stream,
            codec: config.codec(),
            quickack: config.quickack,
        })
    }

    /// The frame codec (transport and limit) of this connection.
    #[must_use]
    pub const fn codec(&self) -> &PlatformCodec {
        &self.codec
    }

    /// The peer's address.
    ///
    /// # Errors
    /// I/O errors.
    pub fn peer_addr(&self) -> Result<SocketAddr, ConnectionError> {
        self.stream
            .peer_addr()
            .map_err(|e| ConnectionError::from_io("peer_addr", e))
    }

    /// Sends one frame: header and payload built in one buffer and written with one
    /// `write_all`.
    ///
    /// # Errors
    /// [`ConnectionError::Encode`] if `payload` is above our limit; I/O errors.
    pub fn send_frame(&mut self, command: Command, payload: &[u8]) -> Result<(), ConnectionError> {
        let bytes = self.codec.encode_frame(command, payload)?;
        tracing::trace!(?command, len = payload.len(), "platform frame out");
        self.stream
            .write_all(&bytes)
            .map_err(|e| ConnectionError::from_io("write", e))
    }

    /// Receives one frame: exactly 12 header bytes, the header checked (transport type, then
    /// `payload_size` against our limit, before anything is allocated), then exactly
    /// `payload_size` bytes.
    ///
    /// # Errors
    /// [`ConnectionError::Closed`] if the peer closed before a header;
    /// [`ConnectionError::Frame`] with `Malformed(Truncated)` if it closed inside a frame, or
    /// the header check's errors; [`ConnectionError::TimedOut`]; I/O errors. After an error
    /// the stream is no longer at a frame boundary: drop the connection.
    pub fn recv_frame(&mut self) -> Result<Frame, ConnectionError> {
        self.set_quickack();
        let mut header = [0u8; PlatformHeader::LEN];
        self.read_full(&mut header, "header", true)?;
        let (header, size) = self.codec.decode_header(&header)?;
        let mut payload = Vec::new();
        payload
            .try_reserve_exact(size)
            .map_err(|_| ConnectionError::from_io("read", io::ErrorKind::OutOfMemory.into()))?;
        payload.resize(size, 0);
        self.read_full(&mut payload, "payload", false)?;
        tracing::trace!(command = ?header.command, len = size, "platform frame in");
        Ok(Frame {
            command: header.command,
            payload,
        })
    }

    /// Sends `command` with `payload` and receives the reply, which must echo `command` (TEST,
    /// SHUTDOWN, CONTINUE, the OOB commands, NORMAL).
    ///
    /// # Errors
    /// As [`send_frame`](Self::send_frame) and [`recv_frame`](Self::recv_frame);
    /// [`TransportError::UnexpectedCommand`] for a reply with another command (e.g. 0xFFFF
    /// from a responder that does not serve `command`).
    pub fn request(&mut self, command: Command, payload: &[u8]) -> Result<Frame, ConnectionError> {
        self.send_frame(command, payload)?;
        let reply = self.recv_frame()?;
        if reply.command != command {
            return Err(TransportError::UnexpectedCommand {
                expected: command,
                received: reply.command,
            }
            .into());
        }
        Ok(reply)
    }

    /// Ends the session: SHUTDOWN, waits for its echo, closes. The responder stops.
    ///
    /// # Errors
    /// As [`request`](Self::request).
    pub fn shutdown(mut self) -> Result<(), ConnectionError> {
        self.request(Command::Shutdown, &[])?;
        self.close();
        Ok(())
    }

    /// Ends this connection only: CONTINUE, waits for its echo, closes. The responder accepts
    /// the next connection and keeps its SPDM state.
    ///
    /// # Errors
    /// As [`request`](Self::request).
    pub fn close_continue(mut self) -> Result<(), ConnectionError> {
        self.request(Command::Continue, &[])?;
        self.close();
        Ok(())
    }

    /// Closes the socket (both directions), ignoring errors: the peer may have closed first.
    pub(crate) fn close(&mut self) {
        if let Err(e) = self.stream.shutdown(std::net::Shutdown::Both) {
            tracing::trace!(error = %e, "shutdown of a closed socket");
        }
    }

    #[cfg(target_os = "linux")]
    fn set_quickack(&self) {
        if self.quickack {
            // A hint: if the kernel refuses, the frame still arrives, only later.
            if let Err(e) = socket2::SockRef::from(&self.stream).set_tcp_quickack(true) {
                tracing::debug!(error = %e, "TCP_QUICKACK not set");
            }
        }
    }

    #[cfg(not(target_os = "linux"))]
    fn set_quickack(&self) {
        let _ = self.quickack;
    }

    /// Fills `buf` from the stream. EOF before its first byte is [`ConnectionError::Closed`]
    /// if `at_boundary` (a frame may start here); anywhere else it is a truncated `field`.
    fn read_full(
        &mut self,
        buf: &mut [u8],
        field: &'static str,
        at_boundary: bool,
    ) -> Result<(), ConnectionError> {
        let needed = buf.len();
        let mut filled = 0usize;
        while let Some(rest) = buf.get_mut(filled..).filter(|rest| !rest.is_empty()) {
            match self.stream.read(rest) {
                Ok(0) if filled == 0 && at_boundary => return Err(ConnectionError::Closed),
                Ok(0) => {
                    return Err(TransportError::Malformed(DecodeError::new(
                        field,
                        DecodeErrorKind::Truncated {
                            needed,
                            available: filled,
                        },
                    ))
                    .into());
                }
                Ok(n) => filled = filled.saturating_add(n),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(ConnectionError::from_io("read", e)),
            }
        }
        Ok(())
    }
}

impl FrameTransport for TcpTransport {
    /// Sends a NORMAL frame.
    fn send(&mut self, payload: &[u8]) -> Result<(), ConnectionError> {
        self.send_frame(Command::Normal, payload)
    }

    /// Receives a frame that must be NORMAL.
    fn recv(&mut self) -> Result<Vec<u8>, ConnectionError> {
        let frame = self.recv_frame()?;
        if frame.command != Command::Normal {
            return Err(TransportError::UnexpectedCommand {
                expected: Command::Normal,
                received: frame.command,
            }
            .into());
        }
        Ok(frame.payload)
    }

    fn limit(&self) -> PayloadLimit {
        self.codec.limit()
    }
}

#[cfg(test)]
mod tests {
    use std::net::TcpListener;

    use super::*;

    #[test]
    fn connections_set_nodelay_timeouts_and_quickack() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let timeout = Some(Duration::from_millis(1500));
        let config = SocketConfig::new(SocketTransport::SPDM_EMU_MCTP)
            .with_handshake(false)
            .with_read_timeout(timeout)
            .with_write_timeout(timeout);
        let client = TcpTransport::connect(addr, &config).unwrap();
        let (accepted, _) = listener.accept().unwrap();
        let server = TcpTransport::from_stream(accepted, &config).unwrap();
        for t in [&client, &server] {
            assert!(t.stream.nodelay().unwrap(), "TCP_NODELAY");
            assert_eq!(t.stream.read_timeout().unwrap(), timeout);
            assert_eq!(t.stream.write_timeout().unwrap(), timeout);
            assert_eq!(t.codec().limit(), PayloadLimit::SPDM_EMU);
        }
        #[cfg(target_os = "linux")]
        {
            let sock = socket2::SockRef::from(&client.stream);
            sock.set_tcp_quickack(false).unwrap();
            client.set_quickack();
            assert!(
                sock.tcp_quickack().unwrap(),
                "TCP_QUICKACK before a receive"
            );
        }
        assert_eq!(
            client.peer_addr().unwrap(),
            server.stream.local_addr().unwrap()
        );
    }

    #[test]
    fn config_builder() {
        let config = SocketConfig::new(SocketTransport::SPDM_EMU_PCI_DOE)
            .with_limit(PayloadLimit::LARGE)
            .with_quickack(false)
            .with_handshake(false);
        assert_eq!(config.limit, PayloadLimit::LARGE);
        assert!(!config.quickack && !config.handshake);
        assert_eq!(config.read_timeout, None);
        assert_eq!(
            config.codec(),
            PlatformCodec::new(SocketTransport::SPDM_EMU_PCI_DOE, PayloadLimit::LARGE)
        );
    }

    #[test]
    fn refuses_zero_read_timeout() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let config = SocketConfig::new(SocketTransport::SPDM_EMU_MCTP)
            .with_handshake(false)
            .with_read_timeout(Some(Duration::ZERO));
        assert!(matches!(
            TcpTransport::connect(listener.local_addr().unwrap(), &config),
            Err(ConnectionError::Io { op: "setup", .. })
        ));
    }
}
