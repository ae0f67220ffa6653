//! Byte vectors captured from swtpm 0.7.1/libtpms 0.9.2 (Debian 12), command for command,
//! recording only the fields that are not random or key-dependent. Digests inside are also
//! FIPS 180-4 known answers ("abc").

mod common;
use common::*;

fn x(tpm: &mut vtrust_tpm2::Tpm, hexcmd: &str) -> Vec<u8> {
    tpm.execute(0, &hex::decode(hexcmd.replace(' ', "")).unwrap())
}

#[test]
fn startup_response_matches_swtpm() {
    let mut tpm = vtrust_tpm2::Tpm::new(provider(), None).unwrap();
    assert_eq!(
        hex::encode(x(&mut tpm, "80010000000c000001440000")),
        "80010000000a00000000"
    );
}

#[test]
fn get_capability_pcrs_matches_swtpm() {
    let mut tpm = started();
    // captured from swtpm 0.7.1/libtpms 0.9.2: four banks, PCRs 0-23 allocated.
    assert_eq!(
        hex::encode(x(&mut tpm, "8001000000160000017a000000050000000000000001")),
        "80010000002b00000000000000000500000004000403ffffff000b03ffffff000c03ffffff000d03ffffff"
    );
}

#[test]
fn get_capability_max_sizes_layout_matches_swtpm() {
    let mut tpm = started();
    // swtpm: 800100000023 00000000 01 00000006 00000002 0000011e 00001000 0000011f 00001000
    // (moreData = 1). We report 8192 for both.
    assert_eq!(
        hex::encode(x(&mut tpm, "8001000000160000017a000000060000011e00000002")),
        "800100000023000000000100000006000000020000011e000020000000011f00002000"
    );
}

#[test]
fn get_random_is_capped_at_64_bytes_like_swtpm() {
    let mut tpm = started();
    let r = x(&mut tpm, "80010000000c0000017b0064");
    // swtpm: 80010000004c 00000000 0040 <64 random bytes>
    assert_eq!(hex::encode(&r[..12]), "80010000004c000000000040");
    assert_eq!(r.len(), 0x4c);
}

#[test]
fn pcr_read_of_fresh_pcrs_matches_swtpm_apart_from_update_counter() {
    let mut tpm = started();
    let r = x(&mut tpm, "8001000000140000017e00000001000b03030000");
    // swtpm (counter 0x14): 800100000060 00000000 00000014 00000001000b03030000 00000002 0020 00..00 0020 00..00
    let expected_tail = format!(
        "00000001000b03030000000000020020{}0020{}",
        "00".repeat(32),
        "00".repeat(32)
    );
    assert_eq!(hex::encode(&r[..10]), "80010000006000000000");
    assert_eq!(hex::encode(&r[14..]), expected_tail);
}

#[test]
fn pcr_extend_then_read_matches_swtpm() {
    let mut tpm = started();
    let r = x(
        &mut tpm,
        "80020000004100000182000000000000000940000009000001000000000001000b0000000000000000000000000000000000000000000000000000000000000000",
    );
    // captured from swtpm 0.7.1: the password session answers nonce "", continueSession, hmac "".
    assert_eq!(hex::encode(r), "80020000001300000000000000000000010000");
    let r = x(&mut tpm, "8001000000140000017e00000001000b03010000");
    // Value also = `printf '\0%.0s' {1..64} | sha256sum`.
    assert_eq!(
        hex::encode(&r[14..]),
        "00000001000b03010000000000010020f5a5fd42d16a20302798ef6ed309979b43003d2320d9f0e8ea9831a92759fb4b"
    );
}

#[test]
fn pcr_event_response_matches_swtpm() {
    let mut tpm = started();
    let r = x(
        &mut tpm,
        "8002000000200000013c00000010000000094000000900000100000003616263",
    );
    assert_eq!(
        hex::encode(r),
        "8002000000c300000000000000b0000000040004a9993e364706816aba3e25717850c26c9cd0d89d000bba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad000ccb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7000dddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f0000010000"
    );
}

#[test]
fn hash_in_null_hierarchy_matches_swtpm() {
    let mut tpm = started();
    assert_eq!(
        hex::encode(x(&mut tpm, "8001000000150000017d0003616263000b40000007")),
        "800100000034000000000020ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad8024400000070000"
    );
}

#[test]
fn hash_ticket_layout_matches_swtpm() {
    let mut tpm = started();
    let r = x(&mut tpm, "8001000000150000017d0003616263000b40000001");
    // swtpm: 800100000074 00000000 0020 <sha256 abc> 8024 40000001 0040 <64-byte HMAC>
    assert_eq!(
        hex::encode(&r[..50]),
        "800100000074000000000020ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad802440000001"
    );
    assert_eq!(hex::encode(&r[50..52]), "0040");
    assert_eq!(r.len(), 0x74);
}

