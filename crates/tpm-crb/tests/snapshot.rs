//! Snapshot/restore: round trips in every phase, resume mid-upload / mid-download /
//! mid-execution to the same final response, and one test per `RestoreError` variant.

mod common;

use common::*;
use vtrust_tpm_crb::driver::LocalBus;
use vtrust_tpm_crb::{CrbAction, CrbConfig, CrbDevice, Phase, RestoreError, Snapshot};
use vtrust_wire::DecodeErrorKind;

/// Byte offsets of the version 1 layout (module docs of `snapshot`).
const VERSION: usize = 8;
const CHUNKING: usize = 18;
const INT_ENABLE_AT: usize = 29;
const TAG: usize = 33;

fn bytes(dev: &CrbDevice) -> Vec<u8> {
    dev.snapshot().to_bytes().unwrap()
}

fn restore_bytes(config: CrbConfig, b: &[u8]) -> Result<CrbDevice, RestoreError> {
    CrbDevice::restore(config, &Snapshot::from_bytes(b)?)
}

/// A device in each phase (and both CmdReception flavours).
fn devices_in_every_phase() -> Vec<CrbDevice> {
    let mut out = vec![device(CrbConfig::default())];
    let mut dev = device(CrbConfig::default());
    ready(&mut dev);
    w32(&mut dev, INT_ENABLE, 0x8000_0011);
    out.push(dev.clone());
    let cmd = command(8000, 6000);
    put_window(&mut dev, &cmd[..WINDOW]);
    w32(&mut dev, CTRL_START, NEXT_CHUNK);
    assert_eq!(dev.phase(), Phase::CmdReception);
    out.push(dev.clone());
    let mut rejected = out[1].clone();
    put_window(&mut rejected, &[0x80, 1, 0, 0, 0, 5]);
    w32(&mut rejected, CTRL_START, NEXT_CHUNK);
    out.push(rejected);
    put_window(&mut dev, &cmd[WINDOW..2 * WINDOW]);
    w32(&mut dev, CTRL_START, NEXT_CHUNK);
    put_window(&mut dev, &cmd[2 * WINDOW..]);
    let action = w32(&mut dev, CTRL_START, START);
    assert!(action.is_some());
    out.push(dev.clone());
    dev.complete(fake_executor(0, &cmd));
    out.push(dev.clone());
    w32(&mut dev, CTRL_START, NEXT_CHUNK);
    out.push(dev);
    out
}

#[test]
fn round_trip_in_every_phase() {
    for dev in devices_in_every_phase() {
        let b = bytes(&dev);
        let snap = Snapshot::from_bytes(&b).unwrap();
        assert_eq!(snap, dev.snapshot());
        let restored = CrbDevice::restore(*dev.config(), &snap).unwrap();
        assert_eq!(restored, dev, "phase {:?}", dev.phase());
        restored.check_invariants().unwrap();
    }
}

#[test]
fn idle_snapshot_layout() {
    let dev = device(CrbConfig {
        window: 16,
        ..CrbConfig::default()
    });
    let mut want = b"VTCRBSNP".to_vec();
    want.extend_from_slice(&[1, 0]); // version 1
    want.extend_from_slice(&[16, 0, 0, 0]); // window
    want.extend_from_slice(&[0, 0x20, 0, 0]); // max_size 8192
    want.push(1); // chunking
    want.extend_from_slice(&0xFED4_0000u64.to_le_bytes());
    want.extend_from_slice(&[0, 0]); // loc_assigned, established
    want.extend_from_slice(&[0; 4]); // int_enable
    want.push(0); // Idle
    want.extend_from_slice(&[16, 0, 0, 0]);
    want.extend_from_slice(&[0; 16]);
    assert_eq!(bytes(&dev), want);
}

/// The response a fresh device gives for `cmd`, sent and read in one go.
fn uninterrupted(cmd: &[u8]) -> Vec<u8> {
    let mut dev = device(CrbConfig::default());
    ready(&mut dev);
    let action = send_raw(&mut dev, cmd);
    execute(&mut dev, action);
    read_raw(&mut dev)
}

#[test]
fn snapshot_mid_upload_resumes_to_the_same_response() {
    let cmd = command(8192, 7000);
    let want = uninterrupted(&cmd);
    let mut dev = device(CrbConfig::default());
    ready(&mut dev);
    put_window(&mut dev, &cmd[..WINDOW]);
    w32(&mut dev, CTRL_START, NEXT_CHUNK);
    let b = bytes(&dev);
    drop(dev);
    let mut dev = restore_bytes(CrbConfig::default(), &b).unwrap();
    put_window(&mut dev, &cmd[WINDOW..2 * WINDOW]);
    w32(&mut dev, CTRL_START, NEXT_CHUNK);
    put_window(&mut dev, &cmd[2 * WINDOW..]);
    let action = w32(&mut dev, CTRL_START, START);
    let got_cmd = execute(&mut dev, action);
    assert_eq!(got_cmd, cmd);
    assert_eq!(read_raw(&mut dev), want);
}

