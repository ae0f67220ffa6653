//! Register file: reset values against QEMU's table (`tpm-crb.md` §1, the independent known
//! answers), partial-width accesses, read-only registers, the field table.

mod common;

use common::*;
use vtrust_tpm_crb::regs::{Access, FIELDS, REGISTERS, Reg};
use vtrust_tpm_crb::{CrbConfig, CrbDevice};

/// QEMU's reset values (`tpm-crb.md` §1 table), with chunking on. LOC_STATE reads 0x81 on a
/// fresh backend: reset value 0x80 ORed with `!established`.
const QEMU_RESET: &[(u64, u32)] = &[
    (0x00, 0x81),
    (0x04, 0),
    (0x08, 0),
    (0x0C, 0),
    (0x10, 0),
    (0x14, 0),
    (0x18, 0),
    (0x1C, 0),
    (0x20, 0),
    (0x24, 0),
    (0x28, 0),
    (0x2C, 0),
    (0x30, 0x0002_5C11),
    (0x34, 0x0000_1014),
    (0x38, 0),
    (0x3C, 0),
    (0x40, 0),
    (0x44, 0x2),
    (0x48, 0),
    (0x4C, 0),
    (0x50, 0),
    (0x54, 0),
    (0x58, 0xF80),
    (0x5C, 0xFED4_0080),
    (0x60, 0),
    (0x64, 0xF80),
    (0x68, 0xFED4_0080),
    (0x6C, 0),
    (0x70, 0),
    (0x74, 0),
    (0x78, 0),
    (0x7C, 0),
];

#[test]
fn reset_values_match_qemu() {
    let dev = device(CrbConfig::default());
    for &(off, want) in QEMU_RESET {
        assert_eq!(r32(&dev, off), want, "offset {off:#x}");
    }
}

#[test]
fn intf_id_without_chunking_matches_qemu_cap_chunk_off() {
    let dev = device(no_chunking());
    assert_eq!(r32(&dev, INTF_ID), 0x0002_5811);
    for &(off, want) in QEMU_RESET.iter().filter(|(o, _)| *o != INTF_ID) {
        assert_eq!(r32(&dev, off), want, "offset {off:#x}");
    }
}

#[test]
fn loc_state_established_is_active_low() {
    let mut dev = device(CrbConfig::default());
    dev.set_established(true);
    assert_eq!(
        r32(&dev, LOC_STATE),
        0x80,
        "QEMU reset value with established backend"
    );
    dev.set_established(false);
    assert_eq!(r32(&dev, LOC_STATE), 0x81);
}

#[test]
fn locality_request_and_relinquish() {
    let mut dev = device(CrbConfig::default());
    w32(&mut dev, LOC_CTRL, 1);
    assert_eq!(r32(&dev, LOC_STATE) & 0x82, 0x82, "Linux's poll condition");
    assert_eq!(r32(&dev, LOC_STS), 1, "Granted");
    assert_eq!(r32(&dev, LOC_CTRL), 0, "write-only, reads 0");
    w32(&mut dev, LOC_CTRL, 2);
    assert_eq!(r32(&dev, LOC_STATE) & 0x82, 0x80);
    assert_eq!(r32(&dev, LOC_STS), 0);
}

#[test]
fn cmd_ready_and_go_idle_drive_tpm_idle() {
    let mut dev = device(CrbConfig::default());
    w32(&mut dev, CTRL_REQ, 1);
    assert_eq!(r32(&dev, CTRL_STS), 0, "ready: tpmIdle clear");
    assert_eq!(r32(&dev, CTRL_REQ), 0, "request completes at once");
    w32(&mut dev, CTRL_REQ, 2);
    assert_eq!(r32(&dev, CTRL_STS), 2);
}

