//! Snapshot and restore of the device state: a versioned binary format written and parsed
//! with vtrust-wire, validated against the destination's configuration on restore.
//!
//! Format, version 1 (all integers little-endian):
//!
//! | Field | Encoding |
//! |---|---|
//! | magic | 8 bytes `VTCRBSNP` |
//! | version | u16 = 1 |
//! | config echo: window, max_size | u32, u32 |
//! | config echo: chunking | u8 (0/1) |
//! | config echo: base | u64 |
//! | loc_assigned, established | u8 (0/1) each |
//! | int_enable | u32 |
//! | state tag | u8: 0 Idle, 1 Ready, 2 CmdReception (receiving), 3 CmdReception (rejected), 4 Executing, 5 CmdCompletion |
//! | state body | 2: total u32, command (u32 length + bytes); 3: rc u32; 4: locality u8, command (u32 length + bytes); 5: response (u32 length + bytes), next u32 |
//! | window | u32 length + bytes |
//!
//! A snapshot taken while executing carries the command; the restored device is executing
//! and [`CrbDevice::pending_execute`] gives the command for the caller to re-issue (QEMU
//! instead waits for the command to finish before saving; a caller that wants that drains
//! first: snapshot only when [`CrbDevice::is_executing`] is false).

use vtrust_wire::{DecodeError, EncodeError, LengthPrefix, Reader, Writer, check_max};

use crate::config::{CrbConfig, MAX_MAX_SIZE};
use crate::device::CrbDevice;
use crate::regs::{MAX_WINDOW, Reg, stored_mask};
use crate::state::{CmdCompletion, CmdReception, Executing, Idle, Ready, State};
use crate::tpm::{TPM_HEADER_SIZE, TPM_RC_COMMAND_SIZE, TpmHeader};

/// The snapshot magic.
pub const SNAPSHOT_MAGIC: [u8; 8] = *b"VTCRBSNP";
/// The snapshot format version this crate writes and reads.
pub const SNAPSHOT_VERSION: u16 = 1;

/// The device's state, detached from the device. Build with [`CrbDevice::snapshot`] or
/// [`Snapshot::from_bytes`]; turn back into a device with [`CrbDevice::restore`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    /// The state as the source device held it. From [`Snapshot::from_bytes`] it is not yet
    /// validated: [`CrbDevice::restore`] checks it against the destination before use.
    device: CrbDevice,
}

/// Why a snapshot could not be parsed or restored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RestoreError {
    /// The bytes do not start with [`SNAPSHOT_MAGIC`].
    #[error("Not a CRB snapshot (bad magic)")]
    BadMagic,
    /// A format version this crate does not read.
    #[error("Unsupported snapshot version {0}")]
    UnsupportedVersion(u16),
    /// The bytes are truncated or a field does not parse (including trailing bytes).
    #[error("Malformed snapshot: {0}")]
    Malformed(#[from] DecodeError),
    /// A guest-visible setting differs between the snapshot and the destination.
    #[error("Snapshot configuration differs from the destination in `{field}`")]
    ConfigMismatch {
        /// The configuration field.
        field: &'static str,
    },
    /// A buffer is larger than the destination's configured maximum.
    #[error("`{field}` of {len} bytes exceeds the destination's maximum of {max}")]
    BufferTooLarge {
        /// The buffer.
        field: &'static str,
        /// Its length.
        len: usize,
        /// The destination's limit.
        max: usize,
    },
    /// The response offset is not a chunk boundary inside the response.
    #[error("Response offset {offset} invalid for a {len}-byte response")]
    OffsetOutOfRange {
        /// The offset.
        offset: usize,
        /// The response length.
        len: usize,
    },
    /// The state is not one the device can reach (unknown tag, header disagreeing with the
    /// buffer, ...).
    #[error("Invalid state in snapshot: {0}")]
    InvalidState(&'static str),
}

impl CrbDevice {
    /// The device's state as a [`Snapshot`].
    #[must_use]
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            device: self.clone(),
        }
    }

    /// A device with `config` in the state of `snap`.
    ///
    /// # Errors
    /// [`RestoreError::ConfigMismatch`] if the window, chunking or base differ (the guest saw
    /// them); [`RestoreError::BufferTooLarge`] if a buffer exceeds the destination's maximum
    /// (a smaller maximum is otherwise fine); [`RestoreError::OffsetOutOfRange`] and
    /// [`RestoreError::InvalidState`] for states the device cannot reach.
    pub fn restore(config: CrbConfig, snap: &Snapshot) -> Result<Self, RestoreError> {
        config
            .validate()
            .map_err(|_| RestoreError::ConfigMismatch { field: "config" })?;
        let snap = &snap.device;
        if snap.config.window != config.window {
            return Err(RestoreError::ConfigMismatch { field: "window" });
        }
        if snap.config.chunking != config.chunking {
            return Err(RestoreError::ConfigMismatch { field: "chunking" });
        }
        if snap.config.base != config.base {
            return Err(RestoreError::ConfigMismatch { field: "base" });
        }
        if snap.window.len() != config.window {
            return Err(RestoreError::InvalidState(
                "window contents differ in length from the window",
            ));
        }
        if snap.int_enable & !stored_mask(Reg::IntEnable) != 0 {
            return Err(RestoreError::InvalidState("reserved INT_ENABLE bits set"));
        }
        check_state(&config, &snap.state)?;
        // Only the maximum size may differ (checked above against every buffer).
        Ok(Self {
            config,
            ..snap.clone()
        })
    }
}

