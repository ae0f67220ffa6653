//! The CRB device: register reads and writes, the chunking state machine, and the hand-off of
//! complete commands to the caller (TCG PTP 1.07 §6.5.3, with the chunking of PTP 1.07).
//!
//! The device does no I/O. [`CrbDevice::write`] returns a [`CrbAction`] when the backend has
//! work to do; the caller runs the command wherever it likes (another thread, a socket) and
//! hands the response back with [`CrbDevice::complete`]. Until then Start reads 1 and every
//! other register keeps answering, so a vCPU never waits for the TPM.

use crate::config::{ConfigError, CrbConfig};
use crate::regs::{self, DATA_BUFFER_OFFSET, PAGE_SIZE, Reg, fields as f};
use crate::state::{CmdCompletion, CmdReception, Executing, Idle, Phase, Ready, State};
use crate::tpm::{TPM_HEADER_SIZE, TPM_RC_COMMAND_SIZE, TPM_RC_FAILURE, TpmHeader, error_response};

/// The only locality this model exposes (one 4 KiB page, as QEMU: `locality = addr >> 12`).
pub const LOCALITY: u8 = 0;

/// Work for the caller, returned by [`CrbDevice::write`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CrbAction {
    /// Start was written: run `command` (complete, header size equal to its length) and give
    /// the response to [`CrbDevice::complete`]. Start reads 1 until then.
    Execute {
        /// Locality the command came from.
        locality: u8,
        /// The command bytes.
        command: Vec<u8>,
    },
    /// CTRL_CANCEL = 1 while a command runs: ask the backend to cancel it (best effort). The
    /// device still waits for [`CrbDevice::complete`] (typically `TPM_RC_CANCELED`).
    Cancel,
}

/// A TPM CRB device model (one locality, QEMU's register layout, PTP 1.07 chunking).
///
/// Design choices that differ from QEMU (`tpm-crb.md` §2, "Quirks to fix"):
/// - The phase is an explicit state ([`Phase`]), never guessed from buffer contents.
/// - A command header below 10 bytes or above the maximum, a Start before all chunks came,
///   and a response the backend got wrong all give a synthesized TPM error response
///   (`TPM_RC_COMMAND_SIZE` or `TPM_RC_FAILURE`); CTRL_STS.tpmSts is never set, so one bad
///   command never disables the TPM until reset.
/// - cmdReady, goIdle and cancel drop partial commands and held responses; crbRspRetry acts
///   only in command completion; nextChunk and crbRspRetry without CapCRBChunk are ignored.
/// - Without chunking, commands and responses are limited to the window.
/// - nextChunk and crbRspRetry are handled within the write and read back as 0 (PTP: the TPM
///   clears them once the chunk is consumed or produced). Start stays 1 while executing.
/// - LOC_CTRL.seize and resetEstablishmentBit are ignored: the PTP only honours them from
///   localities above 0, and this device has only locality 0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrbDevice {
    pub(crate) config: CrbConfig,
    /// LOC_STATE.locAssigned / LOC_STS.Granted for locality 0.
    pub(crate) loc_assigned: bool,
    /// The backend's tpmEstablished flag (true once a D-RTM sequence ran).
    pub(crate) established: bool,
    /// INT_ENABLE's stored bits (no interrupt is ever raised: Linux polls).
    pub(crate) int_enable: u32,
    pub(crate) state: State,
    /// The data buffer at 0x80, exactly `config.window` bytes.
    pub(crate) window: Vec<u8>,
}

impl CrbDevice {
    /// A device in its reset state.
    ///
    /// # Errors
    /// [`ConfigError`] if `config` is out of range.
    pub fn new(config: CrbConfig) -> Result<Self, ConfigError> {
        config.validate()?;
        Ok(Self {
            config,
            loc_assigned: false,
            established: false,
            int_enable: 0,
            state: State::default(),
            window: vec![0; config.window],
        })
    }

    /// The configuration.
    #[must_use]
    pub const fn config(&self) -> &CrbConfig {
        &self.config
    }

