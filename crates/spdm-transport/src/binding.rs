//! Transport bindings: how an SPDM message (or a secured-message record) sits inside a
//! platform payload, behind one [`Binding`] trait.
//!
//! | binding | spec | header | padding |
//! |---|---|---|---|
//! | [`Mctp`] | DSP0275 (as spdm-emu frames it: no MCTP packet header) | 1-byte message type | none |
//! | [`PciDoe`] | DSP0276 / PCIe DOE ECN | 8-byte DOE header | to a dword, up to 3 zero bytes |
//! | [`Tcp`] | DSP0287 | 4-byte binding header | none |
//! | [`RawSpdm`] | spdm-emu `--trans NONE` | none | none |
//!
//! A binding does not know SPDM message lengths. Where it pads (PCI DOE), [`Decoded`] says how
//! many trailing bytes may be padding, and the SPDM layer, once it has parsed the message and
//! knows its length, calls [`Decoded::strip_padding`] to get exactly the message bytes that go
//! into transcripts and hashes.

pub mod doe;
pub mod doe_discovery;
pub mod mctp;
pub mod none;
pub mod tcp;

use vtrust_wire::{DecodeError, DecodeErrorKind, EncodeError, Reader, Writer};

pub use doe::PciDoe;
pub use mctp::Mctp;
pub use none::RawSpdm;
pub use tcp::Tcp;

use crate::error::TransportError;
use crate::transport_type::TransportKind;

/// What a transport message carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Message<'a> {
    /// A plain SPDM message (DSP0274), starting with `SPDMVersion`.
    Spdm(&'a [u8]),
    /// A DSP0277 secured-message record (starting with the session ID), carried opaque: the
    /// session layer parses and decrypts it.
    Secured(&'a [u8]),
    /// A PCIe DOE Discovery data object body (one dword): a request or a response, which only
    /// the receiver's role tells apart; see [`doe_discovery`]. PCI DOE only.
    DoeDiscovery(&'a [u8; 4]),
    /// DSP0287 `RoleInquiry` (message type 0xBF), header only. TCP only.
    TcpRoleInquiry,
    /// A DSP0287 binding error message (message type 0xC0..=0xFF), header only. TCP only.
    TcpError(tcp::TcpMessageType),
}

impl<'a> Message<'a> {
    /// The bytes after the binding header: the SPDM message or record, the discovery dword,
    /// or nothing for the TCP control messages.
    #[must_use]
    pub const fn body(&self) -> &'a [u8] {
        match *self {
            Self::Spdm(body) | Self::Secured(body) => body,
            Self::DoeDiscovery(body) => body,
            Self::TcpRoleInquiry | Self::TcpError(_) => &[],
        }
    }
}

/// A decoded transport message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Decoded<'a> {
    /// What it carries. An SPDM or secured body may end in up to
    /// [`max_padding`](Self::max_padding) bytes of padding.
    pub message: Message<'a>,
    /// How many trailing bytes of the body may be padding rather than message: 3 for PCI DOE
    /// SPDM and secured objects, 0 otherwise.
    pub max_padding: usize,
}

impl<'a> Decoded<'a> {
    /// The first `len` bytes of the body, the message itself, after checking that the rest is
    /// padding (see [`strip_padding`]).
    ///
    /// # Errors
    /// As [`strip_padding`].
    pub fn strip_padding(&self, len: usize) -> Result<&'a [u8], TransportError> {
        strip_padding(self.message.body(), len, self.max_padding)
    }
}

/// The first `len` bytes of `body`, after checking that the bytes after them are at most
/// `max_padding` bytes, all zero (PCIe DOE: the data object is zero-padded to a dword; the
/// transcripts README: "must hash only those bytes, not the pad").
///
/// # Errors
/// `Malformed` with `Truncated` (field `message`) if `body` is shorter than `len`, `TooLong`
/// (field `padding`) if more than `max_padding` bytes follow, `ReservedNotZero` (field
/// `padding`) if one of them is not zero.
pub fn strip_padding(body: &[u8], len: usize, max_padding: usize) -> Result<&[u8], TransportError> {
    let mut r = Reader::new(body);
    let message = r.bytes("message", len)?;
    let pad = r.remaining();
    if pad > max_padding {
        return Err(TransportError::Malformed(DecodeError::new(
            "padding",
            DecodeErrorKind::TooLong {
                len: pad,
                max: max_padding,
            },
        )));
    }
    r.expect_zero("padding", pad)?;
    Ok(message)
}

/// A transport binding: encodes messages into platform payloads and decodes them back.
///
/// Implementations are sans-I/O and never panic on any input.
pub trait Binding {
    /// The transport this binding implements.
    fn kind(&self) -> TransportKind;

    /// Bytes the binding puts before a message (1 for MCTP, 8 for PCI DOE, 4 for TCP, 0 for
    /// none), e.g. to size a buffer from `DataTransferSize`.
    fn header_len(&self) -> usize;

    /// The most padding the binding adds after a message (3 for PCI DOE, else 0).
    fn max_padding(&self) -> usize;

    /// Appends the transport message carrying `msg` to `out`.
    ///
    /// # Errors
    /// [`EncodeErrorKind::InvalidValue`](vtrust_wire::EncodeErrorKind::InvalidValue) (field
    /// `message`) for a message kind this binding does not carry; a length that does not fit
    /// the binding's length field; the writer's limit. `out` is unchanged on error.
    fn encode(&self, msg: Message<'_>, out: &mut Writer) -> Result<(), EncodeError>;

    /// Decodes one platform payload.
    ///
    /// # Errors
    /// A [`TransportError`]: malformed headers and lengths, unsupported types.
    fn decode<'a>(&self, payload: &'a [u8]) -> Result<Decoded<'a>, TransportError>;

