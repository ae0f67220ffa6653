//! Numbers from the spec: device ID, feature bits, services, algorithm IDs, opcodes and the
//! status codes (VIRTIO 1.3 §5.9.1-§5.9.7). Values only; no parsing.

/// The virtio device ID of the crypto device. VIRTIO 1.3 §5.9.1.
pub const VIRTIO_ID_CRYPTO: u32 = 20;

/// `VIRTIO_CRYPTO_F_REVISION_1` (feature bit 0): the natural-size request layouts, `NOSPC`
/// and stateless mode. VIRTIO 1.3 §5.9.3.
pub const VIRTIO_CRYPTO_F_REVISION_1: u32 = 0;
/// `VIRTIO_CRYPTO_F_CIPHER_STATELESS_MODE` (bit 1, requires REVISION_1). VIRTIO 1.3 §5.9.3.
pub const VIRTIO_CRYPTO_F_CIPHER_STATELESS_MODE: u32 = 1;
/// `VIRTIO_CRYPTO_F_HASH_STATELESS_MODE` (bit 2). VIRTIO 1.3 §5.9.3.
pub const VIRTIO_CRYPTO_F_HASH_STATELESS_MODE: u32 = 2;
/// `VIRTIO_CRYPTO_F_MAC_STATELESS_MODE` (bit 3). VIRTIO 1.3 §5.9.3.
pub const VIRTIO_CRYPTO_F_MAC_STATELESS_MODE: u32 = 3;
/// `VIRTIO_CRYPTO_F_AEAD_STATELESS_MODE` (bit 4). VIRTIO 1.3 §5.9.3.
pub const VIRTIO_CRYPTO_F_AEAD_STATELESS_MODE: u32 = 4;
/// `VIRTIO_CRYPTO_F_AKCIPHER_STATELESS_MODE` (bit 5). VIRTIO 1.3 §5.9.3.
pub const VIRTIO_CRYPTO_F_AKCIPHER_STATELESS_MODE: u32 = 5;
/// `VIRTIO_F_VERSION_1` (bit 32). VIRTIO 1.3 §6.
pub const VIRTIO_F_VERSION_1: u32 = 32;

/// `VIRTIO_CRYPTO_S_HW_READY`: bit 0 of the config `status`. VIRTIO 1.3 §5.9.4.
pub const VIRTIO_CRYPTO_S_HW_READY: u32 = 1;

/// A crypto service: its value in opcodes and its bit in `crypto_services`. VIRTIO 1.3 §5.9.4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Service {
    /// `VIRTIO_CRYPTO_SERVICE_CIPHER` (0).
    Cipher,
    /// `VIRTIO_CRYPTO_SERVICE_HASH` (1).
    Hash,
    /// `VIRTIO_CRYPTO_SERVICE_MAC` (2).
    Mac,
    /// `VIRTIO_CRYPTO_SERVICE_AEAD` (3).
    Aead,
    /// `VIRTIO_CRYPTO_SERVICE_AKCIPHER` (4).
    Akcipher,
}

impl Service {
    /// The service number (the high byte of an opcode, the bit in `crypto_services`).
    pub const fn number(self) -> u32 {
        match self {
            Service::Cipher => 0,
            Service::Hash => 1,
            Service::Mac => 2,
            Service::Aead => 3,
            Service::Akcipher => 4,
        }
    }

    /// The service of an opcode's high byte; `None` for IPSEC (5) and unknown numbers.
    pub const fn from_number(n: u32) -> Option<Self> {
        match n {
            0 => Some(Service::Cipher),
            1 => Some(Service::Hash),
            2 => Some(Service::Mac),
            3 => Some(Service::Aead),
            4 => Some(Service::Akcipher),
            _ => None,
        }
    }

    /// The `*_STATELESS_MODE` feature bit of this service.
    pub const fn stateless_feature(self) -> u32 {
        match self {
            Service::Cipher => VIRTIO_CRYPTO_F_CIPHER_STATELESS_MODE,
            Service::Hash => VIRTIO_CRYPTO_F_HASH_STATELESS_MODE,
            Service::Mac => VIRTIO_CRYPTO_F_MAC_STATELESS_MODE,
            Service::Aead => VIRTIO_CRYPTO_F_AEAD_STATELESS_MODE,
            Service::Akcipher => VIRTIO_CRYPTO_F_AKCIPHER_STATELESS_MODE,
        }
    }
}

