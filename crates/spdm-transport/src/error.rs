//! Errors of the transport layer: what was wrong with a frame or transport message from the
//! peer (malformed, unsupported, misbehaving), and what went wrong on the connection (I/O).
//!
//! [`TransportError`] is what the sans-I/O codecs return (`Copy + Eq`, so tests assert the exact
//! value); [`ConnectionError`] adds the socket and channel failures around it. Both say which
//! [`ErrorClass`] they belong to, so a caller can tell "drop this message" (malformed) from "drop
//! this peer" (misbehaved) from "the link is gone" (I/O) without matching every variant.

use std::io;

use vtrust_wire::{DecodeError, EncodeError};

use crate::platform::Command;

/// The kind of failure, for callers that only need to decide what to do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorClass {
    /// The bytes do not parse, or their length fields disagree with them.
    Malformed,
    /// Well-formed, but a protocol, message type or command this crate does not carry.
    Unsupported,
    /// Well-formed, but forbidden at this point by the protocol.
    PeerMisbehaved,
    /// The connection failed, timed out or was closed.
    Io,
    /// The caller asked for something this API does not do (a frame over our own limit, a
    /// reply without a connection).
    Misuse,
}

/// A platform frame or transport message refused by a codec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// Malformed: a field is truncated, above our limit, or a byte that must be zero (padding)
    /// is not.
    #[error(transparent)]
    Malformed(#[from] DecodeError),
    /// Malformed: a length field disagrees with the bytes that carry it (e.g. the PCI DOE
    /// `Length` against the platform payload size).
    #[error("Length mismatch in `{field}`: declares {declared} bytes but {actual} are present")]
    LengthMismatch {
        /// The length field.
        field: &'static str,
        /// Bytes the field declares.
        declared: usize,
        /// Bytes actually present.
        actual: usize,
    },
    /// Unsupported: a well-formed value naming a protocol, vendor or message type that this
    /// binding does not carry (an MCTP message type other than SPDM, a DOE vendor other than
    /// PCI-SIG, a socket command the responder does not serve).
    #[error("Unsupported value {value:#x} in `{field}`")]
    Unsupported {
        /// The field.
        field: &'static str,
        /// The value received.
        value: u32,
    },
    /// Peer misbehaved: the frame's `transport_type` is not the one this connection uses
    /// (spdm-emu drops the connection on this).
    #[error("Transport type mismatch: expected {expected:#x}, received {received:#x}")]
    TransportMismatch {
        /// Our transport type on the wire.
        expected: u32,
        /// The peer's.
        received: u32,
    },
    /// Peer misbehaved: a reply with another platform command than the request called for.
    #[error("Unexpected platform command {received:?}, expected {expected:?}")]
    UnexpectedCommand {
        /// The command we expected.
        expected: Command,
        /// The command received.
        received: Command,
    },
    /// Peer misbehaved: a DOE discovery response whose `next_index` does not move past the
    /// index asked for (and is not 0, the end), which would walk in a loop.
    #[error("DOE discovery next_index {next_index} does not follow index {index}")]
    DiscoveryIndex {
        /// The index requested.
        index: u8,
        /// The `next_index` answered.
        next_index: u8,
    },
}

impl TransportError {
    /// Which kind of failure this is.
    #[must_use]
    pub const fn class(&self) -> ErrorClass {
        match self {
            Self::Malformed(_) | Self::LengthMismatch { .. } => ErrorClass::Malformed,
            Self::Unsupported { .. } => ErrorClass::Unsupported,
            Self::TransportMismatch { .. }
            | Self::UnexpectedCommand { .. }
            | Self::DiscoveryIndex { .. } => ErrorClass::PeerMisbehaved,
        }
    }
}

