//! swtpm control-channel messages: one request and one response shape per command, as swtpm
//! defines them in `include/swtpm/tpm_ioctl.h` (the `ptm_*` unions) and handles them in
//! `src/swtpm/ctrlchannel.c` (docs: `shared/tpm-crb.md` §3).
//!
//! This module is the codec only: bytes in, typed messages out, and back. It does no I/O.
//! Both directions are used twice: [`SwtpmBackend`](crate::swtpm::SwtpmBackend) encodes
//! requests and parses replies; [`Server`](crate::server::Server) parses requests and encodes
//! replies. Everything on the wire is big-endian.
//!
//! Framing: the control channel is a byte stream without a length field, so a reader asks
//! [`request_len`] / [`response_len`] how many bytes a complete message needs given the bytes
//! it has so far, and reads until it has them.

#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::arithmetic_side_effects
    )
)]

use vtrust_wire::{DecodeError, DecodeErrorKind, EncodeError, Reader, Writer, check_max};

/// `CMD_GET_CAPABILITY` (`tpm_ioctl.h`): which control commands the TPM supports.
pub const CMD_GET_CAPABILITY: u32 = 0x01;
/// `CMD_INIT`: (re)start the TPM.
pub const CMD_INIT: u32 = 0x02;
/// `CMD_SHUTDOWN`: stop the TPM and end the process.
pub const CMD_SHUTDOWN: u32 = 0x03;
/// `CMD_GET_TPMESTABLISHED`: read the tpmEstablished flag.
pub const CMD_GET_TPMESTABLISHED: u32 = 0x04;
/// `CMD_SET_LOCALITY`: locality of the following data-channel commands.
pub const CMD_SET_LOCALITY: u32 = 0x05;
/// `CMD_HASH_START`: start a D-RTM hash sequence.
pub const CMD_HASH_START: u32 = 0x06;
/// `CMD_HASH_DATA`: data of a D-RTM hash sequence.
pub const CMD_HASH_DATA: u32 = 0x07;
/// `CMD_HASH_END`: end a D-RTM hash sequence.
pub const CMD_HASH_END: u32 = 0x08;
/// `CMD_CANCEL_TPM_CMD`: cancel the command in flight.
pub const CMD_CANCEL_TPM_CMD: u32 = 0x09;
/// `CMD_STORE_VOLATILE`: write the volatile state to the state directory.
pub const CMD_STORE_VOLATILE: u32 = 0x0a;
/// `CMD_RESET_TPMESTABLISHED`: clear the tpmEstablished flag.
pub const CMD_RESET_TPMESTABLISHED: u32 = 0x0b;
/// `CMD_GET_STATEBLOB`: read one state blob.
pub const CMD_GET_STATEBLOB: u32 = 0x0c;
/// `CMD_SET_STATEBLOB`: write one state blob (TPM stopped).
pub const CMD_SET_STATEBLOB: u32 = 0x0d;
/// `CMD_STOP`: stop the TPM, keep the process.
pub const CMD_STOP: u32 = 0x0e;
/// `CMD_GET_CONFIG`: which state-encryption keys are configured.
pub const CMD_GET_CONFIG: u32 = 0x0f;
/// `CMD_SET_DATAFD`: hand over the data channel as a socket (SCM_RIGHTS).
pub const CMD_SET_DATAFD: u32 = 0x10;
/// `CMD_SET_BUFFERSIZE`: query (0) or set the TPM's I/O buffer size.
pub const CMD_SET_BUFFERSIZE: u32 = 0x11;
/// `CMD_GET_INFO`: JSON information about the TPM.
pub const CMD_GET_INFO: u32 = 0x12;
/// `CMD_LOCK_STORAGE` (swtpm 0.8+): lock the state storage.
pub const CMD_LOCK_STORAGE: u32 = 0x13;

/// `TPM_SUCCESS` (TPM 1.2 Part 2 §16): the `ptm_res` of a command that worked.
pub const TPM_SUCCESS: u32 = 0x00;
/// `TPM_BAD_PARAMETER`: swtpm's answer to a malformed control request.
pub const TPM_BAD_PARAMETER: u32 = 0x03;
/// `TPM_FAIL`: the operation failed.
pub const TPM_FAIL: u32 = 0x09;
/// `TPM_BAD_ORDINAL`: unknown command, or not allowed in the current (running/stopped) state.
pub const TPM_BAD_ORDINAL: u32 = 0x0a;
/// `TPM_IOERROR`: I/O failure (also: a second CMD_SET_DATAFD).
pub const TPM_IOERROR: u32 = 0x1f;
/// `TPM_BAD_LOCALITY`: locality above 4.
pub const TPM_BAD_LOCALITY: u32 = 0x3d;
/// `TPM_RETRY`: swtpm's result for a state blob that does not exist (measured: savestate
/// before any TPM2_Shutdown(STATE)).
pub const TPM_RETRY: u32 = 0x800;

/// `PTM_INIT_FLAG_DELETE_VOLATILE`: CMD_INIT deletes the volatile state first.
pub const PTM_INIT_FLAG_DELETE_VOLATILE: u32 = 1;
/// `TPM2_SEND_COMMAND`: the optional data-channel prefix
/// `u32be 8 | u8 locality | u32be size | command` (swtpm `mainloop.c`).
pub const TPM2_SEND_COMMAND: u32 = 8;

