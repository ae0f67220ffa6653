//! A guest driver for the CRB interface: the algorithm of Linux's `tpm_crb` with the PTP 1.07
//! chunking series (`tpm-crb.md` §2, "Linux driver with chunking"), used by tests, benches and
//! the CLI to drive a [`CrbDevice`](crate::CrbDevice) the way a guest would.
//!
//! One [`Driver::transmit`] does what Linux does for one command: request locality 0
//! (`LOC_CTRL=1`, poll `LOC_STATE & 0x82 == 0x82`), cmdReady (`CTRL_REQ=1`, poll bit 0
//! clear), `CTRL_CANCEL=0`, the command in window-sized chunks (`START=4` and poll bit 2
//! clear after each non-final chunk, `START=1` after the last), poll Start clear, check
//! CTRL_STS.tpmSts, read the 10-byte header, check `10 <= size <= max`, read the rest in
//! window-sized chunks (`START=4` and poll bit 2 clear before each), goIdle (`CTRL_REQ=2`,
//! poll bit 1 clear), relinquish (`LOC_CTRL=2`, poll `LOC_STATE & 0x82 == 0x80`). The steps
//! are public too, so a caller can e.g. [`retry_response`](Driver::retry_response) before
//! going idle.

mod bus;

use std::time::{Duration, Instant};

pub use bus::{CrbBus, LocalBus, ThreadedBus};

use crate::regs::{Reg, fields as f};
use crate::tpm::{TPM_HEADER_SIZE, TpmHeader};

/// Linux's TIMEOUT_C (200 ms): locality, cmdReady, goIdle and chunk polls.
pub const TIMEOUT_C: Duration = Duration::from_millis(200);
/// Default time a command may run: 2 minutes (RSA key generation takes hundreds of ms on
/// swtpm and much longer on slow TPMs).
pub const DEFAULT_COMMAND_TIMEOUT: Duration = Duration::from_secs(120);
/// Default largest response accepted: 8 KiB (Linux's `TPM_BUFSIZE` with chunking).
pub const DEFAULT_MAX_RESPONSE: usize = 8192;

/// Driver settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DriverConfig {
    /// Timeout of the short polls (locality, cmdReady, goIdle, each chunk).
    pub timeout_c: Duration,
    /// Timeout of the wait for Start to clear.
    pub command_timeout: Duration,
    /// Largest response accepted (the driver's buffer).
    pub max_response: usize,
    /// Width of each data-buffer access (1..=8; Linux's `memcpy_toio` uses 8 on x86-64).
    pub access_width: usize,
}

impl Default for DriverConfig {
    fn default() -> Self {
        Self {
            timeout_c: TIMEOUT_C,
            command_timeout: DEFAULT_COMMAND_TIMEOUT,
            max_response: DEFAULT_MAX_RESPONSE,
            access_width: 8,
        }
    }
}

/// What the driver learnt from the interface registers (Linux `crb_map_io`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Probe {
    /// INTF_ID bits 31:0.
    pub intf_id: u32,
    /// CapCRBChunk (INTF_ID bit 10).
    pub chunking: bool,
    /// Offset of the data buffer in the page (CTRL_CMD_LADDR & 0xFFF).
    pub window_offset: u64,
    /// Size of the data buffer (CTRL_CMD_SIZE).
    pub window: usize,
}

/// Counters of one command's transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TransferStats {
    /// Command chunks written (the final one included).
    pub chunks_sent: usize,
    /// Response chunks read.
    pub chunks_received: usize,
    /// Command bytes written.
    pub bytes_sent: usize,
    /// Response bytes read.
    pub bytes_received: usize,
}

/// Why a driver operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DriverError {
    /// A polled register did not reach its value in time (Linux -ETIME).
    #[error("Timed out after {waited:?} waiting for {what}")]
    Timeout {
        /// What was awaited.
        what: &'static str,
        /// How long the driver waited.
        waited: Duration,
    },
    /// The interface registers describe something this driver cannot use.
    #[error("Unusable interface: {what} = {value:#x}")]
    BadInterface {
        /// The register or property.
        what: &'static str,
        /// Its value.
        value: u64,
    },
    /// The command is shorter than a TPM header.
    #[error("Command of {len} bytes is shorter than a TPM header")]
    CommandTooShort {
        /// Its length.
        len: usize,
    },
    /// Without chunking, the command does not fit the window (Linux -E2BIG).
    #[error("Command of {len} bytes exceeds the {max}-byte buffer and the TPM cannot chunk")]
    CommandTooLarge {
        /// Its length.
        len: usize,
        /// The window.
        max: usize,
    },
    /// CTRL_STS.tpmSts is set: the TPM is in a fatal error state (Linux -EIO).
    #[error("TPM reports a fatal error (CTRL_STS.tpmSts)")]
    TpmFatal,
    /// The response header's size is below 10 or above the driver's buffer (Linux -EIO).
    #[error("Response size {size} outside 10..={max}")]
    BadResponseSize {
        /// `responseSize` from the header.
        size: usize,
        /// The driver's limit.
        max: usize,
    },
    /// crbRspRetry needs CapCRBChunk.
    #[error("The TPM does not support chunking")]
    ChunkingUnsupported,
}