    /// The current protocol phase.
    #[must_use]
    pub fn phase(&self) -> Phase {
        self.state.phase()
    }

    /// Whether a command is with the backend (Start = 1).
    #[must_use]
    pub fn is_executing(&self) -> bool {
        matches!(self.state, State::Executing(_))
    }

    /// The data buffer (window) contents.
    #[must_use]
    pub fn window(&self) -> &[u8] {
        &self.window
    }

    /// Host reset (VM reset): locality released, idle, buffers and window cleared. The
    /// established flag belongs to the backend and is kept.
    pub fn reset(&mut self) {
        self.loc_assigned = false;
        self.int_enable = 0;
        self.state = State::default();
        self.window.fill(0);
    }

    /// Sets the backend's tpmEstablished flag. LOC_STATE bit 0 is active-low: it reads 1 when
    /// `established` is false (QEMU ORs in `!established`; PTP 1.07 §6.5.3.3).
    pub fn set_established(&mut self, established: bool) {
        self.established = established;
    }

    /// The tpmEstablished flag as last set.
    #[must_use]
    pub const fn established(&self) -> bool {
        self.established
    }

    /// The command held while executing, as the [`CrbAction::Execute`] that started it.
    ///
    /// After [`restore`](Self::restore) of a snapshot taken while a command ran, the caller
    /// re-issues this command to its backend (the device cannot know whether the source's
    /// backend finished it; a VMM that needs exactly-once semantics drains commands before
    /// snapshotting, as QEMU's `pre_save` does).
    #[must_use]
    pub fn pending_execute(&self) -> Option<CrbAction> {
        match &self.state {
            State::Executing(e) => Some(CrbAction::Execute {
                locality: e.locality,
                command: e.command.clone(),
            }),
            _ => None,
        }
    }

    /// The value of a register as software would read it.
    #[must_use]
    pub fn register(&self, reg: Reg) -> u32 {
        let buffer = self.config.buffer_address();
        let low = u32::try_from(buffer & 0xFFFF_FFFF).unwrap_or(0);
        let high = u32::try_from(buffer.checked_shr(32).unwrap_or(0)).unwrap_or(0);
        let window = u32::try_from(self.config.window).unwrap_or(0);
        match reg {
            Reg::LocState => {
                let v = f::TPM_ESTABLISHED.with(0, !self.established);
                let v = f::LOC_ASSIGNED.with(v, self.loc_assigned);
                let v = f::ACTIVE_LOCALITY.set(v, u32::from(LOCALITY));
                f::TPM_REG_VALID_STS.with(v, true)
            }
            Reg::LocSts => {
                let v = f::GRANTED.with(0, self.loc_assigned);
                f::BEEN_SEIZED.with(v, false)
            }
            Reg::IntfId => regs::intf_id(self.config.chunking),
            Reg::IntfIdHigh => regs::intf_id_high(),
            Reg::CtrlSts => {
                let v = f::TPM_STS.with(0, false);
                f::TPM_IDLE.with(v, self.phase() == Phase::Idle)
            }
            Reg::CtrlStart => f::START.with(0, self.is_executing()),
            Reg::IntEnable => self.int_enable,
            Reg::CtrlCmdSize => f::CMD_SIZE.set(0, window),
            Reg::CtrlRspSize => f::RSP_SIZE.set(0, window),
            Reg::CtrlCmdLaddr => f::CMD_LADDR.set(0, low),
            Reg::CtrlCmdHaddr => f::CMD_HADDR.set(0, high),
            Reg::CtrlRspAddr => f::RSP_ADDR.set(0, low),
            Reg::CtrlRspAddrHigh => f::RSP_ADDR_HIGH.set(0, high),
            Reg::LocCtrl
            | Reg::CtrlExt
            | Reg::CtrlExtHigh
            | Reg::CtrlReq
            | Reg::CtrlCancel
            | Reg::IntSts => 0,
        }
    }