/// Capability bits of CMD_GET_CAPABILITY (`PTM_CAP_*`, `tpm_ioctl.h`).
pub mod cap {
    /// CMD_INIT.
    pub const INIT: u64 = 1 << 0;
    /// CMD_SHUTDOWN.
    pub const SHUTDOWN: u64 = 1 << 1;
    /// CMD_GET_TPMESTABLISHED.
    pub const GET_TPMESTABLISHED: u64 = 1 << 2;
    /// CMD_SET_LOCALITY.
    pub const SET_LOCALITY: u64 = 1 << 3;
    /// CMD_HASH_START / DATA / END.
    pub const HASHING: u64 = 1 << 4;
    /// CMD_CANCEL_TPM_CMD.
    pub const CANCEL_TPM_CMD: u64 = 1 << 5;
    /// CMD_STORE_VOLATILE.
    pub const STORE_VOLATILE: u64 = 1 << 6;
    /// CMD_RESET_TPMESTABLISHED.
    pub const RESET_TPMESTABLISHED: u64 = 1 << 7;
    /// CMD_GET_STATEBLOB.
    pub const GET_STATEBLOB: u64 = 1 << 8;
    /// CMD_SET_STATEBLOB.
    pub const SET_STATEBLOB: u64 = 1 << 9;
    /// CMD_STOP.
    pub const STOP: u64 = 1 << 10;
    /// CMD_GET_CONFIG.
    pub const GET_CONFIG: u64 = 1 << 11;
    /// CMD_SET_DATAFD.
    pub const SET_DATAFD: u64 = 1 << 12;
    /// CMD_SET_BUFFERSIZE.
    pub const SET_BUFFERSIZE: u64 = 1 << 13;
    /// CMD_GET_INFO.
    pub const GET_INFO: u64 = 1 << 14;
    /// The TPM2_SEND_COMMAND prefix on the data channel.
    pub const SEND_COMMAND_HEADER: u64 = 1 << 15;
    /// CMD_LOCK_STORAGE.
    pub const LOCK_STORAGE: u64 = 1 << 16;
    /// What QEMU's `tpm_emulator` requires of a TPM 2.0 backend (`tpm_emulator_probe_caps`).
    pub const QEMU_MINIMUM: u64 = INIT
        | SHUTDOWN
        | GET_TPMESTABLISHED
        | SET_LOCALITY
        | RESET_TPMESTABLISHED
        | SET_DATAFD
        | STOP
        | SET_BUFFERSIZE;
}

/// Our limit for one state blob (swtpm's volatile blob is about 9 KB, permanent about 1.3 KB
/// on a fresh TPM; NV-heavy TPMs stay well below this).
pub const MAX_STATE_BLOB: usize = 16 * 1024 * 1024;
/// Our limit for CMD_HASH_DATA's data (swtpm's `ptm_hdata` buffer is 4096 bytes with its
/// length field).
pub const MAX_HASH_DATA: usize = 4092;
/// Our limit for CMD_GET_INFO's JSON chunk (swtpm's `ptm_getinfo` buffer).
pub const MAX_INFO: usize = 3072;

/// `PTM_BLOB_TYPE_*`: which state blob a GET/SET_STATEBLOB is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BlobType {
    /// `PTM_BLOB_TYPE_PERMANENT` (1).
    Permanent,
    /// `PTM_BLOB_TYPE_VOLATILE` (2).
    Volatile,
    /// `PTM_BLOB_TYPE_SAVESTATE` (3).
    Savestate,
    /// Any other value, kept as sent; the server refuses it.
    Unknown(u32),
}

impl BlobType {
    /// The three blob types swtpm defines, in the order QEMU migrates them.
    pub const ALL: [Self; 3] = [Self::Permanent, Self::Volatile, Self::Savestate];

    /// The wire value.
    #[must_use]
    pub const fn to_u32(self) -> u32 {
        match self {
            Self::Permanent => 1,
            Self::Volatile => 2,
            Self::Savestate => 3,
            Self::Unknown(raw) => raw,
        }
    }

    /// From the wire value.
    #[must_use]
    pub const fn from_u32(raw: u32) -> Self {
        match raw {
            1 => Self::Permanent,
            2 => Self::Volatile,
            3 => Self::Savestate,
            other => Self::Unknown(other),
        }
    }
}

