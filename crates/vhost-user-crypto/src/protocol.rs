//! The vhost-user protocol as a backend reads and writes it (QEMU `docs/interop/vhost-user.rst`,
//! "Message types"), no I/O: a 12-byte header `{u32 request, u32 flags, u32 size}` (all
//! little-endian) and a payload of `size` bytes, file descriptors travelling beside it.
//!
//! Every message the frontend may send is parsed into a typed [`Request`] once, with its
//! payload size checked against the layout of its type; a message of the wrong size, an
//! unknown version, more memory regions than we accept or a vring index above our queue count
//! is refused with a typed [`ProtocolError`] (the daemon then drops the connection). Replies
//! are built by [`Reply`]. The crypto session messages (26, 27) come in the two layouts QEMU
//! has used: 632 bytes (QEMU < 8.1) and 1072 bytes (QEMU >= 8.1, DPDK); they are told apart
//! by size ([`CryptoSessionRequest`]).

use vtrust_wire::{DecodeError, Reader, Writer, open_enum};

/// Bytes of the message header.
pub const HEADER_LEN: usize = 12;
/// Flags bits 1:0: the protocol version, always 1.
pub const VERSION: u32 = 0x1;
/// Flags bit 2: this is a reply.
pub const FLAG_REPLY: u32 = 0x4;
/// Flags bit 3: the frontend wants a reply (REPLY_ACK protocol feature).
pub const FLAG_NEED_REPLY: u32 = 0x8;
/// Flags bits we understand.
const KNOWN_FLAGS: u32 = 0x3 | FLAG_REPLY | FLAG_NEED_REPLY;
/// Our limit on a payload (the largest message we parse is the 1072-byte crypto session).
pub const MAX_PAYLOAD: usize = 4096;
/// Memory regions of SET_MEM_TABLE (VHOST_MEMORY_BASELINE_NREGIONS).
pub const MAX_TABLE_REGIONS: usize = 8;
/// Bytes of one memory region description.
pub const REGION_LEN: usize = 32;
/// SET_VRING_KICK/CALL/ERR payload bit 8: no file descriptor (polling mode).
pub const VRING_NOFD: u64 = 0x100;
/// SET_VRING_KICK/CALL/ERR payload bits 7:0: the vring index.
pub const VRING_INDEX_MASK: u64 = 0xFF;

