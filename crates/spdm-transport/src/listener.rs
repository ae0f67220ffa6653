//! The responder side of the platform protocol: a TCP listener that serves one connection at
//! a time, as spdm-emu's `platform_server_routine` / `platform_server` do.
//!
//! Per frame received:
//! - TEST: answered with "Server Hello!\0" (handled here, no event);
//! - NORMAL: [`ServerEvent::Message`]; the caller answers with [`PlatformListener::respond`];
//! - OOB_ENCAP_KEY_UPDATE / OOB_ENCAP_ENDPOINT_INFO: echoed with an empty payload, then
//!   [`ServerEvent::OutOfBand`];
//! - CONTINUE: echoed, the connection closed, [`ServerEvent::Continue`]; the next call
//!   accepts the next connection (the caller keeps its SPDM state);
//! - SHUTDOWN: echoed, [`ServerEvent::Shutdown`]; the listener stops;
//! - anything else (including the QEMU storage commands, not served yet): answered with
//!   0xFFFF (UNKNOWN) and the connection dropped.
//!
//! A frame of another transport type, a `payload_size` over our limit, a timeout, EOF or an
//! I/O error drops the connection with [`ServerEvent::Disconnected`] (spdm-emu exits on a
//! transport mismatch; we keep serving). Nothing here is an SPDM decision: the events carry
//! transport messages up, and state stays with the caller.

use std::net::{SocketAddr, TcpListener, ToSocketAddrs};

use crate::error::{ConnectionError, TransportError};
use crate::platform::{Command, SERVER_HELLO};
use crate::tcp::{SocketConfig, TcpTransport};

/// What happened on the listener.
#[derive(Debug)]
#[non_exhaustive]
pub enum ServerEvent {
    /// A requester connected.
    Connected {
        /// Its address.
        peer: SocketAddr,
    },
    /// A NORMAL frame: one transport message. Answer it with
    /// [`respond`](PlatformListener::respond).
    Message(Vec<u8>),
    /// An out-of-band command (already echoed with an empty payload, as spdm-emu does).
    OutOfBand {
        /// [`Command::OobEncapKeyUpdate`] or [`Command::OobEncapEndpointInfo`].
        command: Command,
        /// Its payload (for OOB_ENCAP_KEY_UPDATE, optionally a session ID u32).
        payload: Vec<u8>,
    },
    /// CONTINUE was echoed and the connection closed; the next call accepts a new one.
    Continue,
    /// The connection ended without CONTINUE or SHUTDOWN; the next call accepts a new one.
    Disconnected {
        /// Why: [`ConnectionError::Closed`] for a peer that just closed, otherwise the error.
        reason: ConnectionError,
    },
    /// SHUTDOWN was echoed; the listener has stopped.
    Shutdown,
}

/// A platform-protocol listener serving connections one after another.
#[derive(Debug)]
pub struct PlatformListener {
    listener: TcpListener,
    config: SocketConfig,
    conn: Option<TcpTransport>,
    stopped: bool,
}

impl PlatformListener {
    /// Listens on `addr` (spdm-emu's ports: 2323, and 4194 for TCP).
    ///
    /// # Errors
    /// I/O errors of bind.
    pub fn bind<A: ToSocketAddrs>(addr: A, config: SocketConfig) -> Result<Self, ConnectionError> {
        let listener = TcpListener::bind(addr).map_err(|e| ConnectionError::from_io("bind", e))?;
        Ok(Self::from_listener(listener, config))
    }

    /// Serves on an already bound listener.
    #[must_use]
    pub const fn from_listener(listener: TcpListener, config: SocketConfig) -> Self {
        Self {
            listener,
            config,
            conn: None,
            stopped: false,
        }
    }

    /// The address listened on.
    ///
    /// # Errors
    /// I/O errors.
    pub fn local_addr(&self) -> Result<SocketAddr, ConnectionError> {
        self.listener
            .local_addr()
            .map_err(|e| ConnectionError::from_io("local_addr", e))
    }

    /// Whether a connection is open.
    #[must_use]
    pub const fn is_connected(&self) -> bool {
        self.conn.is_some()
    }

