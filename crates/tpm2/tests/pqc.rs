//! ML-DSA and ML-KEM through the TPM commands (TPM Library 1.85 SignDigest,
//! VerifyDigestSignature, Encapsulate, Decapsulate), checked against vtrust-crypto's own
//! verification of the bytes on the wire, and the sizes FIPS 203/204 fix.

mod common;
use common::*;
use vtrust_crypto::kem::KemAlg;
use vtrust_crypto::sign::{KeyType, PublicKey, SignatureAlg};

/// The `unique` (public key) of a CreatePrimary response for a PQC key.
fn pqc_public(r: &[u8]) -> Vec<u8> {
    let mut c = Cur(params(r, 1));
    let public = c.b2();
    // type, nameAlg, attributes, authPolicy, parms..., unique
    let mut p = Cur(public);
    let ty = p.u16();
    p.u16();
    p.u32();
    p.b2();
    if ty == 0x00A1 {
        p.u16();
        p.u8();
    } else {
        assert_eq!(p.u16(), 0x0010);
        p.u16();
    }
    let unique = p.b2().to_vec();
    assert!(p.0.is_empty());
    unique
}

fn create(tpm: &mut vtrust_tpm2::Tpm, template: &[u8]) -> (u32, Vec<u8>) {
    let r = tpm.execute(
        0,
        &cmd(
            0x131,
            &[RH_OWNER],
            Some(&pw(b"")),
            &create_primary_params(template, b""),
        ),
    );
    (handle(&r), pqc_public(&r))
}

fn verify_params(context: &[u8], digest: &[u8], sig: &[u8]) -> Vec<u8> {
    let mut p = tpm2b(context);
    p.extend_from_slice(&tpm2b(digest));
    p.extend_from_slice(&0x00A1u16.to_be_bytes());
    p.extend_from_slice(&tpm2b(sig));
    p
}

#[test]
fn mldsa87_sign_digest_then_verify_digest_signature() {
    let mut tpm = started();
    let (h, pk) = create(&mut tpm, &mldsa_template(3));
    assert_eq!(pk.len(), 2592, "FIPS 204 ML-DSA-87 public key");
    let digest = [0x5A; 32];
    let r = tpm.execute(
        0,
        &cmd(
            0x1A6,
            &[h],
            Some(&pw(b"")),
            &sign_digest_params(&[], &digest),
        ),
    );
    assert!(r.len() > 4096, "the point: {} bytes", r.len());
    let mut c = Cur(params(&r, 0));
    assert_eq!(c.u16(), 0x00A1, "sigAlg TPM_ALG_MLDSA");
    let sig = c.b2().to_vec();
    assert_eq!(sig.len(), 4627, "FIPS 204 ML-DSA-87 signature");
    assert!(c.0.is_empty());
    // Independent check: the provider verifies the wire bytes under the wire public key.
    let public = PublicKey::from_raw(KeyType::MlDsa87, &pk).unwrap();
    provider()
        .verify(SignatureAlg::MlDsa87, &public, &digest, &sig)
        .unwrap();

    let r = tpm.execute(
        0,
        &cmd(0x1A5, &[h], None, &verify_params(&[], &digest, &sig)),
    );
    let mut c = Cur(params(&r, 0));
    assert_eq!(c.u16(), 0x8027, "TPM_ST_DIGEST_VERIFIED");
    assert_eq!(c.u32(), RH_OWNER);
    assert_eq!(c.u16(), 0x0010);
    assert_eq!(c.b2().len(), 64);

    let mut tampered = sig.clone();
    tampered[100] ^= 1;
    let r = tpm.execute(
        0,
        &cmd(0x1A5, &[h], None, &verify_params(&[], &digest, &tampered)),
    );
    assert_eq!(rc(&r), 0x3DB, "TPM_RC_SIGNATURE + parameter 3");
    let r = tpm.execute(
        0,
        &cmd(0x1A5, &[h], None, &verify_params(&[], &[0x5B; 32], &sig)),
    );
    assert_eq!(rc(&r), 0x3DB);
}

#[test]
fn mldsa_context_string_is_the_fips204_context() {
    let mut tpm = started();
    let (h, pk) = create(&mut tpm, &mldsa_template(2));
    assert_eq!(pk.len(), 1952);
    let digest = [1u8; 48];
    let r = tpm.execute(
        0,
        &cmd(
            0x1A6,
            &[h],
            Some(&pw(b"")),
            &sign_digest_params(b"vtrust", &digest),
        ),
    );
    let mut c = Cur(params(&r, 0));
    c.u16();
    let sig = c.b2().to_vec();
    assert_eq!(sig.len(), 3309);
    let public = PublicKey::from_raw(KeyType::MlDsa65, &pk).unwrap();
    provider()
        .verify_with_context(SignatureAlg::MlDsa65, &public, &digest, b"vtrust", &sig)
        .unwrap();
    let r = tpm.execute(
        0,
        &cmd(0x1A5, &[h], None, &verify_params(b"vtrust", &digest, &sig)),
    );
    assert_eq!(rc(&r), 0);
    let r = tpm.execute(
        0,
        &cmd(0x1A5, &[h], None, &verify_params(b"other", &digest, &sig)),
    );
    assert_eq!(rc(&r), 0x3DB);
}

