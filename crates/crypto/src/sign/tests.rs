//! Unit tests of the signature module: round trips, determinism, one `refuses_*` test per
//! check, libspdm's sample keys, and properties.

use std::sync::{Arc, OnceLock};

use proptest::prelude::*;

use super::*;
use crate::hash::{Digest, HashAlg};
use crate::rng::TestRng;
use crate::{CryptoProvider, Error};

const NON_RSA: [SignatureAlg; 7] = [
    SignatureAlg::EcdsaP256Sha256,
    SignatureAlg::EcdsaP384Sha384,
    SignatureAlg::EcdsaP521Sha512,
    SignatureAlg::Ed25519,
    SignatureAlg::MlDsa44,
    SignatureAlg::MlDsa65,
    SignatureAlg::MlDsa87,
];

const RSA: [SignatureAlg; 6] = [
    SignatureAlg::RsaPkcs1Sha256,
    SignatureAlg::RsaPkcs1Sha384,
    SignatureAlg::RsaPkcs1Sha512,
    SignatureAlg::RsaPssSha256,
    SignatureAlg::RsaPssSha384,
    SignatureAlg::RsaPssSha512,
];

const SHARED_SPDM: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/spdm");

fn shared(path: &str) -> Vec<u8> {
    std::fs::read(format!("{SHARED_SPDM}/{path}")).unwrap_or_else(|e| {
        panic!("{SHARED_SPDM}/{path}: {e} (shared/ must sit beside the checkout)")
    })
}

fn test_provider(seed: u8) -> CryptoProvider {
    CryptoProvider::with_rng(Arc::new(TestRng::new([seed; 32])))
}

/// One RSA-2048 key for every RSA test (generation is slow).
fn rsa_pkcs8() -> &'static [u8] {
    static KEY: OnceLock<Vec<u8>> = OnceLock::new();
    KEY.get_or_init(|| {
        CryptoProvider::new()
            .generate_rsa_signing_key(SignatureAlg::RsaPkcs1Sha256, RsaKeySize::Rsa2048)
            .unwrap()
            .to_pkcs8_der()
            .unwrap()
    })
}

fn key_for(alg: SignatureAlg) -> SigningKey {
    let provider = CryptoProvider::new();
    if alg.key_type() == KeyType::Rsa {
        provider.signing_key_from_pkcs8(alg, rsa_pkcs8()).unwrap()
    } else {
        provider.generate_signing_key(alg).unwrap()
    }
}

fn digest(alg: HashAlg, data: &[u8]) -> Digest {
    CryptoProvider::new().digest(alg, data)
}

#[test]
fn every_algorithm_signs_and_verifies_in_every_encoding() {
    let provider = CryptoProvider::new();
    for alg in SignatureAlg::ALL {
        let key = key_for(alg);
        assert_eq!(key.alg(), alg);
        assert_eq!(key.public_key().key_type(), alg.key_type());
        if let Some(len) = alg.public_key_len() {
            assert_eq!(key.public_key().as_bytes().len(), len, "{alg}");
        }
        for encoding in [EcdsaEncoding::Fixed, EcdsaEncoding::Der] {
            let sig = key.sign_with(b"message", encoding).unwrap();
            if encoding == EcdsaEncoding::Fixed || !alg.is_ecdsa() {
                if let Some(len) = alg.signature_len() {
                    assert_eq!(sig.len(), len, "{alg}");
                }
            } else {
                assert_eq!(sig[0], 0x30, "{alg}: DER SEQUENCE");
            }
            provider
                .verify_with(alg, key.public_key(), b"message", &sig, encoding)
                .unwrap_or_else(|e| panic!("{alg} {encoding:?}: {e}"));
        }
    }
}

#[test]
fn rsa_signature_has_the_modulus_length() {
    let key = key_for(SignatureAlg::RsaPssSha512);
    assert_eq!(key.sign(b"m").unwrap().len(), 256);
}

#[test]
fn der_and_fixed_ecdsa_encodings_are_not_interchangeable() {
    let provider = CryptoProvider::new();
    let key = key_for(SignatureAlg::EcdsaP256Sha256);
    let fixed = key.sign(b"m").unwrap();
    let der = key.sign_with(b"m", EcdsaEncoding::Der).unwrap();
    let alg = SignatureAlg::EcdsaP256Sha256;
    assert!(provider.verify(alg, key.public_key(), b"m", &der).is_err());
    assert!(
        provider
            .verify_with(alg, key.public_key(), b"m", &fixed, EcdsaEncoding::Der)
            .is_err()
    );
}

