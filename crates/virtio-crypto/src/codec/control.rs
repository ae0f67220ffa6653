//! Control queue requests: `virtio_crypto_ctrl_header`, the per-service
//! `*_create_session_flf` and `destroy_session_flf`, and the session input. VIRTIO 1.3
//! §5.9.7.2.

use vtrust_wire::{DecodeError, Reader};

use super::{LEGACY_CTRL_FLF_LEN, Layout, flf, pad, put32};
use crate::spec::{ctrl_op, sym};

/// `struct virtio_crypto_ctrl_header` (16 bytes). VIRTIO 1.3 §5.9.7.2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CtrlHeader {
    /// `opcode`: `VIRTIO_CRYPTO_*_CREATE_SESSION` / `*_DESTROY_SESSION`.
    pub opcode: u32,
    /// `algo`.
    pub algo: u32,
    /// `flag`.
    pub flag: u32,
    /// `reserved` (Linux: `queue_id`); ignored.
    pub reserved: u32,
}

impl CtrlHeader {
    /// Encoded size.
    pub const LEN: usize = 16;

    /// Parses the header.
    pub fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            opcode: r.u32_le("ctrl_header.opcode")?,
            algo: r.u32_le("ctrl_header.algo")?,
            flag: r.u32_le("ctrl_header.flag")?,
            reserved: r.u32_le("ctrl_header.reserved")?,
        })
    }

    /// Serializes the header.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(Self::LEN);
        put32(&mut out, self.opcode);
        put32(&mut out, self.algo);
        put32(&mut out, self.flag);
        put32(&mut out, self.reserved);
        out
    }
}

/// `struct virtio_crypto_cipher_session_flf` (16 bytes). VIRTIO 1.3 §5.9.7.2.1.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CipherSessionFlf {
    /// `algo`: `VIRTIO_CRYPTO_CIPHER_*`.
    pub algo: u32,
    /// `key_len`.
    pub key_len: u32,
    /// `op`: `VIRTIO_CRYPTO_OP_ENCRYPT` (1) or `_DECRYPT` (2).
    pub op: u32,
}

impl CipherSessionFlf {
    /// Encoded size.
    pub const LEN: usize = 16;

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let v = Self {
            algo: r.u32_le("cipher_session_flf.algo")?,
            key_len: r.u32_le("cipher_session_flf.key_len")?,
            op: r.u32_le("cipher_session_flf.op")?,
        };
        r.skip_reserved("cipher_session_flf.padding", 4)?;
        Ok(v)
    }

    fn encode_into(&self, out: &mut Vec<u8>) {
        put32(out, self.algo);
        put32(out, self.key_len);
        put32(out, self.op);
        put32(out, 0);
    }
}

/// `struct virtio_crypto_hash_create_session_flf` (8 bytes). VIRTIO 1.3 §5.9.7.2.1.2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashCreateSessionFlf {
    /// `algo`: `VIRTIO_CRYPTO_HASH_*`.
    pub algo: u32,
    /// `hash_result_len`.
    pub hash_result_len: u32,
}

impl HashCreateSessionFlf {
    /// Encoded size.
    pub const LEN: usize = 8;

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            algo: r.u32_le("hash_create_session_flf.algo")?,
            hash_result_len: r.u32_le("hash_create_session_flf.hash_result_len")?,
        })
    }

    fn encode_into(&self, out: &mut Vec<u8>) {
        put32(out, self.algo);
        put32(out, self.hash_result_len);
    }
}

/// `struct virtio_crypto_mac_create_session_flf` (16 bytes). VIRTIO 1.3 §5.9.7.2.1.3.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MacCreateSessionFlf {
    /// `algo`: `VIRTIO_CRYPTO_MAC_*`.
    pub algo: u32,
    /// `hash_result_len`.
    pub hash_result_len: u32,
    /// `auth_key_len`.
    pub auth_key_len: u32,
}

