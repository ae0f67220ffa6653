//! Shared test helpers: command builders, a fake TPM executor, raw register access.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::missing_panics_doc
)]

use vtrust_tpm_crb::{CrbAction, CrbConfig, CrbDevice};

/// Register offsets, written out from `tpm-crb.md` §1 (not taken from the crate).
pub const LOC_STATE: u64 = 0x00;
pub const LOC_CTRL: u64 = 0x08;
pub const LOC_STS: u64 = 0x0C;
pub const INTF_ID: u64 = 0x30;
pub const CTRL_REQ: u64 = 0x40;
pub const CTRL_STS: u64 = 0x44;
pub const CTRL_CANCEL: u64 = 0x48;
pub const CTRL_START: u64 = 0x4C;
pub const INT_ENABLE: u64 = 0x50;
pub const CMD_SIZE: u64 = 0x58;
pub const DATA: u64 = 0x80;
pub const WINDOW: usize = 3968;

pub const START: u32 = 1;
pub const RSP_RETRY: u32 = 2;
pub const NEXT_CHUNK: u32 = 4;

/// A TPM command of `total` bytes (tag 0x8001, size, a vendor command code) whose first
/// parameter asks the fake executor for a response of `respond` bytes; the rest is a
/// position-dependent pattern so lost or reordered bytes show.
pub fn command(total: usize, respond: usize) -> Vec<u8> {
    assert!(total >= 10);
    let mut c = Vec::with_capacity(total);
    c.extend_from_slice(&0x8001u16.to_be_bytes());
    c.extend_from_slice(&u32::try_from(total).unwrap().to_be_bytes());
    c.extend_from_slice(&0x2000_0001u32.to_be_bytes());
    let mut i = 0u32;
    while c.len() < total {
        let b = if c.len() < 14 {
            u32::try_from(respond).unwrap().to_be_bytes()[c.len() - 10]
        } else {
            (i.wrapping_mul(31) ^ (i >> 8)) as u8
        };
        c.push(b);
        i += 1;
    }
    c
}

/// FNV-1a of `bytes`, carried in fake responses to prove the executor saw the command intact.
pub fn fnv(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5u32, |h, &b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

/// A response of `total` bytes: header (tag 0x8001, size, rc 0), then the command's FNV, then a
/// pattern.
pub fn response_for(command: &[u8], total: usize) -> Vec<u8> {
    let mut r = Vec::with_capacity(total);
    r.extend_from_slice(&0x8001u16.to_be_bytes());
    r.extend_from_slice(&u32::try_from(total).unwrap().to_be_bytes());
    r.extend_from_slice(&0u32.to_be_bytes());
    let sum = fnv(command).to_be_bytes();
    let mut i = 0usize;
    while r.len() < total {
        let b = if i < 4 {
            sum[i]
        } else {
            (i.wrapping_mul(7) ^ (i >> 9)) as u8
        };
        r.push(b);
        i += 1;
    }
    r
}

/// The fake TPM: answers with the response size the command asks for (10 if it asks nothing).
pub fn fake_executor(_locality: u8, command: &[u8]) -> Vec<u8> {
    let respond = if command.len() >= 14 {
        u32::from_be_bytes(command[10..14].try_into().unwrap()) as usize
    } else {
        10
    };
    response_for(command, respond.max(10))
}

/// A 10-byte TPM response with `rc` (TPM 2.0 Part 2 §6.6.3 codes; bytes written out).
pub fn rc_response(rc: u32) -> Vec<u8> {
    let mut r = vec![0x80, 0x01, 0, 0, 0, 10];
    r.extend_from_slice(&rc.to_be_bytes());
    r
}

pub fn device(config: CrbConfig) -> CrbDevice {
    CrbDevice::new(config).unwrap()
}

pub fn no_chunking() -> CrbConfig {
    CrbConfig {
        chunking: false,
        ..CrbConfig::default()
    }
}

pub fn r32(dev: &CrbDevice, offset: u64) -> u32 {
    let mut b = [0u8; 4];
    dev.read(offset, &mut b);
    u32::from_le_bytes(b)
}

pub fn w32(dev: &mut CrbDevice, offset: u64, value: u32) -> Option<CrbAction> {
    dev.write(offset, &value.to_le_bytes())
}

/// Writes `bytes` into the window (8-byte accesses, as `memcpy_toio`).
pub fn put_window(dev: &mut CrbDevice, bytes: &[u8]) {
    for (i, piece) in bytes.chunks(8).enumerate() {
        assert_eq!(dev.write(DATA + 8 * i as u64, piece), None);
    }
}

pub fn get_window(dev: &CrbDevice, len: usize) -> Vec<u8> {
    let mut out = vec![0u8; len];
    dev.read(DATA, &mut out);
    out
}

/// Locality + cmdReady.
pub fn ready(dev: &mut CrbDevice) {
    assert_eq!(w32(dev, LOC_CTRL, 1), None);
    assert_eq!(w32(dev, CTRL_REQ, 1), None);
}

/// Sends `cmd` by raw register writes (chunks with nextChunk, final Start) and returns the
/// action of the final Start.
pub fn send_raw(dev: &mut CrbDevice, cmd: &[u8]) -> Option<CrbAction> {
    let window = dev.config().window;
    let chunks: Vec<&[u8]> = cmd.chunks(window).collect();
    for (i, chunk) in chunks.iter().enumerate() {
        put_window(dev, chunk);
        if i + 1 < chunks.len() {
            assert_eq!(w32(dev, CTRL_START, NEXT_CHUNK), None);
            assert_eq!(r32(dev, CTRL_START), 0, "nextChunk clears synchronously");
        } else {
            return w32(dev, CTRL_START, START);
        }
    }
    None
}

/// Runs an Execute action through the fake executor and completes it.
pub fn execute(dev: &mut CrbDevice, action: Option<CrbAction>) -> Vec<u8> {
    match action {
        Some(CrbAction::Execute { locality, command }) => {
            assert_eq!(locality, 0);
            assert!(dev.complete(fake_executor(locality, &command)));
            command
        }
        other => panic!("expected Execute, got {other:?}"),
    }
}

/// Reads the whole response by raw register accesses (header first, nextChunk between chunks).
pub fn read_raw(dev: &mut CrbDevice) -> Vec<u8> {
    let window = dev.config().window;
    let header = get_window(dev, 10);
    let size = u32::from_be_bytes(header[2..6].try_into().unwrap()) as usize;
    let mut out = Vec::new();
    while out.len() < size {
        if !out.is_empty() {
            assert_eq!(w32(dev, CTRL_START, NEXT_CHUNK), None);
            assert_eq!(r32(dev, CTRL_START), 0);
        }
        let n = (size - out.len()).min(window);
        out.extend(get_window(dev, n));
    }
    out
}
