//! The virtio crypto device (VIRTIO 1.3 §5.9, device ID 20), without I/O.
//!
//! [`CryptoDevice`] takes descriptor chains from virtio-queue queues over vm-memory guest
//! memory, parses control and data requests in both layouts (legacy 72-byte fixed parts;
//! `VIRTIO_CRYPTO_F_REVISION_1` natural sizes), keeps a bounded session table, runs the
//! services through a [`vtrust_crypto::CryptoProvider`] and completes every chain with a
//! status. A vhost-user daemon or a VMM owns the queues, the memory map and the interrupts.
//!
//! | module | what it owns |
//! |---|---|
//! | [`spec`] | device ID, feature bits, services, algorithm ids, opcodes, [`Status`] |
//! | [`config`] | [`DeviceConfig`] and the 56-byte config space |
//! | [`codec`] | parsing and serializing the fixed parts of control and data requests |
//! | `session` | session parameters, key import, the bounded table |
//! | `service` | one file per service: length checks then crypto |
//! | `chain` | descriptor chains: readable/writable split, copy-in, write-back |
//! | [`device`] | [`CryptoDevice`]: features, queues, sessions |
//! | [`driver`] | (feature `test-utils`) a test driver on virtio-queue's `MockSplitQueue` |
//!
//! # Supported
//! CIPHER AES-ECB/CBC/CTR/XTS and 3DES-CBC, alone or chained with a hash (PLAIN) or MAC
//! (AUTH) in either order; HASH SHA-1, SHA-224/256/384/512, SHA3-224/256/384/512; MAC
//! HMAC-SHA-1/224/256/384/512 and CMAC-AES; AEAD AES-GCM, AES-CCM, ChaCha20-Poly1305;
//! AKCIPHER ECDSA P-256/P-384 sign and verify over a digest (DER signatures), RSA raw and
//! PKCS#1 v1.5 (no hash, MD5, SHA-1, SHA-224/256/384/512) encrypt, decrypt, sign and verify
//! (RSA through RustCrypto's `rsa`: vtrust-crypto has no RSA encryption). Session and
//! stateless mode. Everything else answers `NOTSUPP` (other ciphers, curves and hashes,
//! MD5 and SHAKE hashes, GMAC/XCBC/CBC-MAC, NESTED hash mode, ECDSA encrypt/decrypt, IPSEC).
//!
//! # Hostile guests
//! Each chain's readable part is copied out of guest memory once (bounded by limits derived
//! from `max_size` and the key maxima before anything is allocated) and parsed from the
//! copy. Every length is checked (against `max_size`, the key maxima, the other lengths and
//! the chain's buffers, with checked sums) before any crypto. Every chain is completed with
//! a status and added to the used ring; nothing panics.

#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::arithmetic_side_effects
    )
)]

mod chain;
pub mod codec;
pub mod config;
pub mod device;
#[cfg(feature = "test-utils")]
pub mod driver;
mod error;
mod service;
mod session;
pub mod spec;

pub use config::DeviceConfig;
pub use device::{CryptoDevice, DataQueue};
pub use error::{ChainError, RequestError};
pub use session::{CreateSessionRequest, SessionParams};
pub use spec::Status;