fn check_len(field: &'static str, len: usize, max: usize) -> Result<(), RestoreError> {
    if len > max {
        return Err(RestoreError::BufferTooLarge { field, len, max });
    }
    if len < TPM_HEADER_SIZE {
        return Err(RestoreError::InvalidState(
            "buffer shorter than a TPM header",
        ));
    }
    Ok(())
}

fn header_size(bytes: &[u8]) -> Option<usize> {
    TpmHeader::parse(bytes).ok().map(|h| h.size_usize())
}

/// Validates a state against the destination configuration.
fn check_state(config: &CrbConfig, state: &State) -> Result<(), RestoreError> {
    let window = config.window;
    match state {
        State::Idle(_) | State::Ready(_) => Ok(()),
        State::CmdReception(CmdReception::Receiving { total, command }) => {
            if !config.chunking {
                return Err(RestoreError::InvalidState(
                    "command reception without chunking",
                ));
            }
            check_len("total", *total, config.max_command())?;
            if command.len() > *total || command.len() < (*total).min(window) {
                return Err(RestoreError::InvalidState(
                    "partial command length inconsistent with its total",
                ));
            }
            if header_size(command) != Some(*total) {
                return Err(RestoreError::InvalidState(
                    "partial command header disagrees with its total",
                ));
            }
            Ok(())
        }
        State::CmdReception(CmdReception::Rejected { rc }) => {
            if !config.chunking {
                return Err(RestoreError::InvalidState(
                    "command reception without chunking",
                ));
            }
            if *rc != TPM_RC_COMMAND_SIZE {
                return Err(RestoreError::InvalidState("unexpected rejection code"));
            }
            Ok(())
        }
        State::Executing(e) => {
            check_len("command", e.command.len(), config.max_command())?;
            if e.locality != crate::device::LOCALITY {
                return Err(RestoreError::InvalidState("locality not implemented"));
            }
            if header_size(&e.command) != Some(e.command.len()) {
                return Err(RestoreError::InvalidState(
                    "command header disagrees with its length",
                ));
            }
            Ok(())
        }
        State::CmdCompletion(c) => {
            let len = c.response.len();
            check_len("response", len, config.max_response())?;
            if header_size(&c.response) != Some(len) {
                return Err(RestoreError::InvalidState(
                    "response header disagrees with its length",
                ));
            }
            // The offset after k >= 1 chunks: min(k * window, len).
            let boundary = c.next == len
                || (c.next > 0 && c.next < len && c.next.checked_rem(window) == Some(0));
            if !boundary {
                return Err(RestoreError::OffsetOutOfRange {
                    offset: c.next,
                    len,
                });
            }
            Ok(())
        }
    }
}

mod tag {
    pub(super) const IDLE: u8 = 0;
    pub(super) const READY: u8 = 1;
    pub(super) const RECEIVING: u8 = 2;
    pub(super) const REJECTED: u8 = 3;
    pub(super) const EXECUTING: u8 = 4;
    pub(super) const COMPLETION: u8 = 5;
}

fn put_len(w: &mut Writer, field: &'static str, len: usize) -> Result<(), EncodeError> {
    w.u32_len_le(field, len)
}

fn put_bytes(w: &mut Writer, field: &'static str, bytes: &[u8]) -> Result<(), EncodeError> {
    w.length_prefixed(field, LengthPrefix::U32Le, |w| w.bytes(field, bytes))
}

fn get_bool(r: &mut Reader<'_>, field: &'static str) -> Result<bool, DecodeError> {
    match r.u8(field)? {
        0 => Ok(false),
        1 => Ok(true),
        _ => Err(DecodeError::invalid_value(field)),
    }
}

fn get_len(r: &mut Reader<'_>, field: &'static str, max: usize) -> Result<usize, DecodeError> {
    let len = r.length(field, LengthPrefix::U32Le)?;
    check_max(field, len, max)
}

fn get_bytes(r: &mut Reader<'_>, field: &'static str, max: usize) -> Result<Vec<u8>, DecodeError> {
    Ok(r.prefixed(field, LengthPrefix::U32Le, max)?.rest().to_vec())
}

