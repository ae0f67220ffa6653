//! One test per refusal of the state machine and the configuration: each asserts the exact
//! outcome (no action, a synthesized TPM response code, an error variant) and that the device
//! is still usable afterwards (no sticky error: QEMU quirk 2).

mod common;

use common::*;
use vtrust_tpm_crb::{ConfigError, CrbAction, CrbConfig, CrbDevice, Phase};

/// TPM 2.0 Part 2 §6.6.3.
const TPM_RC_COMMAND_SIZE: u32 = 0x142;
const TPM_RC_FAILURE: u32 = 0x101;

fn fresh() -> CrbDevice {
    let mut dev = device(CrbConfig::default());
    ready(&mut dev);
    dev
}

/// The device still runs a normal command.
fn assert_usable(dev: &mut CrbDevice) {
    if !f_locality(dev) {
        w32(dev, LOC_CTRL, 1);
    }
    w32(dev, CTRL_REQ, 1);
    let rsp = if dev.config().chunking { 5000 } else { 100 };
    let cmd = command(14, rsp);
    let action = send_raw(dev, &cmd);
    execute(dev, action);
    assert_eq!(read_raw(dev), response_for(&cmd, rsp));
    dev.check_invariants().unwrap();
}

fn f_locality(dev: &CrbDevice) -> bool {
    r32(dev, LOC_STS) & 1 == 1
}

/// A header claiming `size` bytes, padded to `len`.
fn header(size: u32, len: usize) -> Vec<u8> {
    let mut h = vec![0x80, 0x01];
    h.extend_from_slice(&size.to_be_bytes());
    h.extend_from_slice(&0x17Bu32.to_be_bytes());
    h.resize(len, 0xEE);
    h
}

/// Completes a command whose response `rsp` the backend returns; gives the window's first 10 bytes.
fn complete_with(rsp: Vec<u8>) -> Vec<u8> {
    let mut dev = fresh();
    let action = send_raw(&mut dev, &command(14, 10));
    assert!(matches!(action, Some(CrbAction::Execute { .. })));
    assert!(dev.complete(rsp));
    dev.check_invariants().unwrap();
    let out = read_raw(&mut dev);
    assert_usable(&mut dev);
    out
}

#[test]
fn refuses_next_chunk_without_chunking_capability() {
    let mut dev = device(no_chunking());
    ready(&mut dev);
    let cmd = command(20, 10);
    put_window(&mut dev, &cmd);
    assert_eq!(w32(&mut dev, CTRL_START, NEXT_CHUNK), None);
    assert_eq!(dev.phase(), Phase::Ready, "nextChunk ignored");
    assert_eq!(r32(&dev, CTRL_START), 0);
    let action = w32(&mut dev, CTRL_START, START);
    assert_eq!(
        action,
        Some(CrbAction::Execute {
            locality: 0,
            command: cmd
        })
    );
}

#[test]
fn refuses_rsp_retry_without_chunking() {
    let mut dev = device(no_chunking());
    ready(&mut dev);
    let action = send_raw(&mut dev, &command(14, 100));
    execute(&mut dev, action);
    put_window(&mut dev, &[0xAB; 16]);
    assert_eq!(w32(&mut dev, CTRL_START, RSP_RETRY), None);
    assert_eq!(
        get_window(&dev, 16),
        vec![0xAB; 16],
        "first chunk not rewritten"
    );
}

#[test]
fn refuses_rsp_retry_during_command_reception() {
    let mut dev = fresh();
    let cmd = command(5000, 10);
    put_window(&mut dev, &cmd[..WINDOW]);
    w32(&mut dev, CTRL_START, NEXT_CHUNK);
    put_window(&mut dev, &cmd[WINDOW..]);
    // QEMU quirk 4: crbRspRetry is honoured here. The PTP scopes it to command completion.
    assert_eq!(w32(&mut dev, CTRL_START, RSP_RETRY), None);
    assert_eq!(dev.phase(), Phase::CmdReception);
    assert_eq!(get_window(&dev, 5000 - WINDOW), cmd[WINDOW..]);
    let action = w32(&mut dev, CTRL_START, START);
    assert_eq!(
        action,
        Some(CrbAction::Execute {
            locality: 0,
            command: cmd
        })
    );
}

#[test]
fn refuses_rsp_retry_when_ready() {
    let mut dev = fresh();
    put_window(&mut dev, &[0x11; 32]);
    assert_eq!(w32(&mut dev, CTRL_START, RSP_RETRY), None);
    assert_eq!(dev.phase(), Phase::Ready);
    assert_eq!(get_window(&dev, 32), vec![0x11; 32]);
}

