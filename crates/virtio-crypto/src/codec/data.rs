//! Data queue requests: `virtio_crypto_op_header` and the per-service data `op_flf`, in
//! session mode (both layouts) and stateless mode (REVISION_1). VIRTIO 1.3 §5.9.7.4-§5.9.7.8.
//!
//! The `op_vlf` order (device-readable first, then device-writable) is fixed by the spec;
//! stateless requests carry their keys in front of the session-mode `op_vlf`:
//!
//! | service | readable `op_vlf` | writable |
//! |---|---|---|
//! | cipher | `iv`, `src_data` | `dst_data`, status |
//! | chain | `iv`, `src_data`, `aad` | `dst_data`, `hash_result`, status |
//! | hash | `src_data` | `hash_result`, status |
//! | MAC | `src_data` | `hash_result`, status |
//! | AEAD | `iv`, `src_data`, `aad` | `dst_data` (ciphertext then tag), status |
//! | AKCIPHER | `src_data` (VERIFY: signature then digest) | `dst_data` (not for VERIFY), status |

use vtrust_wire::{DecodeError, Reader};

use super::{LEGACY_DATA_FLF_LEN, Layout, flf, pad, put32};
use crate::spec::{Service, sym};

/// `struct virtio_crypto_op_header` (24 bytes). VIRTIO 1.3 §5.9.7.4.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpHeader {
    /// `opcode`: `VIRTIO_CRYPTO_CIPHER_ENCRYPT`, ...
    pub opcode: u32,
    /// `algo`.
    pub algo: u32,
    /// `session_id` (session mode).
    pub session_id: u64,
    /// `flag`: `VIRTIO_CRYPTO_FLAG_SESSION_MODE` or 0 (stateless; REVISION_1 only).
    pub flag: u32,
}

impl OpHeader {
    /// Encoded size.
    pub const LEN: usize = 24;

    /// Parses the header.
    pub fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let v = Self {
            opcode: r.u32_le("op_header.opcode")?,
            algo: r.u32_le("op_header.algo")?,
            session_id: r.u64_le("op_header.session_id")?,
            flag: r.u32_le("op_header.flag")?,
        };
        r.skip_reserved("op_header.padding", 4)?;
        Ok(v)
    }

    /// Serializes the header.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(Self::LEN);
        put32(&mut out, self.opcode);
        put32(&mut out, self.algo);
        out.extend_from_slice(&self.session_id.to_le_bytes());
        put32(&mut out, self.flag);
        put32(&mut out, 0);
        out
    }

    /// The service of `opcode` (its high byte); `None` for unknown services.
    pub fn service(&self) -> Option<Service> {
        Service::from_number(self.opcode >> 8)
    }
}

/// `struct virtio_crypto_cipher_data_flf` (16 bytes). VIRTIO 1.3 §5.9.7.6.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CipherDataFlf {
    /// `iv_len`.
    pub iv_len: u32,
    /// `src_data_len`.
    pub src_data_len: u32,
    /// `dst_data_len`.
    pub dst_data_len: u32,
}

/// `struct virtio_crypto_alg_chain_data_flf` (40 bytes). VIRTIO 1.3 §5.9.7.6.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AlgChainDataFlf {
    /// `iv_len`.
    pub iv_len: u32,
    /// `src_data_len`.
    pub src_data_len: u32,
    /// `dst_data_len`.
    pub dst_data_len: u32,
    /// `cipher_start_src_offset`.
    pub cipher_start_src_offset: u32,
    /// `len_to_cipher`.
    pub len_to_cipher: u32,
    /// `hash_start_src_offset`.
    pub hash_start_src_offset: u32,
    /// `len_to_hash`.
    pub len_to_hash: u32,
    /// `aad_len`.
    pub aad_len: u32,
    /// `hash_result_len`.
    pub hash_result_len: u32,
}

/// `struct virtio_crypto_sym_data_flf` (48 bytes): `op_type_flf[40]` chosen by `op_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SymDataFlf {
    /// `VIRTIO_CRYPTO_SYM_OP_CIPHER`.
    Cipher(CipherDataFlf),
    /// `VIRTIO_CRYPTO_SYM_OP_ALGORITHM_CHAINING`.
    Chain(AlgChainDataFlf),
    /// Any other `op_type`.
    Other(u32),
}

