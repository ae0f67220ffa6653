//! The device configuration: what the device offers, its limits, and the 56-byte
//! `virtio_crypto_config` space. VIRTIO 1.3 §5.9.4.

use crate::spec::{
    Service, VIRTIO_CRYPTO_F_REVISION_1, VIRTIO_CRYPTO_S_HW_READY, VIRTIO_F_VERSION_1, aead_algo,
    akcipher_algo, cipher_algo, hash_algo, mac_algo,
};

/// The largest IV / nonce / tweak a request may carry, in bytes.
pub const MAX_IV_LEN: u32 = 32;
/// The largest asymmetric key (DER) a session may carry, in bytes: an RSA-8192
/// `RSAPrivateKey` is under 4.7 KiB.
pub const MAX_AKCIPHER_KEY_LEN: u32 = 8192;

/// What the device offers and its limits. `Default` offers every algorithm this crate
/// implements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceConfig {
    /// `max_dataqueues`.
    pub max_dataqueues: u32,
    /// `crypto_services`: bit `Service::number()` set per offered service.
    pub crypto_services: u32,
    /// `cipher_algo_l` / `cipher_algo_h` as one 64-bit mask (bit = `VIRTIO_CRYPTO_CIPHER_*`).
    pub cipher_algo: u64,
    /// `hash_algo` (bit = `VIRTIO_CRYPTO_HASH_*`).
    pub hash_algo: u32,
    /// `mac_algo_l` / `mac_algo_h` as one 64-bit mask.
    pub mac_algo: u64,
    /// `aead_algo`.
    pub aead_algo: u32,
    /// `akcipher_algo`.
    pub akcipher_algo: u32,
    /// `max_cipher_key_len` (cipher and AEAD keys).
    pub max_cipher_key_len: u32,
    /// `max_auth_key_len` (MAC keys).
    pub max_auth_key_len: u32,
    /// `max_size`: the largest `src`, `dst`, `aad` or result of one request. Also bounds
    /// every buffer the device allocates for a request.
    pub max_size: u64,
    /// The most live sessions (all services together); one more gets `NOSPC`.
    pub max_sessions: usize,
    /// Offer `VIRTIO_CRYPTO_F_REVISION_1` and the five `*_STATELESS_MODE` bits.
    pub offer_revision_1: bool,
}

fn bits(ids: &[u32]) -> u64 {
    ids.iter()
        .fold(0u64, |m, id| m | 1u64.checked_shl(*id).unwrap_or(0))
}

impl Default for DeviceConfig {
    fn default() -> Self {
        Self {
            max_dataqueues: 1,
            crypto_services: (1 << Service::Cipher.number())
                | (1 << Service::Hash.number())
                | (1 << Service::Mac.number())
                | (1 << Service::Aead.number())
                | (1 << Service::Akcipher.number()),
            cipher_algo: bits(&[
                cipher_algo::AES_ECB,
                cipher_algo::AES_CBC,
                cipher_algo::AES_CTR,
                cipher_algo::DES3_CBC,
                cipher_algo::AES_XTS,
            ]),
            hash_algo: bits(&[
                hash_algo::SHA1,
                hash_algo::SHA_224,
                hash_algo::SHA_256,
                hash_algo::SHA_384,
                hash_algo::SHA_512,
                hash_algo::SHA3_224,
                hash_algo::SHA3_256,
                hash_algo::SHA3_384,
                hash_algo::SHA3_512,
            ]) as u32,
            mac_algo: bits(&[
                mac_algo::HMAC_SHA1,
                mac_algo::HMAC_SHA_224,
                mac_algo::HMAC_SHA_256,
                mac_algo::HMAC_SHA_384,
                mac_algo::HMAC_SHA_512,
                mac_algo::CMAC_AES,
            ]),
            aead_algo: bits(&[aead_algo::GCM, aead_algo::CCM, aead_algo::CHACHA20_POLY1305]) as u32,
            akcipher_algo: bits(&[akcipher_algo::RSA, akcipher_algo::ECDSA]) as u32,
            max_cipher_key_len: 64,
            max_auth_key_len: 512,
            max_size: 4 << 20,
            max_sessions: 1024,
            offer_revision_1: true,
        }
    }
}

impl DeviceConfig {
    /// The feature bits the device offers: `VIRTIO_F_VERSION_1`, plus REVISION_1 and the
    /// stateless bits when `offer_revision_1`.
    pub fn features(&self) -> u64 {
        let mut f = 1u64 << VIRTIO_F_VERSION_1;
        if self.offer_revision_1 {
            f |= 0x3f << VIRTIO_CRYPTO_F_REVISION_1;
        }
        f
    }

    /// Whether `service` is offered.
    pub fn offers(&self, service: Service) -> bool {
        self.crypto_services & (1 << service.number()) != 0
    }

    /// `max_size` as a `usize` (saturating).
    pub(crate) fn max_size_usize(&self) -> usize {
        usize::try_from(self.max_size).unwrap_or(usize::MAX)
    }

    /// The 56-byte `struct virtio_crypto_config` (little-endian). VIRTIO 1.3 §5.9.4.
    pub fn config_space(&self, hw_ready: bool) -> [u8; 56] {
        let words: [u32; 12] = [
            if hw_ready {
                VIRTIO_CRYPTO_S_HW_READY
            } else {
                0
            },
            self.max_dataqueues,
            self.crypto_services,
            self.cipher_algo as u32,
            (self.cipher_algo >> 32) as u32,
            self.hash_algo,
            self.mac_algo as u32,
            (self.mac_algo >> 32) as u32,
            self.aead_algo,
            self.max_cipher_key_len,
            self.max_auth_key_len,
            self.akcipher_algo,
        ];
        let mut out = [0u8; 56];
        for (chunk, w) in out.chunks_exact_mut(4).zip(words) {
            chunk.copy_from_slice(&w.to_le_bytes());
        }
        if let Some(tail) = out.get_mut(48..56) {
            tail.copy_from_slice(&self.max_size.to_le_bytes());
        }
        out
    }
}