/// A CRB guest driver over a [`CrbBus`].
#[derive(Debug)]
pub struct Driver<B> {
    bus: B,
    config: DriverConfig,
    probe: Option<Probe>,
}

impl<B: CrbBus> Driver<B> {
    /// A driver on `bus`.
    pub const fn new(bus: B, config: DriverConfig) -> Self {
        Self {
            bus,
            config,
            probe: None,
        }
    }

    /// The bus.
    pub const fn bus(&self) -> &B {
        &self.bus
    }

    /// The bus, mutably.
    pub const fn bus_mut(&mut self) -> &mut B {
        &mut self.bus
    }

    /// The bus, giving up the driver.
    pub fn into_bus(self) -> B {
        self.bus
    }

    fn read32(&mut self, reg: Reg) -> u32 {
        let mut b = [0u8; 4];
        self.bus.read(reg.offset(), &mut b);
        u32::from_le_bytes(b)
    }

    fn write32(&mut self, reg: Reg, value: u32) {
        self.bus.write(reg.offset(), &value.to_le_bytes());
    }

    /// Polls `reg` until `value & mask == expected` (Linux `crb_wait_for_reg_32`).
    fn poll(
        &mut self,
        reg: Reg,
        mask: u32,
        expected: u32,
        timeout: Duration,
        what: &'static str,
    ) -> Result<(), DriverError> {
        // Most polls succeed at once (the device completes register requests in the write):
        // read before taking the time.
        if self.read32(reg) & mask == expected {
            return Ok(());
        }
        let start = Instant::now();
        loop {
            if self.read32(reg) & mask == expected {
                return Ok(());
            }
            let waited = start.elapsed();
            if waited >= timeout {
                return Err(DriverError::Timeout { what, waited });
            }
            self.bus.poll_wait();
        }
    }

    /// Sets CTRL_START.nextChunk and waits (TIMEOUT_C) for the device to clear it: the window
    /// was taken (command) or refilled (response). PTP 1.07 chunking.
    fn next_chunk(&mut self, what: &'static str) -> Result<(), DriverError> {
        self.write32(Reg::CtrlStart, f::NEXT_CHUNK.with(0, true));
        self.poll(
            Reg::CtrlStart,
            f::NEXT_CHUNK.mask(),
            0,
            self.config.timeout_c,
            what,
        )
    }

    /// Reads the interface registers (once; cached).
    ///
    /// # Errors
    /// [`DriverError::BadInterface`] if the interface is not CRB, or the command and response
    /// buffers differ, leave the page or cannot hold a header.
    pub fn probe(&mut self) -> Result<Probe, DriverError> {
        if let Some(p) = self.probe {
            return Ok(p);
        }
        let intf_id = self.read32(Reg::IntfId);
        if f::INTERFACE_TYPE.get(intf_id) != 1 {
            return Err(DriverError::BadInterface {
                what: "INTF_ID.InterfaceType",
                value: u64::from(intf_id),
            });
        }
        let cmd_size = self.read32(Reg::CtrlCmdSize);
        let rsp_size = self.read32(Reg::CtrlRspSize);
        let cmd_laddr = self.read32(Reg::CtrlCmdLaddr);
        let rsp_addr = self.read32(Reg::CtrlRspAddr);
        if cmd_size != rsp_size || cmd_laddr != rsp_addr {
            return Err(DriverError::BadInterface {
                what: "CTRL_RSP (differs from CTRL_CMD)",
                value: u64::from(rsp_addr),
            });
        }
        let window_offset = u64::from(cmd_laddr & 0xFFF);
        let window = usize::try_from(cmd_size).unwrap_or(usize::MAX);
        let end = window_offset.checked_add(u64::from(cmd_size));
        if window < TPM_HEADER_SIZE || end.is_none_or(|e| e > crate::regs::PAGE_SIZE) {
            return Err(DriverError::BadInterface {
                what: "CTRL_CMD_SIZE",
                value: u64::from(cmd_size),
            });
        }
        let probe = Probe {
            intf_id,
            chunking: f::CAP_CRB_CHUNK.is_set(intf_id),
            window_offset,
            window,
        };
        self.probe = Some(probe);
        Ok(probe)
    }