/// `struct virtio_crypto_hash_data_flf` / `virtio_crypto_mac_data_flf` (8 bytes).
/// VIRTIO 1.3 §5.9.7.5, §5.9.7.7.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HashDataFlf {
    /// `src_data_len`.
    pub src_data_len: u32,
    /// `hash_result_len`.
    pub hash_result_len: u32,
}

/// `struct virtio_crypto_aead_data_flf` (24 bytes). VIRTIO 1.3 §5.9.7.8.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AeadDataFlf {
    /// `iv_len`.
    pub iv_len: u32,
    /// `aad_len`.
    pub aad_len: u32,
    /// `src_data_len`.
    pub src_data_len: u32,
    /// `dst_data_len`.
    pub dst_data_len: u32,
    /// `tag_len`.
    pub tag_len: u32,
}

/// `struct virtio_crypto_akcipher_data_flf` (8 bytes). VIRTIO 1.3 §5.9.7.9.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AkcipherDataFlf {
    /// `src_data_len`.
    pub src_data_len: u32,
    /// `dst_data_len`.
    pub dst_data_len: u32,
}

/// The session parameters a stateless request carries in its `op_flf` (`sess_para`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatelessParams {
    /// Cipher `{algo, key_len, op}`.
    Cipher {
        /// `algo`.
        algo: u32,
        /// `key_len`.
        key_len: u32,
        /// `op`.
        op: u32,
    },
    /// Chain `{alg_chain_order, aad_len, cipher{algo, keylen, op}, hash{algo, auth_key_len,
    /// hash_mode}}`.
    Chain {
        /// `alg_chain_order`.
        alg_chain_order: u32,
        /// `aad_len`.
        aad_len: u32,
        /// `cipher.algo`.
        cipher_algo: u32,
        /// `cipher.keylen`.
        cipher_key_len: u32,
        /// `cipher.op`.
        cipher_op: u32,
        /// `hash.algo` (hash or MAC id by `hash_mode`).
        hash_algo: u32,
        /// `hash.auth_key_len`.
        auth_key_len: u32,
        /// `hash.hash_mode`.
        hash_mode: u32,
    },
    /// Hash `{algo}`.
    Hash {
        /// `algo`.
        algo: u32,
    },
    /// MAC `{algo, auth_key_len}`.
    Mac {
        /// `algo`.
        algo: u32,
        /// `auth_key_len`.
        auth_key_len: u32,
    },
    /// AEAD `{algo, key_len, op}`.
    Aead {
        /// `algo`.
        algo: u32,
        /// `key_len`.
        key_len: u32,
        /// `op`.
        op: u32,
    },
    /// AKCIPHER `{algo, key_type, key_len, u{rsa{padding_algo, hash_algo}, ecdsa{curve_id}}}`.
    Akcipher {
        /// `algo`.
        algo: u32,
        /// `key_type`.
        key_type: u32,
        /// `key_len`.
        key_len: u32,
        /// The union's two words.
        algo_params: [u32; 2],
    },
}

/// The data `op_flf` of one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataFlf {
    /// Cipher or chain (`VIRTIO_CRYPTO_CIPHER_ENCRYPT/DECRYPT`).
    Sym(SymDataFlf),
    /// `VIRTIO_CRYPTO_HASH`.
    Hash(HashDataFlf),
    /// `VIRTIO_CRYPTO_MAC`.
    Mac(HashDataFlf),
    /// `VIRTIO_CRYPTO_AEAD_ENCRYPT/DECRYPT`.
    Aead(AeadDataFlf),
    /// `VIRTIO_CRYPTO_AKCIPHER_*`.
    Akcipher(AkcipherDataFlf),
}

/// A parsed data request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataRequest<'a> {
    /// The header.
    pub header: OpHeader,
    /// The per-request lengths.
    pub flf: DataFlf,
    /// Stateless mode: the session parameters of the request; `None` in session mode.
    pub stateless: Option<StatelessParams>,
    /// Everything after the `op_flf`: the readable `op_vlf`.
    pub vlf: &'a [u8],
}

