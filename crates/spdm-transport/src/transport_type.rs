//! The platform header's `transport_type`: which binding the payload uses, numbered
//! differently by spdm-emu and by QEMU.
//!
//! spdm-emu (`spdm_emu/spdm_emu_common/command.h`, `SOCKET_TRANSPORT_TYPE_*`): NONE 0, MCTP 1,
//! PCI_DOE 2, TCP 3. QEMU (`include/system/spdm-socket.h`, `SPDM_SOCKET_TRANSPORT_TYPE_*`):
//! UNSPEC 0, MCTP 1, PCI_DOE 2, SCSI 3, NVME 4. Value 3 is TCP for one and SCSI for the other,
//! so a raw number is only read together with a [`SocketFlavor`].

/// Whose numbering of `transport_type` a socket peer uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SocketFlavor {
    /// DMTF spdm-emu (`spdm_requester_emu`, `spdm_responder_emu`), and libspdm-based tools
    /// talking to it.
    SpdmEmu,
    /// QEMU's `backends/spdm-socket.c` (`spdm_port=` / `spdm_trans=` on NVMe and other devices).
    Qemu,
}

/// The transport binding a platform payload uses, independent of its number on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TransportKind {
    /// No binding: the payload is the SPDM message itself, no sessions (spdm-emu NONE 0;
    /// QEMU calls 0 UNSPEC, "unspecified").
    None,
    /// SPDM over MCTP, DSP0275: a 1-byte MCTP message type, no MCTP packet header (1).
    Mctp,
    /// SPDM over PCIe DOE, DSP0276 / PCIe DOE ECN: 8-byte DOE header, dword padding (2).
    PciDoe,
    /// SPDM over TCP, DSP0287: 4-byte binding header (spdm-emu 3).
    Tcp,
    /// SPDM over SCSI storage, DSP0286 (QEMU 3; not implemented by this crate's bindings).
    Scsi,
    /// SPDM over NVMe storage, DSP0286 (QEMU 4; not implemented by this crate's bindings).
    Nvme,
}

impl TransportKind {
    /// Every kind.
    pub const ALL: [Self; 6] = [
        Self::None,
        Self::Mctp,
        Self::PciDoe,
        Self::Tcp,
        Self::Scsi,
        Self::Nvme,
    ];
}

impl SocketFlavor {
    /// Both flavors.
    pub const ALL: [Self; 2] = [Self::SpdmEmu, Self::Qemu];

    /// The `transport_type` number of `kind` in this flavor, if it has one.
    #[must_use]
    pub const fn transport_type(self, kind: TransportKind) -> Option<u32> {
        match (self, kind) {
            (_, TransportKind::None) => Some(0),
            (_, TransportKind::Mctp) => Some(1),
            (_, TransportKind::PciDoe) => Some(2),
            (Self::SpdmEmu, TransportKind::Tcp) | (Self::Qemu, TransportKind::Scsi) => Some(3),
            (Self::Qemu, TransportKind::Nvme) => Some(4),
            (Self::SpdmEmu, TransportKind::Scsi | TransportKind::Nvme)
            | (Self::Qemu, TransportKind::Tcp) => None,
        }
    }

    /// The kind that `transport_type` number `raw` means in this flavor, if any.
    #[must_use]
    pub const fn transport_kind(self, raw: u32) -> Option<TransportKind> {
        match (self, raw) {
            (_, 0) => Some(TransportKind::None),
            (_, 1) => Some(TransportKind::Mctp),
            (_, 2) => Some(TransportKind::PciDoe),
            (Self::SpdmEmu, 3) => Some(TransportKind::Tcp),
            (Self::Qemu, 3) => Some(TransportKind::Scsi),
            (Self::Qemu, 4) => Some(TransportKind::Nvme),
            _ => None,
        }
    }
}

/// A transport as one socket peer numbers it: a flavor and a kind that flavor has a number
/// for. Built only through [`new`](Self::new), so [`transport_type`](Self::transport_type)
/// cannot fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SocketTransport {
    flavor: SocketFlavor,
    kind: TransportKind,
    raw: u32,
}

impl SocketTransport {
    /// spdm-emu, MCTP (`--trans MCTP`, its default).
    pub const SPDM_EMU_MCTP: Self = Self::known(SocketFlavor::SpdmEmu, TransportKind::Mctp, 1);
    /// spdm-emu, PCI DOE (`--trans PCI_DOE`).
    pub const SPDM_EMU_PCI_DOE: Self = Self::known(SocketFlavor::SpdmEmu, TransportKind::PciDoe, 2);
    /// spdm-emu, no binding (`--trans NONE`).
    pub const SPDM_EMU_NONE: Self = Self::known(SocketFlavor::SpdmEmu, TransportKind::None, 0);
    /// spdm-emu, TCP binding (`--trans TCP`).
    pub const SPDM_EMU_TCP: Self = Self::known(SocketFlavor::SpdmEmu, TransportKind::Tcp, 3);
    /// QEMU, PCI DOE (what QEMU's NVMe `spdm_port=` sends: the whole DOE object in a NORMAL
    /// frame).
    pub const QEMU_PCI_DOE: Self = Self::known(SocketFlavor::Qemu, TransportKind::PciDoe, 2);