    /// Requests locality 0: `LOC_CTRL=1`, poll `LOC_STATE & 0x82 == 0x82`.
    ///
    /// # Errors
    /// [`DriverError::Timeout`].
    pub fn request_locality(&mut self) -> Result<(), DriverError> {
        self.write32(Reg::LocCtrl, f::REQUEST_ACCESS.with(0, true));
        let mask = f::TPM_REG_VALID_STS.mask() | f::LOC_ASSIGNED.mask();
        self.poll(Reg::LocState, mask, mask, self.config.timeout_c, "locality")
    }

    /// Relinquishes the locality: `LOC_CTRL=2`, poll `LOC_STATE & 0x82 == 0x80`.
    ///
    /// # Errors
    /// [`DriverError::Timeout`].
    pub fn relinquish_locality(&mut self) -> Result<(), DriverError> {
        self.write32(Reg::LocCtrl, f::RELINQUISH.with(0, true));
        let valid = f::TPM_REG_VALID_STS.mask();
        let mask = valid | f::LOC_ASSIGNED.mask();
        self.poll(
            Reg::LocState,
            mask,
            valid,
            self.config.timeout_c,
            "relinquish",
        )
    }

    /// cmdReady: `CTRL_REQ=1`, poll bit 0 clear.
    ///
    /// # Errors
    /// [`DriverError::Timeout`].
    pub fn cmd_ready(&mut self) -> Result<(), DriverError> {
        self.write32(Reg::CtrlReq, f::CMD_READY.with(0, true));
        let mask = f::CMD_READY.mask();
        self.poll(Reg::CtrlReq, mask, 0, self.config.timeout_c, "cmdReady")
    }

    /// goIdle: `CTRL_REQ=2`, poll bit 1 clear.
    ///
    /// # Errors
    /// [`DriverError::Timeout`].
    pub fn go_idle(&mut self) -> Result<(), DriverError> {
        self.write32(Reg::CtrlReq, f::GO_IDLE.with(0, true));
        let mask = f::GO_IDLE.mask();
        self.poll(Reg::CtrlReq, mask, 0, self.config.timeout_c, "goIdle")
    }

    /// Probe, request the locality and make the TPM ready: what Linux does before a command.
    ///
    /// # Errors
    /// As [`probe`](Self::probe), [`request_locality`](Self::request_locality) and
    /// [`cmd_ready`](Self::cmd_ready).
    pub fn begin(&mut self) -> Result<Probe, DriverError> {
        let probe = self.probe()?;
        self.request_locality()?;
        if let Err(e) = self.cmd_ready() {
            let _ = self.relinquish_locality();
            return Err(e);
        }
        Ok(probe)
    }

    /// goIdle then relinquish: what Linux does after a command.
    ///
    /// # Errors
    /// As [`go_idle`](Self::go_idle) and [`relinquish_locality`](Self::relinquish_locality).
    pub fn end(&mut self) -> Result<(), DriverError> {
        let idle = self.go_idle();
        let relinquish = self.relinquish_locality();
        idle.and(relinquish)
    }

    /// Writes `bytes` at page offset `offset` in accesses of the configured width.
    fn write_buffer(&mut self, offset: u64, bytes: &[u8]) {
        let width = self.config.access_width.clamp(1, 8);
        let mut at = offset;
        for piece in bytes.chunks(width) {
            self.bus.write(at, piece);
            at = at.saturating_add(u64::try_from(piece.len()).unwrap_or(0));
        }
    }

    /// Reads `out.len()` bytes at page offset `offset` in accesses of the configured width.
    fn read_buffer(&mut self, offset: u64, out: &mut [u8]) {
        let width = self.config.access_width.clamp(1, 8);
        let mut at = offset;
        for piece in out.chunks_mut(width) {
            self.bus.read(at, piece);
            at = at.saturating_add(u64::try_from(piece.len()).unwrap_or(0));
        }
    }

