//! Embedded TPM overhead: TPM2_GetRandom through `execute`, and ML-DSA-87 TPM2_SignDigest
//! through `execute` against the same signature made directly with the crypto provider
//! (the ratio is the command-processing overhead: parsing, authorization, response).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use vtrust_crypto::CryptoProvider;
use vtrust_crypto::sign::SignatureAlg;
use vtrust_tpm2::Tpm;

fn h(s: &str) -> Vec<u8> {
    hex::decode(s.replace(' ', "")).unwrap()
}

fn with_len(mut c: Vec<u8>) -> Vec<u8> {
    let len = c.len() as u32;
    c[2..6].copy_from_slice(&len.to_be_bytes());
    c
}

fn bench(c: &mut Criterion) {
    let mut tpm = Tpm::new(CryptoProvider::new(), None).unwrap();
    assert_eq!(
        tpm.execute(0, &h("80010000000c000001440000"))[6..10],
        [0, 0, 0, 0]
    );
    let get_random = h("80010000000c0000017b0020");
    c.bench_function("tpm2 GetRandom(32) via execute", |b| {
        b.iter(|| black_box(tpm.execute(0, black_box(&get_random))))
    });

    // CreatePrimary ML-DSA-87 (owner, TPM_RS_PW "").
    let create = with_len(h(
        "8002 00000000 00000131 40000001 00000009 40000009 0000 01 0000 0004 0000 0000 000f 00a1 000b 00040072 0000 0003 00 0000 0000 00000000",
    ));
    let r = tpm.execute(0, &create);
    assert_eq!(r[6..10], [0, 0, 0, 0]);
    let handle = r[10..14].to_vec();
    let mut sign = h("8002 00000000 000001a6");
    sign.extend_from_slice(&handle);
    sign.extend_from_slice(&h("00000009 40000009 0000 01 0000 0000 0020"));
    sign.extend_from_slice(&[0x5A; 32]);
    sign.extend_from_slice(&h("8024 40000007 0000"));
    let sign = with_len(sign);
    assert_eq!(tpm.execute(0, &sign)[6..10], [0, 0, 0, 0]);
    c.bench_function("tpm2 SignDigest ML-DSA-87 via execute", |b| {
        b.iter(|| black_box(tpm.execute(0, black_box(&sign))))
    });

    let provider = CryptoProvider::new();
    let key = provider
        .signing_key_from_seed(SignatureAlg::MlDsa87, &[9; 32])
        .unwrap();
    c.bench_function("ML-DSA-87 sign direct (provider)", |b| {
        b.iter(|| black_box(key.sign(black_box(&[0x5A; 32])).unwrap()))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