    /// The transport message carrying `msg` as a new vector.
    ///
    /// # Errors
    /// As [`encode`](Self::encode).
    fn to_vec(&self, msg: Message<'_>) -> Result<Vec<u8>, EncodeError> {
        let mut w = Writer::with_capacity(self.header_len().saturating_add(msg.body().len()));
        self.encode(msg, &mut w)?;
        Ok(w.into_vec())
    }
}

/// The binding for a transport kind, for code that picks it at run time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AnyBinding {
    /// [`RawSpdm`].
    None(RawSpdm),
    /// [`Mctp`].
    Mctp(Mctp),
    /// [`PciDoe`].
    PciDoe(PciDoe),
    /// [`Tcp`].
    Tcp(Tcp),
}

impl AnyBinding {
    /// The binding for `kind`; `None` for the storage transports (SCSI, NVMe), which this
    /// crate does not implement.
    #[must_use]
    pub const fn for_kind(kind: TransportKind) -> Option<Self> {
        match kind {
            TransportKind::None => Some(Self::None(RawSpdm)),
            TransportKind::Mctp => Some(Self::Mctp(Mctp)),
            TransportKind::PciDoe => Some(Self::PciDoe(PciDoe)),
            TransportKind::Tcp => Some(Self::Tcp(Tcp)),
            TransportKind::Scsi | TransportKind::Nvme => None,
        }
    }

    const fn inner(&self) -> &dyn Binding {
        match self {
            Self::None(b) => b,
            Self::Mctp(b) => b,
            Self::PciDoe(b) => b,
            Self::Tcp(b) => b,
        }
    }
}

impl Binding for AnyBinding {
    fn kind(&self) -> TransportKind {
        self.inner().kind()
    }

    fn header_len(&self) -> usize {
        self.inner().header_len()
    }

    fn max_padding(&self) -> usize {
        self.inner().max_padding()
    }

    fn encode(&self, msg: Message<'_>, out: &mut Writer) -> Result<(), EncodeError> {
        self.inner().encode(msg, out)
    }

    fn decode<'a>(&self, payload: &'a [u8]) -> Result<Decoded<'a>, TransportError> {
        self.inner().decode(payload)
    }
}

/// The error a binding returns for a message kind it does not carry.
pub(crate) const fn not_carried() -> EncodeError {
    EncodeError::invalid_value("message")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn malformed(field: &'static str, kind: DecodeErrorKind) -> TransportError {
        TransportError::Malformed(DecodeError::new(field, kind))
    }

    #[test]
    fn strips_up_to_max_padding_zero_bytes() {
        let body = [0x13, 0x03, 0x00, 0x03, 0xAA, 0x00, 0x00, 0x00];
        assert_eq!(strip_padding(&body, 5, 3), Ok(&body[..5]));
        assert_eq!(strip_padding(&body, 8, 3), Ok(&body[..]));
        assert_eq!(strip_padding(&body, 6, 3), Ok(&body[..6]));
        assert_eq!(strip_padding(&[], 0, 0), Ok(&[][..]));
    }

    #[test]
    fn refuses_nonzero_padding() {
        let body = [0x13, 0x03, 0x00, 0x03, 0x00, 0x01];
        assert_eq!(
            strip_padding(&body, 4, 3),
            Err(malformed("padding", DecodeErrorKind::ReservedNotZero))
        );
    }

    #[test]
    fn refuses_padding_beyond_max() {
        let body = [0x13, 0x03, 0x00, 0x03, 0, 0, 0, 0];
        assert_eq!(
            strip_padding(&body, 4, 3),
            Err(malformed(
                "padding",
                DecodeErrorKind::TooLong { len: 4, max: 3 }
            ))
        );
        // MCTP: no padding at all.
        assert_eq!(
            strip_padding(&body, 7, 0),
            Err(malformed(
                "padding",
                DecodeErrorKind::TooLong { len: 1, max: 0 }
            ))
        );
    }

    #[test]
    fn refuses_message_longer_than_body() {
        assert_eq!(
            strip_padding(&[1, 2, 3], 4, 3),
            Err(malformed(
                "message",
                DecodeErrorKind::Truncated {
                    needed: 4,
                    available: 3
                }
            ))
        );
    }

    #[test]
    fn any_binding_covers_every_binding_kind() {
        for kind in TransportKind::ALL {
            match AnyBinding::for_kind(kind) {
                Some(b) => assert_eq!(b.kind(), kind),
                None => assert!(matches!(kind, TransportKind::Scsi | TransportKind::Nvme)),
            }
        }
        let doe = AnyBinding::for_kind(TransportKind::PciDoe).unwrap();
        assert_eq!((doe.header_len(), doe.max_padding()), (8, 3));
        let mctp = AnyBinding::for_kind(TransportKind::Mctp).unwrap();
        assert_eq!((mctp.header_len(), mctp.max_padding()), (1, 0));
        let tcp = AnyBinding::for_kind(TransportKind::Tcp).unwrap();
        assert_eq!((tcp.header_len(), tcp.max_padding()), (4, 0));
        let none = AnyBinding::for_kind(TransportKind::None).unwrap();
        assert_eq!((none.header_len(), none.max_padding()), (0, 0));
    }
}
