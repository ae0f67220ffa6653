//! QEMU's chunking scenarios in Rust: commands and responses larger than the window, the
//! boundary sizes, chunking off, and the driver over the in-process and threaded buses.

mod common;

use std::sync::mpsc;
use std::time::Duration;

use common::*;
use vtrust_tpm_crb::driver::{
    CrbBus, Driver, DriverConfig, DriverError, LocalBus, ThreadedBus, TransferStats,
};
use vtrust_tpm_crb::{CrbAction, CrbConfig, CrbDevice, Phase};

type FakeBus = LocalBus<fn(u8, &[u8]) -> Vec<u8>>;

fn driver(config: CrbConfig, max_response: usize) -> Driver<FakeBus> {
    let bus = LocalBus::new(device(config), fake_executor as fn(u8, &[u8]) -> Vec<u8>);
    Driver::new(
        bus,
        DriverConfig {
            max_response,
            ..DriverConfig::default()
        },
    )
}

fn chunks(n: usize, window: usize) -> usize {
    n.div_ceil(window)
}

fn roundtrip(config: CrbConfig, cmd_len: usize, rsp_len: usize) -> TransferStats {
    let mut d = driver(config, config.max_size);
    let cmd = command(cmd_len, rsp_len);
    let (rsp, stats) = d.transmit(&cmd).unwrap();
    assert_eq!(
        rsp,
        response_for(&cmd, rsp_len),
        "cmd {cmd_len} rsp {rsp_len}"
    );
    assert_eq!(stats.chunks_sent, chunks(cmd_len, config.window));
    assert_eq!(stats.chunks_received, chunks(rsp_len, config.window));
    assert_eq!((stats.bytes_sent, stats.bytes_received), (cmd_len, rsp_len));
    assert_eq!(d.bus().device().phase(), Phase::Idle, "goIdle at the end");
    assert_eq!(d.bus().executed(), 1);
    stats
}

#[test]
fn mldsa87_sized_command_and_response_in_several_chunks() {
    // An ML-DSA-87 signature is 4627 bytes (FIPS 204 Table 2; tpm-crb.md §6): a SignDigest
    // response carrying it and a VerifyDigestSignature command carrying it exceed the window.
    let stats = roundtrip(CrbConfig::default(), 4627 + 2592 + 64, 4627 + 32);
    assert_eq!((stats.chunks_sent, stats.chunks_received), (2, 2));
    let stats = roundtrip(CrbConfig::default(), 8192, 8192);
    assert_eq!((stats.chunks_sent, stats.chunks_received), (3, 3));
}

#[test]
fn boundary_sizes_around_the_window_and_the_maximum() {
    let cfg = CrbConfig::default();
    for n in [
        10,
        14,
        WINDOW - 1,
        WINDOW,
        WINDOW + 1,
        2 * WINDOW,
        2 * WINDOW + 1,
        8191,
        8192,
    ] {
        roundtrip(cfg, n.max(14), n.max(10));
    }
}

#[test]
fn largest_configured_maximum() {
    let cfg = CrbConfig {
        max_size: 65536,
        ..CrbConfig::default()
    };
    let stats = roundtrip(cfg, 65536, 65536);
    assert_eq!(stats.chunks_sent, 17);
    roundtrip(cfg, 65535, 10);
}

#[test]
fn small_window_many_chunks() {
    let cfg = CrbConfig {
        window: 64,
        max_size: 4096,
        ..CrbConfig::default()
    };
    let stats = roundtrip(cfg, 4096, 4000);
    assert_eq!((stats.chunks_sent, stats.chunks_received), (64, 63));
}

