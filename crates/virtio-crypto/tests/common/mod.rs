//! Shared helpers: the three ways a guest can talk to the device, and per-service requests
//! that work in each of them.
#![allow(dead_code)]

use vm_memory::GuestMemoryMmap;
use vtrust_crypto::CryptoProvider;
use vtrust_virtio_crypto::codec::Layout;
use vtrust_virtio_crypto::codec::data::StatelessParams;
use vtrust_virtio_crypto::driver::{TestDriver, guest_memory};
use vtrust_virtio_crypto::spec::{ctrl_op, sym};
use vtrust_virtio_crypto::{CryptoDevice, DeviceConfig, Status};

/// Layout and mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// No crypto feature bits: 72-byte fixed parts, sessions.
    LegacySession,
    /// REVISION_1: natural sizes, sessions.
    Rev1Session,
    /// REVISION_1 + stateless bits: keys in every request.
    Rev1Stateless,
}

pub const MODES: [Mode; 3] = [Mode::LegacySession, Mode::Rev1Session, Mode::Rev1Stateless];

pub fn mem() -> GuestMemoryMmap {
    guest_memory()
}

pub fn driver(mem: &GuestMemoryMmap, mode: Mode) -> TestDriver<'_> {
    driver_with(mem, mode, DeviceConfig::default())
}

pub fn driver_with(mem: &GuestMemoryMmap, mode: Mode, config: DeviceConfig) -> TestDriver<'_> {
    let layout = match mode {
        Mode::LegacySession => Layout::Legacy,
        _ => Layout::Revision1,
    };
    TestDriver::new(
        mem,
        CryptoDevice::new(config, CryptoProvider::new()),
        layout,
    )
}

pub fn h(s: &str) -> Vec<u8> {
    hex::decode(s.replace([' ', '\n'], "")).unwrap()
}

pub fn cipher(
    d: &mut TestDriver<'_>,
    mode: Mode,
    algo: u32,
    key: &[u8],
    encrypt: bool,
    iv: &[u8],
    src: &[u8],
) -> Result<Vec<u8>, Status> {
    if mode == Mode::Rev1Stateless {
        return d.cipher_stateless(algo, key, encrypt, iv, src);
    }
    let id = d.create_cipher_session(algo, key, encrypt)?;
    let out = d.cipher(id, encrypt, iv, src);
    assert_eq!(
        d.destroy_session(ctrl_op::CIPHER_DESTROY_SESSION, id),
        Status::Ok
    );
    out
}

pub fn hash(
    d: &mut TestDriver<'_>,
    mode: Mode,
    algo: u32,
    msg: &[u8],
    len: u32,
) -> Result<Vec<u8>, Status> {
    if mode == Mode::Rev1Stateless {
        return d.hash_stateless(algo, msg, len);
    }
    let id = d.create_hash_session(algo, len)?;
    let out = d.hash(id, msg, len);
    assert_eq!(
        d.destroy_session(ctrl_op::HASH_DESTROY_SESSION, id),
        Status::Ok
    );
    out
}

pub fn mac(
    d: &mut TestDriver<'_>,
    mode: Mode,
    algo: u32,
    key: &[u8],
    msg: &[u8],
    len: u32,
) -> Result<Vec<u8>, Status> {
    if mode == Mode::Rev1Stateless {
        return d.mac_stateless(algo, key, msg, len);
    }
    let id = d.create_mac_session(algo, key, len)?;
    let out = d.mac(id, msg, len);
    assert_eq!(
        d.destroy_session(ctrl_op::MAC_DESTROY_SESSION, id),
        Status::Ok
    );
    out
}

#[allow(clippy::too_many_arguments)]
pub fn aead(
    d: &mut TestDriver<'_>,
    mode: Mode,
    algo: u32,
    key: &[u8],
    tag_len: u32,
    encrypt: bool,
    iv: &[u8],
    aad: &[u8],
    src: &[u8],
) -> Result<Vec<u8>, Status> {
    if mode == Mode::Rev1Stateless {
        return d.aead_stateless(algo, key, encrypt, iv, aad, src, tag_len);
    }
    let id = d.create_aead_session(algo, key, tag_len, aad.len() as u32, encrypt)?;
    let out = d.aead(id, encrypt, iv, aad, src, tag_len);
    assert_eq!(
        d.destroy_session(ctrl_op::AEAD_DESTROY_SESSION, id),
        Status::Ok
    );
    out
}

/// An AKCIPHER "session": an id, or the stateless parameters and key.
pub enum Ak {
    Session(u64),
    Stateless(StatelessParams, Vec<u8>),
}

pub fn ak(
    d: &mut TestDriver<'_>,
    mode: Mode,
    algo: u32,
    key_type: u32,
    params: [u32; 2],
    key: &[u8],
) -> Result<Ak, Status> {
    if mode == Mode::Rev1Stateless {
        return Ok(Ak::Stateless(
            StatelessParams::Akcipher {
                algo,
                key_type,
                key_len: key.len() as u32,
                algo_params: params,
            },
            key.to_vec(),
        ));
    }
    d.create_akcipher_session(algo, key_type, params, key)
        .map(Ak::Session)
}

pub fn ak_sign(
    d: &mut TestDriver<'_>,
    ak: &Ak,
    digest: &[u8],
    dst_len: u32,
) -> Result<Vec<u8>, Status> {
    match ak {
        Ak::Session(id) => d.akcipher_sign(*id, None, &[], digest, dst_len),
        Ak::Stateless(p, key) => d.akcipher_sign(0, Some(p), key, digest, dst_len),
    }
}

pub fn ak_verify(d: &mut TestDriver<'_>, ak: &Ak, sig: &[u8], digest: &[u8]) -> Status {
    match ak {
        Ak::Session(id) => d.akcipher_verify(*id, None, &[], sig, digest),
        Ak::Stateless(p, key) => d.akcipher_verify(0, Some(p), key, sig, digest),
    }
}

pub const ENC: bool = true;
pub const DEC: bool = false;
pub const OP_ENC: u32 = sym::OP_ENCRYPT;

/// AKCIPHER_ENCRYPT / _DECRYPT (or SIGN) with `src` and `dst_len` bytes of room.
pub fn ak_op(
    d: &mut TestDriver<'_>,
    ak: &Ak,
    opcode: u32,
    src: &[u8],
    dst_len: u32,
) -> Result<Vec<u8>, Status> {
    use vtrust_virtio_crypto::codec::data::{AkcipherDataFlf, DataFlf};
    let f = AkcipherDataFlf {
        src_data_len: src.len() as u32,
        dst_data_len: dst_len,
    };
    match ak {
        Ak::Session(id) => d
            .data_request(
                opcode,
                *id,
                &DataFlf::Akcipher(f),
                None,
                &[src],
                dst_len as usize,
            )
            .ok(),
        Ak::Stateless(p, key) => d
            .data_request(
                opcode,
                0,
                &DataFlf::Akcipher(f),
                Some(p),
                &[key, src],
                dst_len as usize,
            )
            .ok(),
    }
}
