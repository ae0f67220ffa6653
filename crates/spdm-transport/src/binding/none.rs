//! No binding (spdm-emu `--trans NONE`): the platform payload is the SPDM message itself.
//!
//! There is no way to mark a secured message, so this binding carries no sessions (spdm.md:
//! "NONE: the raw SPDM message, no sessions"), and spdm-emu sends no TEST handshake with it.

use vtrust_wire::{EncodeError, Writer};

use super::{Binding, Decoded, Message, not_carried};
use crate::error::TransportError;
use crate::transport_type::TransportKind;

/// The raw binding: payload = SPDM message.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct RawSpdm;

impl Binding for RawSpdm {
    fn kind(&self) -> TransportKind {
        TransportKind::None
    }

    fn header_len(&self) -> usize {
        0
    }

    fn max_padding(&self) -> usize {
        0
    }

    fn encode(&self, msg: Message<'_>, out: &mut Writer) -> Result<(), EncodeError> {
        match msg {
            Message::Spdm(body) => out.bytes("message", body),
            Message::Secured(_)
            | Message::DoeDiscovery(_)
            | Message::TcpRoleInquiry
            | Message::TcpError(_) => Err(not_carried()),
        }
    }

    fn decode<'a>(&self, payload: &'a [u8]) -> Result<Decoded<'a>, TransportError> {
        Ok(Decoded {
            message: Message::Spdm(payload),
            max_padding: 0,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_is_the_message() {
        let get_version = [0x10, 0x84, 0x00, 0x00];
        assert_eq!(
            RawSpdm.decode(&get_version),
            Ok(Decoded {
                message: Message::Spdm(&get_version),
                max_padding: 0
            })
        );
        assert_eq!(
            RawSpdm.to_vec(Message::Spdm(&get_version)),
            Ok(get_version.to_vec())
        );
    }

    #[test]
    fn refuses_to_encode_secured_message() {
        let mut w = Writer::new();
        assert_eq!(
            RawSpdm.encode(Message::Secured(&[0xFF; 8]), &mut w),
            Err(EncodeError::invalid_value("message"))
        );
        assert!(w.is_empty());
    }
}
