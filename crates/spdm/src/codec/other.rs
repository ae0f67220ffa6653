//! [`OtherMessage`]: a message this layer knows by code but does not parse yet (KEY_EXCHANGE,
//! FINISH, CHUNK_GET, CHUNK_RESPONSE, ...): its header and the rest as opaque bytes.

use vtrust_wire::{Encode, EncodeError, Reader, Writer};

use super::header::Header;

/// A request or response decoded by header only; `body` is everything after the header.
///
/// The body has no length of its own, so over PCI DOE (see `decode_with_padding`) it also
/// holds the transport's zero padding: a later layer that hashes such a message must parse it
/// properly first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OtherMessage<'a> {
    /// The header.
    pub header: Header,
    /// Everything after the header, unparsed.
    pub body: &'a [u8],
}

impl<'a> OtherMessage<'a> {
    pub(crate) fn decode_body(header: &Header, r: &mut Reader<'a>) -> Self {
        Self {
            header: *header,
            body: r.rest(),
        }
    }
}

impl Encode for OtherMessage<'_> {
    fn encode(&self, w: &mut Writer) -> Result<(), EncodeError> {
        super::atomic(w, |w| {
            self.header.encode(w)?;
            w.bytes("Body", self.body)
        })
    }

    fn encoded_len(&self) -> Option<usize> {
        Some(Header::LEN.saturating_add(self.body.len()))
    }
}
