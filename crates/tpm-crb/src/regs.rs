//! The CRB register file as data: register offsets, their fields and the access each allows.
//!
//! Owns the layout of the control area 0x00–0x7F (TCG PTP 1.07 §6.5.3, "CRB Interface
//! registers") at the offsets QEMU uses (`hw/tpm/tpm_crb.c`). Everything that reads or writes a
//! field goes through [`Field::get`] / [`Field::set`] on a constant from [`fields`]; there are
//! no open-coded shifts elsewhere in the crate.

/// How software may access a register or a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Read-only: writes are ignored.
    ReadOnly,
    /// Write-only command bits: reads return 0 (the TPM acts at once and clears them).
    WriteOnly,
    /// Read-write: written bits are stored and read back.
    ReadWrite,
    /// Reserved: reads 0, writes ignored.
    Reserved,
}

/// A 32-bit register of the control area (64-bit registers appear as two halves).
///
/// The discriminant is the byte offset from the locality's page base.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Reg {
    /// `TPM_LOC_STATE_x` (PTP 1.07 §6.5.3.3).
    LocState = 0x00,
    /// `TPM_LOC_CTRL_x` (PTP 1.07 §6.5.3.4).
    LocCtrl = 0x08,
    /// `TPM_LOC_STS_x` (PTP 1.07 §6.5.3.5).
    LocSts = 0x0C,
    /// `TPM_CRB_INTF_ID_x` bits 31:0 (PTP 1.07 §6.4.2.2).
    IntfId = 0x30,
    /// `TPM_CRB_INTF_ID_x` bits 63:32: VID and DID.
    IntfIdHigh = 0x34,
    /// `TPM_CRB_CTRL_EXT_x` bits 31:0.
    CtrlExt = 0x38,
    /// `TPM_CRB_CTRL_EXT_x` bits 63:32.
    CtrlExtHigh = 0x3C,
    /// `TPM_CRB_CTRL_REQ_x` (PTP 1.07 §6.5.3.6).
    CtrlReq = 0x40,
    /// `TPM_CRB_CTRL_STS_x` (PTP 1.07 §6.5.3.7).
    CtrlSts = 0x44,
    /// `TPM_CRB_CTRL_CANCEL_x` (PTP 1.07 §6.5.3.8).
    CtrlCancel = 0x48,
    /// `TPM_CRB_CTRL_START_x` (PTP 1.07 §6.5.3.9).
    CtrlStart = 0x4C,
    /// `TPM_CRB_INT_ENABLE_x` (PTP 1.07 §6.5.3.10).
    IntEnable = 0x50,
    /// `TPM_CRB_INT_STS_x` (PTP 1.07 §6.5.3.11).
    IntSts = 0x54,
    /// `TPM_CRB_CTRL_CMD_SIZE_x`: size of the command buffer (the window).
    CtrlCmdSize = 0x58,
    /// `TPM_CRB_CTRL_CMD_LADDR_x`: physical address of the command buffer, low half.
    CtrlCmdLaddr = 0x5C,
    /// `TPM_CRB_CTRL_CMD_HADDR_x`: physical address of the command buffer, high half.
    CtrlCmdHaddr = 0x60,
    /// `TPM_CRB_CTRL_RSP_SIZE_x`: size of the response buffer (the window).
    CtrlRspSize = 0x64,
    /// `TPM_CRB_CTRL_RSP_ADDR_x` bits 31:0: physical address of the response buffer.
    CtrlRspAddr = 0x68,
    /// `TPM_CRB_CTRL_RSP_ADDR_x` bits 63:32.
    CtrlRspAddrHigh = 0x6C,
}

/// One row of [`REGISTERS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegisterDef {
    /// The register.
    pub reg: Reg,
    /// Its PTP name.
    pub name: &'static str,
    /// Access as a whole (individual bits may differ, see [`FIELDS`]).
    pub access: Access,
}