impl Snapshot {
    /// The serialized snapshot (format in the module docs).
    ///
    /// # Errors
    /// [`EncodeError`] only if a buffer cannot be allocated.
    pub fn to_bytes(&self) -> Result<Vec<u8>, EncodeError> {
        let d = &self.device;
        let mut w = Writer::with_capacity(64usize.saturating_add(d.window.len()));
        w.bytes("magic", &SNAPSHOT_MAGIC)?;
        w.u16_le("version", SNAPSHOT_VERSION)?;
        put_len(&mut w, "window", d.config.window)?;
        put_len(&mut w, "max_size", d.config.max_size)?;
        w.u8("chunking", u8::from(d.config.chunking))?;
        w.u64_le("base", d.config.base)?;
        w.u8("loc_assigned", u8::from(d.loc_assigned))?;
        w.u8("established", u8::from(d.established))?;
        w.u32_le("int_enable", d.int_enable)?;
        match &d.state {
            State::Idle(_) => w.u8("state", tag::IDLE)?,
            State::Ready(_) => w.u8("state", tag::READY)?,
            State::CmdReception(CmdReception::Receiving { total, command }) => {
                w.u8("state", tag::RECEIVING)?;
                put_len(&mut w, "total", *total)?;
                put_bytes(&mut w, "command", command)?;
            }
            State::CmdReception(CmdReception::Rejected { rc }) => {
                w.u8("state", tag::REJECTED)?;
                w.u32_le("rc", *rc)?;
            }
            State::Executing(e) => {
                w.u8("state", tag::EXECUTING)?;
                w.u8("locality", e.locality)?;
                put_bytes(&mut w, "command", &e.command)?;
            }
            State::CmdCompletion(c) => {
                w.u8("state", tag::COMPLETION)?;
                put_bytes(&mut w, "response", &c.response)?;
                put_len(&mut w, "next", c.next)?;
            }
        }
        put_bytes(&mut w, "window_contents", &d.window)?;
        Ok(w.into_vec())
    }

    /// Parses a serialized snapshot. Only the structure is checked here; whether it fits a
    /// device is checked by [`CrbDevice::restore`].
    ///
    /// # Errors
    /// [`RestoreError::BadMagic`], [`RestoreError::UnsupportedVersion`],
    /// [`RestoreError::Malformed`] (truncated, a length above 64 KiB, a flag not 0 or 1,
    /// trailing bytes), [`RestoreError::InvalidState`] for an unknown state tag.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, RestoreError> {
        let mut r = Reader::new(bytes);
        let magic: [u8; 8] = r.array("magic")?;
        if magic != SNAPSHOT_MAGIC {
            return Err(RestoreError::BadMagic);
        }
        let version = r.u16_le("version")?;
        if version != SNAPSHOT_VERSION {
            return Err(RestoreError::UnsupportedVersion(version));
        }
        let config = CrbConfig {
            window: get_len(&mut r, "window", MAX_WINDOW)?,
            max_size: get_len(&mut r, "max_size", MAX_MAX_SIZE)?,
            chunking: get_bool(&mut r, "chunking")?,
            base: r.u64_le("base")?,
        };
        let loc_assigned = get_bool(&mut r, "loc_assigned")?;
        let established = get_bool(&mut r, "established")?;
        let int_enable = r.u32_le("int_enable")?;
        let state = match r.u8("state")? {
            tag::IDLE => State::Idle(Idle),
            tag::READY => State::Ready(Ready),
            tag::RECEIVING => State::CmdReception(CmdReception::Receiving {
                total: get_len(&mut r, "total", MAX_MAX_SIZE)?,
                command: get_bytes(&mut r, "command", MAX_MAX_SIZE)?,
            }),
            tag::REJECTED => State::CmdReception(CmdReception::Rejected {
                rc: r.u32_le("rc")?,
            }),
            tag::EXECUTING => State::Executing(Executing {
                locality: r.u8("locality")?,
                command: get_bytes(&mut r, "command", MAX_MAX_SIZE)?,
            }),
            tag::COMPLETION => State::CmdCompletion(CmdCompletion {
                response: get_bytes(&mut r, "response", MAX_MAX_SIZE)?,
                next: get_len(&mut r, "next", MAX_MAX_SIZE)?,
            }),
            _ => return Err(RestoreError::InvalidState("unknown state tag")),
        };
        let window = get_bytes(&mut r, "window_contents", MAX_WINDOW)?;
        r.expect_end("Snapshot")?;
        Ok(Self {
            device: CrbDevice {
                config,
                loc_assigned,
                established,
                int_enable,
                state,
                window,
            },
        })
    }

    /// The configuration of the device the snapshot was taken from.
    #[must_use]
    pub const fn config(&self) -> &CrbConfig {
        &self.device.config
    }
}