#[test]
fn snapshot_mid_download_resumes_to_the_same_response() {
    let cmd = command(100, 8192);
    let want = uninterrupted(&cmd);
    let mut dev = device(CrbConfig::default());
    ready(&mut dev);
    let action = send_raw(&mut dev, &cmd);
    execute(&mut dev, action);
    let mut got = get_window(&dev, WINDOW);
    w32(&mut dev, CTRL_START, NEXT_CHUNK);
    let b = bytes(&dev);
    let mut dev = restore_bytes(CrbConfig::default(), &b).unwrap();
    got.extend(get_window(&dev, WINDOW));
    w32(&mut dev, CTRL_START, NEXT_CHUNK);
    got.extend(get_window(&dev, 8192 - 2 * WINDOW));
    assert_eq!(got, want);
    // crbRspRetry still works after restore.
    w32(&mut dev, CTRL_START, RSP_RETRY);
    assert_eq!(get_window(&dev, WINDOW), want[..WINDOW]);
}

#[test]
fn snapshot_while_executing_reissues_the_command() {
    let cmd = command(5000, 6000);
    let want = uninterrupted(&cmd);
    let mut dev = device(CrbConfig::default());
    ready(&mut dev);
    let action = send_raw(&mut dev, &cmd);
    assert!(action.is_some());
    let restored = restore_bytes(CrbConfig::default(), &bytes(&dev)).unwrap();
    assert_eq!(restored.phase(), Phase::Executing);
    assert_eq!(r32(&restored, CTRL_START), 1);
    assert_eq!(
        restored.pending_execute(),
        Some(CrbAction::Execute {
            locality: 0,
            command: cmd.clone()
        })
    );
    let mut bus = LocalBus::new(restored, fake_executor);
    assert!(bus.resume_pending());
    let mut dev = bus.into_device();
    assert_eq!(read_raw(&mut dev), want);
}

#[test]
fn restore_accepts_a_different_max_if_buffers_fit() {
    let dev = devices_in_every_phase().pop().unwrap();
    let bigger = CrbConfig {
        max_size: 65536,
        ..CrbConfig::default()
    };
    assert!(restore_bytes(bigger, &bytes(&dev)).is_ok());
}

#[test]
fn refuses_bad_magic() {
    let mut b = bytes(&device(CrbConfig::default()));
    b[0] ^= 1;
    assert_eq!(Snapshot::from_bytes(&b), Err(RestoreError::BadMagic));
}

#[test]
fn refuses_unsupported_version() {
    let mut b = bytes(&device(CrbConfig::default()));
    b[VERSION] = 2;
    assert_eq!(
        Snapshot::from_bytes(&b),
        Err(RestoreError::UnsupportedVersion(2))
    );
}

#[test]
fn refuses_truncated_snapshots() {
    for dev in devices_in_every_phase() {
        let b = bytes(&dev);
        for len in 8..b.len() {
            match Snapshot::from_bytes(&b[..len]) {
                Err(RestoreError::Malformed(e)) => {
                    assert!(
                        matches!(e.kind, DecodeErrorKind::Truncated { .. }),
                        "{len}: {e}"
                    );
                }
                other => panic!("prefix {len}: {other:?}"),
            }
        }
    }
}