open_enum! {
    /// vhost-user front-end message types (`VHOST_USER_*`).
    pub enum FrontendReq: u32 {
        /// VHOST_USER_GET_FEATURES.
        GetFeatures = 1,
        /// VHOST_USER_SET_FEATURES.
        SetFeatures = 2,
        /// VHOST_USER_SET_OWNER.
        SetOwner = 3,
        /// VHOST_USER_RESET_OWNER.
        ResetOwner = 4,
        /// VHOST_USER_SET_MEM_TABLE.
        SetMemTable = 5,
        /// VHOST_USER_SET_LOG_BASE.
        SetLogBase = 6,
        /// VHOST_USER_SET_LOG_FD.
        SetLogFd = 7,
        /// VHOST_USER_SET_VRING_NUM.
        SetVringNum = 8,
        /// VHOST_USER_SET_VRING_ADDR.
        SetVringAddr = 9,
        /// VHOST_USER_SET_VRING_BASE.
        SetVringBase = 10,
        /// VHOST_USER_GET_VRING_BASE.
        GetVringBase = 11,
        /// VHOST_USER_SET_VRING_KICK.
        SetVringKick = 12,
        /// VHOST_USER_SET_VRING_CALL.
        SetVringCall = 13,
        /// VHOST_USER_SET_VRING_ERR.
        SetVringErr = 14,
        /// VHOST_USER_GET_PROTOCOL_FEATURES.
        GetProtocolFeatures = 15,
        /// VHOST_USER_SET_PROTOCOL_FEATURES.
        SetProtocolFeatures = 16,
        /// VHOST_USER_GET_QUEUE_NUM.
        GetQueueNum = 17,
        /// VHOST_USER_SET_VRING_ENABLE.
        SetVringEnable = 18,
        /// VHOST_USER_SEND_RARP.
        SendRarp = 19,
        /// VHOST_USER_NET_SET_MTU.
        NetSetMtu = 20,
        /// VHOST_USER_SET_BACKEND_REQ_FD.
        SetBackendReqFd = 21,
        /// VHOST_USER_IOTLB_MSG.
        IotlbMsg = 22,
        /// VHOST_USER_SET_VRING_ENDIAN.
        SetVringEndian = 23,
        /// VHOST_USER_GET_CONFIG.
        GetConfig = 24,
        /// VHOST_USER_SET_CONFIG.
        SetConfig = 25,
        /// VHOST_USER_CREATE_CRYPTO_SESSION.
        CreateCryptoSession = 26,
        /// VHOST_USER_CLOSE_CRYPTO_SESSION.
        CloseCryptoSession = 27,
        /// VHOST_USER_POSTCOPY_ADVISE.
        PostcopyAdvise = 28,
        /// VHOST_USER_POSTCOPY_LISTEN.
        PostcopyListen = 29,
        /// VHOST_USER_POSTCOPY_END.
        PostcopyEnd = 30,
        /// VHOST_USER_GET_INFLIGHT_FD.
        GetInflightFd = 31,
        /// VHOST_USER_SET_INFLIGHT_FD.
        SetInflightFd = 32,
        /// VHOST_USER_GPU_SET_SOCKET.
        GpuSetSocket = 33,
        /// VHOST_USER_RESET_DEVICE.
        ResetDevice = 34,
        /// VHOST_USER_VRING_KICK.
        VringKick = 35,
        /// VHOST_USER_GET_MAX_MEM_SLOTS.
        GetMaxMemSlots = 36,
        /// VHOST_USER_ADD_MEM_REG.
        AddMemReg = 37,
        /// VHOST_USER_REM_MEM_REG.
        RemMemReg = 38,
        /// VHOST_USER_SET_STATUS.
        SetStatus = 39,
        /// VHOST_USER_GET_STATUS.
        GetStatus = 40,
    }
}

/// Protocol feature bits (`VHOST_USER_PROTOCOL_F_*`).
pub mod protocol_features {
    /// MQ: several queues (GET_QUEUE_NUM).
    pub const MQ: u64 = 1 << 0;
    /// REPLY_ACK: NEED_REPLY honoured.
    pub const REPLY_ACK: u64 = 1 << 3;
    /// CRYPTO_SESSION: messages 26 and 27.
    pub const CRYPTO_SESSION: u64 = 1 << 7;
    /// CONFIGURE_MEM_SLOTS: ADD_MEM_REG / REM_MEM_REG / GET_MAX_MEM_SLOTS.
    pub const CONFIGURE_MEM_SLOTS: u64 = 1 << 15;
}

/// Why a message was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProtocolError {
    /// The bytes do not parse.
    #[error("Malformed message: {0}")]
    Malformed(#[from] DecodeError),
    /// Flags bits 1:0 are not version 1, or unknown flag bits are set.
    #[error("Unsupported flags {0:#x}")]
    BadFlags(u32),
    /// The payload size does not fit the message type.
    #[error("{request:?}: payload of {size} bytes, expected {expected}")]
    BadSize {
        /// The message type.
        request: FrontendReq,
        /// The header's size.
        size: usize,
        /// What the type needs.
        expected: &'static str,
    },
    /// A payload above [`MAX_PAYLOAD`].
    #[error("Payload of {0} bytes is above our limit")]
    TooLarge(usize),
    /// SET_MEM_TABLE with more regions than the table holds.
    #[error("SET_MEM_TABLE with {0} regions (at most 8)")]
    TooManyRegions(u32),
}

/// A parsed header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// The message type.
    pub request: FrontendReq,
    /// The flags.
    pub flags: u32,
    /// The payload size.
    pub size: usize,
}