/// `VIRTIO_CRYPTO_OPCODE(service, op)`. VIRTIO 1.3 §5.9.7.2.
pub const fn opcode(service: Service, op: u32) -> u32 {
    (service.number() << 8) | op
}

/// Control queue opcodes. VIRTIO 1.3 §5.9.7.2.
pub mod ctrl_op {
    /// `VIRTIO_CRYPTO_CIPHER_CREATE_SESSION`.
    pub const CIPHER_CREATE_SESSION: u32 = 0x002;
    /// `VIRTIO_CRYPTO_CIPHER_DESTROY_SESSION`.
    pub const CIPHER_DESTROY_SESSION: u32 = 0x003;
    /// `VIRTIO_CRYPTO_HASH_CREATE_SESSION`.
    pub const HASH_CREATE_SESSION: u32 = 0x102;
    /// `VIRTIO_CRYPTO_HASH_DESTROY_SESSION`.
    pub const HASH_DESTROY_SESSION: u32 = 0x103;
    /// `VIRTIO_CRYPTO_MAC_CREATE_SESSION`.
    pub const MAC_CREATE_SESSION: u32 = 0x202;
    /// `VIRTIO_CRYPTO_MAC_DESTROY_SESSION`.
    pub const MAC_DESTROY_SESSION: u32 = 0x203;
    /// `VIRTIO_CRYPTO_AEAD_CREATE_SESSION`.
    pub const AEAD_CREATE_SESSION: u32 = 0x302;
    /// `VIRTIO_CRYPTO_AEAD_DESTROY_SESSION`.
    pub const AEAD_DESTROY_SESSION: u32 = 0x303;
    /// `VIRTIO_CRYPTO_AKCIPHER_CREATE_SESSION`.
    pub const AKCIPHER_CREATE_SESSION: u32 = 0x404;
    /// `VIRTIO_CRYPTO_AKCIPHER_DESTROY_SESSION`.
    pub const AKCIPHER_DESTROY_SESSION: u32 = 0x405;
}

/// Data queue opcodes. VIRTIO 1.3 §5.9.7.4.
pub mod data_op {
    /// `VIRTIO_CRYPTO_CIPHER_ENCRYPT`.
    pub const CIPHER_ENCRYPT: u32 = 0x000;
    /// `VIRTIO_CRYPTO_CIPHER_DECRYPT`.
    pub const CIPHER_DECRYPT: u32 = 0x001;
    /// `VIRTIO_CRYPTO_HASH`.
    pub const HASH: u32 = 0x100;
    /// `VIRTIO_CRYPTO_MAC`.
    pub const MAC: u32 = 0x200;
    /// `VIRTIO_CRYPTO_AEAD_ENCRYPT`.
    pub const AEAD_ENCRYPT: u32 = 0x300;
    /// `VIRTIO_CRYPTO_AEAD_DECRYPT`.
    pub const AEAD_DECRYPT: u32 = 0x301;
    /// `VIRTIO_CRYPTO_AKCIPHER_ENCRYPT`.
    pub const AKCIPHER_ENCRYPT: u32 = 0x400;
    /// `VIRTIO_CRYPTO_AKCIPHER_DECRYPT`.
    pub const AKCIPHER_DECRYPT: u32 = 0x401;
    /// `VIRTIO_CRYPTO_AKCIPHER_SIGN`.
    pub const AKCIPHER_SIGN: u32 = 0x402;
    /// `VIRTIO_CRYPTO_AKCIPHER_VERIFY`.
    pub const AKCIPHER_VERIFY: u32 = 0x403;
}

/// Cipher algorithm IDs (also bit numbers of `cipher_algo_l/h`). VIRTIO 1.3 §5.9.4.
pub mod cipher_algo {
    /// `VIRTIO_CRYPTO_NO_CIPHER`.
    pub const NO_CIPHER: u32 = 0;
    /// `VIRTIO_CRYPTO_CIPHER_AES_ECB`.
    pub const AES_ECB: u32 = 2;
    /// `VIRTIO_CRYPTO_CIPHER_AES_CBC`.
    pub const AES_CBC: u32 = 3;
    /// `VIRTIO_CRYPTO_CIPHER_AES_CTR`.
    pub const AES_CTR: u32 = 4;
    /// `VIRTIO_CRYPTO_CIPHER_3DES_CBC`.
    pub const DES3_CBC: u32 = 8;
    /// `VIRTIO_CRYPTO_CIPHER_AES_XTS`.
    pub const AES_XTS: u32 = 13;
}