#[test]
fn digest_and_message_forms_agree() {
    let provider = CryptoProvider::new();
    for alg in SignatureAlg::ALL {
        let Some(hash) = alg.hash() else { continue };
        let key = key_for(alg);
        let d = digest(hash, b"prehashed by the TPM");
        for encoding in [EcdsaEncoding::Fixed, EcdsaEncoding::Der] {
            let sig = key.sign_digest_with(&d, encoding).unwrap();
            provider
                .verify_with(
                    alg,
                    key.public_key(),
                    b"prehashed by the TPM",
                    &sig,
                    encoding,
                )
                .unwrap_or_else(|e| panic!("{alg}: {e}"));
            let sig = key.sign_with(b"prehashed by the TPM", encoding).unwrap();
            provider
                .verify_digest_with(alg, key.public_key(), &d, &sig, encoding)
                .unwrap_or_else(|e| panic!("{alg}: {e}"));
        }
    }
}

#[test]
fn test_rng_gives_repeatable_keys() {
    for alg in NON_RSA {
        let a = test_provider(1).generate_signing_key(alg).unwrap();
        let b = test_provider(1).generate_signing_key(alg).unwrap();
        let c = test_provider(2).generate_signing_key(alg).unwrap();
        assert_eq!(a.public_key(), b.public_key(), "{alg}");
        assert_ne!(a.public_key(), c.public_key(), "{alg}");
    }
}

#[test]
fn test_rng_ecdsa_key_is_the_first_scalar_drawn() {
    // generate_signing_key draws exactly one coordinate-length candidate (rejection is
    // ~2^-32 likely), so the key equals the key from the RNG's first bytes.
    let mut scalar = [0u8; 48];
    test_provider(3).fill_random(&mut scalar).unwrap();
    let alg = SignatureAlg::EcdsaP384Sha384;
    let from_rng = test_provider(3).generate_signing_key(alg).unwrap();
    let from_scalar = CryptoProvider::new()
        .signing_key_from_ec_scalar(alg, &scalar)
        .unwrap();
    assert_eq!(from_rng.public_key(), from_scalar.public_key());
}

/// RFC 8032 §7.1 TEST 1: deterministic, so the signature is compared exactly.
#[test]
fn ed25519_matches_rfc8032_test_1() {
    let seed =
        hex::decode("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60").unwrap();
    let key = CryptoProvider::new()
        .signing_key_from_seed(SignatureAlg::Ed25519, &seed)
        .unwrap();
    assert_eq!(
        hex::encode(key.public_key().as_bytes()),
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
    );
    assert_eq!(
        hex::encode(key.sign(b"").unwrap()),
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
    );
}

#[test]
fn pkcs8_round_trip_keeps_the_key() {
    let provider = CryptoProvider::new();
    for alg in SignatureAlg::ALL {
        let key = key_for(alg);
        let der = key.to_pkcs8_der().unwrap();
        let again = provider.signing_key_from_pkcs8(alg, &der).unwrap();
        assert_eq!(again.public_key(), key.public_key(), "{alg}");
        let sig = again.sign(b"m").unwrap();
        provider.verify(alg, key.public_key(), b"m", &sig).unwrap();
    }
}

#[test]
fn spki_round_trip_for_every_key_type() {
    for alg in SignatureAlg::ALL {
        let key = key_for(alg);
        let spki = key.public_key().to_spki_der();
        assert_eq!(&PublicKey::from_spki_der(&spki).unwrap(), key.public_key());
        // The raw form re-parses too.
        let raw = PublicKey::from_raw(alg.key_type(), key.public_key().as_bytes()).unwrap();
        assert_eq!(&raw, key.public_key());
    }
}

#[test]
fn rsa_key_serves_every_rsa_algorithm() {
    let provider = CryptoProvider::new();
    let mut key = key_for(SignatureAlg::RsaPkcs1Sha256);
    for alg in RSA {
        key = key.with_alg(alg).unwrap();
        let sig = key.sign(b"m").unwrap();
        provider.verify(alg, key.public_key(), b"m", &sig).unwrap();
        for other in RSA.into_iter().filter(|o| *o != alg) {
            assert!(
                provider
                    .verify(other, key.public_key(), b"m", &sig)
                    .is_err()
            );
        }
    }
}