impl Header {
    /// Parses the 12-byte header.
    ///
    /// # Errors
    /// Truncated, bad flags, or a size above [`MAX_PAYLOAD`].
    pub fn decode(bytes: &[u8]) -> Result<Self, ProtocolError> {
        let mut r = Reader::new(bytes);
        let request = FrontendReq::from(r.u32_le("request")?);
        let flags = r.u32_le("flags")?;
        let size = usize::try_from(r.u32_le("size")?).unwrap_or(usize::MAX);
        if flags & 0x3 != VERSION || flags & !KNOWN_FLAGS != 0 {
            return Err(ProtocolError::BadFlags(flags));
        }
        if size > MAX_PAYLOAD {
            return Err(ProtocolError::TooLarge(size));
        }
        Ok(Self {
            request,
            flags,
            size,
        })
    }

    /// Whether the frontend asked for a REPLY_ACK.
    #[must_use]
    pub const fn need_reply(&self) -> bool {
        self.flags & FLAG_NEED_REPLY != 0
    }
}

/// `struct vhost_vring_state`: an index and a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VringState {
    /// The vring index.
    pub index: u32,
    /// The number (size, base, or enable flag).
    pub num: u32,
}

/// `struct vhost_vring_addr`: user addresses (in the frontend's address space) of a vring.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VringAddr {
    /// The vring index.
    pub index: u32,
    /// Flags (bit 0: log).
    pub flags: u32,
    /// Descriptor table.
    pub desc_user_addr: u64,
    /// Used ring.
    pub used_user_addr: u64,
    /// Available ring.
    pub avail_user_addr: u64,
    /// Log address.
    pub log_guest_addr: u64,
}

/// A memory region description: guest physical range, the frontend's mapping and the offset
/// in the region's file descriptor (which travels with the message).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryRegion {
    /// Guest physical address.
    pub guest_phys_addr: u64,
    /// Size in bytes.
    pub memory_size: u64,
    /// The frontend's virtual address of the region (vring addresses use these).
    pub userspace_addr: u64,
    /// Offset of the region in the file descriptor.
    pub mmap_offset: u64,
}

impl MemoryRegion {
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            guest_phys_addr: r.u64_le("guest_phys_addr")?,
            memory_size: r.u64_le("memory_size")?,
            userspace_addr: r.u64_le("userspace_addr")?,
            mmap_offset: r.u64_le("mmap_offset")?,
        })
    }
}

/// `VirtioCryptoSymSessionInfo` as QEMU sends it in CREATE_CRYPTO_SESSION (48 bytes; the two
/// host pointers at the end are ignored).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SymSessionInfo {
    /// VIRTIO_CRYPTO_CIPHER_* algorithm.
    pub cipher_alg: u32,
    /// Cipher key length.
    pub key_len: u32,
    /// VIRTIO_CRYPTO_HASH_* / MAC_* algorithm of a chained session.
    pub hash_alg: u32,
    /// Hash result length.
    pub hash_result_len: u32,
    /// MAC key length.
    pub auth_key_len: u32,
    /// Additional authenticated data length.
    pub add_len: u32,
    /// VIRTIO_CRYPTO_SYM_OP_* (cipher or algorithm chaining).
    pub op_type: u8,
    /// VIRTIO_CRYPTO_OP_ENCRYPT / DECRYPT.
    pub direction: u8,
    /// VIRTIO_CRYPTO_SYM_HASH_MODE_*.
    pub hash_mode: u8,
    /// VIRTIO_CRYPTO_SYM_ALG_CHAIN_ORDER_*.
    pub alg_chain_order: u8,
}

/// Bytes of [`SymSessionInfo`] on the wire.
pub const SYM_SESSION_INFO_LEN: usize = 48;
/// The legacy form's cipher key area.
const SYM_KEY_LEN: usize = 64;
/// The legacy form's MAC key area.
const SYM_AUTH_KEY_LEN: usize = 512;
/// The 1072-byte form's asymmetric key area.
const ASYM_KEY_LEN: usize = 1024;

impl SymSessionInfo {
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let info = Self {
            cipher_alg: r.u32_le("cipher_alg")?,
            key_len: r.u32_le("key_len")?,
            hash_alg: r.u32_le("hash_alg")?,
            hash_result_len: r.u32_le("hash_result_len")?,
            auth_key_len: r.u32_le("auth_key_len")?,
            add_len: r.u32_le("add_len")?,
            op_type: r.u8("op_type")?,
            direction: r.u8("direction")?,
            hash_mode: r.u8("hash_mode")?,
            alg_chain_order: r.u8("alg_chain_order")?,
        };
        // 24 + 4 bytes read; 4 bytes padding and two host pointers make SYM_SESSION_INFO_LEN.
        r.bytes("padding and host pointers", SYM_SESSION_INFO_LEN - 28)?;
        Ok(info)
    }
}