impl MacCreateSessionFlf {
    /// Encoded size.
    pub const LEN: usize = 16;

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let v = Self {
            algo: r.u32_le("mac_create_session_flf.algo")?,
            hash_result_len: r.u32_le("mac_create_session_flf.hash_result_len")?,
            auth_key_len: r.u32_le("mac_create_session_flf.auth_key_len")?,
        };
        r.skip_reserved("mac_create_session_flf.padding", 4)?;
        Ok(v)
    }

    fn encode_into(&self, out: &mut Vec<u8>) {
        put32(out, self.algo);
        put32(out, self.hash_result_len);
        put32(out, self.auth_key_len);
        put32(out, 0);
    }
}

/// The hash half of an algorithm chain: `alg_chain_session_flf.algo_flf` read according to
/// `hash_mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChainHashFlf {
    /// `VIRTIO_CRYPTO_SYM_HASH_MODE_PLAIN`: a hash.
    Plain(HashCreateSessionFlf),
    /// `VIRTIO_CRYPTO_SYM_HASH_MODE_AUTH`: a MAC.
    Auth(MacCreateSessionFlf),
    /// Any other mode (NESTED, unknown); kept raw, refused by the session layer.
    Other(u32),
}

/// `struct virtio_crypto_alg_chain_session_flf` (48 bytes). VIRTIO 1.3 §5.9.7.2.1.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AlgChainSessionFlf {
    /// `alg_chain_order`: `VIRTIO_CRYPTO_SYM_ALG_CHAIN_ORDER_*`.
    pub alg_chain_order: u32,
    /// `hash_mode` with the matching `algo_flf`.
    pub hash: ChainHashFlf,
    /// `cipher_hdr`.
    pub cipher: CipherSessionFlf,
    /// `aad_len`.
    pub aad_len: u32,
}

impl AlgChainSessionFlf {
    /// Encoded size.
    pub const LEN: usize = 48;

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let alg_chain_order = r.u32_le("alg_chain_session_flf.alg_chain_order")?;
        let hash_mode = r.u32_le("alg_chain_session_flf.hash_mode")?;
        let cipher = CipherSessionFlf::decode(r)?;
        let mut algo = r.sub("alg_chain_session_flf.algo_flf", 16)?;
        let hash = match hash_mode {
            sym::HASH_MODE_PLAIN => ChainHashFlf::Plain(HashCreateSessionFlf::decode(&mut algo)?),
            sym::HASH_MODE_AUTH => ChainHashFlf::Auth(MacCreateSessionFlf::decode(&mut algo)?),
            other => ChainHashFlf::Other(other),
        };
        let aad_len = r.u32_le("alg_chain_session_flf.aad_len")?;
        r.skip_reserved("alg_chain_session_flf.padding", 4)?;
        Ok(Self {
            alg_chain_order,
            hash,
            cipher,
            aad_len,
        })
    }

    fn encode_into(&self, out: &mut Vec<u8>) {
        put32(out, self.alg_chain_order);
        let mut algo = Vec::with_capacity(16);
        let mode = match self.hash {
            ChainHashFlf::Plain(h) => {
                h.encode_into(&mut algo);
                sym::HASH_MODE_PLAIN
            }
            ChainHashFlf::Auth(m) => {
                m.encode_into(&mut algo);
                sym::HASH_MODE_AUTH
            }
            ChainHashFlf::Other(mode) => mode,
        };
        algo.resize(16, 0);
        put32(out, mode);
        self.cipher.encode_into(out);
        out.extend_from_slice(&algo);
        put32(out, self.aad_len);
        put32(out, 0);
    }
}

/// `struct virtio_crypto_sym_create_session_flf` (56 bytes): `op_flf[48]` chosen by
/// `op_type`. VIRTIO 1.3 §5.9.7.2.1.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SymCreateSessionFlf {
    /// `VIRTIO_CRYPTO_SYM_OP_CIPHER`.
    Cipher(CipherSessionFlf),
    /// `VIRTIO_CRYPTO_SYM_OP_ALGORITHM_CHAINING`.
    Chain(AlgChainSessionFlf),
    /// Any other `op_type` (NONE, unknown); refused by the session layer.
    Other(u32),
}

