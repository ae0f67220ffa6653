//! One test per check: the exact response code. Codes marked "swtpm" were captured from
//! swtpm 0.7.1/libtpms 0.9.2 for the same bytes (see swtpm_vectors.rs).

mod common;
use common::*;

fn startup_cmd() -> Vec<u8> {
    hex::decode("80010000000c000001440000").unwrap()
}

#[test]
fn refuses_short_header() {
    let mut tpm = started();
    assert_eq!(rc(&tpm.execute(0, &[0x80, 0x01, 0, 0, 0])), 0x142);
    assert_eq!(rc(&tpm.execute(0, &[])), 0x142);
}

#[test]
fn refuses_size_mismatch() {
    let mut tpm = started();
    // swtpm: 0x142 for a header claiming more than was sent.
    assert_eq!(
        rc(&tpm.execute(0, &hex::decode("80010000000d0000017b0010").unwrap())),
        0x142
    );
    assert_eq!(
        rc(&tpm.execute(0, &hex::decode("80010000000b0000017b0010").unwrap())),
        0x142
    );
}

#[test]
fn refuses_command_above_max_size() {
    let mut tpm = started();
    let mut c = cmd(0x17D, &[], None, &vec![0; 8200]);
    let len = c.len() as u32;
    c[2..6].copy_from_slice(&len.to_be_bytes());
    assert_eq!(rc(&tpm.execute(0, &c)), 0x142);
}

#[test]
fn refuses_unknown_command() {
    let mut tpm = started();
    // TPM2_Create (0x153) is not implemented; 0x1234 is not a command at all (swtpm: 0x143).
    assert_eq!(rc(&tpm.execute(0, &cmd(0x153, &[], None, &[]))), 0x143);
    assert_eq!(rc(&tpm.execute(0, &cmd(0x1234, &[], None, &[]))), 0x143);
}

#[test]
fn refuses_bad_tag() {
    let mut tpm = started();
    // Part 3 §5.2: TPM_RC_BAD_TAG. (libtpms 0.9.2 answers 0x084 for this byte string.)
    assert_eq!(
        rc(&tpm.execute(0, &hex::decode("c0010000000c0000017b0010").unwrap())),
        0x01E
    );
}

#[test]
fn refuses_missing_auth() {
    let mut tpm = started();
    // PCR_Extend needs authorization of the PCR: swtpm 0x125.
    assert_eq!(
        rc(&tpm.execute(
            0,
            &hex::decode("800100000012000001820000000000000000").unwrap()
        )),
        0x125
    );
}

#[test]
fn refuses_wrong_password() {
    let mut tpm = started();
    let h = create_primary(&mut tpm, &mldsa_template(1), b"secret");
    let p = sign_digest_params(&[], &[1; 32]);
    // TPM_RC_AUTH_FAIL + session 1 (swtpm: 0x98E).
    assert_eq!(
        rc(&tpm.execute(0, &cmd(0x1A6, &[h], Some(&pw(b"wrong")), &p))),
        0x98E
    );
    assert_eq!(
        rc(&tpm.execute(0, &cmd(0x1A6, &[h], Some(&pw(b"secret")), &p))),
        0
    );
}