/// `VirtioCryptoAsymSessionInfo` (32 bytes) of the 1072-byte form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AsymSessionInfo {
    /// VIRTIO_CRYPTO_AKCIPHER_* algorithm.
    pub algo: u32,
    /// Key type (public/private).
    pub keytype: u32,
    /// Key length.
    pub keylen: u32,
    /// RSA padding.
    pub rsa_padding: u32,
    /// RSA hash.
    pub rsa_hash: u32,
}

impl AsymSessionInfo {
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let algo = r.u32_le("algo")?;
        let keytype = r.u32_le("keytype")?;
        let keylen = r.u32_le("keylen")?;
        r.bytes("padding and host pointer", 4 + 8)?;
        let rsa_padding = r.u32_le("rsa.padding_algo")?;
        let rsa_hash = r.u32_le("rsa.hash_algo")?;
        Ok(Self {
            algo,
            keytype,
            keylen,
            rsa_padding,
            rsa_hash,
        })
    }
}

/// What a CREATE_CRYPTO_SESSION asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionParams {
    /// A symmetric session (cipher, or cipher chained with hash/MAC).
    Sym {
        /// The parameters.
        info: SymSessionInfo,
        /// The cipher key (`key_len` bytes of the key area).
        key: Vec<u8>,
        /// The MAC key (`auth_key_len` bytes of the auth key area).
        auth_key: Vec<u8>,
    },
    /// An asymmetric session (1072-byte form only).
    Asym {
        /// The parameters.
        info: AsymSessionInfo,
        /// The key (`keylen` bytes of the key area).
        key: Vec<u8>,
    },
}

/// The two layouts of CREATE_CRYPTO_SESSION.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionForm {
    /// QEMU < 8.1: `{i64 session_id; sym info; key[64]; auth_key[512]}`, 632 bytes.
    Legacy632,
    /// QEMU >= 8.1 and DPDK: `{u64 op_code; union{sym, asym}; i64 session_id @1064}`, 1072
    /// bytes.
    Full1072 {
        /// The virtio-crypto opcode of the session (CIPHER_CREATE_SESSION, AKCIPHER_CREATE_SESSION).
        op_code: u64,
    },
}

impl SessionForm {
    /// The payload size of this form.
    #[must_use]
    pub const fn len(self) -> usize {
        match self {
            Self::Legacy632 => 632,
            Self::Full1072 { .. } => 1072,
        }
    }

    /// Always false: a form has a size.
    #[must_use]
    pub const fn is_empty(self) -> bool {
        false
    }

    /// Offset of `session_id` in the payload (where the reply puts the new id).
    #[must_use]
    pub const fn session_id_offset(self) -> usize {
        match self {
            Self::Legacy632 => 0,
            Self::Full1072 { .. } => 1064,
        }
    }
}

/// A parsed CREATE_CRYPTO_SESSION.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CryptoSessionRequest {
    /// Which layout came (the reply uses the same).
    pub form: SessionForm,
    /// The session parameters.
    pub params: SessionParams,
}

/// The virtio-crypto opcode of AKCIPHER_CREATE_SESSION (VIRTIO 1.3 §5.9.7.2).
const AKCIPHER_CREATE_SESSION: u64 = 0x404;

fn sym_from(r: &mut Reader<'_>) -> Result<SessionParams, ProtocolError> {
    let info = SymSessionInfo::decode(r)?;
    let key_area = r.bytes("key", SYM_KEY_LEN)?;
    let auth_area = r.bytes("auth_key", SYM_AUTH_KEY_LEN)?;
    let key = usize::try_from(info.key_len)
        .ok()
        .and_then(|n| key_area.get(..n))
        .ok_or(ProtocolError::BadSize {
            request: FrontendReq::CreateCryptoSession,
            size: usize::try_from(info.key_len).unwrap_or(usize::MAX),
            expected: "key_len at most 64",
        })?;
    let auth_key = usize::try_from(info.auth_key_len)
        .ok()
        .and_then(|n| auth_area.get(..n))
        .ok_or(ProtocolError::BadSize {
            request: FrontendReq::CreateCryptoSession,
            size: usize::try_from(info.auth_key_len).unwrap_or(usize::MAX),
            expected: "auth_key_len at most 512",
        })?;
    Ok(SessionParams::Sym {
        info,
        key: key.to_vec(),
        auth_key: auth_key.to_vec(),
    })
}

