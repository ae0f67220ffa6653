//! Arbitrary command bytes into a started embedded TPM (deterministic test RNG): the
//! response must always be well formed (size field == length, an error is the 10-byte
//! header), whatever the input. The first byte picks a state: fresh, or with an ECC and an
//! ML-KEM primary loaded and an HMAC session open, so handle and auth paths are reached.
#![no_main]

use std::sync::{Arc, OnceLock};

use libfuzzer_sys::fuzz_target;
use vtrust_crypto::CryptoProvider;
use vtrust_crypto::rng::TestRng;
use vtrust_tpm2::Tpm;

fn provider() -> CryptoProvider {
    CryptoProvider::with_rng(Arc::new(TestRng::new([0x42; 32])))
}

fn ok(tpm: &mut Tpm, hex: &str) {
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect();
    let r = tpm.execute(0, &bytes);
    assert_eq!(
        &r[6..10],
        &[0, 0, 0, 0],
        "setup command {hex} failed: {r:02x?}"
    );
}

/// The permanent and volatile state of a started TPM with objects and a session loaded.
fn loaded_state() -> &'static (Vec<u8>, Vec<u8>) {
    static STATE: OnceLock<(Vec<u8>, Vec<u8>)> = OnceLock::new();
    STATE.get_or_init(|| {
        let mut tpm = Tpm::new(provider(), None).unwrap();
        ok(&mut tpm, "80010000000c000001440000");
        // ECC P-256 signing primary (0x80000000), ML-KEM-512 primary (0x80000001).
        ok(&mut tpm, "80020000003f00000131400000010000000940000009000001000000040000000000160023000b000400720000001000100003001000000000000000000000");
        ok(&mut tpm, "800200000039000001314000000100000009400000090000010000000400000000001000a0000b000200720000001000010000000000000000");
        // An unbound unsalted HMAC session (0x02000000).
        ok(&mut tpm, "80010000003b000001764000000740000007002011111111111111111111111111111111111111111111111111111111111111110000000010000b");
        (tpm.permanent_state(), tpm.volatile_state())
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, command)) = data.split_first() else {
        return;
    };
    let (perm, vol) = loaded_state();
    let mut tpm = Tpm::new(provider(), Some(perm)).unwrap();
    if mode & 1 == 1 {
        tpm.load_volatile(vol).unwrap();
    } else {
        ok(&mut tpm, "80010000000c000001440000");
    }
    let r = tpm.execute(mode >> 5, command);
    assert!(r.len() >= 10);
    assert_eq!(
        u32::from_be_bytes(r[2..6].try_into().unwrap()) as usize,
        r.len()
    );
    assert!(r[..2] == [0x80, 0x01] || r[..2] == [0x80, 0x02]);
    if r[6..10] != [0, 0, 0, 0] {
        assert_eq!(r.len(), 10);
    }
    // A second command on the same TPM: state changed by the first must stay consistent.
    let r2 = tpm.execute(0, &[0x80, 0x01, 0, 0, 0, 0x0c, 0, 0, 0x01, 0x7b, 0, 0x08]);
    assert_eq!(
        u32::from_be_bytes(r2[2..6].try_into().unwrap()) as usize,
        r2.len()
    );
});
