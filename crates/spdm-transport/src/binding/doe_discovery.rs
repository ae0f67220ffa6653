//! PCIe DOE Discovery (PCIe 6.x §6.30.1.1): which data object protocols a DOE mailbox
//! serves, asked one index at a time.
//!
//! ```text
//! request  dword: Index u8 | Version u8 (PCIe 6.1+, 0 before) | Reserved u16
//! response dword: VendorID u16 LE | DataObjectType u8 | NextIndex u8 (0 after the last)
//! ```
//!
//! Both travel in a DOE object of type 0 ([`Message::DoeDiscovery`](super::Message)); one
//! dword each, told apart only by direction. [`DiscoveryTable`] answers requests (responder
//! side, as spdm-emu's `pci_doe_get_response_doe_request`); [`DiscoveryWalk`] asks index after
//! index until `NextIndex` is 0 (requester side, as spdm-emu's `pci_doe_init_requester`).

use vtrust_wire::check_range;

use super::doe::PCI_SIG_VENDOR_ID;
use crate::error::TransportError;

/// A DOE Discovery request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DiscoveryRequest {
    /// `Index`: the table entry asked for.
    pub index: u8,
    /// `Version` of DOE Discovery the requester speaks (PCIe 6.1; 0 before, as spdm-emu sends).
    pub version: u8,
}

impl DiscoveryRequest {
    /// A request for entry `index`, version 0.
    #[must_use]
    pub const fn new(index: u8) -> Self {
        Self { index, version: 0 }
    }

    /// Reads a request dword; the reserved half is ignored.
    #[must_use]
    pub const fn from_dword(dword: &[u8; 4]) -> Self {
        let [index, version, _, _] = *dword;
        Self { index, version }
    }

    /// The request dword, reserved bytes zero.
    #[must_use]
    pub const fn to_dword(&self) -> [u8; 4] {
        [self.index, self.version, 0, 0]
    }
}

/// A data object protocol: vendor and type (the type's meaning is the vendor's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Protocol {
    /// `VendorID`.
    pub vendor_id: u16,
    /// `DataObjectType`.
    pub data_object_type: u8,
}

impl Protocol {
    /// PCI-SIG DOE Discovery (type 0).
    pub const DOE_DISCOVERY: Self = Self::pci_sig(0);
    /// PCI-SIG CMA/SPDM (type 1).
    pub const SPDM: Self = Self::pci_sig(1);
    /// PCI-SIG Secured CMA/SPDM (type 2).
    pub const SECURED_SPDM: Self = Self::pci_sig(2);

    const fn pci_sig(data_object_type: u8) -> Self {
        Self {
            vendor_id: PCI_SIG_VENDOR_ID,
            data_object_type,
        }
    }
}

/// A DOE Discovery response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DiscoveryResponse {
    /// The protocol at the index asked for.
    pub protocol: Protocol,
    /// `NextIndex`: the index to ask next, 0 if this was the last entry.
    pub next_index: u8,
}

impl DiscoveryResponse {
    /// Reads a response dword.
    #[must_use]
    pub const fn from_dword(dword: &[u8; 4]) -> Self {
        let [v0, v1, data_object_type, next_index] = *dword;
        Self {
            protocol: Protocol {
                vendor_id: u16::from_le_bytes([v0, v1]),
                data_object_type,
            },
            next_index,
        }
    }

    /// The response dword.
    #[must_use]
    pub const fn to_dword(&self) -> [u8; 4] {
        let [v0, v1] = self.protocol.vendor_id.to_le_bytes();
        [v0, v1, self.protocol.data_object_type, self.next_index]
    }
}

/// The responder's discovery table: the protocols its mailbox serves, in index order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DiscoveryTable<'a> {
    protocols: &'a [Protocol],
}

/// spdm-emu's table (`m_data_object_protocol` in `pci_doe_dispatch.c`).
const SPDM_PROTOCOLS: [Protocol; 3] = [
    Protocol::DOE_DISCOVERY,
    Protocol::SPDM,
    Protocol::SECURED_SPDM,
];

impl DiscoveryTable<'static> {
    /// DOE Discovery, SPDM and secured SPDM at indices 0, 1, 2 (as spdm-emu).
    pub const SPDM: Self = Self {
        protocols: &SPDM_PROTOCOLS,
    };
}