    /// Waits for the next event: accepts a connection if none is open (blocking until a
    /// requester connects; the read timeout applies to open connections only), else serves
    /// frames until one needs the caller.
    ///
    /// # Errors
    /// [`ConnectionError::Stopped`] after SHUTDOWN; I/O errors of accept. Failures of a
    /// connection are events ([`ServerEvent::Disconnected`]), not errors.
    pub fn next_event(&mut self) -> Result<ServerEvent, ConnectionError> {
        if self.stopped {
            return Err(ConnectionError::Stopped);
        }
        loop {
            let Some(conn) = self.conn.as_mut() else {
                return self.accept();
            };
            let frame = match conn.recv_frame() {
                Ok(frame) => frame,
                Err(reason) => return Ok(self.drop_connection(reason)),
            };
            let reply: Result<(), ConnectionError> = match frame.command {
                Command::Normal => return Ok(ServerEvent::Message(frame.payload)),
                Command::Test => conn.send_frame(Command::Test, SERVER_HELLO),
                Command::OobEncapKeyUpdate | Command::OobEncapEndpointInfo => {
                    match conn.send_frame(frame.command, &[]) {
                        Ok(()) => {
                            return Ok(ServerEvent::OutOfBand {
                                command: frame.command,
                                payload: frame.payload,
                            });
                        }
                        Err(e) => Err(e),
                    }
                }
                Command::Continue => {
                    let echoed = conn.send_frame(Command::Continue, &[]);
                    return Ok(match echoed {
                        Ok(()) => {
                            self.close_connection();
                            ServerEvent::Continue
                        }
                        Err(reason) => self.drop_connection(reason),
                    });
                }
                Command::Shutdown => {
                    if let Err(e) = conn.send_frame(Command::Shutdown, &[]) {
                        // The requester asked to stop; stop even if it did not wait for the echo.
                        tracing::debug!(error = %e, "SHUTDOWN echo not sent");
                    }
                    self.close_connection();
                    self.stopped = true;
                    return Ok(ServerEvent::Shutdown);
                }
                other => {
                    tracing::debug!(command = ?other, "unserved platform command");
                    if let Err(e) = conn.send_frame(Command::Unrecognized, &[]) {
                        tracing::debug!(error = %e, "UNKNOWN reply not sent");
                    }
                    let reason = TransportError::Unsupported {
                        field: "command",
                        value: u32::from(other),
                    };
                    return Ok(self.drop_connection(reason.into()));
                }
            };
            if let Err(reason) = reply {
                return Ok(self.drop_connection(reason));
            }
        }
    }

    /// Sends `payload` as the NORMAL reply on the open connection.
    ///
    /// # Errors
    /// [`ConnectionError::NotConnected`] with no open connection; [`ConnectionError::Encode`]
    /// over our limit (the connection stays open); I/O errors, which also drop the connection.
    pub fn respond(&mut self, payload: &[u8]) -> Result<(), ConnectionError> {
        let conn = self.conn.as_mut().ok_or(ConnectionError::NotConnected)?;
        match conn.send_frame(Command::Normal, payload) {
            Ok(()) => Ok(()),
            Err(e @ ConnectionError::Encode(_)) => Err(e),
            Err(e) => {
                self.close_connection();
                Err(e)
            }
        }
    }

    /// Drops the open connection without a reply (as spdm-emu does with a DOE object it
    /// cannot answer); the next [`next_event`](Self::next_event) accepts a new one.
    pub fn disconnect(&mut self) {
        self.close_connection();
    }

    /// Serves until SHUTDOWN: every transport message goes to `handler`, whose `Some(reply)` is
    /// sent back and whose `None` drops the connection. Other events are logged at debug
    /// level.
    ///
    /// # Errors
    /// As [`next_event`](Self::next_event).
    pub fn serve<F>(&mut self, mut handler: F) -> Result<(), ConnectionError>
    where
        F: FnMut(&[u8]) -> Option<Vec<u8>>,
    {
        loop {
            match self.next_event()? {
                ServerEvent::Message(request) => match handler(&request) {
                    Some(reply) => {
                        if let Err(e) = self.respond(&reply) {
                            tracing::debug!(error = %e, "reply not sent");
                        }
                    }
                    None => self.disconnect(),
                },
                ServerEvent::Shutdown => return Ok(()),
                event => tracing::debug!(?event, "platform event"),
            }
        }
    }

    fn accept(&mut self) -> Result<ServerEvent, ConnectionError> {
        let (stream, peer) = self
            .listener
            .accept()
            .map_err(|e| ConnectionError::from_io("accept", e))?;
        Ok(match TcpTransport::from_stream(stream, &self.config) {
            Ok(conn) => {
                self.conn = Some(conn);
                ServerEvent::Connected { peer }
            }
            Err(reason) => ServerEvent::Disconnected { reason },
        })
    }

    fn close_connection(&mut self) {
        if let Some(mut conn) = self.conn.take() {
            conn.close();
        }
    }

    fn drop_connection(&mut self, reason: ConnectionError) -> ServerEvent {
        tracing::debug!(error = %reason, "connection dropped");
        self.close_connection();
        ServerEvent::Disconnected { reason }
    }
}