#[test]
fn mldsa44_signature_size() {
    let mut tpm = started();
    let (h, pk) = create(&mut tpm, &mldsa_template(1));
    assert_eq!(pk.len(), 1312);
    let r = tpm.execute(
        0,
        &cmd(
            0x1A6,
            &[h],
            Some(&pw(b"")),
            &sign_digest_params(&[], &[9; 32]),
        ),
    );
    let mut c = Cur(params(&r, 0));
    c.u16();
    assert_eq!(c.b2().len(), 2420);
}

#[test]
fn mlkem1024_encapsulate_then_decapsulate_agree() {
    let mut tpm = started();
    let (h, pk) = create(&mut tpm, &mlkem_template(3));
    assert_eq!(pk.len(), 1568);
    let r = tpm.execute(0, &cmd(0x1A7, &[h], None, &[]));
    let mut c = Cur(params(&r, 0));
    let ss = c.b2().to_vec();
    let ct = c.b2().to_vec();
    assert!(c.0.is_empty());
    assert_eq!((ss.len(), ct.len()), (32, 1568));
    let r = tpm.execute(0, &cmd(0x1A8, &[h], Some(&pw(b"")), &tpm2b(&ct)));
    let mut c = Cur(params(&r, 0));
    assert_eq!(c.b2(), ss.as_slice());
    // A ciphertext made outside the TPM for the wire public key decapsulates to the same secret.
    let (ct2, ss2) = provider().kem_encapsulate(KemAlg::MlKem1024, &pk).unwrap();
    let r = tpm.execute(0, &cmd(0x1A8, &[h], Some(&pw(b"")), &tpm2b(&ct2)));
    assert_eq!(Cur(params(&r, 0)).b2(), ss2.as_bytes());
}

#[test]
fn mlkem512_and_768_sizes() {
    let mut tpm = started();
    for (set, pk_len, ct_len) in [(1u16, 800usize, 768usize), (2, 1184, 1088)] {
        let (h, pk) = create(&mut tpm, &mlkem_template(set));
        assert_eq!(pk.len(), pk_len);
        let r = tpm.execute(0, &cmd(0x1A7, &[h], None, &[]));
        let mut c = Cur(params(&r, 0));
        c.b2();
        assert_eq!(c.b2().len(), ct_len);
    }
}

#[test]
fn primary_keys_are_derived_from_seed_and_template() {
    let mut a = started();
    let perm = a.permanent_state();
    let (_, pk_a) = create(&mut a, &mldsa_template(2));
    let mut b = vtrust_tpm2::Tpm::new(provider(), Some(&perm)).unwrap();
    b.execute(0, &hex::decode("80010000000c000001440000").unwrap());
    let (_, pk_b) = create(&mut b, &mldsa_template(2));
    assert_eq!(pk_a, pk_b, "same seed + same template = same key");
    let (_, pk_c) = create(&mut b, &mldsa_template(3));
    assert!(pk_a.len() != pk_c.len());
    let mut other = started_seeded(8);
    let (_, pk_d) = create(&mut other, &mldsa_template(2));
    assert!(pk_a != pk_d, "another TPM has other seeds");
}

#[test]
fn context_save_load_round_trip_and_tamper() {
    let mut tpm = started();
    let (h, _) = create(&mut tpm, &mldsa_template(3));
    let r = tpm.execute(0, &cmd(0x162, &[h], None, &[]));
    let ctx = params(&r, 0).to_vec();
    assert_eq!(&ctx[..8], &1u64.to_be_bytes(), "sequence");
    assert_eq!(
        &ctx[8..16],
        &hex::decode("8000000040000001").unwrap(),
        "savedHandle, hierarchy"
    );
    assert_eq!(
        rc(&tpm.execute(0, &cmd(0x165, &[], None, &h.to_be_bytes()))),
        0
    );
    let r = tpm.execute(0, &cmd(0x161, &[], None, &ctx));
    let h2 = handle(&r);
    let r = tpm.execute(
        0,
        &cmd(
            0x1A6,
            &[h2],
            Some(&pw(b"")),
            &sign_digest_params(&[], &[3; 32]),
        ),
    );
    assert_eq!(rc(&r), 0);
    let mut bad = ctx.clone();
    let last = bad.len() - 1;
    bad[last] ^= 1;
    assert_eq!(
        rc(&tpm.execute(0, &cmd(0x161, &[], None, &bad))),
        0x1DF,
        "TPM_RC_INTEGRITY + parameter 1"
    );
    // A context of one TPM does not load into another.
    let mut other = started_seeded(8);
    assert_eq!(rc(&other.execute(0, &cmd(0x161, &[], None, &ctx))), 0x1DF);
}