#[test]
fn refuses_start_without_locality() {
    let mut dev = device(CrbConfig::default());
    w32(&mut dev, CTRL_REQ, 1);
    put_window(&mut dev, &command(14, 10));
    assert_eq!(w32(&mut dev, CTRL_START, START), None);
    assert_eq!(w32(&mut dev, CTRL_START, NEXT_CHUNK), None);
    assert_eq!(r32(&dev, CTRL_START), 0);
    assert_eq!(dev.phase(), Phase::Ready);
    // After relinquish too.
    w32(&mut dev, LOC_CTRL, 1);
    w32(&mut dev, LOC_CTRL, 2);
    assert_eq!(w32(&mut dev, CTRL_START, START), None);
    assert_usable(&mut dev);
}

#[test]
fn refuses_start_while_idle() {
    let mut dev = device(CrbConfig::default());
    w32(&mut dev, LOC_CTRL, 1);
    put_window(&mut dev, &command(14, 10));
    assert_eq!(w32(&mut dev, CTRL_START, START), None);
    assert_eq!(w32(&mut dev, CTRL_START, NEXT_CHUNK), None);
    assert_eq!(dev.phase(), Phase::Idle);
    assert_eq!(r32(&dev, CTRL_STS), 2);
    assert_usable(&mut dev);
}

#[test]
fn refuses_start_while_executing() {
    let mut dev = fresh();
    let cmd = command(14, 10);
    let action = send_raw(&mut dev, &cmd);
    assert!(action.is_some());
    put_window(&mut dev, &command(20, 10));
    for bits in [START, NEXT_CHUNK, RSP_RETRY, 7] {
        assert_eq!(w32(&mut dev, CTRL_START, bits), None, "bits {bits}");
        assert_eq!(r32(&dev, CTRL_START), 1);
    }
    assert_eq!(
        dev.pending_execute(),
        Some(CrbAction::Execute {
            locality: 0,
            command: cmd.clone()
        })
    );
    assert!(dev.complete(fake_executor(0, &cmd)));
    assert_eq!(read_raw(&mut dev), response_for(&cmd, 10));
}

#[test]
fn refuses_header_below_10() {
    for size in [0u32, 1, 9] {
        // Single chunk with Start.
        let mut dev = fresh();
        put_window(&mut dev, &header(size, 10));
        assert_eq!(w32(&mut dev, CTRL_START, START), None);
        assert_eq!(get_window(&dev, 10), rc_response(TPM_RC_COMMAND_SIZE));
        assert_eq!(
            r32(&dev, CTRL_STS) & 1,
            0,
            "no sticky tpmSts (QEMU quirk 2)"
        );
        assert_usable(&mut dev);
        // First chunk with nextChunk: the rest is swallowed, Start answers.
        let mut dev = fresh();
        put_window(&mut dev, &header(size, WINDOW));
        assert_eq!(w32(&mut dev, CTRL_START, NEXT_CHUNK), None);
        assert_eq!(dev.phase(), Phase::CmdReception);
        put_window(&mut dev, &command(14, 10));
        assert_eq!(w32(&mut dev, CTRL_START, NEXT_CHUNK), None);
        assert_eq!(w32(&mut dev, CTRL_START, START), None);
        assert_eq!(get_window(&dev, 10), rc_response(TPM_RC_COMMAND_SIZE));
        assert_usable(&mut dev);
    }
}

#[test]
fn refuses_header_above_max() {
    for size in [8193u32, 65536, u32::MAX] {
        let mut dev = fresh();
        put_window(&mut dev, &header(size, WINDOW));
        assert_eq!(w32(&mut dev, CTRL_START, NEXT_CHUNK), None);
        assert_eq!(w32(&mut dev, CTRL_START, NEXT_CHUNK), None);
        assert_eq!(
            w32(&mut dev, CTRL_START, START),
            None,
            "never reaches the backend"
        );
        assert_eq!(get_window(&dev, 10), rc_response(TPM_RC_COMMAND_SIZE));
        dev.check_invariants().unwrap();
        assert_usable(&mut dev);
    }
}

#[test]
fn refuses_start_before_all_chunks() {
    let mut dev = fresh();
    let cmd = command(8000, 10);
    put_window(&mut dev, &cmd[..WINDOW]);
    w32(&mut dev, CTRL_START, NEXT_CHUNK);
    put_window(&mut dev, &cmd[WINDOW..2 * WINDOW]);
    // Start with the second of three chunks (tpm-crb.md §2: swtpm answers 0x142 here too).
    assert_eq!(w32(&mut dev, CTRL_START, START), None);
    assert_eq!(get_window(&dev, 10), rc_response(TPM_RC_COMMAND_SIZE));
    // And a multi-chunk command sent with Start only.
    let mut dev = fresh();
    put_window(&mut dev, &cmd[..WINDOW]);
    assert_eq!(w32(&mut dev, CTRL_START, START), None);
    assert_eq!(get_window(&dev, 10), rc_response(TPM_RC_COMMAND_SIZE));
    assert_usable(&mut dev);
}