#[test]
fn pkcs1_v1_5_is_deterministic_and_pss_is_not() {
    let pkcs1 = key_for(SignatureAlg::RsaPkcs1Sha384);
    assert_eq!(pkcs1.sign(b"m").unwrap(), pkcs1.sign(b"m").unwrap());
    let pss = pkcs1.with_alg(SignatureAlg::RsaPssSha384).unwrap();
    assert_ne!(pss.sign(b"m").unwrap(), pss.sign(b"m").unwrap());
}

#[test]
fn mldsa_context_round_trip_and_separation() {
    let provider = CryptoProvider::new();
    for alg in [
        SignatureAlg::MlDsa44,
        SignatureAlg::MlDsa65,
        SignatureAlg::MlDsa87,
    ] {
        let key = key_for(alg);
        let ctx = b"responder-challenge_auth signing";
        let sig = key.sign_with_context(b"m", ctx).unwrap();
        provider
            .verify_with_context(alg, key.public_key(), b"m", ctx, &sig)
            .unwrap();
        // A context signature is not an empty-context signature, and vice versa.
        assert_eq!(
            provider.verify(alg, key.public_key(), b"m", &sig),
            Err(Error::BadSignature { alg: alg.name() })
        );
        let plain = key.sign(b"m").unwrap();
        provider
            .verify_with_context(alg, key.public_key(), b"m", b"", &plain)
            .unwrap();
        assert!(
            provider
                .verify_with_context(alg, key.public_key(), b"m", ctx, &plain)
                .is_err()
        );
    }
}

#[test]
fn mldsa_expanded_key_signs_like_its_seed() {
    let provider = CryptoProvider::new();
    let pk = shared("sample_key/mldsa65/end_responder.key.pub.raw");
    let key = provider
        .signing_key_from_mldsa_expanded(
            SignatureAlg::MlDsa65,
            &shared("sample_key/mldsa65/end_responder.key.priv.raw"),
        )
        .unwrap();
    assert_eq!(key.public_key().as_bytes(), pk.as_slice());
    let sig = key.sign(b"m").unwrap();
    let public = PublicKey::from_raw(KeyType::MlDsa65, &pk).unwrap();
    provider
        .verify(SignatureAlg::MlDsa65, &public, b"m", &sig)
        .unwrap();
    assert!(matches!(key.to_pkcs8_der(), Err(Error::Unsupported { .. })));
}

/// libspdm's sample keys load in every form they ship in, and our SubjectPublicKeyInfo
/// encoding of the public key appears verbatim in the certificate OpenSSL issued for it.
#[test]
fn libspdm_sample_keys_match_their_certificates() {
    let provider = CryptoProvider::new();
    let contains = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).any(|w| w == needle);
    for (dir, alg) in [
        ("ecp256", SignatureAlg::EcdsaP256Sha256),
        ("ecp384", SignatureAlg::EcdsaP384Sha384),
    ] {
        let sec1 = provider
            .signing_key_from_private_key_der(
                alg,
                &shared(&format!("sample_key/{dir}/end_responder.key.der")),
            )
            .unwrap();
        let p8 = provider
            .signing_key_from_pkcs8(
                alg,
                &shared(&format!("sample_key/{dir}/end_responder.key.p8")),
            )
            .unwrap();
        assert_eq!(sec1.public_key(), p8.public_key());
        let cert = shared(&format!("sample_key/{dir}/end_responder.cert.der"));
        assert!(contains(&cert, &sec1.public_key().to_spki_der()), "{dir}");
    }
    let rsa = provider
        .signing_key_from_private_key_der(
            SignatureAlg::RsaPssSha384,
            &shared("sample_key/rsa3072/end_responder.key.der"),
        )
        .unwrap();
    let cert = shared("sample_key/rsa3072/end_responder.cert.der");
    assert!(contains(&cert, &rsa.public_key().to_spki_der()));
    assert_eq!(rsa.sign(b"m").unwrap().len(), 384);
    for (dir, alg) in [
        ("mldsa65", SignatureAlg::MlDsa65),
        ("mldsa87", SignatureAlg::MlDsa87),
    ] {
        let key = provider
            .signing_key_from_pkcs8(
                alg,
                &shared(&format!("sample_key/{dir}/end_responder.key.der")),
            )
            .unwrap();
        let raw = shared(&format!("sample_key/{dir}/end_responder.key.pub.raw"));
        assert_eq!(key.public_key().as_bytes(), raw.as_slice());
        let cert = shared(&format!("sample_key/{dir}/end_responder.cert.der"));
        assert!(contains(&cert, &key.public_key().to_spki_der()), "{dir}");
    }
}

