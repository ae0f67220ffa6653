//! SPDM over PCIe DOE (DSP0276 / PCIe "Data Object Exchange" ECN, PCIe 6.x §6.30): an 8-byte
//! data object header, then the data, zero-padded to a dword.
//!
//! ```text
//! +0 u16 LE VendorID          0x0001 (PCI-SIG)
//! +2 u8     DataObjectType    0 DOE Discovery, 1 SPDM (CMA), 2 Secured SPDM
//! +3 u8     Reserved
//! +4 u32 LE Length            bits 17:0: dwords in the object, header included; 0 = 2^18
//! +8        data, then zero bytes to a dword boundary
//! ```
//!
//! On decode the Length must describe exactly the platform payload. The header does not say
//! how much of the last dword is padding, so [`Decoded::max_padding`] is 3 and the SPDM layer
//! trims (transcripts README: "a receiver has to derive it from the SPDM message itself").
//! Reserved bits (byte 3, Length bits 31:18) are ignored on read and written as zero; libspdm
//! rejects a non-zero value in them.

use vtrust_wire::{
    DecodeError, DecodeErrorKind, EncodeError, EncodeErrorKind, OpenEnum, Reader, Writer,
};

use super::{Binding, Decoded, Message, not_carried};
use crate::error::TransportError;
use crate::transport_type::TransportKind;

/// `VendorID` of PCI-SIG, owner of the SPDM data object types.
pub const PCI_SIG_VENDOR_ID: u16 = 0x0001;

/// Bytes in the DOE data object header.
pub const DOE_HEADER_LEN: usize = 8;

/// The most dwords a data object holds, 2^18 (written as 0 in `Length`): 1 MiB.
pub const MAX_OBJECT_DWORDS: u32 = 1 << 18;

/// Bits of `Length` that count dwords; the rest are reserved.
const LENGTH_MASK: u32 = MAX_OBJECT_DWORDS - 1;

vtrust_wire::open_enum! {
    /// PCI-SIG data object types (PCIe 6.x §6.30, "DOE Data Object Protocols"; DSP0276).
    pub enum DataObjectType: u8 {
        /// 0: DOE Discovery.
        DoeDiscovery = 0,
        /// 1: CMA/SPDM (DSP0276).
        Spdm = 1,
        /// 2: Secured CMA/SPDM (DSP0276, DSP0277).
        SecuredSpdm = 2,
    }
}

/// A DOE data object header as read: vendor, type and the object length in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DoeHeader {
    /// `VendorID`.
    pub vendor_id: u16,
    /// `DataObjectType` (its meaning depends on the vendor; these are PCI-SIG's).
    pub data_object_type: DataObjectType,
    /// `Length` bits 17:0 in dwords, 0 read as 2^18: 0 < length <= 2^18.
    pub length_dwords: u32,
}

impl DoeHeader {
    /// Parses a header from its 8 bytes, ignoring the reserved byte and `Length` bits 31:18.
    #[must_use]
    pub fn from_bytes(bytes: &[u8; DOE_HEADER_LEN]) -> Self {
        let [v0, v1, object_type, _reserved, l0, l1, l2, l3] = *bytes;
        let length = u32::from_le_bytes([l0, l1, l2, l3]) & LENGTH_MASK;
        Self {
            vendor_id: u16::from_le_bytes([v0, v1]),
            data_object_type: DataObjectType::from(object_type),
            length_dwords: if length == 0 {
                MAX_OBJECT_DWORDS
            } else {
                length
            },
        }
    }

    /// The object length in bytes, header included (at most 1 MiB).
    #[must_use]
    pub fn length_bytes(&self) -> usize {
        usize::try_from(self.length_dwords)
            .unwrap_or(usize::MAX)
            .saturating_mul(4)
    }
}

/// The PCI DOE binding.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct PciDoe;

impl Binding for PciDoe {
    fn kind(&self) -> TransportKind {
        TransportKind::PciDoe
    }

    fn header_len(&self) -> usize {
        DOE_HEADER_LEN
    }

    fn max_padding(&self) -> usize {
        3
    }

    fn encode(&self, msg: Message<'_>, out: &mut Writer) -> Result<(), EncodeError> {
        let (object_type, body): (_, &[u8]) = match msg {
            Message::Spdm(body) => (DataObjectType::Spdm, body),
            Message::Secured(body) => (DataObjectType::SecuredSpdm, body),
            Message::DoeDiscovery(body) => (DataObjectType::DoeDiscovery, body),
            Message::TcpRoleInquiry | Message::TcpError(_) => return Err(not_carried()),
        };
        // Zero bytes up to the next dword: (-len) mod 4.
        let pad = body.len().wrapping_neg() & 3;
        let too_long = || {
            EncodeError::new(
                "length",
                EncodeErrorKind::LengthOverflow {
                    len: body.len(),
                    max: max_body_len(),
                },
            )
        };
        let total = body
            .len()
            .checked_add(DOE_HEADER_LEN)
            .and_then(|n| n.checked_add(pad))
            .ok_or_else(too_long)?;
        let dwords = u32::try_from(total >> 2).map_err(|_| too_long())?;
        if dwords > MAX_OBJECT_DWORDS {
            return Err(too_long());
        }
        let length = dwords & LENGTH_MASK; // 2^18 is written as 0.
        let mut object = Writer::with_capacity(total);
        object.u16_le("vendor_id", PCI_SIG_VENDOR_ID)?;
        object_type.write_field(&mut object, "data_object_type")?;
        object.zeros("reserved", 1)?;
        object.u32_le("length", length)?;
        object.bytes("message", body)?;
        object.zeros("padding", pad)?;
        out.bytes("message", object.as_slice())
    }