#[test]
fn refuses_command_over_window_without_chunking() {
    let mut dev = device(no_chunking());
    ready(&mut dev);
    put_window(&mut dev, &header(WINDOW as u32 + 1, WINDOW));
    assert_eq!(w32(&mut dev, CTRL_START, START), None);
    assert_eq!(get_window(&dev, 10), rc_response(TPM_RC_COMMAND_SIZE));
    assert_usable(&mut dev);
}

#[test]
fn refuses_partial_command_after_cmd_ready() {
    let mut dev = fresh();
    let cmd = command(6000, 10);
    put_window(&mut dev, &cmd[..WINDOW]);
    w32(&mut dev, CTRL_START, NEXT_CHUNK);
    w32(&mut dev, CTRL_REQ, 1);
    assert_eq!(dev.phase(), Phase::Ready, "partial command dropped");
    // The old tail with Start is now a fresh (malformed) command, not the end of the old one.
    put_window(&mut dev, &cmd[WINDOW..]);
    assert_eq!(w32(&mut dev, CTRL_START, START), None);
    assert_ne!(get_window(&dev, 10)[6..10], [0, 0, 0, 0]);
    assert_usable(&mut dev);
}

#[test]
fn refuses_partial_command_after_go_idle() {
    let mut dev = fresh();
    let cmd = command(6000, 10);
    put_window(&mut dev, &cmd[..WINDOW]);
    w32(&mut dev, CTRL_START, NEXT_CHUNK);
    w32(&mut dev, CTRL_REQ, 2);
    assert_eq!(dev.phase(), Phase::Idle);
    assert_eq!(w32(&mut dev, CTRL_START, START), None);
    assert_usable(&mut dev);
}

#[test]
fn refuses_held_response_after_go_idle() {
    let mut dev = fresh();
    let cmd = command(14, 8192);
    let action = send_raw(&mut dev, &cmd);
    execute(&mut dev, action);
    w32(&mut dev, CTRL_REQ, 2);
    w32(&mut dev, CTRL_REQ, 1);
    put_window(&mut dev, &[0x5A; 16]);
    assert_eq!(w32(&mut dev, CTRL_START, RSP_RETRY), None);
    assert_eq!(get_window(&dev, 16), vec![0x5A; 16], "response dropped");
}

#[test]
fn refuses_partial_command_after_cancel() {
    let mut dev = fresh();
    let cmd = command(6000, 10);
    put_window(&mut dev, &cmd[..WINDOW]);
    w32(&mut dev, CTRL_START, NEXT_CHUNK);
    assert_eq!(
        w32(&mut dev, CTRL_CANCEL, 1),
        None,
        "nothing executing: no backend cancel"
    );
    assert_eq!(dev.phase(), Phase::Ready);
    assert_eq!(r32(&dev, CTRL_CANCEL), 0);
    assert_usable(&mut dev);
}

#[test]
fn refuses_held_response_after_cancel() {
    let mut dev = fresh();
    let action = send_raw(&mut dev, &command(14, 8000));
    execute(&mut dev, action);
    w32(&mut dev, CTRL_CANCEL, 1);
    assert_eq!(dev.phase(), Phase::Ready);
    put_window(&mut dev, &[0x5A; 16]);
    w32(&mut dev, CTRL_START, RSP_RETRY);
    assert_eq!(get_window(&dev, 16), vec![0x5A; 16]);
}

#[test]
fn cancel_while_executing_asks_the_backend_and_waits_for_its_response() {
    let mut dev = fresh();
    let action = send_raw(&mut dev, &command(14, 10));
    assert!(action.is_some());
    assert_eq!(
        w32(&mut dev, CTRL_CANCEL, 0),
        None,
        "Linux writes 0 before each command"
    );
    assert_eq!(w32(&mut dev, CTRL_CANCEL, 1), Some(CrbAction::Cancel));
    assert_eq!(
        r32(&dev, CTRL_START),
        1,
        "Start stays set until the backend answers"
    );
    // TPM_RC_CANCELED (0x909, TPM 2.0 Part 2 §6.6.3).
    assert!(dev.complete(rc_response(0x909)));
    assert_eq!(read_raw(&mut dev), rc_response(0x909));
}