#[test]
fn ec_xy_strips_the_sec1_prefix() {
    let key = key_for(SignatureAlg::EcdsaP521Sha512);
    let xy = key.public_key().ec_xy().unwrap();
    assert_eq!(xy.len(), 132);
    assert_eq!(xy, &key.public_key().as_bytes()[1..]);
    assert!(
        key_for(SignatureAlg::Ed25519)
            .public_key()
            .ec_xy()
            .is_none()
    );
}

// ---- refusals -------------------------------------------------------------------------

#[test]
fn refuses_signature_of_wrong_length() {
    let provider = CryptoProvider::new();
    for alg in NON_RSA {
        let key = key_for(alg);
        let mut sig = key.sign(b"m").unwrap();
        sig.push(0);
        assert_eq!(
            provider.verify(alg, key.public_key(), b"m", &sig),
            Err(Error::BadSignature { alg: alg.name() })
        );
        sig.truncate(sig.len() - 2);
        assert_eq!(
            provider.verify(alg, key.public_key(), b"m", &sig),
            Err(Error::BadSignature { alg: alg.name() })
        );
    }
}

#[test]
fn refuses_tampered_signature() {
    let provider = CryptoProvider::new();
    for alg in SignatureAlg::ALL {
        let key = key_for(alg);
        let mut sig = key.sign(b"m").unwrap();
        sig[10] ^= 0x01;
        assert_eq!(
            provider.verify(alg, key.public_key(), b"m", &sig),
            Err(Error::BadSignature { alg: alg.name() }),
            "{alg}"
        );
    }
}

#[test]
fn refuses_tampered_message() {
    let provider = CryptoProvider::new();
    for alg in SignatureAlg::ALL {
        let key = key_for(alg);
        let sig = key.sign(b"message").unwrap();
        assert_eq!(
            provider.verify(alg, key.public_key(), b"massage", &sig),
            Err(Error::BadSignature { alg: alg.name() }),
            "{alg}"
        );
    }
}

#[test]
fn refuses_public_key_of_another_type() {
    let provider = CryptoProvider::new();
    let p384 = key_for(SignatureAlg::EcdsaP384Sha384);
    let sig = p384.sign(b"m").unwrap();
    let err = Error::KeyRejected {
        alg: "ECDSA-P256-SHA256",
        reason: "public key is of another key type",
    };
    assert_eq!(
        provider.verify(SignatureAlg::EcdsaP256Sha256, p384.public_key(), b"m", &sig),
        Err(err)
    );
}

#[test]
fn refuses_spki_of_another_algorithm_at_verification() {
    let provider = CryptoProvider::new();
    let ed = key_for(SignatureAlg::Ed25519);
    let from_cert = PublicKey::from_spki_der(&ed.public_key().to_spki_der()).unwrap();
    let sig = ed.sign(b"m").unwrap();
    assert!(matches!(
        provider.verify(SignatureAlg::MlDsa44, &from_cert, b"m", &sig),
        Err(Error::KeyRejected {
            alg: "ML-DSA-44",
            ..
        })
    ));
}

#[test]
fn refuses_spki_of_unsupported_curve() {
    // The P-256 SPKI with the curve OID changed to brainpoolP256r1 (1.3.36.3.3.2.8.1.1.7).
    let p256 = key_for(SignatureAlg::EcdsaP256Sha256)
        .public_key()
        .to_spki_der();
    let mut spki = vec![
        0x30, 0x5a, 0x30, 0x14, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01,
    ];
    spki.extend_from_slice(&[
        0x06, 0x09, 0x2b, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x07,
    ]);
    spki.extend_from_slice(&p256[p256.len() - 68..]);
    assert!(matches!(
        PublicKey::from_spki_der(&spki),
        Err(Error::Unsupported { .. })
    ));
}

#[test]
fn refuses_point_not_on_curve() {
    let mut bytes = key_for(SignatureAlg::EcdsaP256Sha256)
        .public_key()
        .as_bytes()
        .to_vec();
    *bytes.last_mut().unwrap() ^= 1;
    assert_eq!(
        PublicKey::from_raw(KeyType::EcP256, &bytes),
        Err(Error::KeyRejected {
            alg: "EC P-256",
            reason: "EC point is not on the curve"
        })
    );
}