/// Hash algorithm IDs (bit numbers of `hash_algo`). VIRTIO 1.3 §5.9.4.
pub mod hash_algo {
    /// `VIRTIO_CRYPTO_HASH_MD5` (not supported).
    pub const MD5: u32 = 1;
    /// `VIRTIO_CRYPTO_HASH_SHA1`.
    pub const SHA1: u32 = 2;
    /// `VIRTIO_CRYPTO_HASH_SHA_224`.
    pub const SHA_224: u32 = 3;
    /// `VIRTIO_CRYPTO_HASH_SHA_256`.
    pub const SHA_256: u32 = 4;
    /// `VIRTIO_CRYPTO_HASH_SHA_384`.
    pub const SHA_384: u32 = 5;
    /// `VIRTIO_CRYPTO_HASH_SHA_512`.
    pub const SHA_512: u32 = 6;
    /// `VIRTIO_CRYPTO_HASH_SHA3_224`.
    pub const SHA3_224: u32 = 7;
    /// `VIRTIO_CRYPTO_HASH_SHA3_256`.
    pub const SHA3_256: u32 = 8;
    /// `VIRTIO_CRYPTO_HASH_SHA3_384`.
    pub const SHA3_384: u32 = 9;
    /// `VIRTIO_CRYPTO_HASH_SHA3_512`.
    pub const SHA3_512: u32 = 10;
}

/// MAC algorithm IDs (bit numbers of `mac_algo_l/h`). VIRTIO 1.3 §5.9.4.
pub mod mac_algo {
    /// `VIRTIO_CRYPTO_MAC_HMAC_SHA1`.
    pub const HMAC_SHA1: u32 = 2;
    /// `VIRTIO_CRYPTO_MAC_HMAC_SHA_224`.
    pub const HMAC_SHA_224: u32 = 3;
    /// `VIRTIO_CRYPTO_MAC_HMAC_SHA_256`.
    pub const HMAC_SHA_256: u32 = 4;
    /// `VIRTIO_CRYPTO_MAC_HMAC_SHA_384`.
    pub const HMAC_SHA_384: u32 = 5;
    /// `VIRTIO_CRYPTO_MAC_HMAC_SHA_512`.
    pub const HMAC_SHA_512: u32 = 6;
    /// `VIRTIO_CRYPTO_MAC_CMAC_AES`.
    pub const CMAC_AES: u32 = 26;
}

/// AEAD algorithm IDs (bit numbers of `aead_algo`). VIRTIO 1.3 §5.9.4.
pub mod aead_algo {
    /// `VIRTIO_CRYPTO_AEAD_GCM`.
    pub const GCM: u32 = 1;
    /// `VIRTIO_CRYPTO_AEAD_CCM`.
    pub const CCM: u32 = 2;
    /// `VIRTIO_CRYPTO_AEAD_CHACHA20_POLY1305`.
    pub const CHACHA20_POLY1305: u32 = 3;
}

/// Asymmetric algorithm IDs and parameters. VIRTIO 1.3 §5.9.4, §5.9.7.2.1.6.
pub mod akcipher_algo {
    /// `VIRTIO_CRYPTO_AKCIPHER_RSA`.
    pub const RSA: u32 = 1;
    /// `VIRTIO_CRYPTO_AKCIPHER_ECDSA`.
    pub const ECDSA: u32 = 2;
    /// `VIRTIO_CRYPTO_RSA_RAW_PADDING`.
    pub const RSA_RAW_PADDING: u32 = 0;
    /// `VIRTIO_CRYPTO_RSA_PKCS1_PADDING`.
    pub const RSA_PKCS1_PADDING: u32 = 1;
    /// `VIRTIO_CRYPTO_RSA_NO_HASH`.
    pub const RSA_NO_HASH: u32 = 0;
    /// `VIRTIO_CRYPTO_RSA_SHA1`.
    pub const RSA_SHA1: u32 = 5;
    /// `VIRTIO_CRYPTO_RSA_SHA256`.
    pub const RSA_SHA256: u32 = 6;
    /// `VIRTIO_CRYPTO_RSA_SHA384`.
    pub const RSA_SHA384: u32 = 7;
    /// `VIRTIO_CRYPTO_RSA_SHA512`.
    pub const RSA_SHA512: u32 = 8;
    /// `VIRTIO_CRYPTO_CURVE_NIST_P256`.
    pub const CURVE_NIST_P256: u32 = 3;
    /// `VIRTIO_CRYPTO_CURVE_NIST_P384`.
    pub const CURVE_NIST_P384: u32 = 4;
    /// `VIRTIO_CRYPTO_AKCIPHER_KEY_TYPE_PUBLIC`.
    pub const KEY_TYPE_PUBLIC: u32 = 1;
    /// `VIRTIO_CRYPTO_AKCIPHER_KEY_TYPE_PRIVATE`.
    pub const KEY_TYPE_PRIVATE: u32 = 2;
}