/// Why a control message does not parse or cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PtmError {
    /// The bytes are malformed: cut short, trailing bytes, a length above our limit.
    #[error("Malformed control message: {0}")]
    Decode(#[from] DecodeError),
    /// A reply was parsed for a command this codec does not know.
    #[error("No reply format for control command {0:#x}")]
    UnknownCommand(u32),
    /// A message could not be encoded (a length that does not fit its field).
    #[error("Control message not encodable: {0}")]
    Encode(#[from] EncodeError),
}

/// A control-channel request: `u32be cmd` followed by the command's request body
/// (`ptm_*.u.req`, `tpm_ioctl.h`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Request {
    /// CMD_GET_CAPABILITY, no body.
    GetCapability,
    /// CMD_INIT, `ptm_init.u.req`: `init_flags` u32.
    Init {
        /// `PTM_INIT_FLAG_*`.
        flags: u32,
    },
    /// CMD_SHUTDOWN, no body.
    Shutdown,
    /// CMD_GET_TPMESTABLISHED, no body.
    GetTpmEstablished,
    /// CMD_SET_LOCALITY, `ptm_loc.u.req`: `loc` u8 (QEMU pads it to 4 bytes, tpm2-tss sends 1).
    SetLocality {
        /// The locality, 0..=4.
        locality: u8,
    },
    /// CMD_HASH_START, no body.
    HashStart,
    /// CMD_HASH_DATA, `ptm_hdata.u.req`: `length` u32 and the data.
    HashData {
        /// The data to hash.
        data: Vec<u8>,
    },
    /// CMD_HASH_END, no body.
    HashEnd,
    /// CMD_CANCEL_TPM_CMD, no body.
    CancelTpmCmd,
    /// CMD_STORE_VOLATILE, no body.
    StoreVolatile,
    /// CMD_RESET_TPMESTABLISHED, `ptm_reset_est.u.req`: `loc` u8 (padded to 4 by QEMU).
    ResetTpmEstablished {
        /// The locality asking.
        locality: u8,
    },
    /// CMD_GET_STATEBLOB, `ptm_getstate.u.req`: `state_flags`, `type`, `offset` (u32 each).
    GetStateBlob {
        /// `PTM_STATE_FLAG_*` (bit 0 decrypted).
        flags: u32,
        /// Which blob.
        blob_type: BlobType,
        /// Offset into the blob to start from.
        offset: u32,
    },
    /// CMD_SET_STATEBLOB, `ptm_setstate.u.req`: `state_flags`, `type`, `length`, data.
    SetStateBlob {
        /// `PTM_STATE_FLAG_*` (bit 1 encrypted).
        flags: u32,
        /// Which blob.
        blob_type: BlobType,
        /// The blob.
        data: Vec<u8>,
    },
    /// CMD_STOP, no body.
    Stop,
    /// CMD_GET_CONFIG, no body.
    GetConfig,
    /// CMD_SET_DATAFD, no body; the socket travels as SCM_RIGHTS ancillary data.
    SetDataFd,
    /// CMD_SET_BUFFERSIZE, `ptm_setbuffersize.u.req`: `buffersize` u32 (0 = query).
    SetBufferSize {
        /// Requested size, 0 to query.
        size: u32,
    },
    /// CMD_GET_INFO, `ptm_getinfo.u.req`: `flags` u64, `offset` u32, `pad` u32.
    GetInfo {
        /// `SWTPM_INFO_*` flags.
        flags: u64,
        /// Offset into the JSON text.
        offset: u32,
    },
    /// CMD_LOCK_STORAGE, `ptm_lockstorage.u.req`: `retries` u32.
    LockStorage {
        /// How often to retry.
        retries: u32,
    },
    /// A command code this codec does not know (the server answers TPM_BAD_ORDINAL).
    Unknown {
        /// The code sent.
        command: u32,
    },
}

/// Bytes before a request's body.
const CMD_LEN: usize = 4;

fn u32_at(bytes: &[u8], offset: usize) -> Option<u32> {
    let end = offset.checked_add(4)?;
    let b: [u8; 4] = bytes.get(offset..end)?.try_into().ok()?;
    Some(u32::from_be_bytes(b))
}

/// `fixed + length` where `length` is the u32 at `len_at`, once `prefix` holds it; checked
/// against `max`.
fn with_length(
    prefix: &[u8],
    field: &'static str,
    fixed: usize,
    len_at: usize,
    max: usize,
) -> Result<usize, PtmError> {
    match u32_at(prefix, len_at) {
        None => Ok(fixed),
        Some(len) => {
            let len = check_max(field, usize::try_from(len).unwrap_or(usize::MAX), max)?;
            Ok(fixed.saturating_add(len))
        }
    }
}

/// How many bytes a complete request needs, given the first bytes of it (`prefix`, which may
/// be shorter or longer). A reader reads until it has at least this many; the answer can grow
/// as `prefix` grows (a length field becomes visible), never shrink.
///
/// # Errors
/// [`PtmError::Decode`] with [`DecodeErrorKind::TooLong`] if a length field is above our
/// limit ([`MAX_STATE_BLOB`], [`MAX_HASH_DATA`]).
pub fn request_len(prefix: &[u8]) -> Result<usize, PtmError> {
    let Some(cmd) = u32_at(prefix, 0) else {
        return Ok(CMD_LEN);
    };
    Ok(match cmd {
        CMD_INIT | CMD_SET_BUFFERSIZE | CMD_LOCK_STORAGE => CMD_LEN + 4,
        CMD_SET_LOCALITY | CMD_RESET_TPMESTABLISHED => CMD_LEN + 1,
        CMD_GET_STATEBLOB => CMD_LEN + 12,
        CMD_GET_INFO => CMD_LEN + 16,
        CMD_HASH_DATA => with_length(prefix, "ptm_hdata.length", CMD_LEN + 4, 4, MAX_HASH_DATA)?,
        CMD_SET_STATEBLOB => with_length(
            prefix,
            "ptm_setstate.length",
            CMD_LEN + 12,
            12,
            MAX_STATE_BLOB,
        )?,
        _ => CMD_LEN,
    })
}