    const fn known(flavor: SocketFlavor, kind: TransportKind, raw: u32) -> Self {
        Self { flavor, kind, raw }
    }

    /// The transport `kind` as `flavor` numbers it; `None` if that flavor has no number for it
    /// (TCP in QEMU, SCSI and NVMe in spdm-emu).
    #[must_use]
    pub const fn new(flavor: SocketFlavor, kind: TransportKind) -> Option<Self> {
        match flavor.transport_type(kind) {
            Some(raw) => Some(Self { flavor, kind, raw }),
            None => None,
        }
    }

    /// The numbering.
    #[must_use]
    pub const fn flavor(self) -> SocketFlavor {
        self.flavor
    }

    /// The binding.
    #[must_use]
    pub const fn kind(self) -> TransportKind {
        self.kind
    }

    /// The `transport_type` number on the wire.
    #[must_use]
    pub const fn transport_type(self) -> u32 {
        self.raw
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_3_is_tcp_for_spdm_emu_and_scsi_for_qemu() {
        assert_eq!(
            SocketFlavor::SpdmEmu.transport_kind(3),
            Some(TransportKind::Tcp)
        );
        assert_eq!(
            SocketFlavor::Qemu.transport_kind(3),
            Some(TransportKind::Scsi)
        );
        assert_eq!(SocketFlavor::SpdmEmu.transport_kind(4), None);
        assert_eq!(
            SocketFlavor::Qemu.transport_kind(4),
            Some(TransportKind::Nvme)
        );
        assert_eq!(SocketFlavor::Qemu.transport_kind(5), None);
        assert_eq!(SocketFlavor::SpdmEmu.transport_kind(u32::MAX), None);
    }

    #[test]
    fn spec_numbers() {
        // (flavor, kind, number) from spdm-emu command.h and QEMU spdm-socket.h.
        let table = [
            (SocketFlavor::SpdmEmu, TransportKind::None, Some(0)),
            (SocketFlavor::SpdmEmu, TransportKind::Mctp, Some(1)),
            (SocketFlavor::SpdmEmu, TransportKind::PciDoe, Some(2)),
            (SocketFlavor::SpdmEmu, TransportKind::Tcp, Some(3)),
            (SocketFlavor::SpdmEmu, TransportKind::Scsi, None),
            (SocketFlavor::SpdmEmu, TransportKind::Nvme, None),
            (SocketFlavor::Qemu, TransportKind::None, Some(0)),
            (SocketFlavor::Qemu, TransportKind::Mctp, Some(1)),
            (SocketFlavor::Qemu, TransportKind::PciDoe, Some(2)),
            (SocketFlavor::Qemu, TransportKind::Tcp, None),
            (SocketFlavor::Qemu, TransportKind::Scsi, Some(3)),
            (SocketFlavor::Qemu, TransportKind::Nvme, Some(4)),
        ];
        for (flavor, kind, number) in table {
            assert_eq!(flavor.transport_type(kind), number, "{flavor:?} {kind:?}");
            assert_eq!(
                SocketTransport::new(flavor, kind).map(SocketTransport::transport_type),
                number
            );
        }
    }

    #[test]
    fn numbering_is_a_bijection_per_flavor() {
        for flavor in SocketFlavor::ALL {
            for kind in TransportKind::ALL {
                if let Some(raw) = flavor.transport_type(kind) {
                    assert_eq!(flavor.transport_kind(raw), Some(kind));
                }
            }
            for raw in 0..16 {
                if let Some(kind) = flavor.transport_kind(raw) {
                    assert_eq!(flavor.transport_type(kind), Some(raw));
                }
            }
        }
    }

    #[test]
    fn constants_agree_with_new() {
        for (c, flavor, kind) in [
            (
                SocketTransport::SPDM_EMU_MCTP,
                SocketFlavor::SpdmEmu,
                TransportKind::Mctp,
            ),
            (
                SocketTransport::SPDM_EMU_PCI_DOE,
                SocketFlavor::SpdmEmu,
                TransportKind::PciDoe,
            ),
            (
                SocketTransport::SPDM_EMU_NONE,
                SocketFlavor::SpdmEmu,
                TransportKind::None,
            ),
            (
                SocketTransport::SPDM_EMU_TCP,
                SocketFlavor::SpdmEmu,
                TransportKind::Tcp,
            ),
            (
                SocketTransport::QEMU_PCI_DOE,
                SocketFlavor::Qemu,
                TransportKind::PciDoe,
            ),
        ] {
            assert_eq!(Some(c), SocketTransport::new(flavor, kind));
            assert_eq!(c.flavor(), flavor);
            assert_eq!(c.kind(), kind);
        }
    }
}