/// Every register of the control area, in offset order. Offsets not listed (0x04, 0x10–0x2F,
/// 0x70–0x7F) are reserved: they read 0 and ignore writes, as in QEMU.
pub const REGISTERS: &[RegisterDef] = &[
    RegisterDef {
        reg: Reg::LocState,
        name: "TPM_LOC_STATE",
        access: Access::ReadOnly,
    },
    RegisterDef {
        reg: Reg::LocCtrl,
        name: "TPM_LOC_CTRL",
        access: Access::WriteOnly,
    },
    RegisterDef {
        reg: Reg::LocSts,
        name: "TPM_LOC_STS",
        access: Access::ReadOnly,
    },
    RegisterDef {
        reg: Reg::IntfId,
        name: "TPM_CRB_INTF_ID",
        access: Access::ReadOnly,
    },
    RegisterDef {
        reg: Reg::IntfIdHigh,
        name: "TPM_CRB_INTF_ID_HIGH",
        access: Access::ReadOnly,
    },
    RegisterDef {
        reg: Reg::CtrlExt,
        name: "TPM_CRB_CTRL_EXT",
        access: Access::Reserved,
    },
    RegisterDef {
        reg: Reg::CtrlExtHigh,
        name: "TPM_CRB_CTRL_EXT_HIGH",
        access: Access::Reserved,
    },
    RegisterDef {
        reg: Reg::CtrlReq,
        name: "TPM_CRB_CTRL_REQ",
        access: Access::WriteOnly,
    },
    RegisterDef {
        reg: Reg::CtrlSts,
        name: "TPM_CRB_CTRL_STS",
        access: Access::ReadOnly,
    },
    RegisterDef {
        reg: Reg::CtrlCancel,
        name: "TPM_CRB_CTRL_CANCEL",
        access: Access::WriteOnly,
    },
    RegisterDef {
        reg: Reg::CtrlStart,
        name: "TPM_CRB_CTRL_START",
        access: Access::ReadWrite,
    },
    RegisterDef {
        reg: Reg::IntEnable,
        name: "TPM_CRB_INT_ENABLE",
        access: Access::ReadWrite,
    },
    RegisterDef {
        reg: Reg::IntSts,
        name: "TPM_CRB_INT_STS",
        access: Access::ReadOnly,
    },
    RegisterDef {
        reg: Reg::CtrlCmdSize,
        name: "TPM_CRB_CTRL_CMD_SIZE",
        access: Access::ReadOnly,
    },
    RegisterDef {
        reg: Reg::CtrlCmdLaddr,
        name: "TPM_CRB_CTRL_CMD_LADDR",
        access: Access::ReadOnly,
    },
    RegisterDef {
        reg: Reg::CtrlCmdHaddr,
        name: "TPM_CRB_CTRL_CMD_HADDR",
        access: Access::ReadOnly,
    },
    RegisterDef {
        reg: Reg::CtrlRspSize,
        name: "TPM_CRB_CTRL_RSP_SIZE",
        access: Access::ReadOnly,
    },
    RegisterDef {
        reg: Reg::CtrlRspAddr,
        name: "TPM_CRB_CTRL_RSP_ADDR",
        access: Access::ReadOnly,
    },
    RegisterDef {
        reg: Reg::CtrlRspAddrHigh,
        name: "TPM_CRB_CTRL_RSP_ADDR_HIGH",
        access: Access::ReadOnly,
    },
];

impl Reg {
    /// Byte offset from the page base.
    #[must_use]
    pub const fn offset(self) -> u64 {
        self as u64
    }

    /// The register whose 32-bit word starts at `offset`, if any.
    #[must_use]
    pub fn at(offset: u64) -> Option<Self> {
        REGISTERS
            .iter()
            .find(|d| d.reg.offset() == offset)
            .map(|d| d.reg)
    }