/// Data `op_flf` sizes. VIRTIO 1.3 §5.9.7.4-§5.9.7.9.
pub mod flf_len {
    /// `virtio_crypto_sym_data_flf`.
    pub const SYM: usize = 48;
    /// `virtio_crypto_hash_data_flf` / `mac_data_flf`.
    pub const HASH: usize = 8;
    /// `virtio_crypto_aead_data_flf`.
    pub const AEAD: usize = 24;
    /// `virtio_crypto_akcipher_data_flf`.
    pub const AKCIPHER: usize = 8;
    /// `virtio_crypto_sym_data_flf_stateless`.
    pub const SYM_STATELESS: usize = 76;
    /// `virtio_crypto_hash_data_flf_stateless`.
    pub const HASH_STATELESS: usize = 16;
    /// `virtio_crypto_mac_data_flf_stateless`.
    pub const MAC_STATELESS: usize = 16;
    /// `virtio_crypto_aead_data_flf_stateless`.
    pub const AEAD_STATELESS: usize = 32;
    /// `virtio_crypto_akcipher_data_flf_stateless`.
    pub const AKCIPHER_STATELESS: usize = 28;
}

fn decode_cipher(r: &mut Reader<'_>) -> Result<CipherDataFlf, DecodeError> {
    let v = CipherDataFlf {
        iv_len: r.u32_le("cipher_data_flf.iv_len")?,
        src_data_len: r.u32_le("cipher_data_flf.src_data_len")?,
        dst_data_len: r.u32_le("cipher_data_flf.dst_data_len")?,
    };
    r.skip_reserved("cipher_data_flf.padding", 4)?;
    Ok(v)
}

fn decode_chain(r: &mut Reader<'_>) -> Result<AlgChainDataFlf, DecodeError> {
    let v = AlgChainDataFlf {
        iv_len: r.u32_le("alg_chain_data_flf.iv_len")?,
        src_data_len: r.u32_le("alg_chain_data_flf.src_data_len")?,
        dst_data_len: r.u32_le("alg_chain_data_flf.dst_data_len")?,
        cipher_start_src_offset: r.u32_le("alg_chain_data_flf.cipher_start_src_offset")?,
        len_to_cipher: r.u32_le("alg_chain_data_flf.len_to_cipher")?,
        hash_start_src_offset: r.u32_le("alg_chain_data_flf.hash_start_src_offset")?,
        len_to_hash: r.u32_le("alg_chain_data_flf.len_to_hash")?,
        aad_len: r.u32_le("alg_chain_data_flf.aad_len")?,
        hash_result_len: r.u32_le("alg_chain_data_flf.hash_result_len")?,
    };
    r.skip_reserved("alg_chain_data_flf.reserved", 4)?;
    Ok(v)
}

fn decode_sym(op: &mut Reader<'_>, op_type: u32) -> Result<SymDataFlf, DecodeError> {
    Ok(match op_type {
        sym::OP_CIPHER => SymDataFlf::Cipher(decode_cipher(op)?),
        sym::OP_ALGORITHM_CHAINING => SymDataFlf::Chain(decode_chain(op)?),
        other => SymDataFlf::Other(other),
    })
}

fn decode_aead(r: &mut Reader<'_>) -> Result<AeadDataFlf, DecodeError> {
    let v = AeadDataFlf {
        iv_len: r.u32_le("aead_data_flf.iv_len")?,
        aad_len: r.u32_le("aead_data_flf.aad_len")?,
        src_data_len: r.u32_le("aead_data_flf.src_data_len")?,
        dst_data_len: r.u32_le("aead_data_flf.dst_data_len")?,
        tag_len: r.u32_le("aead_data_flf.tag_len")?,
    };
    r.skip_reserved("aead_data_flf.reserved", 4)?;
    Ok(v)
}