impl Request {
    /// The command code (`CMD_*`).
    #[must_use]
    pub const fn command(&self) -> u32 {
        match self {
            Self::GetCapability => CMD_GET_CAPABILITY,
            Self::Init { .. } => CMD_INIT,
            Self::Shutdown => CMD_SHUTDOWN,
            Self::GetTpmEstablished => CMD_GET_TPMESTABLISHED,
            Self::SetLocality { .. } => CMD_SET_LOCALITY,
            Self::HashStart => CMD_HASH_START,
            Self::HashData { .. } => CMD_HASH_DATA,
            Self::HashEnd => CMD_HASH_END,
            Self::CancelTpmCmd => CMD_CANCEL_TPM_CMD,
            Self::StoreVolatile => CMD_STORE_VOLATILE,
            Self::ResetTpmEstablished { .. } => CMD_RESET_TPMESTABLISHED,
            Self::GetStateBlob { .. } => CMD_GET_STATEBLOB,
            Self::SetStateBlob { .. } => CMD_SET_STATEBLOB,
            Self::Stop => CMD_STOP,
            Self::GetConfig => CMD_GET_CONFIG,
            Self::SetDataFd => CMD_SET_DATAFD,
            Self::SetBufferSize { .. } => CMD_SET_BUFFERSIZE,
            Self::GetInfo { .. } => CMD_GET_INFO,
            Self::LockStorage { .. } => CMD_LOCK_STORAGE,
            Self::Unknown { command } => *command,
        }
    }

    /// The request's bytes. Locality requests take the 1-byte form tpm2-tss sends.
    ///
    /// # Errors
    /// [`PtmError::Encode`] if a blob is longer than a u32 length field holds.
    pub fn encode(&self) -> Result<Vec<u8>, PtmError> {
        let mut w = Writer::new();
        w.u32_be("cmd", self.command())?;
        match self {
            Self::Init { flags } => w.u32_be("init_flags", *flags)?,
            Self::SetLocality { locality } | Self::ResetTpmEstablished { locality } => {
                w.u8("loc", *locality)?;
            }
            Self::HashData { data } => {
                w.u32_len_be("length", data.len())?;
                w.bytes("data", data)?;
            }
            Self::GetStateBlob {
                flags,
                blob_type,
                offset,
            } => {
                w.u32_be("state_flags", *flags)?;
                w.u32_be("type", blob_type.to_u32())?;
                w.u32_be("offset", *offset)?;
            }
            Self::SetStateBlob {
                flags,
                blob_type,
                data,
            } => {
                w.u32_be("state_flags", *flags)?;
                w.u32_be("type", blob_type.to_u32())?;
                w.u32_len_be("length", data.len())?;
                w.bytes("data", data)?;
            }
            Self::SetBufferSize { size } => w.u32_be("buffersize", *size)?,
            Self::GetInfo { flags, offset } => {
                w.u64_be("flags", *flags)?;
                w.u32_be("offset", *offset)?;
                w.zeros("pad", 4)?;
            }
            Self::LockStorage { retries } => w.u32_be("retries", *retries)?,
            Self::GetCapability
            | Self::Shutdown
            | Self::GetTpmEstablished
            | Self::HashStart
            | Self::HashEnd
            | Self::CancelTpmCmd
            | Self::StoreVolatile
            | Self::Stop
            | Self::GetConfig
            | Self::SetDataFd
            | Self::Unknown { .. } => {}
        }
        Ok(w.into_vec())
    }

    /// Parses one complete request, as swtpm's `ctrlchannel_process_fd` accepts it: commands
    /// without a body take no trailing bytes; the locality of SET_LOCALITY and
    /// RESET_TPMESTABLISHED may be followed by padding (QEMU sends `sizeof(ptm_loc)` = 4).
    ///
    /// # Errors
    /// [`PtmError::Decode`]: truncated, trailing bytes, or a length above our limit.
    pub fn decode(bytes: &[u8]) -> Result<Self, PtmError> {
        let mut r = Reader::new(bytes);
        let cmd = r.u32_be("cmd")?;
        let req = match cmd {
            CMD_GET_CAPABILITY => Self::GetCapability,
            CMD_INIT => Self::Init {
                flags: r.u32_be("init_flags")?,
            },
            CMD_SHUTDOWN => Self::Shutdown,
            CMD_GET_TPMESTABLISHED => Self::GetTpmEstablished,
            CMD_SET_LOCALITY => {
                let locality = r.u8("loc")?;
                r.rest();
                Self::SetLocality { locality }
            }
            CMD_HASH_START => Self::HashStart,
            CMD_HASH_DATA => {
                let len = r.length("length", vtrust_wire::LengthPrefix::U32Be)?;
                let len = check_max("length", len, MAX_HASH_DATA)?;
                Self::HashData {
                    data: r.bytes("data", len)?.to_vec(),
                }
            }
            CMD_HASH_END => Self::HashEnd,
            CMD_CANCEL_TPM_CMD => Self::CancelTpmCmd,
            CMD_STORE_VOLATILE => Self::StoreVolatile,
            CMD_RESET_TPMESTABLISHED => {
                let locality = r.u8("loc")?;
                r.rest();
                Self::ResetTpmEstablished { locality }
            }
            CMD_GET_STATEBLOB => Self::GetStateBlob {
                flags: r.u32_be("state_flags")?,
                blob_type: BlobType::from_u32(r.u32_be("type")?),
                offset: r.u32_be("offset")?,
            },
            CMD_SET_STATEBLOB => {
                let flags = r.u32_be("state_flags")?;
                let blob_type = BlobType::from_u32(r.u32_be("type")?);
                let len = r.length("length", vtrust_wire::LengthPrefix::U32Be)?;
                let len = check_max("length", len, MAX_STATE_BLOB)?;
                Self::SetStateBlob {
                    flags,
                    blob_type,
                    data: r.bytes("data", len)?.to_vec(),
                }
            }
            CMD_STOP => Self::Stop,
            CMD_GET_CONFIG => Self::GetConfig,
            CMD_SET_DATAFD => Self::SetDataFd,
            CMD_SET_BUFFERSIZE => Self::SetBufferSize {
                size: r.u32_be("buffersize")?,
            },
            CMD_GET_INFO => {
                let flags = r.u64_be("flags")?;
                let offset = r.u32_be("offset")?;
                r.skip_reserved("pad", 4)?;
                Self::GetInfo { flags, offset }
            }
            CMD_LOCK_STORAGE => Self::LockStorage {
                retries: r.u32_be("retries")?,
            },
            command => {
                // swtpm answers an unknown command whatever follows it.
                r.rest();
                Self::Unknown { command }
            }
        };
        r.expect_end("request")?;
        Ok(req)
    }
}