#[test]
fn refuses_wrong_hmac_in_hmac_session() {
    let mut tpm = started();
    let mut p = tpm2b(&[0x11; 32]);
    p.extend_from_slice(&[0, 0, 0x00, 0x00, 0x10, 0x00, 0x0B]);
    let r = tpm.execute(0, &cmd(0x176, &[RH_NULL, RH_NULL], None, &p));
    let s = handle(&r);
    assert_eq!(s, 0x0200_0000);
    let mut auth = s.to_be_bytes().to_vec();
    auth.extend_from_slice(&tpm2b(&[0x22; 32]));
    auth.push(1);
    auth.extend_from_slice(&tpm2b(&[0x33; 32]));
    let mut ext = 1u32.to_be_bytes().to_vec();
    ext.extend_from_slice(&0x000Bu16.to_be_bytes());
    ext.extend_from_slice(&[0; 32]);
    // PCRs are not DA-protected: TPM_RC_BAD_AUTH + session 1 (swtpm answers 0x9A2 to a
    // wrong password on PCR 0 too, see below).
    assert_eq!(
        rc(&tpm.execute(0, &cmd(0x182, &[0], Some(&auth), &ext))),
        0x9A2
    );
    let wrong_pw =
        hex::decode("80020000002400000182000000000000000e40000009000001000577726f6e6700000000")
            .unwrap();
    assert_eq!(
        rc(&tpm.execute(0, &wrong_pw)),
        0x9A2,
        "captured from swtpm 0.7.1"
    );
}

#[test]
fn refuses_unloaded_session() {
    let mut tpm = started();
    let mut auth = 0x0200_0005u32.to_be_bytes().to_vec();
    auth.extend_from_slice(&tpm2b(&[0x22; 32]));
    auth.push(1);
    auth.extend_from_slice(&tpm2b(&[0x33; 32]));
    let ext = [0, 0, 0, 0];
    assert_eq!(
        rc(&tpm.execute(0, &cmd(0x182, &[0], Some(&auth), &ext))),
        0x918
    );
}

#[test]
fn refuses_bad_handle() {
    let mut tpm = started();
    // TPM_RC_VALUE + handle 1, as swtpm answers ReadPublic of an unloaded or non-object handle.
    assert_eq!(
        rc(&tpm.execute(0, &cmd(0x173, &[0x8000_0077], None, &[]))),
        0x184
    );
    assert_eq!(
        rc(&tpm.execute(0, &cmd(0x173, &[RH_OWNER], None, &[]))),
        0x184
    );
    // PCR 24 does not exist.
    let ext = [0, 0, 0, 0];
    assert_eq!(
        rc(&tpm.execute(0, &cmd(0x182, &[24], Some(&pw(b"")), &ext))),
        0x184
    );
}

#[test]
fn refuses_commands_before_startup() {
    let mut tpm = vtrust_tpm2::Tpm::new(provider(), None).unwrap();
    assert_eq!(
        rc(&tpm.execute(0, &hex::decode("80010000000c0000017b0010").unwrap())),
        0x100
    );
    assert_eq!(rc(&tpm.execute(0, &startup_cmd())), 0);
    tpm.power_cycle();
    assert_eq!(
        rc(&tpm.execute(0, &hex::decode("80010000000c0000017b0010").unwrap())),
        0x100
    );
}

#[test]
fn refuses_second_startup() {
    let mut tpm = started();
    assert_eq!(rc(&tpm.execute(0, &startup_cmd())), 0x100);
}

#[test]
fn refuses_startup_state_without_shutdown_state() {
    let mut tpm = vtrust_tpm2::Tpm::new(provider(), None).unwrap();
    assert_eq!(
        rc(&tpm.execute(0, &hex::decode("80010000000c000001440001").unwrap())),
        0x1C4
    );
}

#[test]
fn refuses_trailing_parameter_bytes() {
    let mut tpm = started();
    assert_eq!(
        rc(&tpm.execute(0, &hex::decode("80010000000d0000017b001000").unwrap())),
        0x095
    );
}

#[test]
fn refuses_sign_with_a_decrypt_key() {
    let mut tpm = started();
    let h = create_primary(&mut tpm, &mlkem_template(2), b"");
    let p = sign_digest_params(&[], &[1; 32]);
    // TPM_RC_KEY + handle 1 (swtpm answers tpm2_sign with a decrypt key 0x19C).
    assert_eq!(
        rc(&tpm.execute(0, &cmd(0x1A6, &[h], Some(&pw(b"")), &p))),
        0x19C
    );
}