#[test]
fn address_registers_follow_the_configured_base_and_window() {
    let dev = device(CrbConfig {
        base: 0x1_2345_6000,
        window: 0x800,
        ..CrbConfig::default()
    });
    assert_eq!(r32(&dev, 0x58), 0x800);
    assert_eq!(r32(&dev, 0x5C), 0x2345_6080);
    assert_eq!(r32(&dev, 0x60), 1);
    assert_eq!(r32(&dev, 0x64), 0x800);
    let mut rsp = [0u8; 8];
    dev.read(0x68, &mut rsp);
    assert_eq!(
        u64::from_le_bytes(rsp),
        0x1_2345_6080,
        "64-bit CTRL_RSP_ADDR"
    );
}

#[test]
fn partial_width_reads() {
    let dev = device(CrbConfig::default());
    let mut b = [0u8; 1];
    dev.read(0x31, &mut b);
    assert_eq!(b, [0x5C], "INTF_ID byte 1");
    let mut h = [0u8; 2];
    dev.read(0x32, &mut h);
    assert_eq!(u16::from_le_bytes(h), 0x0002);
    let mut q = [0u8; 8];
    dev.read(0x30, &mut q);
    assert_eq!(
        u64::from_le_bytes(q),
        0x0000_1014_0002_5C11,
        "64-bit INTF_ID"
    );
    // An unaligned read straddling two registers.
    let mut s = [0u8; 4];
    dev.read(0x2E, &mut s);
    assert_eq!(s, [0, 0, 0x11, 0x5C]);
    // Unaligned 3-byte read inside CTRL_CMD_LADDR.
    let mut t = [0u8; 3];
    dev.read(0x5D, &mut t);
    assert_eq!(t, [0x00, 0xD4, 0xFE]);
}

#[test]
fn partial_width_writes() {
    let mut dev = device(CrbConfig::default());
    // One byte at LOC_CTRL.
    assert_eq!(dev.write(0x08, &[1]), None);
    assert_eq!(r32(&dev, LOC_STS), 1);
    // A byte into LOC_CTRL's reserved bits 15:8 does nothing.
    dev.write(0x09, &[2]);
    assert_eq!(r32(&dev, LOC_STS), 1);
    // A 2-byte write at CTRL_REQ.
    dev.write(0x40, &[1, 0]);
    assert_eq!(r32(&dev, CTRL_STS), 0);
    // An 8-byte write covering CTRL_CANCEL (0) and CTRL_START (1): starts a command.
    put_window(&mut dev, &command(10, 10));
    let mut v = [0u8; 8];
    v[4] = 1;
    assert!(dev.write(0x48, &v).is_some());
    assert_eq!(r32(&dev, CTRL_START), 1);
}

#[test]
fn int_enable_stores_defined_bits_and_preserves_reserved_ones() {
    let mut dev = device(CrbConfig::default());
    w32(&mut dev, INT_ENABLE, 0xFFFF_FFFF);
    assert_eq!(r32(&dev, INT_ENABLE), 0x8000_001F, "reserved bits stay 0");
    dev.write(INT_ENABLE + 3, &[0x00]);
    assert_eq!(
        r32(&dev, INT_ENABLE),
        0x0000_001F,
        "byte write only touches its lane"
    );
    dev.write(INT_ENABLE + 1, &[0xFF]);
    assert_eq!(r32(&dev, INT_ENABLE), 0x0000_001F);
    dev.write(INT_ENABLE, &[0x01]);
    assert_eq!(r32(&dev, INT_ENABLE), 0x0000_0001);
}

#[test]
fn refuses_writes_to_read_only_registers() {
    let mut dev = device(CrbConfig::default());
    for off in [
        0x00u64, 0x04, 0x0C, 0x10, 0x1C, 0x30, 0x34, 0x38, 0x3C, 0x44, 0x54, 0x58, 0x5C, 0x60,
        0x64, 0x68, 0x6C, 0x70, 0x7C,
    ] {
        assert_eq!(w32(&mut dev, off, 0xFFFF_FFFF), None);
    }
    for &(off, want) in QEMU_RESET {
        assert_eq!(r32(&dev, off), want, "offset {off:#x}");
    }
}

