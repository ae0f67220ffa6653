//! SPDM over TCP, DSP0287 1.0: a 4-byte binding header, then the message.
//!
//! ```text
//! +0 u16 LE PayloadLength   SPDM / secured: bytes after this field (total - 2)
//! +2 u8     BindingVersion  0x01
//! +3 u8     MessageType     0x05 out of session, 0x06 in session (DSP0277 record),
//!                           0xBF RoleInquiry, 0xC0..=0xFF binding errors
//! +4        message         (none for RoleInquiry and errors)
//! ```
//!
//! spdm-emu (`--trans TCP`) carries this message inside the platform header with
//! `transport_type` 3. The header-only messages follow libspdm
//! (`libspdm_tcp_encode_discovery_message` / `..._decode_discovery_message`), which writes
//! and requires PayloadLength 0 for them, although its SPDM messages count the 2 bytes after
//! the field; DSP0287's own text was not available to check which is meant.

use vtrust_wire::{
    DecodeError, DecodeErrorKind, EncodeError, EncodeErrorKind, OpenEnum, Reader, Writer,
};

use super::{Binding, Decoded, Message, not_carried};
use crate::error::TransportError;
use crate::transport_type::TransportKind;

/// `BindingVersion` of DSP0287 1.0.
pub const BINDING_VERSION: u8 = 0x01;

/// Bytes in the binding header.
pub const TCP_HEADER_LEN: usize = 4;

/// First error message type; every type from here to 0xFF is an error (0xC4.. reserved).
const FIRST_ERROR_TYPE: u8 = 0xC0;

vtrust_wire::open_enum! {
    /// DSP0287 `MessageType` (libspdm `SPDM_TCP_MESSAGE_TYPE_*`).
    pub enum TcpMessageType: u8 {
        /// 0x05: an SPDM message outside a session.
        OutOfSession = 0x05,
        /// 0x06: a secured message (DSP0277) in a session.
        InSession = 0x06,
        /// 0xBF: RoleInquiry, asks the peer which role it takes.
        RoleInquiry = 0xBF,
        /// 0xC0: error, message too large.
        ErrorTooLarge = 0xC0,
        /// 0xC1: error, not supported.
        ErrorNotSupported = 0xC1,
        /// 0xC2: error, cannot operate as requester.
        ErrorCannotOperateAsRequester = 0xC2,
        /// 0xC3: error, cannot operate as responder.
        ErrorCannotOperateAsResponder = 0xC3,
    }
}

impl TcpMessageType {
    /// Whether this is a binding error type (0xC0..=0xFF, including the reserved ones).
    #[must_use]
    pub fn is_error(self) -> bool {
        self.raw() >= FIRST_ERROR_TYPE
    }
}

/// The TCP binding (DSP0287).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Tcp;

impl Binding for Tcp {
    fn kind(&self) -> TransportKind {
        TransportKind::Tcp
    }

    fn header_len(&self) -> usize {
        TCP_HEADER_LEN
    }

    fn max_padding(&self) -> usize {
        0
    }

    fn encode(&self, msg: Message<'_>, out: &mut Writer) -> Result<(), EncodeError> {
        let (message_type, body): (_, Option<&[u8]>) = match msg {
            Message::Spdm(body) => (TcpMessageType::OutOfSession, Some(body)),
            Message::Secured(body) => (TcpMessageType::InSession, Some(body)),
            Message::TcpRoleInquiry => (TcpMessageType::RoleInquiry, None),
            Message::TcpError(t) if t.is_error() => (t, None),
            Message::TcpError(_) => return Err(EncodeError::invalid_value("message_type")),
            Message::DoeDiscovery(_) => return Err(not_carried()),
        };
        // SPDM and secured messages count BindingVersion, MessageType and the body; the
        // header-only messages write 0 (libspdm).
        let payload_length = match body {
            None => 0,
            Some(body) => body
                .len()
                .checked_add(2)
                .and_then(|n| u16::try_from(n).ok())
                .ok_or(EncodeError::new(
                    "payload_length",
                    EncodeErrorKind::LengthOverflow {
                        len: body.len(),
                        max: usize::from(u16::MAX).saturating_sub(2),
                    },
                ))?,
        };
        let body = body.unwrap_or_default();
        let mut all = Writer::with_capacity(body.len().saturating_add(TCP_HEADER_LEN));
        all.u16_le("payload_length", payload_length)?;
        all.u8("binding_version", BINDING_VERSION)?;
        message_type.write_field(&mut all, "message_type")?;
        all.bytes("message", body)?;
        out.bytes("message", all.as_slice())
    }