impl<'a> DataRequest<'a> {
    /// Parses the device-readable part of a data request. `stateless` selects the stateless
    /// `op_flf` (the caller decides it from `op_header.flag` and the negotiated features:
    /// stateless mode exists only with REVISION_1 and the service's `*_STATELESS_MODE` bit;
    /// it always has the natural size).
    ///
    /// `Ok(None)` for an opcode the spec does not define.
    pub fn decode(
        bytes: &'a [u8],
        layout: Layout,
        stateless: bool,
    ) -> Result<Option<Self>, DecodeError> {
        let mut r = Reader::new(bytes);
        let header = OpHeader::decode(&mut r)?;
        let l = LEGACY_DATA_FLF_LEN;
        let Some(service) = header.service() else {
            return Ok(None);
        };
        let op = header.opcode & 0xff;
        let known = match service {
            Service::Cipher => op <= 1,
            Service::Hash | Service::Mac => op == 0,
            Service::Aead => op <= 1,
            Service::Akcipher => op <= 3,
        };
        if !known {
            return Ok(None);
        }
        let (flf, params) = if stateless {
            let (flf, params) = match service {
                Service::Cipher => {
                    let mut f = r.sub("op_flf", flf_len::SYM_STATELESS)?;
                    let mut op = f.sub("op_type_flf", 72)?;
                    let op_type = f.u32_le("sym_data_flf_stateless.op_type")?;
                    if op_type == sym::OP_ALGORITHM_CHAINING {
                        let p = StatelessParams::Chain {
                            alg_chain_order: op.u32_le("sess_para.alg_chain_order")?,
                            aad_len: op.u32_le("sess_para.aad_len")?,
                            cipher_algo: op.u32_le("sess_para.cipher.algo")?,
                            cipher_key_len: op.u32_le("sess_para.cipher.keylen")?,
                            cipher_op: op.u32_le("sess_para.cipher.op")?,
                            hash_algo: op.u32_le("sess_para.hash.algo")?,
                            auth_key_len: op.u32_le("sess_para.hash.auth_key_len")?,
                            hash_mode: op.u32_le("sess_para.hash.hash_mode")?,
                        };
                        (DataFlf::Sym(SymDataFlf::Chain(decode_chain(&mut op)?)), p)
                    } else if op_type == sym::OP_CIPHER {
                        let p = StatelessParams::Cipher {
                            algo: op.u32_le("sess_para.algo")?,
                            key_len: op.u32_le("sess_para.key_len")?,
                            op: op.u32_le("sess_para.op")?,
                        };
                        let v = CipherDataFlf {
                            iv_len: op.u32_le("cipher_data_flf_stateless.iv_len")?,
                            src_data_len: op.u32_le("cipher_data_flf_stateless.src_data_len")?,
                            dst_data_len: op.u32_le("cipher_data_flf_stateless.dst_data_len")?,
                        };
                        (DataFlf::Sym(SymDataFlf::Cipher(v)), p)
                    } else {
                        let p = StatelessParams::Cipher {
                            algo: 0,
                            key_len: 0,
                            op: 0,
                        };
                        (DataFlf::Sym(SymDataFlf::Other(op_type)), p)
                    }
                }
                Service::Hash => {
                    let mut f = r.sub("op_flf", flf_len::HASH_STATELESS)?;
                    let p = StatelessParams::Hash {
                        algo: f.u32_le("sess_para.algo")?,
                    };
                    let v = HashDataFlf {
                        src_data_len: f.u32_le("hash_data_flf_stateless.src_data_len")?,
                        hash_result_len: f.u32_le("hash_data_flf_stateless.hash_result_len")?,
                    };
                    (DataFlf::Hash(v), p)
                }
                Service::Mac => {
                    let mut f = r.sub("op_flf", flf_len::MAC_STATELESS)?;
                    let p = StatelessParams::Mac {
                        algo: f.u32_le("sess_para.algo")?,
                        auth_key_len: f.u32_le("sess_para.auth_key_len")?,
                    };
                    let v = HashDataFlf {
                        src_data_len: f.u32_le("mac_data_flf_stateless.src_data_len")?,
                        hash_result_len: f.u32_le("mac_data_flf_stateless.hash_result_len")?,
                    };
                    (DataFlf::Mac(v), p)
                }
                Service::Aead => {
                    let mut f = r.sub("op_flf", flf_len::AEAD_STATELESS)?;
                    let p = StatelessParams::Aead {
                        algo: f.u32_le("sess_para.algo")?,
                        key_len: f.u32_le("sess_para.key_len")?,
                        op: f.u32_le("sess_para.op")?,
                    };
                    let iv_len = f.u32_le("aead_data_flf_stateless.iv_len")?;
                    let tag_len = f.u32_le("aead_data_flf_stateless.tag_len")?;
                    let aad_len = f.u32_le("aead_data_flf_stateless.aad_len")?;
                    let src_data_len = f.u32_le("aead_data_flf_stateless.src_data_len")?;
                    let dst_data_len = f.u32_le("aead_data_flf_stateless.dst_data_len")?;
                    let v = AeadDataFlf {
                        iv_len,
                        aad_len,
                        src_data_len,
                        dst_data_len,
                        tag_len,
                    };
                    (DataFlf::Aead(v), p)
                }
                Service::Akcipher => {
                    let mut f = r.sub("op_flf", flf_len::AKCIPHER_STATELESS)?;
                    let p = StatelessParams::Akcipher {
                        algo: f.u32_le("sess_para.algo")?,
                        key_type: f.u32_le("sess_para.key_type")?,
                        key_len: f.u32_le("sess_para.key_len")?,
                        algo_params: [f.u32_le("sess_para.u")?, f.u32_le("sess_para.u")?],
                    };
                    let v = AkcipherDataFlf {
                        src_data_len: f.u32_le("akcipher_data_flf_stateless.src_data_len")?,
                        dst_data_len: f.u32_le("akcipher_data_flf_stateless.dst_data_len")?,
                    };
                    (DataFlf::Akcipher(v), p)
                }
            };
            (flf, Some(params))
        } else {
            let flf = match service {
                Service::Cipher => {
                    let mut f = flf(&mut r, "op_flf", layout, flf_len::SYM, l)?;
                    let mut op = f.sub("op_type_flf", 40)?;
                    let op_type = f.u32_le("sym_data_flf.op_type")?;
                    DataFlf::Sym(decode_sym(&mut op, op_type)?)
                }
                Service::Hash | Service::Mac => {
                    let mut f = flf(&mut r, "op_flf", layout, flf_len::HASH, l)?;
                    let v = HashDataFlf {
                        src_data_len: f.u32_le("hash_data_flf.src_data_len")?,
                        hash_result_len: f.u32_le("hash_data_flf.hash_result_len")?,
                    };
                    if service == Service::Hash {
                        DataFlf::Hash(v)
                    } else {
                        DataFlf::Mac(v)
                    }
                }
                Service::Aead => {
                    let mut f = flf(&mut r, "op_flf", layout, flf_len::AEAD, l)?;
                    DataFlf::Aead(decode_aead(&mut f)?)
                }
                Service::Akcipher => {
                    let mut f = flf(&mut r, "op_flf", layout, flf_len::AKCIPHER, l)?;
                    DataFlf::Akcipher(AkcipherDataFlf {
                        src_data_len: f.u32_le("akcipher_data_flf.src_data_len")?,
                        dst_data_len: f.u32_le("akcipher_data_flf.dst_data_len")?,
                    })
                }
            };
            (flf, None)
        };
        Ok(Some(Self {
            header,
            flf,
            stateless: params,
            vlf: r.rest(),
        }))
    }

