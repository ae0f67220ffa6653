//! Responder identities from libspdm's sample files (DER chain + SEC1 / PKCS#8 / ML-DSA
//! expanded keys) and from generated chains (P-384, ML-DSA-87).

use std::path::PathBuf;

use vtrust_crypto::CryptoProvider;
use vtrust_crypto::sign::SignatureAlg;
use vtrust_spdm::responder::ResponderIdentity;
use vtrust_spdm::responder::identity::{IdentityError, split_der_chain};

fn keys(dir: &str) -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/spdm/sample_key/"
    ))
    .join(dir)
}

/// The leaf (last) certificate of the chain ends with the same bytes as end_responder.cert.der.
fn check_leaf(identity: &ResponderIdentity, dir: &str) {
    let leaf = std::fs::read(keys(dir).join("end_responder.cert.der")).unwrap();
    assert_eq!(identity.slots()[0].certs.last().unwrap(), &leaf);
}

#[test]
fn loads_libspdm_sample_keys_in_each_format() {
    let p = CryptoProvider::new();
    for (dir, key, alg) in [
        (
            "ecp384",
            "end_responder.key.der",
            SignatureAlg::EcdsaP384Sha384,
        ),
        (
            "ecp256",
            "end_responder.key.p8",
            SignatureAlg::EcdsaP256Sha256,
        ),
        (
            "mldsa65",
            "end_responder.key.priv.raw",
            SignatureAlg::MlDsa65,
        ),
    ] {
        let id = ResponderIdentity::new()
            .with_files(
                &p,
                0,
                &keys(dir).join("bundle_responder.certchain.der"),
                &keys(dir).join(key),
                alg,
            )
            .unwrap_or_else(|e| panic!("{dir}/{key}: {e}"));
        assert_eq!(id.slots()[0].certs.len(), 3, "{dir}");
        assert_eq!(id.slots()[0].key.alg(), alg);
        check_leaf(&id, dir);
    }
}

#[test]
fn generates_p384_and_mldsa87_identities() {
    let p = CryptoProvider::new();
    for alg in [SignatureAlg::EcdsaP384Sha384, SignatureAlg::MlDsa87] {
        let id = ResponderIdentity::generate(&p, alg).unwrap();
        assert_eq!(id.slots()[0].key.alg(), alg);
        assert_eq!(id.slots()[0].certs.len(), 3);
    }
}

#[test]
fn refuses_malformed_chain_and_bad_slots() {
    assert!(matches!(
        split_der_chain(&[0x30, 0x05, 1, 2]),
        Err(IdentityError::MalformedChain { index: 0 })
    ));
    assert!(matches!(
        split_der_chain(&[]),
        Err(IdentityError::MalformedChain { index: 0 })
    ));
    let chain = std::fs::read(keys("ecp384").join("bundle_responder.certchain.der")).unwrap();
    let mut bad = chain.clone();
    bad.push(0x04);
    assert!(matches!(
        split_der_chain(&bad),
        Err(IdentityError::MalformedChain { index: 3 })
    ));
    assert_eq!(split_der_chain(&chain).unwrap().concat(), chain);
    let p = CryptoProvider::new();
    let id = ResponderIdentity::generate(&p, SignatureAlg::EcdsaP256Sha256).unwrap();
    let slot = id.slots()[0].clone();
    assert!(matches!(
        id.clone().with_slot(slot.clone()),
        Err(IdentityError::BadSlot { slot: 0 })
    ));
    let mut eight = slot;
    eight.slot_id = 8;
    assert!(matches!(
        id.with_slot(eight),
        Err(IdentityError::BadSlot { slot: 8 })
    ));
}
