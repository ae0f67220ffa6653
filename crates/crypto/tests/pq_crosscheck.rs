//! Cross-checks the provider's ML-DSA and ML-KEM (aws-lc, plus RustCrypto `ml-kem` for
//! seeded key generation) against the independent RustCrypto `ml-dsa` 0.1 and `ml-kem` 0.3
//! implementations: same seed, same public key; signatures and ciphertexts made by one are
//! accepted by the other with the same results, including the implicit-rejection secret.

use std::sync::Arc;

use ml_dsa::{KeyExport as _, Keypair as _};
use ml_kem::Decapsulate as _;
use vtrust_crypto::CryptoProvider;
use vtrust_crypto::kem::KemAlg;
use vtrust_crypto::rng::TestRng;
use vtrust_crypto::sign::SignatureAlg;

/// Seeds drawn from a fixed test RNG: repeatable, and not hand-picked.
fn seeds<const N: usize>(label: u8, count: usize) -> Vec<[u8; N]> {
    let rng = CryptoProvider::with_rng(Arc::new(TestRng::new([label; 32])));
    (0..count)
        .map(|_| rng.random_array::<N>().unwrap())
        .collect()
}

const MESSAGES: [&[u8]; 3] = [b"", b"SPDM transcript hash", &[0xa5; 1000]];
const CONTEXT: &[u8] = b"responder-challenge_auth signing";

fn mldsa_cross<P: ml_dsa::MlDsaParams>(alg: SignatureAlg) {
    let provider = CryptoProvider::new();
    for seed in seeds::<32>(alg.name().len() as u8, 4) {
        let ours = provider.signing_key_from_seed(alg, &seed).unwrap();
        let theirs = ml_dsa::SigningKey::<P>::from_seed(&seed.into());
        let vk = theirs.verifying_key();
        assert_eq!(
            ours.public_key().as_bytes(),
            vk.encode().as_slice(),
            "{alg}: same seed, same public key"
        );
        let expanded = ml_dsa::ExpandedSigningKey::<P>::from_seed(&seed.into());
        for msg in MESSAGES {
            // Ours -> theirs, empty context and the SPDM context.
            let sig = ours.sign(msg).unwrap();
            let parsed = ml_dsa::Signature::<P>::try_from(sig.as_slice()).unwrap();
            assert!(vk.verify_with_context(msg, b"", &parsed), "{alg}");
            assert!(!vk.verify_with_context(msg, CONTEXT, &parsed), "{alg}");
            let sig = ours.sign_with_context(msg, CONTEXT).unwrap();
            let parsed = ml_dsa::Signature::<P>::try_from(sig.as_slice()).unwrap();
            assert!(vk.verify_with_context(msg, CONTEXT, &parsed), "{alg}");

            // Theirs (deterministic variant) -> ours.
            let sig = expanded.sign_deterministic(msg, b"").unwrap().encode();
            provider
                .verify(alg, ours.public_key(), msg, &sig)
                .unwrap_or_else(|e| panic!("{alg}: {e}"));
            let sig = expanded.sign_deterministic(msg, CONTEXT).unwrap().encode();
            provider
                .verify_with_context(alg, ours.public_key(), msg, CONTEXT, &sig)
                .unwrap_or_else(|e| panic!("{alg}: {e}"));
            assert!(provider.verify(alg, ours.public_key(), msg, &sig).is_err());
        }
    }
}

#[test]
fn mldsa_44_matches_rustcrypto() {
    mldsa_cross::<ml_dsa::MlDsa44>(SignatureAlg::MlDsa44);
}

#[test]
fn mldsa_65_matches_rustcrypto() {
    mldsa_cross::<ml_dsa::MlDsa65>(SignatureAlg::MlDsa65);
}

#[test]
fn mldsa_87_matches_rustcrypto() {
    mldsa_cross::<ml_dsa::MlDsa87>(SignatureAlg::MlDsa87);
}

/// ml-kem's parameter trait cannot be named outside the crate, hence a macro.
macro_rules! mlkem_cross {
    ($name:ident, $params:ty, $alg:expr) => {
        #[test]
        fn $name() {
            let provider = CryptoProvider::new();
            let alg: KemAlg = $alg;
            for (i, d_z) in seeds::<64>(alg.ciphertext_len() as u8, 4)
                .into_iter()
                .enumerate()
            {
                let ours = provider.kem_key_from_seed(alg, &d_z).unwrap();
                let theirs = ml_kem::DecapsulationKey::<$params>::from_seed(d_z.into());
                let ek = theirs.encapsulation_key().to_bytes();
                assert_eq!(ours.encapsulation_key_bytes(), ek.as_slice(), "{alg}");

                // aws-lc encapsulates (randomized) -> RustCrypto decapsulates.
                let (ct, k) = provider.kem_encapsulate(alg, &ek).unwrap();
                let ct_theirs = ml_kem::Ciphertext::<$params>::try_from(ct.as_slice()).unwrap();
                assert_eq!(
                    theirs.decapsulate(&ct_theirs).as_slice(),
                    k.as_bytes(),
                    "{alg}"
                );

                // RustCrypto encapsulates -> aws-lc decapsulates.
                let m = seeds::<32>(i as u8, 1)[0];
                let (ct, k) = theirs
                    .encapsulation_key()
                    .encapsulate_deterministic(&m.into());
                assert_eq!(
                    ours.decapsulate(&ct).unwrap().as_bytes(),
                    k.as_slice(),
                    "{alg}"
                );

                // Implicit rejection: both derive the same K' from z for a tampered ciphertext.
                let mut bad = ct.to_vec();
                bad[i] ^= 0x40;
                let bad_theirs = ml_kem::Ciphertext::<$params>::try_from(bad.as_slice()).unwrap();
                let rejected = ours.decapsulate(&bad).unwrap();
                assert_ne!(rejected.as_bytes(), k.as_slice());
                assert_eq!(
                    rejected.as_bytes(),
                    theirs.decapsulate(&bad_theirs).as_slice(),
                    "{alg}: implicit rejection"
                );
            }
        }
    };
}

mlkem_cross!(
    mlkem_512_matches_rustcrypto,
    ml_kem::MlKem512,
    KemAlg::MlKem512
);
mlkem_cross!(
    mlkem_768_matches_rustcrypto,
    ml_kem::MlKem768,
    KemAlg::MlKem768
);
mlkem_cross!(
    mlkem_1024_matches_rustcrypto,
    ml_kem::MlKem1024,
    KemAlg::MlKem1024
);
