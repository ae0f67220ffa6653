//! State blobs, power cycles, TPM Resume; and properties: arbitrary bytes never panic and
//! always give a well-formed response.

mod common;
use common::*;
use proptest::prelude::*;
use vtrust_tpm2::{StateError, Tpm};

fn well_formed(r: &[u8]) {
    assert!(r.len() >= 10);
    assert!(r[..2] == [0x80, 0x01] || r[..2] == [0x80, 0x02]);
    assert_eq!(
        u32::from_be_bytes(r[2..6].try_into().unwrap()) as usize,
        r.len()
    );
    let code = u32::from_be_bytes(r[6..10].try_into().unwrap());
    if code != 0 {
        assert_eq!(r.len(), 10, "an error response is the header alone");
        assert_eq!(r[..2], [0x80, 0x01]);
    }
}

#[test]
fn permanent_state_keeps_the_seeds() {
    let mut a = started();
    let h = create_primary(&mut a, &ecc_sign_template(), b"");
    let pa = a.execute(0, &cmd(0x173, &[h], None, &[]));
    let mut b = Tpm::new(provider(), Some(&a.permanent_state())).unwrap();
    b.execute(0, &hex::decode("80010000000c000001440000").unwrap());
    let h = create_primary(&mut b, &ecc_sign_template(), b"");
    assert_eq!(pa, b.execute(0, &cmd(0x173, &[h], None, &[])));
}

#[test]
fn power_cycle_drops_objects_and_needs_startup() {
    let mut tpm = started();
    let h = create_primary(&mut tpm, &ecc_sign_template(), b"");
    tpm.power_cycle();
    assert!(!tpm.is_started());
    assert_eq!(
        rc(&tpm.execute(0, &hex::decode("80010000000c000001440000").unwrap())),
        0
    );
    assert_eq!(rc(&tpm.execute(0, &cmd(0x173, &[h], None, &[]))), 0x184);
}

fn pcr0(tpm: &mut Tpm) -> Vec<u8> {
    let r = tpm.execute(
        0,
        &hex::decode("8001000000140000017e00000001000b03010000").unwrap(),
    );
    r[r.len() - 32..].to_vec()
}

#[test]
fn shutdown_state_then_startup_state_resumes_pcrs() {
    let mut tpm = started();
    let mut ev = vec![0, 3];
    ev.extend_from_slice(b"abc");
    assert_eq!(
        rc(&tpm.execute(0, &cmd(0x13C, &[0], Some(&pw(b"")), &ev))),
        0
    );
    let before = pcr0(&mut tpm);
    assert_ne!(before, vec![0; 32]);
    assert_eq!(
        rc(&tpm.execute(0, &hex::decode("80010000000c000001450001").unwrap())),
        0
    );
    tpm.power_cycle();
    assert_eq!(
        rc(&tpm.execute(0, &hex::decode("80010000000c000001440001").unwrap())),
        0
    );
    assert_eq!(pcr0(&mut tpm), before);
    tpm.power_cycle();
    assert_eq!(
        rc(&tpm.execute(0, &hex::decode("80010000000c000001440000").unwrap())),
        0
    );
    assert_eq!(pcr0(&mut tpm), vec![0; 32]);
}

#[test]
fn volatile_state_round_trip_keeps_objects_and_pcrs() {
    let mut a = started();
    let h = create_primary(&mut a, &mldsa_template(1), b"pw");
    let mut ev = vec![0, 1];
    ev.push(b'x');
    a.execute(0, &cmd(0x13C, &[0], Some(&pw(b"")), &ev));
    let (perm, vol) = (a.permanent_state(), a.volatile_state());
    let mut b = Tpm::new(provider(), Some(&perm)).unwrap();
    b.load_volatile(&vol).unwrap();
    assert!(b.is_started());
    assert_eq!(pcr0(&mut a), pcr0(&mut b));
    assert_eq!(
        a.execute(0, &cmd(0x173, &[h], None, &[])),
        b.execute(0, &cmd(0x173, &[h], None, &[]))
    );
    assert_eq!(b.volatile_state(), vol);
}

#[test]
fn refuses_garbage_state() {
    assert_eq!(
        Tpm::new(provider(), Some(b"garbage!garbage")).unwrap_err(),
        StateError::BadMagic
    );
    let mut perm = started().permanent_state();
    perm.truncate(100);
    assert!(matches!(
        Tpm::new(provider(), Some(&perm)).unwrap_err(),
        StateError::Malformed(_)
    ));
    let mut perm = started().permanent_state();
    perm[9] = 2;
    assert_eq!(
        Tpm::new(provider(), Some(&perm)).unwrap_err(),
        StateError::UnsupportedVersion(2)
    );
    let mut tpm = started();
    assert_eq!(
        tpm.load_volatile(b"nothing at all").unwrap_err(),
        StateError::BadMagic
    );
    let mut vol = tpm.volatile_state();
    vol.push(0);
    assert!(matches!(
        tpm.load_volatile(&vol).unwrap_err(),
        StateError::Malformed(_)
    ));
    // A volatile blob with an object from another TPM's seeds still rebuilds (the secret is
    // in the blob), but one with a corrupted public area does not.
    let mut other = started_seeded(9);
    create_primary(&mut other, &mldsa_template(1), b"");
    let mut vol = other.volatile_state();
    let n = vol.len();
    vol[n - 40] ^= 0xFF;
    assert!(tpm.load_volatile(&vol).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_bytes_give_well_formed_responses(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let mut tpm = started();
        well_formed(&tpm.execute(0, &bytes));
    }

    #[test]
    fn arbitrary_parameters_give_well_formed_responses(
        code in prop::sample::select(vec![0x131u32, 0x13C, 0x13E, 0x143, 0x144, 0x145, 0x146, 0x15C, 0x15D, 0x161, 0x162, 0x165, 0x173, 0x176, 0x177, 0x17A, 0x17B, 0x17D, 0x17E, 0x182, 0x186, 0x18A, 0x1A5, 0x1A6, 0x1A7, 0x1A8]),
        sessions in any::<bool>(),
        handles in proptest::collection::vec(prop::sample::select(vec![0u32, 16, 0x4000_0001, 0x4000_0007, 0x8000_0000, 0x0200_0000]), 0..3),
        body in proptest::collection::vec(any::<u8>(), 0..200),
    ) {
        let mut tpm = started();
        create_primary(&mut tpm, &ecc_sign_template(), b"");
        let auth = pw(b"");
        let c = cmd(code, &handles, if sessions { Some(&auth) } else { None }, &body);
        well_formed(&tpm.execute(0, &c));
    }
}