impl<'a> DiscoveryTable<'a> {
    /// A table of `protocols`; `None` if it is empty or has more than 256 entries (an index is
    /// one byte). PCIe requires entry 0 to be DOE Discovery itself; that is the caller's to
    /// keep.
    #[must_use]
    pub const fn new(protocols: &'a [Protocol]) -> Option<Self> {
        if protocols.is_empty() || protocols.len() > 256 {
            None
        } else {
            Some(Self { protocols })
        }
    }

    /// The protocols, in index order.
    #[must_use]
    pub const fn protocols(&self) -> &'a [Protocol] {
        self.protocols
    }

    /// The response to `request`: the entry at its index, and the next index (0 after the
    /// last).
    ///
    /// # Errors
    /// `Malformed` with `OutOfRange` (field `index`) for an index past the table (spdm-emu
    /// answers nothing and drops the connection).
    pub fn respond(&self, request: DiscoveryRequest) -> Result<DiscoveryResponse, TransportError> {
        let last = u8::try_from(self.protocols.len().saturating_sub(1)).unwrap_or(u8::MAX);
        let index = check_range("index", request.index, 0..=last)?;
        let protocol = self
            .protocols
            .get(usize::from(index))
            .copied()
            .ok_or_else(|| {
                TransportError::Malformed(vtrust_wire::DecodeError::new(
                    "index",
                    vtrust_wire::DecodeErrorKind::OutOfRange {
                        value: index.into(),
                    },
                ))
            })?;
        let next_index = if index == last {
            0
        } else {
            index.saturating_add(1)
        };
        Ok(DiscoveryResponse {
            protocol,
            next_index,
        })
    }
}

/// The requester's walk over a responder's discovery table: ask index 0, then each
/// `NextIndex`, until it is 0. Start with [`DiscoveryWalk::start`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiscoveryWalk {
    /// A request is due.
    Asking(Asking),
    /// The table has been read.
    Done(Discovered),
}

impl DiscoveryWalk {
    /// A walk at index 0.
    #[must_use]
    pub const fn start() -> Asking {
        Asking {
            index: 0,
            found: Vec::new(),
        }
    }
}

/// Walking: the request for `index` is due, or on its way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asking {
    index: u8,
    found: Vec<Protocol>,
}

impl Asking {
    /// The request to send.
    #[must_use]
    pub const fn request(&self) -> DiscoveryRequest {
        DiscoveryRequest::new(self.index)
    }

    /// The protocols found so far.
    #[must_use]
    pub fn protocols(&self) -> &[Protocol] {
        &self.found
    }

    /// Takes the response to [`request`](Self::request).
    ///
    /// # Errors
    /// [`TransportError::DiscoveryIndex`] if `NextIndex` is neither 0 nor past the index asked
    /// for (the walk would not end).
    pub fn on_response(self, response: DiscoveryResponse) -> Result<DiscoveryWalk, TransportError> {
        let Self { index, mut found } = self;
        found.push(response.protocol);
        match response.next_index {
            0 => Ok(DiscoveryWalk::Done(Discovered { found })),
            next if next > index => Ok(DiscoveryWalk::Asking(Self { index: next, found })),
            next_index => Err(TransportError::DiscoveryIndex { index, next_index }),
        }
    }
}

/// The walk's result: every protocol the responder listed, in index order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discovered {
    found: Vec<Protocol>,
}

impl Discovered {
    /// The protocols, in index order.
    #[must_use]
    pub fn protocols(&self) -> &[Protocol] {
        &self.found
    }

    /// Whether the responder listed `protocol`.
    #[must_use]
    pub fn supports(&self, protocol: Protocol) -> bool {
        self.found.contains(&protocol)
    }
}

#[cfg(test)]
mod tests {
    use vtrust_wire::{DecodeError, DecodeErrorKind};

    use super::*;

    /// doe_1.3_p256.txt frames [1]..[6], the DOE data dword of each.
    const EXCHANGE: [([u8; 4], [u8; 4]); 3] = [
        ([0x00, 0x00, 0x00, 0x00], [0x01, 0x00, 0x00, 0x01]),
        ([0x01, 0x00, 0x00, 0x00], [0x01, 0x00, 0x01, 0x02]),
        ([0x02, 0x00, 0x00, 0x00], [0x01, 0x00, 0x02, 0x00]),
    ];

