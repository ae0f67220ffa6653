//! Fuzz target for the TPM CRB device model (`vtrust-tpm-crb`): arbitrary register and data
//! buffer reads and writes, backend completions (well-formed or not), established-flag
//! changes and snapshot round trips, with the device's invariants checked after every step
//! (window size fixed, buffers within the configured maxima, offsets inside their buffers,
//! registers consistent with the state) and every Execute action checked against the limits.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vtrust_fuzz::Input;
use vtrust_tpm_crb::{CrbAction, CrbConfig, CrbDevice, Snapshot};

/// Registers worth hitting often, and the values Linux writes to them.
const REGS: [u64; 6] = [0x08, 0x40, 0x48, 0x4C, 0x4C, 0x50];
const VALUES: [u32; 6] = [1, 2, 4, 1, 4, 2];

fn check_action(dev: &CrbDevice, action: &Option<CrbAction>) {
    match action {
        Some(CrbAction::Execute { locality, command }) => {
            assert_eq!(*locality, 0);
            assert!(command.len() >= 10 && command.len() <= dev.config().max_command());
            let size = u32::from_be_bytes([command[2], command[3], command[4], command[5]]);
            assert_eq!(size as usize, command.len());
            assert!(dev.is_executing());
        }
        Some(CrbAction::Cancel) => assert!(dev.is_executing()),
        Some(_) | None => {}
    }
}

fuzz_target!(|data: &[u8]| {
    let mut input = Input(data);
    let flags = input.u8();
    let window = match flags & 3 {
        0 => 3968,
        1 => 10 + usize::from(input.u8()),
        2 => 64,
        _ => 10 + usize::from(input.u16()) % 3959,
    };
    let max_size = match (flags >> 2) & 3 {
        0 => 8192,
        1 => 10 + usize::from(input.u16()),
        2 => 65536,
        _ => 4096,
    };
    let config = CrbConfig {
        window,
        max_size,
        chunking: flags & 0x10 == 0,
        ..CrbConfig::default()
    };
    let Ok(mut dev) = CrbDevice::new(config) else {
        return;
    };
    let mut steps = 0;
    while !input.0.is_empty() && steps < 4096 {
        steps += 1;
        let op = input.u8();
        let action = match op % 10 {
            // A Linux-style register write.
            0..=2 => {
                let i = usize::from(input.u8()) % REGS.len();
                dev.write(REGS[i], &VALUES[i].to_le_bytes())
            }
            // Any write, any offset, any width up to 8.
            3 => {
                let offset = u64::from(input.u16()) % 0x1100;
                let len = usize::from(input.u8() % 9);
                let bytes = input.bytes(len);
                dev.write(offset, &bytes)
            }
            // A header in the window (valid sizes often, to reach deep states).
            4 => {
                let size = match input.u8() % 4 {
                    0 => u32::from(input.u16()),
                    1 => input.u32(),
                    2 => window as u32 + u32::from(input.u8()),
                    _ => 10 + u32::from(input.u8()),
                };
                let mut h = vec![0x80, 0x01];
                h.extend_from_slice(&size.to_be_bytes());
                dev.write(0x80, &h)
            }
            // Any read; reads have no side effects.
            5 => {
                let offset = if op & 0x80 == 0 {
                    u64::from(input.u16())
                } else {
                    u64::from(input.u32()) << 32 | u64::from(input.u32())
                };
                let mut buf = vec![0u8; usize::from(input.u8() % 17)];
                let before = dev.clone();
                dev.read(offset, &mut buf);
                assert_eq!(before, dev);
                None
            }
            // A backend response: well-formed of some size, or arbitrary bytes.
            6 => {
                let len = usize::from(input.u16()) % 70000;
                let response = if op & 0x80 == 0 {
                    let total = len.max(10);
                    let mut r = vec![0u8; total];
                    r[0] = 0x80;
                    r[1] = 0x01;
                    r[2..6].copy_from_slice(&(total as u32).to_be_bytes());
                    r
                } else {
                    input.bytes(len % 64)
                };
                let was_executing = dev.is_executing();
                assert_eq!(dev.complete(response), was_executing);
                None
            }
            7 => {
                dev.set_established(op & 0x80 != 0);
                None
            }
            // Snapshot round trip.
            8 => {
                let bytes = dev.snapshot().to_bytes().expect("snapshot encodes");
                let snap = Snapshot::from_bytes(&bytes).expect("own snapshot parses");
                let restored = CrbDevice::restore(config, &snap).expect("own snapshot restores");
                assert_eq!(restored, dev);
                let cut = usize::from(input.u16()) % bytes.len();
                assert!(Snapshot::from_bytes(&bytes[..cut]).is_err());
                None
            }
            // A write spanning several registers.
            _ => {
                let offset = u64::from(input.u8() % 0x84);
                let bytes = input.bytes(8);
                dev.write(offset, &bytes)
            }
        };
        check_action(&dev, &action);
        if let Err(e) = dev.check_invariants() {
            panic!("invariant broken after op {op}: {e}");
        }
        assert_eq!(dev.window().len(), window);
    }
});
