//! [`CryptoBackend`] for `vtrust-virtio-crypto`'s [`CryptoDevice`]: vhost-user sessions
//! (QEMU's `CryptoDevBackendSymSessionInfo`) become the device's CIPHER sessions, plain or
//! chained with a hash/MAC; data queues run through the device.
//!
//! QEMU 7.2 forwards only symmetric sessions over vhost-user (it cannot do akcipher there); an
//! asymmetric request is answered with an error id.

use virtio_queue::Queue;
use vm_memory::GuestMemoryMmap;
use vtrust_virtio_crypto::codec::control::{
    AlgChainSessionFlf, ChainHashFlf, CipherSessionFlf, HashCreateSessionFlf, MacCreateSessionFlf,
    SymCreateSessionFlf,
};
use vtrust_virtio_crypto::{CreateSessionRequest, CryptoDevice, DataQueue, SessionParams};

use crate::daemon::{CryptoBackend, QueueHandler};
use crate::protocol::{CryptoSessionRequest, SessionParams as VhostParams, SymSessionInfo};

/// VIRTIO_CRYPTO_SYM_OP_CIPHER.
const SYM_OP_CIPHER: u8 = 1;
/// VIRTIO_CRYPTO_SYM_OP_ALGORITHM_CHAINING.
const SYM_OP_ALGORITHM_CHAINING: u8 = 2;
/// VIRTIO_CRYPTO_SYM_HASH_MODE_PLAIN.
const HASH_MODE_PLAIN: u8 = 1;
/// VIRTIO_CRYPTO_SYM_HASH_MODE_AUTH.
const HASH_MODE_AUTH: u8 = 2;
/// The id QEMU reads as "failed" (any negative value).
const FAILED: i64 = -1;

/// The device behind the daemon.
#[derive(Debug)]
pub struct DeviceBackend {
    device: CryptoDevice,
    template: vtrust_virtio_crypto::DeviceConfig,
    provider: vtrust_crypto::CryptoProvider,
}

impl DeviceBackend {
    /// A backend over a fresh device with `config`.
    #[must_use]
    pub fn new(
        config: vtrust_virtio_crypto::DeviceConfig,
        provider: vtrust_crypto::CryptoProvider,
    ) -> Self {
        Self {
            device: CryptoDevice::new(config.clone(), provider.clone()),
            template: config,
            provider,
        }
    }

    /// The device.
    #[must_use]
    pub const fn device(&self) -> &CryptoDevice {
        &self.device
    }
}

fn sym_params(info: &SymSessionInfo) -> Option<SymCreateSessionFlf> {
    let cipher = CipherSessionFlf {
        algo: info.cipher_alg,
        key_len: info.key_len,
        op: u32::from(info.direction),
    };
    match info.op_type {
        SYM_OP_CIPHER => Some(SymCreateSessionFlf::Cipher(cipher)),
        SYM_OP_ALGORITHM_CHAINING => {
            let hash = match info.hash_mode {
                HASH_MODE_PLAIN => ChainHashFlf::Plain(HashCreateSessionFlf {
                    algo: info.hash_alg,
                    hash_result_len: info.hash_result_len,
                }),
                HASH_MODE_AUTH => ChainHashFlf::Auth(MacCreateSessionFlf {
                    algo: info.hash_alg,
                    hash_result_len: info.hash_result_len,
                    auth_key_len: info.auth_key_len,
                }),
                other => ChainHashFlf::Other(u32::from(other)),
            };
            Some(SymCreateSessionFlf::Chain(AlgChainSessionFlf {
                alg_chain_order: u32::from(info.alg_chain_order),
                hash,
                cipher,
                aad_len: info.add_len,
            }))
        }
        _ => None,
    }
}

/// One data queue of the device, on its worker thread.
#[derive(Debug)]
pub struct DeviceQueue(DataQueue);

impl QueueHandler for DeviceQueue {
    fn process(&mut self, mem: &GuestMemoryMmap, queue: &mut Queue) -> usize {
        let before = self.0.last_error().map(ToString::to_string);
        let done = self.0.process_data_queue(mem, queue).unwrap_or_else(|e| {
            tracing::debug!("Data queue: {e:?}");
            0
        });
        // Guest-triggered: debug level only.
        if let Some(e) = self.0.last_error()
            && before.as_deref() != Some(e.to_string().as_str())
        {
            tracing::debug!("Refused a data request: {e}");
        }
        done
    }
}

impl CryptoBackend for DeviceBackend {
    type Queue = DeviceQueue;

    fn create_session(&mut self, request: &CryptoSessionRequest) -> Result<u64, i64> {
        let VhostParams::Sym {
            info,
            key,
            auth_key,
        } = &request.params
        else {
            return Err(FAILED);
        };
        let params = sym_params(info).ok_or(FAILED)?;
        self.device
            .create_session(&CreateSessionRequest {
                params: SessionParams::Sym(params),
                cipher_key: key,
                auth_key,
            })
            .map_err(|_| FAILED)
    }

    fn close_session(&mut self, id: u64) {
        let _ = self.device.destroy_session(id);
    }

    fn data_queue(&mut self, _index: u16) -> DeviceQueue {
        DeviceQueue(self.device.data_queue())
    }

    fn reset(&mut self) {
        self.device = CryptoDevice::new(self.template.clone(), self.provider.clone());
    }
}