    #[test]
    fn spdm_table_answers_like_spdm_emu() {
        for (request, response) in EXCHANGE {
            let request = DiscoveryRequest::from_dword(&request);
            let answer = DiscoveryTable::SPDM.respond(request).unwrap();
            assert_eq!(answer.to_dword(), response);
            assert_eq!(DiscoveryResponse::from_dword(&response), answer);
        }
    }

    /// Runs a walk over `responses`, each expected to answer the request made.
    fn walk(exchange: &[([u8; 4], [u8; 4])]) -> Result<DiscoveryWalk, TransportError> {
        let mut asking = DiscoveryWalk::start();
        for (i, (request, response)) in exchange.iter().enumerate() {
            assert_eq!(asking.request().to_dword(), *request, "request {i}");
            match asking.on_response(DiscoveryResponse::from_dword(response))? {
                DiscoveryWalk::Asking(next) => asking = next,
                done @ DiscoveryWalk::Done(_) => return Ok(done),
            }
        }
        Ok(DiscoveryWalk::Asking(asking))
    }

    #[test]
    fn walk_reads_the_captured_table() {
        let Ok(DiscoveryWalk::Done(found)) = walk(&EXCHANGE) else {
            panic!("walk did not finish");
        };
        assert_eq!(
            found.protocols(),
            [
                Protocol::DOE_DISCOVERY,
                Protocol::SPDM,
                Protocol::SECURED_SPDM
            ]
        );
        assert!(found.supports(Protocol::SECURED_SPDM));
        assert!(!found.supports(Protocol {
            vendor_id: 0x1E98,
            data_object_type: 0
        }));
        let Ok(DiscoveryWalk::Asking(partial)) = walk(&EXCHANGE[..2]) else {
            panic!("walk ended early");
        };
        assert_eq!(partial.request(), DiscoveryRequest::new(2));
        assert_eq!(partial.protocols().len(), 2);
    }

    #[test]
    fn request_ignores_reserved_and_keeps_version() {
        let request = DiscoveryRequest::from_dword(&[3, 2, 0xFF, 0xFF]);
        assert_eq!(
            request,
            DiscoveryRequest {
                index: 3,
                version: 2
            }
        );
        assert_eq!(request.to_dword(), [3, 2, 0, 0]);
    }

    #[test]
    fn one_entry_table_ends_at_once() {
        let only = [Protocol::DOE_DISCOVERY];
        let table = DiscoveryTable::new(&only).unwrap();
        assert_eq!(
            table.respond(DiscoveryRequest::new(0)),
            Ok(DiscoveryResponse {
                protocol: Protocol::DOE_DISCOVERY,
                next_index: 0
            })
        );
        assert_eq!(DiscoveryTable::new(&[]), None);
        assert_eq!(DiscoveryTable::new(&[Protocol::SPDM; 257]), None);
        let full = [Protocol::SPDM; 256];
        let table = DiscoveryTable::new(&full).unwrap();
        assert_eq!(
            table
                .respond(DiscoveryRequest::new(255))
                .unwrap()
                .next_index,
            0
        );
        assert_eq!(
            table
                .respond(DiscoveryRequest::new(254))
                .unwrap()
                .next_index,
            255
        );
    }

    #[test]
    fn refuses_discovery_index_past_table() {
        assert_eq!(
            DiscoveryTable::SPDM.respond(DiscoveryRequest::new(3)),
            Err(TransportError::Malformed(DecodeError::new(
                "index",
                DecodeErrorKind::OutOfRange { value: 3 }
            )))
        );
    }

    #[test]
    fn refuses_discovery_next_index_that_does_not_advance() {
        let DiscoveryWalk::Asking(at_2) = DiscoveryWalk::start()
            .on_response(DiscoveryResponse {
                protocol: Protocol::DOE_DISCOVERY,
                next_index: 2,
            })
            .unwrap()
        else {
            panic!("walk ended early");
        };
        for next_index in [1, 2] {
            assert_eq!(
                at_2.clone().on_response(DiscoveryResponse {
                    protocol: Protocol::SPDM,
                    next_index
                }),
                Err(TransportError::DiscoveryIndex {
                    index: 2,
                    next_index
                })
            );
        }
    }
}