impl SymCreateSessionFlf {
    /// Encoded size.
    pub const LEN: usize = 56;

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let mut op = r.sub("sym_create_session_flf.op_flf", 48)?;
        let op_type = r.u32_le("sym_create_session_flf.op_type")?;
        r.skip_reserved("sym_create_session_flf.padding", 4)?;
        Ok(match op_type {
            sym::OP_CIPHER => Self::Cipher(CipherSessionFlf::decode(&mut op)?),
            sym::OP_ALGORITHM_CHAINING => Self::Chain(AlgChainSessionFlf::decode(&mut op)?),
            other => Self::Other(other),
        })
    }

    fn encode_into(&self, out: &mut Vec<u8>) {
        let mut op = Vec::with_capacity(48);
        let op_type = match self {
            Self::Cipher(c) => {
                c.encode_into(&mut op);
                sym::OP_CIPHER
            }
            Self::Chain(c) => {
                c.encode_into(&mut op);
                sym::OP_ALGORITHM_CHAINING
            }
            Self::Other(t) => *t,
        };
        op.resize(48, 0);
        out.extend_from_slice(&op);
        put32(out, op_type);
        put32(out, 0);
    }
}

/// `struct virtio_crypto_aead_create_session_flf` (24 bytes). VIRTIO 1.3 §5.9.7.2.1.4.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AeadCreateSessionFlf {
    /// `algo`: `VIRTIO_CRYPTO_AEAD_*`.
    pub algo: u32,
    /// `key_len`.
    pub key_len: u32,
    /// `tag_len`.
    pub tag_len: u32,
    /// `aad_len` (the most AAD a request may carry).
    pub aad_len: u32,
    /// `op`: `VIRTIO_CRYPTO_OP_ENCRYPT` or `_DECRYPT`.
    pub op: u32,
}

impl AeadCreateSessionFlf {
    /// Encoded size.
    pub const LEN: usize = 24;

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let v = Self {
            algo: r.u32_le("aead_create_session_flf.algo")?,
            key_len: r.u32_le("aead_create_session_flf.key_len")?,
            tag_len: r.u32_le("aead_create_session_flf.tag_len")?,
            aad_len: r.u32_le("aead_create_session_flf.aad_len")?,
            op: r.u32_le("aead_create_session_flf.op")?,
        };
        r.skip_reserved("aead_create_session_flf.padding", 4)?;
        Ok(v)
    }

    fn encode_into(&self, out: &mut Vec<u8>) {
        for v in [
            self.algo,
            self.key_len,
            self.tag_len,
            self.aad_len,
            self.op,
            0,
        ] {
            put32(out, v);
        }
    }
}

/// `struct virtio_crypto_akcipher_create_session_flf` (56 bytes). VIRTIO 1.3 §5.9.7.2.1.6.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AkcipherCreateSessionFlf {
    /// `algo`: `VIRTIO_CRYPTO_AKCIPHER_RSA` or `_ECDSA`.
    pub algo: u32,
    /// `key_type`: `VIRTIO_CRYPTO_AKCIPHER_KEY_TYPE_PUBLIC` or `_PRIVATE`.
    pub key_type: u32,
    /// `key_len`.
    pub key_len: u32,
    /// The first two words of `algo_flf`: RSA `{padding_algo, hash_algo}`, ECDSA `{curve_id, 0}`.
    pub algo_params: [u32; 2],
}