#[test]
fn raw_register_sequence_matches_the_ptp_flow() {
    let mut dev = device(CrbConfig {
        max_size: 16384,
        ..CrbConfig::default()
    });
    ready(&mut dev);
    let cmd = command(9000, 9000);
    // Chunk 1 and 2 with nextChunk, chunk 3 with Start.
    put_window(&mut dev, &cmd[..WINDOW]);
    assert_eq!(w32(&mut dev, CTRL_START, NEXT_CHUNK), None);
    assert_eq!(dev.phase(), Phase::CmdReception);
    assert_eq!(
        r32(&dev, CTRL_START),
        0,
        "TPM clears nextChunk once it consumed the chunk"
    );
    put_window(&mut dev, &cmd[WINDOW..2 * WINDOW]);
    w32(&mut dev, CTRL_START, NEXT_CHUNK);
    put_window(&mut dev, &cmd[2 * WINDOW..]);
    let action = w32(&mut dev, CTRL_START, START);
    assert_eq!(
        action,
        Some(CrbAction::Execute {
            locality: 0,
            command: cmd.clone()
        })
    );
    assert_eq!(r32(&dev, CTRL_START), 1, "Start stays set while executing");
    assert!(dev.complete(fake_executor(0, &cmd)));
    assert_eq!(r32(&dev, CTRL_START), 0);
    let rsp = response_for(&cmd, 9000);
    assert_eq!(get_window(&dev, WINDOW), rsp[..WINDOW]);
    w32(&mut dev, CTRL_START, NEXT_CHUNK);
    assert_eq!(get_window(&dev, WINDOW), rsp[WINDOW..2 * WINDOW]);
    // crbRspRetry rewrites the first chunk.
    w32(&mut dev, CTRL_START, RSP_RETRY);
    assert_eq!(r32(&dev, CTRL_START), 0, "crbRspRetry clears at once");
    assert_eq!(get_window(&dev, WINDOW), rsp[..WINDOW]);
    w32(&mut dev, CTRL_START, NEXT_CHUNK);
    w32(&mut dev, CTRL_START, NEXT_CHUNK);
    let last = 9000 - 2 * WINDOW;
    let window = get_window(&dev, WINDOW);
    assert_eq!(window[..last], rsp[2 * WINDOW..]);
    assert!(
        window[last..].iter().all(|&b| b == 0),
        "rest of the window zero-filled"
    );
}

#[test]
fn commands_back_to_back_without_cmd_ready() {
    // Linux sends several commands between cmdReady and goIdle.
    let mut dev = device(CrbConfig::default());
    ready(&mut dev);
    for (c, r) in [(5000, 6000), (100, 20), (4000, 8192), (10, 10)] {
        let cmd = command(c.max(14), r);
        let action = send_raw(&mut dev, &cmd);
        execute(&mut dev, action);
        assert_eq!(read_raw(&mut dev), response_for(&cmd, r));
    }
}

#[test]
fn start_after_a_partly_read_response_begins_a_new_command() {
    let mut dev = device(CrbConfig::default());
    ready(&mut dev);
    let first = command(20, 9000);
    let action = send_raw(&mut dev, &first);
    execute(&mut dev, action);
    // Read only the first chunk, then send a new single-chunk command with Start.
    let second = command(30, 40);
    let action = send_raw(&mut dev, &second);
    execute(&mut dev, action);
    assert_eq!(read_raw(&mut dev), response_for(&second, 40));
}

#[test]
fn chunking_off_keeps_the_pre_chunking_interface() {
    let cfg = no_chunking();
    roundtrip(cfg, WINDOW, WINDOW);
    roundtrip(cfg, 14, WINDOW - 1);
    // Raw: a header announcing window + 1 bytes gets a synthesized TPM_RC_COMMAND_SIZE.
    let mut dev = device(cfg);
    ready(&mut dev);
    let cmd = command(WINDOW + 1, 10);
    put_window(&mut dev, &cmd[..WINDOW]);
    assert_eq!(
        w32(&mut dev, CTRL_START, START),
        None,
        "never reaches the backend"
    );
    assert_eq!(get_window(&dev, 10), rc_response(0x142));
    // The driver refuses it before touching the device (Linux -E2BIG).
    let mut d = driver(cfg, 8192);
    assert_eq!(
        d.transmit(&command(WINDOW + 1, 10)),
        Err(DriverError::CommandTooLarge {
            len: WINDOW + 1,
            max: WINDOW
        })
    );
    assert_eq!(
        d.bus().device().phase(),
        Phase::Idle,
        "driver went idle after the error"
    );
}

#[test]
fn chunking_off_clamps_responses_to_the_window() {
    // QEMU quirk 3: with cap-chunk=off a 4096-byte backend response was truncated to 3968.
    // Here it becomes a clean TPM_RC_COMMAND_SIZE response.
    let mut dev = device(no_chunking());
    ready(&mut dev);
    let cmd = command(14, 4096);
    let action = send_raw(&mut dev, &cmd);
    execute(&mut dev, action);
    assert_eq!(read_raw(&mut dev), rc_response(0x142));
}