#[test]
fn refuses_encapsulate_with_a_signing_key() {
    let mut tpm = started();
    let h = create_primary(&mut tpm, &mldsa_template(1), b"");
    assert_eq!(rc(&tpm.execute(0, &cmd(0x1A7, &[h], None, &[]))), 0x19C);
}

#[test]
fn refuses_decapsulate_with_wrong_ciphertext_size() {
    let mut tpm = started();
    let h = create_primary(&mut tpm, &mlkem_template(3), b"");
    assert_eq!(
        rc(&tpm.execute(0, &cmd(0x1A8, &[h], Some(&pw(b"")), &tpm2b(&[0; 1088])))),
        0x1D5
    );
}

#[test]
fn refuses_external_mu() {
    let mut tpm = started();
    let mut t = mldsa_template(3);
    let i = t.len() - 3;
    t[i] = 1; // allowExternalMu YES
    let r = tpm.execute(
        0,
        &cmd(
            0x131,
            &[RH_OWNER],
            Some(&pw(b"")),
            &create_primary_params(&t, b""),
        ),
    );
    assert_eq!(rc(&r), 0x2C4);
}

#[test]
fn refuses_unknown_parameter_set() {
    let mut tpm = started();
    let mut t = mldsa_template(3);
    let i = t.len() - 4;
    t[i] = 9;
    let r = tpm.execute(
        0,
        &cmd(
            0x131,
            &[RH_OWNER],
            Some(&pw(b"")),
            &create_primary_params(&t, b""),
        ),
    );
    assert_eq!(rc(&r), 0x2C4, "TPM_RC_VALUE + parameter 2");
}

#[test]
fn refuses_restricted_mldsa_without_ticket() {
    let mut tpm = started();
    let mut t = mldsa_template(1);
    t[7] |= 0x01; // objectAttributes bit 16: restricted
    let r = tpm.execute(
        0,
        &cmd(
            0x131,
            &[RH_OWNER],
            Some(&pw(b"")),
            &create_primary_params(&t, b""),
        ),
    );
    let h = handle(&r);
    let p = sign_digest_params(&[], &[1; 32]);
    assert_eq!(
        rc(&tpm.execute(0, &cmd(0x1A6, &[h], Some(&pw(b"")), &p))),
        0x3E0,
        "TPM_RC_TICKET + parameter 3"
    );
}

#[test]
fn refuses_more_objects_than_slots() {
    let mut tpm = started();
    for _ in 0..16 {
        create_primary(&mut tpm, &ecc_sign_template(), b"");
    }
    let r = tpm.execute(
        0,
        &cmd(
            0x131,
            &[RH_OWNER],
            Some(&pw(b"")),
            &create_primary_params(&ecc_sign_template(), b""),
        ),
    );
    assert_eq!(rc(&r), 0x902, "TPM_RC_OBJECT_MEMORY");
}

#[test]
fn refuses_flush_of_unknown_handle() {
    let mut tpm = started();
    assert_eq!(
        rc(&tpm.execute(0, &hex::decode("80010000000e0000016580000077").unwrap())),
        0x1C4
    );
}

#[test]
fn refuses_salted_and_policy_sessions() {
    let mut tpm = started();
    let mut p = tpm2b(&[0x11; 32]);
    p.extend_from_slice(&[0, 0, 0x01, 0x00, 0x10, 0x00, 0x0B]);
    assert_eq!(
        rc(&tpm.execute(0, &cmd(0x176, &[RH_NULL, RH_NULL], None, &p))),
        0x3C4,
        "policy: TPM_RC_VALUE + P3"
    );
    let mut p = tpm2b(&[0x11; 32]);
    p.extend_from_slice(&[0, 0, 0x00, 0x00, 0x10, 0x00, 0x0B]);
    assert_eq!(
        rc(&tpm.execute(0, &cmd(0x176, &[RH_OWNER, RH_NULL], None, &p))),
        0x18B,
        "salted: TPM_RC_HANDLE + H1"
    );
}