    fn decode<'a>(&self, payload: &'a [u8]) -> Result<Decoded<'a>, TransportError> {
        let mut r = Reader::new(payload);
        let header = DoeHeader::from_bytes(&r.array::<DOE_HEADER_LEN>("doe_header")?);
        let declared = header.length_bytes();
        if declared != payload.len() {
            return Err(TransportError::LengthMismatch {
                field: "length",
                declared,
                actual: payload.len(),
            });
        }
        if header.vendor_id != PCI_SIG_VENDOR_ID {
            return Err(TransportError::Unsupported {
                field: "vendor_id",
                value: header.vendor_id.into(),
            });
        }
        let body = r.rest();
        let (message, max_padding) = match header.data_object_type {
            DataObjectType::Spdm => (Message::Spdm(body), 3),
            DataObjectType::SecuredSpdm => (Message::Secured(body), 3),
            DataObjectType::DoeDiscovery => {
                // One dword, request or response (the Length already made it dword-sized).
                let Some((dword, rest)) = body.split_first_chunk::<4>() else {
                    return Err(TransportError::Malformed(DecodeError::new(
                        "doe_discovery",
                        DecodeErrorKind::Truncated {
                            needed: 4,
                            available: body.len(),
                        },
                    )));
                };
                Reader::new(rest).expect_end("doe_discovery")?;
                (Message::DoeDiscovery(dword), 0)
            }
            DataObjectType::Unknown(raw) => {
                return Err(TransportError::Unsupported {
                    field: "data_object_type",
                    value: raw.raw().into(),
                });
            }
        };
        Ok(Decoded {
            message,
            max_padding,
        })
    }
}

/// The longest body a data object holds: 2^20 bytes less the header.
const fn max_body_len() -> usize {
    (1 << 20) - DOE_HEADER_LEN
}

#[cfg(test)]
mod tests {
    use super::*;

    /// spdm.md: GET_VERSION over PCI DOE, `01 00 01 00 03 00 00 00 10 84 00 00`.
    const GET_VERSION: [u8; 12] = [
        0x01, 0x00, 0x01, 0x00, 0x03, 0x00, 0x00, 0x00, 0x10, 0x84, 0x00, 0x00,
    ];

    fn malformed(field: &'static str, kind: DecodeErrorKind) -> TransportError {
        TransportError::Malformed(DecodeError::new(field, kind))
    }

    #[test]
    fn decodes_get_version_from_spec() {
        let decoded = PciDoe.decode(&GET_VERSION).unwrap();
        assert_eq!(decoded.message, Message::Spdm(&[0x10, 0x84, 0x00, 0x00]));
        assert_eq!(decoded.max_padding, 3);
        assert_eq!(decoded.strip_padding(4), Ok(&GET_VERSION[8..]));
    }

    #[test]
    fn encodes_get_version_from_spec() {
        assert_eq!(
            PciDoe.to_vec(Message::Spdm(&[0x10, 0x84, 0x00, 0x00])),
            Ok(GET_VERSION.to_vec())
        );
    }

    #[test]
    fn pads_to_a_dword_with_zeros() {
        // doe_1.3_p256.txt [20]: a 174-byte CHALLENGE_AUTH goes out as 46 dwords (8 + 176).
        let body = [0x13; 174];
        let object = PciDoe.to_vec(Message::Spdm(&body)).unwrap();
        assert_eq!(object.len(), 184);
        assert_eq!(&object[..8], &[0x01, 0x00, 0x01, 0x00, 46, 0, 0, 0]);
        assert_eq!(&object[182..], &[0, 0]);
        let decoded = PciDoe.decode(&object).unwrap();
        assert_eq!(decoded.message.body().len(), 176);
        assert_eq!(decoded.strip_padding(174), Ok(&body[..]));
        for (len, padded) in [(0, 8), (1, 12), (2, 12), (3, 12), (4, 12), (5, 16)] {
            let object = PciDoe.to_vec(Message::Spdm(&body[..len])).unwrap();
            assert_eq!(object.len(), padded, "{len}");
        }
    }

    #[test]
    fn secured_is_type_2() {
        let object = PciDoe.to_vec(Message::Secured(&[1, 2, 3, 4, 5])).unwrap();
        assert_eq!(
            object,
            [
                0x01, 0x00, 0x02, 0x00, 0x04, 0, 0, 0, 1, 2, 3, 4, 5, 0, 0, 0
            ]
        );
        assert_eq!(
            PciDoe.decode(&object).unwrap().message,
            Message::Secured(&[1, 2, 3, 4, 5, 0, 0, 0])
        );
    }