    /// Serializes header and `op_flf` (session mode padded in the legacy layout; stateless
    /// with `params`, natural size). The caller appends the `op_vlf`.
    pub fn encode_fixed(
        header: &OpHeader,
        flf: &DataFlf,
        params: Option<&StatelessParams>,
        layout: Layout,
    ) -> Vec<u8> {
        let mut out = header.encode();
        let mut body = Vec::with_capacity(80);
        let sym_words = |f: &SymDataFlf| -> (Vec<u32>, u32) {
            match f {
                SymDataFlf::Cipher(c) => (
                    vec![c.iv_len, c.src_data_len, c.dst_data_len, 0],
                    sym::OP_CIPHER,
                ),
                SymDataFlf::Chain(c) => (
                    vec![
                        c.iv_len,
                        c.src_data_len,
                        c.dst_data_len,
                        c.cipher_start_src_offset,
                        c.len_to_cipher,
                        c.hash_start_src_offset,
                        c.len_to_hash,
                        c.aad_len,
                        c.hash_result_len,
                        0,
                    ],
                    sym::OP_ALGORITHM_CHAINING,
                ),
                SymDataFlf::Other(t) => (Vec::new(), *t),
            }
        };
        match (flf, params) {
            (DataFlf::Sym(f), None) => {
                let (words, op_type) = sym_words(f);
                let mut op = Vec::with_capacity(40);
                words.iter().for_each(|w| put32(&mut op, *w));
                op.resize(40, 0);
                body.extend_from_slice(&op);
                put32(&mut body, op_type);
                put32(&mut body, 0);
            }
            (DataFlf::Hash(f) | DataFlf::Mac(f), None) => {
                put32(&mut body, f.src_data_len);
                put32(&mut body, f.hash_result_len);
            }
            (DataFlf::Aead(f), None) => {
                for w in [
                    f.iv_len,
                    f.aad_len,
                    f.src_data_len,
                    f.dst_data_len,
                    f.tag_len,
                    0,
                ] {
                    put32(&mut body, w);
                }
            }
            (DataFlf::Akcipher(f), None) => {
                put32(&mut body, f.src_data_len);
                put32(&mut body, f.dst_data_len);
            }
            (DataFlf::Sym(f), Some(p)) => {
                let mut op = Vec::with_capacity(72);
                match (f, p) {
                    (
                        SymDataFlf::Chain(_),
                        StatelessParams::Chain {
                            alg_chain_order,
                            aad_len,
                            cipher_algo,
                            cipher_key_len,
                            cipher_op,
                            hash_algo,
                            auth_key_len,
                            hash_mode,
                        },
                    ) => {
                        for w in [
                            *alg_chain_order,
                            *aad_len,
                            *cipher_algo,
                            *cipher_key_len,
                            *cipher_op,
                            *hash_algo,
                            *auth_key_len,
                            *hash_mode,
                        ] {
                            put32(&mut op, w);
                        }
                        sym_words(f).0.iter().for_each(|w| put32(&mut op, *w));
                    }
                    (
                        SymDataFlf::Cipher(c),
                        StatelessParams::Cipher {
                            algo,
                            key_len,
                            op: dir,
                        },
                    ) => {
                        for w in [
                            *algo,
                            *key_len,
                            *dir,
                            c.iv_len,
                            c.src_data_len,
                            c.dst_data_len,
                        ] {
                            put32(&mut op, w);
                        }
                    }
                    _ => {}
                }
                op.resize(72, 0);
                body.extend_from_slice(&op);
                put32(&mut body, sym_words(f).1);
            }
            (DataFlf::Hash(f), Some(StatelessParams::Hash { algo })) => {
                for w in [*algo, f.src_data_len, f.hash_result_len, 0] {
                    put32(&mut body, w);
                }
            }
            (DataFlf::Mac(f), Some(StatelessParams::Mac { algo, auth_key_len })) => {
                for w in [*algo, *auth_key_len, f.src_data_len, f.hash_result_len] {
                    put32(&mut body, w);
                }
            }
            (DataFlf::Aead(f), Some(StatelessParams::Aead { algo, key_len, op })) => {
                for w in [
                    *algo,
                    *key_len,
                    *op,
                    f.iv_len,
                    f.tag_len,
                    f.aad_len,
                    f.src_data_len,
                    f.dst_data_len,
                ] {
                    put32(&mut body, w);
                }
            }
            (
                DataFlf::Akcipher(f),
                Some(StatelessParams::Akcipher {
                    algo,
                    key_type,
                    key_len,
                    algo_params,
                }),
            ) => {
                for w in [
                    *algo,
                    *key_type,
                    *key_len,
                    algo_params[0],
                    algo_params[1],
                    f.src_data_len,
                    f.dst_data_len,
                ] {
                    put32(&mut body, w);
                }
            }
            _ => {}
        }
        if params.is_none() {
            body = pad(body, layout, LEGACY_DATA_FLF_LEN);
        }
        out.extend_from_slice(&body);
        out
    }
}