impl CryptoSessionRequest {
    fn decode(payload: &[u8]) -> Result<Self, ProtocolError> {
        let mut r = Reader::new(payload);
        match payload.len() {
            632 => {
                r.u64_le("session_id")?;
                let params = sym_from(&mut r)?;
                Ok(Self {
                    form: SessionForm::Legacy632,
                    params,
                })
            }
            1072 => {
                let op_code = r.u64_le("op_code")?;
                let union = r.bytes("u", 1056)?;
                let mut u = Reader::new(union);
                let params = if op_code == AKCIPHER_CREATE_SESSION {
                    let info = AsymSessionInfo::decode(&mut u)?;
                    let area = u.bytes("key", ASYM_KEY_LEN)?;
                    let key = usize::try_from(info.keylen)
                        .ok()
                        .and_then(|n| area.get(..n))
                        .ok_or(ProtocolError::BadSize {
                            request: FrontendReq::CreateCryptoSession,
                            size: usize::try_from(info.keylen).unwrap_or(usize::MAX),
                            expected: "keylen at most 1024",
                        })?;
                    SessionParams::Asym {
                        info,
                        key: key.to_vec(),
                    }
                } else {
                    sym_from(&mut u)?
                };
                Ok(Self {
                    form: SessionForm::Full1072 { op_code },
                    params,
                })
            }
            size => Err(ProtocolError::BadSize {
                request: FrontendReq::CreateCryptoSession,
                size,
                expected: "632 (QEMU < 8.1) or 1072 bytes",
            }),
        }
    }
}

/// A frontend message, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Request {
    /// GET_FEATURES.
    GetFeatures,
    /// SET_FEATURES(features).
    SetFeatures(u64),
    /// SET_OWNER.
    SetOwner,
    /// RESET_OWNER.
    ResetOwner,
    /// SET_MEM_TABLE (one fd per region).
    SetMemTable(Vec<MemoryRegion>),
    /// SET_VRING_NUM.
    SetVringNum(VringState),
    /// SET_VRING_ADDR.
    SetVringAddr(VringAddr),
    /// SET_VRING_BASE.
    SetVringBase(VringState),
    /// GET_VRING_BASE (stops the ring).
    GetVringBase(VringState),
    /// SET_VRING_KICK (index; `true` if an fd comes).
    SetVringKick {
        /// The vring.
        index: u8,
        /// An eventfd travels with the message (else: polling).
        has_fd: bool,
    },
    /// SET_VRING_CALL.
    SetVringCall {
        /// The vring.
        index: u8,
        /// An eventfd travels with the message.
        has_fd: bool,
    },
    /// SET_VRING_ERR.
    SetVringErr {
        /// The vring.
        index: u8,
        /// An eventfd travels with the message.
        has_fd: bool,
    },
    /// GET_PROTOCOL_FEATURES.
    GetProtocolFeatures,
    /// SET_PROTOCOL_FEATURES.
    SetProtocolFeatures(u64),
    /// GET_QUEUE_NUM.
    GetQueueNum,
    /// SET_VRING_ENABLE.
    SetVringEnable(VringState),
    /// GET_MAX_MEM_SLOTS.
    GetMaxMemSlots,
    /// ADD_MEM_REG (one fd).
    AddMemReg(MemoryRegion),
    /// REM_MEM_REG.
    RemMemReg(MemoryRegion),
    /// CREATE_CRYPTO_SESSION.
    CreateCryptoSession(CryptoSessionRequest),
    /// CLOSE_CRYPTO_SESSION(session id).
    CloseCryptoSession(u64),
    /// SET_STATUS.
    SetStatus(u8),
    /// GET_STATUS.
    GetStatus,
    /// RESET_DEVICE.
    ResetDevice,
    /// Any other type: refused by the handler (with a reply if one is due).
    Unsupported(FrontendReq),
}