    /// This register's row of [`REGISTERS`].
    #[must_use]
    pub fn def(self) -> Option<&'static RegisterDef> {
        REGISTERS.iter().find(|d| d.reg == self)
    }
}

/// A bit field of a register: `width` bits starting at bit `lsb`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// The register holding the field.
    pub reg: Reg,
    /// The field's PTP name.
    pub name: &'static str,
    /// Lowest bit.
    pub lsb: u32,
    /// Number of bits (1..=32).
    pub width: u32,
    /// What software may do with it.
    pub access: Access,
}

impl Field {
    /// The field's bits within the register.
    #[must_use]
    pub fn mask(self) -> u32 {
        let ones = u32::MAX
            .checked_shr(32u32.saturating_sub(self.width))
            .unwrap_or(0);
        ones.checked_shl(self.lsb).unwrap_or(0)
    }

    /// The field's value in `register`.
    #[must_use]
    pub fn get(self, register: u32) -> u32 {
        (register & self.mask()).checked_shr(self.lsb).unwrap_or(0)
    }

    /// Whether a one-bit field is set in `register` (any bit, for wider fields).
    #[must_use]
    pub fn is_set(self, register: u32) -> bool {
        register & self.mask() != 0
    }

    /// `register` with the field replaced by `value` (bits of `value` beyond the field's width
    /// are dropped).
    #[must_use]
    pub fn set(self, register: u32, value: u32) -> u32 {
        let shifted = value.checked_shl(self.lsb).unwrap_or(0) & self.mask();
        (register & !self.mask()) | shifted
    }

    /// `register` with a one-bit field set or cleared.
    #[must_use]
    pub fn with(self, register: u32, on: bool) -> u32 {
        self.set(register, u32::from(on))
    }
}

/// The fields of every register (PTP 1.07 §6.4.2.2 and §6.5.3; bit numbers checked against
/// QEMU and Linux, see `tpm-crb.md` §1).
pub mod fields {
    use super::{Access, Field, Reg};

    const fn f(reg: Reg, name: &'static str, lsb: u32, width: u32, access: Access) -> Field {
        Field {
            reg,
            name,
            lsb,
            width,
            access,
        }
    }

    /// LOC_STATE.tpmEstablished: active-low, 1 means no D-RTM sequence has run.
    pub const TPM_ESTABLISHED: Field = f(Reg::LocState, "tpmEstablished", 0, 1, Access::ReadOnly);
    /// LOC_STATE.locAssigned: a locality is active.
    pub const LOC_ASSIGNED: Field = f(Reg::LocState, "locAssigned", 1, 1, Access::ReadOnly);
    /// LOC_STATE.activeLocality.
    pub const ACTIVE_LOCALITY: Field = f(Reg::LocState, "activeLocality", 2, 3, Access::ReadOnly);
    /// LOC_STATE.tpmRegValidSts: the other fields are valid.
    pub const TPM_REG_VALID_STS: Field = f(Reg::LocState, "tpmRegValidSts", 7, 1, Access::ReadOnly);

    /// LOC_CTRL.requestAccess.
    pub const REQUEST_ACCESS: Field = f(Reg::LocCtrl, "requestAccess", 0, 1, Access::WriteOnly);
    /// LOC_CTRL.relinquish.
    pub const RELINQUISH: Field = f(Reg::LocCtrl, "relinquish", 1, 1, Access::WriteOnly);
    /// LOC_CTRL.seize (ignored: one locality only).
    pub const SEIZE: Field = f(Reg::LocCtrl, "seize", 2, 1, Access::WriteOnly);
    /// LOC_CTRL.resetEstablishmentBit: resets tpmEstablished "if the write occurs from Locality
    /// 3 or 4" (PTP, as transcribed in EDK2 `TpmPtp.h`); ignored here (locality 0 only).
    pub const RESET_ESTABLISHMENT: Field = f(
        Reg::LocCtrl,
        "resetEstablishmentBit",
        3,
        1,
        Access::WriteOnly,
    );

