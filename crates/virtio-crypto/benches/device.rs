//! The device path (chain parsing, session lookup, crypto, used-ring write) against the
//! same crypto called directly, in one run: AES-256-GCM and AES-128-CBC at 64 B, 1 KiB and
//! 16 KiB. The device is timed on `process_data_queue` alone; building chains is the
//! guest's work and is done outside the timed region (64 chains per timed batch). For
//! AES-GCM, `guest-copy-only` times the data movement alone (source out of guest memory,
//! ciphertext and tag back in), the part of the gap to `direct` that no device avoids without
//! computing on guest memory in place.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use vm_memory::GuestMemoryBackend;
use vtrust_crypto::CryptoProvider;
use vtrust_crypto::aead::AeadAlg;
use vtrust_crypto::cipher::CipherAlg;
use vtrust_virtio_crypto::codec::Layout;
use vtrust_virtio_crypto::codec::data::{
    AeadDataFlf, CipherDataFlf, DataFlf, DataRequest, OpHeader, SymDataFlf,
};
use vtrust_virtio_crypto::driver::{QUEUE_SIZE, TestDriver, Which, guest_memory};
use vtrust_virtio_crypto::spec::{aead_algo, cipher_algo, data_op};
use vtrust_virtio_crypto::{CryptoDevice, DeviceConfig};

const SIZES: [usize; 4] = [64, 1024, 16 * 1024, 64 * 1024];

fn run_device(
    c: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
    d: &mut TestDriver<'_>,
    bufs: &[(vm_memory::GuestAddress, u32, bool)],
) {
    let batch = u64::from(QUEUE_SIZE) / bufs.len() as u64;
    c.bench_function(name, |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            let mut left = iters;
            while left > 0 {
                let n = left.min(batch);
                for _ in 0..n {
                    d.push_chain(Which::Data, bufs);
                }
                let t = Instant::now();
                let done = d.process(Which::Data);
                total += t.elapsed();
                assert_eq!(done as u64, n);
                while d.pop_used(Which::Data).is_some() {}
                left -= n;
            }
            total
        })
    });
}

fn bench(c: &mut Criterion) {
    let provider = CryptoProvider::new();
    let mem = guest_memory();
    let device = CryptoDevice::new(DeviceConfig::default(), provider.clone());
    let mut d = TestDriver::new(&mem, device, Layout::Legacy);
    let gcm_key = [0x42u8; 32];
    let cbc_key = [0x24u8; 16];
    let gcm = d
        .create_aead_session(aead_algo::GCM, &gcm_key, 16, 0, true)
        .unwrap();
    let cbc = d
        .create_cipher_session(cipher_algo::AES_CBC, &cbc_key, true)
        .unwrap();
    let gcm_direct = provider.aead_key(AeadAlg::Aes256Gcm, &gcm_key).unwrap();
    let cbc_direct = provider.cipher_key(CipherAlg::AesCbc, &cbc_key).unwrap();

    for size in SIZES {
        let mut g = c.benchmark_group(format!("aes-256-gcm/{size}"));
        g.throughput(Throughput::Bytes(size as u64));
        g.measurement_time(Duration::from_secs(2));
        g.warm_up_time(Duration::from_millis(500));
        let mut buf = vec![0u8; size];
        let mut tag = [0u8; 16];
        let nonce = [7u8; 12];
        g.bench_function("direct", |b| {
            b.iter(|| {
                gcm_direct
                    .seal_in_place_separate_tag(&nonce, &[], black_box(&mut buf), &mut tag)
                    .unwrap()
            })
        });
        let f = AeadDataFlf {
            iv_len: 12,
            aad_len: 0,
            src_data_len: size as u32,
            dst_data_len: size as u32 + 16,
            tag_len: 16,
        };
        let hdr = OpHeader {
            opcode: data_op::AEAD_ENCRYPT,
            algo: aead_algo::GCM,
            session_id: gcm,
            flag: 1,
        };
        let fixed = DataRequest::encode_fixed(&hdr, &DataFlf::Aead(f), None, Layout::Legacy);
        d.next_buf_reset();
        let src = vec![0u8; size];
        let bufs = d.prepare(&[&fixed, &nonce, &src], &[size + 16, 1]);
        run_device(&mut g, "device", &mut d, &bufs);
        // The data movement any device does (QEMU's builtin backend too): the source copied
        // out of guest memory, ciphertext and tag copied back, at the chain's addresses.
        let mut scratch = vec![0u8; size + 16];
        let (src_at, dst_at) = (bufs[2].0, bufs[3].0);
        g.bench_function("guest-copy-only", |b| {
            b.iter(|| {
                // The device's fast path: one VolatileSlice copy per buffer.
                mem.get_slice(src_at, size)
                    .unwrap()
                    .copy_to(&mut scratch[..size]);
                mem.get_slice(dst_at, size + 16)
                    .unwrap()
                    .copy_from(black_box(&scratch));
            })
        });
        g.finish();

        let mut g = c.benchmark_group(format!("aes-128-cbc/{size}"));
        g.throughput(Throughput::Bytes(size as u64));
        g.measurement_time(Duration::from_secs(2));
        g.warm_up_time(Duration::from_millis(500));
        let iv = [9u8; 16];
        g.bench_function("direct", |b| {
            b.iter(|| cbc_direct.encrypt(&iv, black_box(&mut buf)).unwrap())
        });
        let f = CipherDataFlf {
            iv_len: 16,
            src_data_len: size as u32,
            dst_data_len: size as u32,
        };
        let hdr = OpHeader {
            opcode: data_op::CIPHER_ENCRYPT,
            algo: cipher_algo::AES_CBC,
            session_id: cbc,
            flag: 1,
        };
        let fixed = DataRequest::encode_fixed(
            &hdr,
            &DataFlf::Sym(SymDataFlf::Cipher(f)),
            None,
            Layout::Legacy,
        );
        d.next_buf_reset();
        let bufs = d.prepare(&[&fixed, &iv, &src], &[size, 1]);
        run_device(&mut g, "device", &mut d, &bufs);
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