impl AkcipherCreateSessionFlf {
    /// Encoded size.
    pub const LEN: usize = 56;

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let algo = r.u32_le("akcipher_create_session_flf.algo")?;
        let key_type = r.u32_le("akcipher_create_session_flf.key_type")?;
        let key_len = r.u32_le("akcipher_create_session_flf.key_len")?;
        let p0 = r.u32_le("akcipher_create_session_flf.algo_flf")?;
        let p1 = r.u32_le("akcipher_create_session_flf.algo_flf")?;
        r.skip_reserved("akcipher_create_session_flf.algo_flf", 36)?;
        Ok(Self {
            algo,
            key_type,
            key_len,
            algo_params: [p0, p1],
        })
    }

    fn encode_into(&self, out: &mut Vec<u8>) {
        put32(out, self.algo);
        put32(out, self.key_type);
        put32(out, self.key_len);
        put32(out, self.algo_params[0]);
        put32(out, self.algo_params[1]);
        out.resize(out.len().saturating_add(36), 0);
    }
}

/// The `op_flf` of a control request, chosen by `ctrl_header.opcode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CtrlFlf {
    /// `VIRTIO_CRYPTO_CIPHER_CREATE_SESSION`.
    CreateSym(SymCreateSessionFlf),
    /// `VIRTIO_CRYPTO_HASH_CREATE_SESSION`.
    CreateHash(HashCreateSessionFlf),
    /// `VIRTIO_CRYPTO_MAC_CREATE_SESSION`.
    CreateMac(MacCreateSessionFlf),
    /// `VIRTIO_CRYPTO_AEAD_CREATE_SESSION`.
    CreateAead(AeadCreateSessionFlf),
    /// `VIRTIO_CRYPTO_AKCIPHER_CREATE_SESSION`.
    CreateAkcipher(AkcipherCreateSessionFlf),
    /// `*_DESTROY_SESSION`: `struct virtio_crypto_destroy_session_flf { le64 session_id; }`.
    Destroy {
        /// `session_id`.
        session_id: u64,
    },
    /// An opcode the spec does not define for the control queue.
    Unknown,
}

/// A parsed control request: header, `op_flf` and the `op_vlf` bytes (keys) that follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CtrlRequest<'a> {
    /// The header.
    pub header: CtrlHeader,
    /// The fixed-length parameters.
    pub flf: CtrlFlf,
    /// Everything after the `op_flf`: the keys.
    pub vlf: &'a [u8],
}

impl<'a> CtrlRequest<'a> {
    /// Parses the device-readable part of a control request.
    pub fn decode(bytes: &'a [u8], layout: Layout) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let header = CtrlHeader::decode(&mut r)?;
        let l = LEGACY_CTRL_FLF_LEN;
        let flf = match header.opcode {
            ctrl_op::CIPHER_CREATE_SESSION => {
                let mut f = flf(&mut r, "op_flf", layout, SymCreateSessionFlf::LEN, l)?;
                CtrlFlf::CreateSym(SymCreateSessionFlf::decode(&mut f)?)
            }
            ctrl_op::HASH_CREATE_SESSION => {
                let mut f = flf(&mut r, "op_flf", layout, HashCreateSessionFlf::LEN, l)?;
                CtrlFlf::CreateHash(HashCreateSessionFlf::decode(&mut f)?)
            }
            ctrl_op::MAC_CREATE_SESSION => {
                let mut f = flf(&mut r, "op_flf", layout, MacCreateSessionFlf::LEN, l)?;
                CtrlFlf::CreateMac(MacCreateSessionFlf::decode(&mut f)?)
            }
            ctrl_op::AEAD_CREATE_SESSION => {
                let mut f = flf(&mut r, "op_flf", layout, AeadCreateSessionFlf::LEN, l)?;
                CtrlFlf::CreateAead(AeadCreateSessionFlf::decode(&mut f)?)
            }
            ctrl_op::AKCIPHER_CREATE_SESSION => {
                let mut f = flf(&mut r, "op_flf", layout, AkcipherCreateSessionFlf::LEN, l)?;
                CtrlFlf::CreateAkcipher(AkcipherCreateSessionFlf::decode(&mut f)?)
            }
            ctrl_op::CIPHER_DESTROY_SESSION
            | ctrl_op::HASH_DESTROY_SESSION
            | ctrl_op::MAC_DESTROY_SESSION
            | ctrl_op::AEAD_DESTROY_SESSION
            | ctrl_op::AKCIPHER_DESTROY_SESSION => {
                let mut f = flf(&mut r, "op_flf", layout, 8, l)?;
                CtrlFlf::Destroy {
                    session_id: f.u64_le("destroy_session_flf.session_id")?,
                }
            }
            _ => CtrlFlf::Unknown,
        };
        Ok(Self {
            header,
            flf,
            vlf: r.rest(),
        })
    }