    /// LOC_STS.Granted.
    pub const GRANTED: Field = f(Reg::LocSts, "Granted", 0, 1, Access::ReadOnly);
    /// LOC_STS.beenSeized.
    pub const BEEN_SEIZED: Field = f(Reg::LocSts, "beenSeized", 1, 1, Access::ReadOnly);

    /// INTF_ID.InterfaceType (1 = CRB active).
    pub const INTERFACE_TYPE: Field = f(Reg::IntfId, "InterfaceType", 0, 4, Access::ReadOnly);
    /// INTF_ID.InterfaceVersion (QEMU reports 1).
    pub const INTERFACE_VERSION: Field = f(Reg::IntfId, "InterfaceVersion", 4, 4, Access::ReadOnly);
    /// INTF_ID.CapLocality (0: locality 0 only).
    pub const CAP_LOCALITY: Field = f(Reg::IntfId, "CapLocality", 8, 1, Access::ReadOnly);
    /// INTF_ID.CapCRBIdleBypass.
    pub const CAP_CRB_IDLE_BYPASS: Field =
        f(Reg::IntfId, "CapCRBIdleBypass", 9, 1, Access::ReadOnly);
    /// INTF_ID.CapCRBChunk: data buffer chunking (PTP 1.07; QEMU's `Reserved1`).
    pub const CAP_CRB_CHUNK: Field = f(Reg::IntfId, "CapCRBChunk", 10, 1, Access::ReadOnly);
    /// INTF_ID.CapDataXferSizeSupport (3 = 64 bytes).
    pub const CAP_DATA_XFER_SIZE_SUPPORT: Field = f(
        Reg::IntfId,
        "CapDataXferSizeSupport",
        11,
        2,
        Access::ReadOnly,
    );
    /// INTF_ID.CapFIFO.
    pub const CAP_FIFO: Field = f(Reg::IntfId, "CapFIFO", 13, 1, Access::ReadOnly);
    /// INTF_ID.CapCRB.
    pub const CAP_CRB: Field = f(Reg::IntfId, "CapCRB", 14, 1, Access::ReadOnly);
    /// INTF_ID.CapIFRes.
    pub const CAP_IF_RES: Field = f(Reg::IntfId, "CapIFRes", 15, 2, Access::ReadOnly);
    /// INTF_ID.InterfaceSelector (1 = CRB).
    pub const INTERFACE_SELECTOR: Field =
        f(Reg::IntfId, "InterfaceSelector", 17, 2, Access::ReadOnly);
    /// INTF_ID.IntfSelLock.
    pub const INTF_SEL_LOCK: Field = f(Reg::IntfId, "IntfSelLock", 19, 1, Access::ReadOnly);
    /// INTF_ID.RID.
    pub const RID: Field = f(Reg::IntfId, "RID", 24, 8, Access::ReadOnly);
    /// INTF_ID.VID (bits 47:32).
    pub const VID: Field = f(Reg::IntfIdHigh, "VID", 0, 16, Access::ReadOnly);
    /// INTF_ID.DID (bits 63:48).
    pub const DID: Field = f(Reg::IntfIdHigh, "DID", 16, 16, Access::ReadOnly);

    /// CTRL_REQ.cmdReady.
    pub const CMD_READY: Field = f(Reg::CtrlReq, "cmdReady", 0, 1, Access::WriteOnly);
    /// CTRL_REQ.goIdle.
    pub const GO_IDLE: Field = f(Reg::CtrlReq, "goIdle", 1, 1, Access::WriteOnly);

    /// CTRL_STS.tpmSts: fatal error (never set by this model, see the crate docs).
    pub const TPM_STS: Field = f(Reg::CtrlSts, "tpmSts", 0, 1, Access::ReadOnly);
    /// CTRL_STS.tpmIdle.
    pub const TPM_IDLE: Field = f(Reg::CtrlSts, "tpmIdle", 1, 1, Access::ReadOnly);