    fn decode<'a>(&self, payload: &'a [u8]) -> Result<Decoded<'a>, TransportError> {
        let mut r = Reader::new(payload);
        let [l0, l1, binding_version, message_type] = r.array::<TCP_HEADER_LEN>("tcp_header")?;
        let payload_length = usize::from(u16::from_le_bytes([l0, l1]));
        if binding_version != BINDING_VERSION {
            return Err(TransportError::Unsupported {
                field: "binding_version",
                value: binding_version.into(),
            });
        }
        let message_type = TcpMessageType::from(message_type);
        let body = r.rest();
        let (message, counted) = match message_type {
            TcpMessageType::OutOfSession => (Message::Spdm(body), payload.len().saturating_sub(2)),
            TcpMessageType::InSession => (Message::Secured(body), payload.len().saturating_sub(2)),
            t if t == TcpMessageType::RoleInquiry || t.is_error() => {
                if !body.is_empty() {
                    return Err(TransportError::Malformed(DecodeError::new(
                        "message",
                        DecodeErrorKind::TrailingBytes { count: body.len() },
                    )));
                }
                let message = if t == TcpMessageType::RoleInquiry {
                    Message::TcpRoleInquiry
                } else {
                    Message::TcpError(t)
                };
                (message, 0)
            }
            other => {
                return Err(TransportError::Unsupported {
                    field: "message_type",
                    value: other.raw().into(),
                });
            }
        };
        if payload_length != counted {
            return Err(TransportError::LengthMismatch {
                field: "payload_length",
                declared: payload_length,
                actual: counted,
            });
        }
        Ok(Decoded {
            message,
            max_padding: 0,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// GET_VERSION over DSP0287 as spdm.md describes it: PayloadLen = 8 - 2 = 6, BindingVer 1,
    /// MsgType 5.
    const GET_VERSION: [u8; 8] = [0x06, 0x00, 0x01, 0x05, 0x10, 0x84, 0x00, 0x00];

    /// libspdm `libspdm_tcp_encode_discovery_message(SPDM_TCP_MESSAGE_TYPE_ROLE_INQUIRY)`.
    const ROLE_INQUIRY: [u8; 4] = [0x00, 0x00, 0x01, 0xBF];

    fn malformed(field: &'static str, kind: DecodeErrorKind) -> TransportError {
        TransportError::Malformed(DecodeError::new(field, kind))
    }

    #[test]
    fn get_version_both_directions() {
        assert_eq!(
            Tcp.decode(&GET_VERSION).map(|d| d.message),
            Ok(Message::Spdm(&GET_VERSION[4..]))
        );
        assert_eq!(
            Tcp.to_vec(Message::Spdm(&GET_VERSION[4..])),
            Ok(GET_VERSION.to_vec())
        );
    }

    #[test]
    fn secured_is_in_session() {
        let record = [0xFF, 0xFF, 0xFF, 0xFF, 0x10, 0x00];
        let bytes = Tcp.to_vec(Message::Secured(&record)).unwrap();
        assert_eq!(
            bytes,
            [0x08, 0x00, 0x01, 0x06, 0xFF, 0xFF, 0xFF, 0xFF, 0x10, 0x00]
        );
        assert_eq!(
            Tcp.decode(&bytes).unwrap().message,
            Message::Secured(&record)
        );
    }

    #[test]
    fn role_inquiry_and_errors_are_header_only() {
        assert_eq!(
            Tcp.to_vec(Message::TcpRoleInquiry),
            Ok(ROLE_INQUIRY.to_vec())
        );
        assert_eq!(
            Tcp.decode(&ROLE_INQUIRY).unwrap().message,
            Message::TcpRoleInquiry
        );
        for raw in [0xC0, 0xC1, 0xC2, 0xC3, 0xC4, 0xFF] {
            let bytes = [0x00, 0x00, 0x01, raw];
            let decoded = Tcp.decode(&bytes).unwrap();
            assert_eq!(
                decoded.message,
                Message::TcpError(TcpMessageType::from(raw))
            );
            assert_eq!(Tcp.to_vec(decoded.message), Ok(bytes.to_vec()));
        }
    }

    #[test]
    fn refuses_to_encode_error_with_non_error_type() {
        assert_eq!(
            Tcp.to_vec(Message::TcpError(TcpMessageType::RoleInquiry)),
            Err(EncodeError::invalid_value("message_type"))
        );
    }

    #[test]
    fn refuses_tcp_payload_length_mismatch() {
        let mut bytes = GET_VERSION;
        bytes[0] = 7;
        assert_eq!(
            Tcp.decode(&bytes),
            Err(TransportError::LengthMismatch {
                field: "payload_length",
                declared: 7,
                actual: 6
            })
        );
        let mut inquiry = ROLE_INQUIRY;
        inquiry[0] = 2;
        assert_eq!(
            Tcp.decode(&inquiry),
            Err(TransportError::LengthMismatch {
                field: "payload_length",
                declared: 2,
                actual: 0
            })
        );
    }

    #[test]
    fn refuses_unknown_binding_version() {
        let mut bytes = GET_VERSION;
        bytes[2] = 2;
        assert_eq!(
            Tcp.decode(&bytes),
            Err(TransportError::Unsupported {
                field: "binding_version",
                value: 2
            })
        );
    }

    #[test]
    fn refuses_unknown_tcp_message_type() {
        let mut bytes = GET_VERSION;
        bytes[3] = 0x07;
        assert_eq!(
            Tcp.decode(&bytes),
            Err(TransportError::Unsupported {
                field: "message_type",
                value: 7
            })
        );
    }

    #[test]
    fn refuses_body_after_role_inquiry() {
        assert_eq!(
            Tcp.decode(&[0x00, 0x00, 0x01, 0xBF, 0x00]),
            Err(malformed(
                "message",
                DecodeErrorKind::TrailingBytes { count: 1 }
            ))
        );
    }

    #[test]
    fn refuses_truncated_tcp_header() {
        assert_eq!(
            Tcp.decode(&GET_VERSION[..3]),
            Err(malformed(
                "tcp_header",
                DecodeErrorKind::Truncated {
                    needed: 4,
                    available: 3
                }
            ))
        );
    }

    #[test]
    fn refuses_to_encode_message_over_u16() {
        let body = vec![0; 65534];
        assert_eq!(
            Tcp.to_vec(Message::Spdm(&body)),
            Err(EncodeError::new(
                "payload_length",
                EncodeErrorKind::LengthOverflow {
                    len: 65534,
                    max: 65533
                }
            ))
        );
        assert!(Tcp.to_vec(Message::Spdm(&body[1..])).is_ok());
    }
}