    /// The window indices of an access of `len` bytes at `offset`, if it lies entirely
    /// inside the window.
    fn window_range(&self, offset: u64, len: usize) -> Option<core::ops::Range<usize>> {
        let start = window_index(offset)?;
        let end = start.checked_add(len)?;
        (end <= self.window.len()).then_some(start..end)
    }

    /// One byte at page offset `addr`.
    fn read_byte(&self, addr: u64) -> u8 {
        if addr < DATA_BUFFER_OFFSET {
            let value = Reg::at(addr & !3).map_or(0, |r| self.register(r));
            let lane = usize::try_from(addr & 3).unwrap_or(0);
            value.to_le_bytes().get(lane).copied().unwrap_or(0)
        } else if addr < PAGE_SIZE {
            window_index(addr)
                .and_then(|i| self.window.get(i))
                .copied()
                .unwrap_or(0)
        } else {
            0
        }
    }

    /// MMIO read of `data.len()` bytes at `offset` from the page base, little-endian. Any
    /// offset and width is accepted: registers are read byte by byte from their 32-bit value,
    /// unimplemented offsets and bytes past the window or the page read 0. Reads have no side
    /// effects.
    pub fn read(&self, offset: u64, data: &mut [u8]) {
        if let Some(src) = self
            .window_range(offset, data.len())
            .and_then(|r| self.window.get(r))
        {
            data.copy_from_slice(src);
            return;
        }
        let mut addr = Some(offset);
        for byte in data.iter_mut() {
            *byte = addr.map_or(0, |a| self.read_byte(a));
            addr = addr.and_then(|a| a.checked_add(1));
        }
    }

    /// MMIO write of `data` at `offset` from the page base, little-endian. Any offset and
    /// width is accepted (Linux's `memcpy_toio` writes 8 bytes at a time into the window).
    ///
    /// Bytes in the window are stored. Bytes in the register area are gathered per 32-bit
    /// register; each register touched then sees one write with the bytes not written taken
    /// as 0 for command registers (they read 0) and kept for stored ones (reserved bits keep
    /// their value). Registers are processed in ascending offset order; bytes past the window
    /// or page, and read-only registers, ignore writes.
    pub fn write(&mut self, offset: u64, data: &[u8]) -> Option<CrbAction> {
        // Fast path: an access entirely inside the window is a plain copy.
        if let Some(range) = self.window_range(offset, data.len())
            && let Some(dst) = self.window.get_mut(range)
        {
            dst.copy_from_slice(data);
            return None;
        }
        let mut action = None;
        // (register word offset, value, mask of the bytes written)
        let mut pending: Option<(u64, u32, u32)> = None;
        let mut addr = Some(offset);
        for &byte in data {
            let Some(a) = addr else { break };
            addr = a.checked_add(1);
            if a < DATA_BUFFER_OFFSET {
                let word = a & !3;
                let lane = u32::try_from(a & 3).unwrap_or(0).wrapping_mul(8);
                let value = u32::from(byte).checked_shl(lane).unwrap_or(0);
                let mask = 0xFFu32.checked_shl(lane).unwrap_or(0);
                pending = match pending {
                    Some((w, v, m)) if w == word => Some((w, v | value, m | mask)),
                    other => {
                        if let Some((w, v, m)) = other {
                            action = action.or(self.write_word(w, v, m));
                        }
                        Some((word, value, mask))
                    }
                };
            } else {
                if let Some((w, v, m)) = pending.take() {
                    action = action.or(self.write_word(w, v, m));
                }
                if let Some(slot) = window_index(a).and_then(|i| self.window.get_mut(i)) {
                    *slot = byte;
                }
            }
        }
        if let Some((w, v, m)) = pending {
            action = action.or(self.write_word(w, v, m));
        }
        action
    }