/// A failure on a frame transport: the socket or channel, or a frame refused by the codec.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConnectionError {
    /// A socket operation failed.
    #[error("Socket {op} failed")]
    Io {
        /// What was being done (`"connect"`, `"read"`, `"write"`, `"accept"`, ...).
        op: &'static str,
        /// The operating system's error.
        #[source]
        source: io::Error,
    },
    /// No frame within the configured read timeout.
    #[error("Timed out during {op}")]
    TimedOut {
        /// What was being done.
        op: &'static str,
    },
    /// The peer closed the connection at a frame boundary (or dropped its end of a memory pair).
    #[error("Connection closed by the peer")]
    Closed,
    /// A frame from the peer was refused.
    #[error(transparent)]
    Frame(#[from] TransportError),
    /// Misuse: a frame to send could not be built (payload over our own limit).
    #[error(transparent)]
    Encode(#[from] EncodeError),
    /// Misuse: a reply with no connection to send it on.
    #[error("No connection to reply on")]
    NotConnected,
    /// Misuse: the listener already served SHUTDOWN.
    #[error("Listener stopped after SHUTDOWN")]
    Stopped,
}

impl ConnectionError {
    /// Which kind of failure this is.
    #[must_use]
    pub const fn class(&self) -> ErrorClass {
        match self {
            Self::Io { .. } | Self::TimedOut { .. } | Self::Closed => ErrorClass::Io,
            Self::Frame(e) => e.class(),
            Self::Encode(_) | Self::NotConnected | Self::Stopped => ErrorClass::Misuse,
        }
    }

    /// Maps an I/O error of `op`: timeouts (`WouldBlock` / `TimedOut`, as a read timeout
    /// reports them) and EOF become their own variants.
    pub(crate) fn from_io(op: &'static str, source: io::Error) -> Self {
        match source.kind() {
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => Self::TimedOut { op },
            io::ErrorKind::UnexpectedEof
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::BrokenPipe => Self::Closed,
            _ => Self::Io { op, source },
        }
    }
}

#[cfg(test)]
mod tests {
    use vtrust_wire::DecodeErrorKind;

    use super::*;

    #[test]
    fn messages_start_with_a_capital_and_name_the_field() {
        let e = TransportError::LengthMismatch {
            field: "length",
            declared: 12,
            actual: 16,
        };
        assert_eq!(
            e.to_string(),
            "Length mismatch in `length`: declares 12 bytes but 16 are present"
        );
        let e = TransportError::Unsupported {
            field: "mctp_message_type",
            value: 0x7E,
        };
        assert_eq!(
            e.to_string(),
            "Unsupported value 0x7e in `mctp_message_type`"
        );
        let e = TransportError::from(DecodeError::new(
            "payload_size",
            DecodeErrorKind::TooLong {
                len: 5000,
                max: 4736,
            },
        ));
        assert_eq!(
            e.to_string(),
            "Length 5000 above the limit of 4736 in `payload_size`"
        );
        assert_eq!(
            ConnectionError::Frame(TransportError::TransportMismatch {
                expected: 1,
                received: 2
            })
            .to_string(),
            "Transport type mismatch: expected 0x1, received 0x2"
        );
    }

    #[test]
    fn classes() {
        let malformed = TransportError::Malformed(DecodeError::invalid_value("x"));
        assert_eq!(malformed.class(), ErrorClass::Malformed);
        assert_eq!(
            TransportError::Unsupported {
                field: "x",
                value: 0
            }
            .class(),
            ErrorClass::Unsupported
        );
        assert_eq!(
            TransportError::DiscoveryIndex {
                index: 1,
                next_index: 1
            }
            .class(),
            ErrorClass::PeerMisbehaved
        );
        assert_eq!(ConnectionError::Closed.class(), ErrorClass::Io);
        assert_eq!(
            ConnectionError::from(malformed).class(),
            ErrorClass::Malformed
        );
        assert_eq!(ConnectionError::NotConnected.class(), ErrorClass::Misuse);
        assert!(matches!(
            ConnectionError::from_io("read", io::ErrorKind::WouldBlock.into()),
            ConnectionError::TimedOut { op: "read" }
        ));
        assert!(matches!(
            ConnectionError::from_io("read", io::ErrorKind::UnexpectedEof.into()),
            ConnectionError::Closed
        ));
        assert!(matches!(
            ConnectionError::from_io("read", io::ErrorKind::PermissionDenied.into()),
            ConnectionError::Io { op: "read", .. }
        ));
    }
}