#[test]
fn retry_response_rereads_the_whole_response() {
    let mut d = driver(CrbConfig::default(), 8192);
    let cmd = command(6000, 7000);
    d.begin().unwrap();
    let sent = d.send(&cmd).unwrap();
    assert_eq!(sent.chunks_sent, 2);
    let (first, _) = d.receive().unwrap();
    let (again, stats) = d.retry_response().unwrap();
    assert_eq!(first, again);
    assert_eq!(again, response_for(&cmd, 7000));
    assert_eq!(stats.chunks_received, 2);
    d.end().unwrap();
    assert_eq!(d.bus().executed(), 1, "retry does not re-run the command");
}

#[test]
fn retry_response_needs_chunking() {
    let mut d = driver(no_chunking(), 8192);
    d.begin().unwrap();
    d.send(&command(20, 20)).unwrap();
    d.receive().unwrap();
    assert_eq!(d.retry_response(), Err(DriverError::ChunkingUnsupported));
}

#[test]
fn driver_refuses_a_response_above_its_buffer() {
    let cfg = CrbConfig {
        max_size: 65536,
        ..CrbConfig::default()
    };
    let mut d = driver(cfg, 8192);
    assert_eq!(
        d.transmit(&command(14, 8193)),
        Err(DriverError::BadResponseSize {
            size: 8193,
            max: 8192
        })
    );
    assert_eq!(
        d.transmit(&command(10, 10)[..9]),
        Err(DriverError::CommandTooShort { len: 9 })
    );
}

#[test]
fn backend_faults_become_tpm_rc_failure() {
    for bad in [vec![], vec![0x80, 0x01, 0, 0, 0], {
        let mut r = rc_response(0);
        r.push(0);
        r
    }] {
        let bus = LocalBus::new(device(CrbConfig::default()), move |_: u8, _: &[u8]| {
            bad.clone()
        });
        let mut d = Driver::new(bus, DriverConfig::default());
        let (rsp, _) = d.transmit(&command(14, 10)).unwrap();
        assert_eq!(rsp, rc_response(0x101));
    }
}

/// A bus whose registers never change: every poll times out.
struct DeadBus {
    value: u32,
}

impl CrbBus for DeadBus {
    fn read(&mut self, _offset: u64, data: &mut [u8]) {
        for (d, s) in data.iter_mut().zip(self.value.to_le_bytes().iter().cycle()) {
            *d = *s;
        }
    }
    fn write(&mut self, _offset: u64, _data: &[u8]) {}
}

#[test]
fn driver_times_out_on_a_dead_interface() {
    let config = DriverConfig {
        timeout_c: Duration::from_millis(5),
        ..DriverConfig::default()
    };
    // INTF_ID 0x00025C11 everywhere passes nothing else: sizes/addresses are absurd.
    let mut d = Driver::new(DeadBus { value: 0x0002_5C11 }, config);
    assert!(matches!(
        d.transmit(&command(14, 10)),
        Err(DriverError::BadInterface { .. })
    ));
    // A bus reading all-ones: not a CRB interface type.
    let mut d = Driver::new(DeadBus { value: 0xFFFF_FFFF }, config);
    assert!(matches!(
        d.probe(),
        Err(DriverError::BadInterface {
            what: "INTF_ID.InterfaceType",
            ..
        })
    ));
}

/// A device whose locality never gets granted: reads of LOC_STATE show 0x80.
struct NoLocality(CrbDevice);

impl CrbBus for NoLocality {
    fn read(&mut self, offset: u64, data: &mut [u8]) {
        self.0.read(offset, data);
    }
    fn write(&mut self, offset: u64, data: &[u8]) {
        if offset != LOC_CTRL {
            self.0.write(offset, data);
        }
    }
}

#[test]
fn driver_times_out_waiting_for_the_locality() {
    let config = DriverConfig {
        timeout_c: Duration::from_millis(5),
        ..DriverConfig::default()
    };
    let mut d = Driver::new(NoLocality(device(CrbConfig::default())), config);
    match d.transmit(&command(14, 10)) {
        Err(DriverError::Timeout {
            what: "locality",
            waited,
        }) => {
            assert!(waited >= Duration::from_millis(5));
        }
        other => panic!("{other:?}"),
    }
}

/// A device reporting tpmSts (as QEMU does after a malformed command).
struct FatalBus(FakeBus);