    /// A write of `value` (only the bits in `mask` were written) to the register at `word`.
    fn write_word(&mut self, word: u64, value: u32, mask: u32) -> Option<CrbAction> {
        let reg = Reg::at(word)?;
        match reg {
            Reg::LocCtrl => {
                self.write_loc_ctrl(value);
                None
            }
            Reg::CtrlReq => {
                self.write_ctrl_req(value);
                None
            }
            Reg::CtrlCancel => self.write_ctrl_cancel(value),
            Reg::CtrlStart => self.write_ctrl_start(value),
            Reg::IntEnable => {
                let writable = regs::stored_mask(reg) & mask;
                self.int_enable = (self.int_enable & !writable) | (value & writable);
                None
            }
            // Read-only and reserved registers: PTP says writes have no effect (QEMU agrees
            // for all but cloud-hypervisor, which stores them).
            _ => None,
        }
    }

    /// LOC_CTRL (PTP 1.07 §6.5.3.4): requestAccess grants locality 0 at once (no other
    /// locality can hold it), relinquish releases it. Both at once is ambiguous and ignored.
    fn write_loc_ctrl(&mut self, value: u32) {
        match (f::REQUEST_ACCESS.is_set(value), f::RELINQUISH.is_set(value)) {
            (true, false) => self.loc_assigned = true,
            (false, true) => self.loc_assigned = false,
            _ => {}
        }
    }

    /// CTRL_REQ (PTP 1.07 §6.5.3.6): cmdReady moves to Ready, goIdle to Idle; both drop any
    /// partial command or held response. Ignored while a command executes (the TPM finishes
    /// it first) and when both bits are set. The request completes at once, so the register
    /// reads 0.
    fn write_ctrl_req(&mut self, value: u32) {
        if self.is_executing() {
            return;
        }
        match (f::CMD_READY.is_set(value), f::GO_IDLE.is_set(value)) {
            (true, false) => self.state = State::Ready(Ready),
            (false, true) => self.state = State::Idle(Idle),
            _ => {}
        }
    }

    /// CTRL_CANCEL (PTP 1.07 §6.5.3.8): while executing, ask the backend to cancel; otherwise
    /// drop a partial command or a held response (back to Ready).
    fn write_ctrl_cancel(&mut self, value: u32) -> Option<CrbAction> {
        if !f::CANCEL.is_set(value) {
            return None;
        }
        match self.state {
            State::Executing(_) => Some(CrbAction::Cancel),
            State::CmdReception(_) | State::CmdCompletion(_) => {
                self.state = State::Ready(Ready);
                None
            }
            State::Idle(_) | State::Ready(_) => None,
        }
    }

    /// CTRL_START (PTP 1.07 §6.5.3.9). Ignored without the locality, while executing and in
    /// Idle. Priority when several bits are written: Start, nextChunk, crbRspRetry (as QEMU).
    fn write_ctrl_start(&mut self, value: u32) -> Option<CrbAction> {
        if !self.loc_assigned {
            return None;
        }
        if matches!(self.state, State::Executing(_) | State::Idle(_)) {
            return None;
        }
        if f::START.is_set(value) {
            return self.start();
        }
        if !self.config.chunking {
            return None;
        }
        if f::NEXT_CHUNK.is_set(value) {
            self.next_chunk();
        } else if f::CRB_RSP_RETRY.is_set(value) {
            self.rsp_retry();
        }
        None
    }

    /// The window's first `len` bytes (all of it if shorter).
    fn window_prefix(&self, len: usize) -> &[u8] {
        self.window.get(..len).unwrap_or(&self.window)
    }

    /// `commandSize` of the command starting in the window, checked against `10..=max_command`.
    fn window_command_size(&self) -> Result<usize, u32> {
        let header = TpmHeader::parse(&self.window).map_err(|_| TPM_RC_COMMAND_SIZE)?;
        let size = header.size_usize();
        if (TPM_HEADER_SIZE..=self.config.max_command()).contains(&size) {
            Ok(size)
        } else {
            Err(TPM_RC_COMMAND_SIZE)
        }
    }