/// Symmetric session/op types and chaining parameters. VIRTIO 1.3 §5.9.7.2.1.1.
pub mod sym {
    /// `VIRTIO_CRYPTO_SYM_OP_NONE`.
    pub const OP_NONE: u32 = 0;
    /// `VIRTIO_CRYPTO_SYM_OP_CIPHER`.
    pub const OP_CIPHER: u32 = 1;
    /// `VIRTIO_CRYPTO_SYM_OP_ALGORITHM_CHAINING`.
    pub const OP_ALGORITHM_CHAINING: u32 = 2;
    /// `VIRTIO_CRYPTO_OP_ENCRYPT` (cipher_session_flf.op, aead op).
    pub const OP_ENCRYPT: u32 = 1;
    /// `VIRTIO_CRYPTO_OP_DECRYPT`.
    pub const OP_DECRYPT: u32 = 2;
    /// `VIRTIO_CRYPTO_SYM_ALG_CHAIN_ORDER_HASH_THEN_CIPHER`.
    pub const CHAIN_ORDER_HASH_THEN_CIPHER: u32 = 1;
    /// `VIRTIO_CRYPTO_SYM_ALG_CHAIN_ORDER_CIPHER_THEN_HASH`.
    pub const CHAIN_ORDER_CIPHER_THEN_HASH: u32 = 2;
    /// `VIRTIO_CRYPTO_SYM_HASH_MODE_PLAIN`.
    pub const HASH_MODE_PLAIN: u32 = 1;
    /// `VIRTIO_CRYPTO_SYM_HASH_MODE_AUTH`.
    pub const HASH_MODE_AUTH: u32 = 2;
    /// `VIRTIO_CRYPTO_SYM_HASH_MODE_NESTED` (not supported).
    pub const HASH_MODE_NESTED: u32 = 3;
}

/// `VIRTIO_CRYPTO_FLAG_SESSION_MODE`: `op_header.flag` value selecting session mode.
/// VIRTIO 1.3 §5.9.7.4.
pub const VIRTIO_CRYPTO_FLAG_SESSION_MODE: u32 = 1;

/// The status a request completes with (`virtio_crypto_inhdr.status`, the session input's
/// `status`). VIRTIO 1.3 §5.9.7.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Status {
    /// `VIRTIO_CRYPTO_OK`.
    Ok = 0,
    /// `VIRTIO_CRYPTO_ERR`: any failure or malformed request.
    Err = 1,
    /// `VIRTIO_CRYPTO_BADMSG`: authentication failed (AEAD tag).
    BadMsg = 2,
    /// `VIRTIO_CRYPTO_NOTSUPP`: operation or algorithm not supported.
    NotSupp = 3,
    /// `VIRTIO_CRYPTO_INVSESS`: invalid session id.
    InvSess = 4,
    /// `VIRTIO_CRYPTO_NOSPC`: no free session (REVISION_1 only).
    NoSpc = 5,
    /// `VIRTIO_CRYPTO_KEY_REJECTED`: signature verification failed.
    KeyRejected = 6,
}

impl Status {
    /// The status byte.
    pub const fn as_u8(self) -> u8 {
        self as u8
    }

    /// The status of a byte read back from a request; `None` for values we never write.
    pub const fn from_u8(v: u8) -> Option<Self> {
        match v {
            0 => Some(Status::Ok),
            1 => Some(Status::Err),
            2 => Some(Status::BadMsg),
            3 => Some(Status::NotSupp),
            4 => Some(Status::InvSess),
            5 => Some(Status::NoSpc),
            6 => Some(Status::KeyRejected),
            _ => None,
        }
    }
}