impl CrbBus for FatalBus {
    fn read(&mut self, offset: u64, data: &mut [u8]) {
        self.0.read(offset, data);
        if offset == CTRL_STS {
            data[0] |= 1;
        }
    }
    fn write(&mut self, offset: u64, data: &[u8]) {
        self.0.write(offset, data);
    }
}

#[test]
fn driver_reports_tpm_sts_as_fatal() {
    let inner = LocalBus::new(
        device(CrbConfig::default()),
        fake_executor as fn(u8, &[u8]) -> Vec<u8>,
    );
    let mut d = Driver::new(FatalBus(inner), DriverConfig::default());
    assert_eq!(d.transmit(&command(14, 10)), Err(DriverError::TpmFatal));
}

#[test]
fn threaded_bus_vcpu_never_waits_for_the_backend() {
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let (started_tx, started_rx) = mpsc::channel::<()>();
    let mut bus = ThreadedBus::new(device(CrbConfig::default()), move |loc, cmd: &[u8]| {
        started_tx.send(()).unwrap();
        release_rx.recv().unwrap();
        fake_executor(loc, cmd)
    });
    let rd = |bus: &mut ThreadedBus, off: u64| {
        let mut b = [0u8; 4];
        bus.read(off, &mut b);
        u32::from_le_bytes(b)
    };
    bus.write(LOC_CTRL, &1u32.to_le_bytes());
    bus.write(CTRL_REQ, &1u32.to_le_bytes());
    let cmd = command(14, 5000);
    bus.write(DATA, &cmd);
    bus.write(CTRL_START, &START.to_le_bytes()); // returns at once
    started_rx.recv_timeout(Duration::from_secs(10)).unwrap();
    // The worker is blocked inside the executor: registers still answer.
    for _ in 0..100 {
        assert_eq!(rd(&mut bus, CTRL_START), 1, "Start=1 while executing");
        assert_eq!(rd(&mut bus, LOC_STATE), 0x83);
        assert_eq!(rd(&mut bus, INTF_ID), 0x0002_5C11);
    }
    // Writes while executing are ignored but answered.
    bus.write(CTRL_START, &NEXT_CHUNK.to_le_bytes());
    bus.write(CTRL_REQ, &2u32.to_le_bytes());
    assert_eq!(rd(&mut bus, CTRL_STS), 0, "goIdle ignored while executing");
    release_tx.send(()).unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while rd(&mut bus, CTRL_START) & 1 == 1 {
        assert!(std::time::Instant::now() < deadline);
        bus.poll_wait();
    }
    let mut header = [0u8; 10];
    bus.read(DATA, &mut header);
    assert_eq!(&header[2..6], &5000u32.to_be_bytes());
}

#[test]
fn driver_over_threaded_bus() {
    let bus = ThreadedBus::new(device(CrbConfig::default()), fake_executor);
    let mut d = Driver::new(bus, DriverConfig::default());
    for (c, r) in [(8192, 8192), (14, 10), (5000, 100)] {
        let cmd = command(c, r);
        let (rsp, _) = d.transmit(&cmd).unwrap();
        assert_eq!(rsp, response_for(&cmd, r));
    }
}

#[test]
fn driver_command_timeout_cancels() {
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let bus = ThreadedBus::new(device(CrbConfig::default()), move |loc, cmd: &[u8]| {
        let _ = release_rx.recv();
        fake_executor(loc, cmd)
    });
    let config = DriverConfig {
        command_timeout: Duration::from_millis(20),
        ..DriverConfig::default()
    };
    let mut d = Driver::new(bus, config);
    match d.transmit(&command(14, 10)) {
        Err(DriverError::Timeout { what: "Start", .. }) => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(
        d.bus().cancels(),
        1,
        "CTRL_CANCEL=1 reached the backend as CrbAction::Cancel"
    );
    release_tx.send(()).unwrap();
    // After the late response the device is usable again.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while d.bus().device().lock().unwrap().is_executing() {
        assert!(std::time::Instant::now() < deadline);
        std::thread::sleep(Duration::from_millis(1));
    }
    drop(release_tx);
    let cmd = command(14, 10);
    // The executor's channel is closed now: recv fails at once.
    assert_eq!(d.transmit(&cmd).unwrap().0, response_for(&cmd, 10));
}