#[test]
fn refuses_cmd_ready_and_go_idle_while_executing() {
    let mut dev = fresh();
    let cmd = command(14, 10);
    let action = send_raw(&mut dev, &cmd);
    assert!(action.is_some());
    w32(&mut dev, CTRL_REQ, 1);
    assert_eq!(dev.phase(), Phase::Executing);
    w32(&mut dev, CTRL_REQ, 2);
    assert_eq!(dev.phase(), Phase::Executing);
    assert_eq!(r32(&dev, CTRL_STS), 0);
    assert!(dev.complete(fake_executor(0, &cmd)));
    assert_eq!(read_raw(&mut dev), response_for(&cmd, 10));
}

#[test]
fn refuses_cmd_ready_together_with_go_idle() {
    let mut dev = fresh();
    w32(&mut dev, CTRL_REQ, 3);
    assert_eq!(dev.phase(), Phase::Ready);
    w32(&mut dev, CTRL_REQ, 2);
    w32(&mut dev, CTRL_REQ, 3);
    assert_eq!(dev.phase(), Phase::Idle);
}

#[test]
fn refuses_request_together_with_relinquish() {
    let mut dev = device(CrbConfig::default());
    w32(&mut dev, LOC_CTRL, 3);
    assert_eq!(r32(&dev, LOC_STS), 0);
}

#[test]
fn refuses_seize_and_reset_establishment_from_locality_0() {
    let mut dev = device(CrbConfig::default());
    dev.set_established(true);
    assert_eq!(w32(&mut dev, LOC_CTRL, 4), None);
    assert_eq!(r32(&dev, LOC_STS), 0, "seize does not grant");
    assert_eq!(
        w32(&mut dev, LOC_CTRL, 8),
        None,
        "resetEstablishment needs locality 3 or 4"
    );
    assert_eq!(r32(&dev, LOC_STATE), 0x80);
}

#[test]
fn refuses_short_response() {
    assert_eq!(complete_with(vec![]), rc_response(TPM_RC_FAILURE));
    assert_eq!(
        complete_with(rc_response(0)[..9].to_vec()),
        rc_response(TPM_RC_FAILURE)
    );
}

#[test]
fn refuses_response_whose_header_disagrees_with_its_length() {
    let mut longer = rc_response(0);
    longer.extend_from_slice(&[0; 6]);
    assert_eq!(complete_with(longer), rc_response(TPM_RC_FAILURE));
    let mut claims_more = response_for(b"x", 100);
    claims_more.truncate(50);
    assert_eq!(complete_with(claims_more), rc_response(TPM_RC_FAILURE));
}

#[test]
fn refuses_response_above_max() {
    assert_eq!(
        complete_with(response_for(b"x", 8193)),
        rc_response(TPM_RC_COMMAND_SIZE)
    );
    assert_eq!(complete_with(response_for(b"x", 8192)).len(), 8192);
}

#[test]
fn refuses_complete_without_a_command() {
    let mut dev = fresh();
    let before = dev.clone();
    assert!(!dev.complete(rc_response(0)));
    assert_eq!(dev, before);
    let action = send_raw(&mut dev, &command(14, 10));
    execute(&mut dev, action);
    assert!(
        !dev.complete(rc_response(0)),
        "a second response for one command"
    );
}

#[test]
fn refuses_next_chunk_after_the_whole_response_as_a_response_request() {
    // With the whole response read, nextChunk starts a new command (explicit state instead of
    // QEMU's "response buffer non-empty" guess).
    let mut dev = fresh();
    let first = command(14, 20);
    let action = send_raw(&mut dev, &first);
    execute(&mut dev, action);
    let second = command(5000, 30);
    let action = send_raw(&mut dev, &second);
    assert_eq!(
        action,
        Some(CrbAction::Execute {
            locality: 0,
            command: second
        })
    );
}

#[test]
fn refuses_config_window_out_of_range() {
    for window in [0, 9, 3969, 4096] {
        let cfg = CrbConfig {
            window,
            ..CrbConfig::default()
        };
        assert_eq!(
            CrbDevice::new(cfg),
            Err(ConfigError::WindowOutOfRange { window })
        );
    }
    assert!(
        CrbDevice::new(CrbConfig {
            window: 10,
            ..CrbConfig::default()
        })
        .is_ok()
    );
}

#[test]
fn refuses_config_max_size_out_of_range() {
    for max_size in [0, 9, 65537] {
        let cfg = CrbConfig {
            max_size,
            ..CrbConfig::default()
        };
        assert_eq!(
            CrbDevice::new(cfg),
            Err(ConfigError::MaxSizeOutOfRange { max_size })
        );
    }
}

#[test]
fn refuses_config_bad_base() {
    for base in [0xFED4_0080u64, 1, 0xFFFF_FFFF_FFFF_F000] {
        let cfg = CrbConfig {
            base,
            ..CrbConfig::default()
        };
        assert_eq!(CrbDevice::new(cfg), Err(ConfigError::BadBase { base }));
    }
}