#[test]
fn refuses_compressed_point() {
    let bytes = key_for(SignatureAlg::EcdsaP384Sha384)
        .public_key()
        .as_bytes()
        .to_vec();
    let mut compressed = vec![0x02 | (bytes[96] & 1)];
    compressed.extend_from_slice(&bytes[1..49]);
    assert!(matches!(
        PublicKey::from_raw(KeyType::EcP384, &compressed),
        Err(Error::KeyRejected { .. })
    ));
}

#[test]
fn refuses_spki_where_raw_rsa_key_is_expected() {
    let rsa = key_for(SignatureAlg::RsaPkcs1Sha256);
    assert_eq!(
        PublicKey::from_raw(KeyType::Rsa, &rsa.public_key().to_spki_der()),
        Err(Error::KeyRejected {
            alg: "RSA",
            reason: "not a DER PKCS#1 RSAPublicKey"
        })
    );
}

#[test]
fn refuses_small_rsa_modulus() {
    // RSAPublicKey { n: a 1024-bit odd number, e: 65537 }.
    let mut n = vec![0xc0u8; 128];
    n[127] = 0x01;
    let mut der = vec![0x30, 0x81, 0x89, 0x02, 0x81, 0x81, 0x00];
    der.extend_from_slice(&n);
    der.extend_from_slice(&[0x02, 0x03, 0x01, 0x00, 0x01]);
    assert_eq!(
        PublicKey::from_raw(KeyType::Rsa, &der),
        Err(Error::KeyRejected {
            alg: "RSA",
            reason: "RSA modulus must be 2048 to 8192 bits"
        })
    );
}

#[test]
fn refuses_raw_key_of_wrong_length() {
    assert_eq!(
        PublicKey::from_raw(KeyType::MlDsa65, &[0; 1951]),
        Err(Error::InvalidKeyLength {
            alg: "ML-DSA-65",
            len: 1951
        })
    );
    assert!(matches!(
        PublicKey::from_raw(KeyType::EcP256, &[0x04; 64]),
        Err(Error::KeyRejected { .. })
    ));
}

#[test]
fn refuses_digest_of_another_hash() {
    let key = key_for(SignatureAlg::EcdsaP384Sha384);
    let d = digest(HashAlg::Sha256, b"m");
    assert!(matches!(
        key.sign_digest(&d),
        Err(Error::Unsupported { .. })
    ));
    let sig = key.sign(b"m").unwrap();
    assert!(matches!(
        CryptoProvider::new().verify_digest(
            SignatureAlg::EcdsaP384Sha384,
            key.public_key(),
            &d,
            &sig
        ),
        Err(Error::Unsupported { .. })
    ));
}

#[test]
fn refuses_digest_for_algorithms_that_hash_internally() {
    for alg in [SignatureAlg::Ed25519, SignatureAlg::MlDsa44] {
        let key = key_for(alg);
        assert!(matches!(
            key.sign_digest(&digest(HashAlg::Sha512, b"m")),
            Err(Error::Unsupported { .. })
        ));
    }
}

#[test]
fn refuses_seed_of_wrong_length() {
    let provider = CryptoProvider::new();
    for alg in [SignatureAlg::Ed25519, SignatureAlg::MlDsa87] {
        assert_eq!(
            provider.signing_key_from_seed(alg, &[0; 33]).map(|_| ()),
            Err(Error::InvalidKeyLength {
                alg: alg.name(),
                len: 33
            })
        );
    }
    assert!(matches!(
        provider.signing_key_from_seed(SignatureAlg::EcdsaP256Sha256, &[1; 32]),
        Err(Error::Unsupported { .. })
    ));
}

#[test]
fn refuses_ec_scalar_out_of_range() {
    let provider = CryptoProvider::new();
    let alg = SignatureAlg::EcdsaP256Sha256;
    let rejected = Err(Error::KeyRejected {
        alg: "ECDSA-P256-SHA256",
        reason: "private scalar is not in [1, n-1]",
    });
    assert_eq!(
        provider
            .signing_key_from_ec_scalar(alg, &[0; 32])
            .map(|_| ()),
        rejected
    );
    assert_eq!(
        provider
            .signing_key_from_ec_scalar(alg, &[0xff; 32])
            .map(|_| ()),
        rejected
    );
    assert_eq!(
        provider
            .signing_key_from_ec_scalar(alg, &[1; 31])
            .map(|_| ()),
        Err(Error::InvalidKeyLength {
            alg: "ECDSA-P256-SHA256",
            len: 31
        })
    );
}

