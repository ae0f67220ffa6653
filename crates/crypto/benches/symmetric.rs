//! The provider's overhead on the symmetric hot paths, measured against aws-lc-rs called
//! directly in the same run (the machines are noisy: compare ratios, not absolute figures).
//!
//! Each group holds a `provider` and a `direct` benchmark with the same input and
//! `Throughput::Bytes`, so `target/criterion/<group>/{provider,direct}/<size>/new/
//! estimates.json` give the ratio. Budget (performance.md / the provider's design): at most
//! 5% slower at 16 KiB and 10% at 64 B.
//!
//! ```text
//! cargo bench -p vtrust-crypto --bench symmetric -- --warm-up-time 1 --measurement-time 3
//! ```

use std::hint::black_box;

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use vtrust_crypto::CryptoProvider;
use vtrust_crypto::aead::AeadAlg;
use vtrust_crypto::hash::HashAlg;

const KEY: [u8; 32] = [0x42; 32];
/// A fixed nonce is fine for a benchmark (the output is discarded); never in real use.
const NONCE: [u8; 12] = [0x24; 12];
/// SPDM secured messages and virtio-crypto requests carry a short AAD.
const AAD: [u8; 16] = [0x11; 16];

fn aes256gcm_seal(c: &mut Criterion) {
    let provider = CryptoProvider::new();
    let ours = provider
        .aead_key(AeadAlg::Aes256Gcm, &KEY)
        .expect("AES-256-GCM key");
    let theirs = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &KEY).expect("aws-lc key"));

    let mut group = c.benchmark_group("aes256gcm_seal");
    for size in [64usize, 1024, 16 * 1024] {
        group.throughput(Throughput::Bytes(size as u64));
        let mut buf = vec![0u8; size];
        let mut tag = [0u8; 16];
        group.bench_with_input(BenchmarkId::new("provider", size), &size, |b, _| {
            b.iter(|| {
                ours.seal_in_place_separate_tag(
                    black_box(&NONCE),
                    black_box(&AAD),
                    black_box(&mut buf),
                    &mut tag,
                )
                .expect("seal");
                tag
            })
        });
        group.bench_with_input(BenchmarkId::new("direct", size), &size, |b, _| {
            b.iter(|| {
                theirs
                    .seal_in_place_separate_tag(
                        Nonce::assume_unique_for_key(*black_box(&NONCE)),
                        Aad::from(black_box(&AAD)),
                        black_box(&mut buf),
                    )
                    .expect("seal")
            })
        });
    }
    group.finish();
}

fn sha384(c: &mut Criterion) {
    let provider = CryptoProvider::new();
    let data = vec![0x5au8; 16 * 1024];
    let mut group = c.benchmark_group("sha384");
    group.throughput(Throughput::Bytes(data.len() as u64));
    group.bench_with_input(BenchmarkId::new("provider", data.len()), &data, |b, d| {
        b.iter(|| black_box(provider.digest(HashAlg::Sha384, black_box(d))))
    });
    group.bench_with_input(BenchmarkId::new("direct", data.len()), &data, |b, d| {
        b.iter(|| {
            black_box(aws_lc_rs::digest::digest(
                &aws_lc_rs::digest::SHA384,
                black_box(d),
            ))
        })
    });
    group.finish();
}

criterion_group!(benches, aes256gcm_seal, sha384);
criterion_main!(benches);