    /// CTRL_CANCEL.cancel.
    pub const CANCEL: Field = f(Reg::CtrlCancel, "cancel", 0, 1, Access::WriteOnly);

    /// CTRL_START.Start: set by software, cleared by the TPM when the response is ready.
    pub const START: Field = f(Reg::CtrlStart, "Start", 0, 1, Access::ReadWrite);
    /// CTRL_START.crbRspRetry (PTP 1.07): rewrite the first response chunk.
    pub const CRB_RSP_RETRY: Field = f(Reg::CtrlStart, "crbRspRetry", 1, 1, Access::ReadWrite);
    /// CTRL_START.nextChunk (PTP 1.07): a command chunk is in the buffer, or the next
    /// response chunk is wanted.
    pub const NEXT_CHUNK: Field = f(Reg::CtrlStart, "nextChunk", 2, 1, Access::ReadWrite);

    /// INT_ENABLE.startIntEnable.
    pub const START_INT_ENABLE: Field =
        f(Reg::IntEnable, "startIntEnable", 0, 1, Access::ReadWrite);
    /// INT_ENABLE.cmdReadyIntEnable.
    pub const CMD_READY_INT_ENABLE: Field =
        f(Reg::IntEnable, "cmdReadyIntEnable", 1, 1, Access::ReadWrite);
    /// INT_ENABLE.establishmentClearIntEnable.
    pub const ESTABLISHMENT_CLEAR_INT_ENABLE: Field = f(
        Reg::IntEnable,
        "establishmentClearIntEnable",
        2,
        1,
        Access::ReadWrite,
    );
    /// INT_ENABLE.localityChangeIntEnable.
    pub const LOCALITY_CHANGE_INT_ENABLE: Field = f(
        Reg::IntEnable,
        "localityChangeIntEnable",
        3,
        1,
        Access::ReadWrite,
    );
    /// INT_ENABLE.nextChunkClearedIntEnable (PTP 1.07, third-party transcription).
    pub const NEXT_CHUNK_CLEARED_INT_ENABLE: Field = f(
        Reg::IntEnable,
        "nextChunkClearedIntEnable",
        4,
        1,
        Access::ReadWrite,
    );
    /// INT_ENABLE.globalEnable.
    pub const GLOBAL_ENABLE: Field = f(Reg::IntEnable, "globalEnable", 31, 1, Access::ReadWrite);

    /// CTRL_CMD_SIZE.
    pub const CMD_SIZE: Field = f(Reg::CtrlCmdSize, "cmdSize", 0, 32, Access::ReadOnly);
    /// CTRL_CMD_LADDR.
    pub const CMD_LADDR: Field = f(Reg::CtrlCmdLaddr, "cmdLAddr", 0, 32, Access::ReadOnly);
    /// CTRL_CMD_HADDR.
    pub const CMD_HADDR: Field = f(Reg::CtrlCmdHaddr, "cmdHAddr", 0, 32, Access::ReadOnly);
    /// CTRL_RSP_SIZE.
    pub const RSP_SIZE: Field = f(Reg::CtrlRspSize, "rspSize", 0, 32, Access::ReadOnly);
    /// CTRL_RSP_ADDR bits 31:0.
    pub const RSP_ADDR: Field = f(Reg::CtrlRspAddr, "rspAddr", 0, 32, Access::ReadOnly);
    /// CTRL_RSP_ADDR bits 63:32.
    pub const RSP_ADDR_HIGH: Field =
        f(Reg::CtrlRspAddrHigh, "rspAddrHigh", 0, 32, Access::ReadOnly);
}