    /// Serializes header and `op_flf` (padded in the legacy layout); the caller appends keys.
    pub fn encode_fixed(header: &CtrlHeader, flf: &CtrlFlf, layout: Layout) -> Vec<u8> {
        let mut out = header.encode();
        let mut body = Vec::with_capacity(LEGACY_CTRL_FLF_LEN);
        match flf {
            CtrlFlf::CreateSym(f) => f.encode_into(&mut body),
            CtrlFlf::CreateHash(f) => f.encode_into(&mut body),
            CtrlFlf::CreateMac(f) => f.encode_into(&mut body),
            CtrlFlf::CreateAead(f) => f.encode_into(&mut body),
            CtrlFlf::CreateAkcipher(f) => f.encode_into(&mut body),
            CtrlFlf::Destroy { session_id } => body.extend_from_slice(&session_id.to_le_bytes()),
            CtrlFlf::Unknown => {}
        }
        out.extend_from_slice(&pad(body, layout, LEGACY_CTRL_FLF_LEN));
        out
    }
}

/// `struct virtio_crypto_session_input` (16 bytes, device-writable): the outcome of a
/// CREATE_SESSION. VIRTIO 1.3 §5.9.7.2.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionInput {
    /// `session_id`.
    pub session_id: u64,
    /// `status`.
    pub status: u32,
}

impl SessionInput {
    /// Encoded size.
    pub const LEN: usize = 16;

    /// Serializes the input.
    pub fn encode(&self) -> [u8; 16] {
        let mut out = [0u8; 16];
        let (id, rest) = out.split_at_mut(8);
        id.copy_from_slice(&self.session_id.to_le_bytes());
        let (status, _) = rest.split_at_mut(4);
        status.copy_from_slice(&self.status.to_le_bytes());
        out
    }

    /// Parses the input (test driver).
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let session_id = r.u64_le("session_input.session_id")?;
        let status = r.u32_le("session_input.status")?;
        Ok(Self { session_id, status })
    }
}

/// The fixed length of a control request's device-readable header plus `op_flf` for an
/// opcode, in a layout: 72 in the legacy layout; the natural size in REVISION_1.
pub fn fixed_len(opcode: u32, layout: Layout) -> Option<usize> {
    let natural = match opcode {
        ctrl_op::CIPHER_CREATE_SESSION => SymCreateSessionFlf::LEN,
        ctrl_op::HASH_CREATE_SESSION => HashCreateSessionFlf::LEN,
        ctrl_op::MAC_CREATE_SESSION => MacCreateSessionFlf::LEN,
        ctrl_op::AEAD_CREATE_SESSION => AeadCreateSessionFlf::LEN,
        ctrl_op::AKCIPHER_CREATE_SESSION => AkcipherCreateSessionFlf::LEN,
        ctrl_op::CIPHER_DESTROY_SESSION
        | ctrl_op::HASH_DESTROY_SESSION
        | ctrl_op::MAC_DESTROY_SESSION
        | ctrl_op::AEAD_DESTROY_SESSION
        | ctrl_op::AKCIPHER_DESTROY_SESSION => 8,
        _ => return None,
    };
    let flf = match layout {
        Layout::Legacy => LEGACY_CTRL_FLF_LEN,
        Layout::Revision1 => natural,
    };
    CtrlHeader::LEN.checked_add(flf)
}