#[test]
fn create_primary_ecc_layout_matches_swtpm() {
    let mut tpm = started();
    // The same command bytes as sent to swtpm: owner, TPM_RS_PW "", userAuth "secret",
    // the tpm2-tools ECC P-256 signing template.
    let c = cmd(
        0x131,
        &[RH_OWNER],
        Some(&pw(b"")),
        &create_primary_params(&ecc_sign_template(), b"secret"),
    );
    assert_eq!(hex::encode(&c[..10]), "80020000004500000131");
    let r = tpm.execute(0, &c);
    assert_eq!(rc(&r), 0);
    // swtpm: 800200000136 00000000 80000000 0000011f 0056 0023000b 00040072 0000 0010 0010 0003 0010 0020 <x> 0020 <y>
    assert_eq!(hex::encode(&r[..14]), "8002000001360000000080000000");
    assert_eq!(hex::encode(&r[14..18]), "0000011f");
    assert_eq!(
        hex::encode(&r[18..38]),
        "00560023000b0004007200000010001000030010"
    );
    assert_eq!(hex::encode(&r[38..40]), "0020");
    assert_eq!(hex::encode(&r[72..74]), "0020");
    // creationData and creationHash hold no random or key-dependent field: identical to swtpm's.
    assert_eq!(
        hex::encode(&r[106..163]),
        "0037000000000020e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8550100100004400000010004400000010000"
    );
    assert_eq!(
        hex::encode(&r[163..197]),
        "00205da041bac0ee3135aebb0cadfba497c6a1877fae832dd3d1f8f7a871b825e854"
    );
    // creationTicket 8021 40000001 0040 <64>, name 0022 000b <32>, session 0000 01 0000.
    assert_eq!(hex::encode(&r[197..205]), "8021400000010040");
    assert_eq!(hex::encode(&r[269..273]), "0022000b");
    assert_eq!(hex::encode(&r[305..]), "0000010000");
}

#[test]
fn read_public_layout_matches_swtpm() {
    let mut tpm = started();
    let h = create_primary(&mut tpm, &ecc_sign_template(), b"secret");
    let r = tpm.execute(0, &cmd(0x173, &[h], None, &[]));
    // swtpm: 8001000000aa 00000000 0056 <public> 0022 000b <32> 0022 000b <32>
    assert_eq!(hex::encode(&r[..12]), "8001000000aa000000000056");
    assert_eq!(hex::encode(&r[98..102]), "0022000b");
    assert_eq!(hex::encode(&r[134..138]), "0022000b");
    // Name = nameAlg || SHA-256(TPMT_PUBLIC).
    let public = &r[12..98];
    let name_hash = &r[102..134];
    use vtrust_crypto::hash::HashAlg;
    assert_eq!(
        provider().digest(HashAlg::Sha256, public).as_bytes(),
        name_hash
    );
}

#[test]
fn refusals_match_swtpm_codes() {
    let mut tpm = started();
    let h = create_primary(&mut tpm, &ecc_sign_template(), b"secret");
    assert_eq!(h, 0x8000_0000);
    // Each expected code captured from swtpm 0.7.1 for the same bytes.
    let mut sign_params = tpm2b(&[0; 32]);
    sign_params.extend_from_slice(&hex::decode("0010802440000007 0000".replace(' ', "")).unwrap());
    let wrong = cmd(0x15D, &[h], Some(&pw(b"wrong")), &sign_params);
    assert_eq!(hex::encode(&wrong[..10]), "80020000004c0000015d");
    assert_eq!(
        rc(&tpm.execute(0, &wrong)),
        0x98E,
        "TPM_RC_AUTH_FAIL + session 1"
    );
    let right = cmd(0x15D, &[h], Some(&pw(b"secret")), &sign_params);
    assert_eq!(hex::encode(&right[..10]), "80020000004d0000015d");
    assert_eq!(
        rc(&tpm.execute(0, &right)),
        0x2D2,
        "TPM_RC_SCHEME + parameter 2"
    );
    for (c, expected) in [
        ("80010000000e0000017380000077", 0x184),
        ("80010000000e0000017340000001", 0x184),
        ("800100000012000001820000000000000000", 0x125),
        ("80010000000a00001234", 0x143),
        ("80010000000c000001440000", 0x100),
        ("80010000000d0000017b0010", 0x142),
        ("80020000001600000182000000000000000000000000", 0x095),
        ("80010000000f0000017d0005616263", 0x1DA),
        ("8001000000150000017d0003616263009940000007", 0x2C3),
        ("8001000000160000017d0003616263000b4000000700", 0x095),
        ("80010000000e0000016580000077", 0x1C4),
    ] {
        assert_eq!(rc(&x(&mut tpm, c)), expected, "{c}");
    }
    let mut bad_sig = hex::decode("80010000007800000177800000000020").unwrap();
    bad_sig.extend_from_slice(&[0; 32]);
    bad_sig.extend_from_slice(&hex::decode("0018000b0020").unwrap());
    bad_sig.extend_from_slice(&[0x11; 32]);
    bad_sig.extend_from_slice(&[0, 0x20]);
    bad_sig.extend_from_slice(&[0x22; 32]);
    assert_eq!(rc(&tpm.execute(0, &bad_sig)), 0x2DB);
}