/// A control-channel reply (`ptm_*.u.resp`). Every reply but GET_CAPABILITY's starts with
/// `ptm_res`; a non-zero result is all swtpm sends for most commands ([`Response::Failed`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Response {
    /// A bare `ptm_res` of zero: INIT, SHUTDOWN, SET_LOCALITY, CANCEL, STOP, SET_DATAFD, ...
    Success,
    /// A non-zero `ptm_res` (`TPM_BAD_ORDINAL`, `TPM_BAD_PARAMETER`, ...), for any command.
    Failed {
        /// `ptm_res`.
        result: u32,
    },
    /// CMD_GET_CAPABILITY: `ptm_cap`, a u64 with no result field (swtpm `ctrlchannel.c`
    /// writes `htobe64(caps)`).
    Capability {
        /// `PTM_CAP_*` bits ([`cap`]).
        caps: u64,
    },
    /// CMD_GET_TPMESTABLISHED: `tpm_result`, `bit` u8, 3 pad bytes.
    TpmEstablished {
        /// The flag (non-zero: established).
        bit: u8,
    },
    /// CMD_GET_STATEBLOB: `tpm_result`, `state_flags`, `totlength`, `length`, data.
    StateBlob {
        /// `PTM_STATE_FLAG_*` (bit 1 encrypted).
        flags: u32,
        /// Total length of the blob from the requested offset.
        totlength: u32,
        /// The data (swtpm sends all of it on sockets).
        data: Vec<u8>,
    },
    /// CMD_GET_CONFIG: `tpm_result`, `flags`.
    Config {
        /// `PTM_CONFIG_FLAG_*`.
        flags: u32,
    },
    /// CMD_SET_BUFFERSIZE: `tpm_result`, `buffersize`, `minsize`, `maxsize`.
    BufferSize {
        /// Size now in effect (or that would be, for a set while stopped).
        size: u32,
        /// Smallest size the TPM accepts.
        min: u32,
        /// Largest size the TPM accepts.
        max: u32,
    },
    /// CMD_GET_INFO: `tpm_result`, `totlength`, `length`, JSON text.
    Info {
        /// Length of the whole text including its NUL.
        totlength: u32,
        /// This chunk.
        data: Vec<u8>,
    },
}

/// Bytes of `ptm_res`.
const RES_LEN: usize = 4;

/// How many bytes a complete reply to `command` needs, given its first bytes (`prefix`).
/// A reply with a non-zero result is 4 bytes (swtpm's GET_STATEBLOB sends its 16-byte header
/// even then while running; a client drains that separately).
///
/// # Errors
/// [`PtmError::UnknownCommand`] for a command without a known reply,
/// [`PtmError::Decode`] with [`DecodeErrorKind::TooLong`] for a length above our limit.
pub fn response_len(command: u32, prefix: &[u8]) -> Result<usize, PtmError> {
    if command == CMD_GET_CAPABILITY {
        return Ok(8);
    }
    if !known_command(command) {
        return Err(PtmError::UnknownCommand(command));
    }
    match u32_at(prefix, 0) {
        None => return Ok(RES_LEN),
        Some(TPM_SUCCESS) => {}
        Some(_) => return Ok(RES_LEN),
    }
    Ok(match command {
        CMD_GET_TPMESTABLISHED | CMD_GET_CONFIG => RES_LEN + 4,
        CMD_SET_BUFFERSIZE => RES_LEN + 12,
        CMD_GET_STATEBLOB => with_length(
            prefix,
            "ptm_getstate.length",
            RES_LEN + 12,
            12,
            MAX_STATE_BLOB,
        )?,
        CMD_GET_INFO => with_length(prefix, "ptm_getinfo.length", RES_LEN + 8, 8, MAX_INFO)?,
        _ => RES_LEN,
    })
}

const fn known_command(command: u32) -> bool {
    matches!(command, CMD_GET_CAPABILITY..=CMD_LOCK_STORAGE)
}