    /// The first chunk of a new command (nextChunk in Ready, or after a fully read response).
    fn begin_reception(&self) -> CmdReception {
        match self.window_command_size() {
            Ok(total) => CmdReception::Receiving {
                total,
                command: self.window_prefix(total).to_vec(),
            },
            Err(rc) => CmdReception::Rejected { rc },
        }
    }

    /// Appends the window's next chunk to a command being received: `min(total - have,
    /// window)` bytes (no per-chunk length register exists, so a non-final chunk fills the
    /// window; bytes past the header's total are not part of the command).
    fn append_chunk(&self, total: usize, command: &mut Vec<u8>) {
        let take = total.saturating_sub(command.len()).min(self.window.len());
        command.extend_from_slice(self.window_prefix(take));
    }

    /// nextChunk (chunking on, locality held, not Idle/Executing).
    fn next_chunk(&mut self) {
        let state = core::mem::take(&mut self.state);
        self.state = match state {
            State::Ready(_) => State::CmdReception(self.begin_reception()),
            State::CmdReception(CmdReception::Receiving { total, mut command }) => {
                self.append_chunk(total, &mut command);
                State::CmdReception(CmdReception::Receiving { total, command })
            }
            State::CmdCompletion(c) if c.next < c.response.len() => {
                State::CmdCompletion(self.deliver_chunk(c))
            }
            // The whole response was read: this chunk starts the next command.
            State::CmdCompletion(_) => State::CmdReception(self.begin_reception()),
            other => other,
        };
    }

    /// crbRspRetry (chunking on): in command completion, rewrite the first chunk; ignored in
    /// every other phase (fixes QEMU quirk 4).
    fn rsp_retry(&mut self) {
        let state = core::mem::take(&mut self.state);
        self.state = match state {
            State::CmdCompletion(mut c) => {
                c.next = 0;
                State::CmdCompletion(self.deliver_chunk(c))
            }
            other => other,
        };
    }

    /// Start: the final chunk (or the whole command) is in the window.
    fn start(&mut self) -> Option<CrbAction> {
        let state = core::mem::take(&mut self.state);
        let command = match state {
            State::Ready(_) | State::CmdCompletion(_) => match self.window_command_size() {
                Ok(total) if total <= self.window.len() => Ok(self.window_prefix(total).to_vec()),
                // A Start before the chunks that the header announces.
                Ok(_) => Err(TPM_RC_COMMAND_SIZE),
                Err(rc) => Err(rc),
            },
            State::CmdReception(CmdReception::Receiving { total, mut command }) => {
                self.append_chunk(total, &mut command);
                if command.len() == total {
                    Ok(command)
                } else {
                    Err(TPM_RC_COMMAND_SIZE)
                }
            }
            State::CmdReception(CmdReception::Rejected { rc }) => Err(rc),
            other @ (State::Idle(_) | State::Executing(_)) => {
                self.state = other;
                return None;
            }
        };
        match command {
            Ok(command) => {
                let action = CrbAction::Execute {
                    locality: LOCALITY,
                    command: command.clone(),
                };
                self.state = State::Executing(Executing {
                    locality: LOCALITY,
                    command,
                });
                Some(action)
            }
            Err(rc) => {
                self.state = State::CmdCompletion(self.first_chunk(error_response(rc)));
                None
            }
        }
    }

    /// The backend's response for the command of the last [`CrbAction::Execute`]. Start
    /// clears and the first chunk appears in the window. Returns false (and drops the
    /// response) if no command was executing, e.g. a late response after a reset.
    ///
    /// The response is checked first: shorter than 10 bytes or a header size different from
    /// its length gives a synthesized `TPM_RC_FAILURE` (the backend is at fault); longer than
    /// the interface's maximum gives `TPM_RC_COMMAND_SIZE` (the guest asked for more than the
    /// interface carries and can retry with a smaller request).
    pub fn complete(&mut self, response: Vec<u8>) -> bool {
        if !self.is_executing() {
            return false;
        }
        let response = self.checked_response(response);
        self.state = State::CmdCompletion(self.first_chunk(response));
        true
    }