#[test]
fn data_window_accepts_any_width() {
    let mut dev = device(CrbConfig::default());
    dev.write(0x80, &0x0807_0605_0403_0201u64.to_le_bytes());
    dev.write(0x88, &[9]);
    dev.write(0x89, &[10, 11]);
    dev.write(0x8B, &[12, 13, 14, 15]);
    let mut out = [0u8; 16];
    dev.read(0x80, &mut out);
    assert_eq!(out, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0]);
    // The last byte of the page.
    dev.write(0xFFF, &[0xAA]);
    let mut last = [0u8; 1];
    dev.read(0xFFF, &mut last);
    assert_eq!(last, [0xAA]);
    assert_eq!(dev.window()[WINDOW - 1], 0xAA);
}

#[test]
fn accesses_outside_the_window_and_page_are_inert() {
    let mut dev = device(CrbConfig {
        window: 64,
        ..CrbConfig::default()
    });
    let before = dev.clone();
    dev.write(0x80 + 64, &[0xFF; 8]);
    dev.write(0x1000, &[0xFF; 8]);
    dev.write(u64::MAX - 3, &[0xFF; 8]);
    assert_eq!(dev, before);
    let mut out = [0x55u8; 8];
    dev.read(0x80 + 64, &mut out);
    assert_eq!(out, [0; 8]);
    dev.read(u64::MAX - 3, &mut out);
    assert_eq!(out, [0; 8]);
    // A read spanning the whole page and more.
    let mut big = vec![0u8; 0x1100];
    dev.read(0, &mut big);
    assert_eq!(big[0x30..0x34], [0x11, 0x5C, 0x02, 0x00]);
}

#[test]
fn field_table_is_consistent() {
    for reg in REGISTERS {
        assert_eq!(Reg::at(reg.reg.offset()), Some(reg.reg));
        assert_eq!(reg.reg.offset() % 4, 0);
        let mut used = 0u32;
        for f in FIELDS.iter().filter(|f| f.reg == reg.reg) {
            assert!(f.width >= 1 && f.lsb + f.width <= 32, "{}", f.name);
            assert_eq!(used & f.mask(), 0, "{} overlaps", f.name);
            used |= f.mask();
            if reg.access == Access::ReadOnly {
                assert_eq!(f.access, Access::ReadOnly, "{}", f.name);
            }
        }
    }
    for f in FIELDS {
        assert!(REGISTERS.iter().any(|r| r.reg == f.reg), "{}", f.name);
        assert_eq!(f.get(f.set(0, u32::MAX)), u32::MAX >> (32 - f.width));
    }
    // Bit positions checked in QEMU and Linux (`tpm-crb.md` key findings).
    use vtrust_tpm_crb::regs::fields;
    assert_eq!(fields::START.mask(), 1);
    assert_eq!(fields::CRB_RSP_RETRY.mask(), 2);
    assert_eq!(fields::NEXT_CHUNK.mask(), 4);
    assert_eq!(fields::CAP_CRB_CHUNK.mask(), 1 << 10);
}

#[test]
fn reset_returns_to_reset_values() {
    let mut dev = device(CrbConfig::default());
    ready(&mut dev);
    w32(&mut dev, INT_ENABLE, 1);
    let action = send_raw(&mut dev, &command(5000, 100));
    assert!(action.is_some());
    dev.reset();
    for &(off, want) in QEMU_RESET {
        assert_eq!(r32(&dev, off), want, "offset {off:#x}");
    }
    assert!(dev.window().iter().all(|&b| b == 0));
    assert!(
        !dev.complete(rc_response(0)),
        "a late response after reset is dropped"
    );
}

#[test]
fn new_device_is_idle() {
    let dev = CrbDevice::new(CrbConfig::default()).unwrap();
    assert_eq!(dev.phase(), vtrust_tpm_crb::Phase::Idle);
    assert_eq!(r32(&dev, CMD_SIZE), WINDOW as u32);
}