    #[test]
    fn ignores_reserved_bits() {
        let mut object = GET_VERSION;
        object[3] = 0xFF; // Reserved byte.
        object[6] = 0x04; // Length bit 18.
        object[7] = 0xFF; // Length bits 31:24.
        assert_eq!(
            PciDoe.decode(&object).unwrap().message,
            Message::Spdm(&[0x10, 0x84, 0x00, 0x00])
        );
    }

    #[test]
    fn length_zero_means_2_pow_18_dwords() {
        let body = vec![0xA5; max_body_len()];
        let object = PciDoe.to_vec(Message::Spdm(&body)).unwrap();
        assert_eq!(object.len(), 1 << 20);
        assert_eq!(&object[4..8], &[0, 0, 0, 0]);
        assert_eq!(
            PciDoe.decode(&object).unwrap().message,
            Message::Spdm(&body)
        );
        assert_eq!(
            DoeHeader::from_bytes(&[1, 0, 1, 0, 0, 0, 0, 0]).length_bytes(),
            1 << 20
        );
    }

    #[test]
    fn refuses_to_encode_object_over_2_pow_18_dwords() {
        let body = vec![0; max_body_len() + 1];
        let mut w = Writer::new();
        assert_eq!(
            PciDoe.encode(Message::Spdm(&body), &mut w),
            Err(EncodeError::new(
                "length",
                EncodeErrorKind::LengthOverflow {
                    len: max_body_len() + 1,
                    max: max_body_len()
                }
            ))
        );
        assert!(w.is_empty());
    }

    #[test]
    fn refuses_bad_vendor_id() {
        // CXL's vendor ID 0x1E98 with a correct length.
        let mut object = GET_VERSION;
        object[0] = 0x98;
        object[1] = 0x1E;
        assert_eq!(
            PciDoe.decode(&object),
            Err(TransportError::Unsupported {
                field: "vendor_id",
                value: 0x1E98
            })
        );
    }

    #[test]
    fn refuses_unknown_data_object_type() {
        let mut object = GET_VERSION;
        object[2] = 3;
        assert_eq!(
            PciDoe.decode(&object),
            Err(TransportError::Unsupported {
                field: "data_object_type",
                value: 3
            })
        );
    }

    #[test]
    fn refuses_doe_length_mismatch() {
        // Length says 4 dwords, 3 present.
        let mut object = GET_VERSION;
        object[4] = 4;
        assert_eq!(
            PciDoe.decode(&object),
            Err(TransportError::LengthMismatch {
                field: "length",
                declared: 16,
                actual: 12
            })
        );
        // Payload not a dword multiple: the padding is missing.
        assert_eq!(
            PciDoe.decode(&GET_VERSION[..11]),
            Err(TransportError::LengthMismatch {
                field: "length",
                declared: 12,
                actual: 11
            })
        );
        // Length 1 dword cannot even hold the header.
        let mut object = GET_VERSION;
        object[4] = 1;
        assert_eq!(
            PciDoe.decode(&object),
            Err(TransportError::LengthMismatch {
                field: "length",
                declared: 4,
                actual: 12
            })
        );
    }

    #[test]
    fn refuses_truncated_doe_header() {
        assert_eq!(
            PciDoe.decode(&GET_VERSION[..7]),
            Err(malformed(
                "doe_header",
                DecodeErrorKind::Truncated {
                    needed: 8,
                    available: 7
                }
            ))
        );
    }

    #[test]
    fn refuses_discovery_object_not_one_dword() {
        // Type 0 with 2 dwords of data.
        let object = [1, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        assert_eq!(
            PciDoe.decode(&object),
            Err(malformed(
                "doe_discovery",
                DecodeErrorKind::TrailingBytes { count: 4 }
            ))
        );
        // Type 0 with no data.
        let object = [1, 0, 0, 0, 2, 0, 0, 0];
        assert_eq!(
            PciDoe.decode(&object),
            Err(malformed(
                "doe_discovery",
                DecodeErrorKind::Truncated {
                    needed: 4,
                    available: 0
                }
            ))
        );
    }

    #[test]
    fn refuses_nonzero_padding_after_message() {
        // CHALLENGE_AUTH-like: 174 bytes, then 2 pad bytes of which one is 0x01.
        let mut object = PciDoe.to_vec(Message::Spdm(&[0x13; 174])).unwrap();
        object[183] = 1;
        let decoded = PciDoe.decode(&object).unwrap();
        assert_eq!(
            decoded.strip_padding(174),
            Err(malformed("padding", DecodeErrorKind::ReservedNotZero))
        );
        // The SPDM layer claiming a 172-byte message leaves 4 bytes: more than padding can be.
        assert_eq!(
            decoded.strip_padding(172),
            Err(malformed(
                "padding",
                DecodeErrorKind::TooLong { len: 4, max: 3 }
            ))
        );
    }
}