    fn checked_response(&self, response: Vec<u8>) -> Vec<u8> {
        match TpmHeader::parse(&response) {
            Err(_) => error_response(TPM_RC_FAILURE),
            Ok(h) if h.size_usize() != response.len() => error_response(TPM_RC_FAILURE),
            Ok(_) if response.len() > self.config.max_response() => {
                error_response(TPM_RC_COMMAND_SIZE)
            }
            Ok(_) => response,
        }
    }

    fn first_chunk(&mut self, response: Vec<u8>) -> CmdCompletion {
        self.deliver_chunk(CmdCompletion { response, next: 0 })
    }

    /// Copies the chunk at `c.next` into the window, zero-fills the rest and advances.
    fn deliver_chunk(&mut self, mut c: CmdCompletion) -> CmdCompletion {
        let chunk = c.response.get(c.next..).unwrap_or(&[]);
        let n = chunk.len().min(self.window.len());
        let chunk = chunk.get(..n).unwrap_or(&[]);
        self.window.fill(0);
        if let Some(dst) = self.window.get_mut(..n) {
            dst.copy_from_slice(chunk);
        }
        c.next = c.next.saturating_add(n);
        c
    }

    /// Checks the invariants every reachable state keeps (for tests and fuzzing): the window
    /// has the configured size, buffers respect the configured maxima, offsets stay inside
    /// their buffers, and the registers agree with the state.
    ///
    /// # Errors
    /// A description of the first invariant broken.
    pub fn check_invariants(&self) -> Result<(), &'static str> {
        let cfg = &self.config;
        if self.window.len() != cfg.window {
            return Err("window size differs from the configuration");
        }
        match &self.state {
            State::Idle(_) | State::Ready(_) => {}
            State::CmdReception(CmdReception::Receiving { total, command }) => {
                if !(TPM_HEADER_SIZE..=cfg.max_command()).contains(total) {
                    return Err("command total outside 10..=max_command");
                }
                if command.len() > *total || command.len() < (*total).min(cfg.window) {
                    return Err("partial command length inconsistent with its total");
                }
                if !cfg.chunking {
                    return Err("command reception without chunking");
                }
            }
            State::CmdReception(CmdReception::Rejected { rc }) => {
                if *rc != TPM_RC_COMMAND_SIZE {
                    return Err("rejected command with an unexpected response code");
                }
            }
            State::Executing(e) => {
                if !(TPM_HEADER_SIZE..=cfg.max_command()).contains(&e.command.len()) {
                    return Err("executing command length outside 10..=max_command");
                }
            }
            State::CmdCompletion(c) => {
                let len = c.response.len();
                if !(TPM_HEADER_SIZE..=cfg.max_response()).contains(&len) {
                    return Err("response length outside 10..=max_response");
                }
                if c.next > len || c.next == 0 {
                    return Err("response offset outside the response");
                }
                if TpmHeader::parse(&c.response).map(|h| h.size_usize()) != Ok(len) {
                    return Err("response header size differs from its length");
                }
            }
        }
        let sts = self.register(Reg::CtrlSts);
        if f::TPM_IDLE.is_set(sts) != (self.phase() == Phase::Idle) || f::TPM_STS.is_set(sts) {
            return Err("CTRL_STS disagrees with the state");
        }
        let start = self.register(Reg::CtrlStart);
        if f::START.is_set(start) != self.is_executing()
            || f::NEXT_CHUNK.is_set(start)
            || f::CRB_RSP_RETRY.is_set(start)
        {
            return Err("CTRL_START disagrees with the state");
        }
        if f::LOC_ASSIGNED.is_set(self.register(Reg::LocState))
            != f::GRANTED.is_set(self.register(Reg::LocSts))
        {
            return Err("LOC_STATE and LOC_STS disagree");
        }
        Ok(())
    }
}

/// Index into the window of page offset `addr` (>= 0x80).
fn window_index(addr: u64) -> Option<usize> {
    addr.checked_sub(DATA_BUFFER_OFFSET)
        .and_then(|i| usize::try_from(i).ok())
}
