//! SPDM over MCTP, DSP0275, as spdm-emu frames it: the MCTP message type byte, then the
//! message; no MCTP packet header and no fragmentation (the socket carries whole messages).
//!
//! Message types (DSP0239): 0x05 SPDM, 0x06 Secured Messages using SPDM (DSP0277 record:
//! SessionID u32, SequenceNumber u16, Length u16, ciphertext and MAC, which the session layer
//! parses). Bit 7 of the byte is MCTP's integrity-check (IC) bit, which DSP0275 requires to be
//! 0, so 0x85 / 0x86 are refused like any other type.

use vtrust_wire::{EncodeError, OpenEnum, Reader, Writer};

use super::{Binding, Decoded, Message, not_carried};
use crate::error::TransportError;
use crate::transport_type::TransportKind;

vtrust_wire::open_enum! {
    /// MCTP message type (DSP0239 §4), the first payload byte.
    pub enum MctpMessageType: u8 {
        /// 0x05: SPDM (DSP0275).
        Spdm = 0x05,
        /// 0x06: Secured Messages using SPDM (DSP0275, DSP0277).
        SecuredMessage = 0x06,
    }
}

/// The MCTP binding (DSP0275).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Mctp;

impl Binding for Mctp {
    fn kind(&self) -> TransportKind {
        TransportKind::Mctp
    }

    fn header_len(&self) -> usize {
        1
    }

    fn max_padding(&self) -> usize {
        0
    }

    fn encode(&self, msg: Message<'_>, out: &mut Writer) -> Result<(), EncodeError> {
        let (message_type, body) = match msg {
            Message::Spdm(body) => (MctpMessageType::Spdm, body),
            Message::Secured(body) => (MctpMessageType::SecuredMessage, body),
            Message::DoeDiscovery(_) | Message::TcpRoleInquiry | Message::TcpError(_) => {
                return Err(not_carried());
            }
        };
        // One write, so a failure leaves `out` unchanged.
        let mut all = Writer::with_capacity(body.len().saturating_add(1));
        message_type.write_field(&mut all, "mctp_message_type")?;
        all.bytes("message", body)?;
        out.bytes("message", all.as_slice())
    }

    fn decode<'a>(&self, payload: &'a [u8]) -> Result<Decoded<'a>, TransportError> {
        let mut r = Reader::new(payload);
        let message_type = MctpMessageType::read_field(&mut r, "mctp_message_type")?;
        let body = r.rest();
        let message = match message_type {
            MctpMessageType::Spdm => Message::Spdm(body),
            MctpMessageType::SecuredMessage => Message::Secured(body),
            MctpMessageType::Unknown(raw) => {
                return Err(TransportError::Unsupported {
                    field: "mctp_message_type",
                    value: raw.raw().into(),
                });
            }
        };
        Ok(Decoded {
            message,
            max_padding: 0,
        })
    }
}

#[cfg(test)]
mod tests {
    use vtrust_wire::{DecodeError, DecodeErrorKind};

    use super::*;

    /// spdm.md / mctp_1.2_p384.txt [1]: GET_VERSION over MCTP.
    const GET_VERSION: [u8; 5] = [0x05, 0x10, 0x84, 0x00, 0x00];

    #[test]
    fn decodes_get_version_from_spec() {
        assert_eq!(
            Mctp.decode(&GET_VERSION),
            Ok(Decoded {
                message: Message::Spdm(&[0x10, 0x84, 0x00, 0x00]),
                max_padding: 0
            })
        );
    }

    #[test]
    fn encodes_get_version_from_spec() {
        assert_eq!(
            Mctp.to_vec(Message::Spdm(&[0x10, 0x84, 0x00, 0x00])),
            Ok(GET_VERSION.to_vec())
        );
    }

    #[test]
    fn carries_secured_records_opaque() {
        // mctp_1.2_p384_session.txt [25] starts `06 ffffffff 0000 5a00`.
        let frame = hex::decode("06ffffffff00005a00aabb").unwrap();
        let decoded = Mctp.decode(&frame).unwrap();
        assert_eq!(decoded.message, Message::Secured(&frame[1..]));
        assert_eq!(Mctp.to_vec(decoded.message), Ok(frame));
    }

    #[test]
    fn refuses_unknown_mctp_type() {
        for t in [0x00, 0x01, 0x7E, 0x7F, 0x85, 0x86, 0xFF] {
            assert_eq!(
                Mctp.decode(&[t, 0x10, 0x84, 0, 0]),
                Err(TransportError::Unsupported {
                    field: "mctp_message_type",
                    value: t.into()
                }),
                "{t:#x}"
            );
        }
    }

    #[test]
    fn refuses_empty_payload() {
        assert_eq!(
            Mctp.decode(&[]),
            Err(TransportError::Malformed(DecodeError::new(
                "mctp_message_type",
                DecodeErrorKind::Truncated {
                    needed: 1,
                    available: 0
                }
            )))
        );
    }

    #[test]
    fn refuses_to_encode_doe_discovery() {
        let mut w = Writer::new();
        assert_eq!(
            Mctp.encode(Message::DoeDiscovery(&[0; 4]), &mut w),
            Err(EncodeError::invalid_value("message"))
        );
        assert!(w.is_empty());
    }
}