fn exact(
    request: FrontendReq,
    payload: &[u8],
    len: usize,
    expected: &'static str,
) -> Result<(), ProtocolError> {
    if payload.len() == len {
        Ok(())
    } else {
        Err(ProtocolError::BadSize {
            request,
            size: payload.len(),
            expected,
        })
    }
}

impl Request {
    /// Parses the payload of a message whose header is `header`.
    ///
    /// # Errors
    /// A payload that does not fit the type.
    pub fn decode(header: &Header, payload: &[u8]) -> Result<Self, ProtocolError> {
        use FrontendReq as F;
        let req = header.request;
        if payload.len() != header.size {
            return Err(ProtocolError::BadSize {
                request: req,
                size: payload.len(),
                expected: "the header's size",
            });
        }
        let mut r = Reader::new(payload);
        let u64_of = |r: &mut Reader<'_>| -> Result<u64, ProtocolError> {
            exact(req, payload, 8, "8 bytes (u64)")?;
            Ok(r.u64_le("u64")?)
        };
        let state_of = |r: &mut Reader<'_>| -> Result<VringState, ProtocolError> {
            exact(req, payload, 8, "8 bytes (vring state)")?;
            Ok(VringState {
                index: r.u32_le("index")?,
                num: r.u32_le("num")?,
            })
        };
        let fd_of = |r: &mut Reader<'_>| -> Result<(u8, bool), ProtocolError> {
            let v = u64_of(r)?;
            let index = u8::try_from(v & VRING_INDEX_MASK).unwrap_or(u8::MAX);
            Ok((index, v & VRING_NOFD == 0))
        };
        let none = |r: &Reader<'_>| -> Result<(), ProtocolError> {
            // Messages without a payload may still carry a u64 (QEMU sends 0 with SET_OWNER
            // on some paths); accept empty or 8 bytes.
            if r.remaining() == 0 || r.remaining() == 8 {
                Ok(())
            } else {
                Err(ProtocolError::BadSize {
                    request: req,
                    size: r.remaining(),
                    expected: "no payload",
                })
            }
        };
        Ok(match req {
            F::GetFeatures => {
                none(&r)?;
                Self::GetFeatures
            }
            F::SetFeatures => Self::SetFeatures(u64_of(&mut r)?),
            F::SetOwner => {
                none(&r)?;
                Self::SetOwner
            }
            F::ResetOwner => {
                none(&r)?;
                Self::ResetOwner
            }
            F::SetMemTable => {
                let n = r.u32_le("nregions")?;
                r.u32_le("padding")?;
                let count = usize::try_from(n).unwrap_or(usize::MAX);
                if count > MAX_TABLE_REGIONS {
                    return Err(ProtocolError::TooManyRegions(n));
                }
                // QEMU sends the whole 8-entry table or just `nregions` entries.
                let rest = r.remaining();
                if rest != count.saturating_mul(REGION_LEN)
                    && rest != MAX_TABLE_REGIONS.saturating_mul(REGION_LEN)
                {
                    return Err(ProtocolError::BadSize {
                        request: req,
                        size: payload.len(),
                        expected: "8 + 32 x nregions (or x 8) bytes",
                    });
                }
                let mut regions = Vec::with_capacity(count);
                for _ in 0..count {
                    regions.push(MemoryRegion::decode(&mut r)?);
                }
                Self::SetMemTable(regions)
            }
            F::SetVringNum => Self::SetVringNum(state_of(&mut r)?),
            F::SetVringAddr => {
                exact(req, payload, 40, "40 bytes (vring addr)")?;
                Self::SetVringAddr(VringAddr {
                    index: r.u32_le("index")?,
                    flags: r.u32_le("flags")?,
                    desc_user_addr: r.u64_le("desc_user_addr")?,
                    used_user_addr: r.u64_le("used_user_addr")?,
                    avail_user_addr: r.u64_le("avail_user_addr")?,
                    log_guest_addr: r.u64_le("log_guest_addr")?,
                })
            }
            F::SetVringBase => Self::SetVringBase(state_of(&mut r)?),
            F::GetVringBase => Self::GetVringBase(state_of(&mut r)?),
            F::SetVringKick => {
                let (index, has_fd) = fd_of(&mut r)?;
                Self::SetVringKick { index, has_fd }
            }
            F::SetVringCall => {
                let (index, has_fd) = fd_of(&mut r)?;
                Self::SetVringCall { index, has_fd }
            }
            F::SetVringErr => {
                let (index, has_fd) = fd_of(&mut r)?;
                Self::SetVringErr { index, has_fd }
            }
            F::GetProtocolFeatures => {
                none(&r)?;
                Self::GetProtocolFeatures
            }
            F::SetProtocolFeatures => Self::SetProtocolFeatures(u64_of(&mut r)?),
            F::GetQueueNum => {
                none(&r)?;
                Self::GetQueueNum
            }
            F::SetVringEnable => Self::SetVringEnable(state_of(&mut r)?),
            F::GetMaxMemSlots => {
                none(&r)?;
                Self::GetMaxMemSlots
            }
            F::AddMemReg | F::RemMemReg => {
                exact(req, payload, 8 + REGION_LEN, "40 bytes (padding + region)")?;
                r.u64_le("padding")?;
                let region = MemoryRegion::decode(&mut r)?;
                if req == F::AddMemReg {
                    Self::AddMemReg(region)
                } else {
                    Self::RemMemReg(region)
                }
            }
            F::CreateCryptoSession => {
                Self::CreateCryptoSession(CryptoSessionRequest::decode(payload)?)
            }
            F::CloseCryptoSession => Self::CloseCryptoSession(u64_of(&mut r)?),
            F::SetStatus => {
                let v = u64_of(&mut r)?;
                Self::SetStatus(u8::try_from(v & 0xFF).unwrap_or(0))
            }
            F::GetStatus => {
                none(&r)?;
                Self::GetStatus
            }
            F::ResetDevice => {
                none(&r)?;
                Self::ResetDevice
            }
            other => Self::Unsupported(other),
        })
    }
}