    /// Sends `command` (Linux `crb_send`) and waits for Start to clear. Needs
    /// [`begin`](Self::begin) first.
    ///
    /// # Errors
    /// [`DriverError::CommandTooShort`], [`DriverError::CommandTooLarge`] (no chunking),
    /// [`DriverError::Timeout`] for a chunk or the command.
    pub fn send(&mut self, command: &[u8]) -> Result<TransferStats, DriverError> {
        let probe = self.probe()?;
        let mut stats = TransferStats::default();
        if command.len() < TPM_HEADER_SIZE {
            return Err(DriverError::CommandTooShort { len: command.len() });
        }
        if command.len() > probe.window && !probe.chunking {
            return Err(DriverError::CommandTooLarge {
                len: command.len(),
                max: probe.window,
            });
        }
        self.write32(Reg::CtrlCancel, 0);
        let mut chunks = command.chunks(probe.window).peekable();
        while let Some(chunk) = chunks.next() {
            self.write_buffer(probe.window_offset, chunk);
            stats.chunks_sent = stats.chunks_sent.saturating_add(1);
            stats.bytes_sent = stats.bytes_sent.saturating_add(chunk.len());
            if chunks.peek().is_some() {
                self.next_chunk("nextChunk (command)")?;
            } else {
                self.write32(Reg::CtrlStart, f::START.with(0, true));
            }
        }
        let mask = f::START.mask();
        if let Err(e) = self.poll(
            Reg::CtrlStart,
            mask,
            0,
            self.config.command_timeout,
            "Start",
        ) {
            // Linux: crb_cancel on a command timeout.
            self.write32(Reg::CtrlCancel, f::CANCEL.with(0, true));
            return Err(e);
        }
        Ok(stats)
    }

    /// Reads the response (Linux `crb_recv`).
    ///
    /// # Errors
    /// [`DriverError::TpmFatal`], [`DriverError::BadResponseSize`], [`DriverError::Timeout`]
    /// for a chunk.
    pub fn receive(&mut self) -> Result<(Vec<u8>, TransferStats), DriverError> {
        let probe = self.probe()?;
        let mut stats = TransferStats::default();
        if f::TPM_STS.is_set(self.read32(Reg::CtrlSts)) {
            return Err(DriverError::TpmFatal);
        }
        let mut header = [0u8; TPM_HEADER_SIZE];
        self.read_buffer(probe.window_offset, &mut header);
        let size = TpmHeader::parse(&header).map_or(0, |h| h.size_usize());
        let max = if probe.chunking {
            self.config.max_response
        } else {
            self.config.max_response.min(probe.window)
        };
        if !(TPM_HEADER_SIZE..=max).contains(&size) {
            return Err(DriverError::BadResponseSize { size, max });
        }
        let mut response = vec![0u8; size];
        let mut chunks = response.chunks_mut(probe.window);
        let mut first = true;
        for chunk in chunks.by_ref() {
            if !first {
                self.next_chunk("nextChunk (response)")?;
            }
            first = false;
            self.read_buffer(probe.window_offset, chunk);
            stats.chunks_received = stats.chunks_received.saturating_add(1);
            stats.bytes_received = stats.bytes_received.saturating_add(chunk.len());
        }
        Ok((response, stats))
    }

    /// Reads the response again from its first chunk with crbRspRetry (`START=2`, poll bit 1
    /// clear), e.g. after a read was interrupted. Valid after [`receive`](Self::receive) and
    /// before [`end`](Self::end).
    ///
    /// # Errors
    /// [`DriverError::ChunkingUnsupported`], or as [`receive`](Self::receive).
    pub fn retry_response(&mut self) -> Result<(Vec<u8>, TransferStats), DriverError> {
        if !self.probe()?.chunking {
            return Err(DriverError::ChunkingUnsupported);
        }
        self.write32(Reg::CtrlStart, f::CRB_RSP_RETRY.with(0, true));
        let mask = f::CRB_RSP_RETRY.mask();
        self.poll(
            Reg::CtrlStart,
            mask,
            0,
            self.config.timeout_c,
            "crbRspRetry",
        )?;
        self.receive()
    }

    /// One command, start to finish: [`begin`](Self::begin), [`send`](Self::send),
    /// [`receive`](Self::receive), [`end`](Self::end). On an error after `begin` the driver
    /// still goes idle and relinquishes the locality (best effort) before returning it.
    ///
    /// # Errors
    /// The first [`DriverError`] of any step.
    pub fn transmit(&mut self, command: &[u8]) -> Result<(Vec<u8>, TransferStats), DriverError> {
        self.begin()?;
        let result = self.send(command).and_then(|sent| {
            let (response, received) = self.receive()?;
            Ok((
                response,
                TransferStats {
                    chunks_sent: sent.chunks_sent,
                    bytes_sent: sent.bytes_sent,
                    chunks_received: received.chunks_received,
                    bytes_received: received.bytes_received,
                },
            ))
        });
        let end = self.end();
        let out = result?;
        end?;
        Ok(out)
    }
}