impl Response {
    /// Parses the complete reply to `command`.
    ///
    /// # Errors
    /// [`PtmError::UnknownCommand`] for a command without a known reply; [`PtmError::Decode`]
    /// for a reply cut short, with trailing bytes, or with a length above our limit.
    pub fn decode(command: u32, bytes: &[u8]) -> Result<Self, PtmError> {
        if !known_command(command) {
            return Err(PtmError::UnknownCommand(command));
        }
        let mut r = Reader::new(bytes);
        if command == CMD_GET_CAPABILITY {
            let caps = r.u64_be("ptm_cap")?;
            r.expect_end("ptm_cap")?;
            return Ok(Self::Capability { caps });
        }
        let result = r.u32_be("tpm_result")?;
        if result != TPM_SUCCESS {
            if command == CMD_GET_STATEBLOB && r.remaining() == 12 {
                // swtpm sends the whole header with a failed GET_STATEBLOB while running.
                r.rest();
            }
            r.expect_end("ptm_res")?;
            return Ok(Self::Failed { result });
        }
        let resp = match command {
            CMD_GET_TPMESTABLISHED => {
                let bit = r.u8("bit")?;
                r.skip_reserved("pad", 3)?;
                Self::TpmEstablished { bit }
            }
            CMD_GET_CONFIG => Self::Config {
                flags: r.u32_be("flags")?,
            },
            CMD_SET_BUFFERSIZE => Self::BufferSize {
                size: r.u32_be("buffersize")?,
                min: r.u32_be("minsize")?,
                max: r.u32_be("maxsize")?,
            },
            CMD_GET_STATEBLOB => {
                let flags = r.u32_be("state_flags")?;
                let totlength = r.u32_be("totlength")?;
                let len = r.length("length", vtrust_wire::LengthPrefix::U32Be)?;
                let len = check_max("length", len, MAX_STATE_BLOB)?;
                Self::StateBlob {
                    flags,
                    totlength,
                    data: r.bytes("data", len)?.to_vec(),
                }
            }
            CMD_GET_INFO => {
                let totlength = r.u32_be("totlength")?;
                let len = r.length("length", vtrust_wire::LengthPrefix::U32Be)?;
                let len = check_max("length", len, MAX_INFO)?;
                Self::Info {
                    totlength,
                    data: r.bytes("buffer", len)?.to_vec(),
                }
            }
            _ => Self::Success,
        };
        r.expect_end("response")?;
        Ok(resp)
    }

    /// The reply's bytes.
    ///
    /// # Errors
    /// [`PtmError::Encode`] if data is longer than a u32 length field holds.
    pub fn encode(&self) -> Result<Vec<u8>, PtmError> {
        let mut w = Writer::new();
        match self {
            Self::Success => w.u32_be("tpm_result", TPM_SUCCESS)?,
            Self::Failed { result } => w.u32_be("tpm_result", *result)?,
            Self::Capability { caps } => w.u64_be("ptm_cap", *caps)?,
            Self::TpmEstablished { bit } => {
                w.u32_be("tpm_result", TPM_SUCCESS)?;
                w.u8("bit", *bit)?;
                w.zeros("pad", 3)?;
            }
            Self::StateBlob {
                flags,
                totlength,
                data,
            } => {
                w.u32_be("tpm_result", TPM_SUCCESS)?;
                w.u32_be("state_flags", *flags)?;
                w.u32_be("totlength", *totlength)?;
                w.u32_len_be("length", data.len())?;
                w.bytes("data", data)?;
            }
            Self::Config { flags } => {
                w.u32_be("tpm_result", TPM_SUCCESS)?;
                w.u32_be("flags", *flags)?;
            }
            Self::BufferSize { size, min, max } => {
                w.u32_be("tpm_result", TPM_SUCCESS)?;
                w.u32_be("buffersize", *size)?;
                w.u32_be("minsize", *min)?;
                w.u32_be("maxsize", *max)?;
            }
            Self::Info { totlength, data } => {
                w.u32_be("tpm_result", TPM_SUCCESS)?;
                w.u32_be("totlength", *totlength)?;
                w.u32_len_be("length", data.len())?;
                w.bytes("buffer", data)?;
            }
        }
        Ok(w.into_vec())
    }
}

pub use vtrust_tpm_crb::tpm::TpmHeader;

/// Bytes of a TPM 2.0 header.
pub const TPM_HEADER_LEN: usize = vtrust_tpm_crb::tpm::TPM_HEADER_SIZE;

