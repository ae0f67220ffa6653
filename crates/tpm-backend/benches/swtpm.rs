//! swtpm TPM2_GetRandom(16) round trip: raw bytes on swtpm's data socket versus
//! `SwtpmBackend::execute` (same kind of socket, and the SET_DATAFD socketpair), and the
//! whole guest path: the Linux driver's algorithm on the CRB device model in front of the
//! backend, with the backend called in the vCPU's thread (`LocalBus`) or on a worker thread
//! as in a VMM (`ThreadedBus`). Issue #4's goal: CRB within 1.10x of the direct round trip.
//!
//! Needs the swtpm package; without it the bench says so and measures nothing.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use vtrust_tpm_backend::TpmBackend;
use vtrust_tpm_backend::swtpm::{SwtpmBackend, SwtpmProcess};
use vtrust_tpm_crb::driver::{Driver, DriverConfig, LocalBus, ThreadedBus};
use vtrust_tpm_crb::{CrbConfig, CrbDevice};

/// TPM2_GetRandom(16) (TPM 2.0 Part 3 §16.1; bytes as in shared/tpm-crb.md §4).
const GET_RANDOM_16: [u8; 12] = [0x80, 0x01, 0, 0, 0, 0x0c, 0, 0, 0x01, 0x7b, 0, 0x10];
/// TPM2_Startup(CLEAR).
const STARTUP_CLEAR: [u8; 12] = [0x80, 0x01, 0, 0, 0, 0x0c, 0, 0, 0x01, 0x44, 0, 0];

fn state_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vtrust-bench-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn bench(c: &mut Criterion) {
    if std::process::Command::new("swtpm")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("swtpm is not installed (apt-get install swtpm): nothing to measure");
        return;
    }
    let mut group = c.benchmark_group("swtpm_get_random_16");

    // Raw: start the TPM through the backend, then talk to the data socket directly.
    let raw_dir = state_dir("raw");
    let raw = SwtpmProcess::spawn_with(&raw_dir, true).expect("swtpm starts");
    {
        let (ctrl, data) = raw.paths().endpoints();
        let tpm = SwtpmBackend::connect(ctrl, data).expect("connect");
        tpm.execute(0, &STARTUP_CLEAR).expect("startup");
    }
    let server = raw.paths().server.clone().expect("server socket");
    let mut sock = UnixStream::connect(server).expect("data socket");
    let mut rsp = [0u8; 28];
    group.bench_function("raw_data_socket", |b| {
        b.iter(|| {
            sock.write_all(&GET_RANDOM_16).unwrap();
            let mut h = [0u8; 10];
            sock.read_exact(&mut h).unwrap();
            let size = u32::from_be_bytes([h[2], h[3], h[4], h[5]]) as usize;
            rsp[..10].copy_from_slice(&h);
            sock.read_exact(&mut rsp[10..size]).unwrap();
            std::hint::black_box(&rsp);
        });
    });
    drop(sock);

    // The backend on swtpm's data socket.
    let be_dir = state_dir("backend");
    let be = SwtpmProcess::spawn_with(&be_dir, true).expect("swtpm starts");
    let (ctrl, data) = be.paths().endpoints();
    let tpm = SwtpmBackend::connect(ctrl, data).expect("connect");
    tpm.execute(0, &STARTUP_CLEAR).expect("startup");
    group.bench_function("backend_data_socket", |b| {
        b.iter(|| std::hint::black_box(tpm.execute(0, &GET_RANDOM_16).unwrap()));
    });

    // The backend on a SET_DATAFD socketpair (what QEMU and the CRB device use).
    let fd_dir = state_dir("datafd");
    let fd = SwtpmProcess::spawn(&fd_dir).expect("swtpm starts");
    let (ctrl, _) = fd.paths().endpoints();
    let tpm_fd = Arc::new(SwtpmBackend::connect(ctrl, None).expect("connect"));
    tpm_fd.execute(0, &STARTUP_CLEAR).expect("startup");
    group.bench_function("backend_datafd_socketpair", |b| {
        b.iter(|| std::hint::black_box(tpm_fd.execute(0, &GET_RANDOM_16).unwrap()));
    });

    // The guest path: driver -> CRB registers -> backend in the same thread.
    let device = CrbDevice::new(CrbConfig::default()).expect("device");
    let local = Arc::clone(&tpm_fd);
    let bus = LocalBus::new(device, move |locality: u8, command: &[u8]| {
        local.execute(locality, command).expect("swtpm")
    });
    let mut driver = Driver::new(bus, DriverConfig::default());
    group.bench_function("crb_driver_local_bus", |b| {
        b.iter(|| std::hint::black_box(driver.transmit(&GET_RANDOM_16).unwrap()));
    });
    drop(driver);

    // The VMM path: the backend on the device's worker thread; the driver polls Start.
    let device = CrbDevice::new(CrbConfig::default()).expect("device");
    let worker = Arc::clone(&tpm_fd);
    let bus = ThreadedBus::new(device, move |locality, command| {
        worker.execute(locality, command).expect("swtpm")
    });
    let mut driver = Driver::new(bus, DriverConfig::default());
    group.bench_function("crb_driver_threaded_bus", |b| {
        b.iter(|| std::hint::black_box(driver.transmit(&GET_RANDOM_16).unwrap()));
    });
    drop(driver);
    group.finish();

    drop((tpm, tpm_fd, raw, be, fd));
    for d in [raw_dir, be_dir, fd_dir] {
        let _ = std::fs::remove_dir_all(d);
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