/// Every field of [`fields`], grouped by register.
pub const FIELDS: &[Field] = &[
    fields::TPM_ESTABLISHED,
    fields::LOC_ASSIGNED,
    fields::ACTIVE_LOCALITY,
    fields::TPM_REG_VALID_STS,
    fields::REQUEST_ACCESS,
    fields::RELINQUISH,
    fields::SEIZE,
    fields::RESET_ESTABLISHMENT,
    fields::GRANTED,
    fields::BEEN_SEIZED,
    fields::INTERFACE_TYPE,
    fields::INTERFACE_VERSION,
    fields::CAP_LOCALITY,
    fields::CAP_CRB_IDLE_BYPASS,
    fields::CAP_CRB_CHUNK,
    fields::CAP_DATA_XFER_SIZE_SUPPORT,
    fields::CAP_FIFO,
    fields::CAP_CRB,
    fields::CAP_IF_RES,
    fields::INTERFACE_SELECTOR,
    fields::INTF_SEL_LOCK,
    fields::RID,
    fields::VID,
    fields::DID,
    fields::CMD_READY,
    fields::GO_IDLE,
    fields::TPM_STS,
    fields::TPM_IDLE,
    fields::CANCEL,
    fields::START,
    fields::CRB_RSP_RETRY,
    fields::NEXT_CHUNK,
    fields::START_INT_ENABLE,
    fields::CMD_READY_INT_ENABLE,
    fields::ESTABLISHMENT_CLEAR_INT_ENABLE,
    fields::LOCALITY_CHANGE_INT_ENABLE,
    fields::NEXT_CHUNK_CLEARED_INT_ENABLE,
    fields::GLOBAL_ENABLE,
    fields::CMD_SIZE,
    fields::CMD_LADDR,
    fields::CMD_HADDR,
    fields::RSP_SIZE,
    fields::RSP_ADDR,
    fields::RSP_ADDR_HIGH,
];

/// The bits of `reg` that software can change and read back (its `ReadWrite` fields that
/// hold state; command bits like Start are acted on, not stored). Everything else, reserved
/// bits included, keeps its value on a write.
#[must_use]
pub fn stored_mask(reg: Reg) -> u32 {
    match reg {
        Reg::IntEnable => FIELDS
            .iter()
            .filter(|f| f.reg == reg && f.access == Access::ReadWrite)
            .fold(0, |m, f| m | f.mask()),
        _ => 0,
    }
}

/// Start of the data buffer (the window) in the page: PTP 1.07 §6.5.3.x, QEMU `CRB_DATA_BUFFER`.
pub const DATA_BUFFER_OFFSET: u64 = 0x80;
/// End (exclusive) of the page holding the registers and the data buffer.
pub const PAGE_SIZE: u64 = 0x1000;
/// Largest window: 0x80..0x1000.
pub const MAX_WINDOW: usize = 0xF80;

/// Value of INTF_ID bits 31:0 for this model, built from [`fields`] (QEMU's values, chunking
/// capability per `chunking`).
#[must_use]
pub fn intf_id(chunking: bool) -> u32 {
    use fields as f;
    let v = f::INTERFACE_TYPE.set(0, 1);
    let v = f::INTERFACE_VERSION.set(v, 1);
    let v = f::CAP_LOCALITY.with(v, false);
    let v = f::CAP_CRB_IDLE_BYPASS.with(v, false);
    let v = f::CAP_CRB_CHUNK.with(v, chunking);
    let v = f::CAP_DATA_XFER_SIZE_SUPPORT.set(v, 3);
    let v = f::CAP_FIFO.with(v, false);
    let v = f::CAP_CRB.with(v, true);
    let v = f::INTERFACE_SELECTOR.set(v, 1);
    let v = f::INTF_SEL_LOCK.with(v, false);
    f::RID.set(v, 0)
}

/// Value of INTF_ID bits 63:32: VID 0x1014 (IBM, as QEMU), DID 0.
#[must_use]
pub fn intf_id_high() -> u32 {
    fields::DID.set(fields::VID.set(0, 0x1014), 0)
}