/// Parses the TPM 2.0 header at the start of `bytes` (TPM 2.0 Part 1 §18.2), refusing a
/// `size` below the header itself.
///
/// # Errors
/// [`PtmError::Decode`] (truncated) if fewer than 10 bytes are given, or with
/// [`DecodeErrorKind::OutOfRange`] if `size` is below 10.
pub fn tpm_header(bytes: &[u8]) -> Result<TpmHeader, PtmError> {
    let header = TpmHeader::parse(bytes)?;
    if header.size_usize() < TPM_HEADER_LEN {
        return Err(PtmError::Decode(DecodeError::new(
            "size",
            DecodeErrorKind::OutOfRange {
                value: u64::from(header.size),
            },
        )));
    }
    Ok(header)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    // Byte vectors measured against swtpm 0.7.1 (shared/tpm-crb.md §4) or read from swtpm's
    // ctrlchannel.c / QEMU's tpm_emulator.c.

    #[test]
    fn get_capability_reply_is_a_u64() {
        // Measured: `00 00 00 01` -> `00000000 0000ffff`.
        assert_eq!(Request::GetCapability.encode().unwrap(), [0, 0, 0, 1]);
        let reply = hex::decode("000000000000ffff").unwrap();
        assert_eq!(response_len(CMD_GET_CAPABILITY, &[]).unwrap(), 8);
        assert_eq!(
            Response::decode(CMD_GET_CAPABILITY, &reply).unwrap(),
            Response::Capability { caps: 0xffff }
        );
    }

    #[test]
    fn set_buffersize_query_reply() {
        // Measured: `00 00 00 11 00 00 00 00` -> `0 | 0x1000 | 0x0af8 | 0x1000`.
        let req = Request::SetBufferSize { size: 0 };
        assert_eq!(
            req.encode().unwrap(),
            hex::decode("0000001100000000").unwrap()
        );
        let reply = [0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0, 0x0a, 0xf8, 0, 0, 0x10, 0];
        assert_eq!(response_len(CMD_SET_BUFFERSIZE, &reply).unwrap(), 16);
        assert_eq!(
            Response::decode(CMD_SET_BUFFERSIZE, &reply).unwrap(),
            Response::BufferSize {
                size: 4096,
                min: 2808,
                max: 4096
            }
        );
        assert_eq!(
            Response::BufferSize {
                size: 4096,
                min: 2808,
                max: 4096
            }
            .encode()
            .unwrap(),
            reply
        );
    }

    #[test]
    fn refused_while_running_is_four_bytes() {
        // Measured: SET_BUFFERSIZE(n) while running -> `00 00 00 0a`.
        let reply = [0, 0, 0, 0x0a];
        assert_eq!(response_len(CMD_SET_BUFFERSIZE, &reply).unwrap(), 4);
        assert_eq!(
            Response::decode(CMD_SET_BUFFERSIZE, &reply).unwrap(),
            Response::Failed {
                result: TPM_BAD_ORDINAL
            }
        );
    }

    #[test]
    fn failed_get_stateblob_with_header() {
        // Measured: savestate blob absent -> 16 bytes `00000800 00000000 00000000 00000000`.
        let reply = hex::decode("00000800000000000000000000000000").unwrap();
        assert_eq!(
            Response::decode(CMD_GET_STATEBLOB, &reply).unwrap(),
            Response::Failed { result: TPM_RETRY }
        );
    }

    #[test]
    fn qemu_set_locality_has_padding() {
        // QEMU sends sizeof(ptm_loc) = 4 bytes of body; tpm2-tss sends 1.
        assert_eq!(
            Request::decode(&[0, 0, 0, 5, 3, 0, 0, 0]).unwrap(),
            Request::SetLocality { locality: 3 }
        );
        assert_eq!(
            Request::SetLocality { locality: 0 }.encode().unwrap(),
            [0, 0, 0, 5, 0]
        );
        assert_eq!(request_len(&[0, 0, 0, 5]).unwrap(), 5);
    }

    #[test]
    fn stateblob_framing() {
        let req = Request::SetStateBlob {
            flags: 0,
            blob_type: BlobType::Volatile,
            data: vec![1, 2, 3],
        };
        let bytes = req.encode().unwrap();
        assert_eq!(
            bytes,
            [0, 0, 0, 0x0d, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3]
        );
        assert_eq!(request_len(&bytes[..4]).unwrap(), 16);
        assert_eq!(request_len(&bytes[..16]).unwrap(), 19);
        assert_eq!(Request::decode(&bytes).unwrap(), req);
    }

    #[test]
    fn tpm_header_of_get_random() {
        // TPM2_GetRandom(16) from shared/tpm-crb.md §4.
        let h = tpm_header(&hex::decode("80010000000c0000017b0010").unwrap()).unwrap();
        assert_eq!(
            h,
            TpmHeader {
                tag: 0x8001,
                size: 12,
                code: 0x17b
            }
        );
    }

    #[test]
    fn refuses_truncated_request() {
        assert_eq!(
            Request::decode(&[0, 0, 0, 2, 0]),
            Err(PtmError::Decode(DecodeError::new(
                "init_flags",
                DecodeErrorKind::Truncated {
                    needed: 4,
                    available: 1
                }
            )))
        );
    }

    #[test]
    fn refuses_trailing_bytes_after_bodyless_request() {
        // swtpm: CMD_STOP with n != 0 -> TPM_BAD_PARAMETER.
        assert_eq!(
            Request::decode(&[0, 0, 0, 0x0e, 0]),
            Err(PtmError::Decode(DecodeError::new(
                "request",
                DecodeErrorKind::TrailingBytes { count: 1 }
            )))
        );
    }

    #[test]
    fn refuses_stateblob_above_limit() {
        let mut bytes = vec![0, 0, 0, 0x0d, 0, 0, 0, 0, 0, 0, 0, 1];
        bytes.extend_from_slice(&u32::MAX.to_be_bytes());
        let too_long = PtmError::Decode(DecodeError::new(
            "ptm_setstate.length",
            DecodeErrorKind::TooLong {
                len: u32::MAX as usize,
                max: MAX_STATE_BLOB,
            },
        ));
        assert_eq!(request_len(&bytes), Err(too_long));
        assert!(matches!(
            Request::decode(&bytes),
            Err(PtmError::Decode(DecodeError {
                kind: DecodeErrorKind::TooLong { .. },
                ..
            }))
        ));
    }

    #[test]
    fn refuses_short_reply() {
        assert_eq!(
            Response::decode(CMD_GET_TPMESTABLISHED, &[0, 0, 0, 0, 1]),
            Err(PtmError::Decode(DecodeError::new(
                "pad",
                DecodeErrorKind::Truncated {
                    needed: 3,
                    available: 0
                }
            )))
        );
    }

    #[test]
    fn refuses_reply_with_trailing_bytes() {
        assert_eq!(
            Response::decode(CMD_STOP, &[0, 0, 0, 0, 9]),
            Err(PtmError::Decode(DecodeError::new(
                "response",
                DecodeErrorKind::TrailingBytes { count: 1 }
            )))
        );
    }

    #[test]
    fn refuses_reply_for_unknown_command() {
        assert_eq!(
            Response::decode(0x99, &[0, 0, 0, 0]),
            Err(PtmError::UnknownCommand(0x99))
        );
        assert_eq!(response_len(0x99, &[]), Err(PtmError::UnknownCommand(0x99)));
    }

    #[test]
    fn refuses_stateblob_reply_above_limit() {
        let mut bytes = vec![0u8; 12];
        bytes.extend_from_slice(&u32::MAX.to_be_bytes());
        assert!(matches!(
            response_len(CMD_GET_STATEBLOB, &bytes),
            Err(PtmError::Decode(DecodeError {
                kind: DecodeErrorKind::TooLong { .. },
                ..
            }))
        ));
    }

    #[test]
    fn refuses_tpm_header_size_below_ten() {
        assert_eq!(
            tpm_header(&[0x80, 1, 0, 0, 0, 9, 0, 0, 0, 0]),
            Err(PtmError::Decode(DecodeError::new(
                "size",
                DecodeErrorKind::OutOfRange { value: 9 }
            )))
        );
    }

    fn arb_request() -> impl Strategy<Value = Request> {
        prop_oneof![
            Just(Request::GetCapability),
            any::<u32>().prop_map(|flags| Request::Init { flags }),
            Just(Request::Shutdown),
            Just(Request::Stop),
            any::<u8>().prop_map(|locality| Request::SetLocality { locality }),
            any::<u8>().prop_map(|locality| Request::ResetTpmEstablished { locality }),
            proptest::collection::vec(any::<u8>(), 0..64)
                .prop_map(|data| Request::HashData { data }),
            (any::<u32>(), 0u32..5, any::<u32>()).prop_map(|(flags, t, offset)| {
                Request::GetStateBlob {
                    flags,
                    blob_type: BlobType::from_u32(t),
                    offset,
                }
            }),
            (
                any::<u32>(),
                0u32..5,
                proptest::collection::vec(any::<u8>(), 0..64)
            )
                .prop_map(|(flags, t, data)| Request::SetStateBlob {
                    flags,
                    blob_type: BlobType::from_u32(t),
                    data,
                }),
            any::<u32>().prop_map(|size| Request::SetBufferSize { size }),
            (any::<u64>(), any::<u32>())
                .prop_map(|(flags, offset)| Request::GetInfo { flags, offset }),
            any::<u32>().prop_map(|retries| Request::LockStorage { retries }),
            (0x14u32..).prop_map(|command| Request::Unknown { command }),
        ]
    }

    fn arb_response() -> impl Strategy<Value = (u32, Response)> {
        prop_oneof![
            Just((CMD_STOP, Response::Success)),
            (1u32..).prop_map(|result| (CMD_INIT, Response::Failed { result })),
            any::<u64>().prop_map(|caps| (CMD_GET_CAPABILITY, Response::Capability { caps })),
            any::<u8>().prop_map(|bit| (CMD_GET_TPMESTABLISHED, Response::TpmEstablished { bit })),
            (
                any::<u32>(),
                any::<u32>(),
                proptest::collection::vec(any::<u8>(), 0..64)
            )
                .prop_map(|(flags, totlength, data)| (
                    CMD_GET_STATEBLOB,
                    Response::StateBlob {
                        flags,
                        totlength,
                        data
                    }
                )),
            any::<u32>().prop_map(|flags| (CMD_GET_CONFIG, Response::Config { flags })),
            (any::<u32>(), any::<u32>(), any::<u32>()).prop_map(|(size, min, max)| (
                CMD_SET_BUFFERSIZE,
                Response::BufferSize { size, min, max }
            )),
            (any::<u32>(), proptest::collection::vec(any::<u8>(), 0..64))
                .prop_map(|(totlength, data)| (CMD_GET_INFO, Response::Info { totlength, data })),
        ]
    }

    proptest! {
        #[test]
        fn request_round_trip(req in arb_request()) {
            let bytes = req.encode().unwrap();
            prop_assert_eq!(request_len(&bytes).unwrap(), bytes.len());
            prop_assert_eq!(Request::decode(&bytes).unwrap(), req);
        }

        #[test]
        fn request_truncation_never_panics(req in arb_request(), cut in any::<prop::sample::Index>()) {
            let bytes = req.encode().unwrap();
            let cut = cut.index(bytes.len());
            let prefix = &bytes[..cut];
            // The framing function never asks for fewer bytes than the full message needs
            // once the prefix is short of it.
            let need = request_len(prefix).unwrap();
            if !matches!(req, Request::Unknown { .. }) {
                prop_assert!(need > cut);
            }
            let _ = Request::decode(prefix);
        }

        #[test]
        fn response_round_trip((cmd, resp) in arb_response()) {
            let bytes = resp.encode().unwrap();
            prop_assert_eq!(response_len(cmd, &bytes).unwrap(), bytes.len());
            prop_assert_eq!(Response::decode(cmd, &bytes).unwrap(), resp);
        }

        #[test]
        fn response_truncation_is_refused((cmd, resp) in arb_response(), cut in any::<prop::sample::Index>()) {
            let bytes = resp.encode().unwrap();
            let cut = cut.index(bytes.len());
            prop_assert!(response_len(cmd, &bytes[..cut]).unwrap() > cut);
            prop_assert!(Response::decode(cmd, &bytes[..cut]).is_err());
        }

        #[test]
        fn arbitrary_bytes_never_panic(cmd in 0u32..0x20, bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = Request::decode(&bytes);
            let _ = request_len(&bytes);
            let _ = Response::decode(cmd, &bytes);
            let _ = response_len(cmd, &bytes);
            let _ = tpm_header(&bytes);
        }
    }
}