/// A reply to the frontend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// A u64 (GET_FEATURES, GET_PROTOCOL_FEATURES, GET_QUEUE_NUM, GET_MAX_MEM_SLOTS,
    /// GET_STATUS, and the REPLY_ACK status: 0 = success).
    U64(u64),
    /// A vring state (GET_VRING_BASE).
    VringState(VringState),
    /// CREATE_CRYPTO_SESSION: the same form as the request with `session_id` set (negative on
    /// failure).
    CryptoSession {
        /// The request's layout.
        form: SessionForm,
        /// The new session id, or a negative error.
        session_id: i64,
    },
}

impl Reply {
    /// The whole reply message (header with REPLY set, and payload) for `request`.
    #[must_use]
    pub fn to_message(&self, request: FrontendReq) -> Vec<u8> {
        let mut payload = Writer::new();
        // Writers without a limit only fail on allocation; an empty payload is then sent.
        let _ = match self {
            Self::U64(v) => payload.u64_le("u64", *v),
            Self::VringState(s) => payload
                .u32_le("index", s.index)
                .and_then(|()| payload.u32_le("num", s.num)),
            Self::CryptoSession { form, session_id } => {
                let mut body = vec![0u8; form.len()];
                if let SessionForm::Full1072 { op_code } = form
                    && let Some(b) = body.get_mut(..8)
                {
                    b.copy_from_slice(&op_code.to_le_bytes());
                }
                let at = form.session_id_offset();
                if let Some(b) = body.get_mut(at..at.saturating_add(8)) {
                    b.copy_from_slice(&session_id.to_le_bytes());
                }
                payload.bytes("payload", &body)
            }
        };
        let body = payload.as_slice();
        let mut out = Vec::with_capacity(HEADER_LEN.saturating_add(body.len()));
        out.extend_from_slice(&u32::from(request).to_le_bytes());
        out.extend_from_slice(&(VERSION | FLAG_REPLY).to_le_bytes());
        out.extend_from_slice(&u32::try_from(body.len()).unwrap_or(0).to_le_bytes());
        out.extend_from_slice(body);
        out
    }
}
