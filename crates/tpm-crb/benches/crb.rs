//! An 8 KiB command and an 8 KiB response through the CRB device and the guest driver in
//! process (three chunks each way), against calling the executor directly: the cost of the
//! register protocol and chunking itself.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use vtrust_tpm_crb::driver::{Driver, DriverConfig, LocalBus};
use vtrust_tpm_crb::{CrbConfig, CrbDevice};

const SIZE: usize = 8192;

fn message(size: usize) -> Vec<u8> {
    let mut m: Vec<u8> = (0..size).map(|i| (i * 7) as u8).collect();
    m[..2].copy_from_slice(&0x8001u16.to_be_bytes());
    m[2..6].copy_from_slice(&(size as u32).to_be_bytes());
    m[6..10].copy_from_slice(&0u32.to_be_bytes());
    m
}

fn bench(c: &mut Criterion) {
    let command = message(SIZE);
    let response = message(SIZE);
    let executor = {
        let response = response.clone();
        move |_locality: u8, command: &[u8]| {
            black_box(command);
            response.clone()
        }
    };
    let mut group = c.benchmark_group("crb_8k");
    group.throughput(Throughput::Bytes((2 * SIZE) as u64));

    let direct = executor.clone();
    group.bench_function("executor_direct", |b| {
        b.iter(|| black_box(direct(0, black_box(&command))));
    });

    let device = CrbDevice::new(CrbConfig::default()).unwrap();
    let mut driver = Driver::new(
        LocalBus::new(device, executor.clone()),
        DriverConfig::default(),
    );
    group.bench_function("driver_local_bus", |b| {
        b.iter(|| {
            let (rsp, _) = driver.transmit(black_box(&command)).unwrap();
            black_box(rsp)
        });
    });

    let device = CrbDevice::new(CrbConfig::default()).unwrap();
    let mut wide = Driver::new(
        LocalBus::new(device, executor),
        DriverConfig {
            access_width: 4,
            ..DriverConfig::default()
        },
    );
    group.bench_function("driver_local_bus_4byte_access", |b| {
        b.iter(|| {
            let (rsp, _) = wide.transmit(black_box(&command)).unwrap();
            black_box(rsp)
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