#[test]
fn refuses_trailing_bytes() {
    let mut b = bytes(&device(CrbConfig::default()));
    b.push(0);
    match Snapshot::from_bytes(&b) {
        Err(RestoreError::Malformed(e)) => {
            assert_eq!(e.kind, DecodeErrorKind::TrailingBytes { count: 1 });
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn refuses_flag_other_than_0_or_1() {
    let mut b = bytes(&device(CrbConfig::default()));
    b[CHUNKING] = 2;
    match Snapshot::from_bytes(&b) {
        Err(RestoreError::Malformed(e)) => {
            assert_eq!(
                (e.field, e.kind),
                ("chunking", DecodeErrorKind::InvalidValue)
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn refuses_length_above_the_format_limit() {
    let dev = devices_in_every_phase().pop().unwrap();
    let mut b = bytes(&dev);
    // Response length prefix right after the tag: claim 1 MiB.
    b[TAG + 1..TAG + 5].copy_from_slice(&(1u32 << 20).to_le_bytes());
    match Snapshot::from_bytes(&b) {
        Err(RestoreError::Malformed(e)) => {
            assert_eq!(
                e.kind,
                DecodeErrorKind::TooLong {
                    len: 1 << 20,
                    max: 65536
                }
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn refuses_config_mismatch() {
    let b = bytes(&devices_in_every_phase()[1]);
    let cases = [
        (
            CrbConfig {
                window: 2048,
                ..CrbConfig::default()
            },
            "window",
        ),
        (no_chunking(), "chunking"),
        (
            CrbConfig {
                base: 0xFED5_0000,
                ..CrbConfig::default()
            },
            "base",
        ),
    ];
    for (cfg, field) in cases {
        assert_eq!(
            restore_bytes(cfg, &b),
            Err(RestoreError::ConfigMismatch { field })
        );
    }
}

#[test]
fn refuses_buffer_too_large_for_the_destination() {
    let big = CrbConfig {
        max_size: 65536,
        ..CrbConfig::default()
    };
    let mut dev = device(big);
    ready(&mut dev);
    let cmd = command(14, 20000);
    let action = send_raw(&mut dev, &cmd);
    execute(&mut dev, action);
    assert_eq!(
        restore_bytes(CrbConfig::default(), &bytes(&dev)),
        Err(RestoreError::BufferTooLarge {
            field: "response",
            len: 20000,
            max: 8192
        })
    );
    // Mid-upload of a 20000-byte command.
    let mut dev = device(big);
    ready(&mut dev);
    put_window(&mut dev, &command(20000, 10)[..WINDOW]);
    w32(&mut dev, CTRL_START, NEXT_CHUNK);
    assert_eq!(
        restore_bytes(CrbConfig::default(), &bytes(&dev)),
        Err(RestoreError::BufferTooLarge {
            field: "total",
            len: 20000,
            max: 8192
        })
    );
}

#[test]
fn refuses_offset_out_of_range() {
    let dev = devices_in_every_phase().pop().unwrap(); // completion, next = 2 * WINDOW
    let b = bytes(&dev);
    // `next` follows the response: tag, u32 length, response (6000 bytes), next.
    let at = TAG + 1 + 4 + 6000;
    assert_eq!(u32::from_le_bytes(b[at..at + 4].try_into().unwrap()), 6000);
    for bad in [0u32, 1, 3967, 3969, 6001] {
        let mut c = b.clone();
        c[at..at + 4].copy_from_slice(&bad.to_le_bytes());
        assert_eq!(
            restore_bytes(CrbConfig::default(), &c),
            Err(RestoreError::OffsetOutOfRange {
                offset: bad as usize,
                len: 6000
            })
        );
    }
}

#[test]
fn refuses_invalid_state() {
    let idle = bytes(&device(CrbConfig::default()));
    // Unknown tag.
    let mut b = idle.clone();
    b[TAG] = 6;
    assert_eq!(
        Snapshot::from_bytes(&b),
        Err(RestoreError::InvalidState("unknown state tag"))
    );
    // Reserved INT_ENABLE bits.
    let mut b = idle.clone();
    b[INT_ENABLE_AT + 1] = 1;
    assert!(matches!(
        restore_bytes(CrbConfig::default(), &b),
        Err(RestoreError::InvalidState(_))
    ));
    // A response whose header disagrees with its length.
    let phases = devices_in_every_phase();
    let mut b = bytes(&phases[5]);
    b[TAG + 1 + 4 + 5] ^= 1; // low byte of responseSize
    assert!(matches!(
        restore_bytes(CrbConfig::default(), &b),
        Err(RestoreError::InvalidState(_))
    ));
    // An executing command with locality 1.
    let mut b = bytes(&phases[4]);
    assert_eq!(b[TAG], 4);
    b[TAG + 1] = 1;
    assert_eq!(
        restore_bytes(CrbConfig::default(), &b),
        Err(RestoreError::InvalidState("locality not implemented"))
    );
    // Command reception in a snapshot of a device without chunking.
    let mut b = bytes(&phases[2]);
    b[CHUNKING] = 0;
    assert_eq!(
        restore_bytes(no_chunking(), &b),
        Err(RestoreError::InvalidState(
            "command reception without chunking"
        ))
    );
    // Rejected with a code the device never uses.
    let mut b = bytes(&phases[3]);
    assert_eq!(b[TAG], 3);
    b[TAG + 1] = 0x01;
    assert!(matches!(
        restore_bytes(CrbConfig::default(), &b),
        Err(RestoreError::InvalidState(_))
    ));
}