#[test]
fn refuses_pkcs8_of_another_curve() {
    let p384 = key_for(SignatureAlg::EcdsaP384Sha384)
        .to_pkcs8_der()
        .unwrap();
    assert!(matches!(
        CryptoProvider::new().signing_key_from_pkcs8(SignatureAlg::EcdsaP256Sha256, &p384),
        Err(Error::KeyRejected { .. })
    ));
}

#[test]
fn refuses_rsa_generation_without_a_size() {
    assert!(matches!(
        CryptoProvider::new().generate_signing_key(SignatureAlg::RsaPssSha256),
        Err(Error::Unsupported { .. })
    ));
}

#[test]
fn refuses_rebinding_across_key_types() {
    let key = key_for(SignatureAlg::EcdsaP256Sha256);
    assert!(matches!(
        key.with_alg(SignatureAlg::EcdsaP384Sha384),
        Err(Error::KeyRejected { .. })
    ));
}

#[test]
fn refuses_context_for_algorithms_other_than_mldsa() {
    let key = key_for(SignatureAlg::Ed25519);
    assert!(matches!(
        key.sign_with_context(b"m", b"ctx"),
        Err(Error::Unsupported { .. })
    ));
    assert!(matches!(
        CryptoProvider::new().verify_with_context(
            SignatureAlg::Ed25519,
            key.public_key(),
            b"m",
            b"ctx",
            &[0; 64]
        ),
        Err(Error::Unsupported { .. })
    ));
}

#[test]
fn refuses_mldsa_context_over_255_bytes() {
    let key = key_for(SignatureAlg::MlDsa44);
    assert!(matches!(
        key.sign_with_context(b"m", &[0; 256]),
        Err(Error::InvalidInputLength { len: 256, .. })
    ));
}

// ---- properties -----------------------------------------------------------------------

fn prop_keys() -> &'static [SigningKey] {
    static KEYS: OnceLock<Vec<SigningKey>> = OnceLock::new();
    KEYS.get_or_init(|| {
        [
            SignatureAlg::EcdsaP256Sha256,
            SignatureAlg::Ed25519,
            SignatureAlg::MlDsa44,
        ]
        .into_iter()
        .map(|alg| test_provider(9).generate_signing_key(alg).unwrap())
        .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn prop_signatures_verify_and_tampered_messages_do_not(
        msg in proptest::collection::vec(any::<u8>(), 0..512),
        bit in any::<usize>(),
        which in 0usize..3,
    ) {
        let provider = CryptoProvider::new();
        let key = &prop_keys()[which];
        let sig = key.sign(&msg).unwrap();
        prop_assert!(provider.verify(key.alg(), key.public_key(), &msg, &sig).is_ok());
        let mut tampered = msg.clone();
        if tampered.is_empty() {
            tampered.push(0);
        } else {
            let i = bit % (tampered.len() * 8);
            tampered[i / 8] ^= 1 << (i % 8);
        }
        prop_assert_eq!(
            provider.verify(key.alg(), key.public_key(), &tampered, &sig),
            Err(Error::BadSignature { alg: key.alg().name() })
        );
    }

    #[test]
    fn prop_spki_parser_never_panics_and_round_trips_what_it_accepts(
        bytes in proptest::collection::vec(any::<u8>(), 0..200),
    ) {
        if let Ok(key) = PublicKey::from_spki_der(&bytes) {
            prop_assert_eq!(PublicKey::from_spki_der(&key.to_spki_der()).unwrap(), key);
        }
    }

    #[test]
    fn prop_truncated_spki_is_refused(cut in 0usize..91) {
        let spki = prop_keys()[0].public_key().to_spki_der();
        prop_assert_eq!(spki.len(), 91);
        prop_assert!(PublicKey::from_spki_der(&spki[..cut]).is_err());
    }
}

#[test]
fn keys_and_secrets_cross_threads() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<SigningKey>();
    send_sync::<PublicKey>();
    send_sync::<crate::kem::DecapsulationKey>();
    send_sync::<crate::kex::SharedSecret>();
    fn send<T: Send>() {}
    send::<crate::kex::EphemeralSecret>();
}
