//! Asymmetric operations through the provider versus aws-lc-rs called directly, in the same
//! criterion group so the ratio is measured in one run (performance.md: the machines are
//! noisy, compare ratios). Run:
//! `cargo bench -p vtrust-crypto --bench asymmetric -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;

use aws_lc_rs::kem as aws_kem;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self as aws, EcdsaKeyPair, KeyPair as _, PqdsaKeyPair};
use criterion::{Criterion, criterion_group, criterion_main};
use vtrust_crypto::CryptoProvider;
use vtrust_crypto::kem::KemAlg;
use vtrust_crypto::sign::SignatureAlg;

/// What SPDM 1.2+ signs: a 64-byte prefix, a 36-byte context and a 48-byte transcript hash.
const MSG: [u8; 148] = [0x5a; 148];

fn ecdsa_p384(c: &mut Criterion) {
    let provider = CryptoProvider::new();
    let alg = SignatureAlg::EcdsaP384Sha384;
    let key = provider.generate_signing_key(alg).unwrap();
    let direct = EcdsaKeyPair::from_pkcs8(
        &aws::ECDSA_P384_SHA384_FIXED_SIGNING,
        &key.to_pkcs8_der().unwrap(),
    )
    .unwrap();
    let rng = SystemRandom::new();

    let mut group = c.benchmark_group("ecdsa_p384_sign");
    group.bench_function("provider", |b| {
        b.iter(|| key.sign(black_box(&MSG)).unwrap())
    });
    group.bench_function("direct", |b| {
        b.iter(|| direct.sign(&rng, black_box(&MSG)).unwrap())
    });
    group.finish();

    let sig = key.sign(&MSG).unwrap();
    let public = key.public_key().clone();
    let raw = direct.public_key().as_ref().to_vec();
    let mut group = c.benchmark_group("ecdsa_p384_verify");
    group.bench_function("provider", |b| {
        b.iter(|| {
            provider
                .verify(alg, &public, black_box(&MSG), black_box(&sig))
                .unwrap()
        })
    });
    group.bench_function("direct", |b| {
        b.iter(|| {
            aws::UnparsedPublicKey::new(&aws::ECDSA_P384_SHA384_FIXED, &raw)
                .verify(black_box(&MSG), black_box(&sig))
                .unwrap()
        })
    });
    group.finish();
}

fn mldsa87(c: &mut Criterion) {
    let provider = CryptoProvider::new();
    let alg = SignatureAlg::MlDsa87;
    let seed = [7u8; 32];
    let key = provider.signing_key_from_seed(alg, &seed).unwrap();
    let direct = PqdsaKeyPair::from_seed(&aws::ML_DSA_87_SIGNING, &seed).unwrap();

    let mut group = c.benchmark_group("mldsa87_sign");
    group.bench_function("provider", |b| {
        b.iter(|| key.sign(black_box(&MSG)).unwrap())
    });
    let mut buf = vec![0u8; aws::ML_DSA_87_SIGNING.signature_len()];
    group.bench_function("direct", |b| {
        b.iter(|| direct.sign(black_box(&MSG), &mut buf).unwrap())
    });
    group.finish();

    let sig = key.sign(&MSG).unwrap();
    let public = key.public_key().clone();
    let raw = direct.public_key().as_ref().to_vec();
    let mut group = c.benchmark_group("mldsa87_verify");
    group.bench_function("provider", |b| {
        b.iter(|| {
            provider
                .verify(alg, &public, black_box(&MSG), black_box(&sig))
                .unwrap()
        })
    });
    group.bench_function("direct", |b| {
        b.iter(|| {
            aws::UnparsedPublicKey::new(&aws::ML_DSA_87, &raw)
                .verify(black_box(&MSG), black_box(&sig))
                .unwrap()
        })
    });
    group.finish();
}

fn mlkem1024(c: &mut Criterion) {
    let provider = CryptoProvider::new();
    let alg = KemAlg::MlKem1024;
    let dk = provider.kem_key_from_seed(alg, &[3u8; 64]).unwrap();
    let ek = dk.encapsulation_key_bytes().to_vec();
    let direct_dk = aws_kem::DecapsulationKey::generate(&aws_kem::ML_KEM_1024).unwrap();
    let direct_ek = direct_dk.encapsulation_key().unwrap().key_bytes().unwrap();

    // Both sides take the peer's encapsulation key as bytes, as SPDM receives it.
    let mut group = c.benchmark_group("mlkem1024_encaps");
    group.bench_function("provider", |b| {
        b.iter(|| provider.kem_encapsulate(alg, black_box(&ek)).unwrap())
    });
    group.bench_function("direct", |b| {
        b.iter(|| {
            aws_kem::EncapsulationKey::new(&aws_kem::ML_KEM_1024, black_box(direct_ek.as_ref()))
                .unwrap()
                .encapsulate()
                .unwrap()
        })
    });
    group.finish();

    let (ct, _) = provider.kem_encapsulate(alg, &ek).unwrap();
    let (direct_ct, _) = aws_kem::EncapsulationKey::new(&aws_kem::ML_KEM_1024, direct_ek.as_ref())
        .unwrap()
        .encapsulate()
        .unwrap();
    let direct_ct = direct_ct.as_ref().to_vec();
    let mut group = c.benchmark_group("mlkem1024_decaps");
    group.bench_function("provider", |b| {
        b.iter(|| dk.decapsulate(black_box(&ct)).unwrap())
    });
    group.bench_function("direct", |b| {
        b.iter(|| {
            direct_dk
                .decapsulate(aws_kem::Ciphertext::from(black_box(direct_ct.as_slice())))
                .unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, ecdsa_p384, mldsa87, mlkem1024);
criterion_main!(benches);
