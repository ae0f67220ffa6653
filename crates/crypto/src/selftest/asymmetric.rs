//! Known-answer cases for signatures, key agreement and KEMs.
//!
//! Each case checks a published answer (RFC 6979, RFC 8032, NIST CAVS, Wycheproof; the
//! constants live in `asymmetric/vectors.rs` with their sources), then a pairwise
//! consistency check (sign then verify, encapsulate then decapsulate) and a refusal of
//! tampered input. No RSA key is generated: RSA signing uses a published key.

mod vectors;

use vectors as v;

use super::{KatCase, check_hex, decode_hex};
use crate::hash::HashAlg;
use crate::kem::KemAlg;
use crate::kex::{EcdhCurve, EphemeralSecret};
use crate::sign::{EcdsaEncoding, KeyType, PublicKey, SignatureAlg, SigningKey};
use crate::{CryptoProvider, Error};

/// RFC 8032 §7.1 TEST 1: SECRET KEY.
const ED25519_SEED: &str = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
/// RFC 8032 §7.1 TEST 1: PUBLIC KEY.
const ED25519_PUBLIC: &str = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
/// RFC 8032 §7.1 TEST 1: SIGNATURE of the empty message.
const ED25519_SIG: &str = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";

/// The asymmetric cases.
pub(super) fn cases() -> Vec<KatCase> {
    type Run = fn(&CryptoProvider) -> Result<(), String>;
    let case = |family, algorithm, source, run: Run| KatCase {
        algorithm,
        family,
        source,
        run,
    };
    let signature = |algorithm, source, run: Run| case("signature", algorithm, source, run);
    let kex = |algorithm, source, run: Run| case("key agreement", algorithm, source, run);
    let kem = |algorithm, source, run: Run| case("kem", algorithm, source, run);
    vec![
        signature("ECDSA P-256 SHA-256", "RFC 6979 A.2.5", |p| {
            ecdsa(
                p,
                SignatureAlg::EcdsaP256Sha256,
                v::ECDSA_P256_SCALAR,
                v::ECDSA_P256_PUBLIC,
                v::ECDSA_P256_SIG,
            )
        }),
        signature("ECDSA P-384 SHA-384", "RFC 6979 A.2.6", |p| {
            ecdsa(
                p,
                SignatureAlg::EcdsaP384Sha384,
                v::ECDSA_P384_SCALAR,
                v::ECDSA_P384_PUBLIC,
                v::ECDSA_P384_SIG,
            )
        }),
        signature("ECDSA P-521 SHA-512", "RFC 6979 A.2.7", |p| {
            ecdsa(
                p,
                SignatureAlg::EcdsaP521Sha512,
                v::ECDSA_P521_SCALAR,
                v::ECDSA_P521_PUBLIC,
                v::ECDSA_P521_SIG,
            )
        }),
        signature(
            "RSASSA-PKCS1-v1_5 2048 SHA-256",
            "NIST CAVS SigGen15_186-3 (sign, exact)",
            rsa_pkcs1_2048,
        ),
        signature(
            "RSASSA-PKCS1-v1_5 3072 SHA-384",
            "Wycheproof rsa_signature_3072_sha384 (verify)",
            |p| {
                rsa_verify(
                    p,
                    SignatureAlg::RsaPkcs1Sha384,
                    v::RSA3072_PKCS1_SHA384_PUBLIC,
                    v::RSA3072_PKCS1_SHA384_MSG,
                    v::RSA3072_PKCS1_SHA384_SIG,
                )
            },
        ),
        signature(
            "RSASSA-PKCS1-v1_5 4096 SHA-512",
            "Wycheproof rsa_signature_4096_sha512 (verify)",
            |p| {
                rsa_verify(
                    p,
                    SignatureAlg::RsaPkcs1Sha512,
                    v::RSA4096_PKCS1_SHA512_PUBLIC,
                    v::RSA4096_PKCS1_SHA512_MSG,
                    v::RSA4096_PKCS1_SHA512_SIG,
                )
            },
        ),
        signature(
            "RSASSA-PSS 2048 SHA-256",
            "Wycheproof rsa_pss_2048_sha256_mgf1_32 (verify) + NIST key (pairwise)",
            rsa_pss_2048,
        ),
        signature(
            "RSASSA-PSS 3072 SHA-256",
            "Wycheproof rsa_pss_3072_sha256_mgf1_32 tcId 2 (verify)",
            |p| {
                rsa_verify(
                    p,
                    SignatureAlg::RsaPssSha256,
                    v::RSA3072_PSS_SHA256_PUBLIC,
                    v::RSA3072_PSS_SHA256_MSG,
                    v::RSA3072_PSS_SHA256_SIG,
                )
            },
        ),
        signature(
            "RSASSA-PSS 4096 SHA-512",
            "Wycheproof rsa_pss_4096_sha512_mgf1_64 (verify)",
            |p| {
                rsa_verify(
                    p,
                    SignatureAlg::RsaPssSha512,
                    v::RSA4096_PSS_SHA512_PUBLIC,
                    v::RSA4096_PSS_SHA512_MSG,
                    v::RSA4096_PSS_SHA512_SIG,
                )
            },
        ),
        signature("Ed25519", "RFC 8032 §7.1 TEST 1", ed25519),
        signature("ML-DSA-44", "Wycheproof mldsa_44_sign_seed tcId 1", |p| {
            mldsa(
                p,
                SignatureAlg::MlDsa44,
                v::MLDSA44_SEED,
                v::MLDSA44_PUBLIC,
                v::MLDSA44_MSG,
                v::MLDSA44_SIG,
            )
        }),
        signature("ML-DSA-65", "Wycheproof mldsa_65_sign_seed tcId 1", |p| {
            mldsa(
                p,
                SignatureAlg::MlDsa65,
                v::MLDSA65_SEED,
                v::MLDSA65_PUBLIC,
                v::MLDSA65_MSG,
                v::MLDSA65_SIG,
            )
        }),
        signature("ML-DSA-87", "Wycheproof mldsa_87_sign_seed tcId 1", |p| {
            mldsa(
                p,
                SignatureAlg::MlDsa87,
                v::MLDSA87_SEED,
                v::MLDSA87_PUBLIC,
                v::MLDSA87_MSG,
                v::MLDSA87_SIG,
            )
        }),
        kex(
            "ECDH P-256",
            "Wycheproof ecdh_secp256r1_ecpoint tcId 1",
            |p| {
                ecdh(
                    p,
                    EcdhCurve::P256,
                    v::ECDH_P256_SCALAR,
                    v::ECDH_P256_PEER,
                    v::ECDH_P256_SHARED,
                )
            },
        ),
        kex(
            "ECDH P-384",
            "Wycheproof ecdh_secp384r1_ecpoint tcId 1",
            |p| {
                ecdh(
                    p,
                    EcdhCurve::P384,
                    v::ECDH_P384_SCALAR,
                    v::ECDH_P384_PEER,
                    v::ECDH_P384_SHARED,
                )
            },
        ),
        kex(
            "ECDH P-521",
            "Wycheproof ecdh_secp521r1_ecpoint tcId 1",
            |p| {
                ecdh(
                    p,
                    EcdhCurve::P521,
                    v::ECDH_P521_SCALAR,
                    v::ECDH_P521_PEER,
                    v::ECDH_P521_SHARED,
                )
            },
        ),
        kem(
            "ML-KEM-512",
            "Wycheproof mlkem_512 tcId 2 (FIPS 203)",
            |p| {
                mlkem(
                    p,
                    KemAlg::MlKem512,
                    v::MLKEM512_SEED,
                    v::MLKEM512_EK_SHA256,
                    v::MLKEM512_CT,
                    v::MLKEM512_K,
                )
            },
        ),
        kem(
            "ML-KEM-768",
            "Wycheproof mlkem_768 tcId 2 (FIPS 203)",
            |p| {
                mlkem(
                    p,
                    KemAlg::MlKem768,
                    v::MLKEM768_SEED,
                    v::MLKEM768_EK_SHA256,
                    v::MLKEM768_CT,
                    v::MLKEM768_K,
                )
            },
        ),
        kem(
            "ML-KEM-1024",
            "Wycheproof mlkem_1024 tcId 2 (FIPS 203)",
            |p| {
                mlkem(
                    p,
                    KemAlg::MlKem1024,
                    v::MLKEM1024_SEED,
                    v::MLKEM1024_EK_SHA256,
                    v::MLKEM1024_CT,
                    v::MLKEM1024_K,
                )
            },
        ),
    ]
}

fn fail(what: &str) -> impl Fn(Error) -> String + '_ {
    move |e| format!("{what}: {e}")
}

/// `bytes` with the lowest bit of its first byte flipped (or one byte if empty).
fn tampered(bytes: &[u8]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    match out.first_mut() {
        Some(b) => *b ^= 0x01,
        None => out.push(0),
    }
    out
}

/// Passes if `result` is the refusal of a bad signature.
fn refused(what: &str, result: Result<(), Error>) -> Result<(), String> {
    match result {
        Err(Error::BadSignature { .. }) => Ok(()),
        Ok(()) => Err(format!("{what}: accepted")),
        Err(e) => Err(format!("{what}: wrong error {e}")),
    }
}

/// Pairwise consistency: `key` signs `msg`, the signature verifies under its public key,
/// and neither a tampered message nor a tampered signature verifies.
fn pairwise(p: &CryptoProvider, key: &SigningKey, msg: &[u8]) -> Result<(), String> {
    let alg = key.alg();
    let sig = key.sign(msg).map_err(fail("sign"))?;
    p.verify(alg, key.public_key(), msg, &sig)
        .map_err(fail("verify own signature"))?;
    refused(
        "tampered message",
        p.verify(alg, key.public_key(), &tampered(msg), &sig),
    )?;
    refused(
        "tampered signature",
        p.verify(alg, key.public_key(), msg, &tampered(&sig)),
    )
}

fn ecdsa(
    p: &CryptoProvider,
    alg: SignatureAlg,
    scalar: &str,
    public: &str,
    sig: &str,
) -> Result<(), String> {
    let key = p
        .signing_key_from_ec_scalar(alg, &decode_hex(scalar)?)
        .map_err(fail("key from scalar"))?;
    check_hex("public key U = xG", key.public_key().as_bytes(), public)?;
    let sig = decode_hex(sig)?;
    p.verify(alg, key.public_key(), b"sample", &sig)
        .map_err(fail("verify RFC 6979 signature"))?;
    refused(
        "RFC 6979 signature over another message",
        p.verify(alg, key.public_key(), b"samplf", &sig),
    )?;
    // The DER encoding path, both directions.
    let der = key
        .sign_with(b"sample", EcdsaEncoding::Der)
        .map_err(fail("sign (DER)"))?;
    p.verify_with(alg, key.public_key(), b"sample", &der, EcdsaEncoding::Der)
        .map_err(fail("verify own DER signature"))?;
    pairwise(p, &key, b"sample")
}

/// The NIST CAVS key: PKCS#1 v1.5 is deterministic, so the signature is compared exactly.
fn rsa_pkcs1_2048(p: &CryptoProvider) -> Result<(), String> {
    let alg = SignatureAlg::RsaPkcs1Sha256;
    let key = p
        .signing_key_from_private_key_der(alg, &decode_hex(v::RSA2048_PRIVATE_KEY)?)
        .map_err(fail("load RSAPrivateKey"))?;
    let msg = decode_hex(v::RSA2048_MSG)?;
    let sig = key.sign(&msg).map_err(fail("sign"))?;
    check_hex("signature", &sig, v::RSA2048_PKCS1_SHA256_SIG)?;
    let digest = p.digest(HashAlg::Sha256, &msg);
    let sig_digest = key.sign_digest(&digest).map_err(fail("sign digest"))?;
    check_hex(
        "signature of the digest",
        &sig_digest,
        v::RSA2048_PKCS1_SHA256_SIG,
    )?;
    pairwise(p, &key, &msg)
}

fn rsa_pss_2048(p: &CryptoProvider) -> Result<(), String> {
    rsa_verify(
        p,
        SignatureAlg::RsaPssSha256,
        v::RSA2048_PSS_SHA256_PUBLIC,
        v::RSA2048_PSS_SHA256_MSG,
        v::RSA2048_PSS_SHA256_SIG,
    )?;
    let key = p
        .signing_key_from_private_key_der(
            SignatureAlg::RsaPssSha256,
            &decode_hex(v::RSA2048_PRIVATE_KEY)?,
        )
        .map_err(fail("load RSAPrivateKey"))?;
    pairwise(p, &key, &decode_hex(v::RSA2048_MSG)?)
}

fn rsa_verify(
    p: &CryptoProvider,
    alg: SignatureAlg,
    public: &str,
    msg: &str,
    sig: &str,
) -> Result<(), String> {
    let public =
        PublicKey::from_raw(KeyType::Rsa, &decode_hex(public)?).map_err(fail("public key"))?;
    let (msg, sig) = (decode_hex(msg)?, decode_hex(sig)?);
    p.verify(alg, &public, &msg, &sig)
        .map_err(fail("verify known signature"))?;
    refused(
        "tampered message",
        p.verify(alg, &public, &tampered(&msg), &sig),
    )?;
    refused(
        "tampered signature",
        p.verify(alg, &public, &msg, &tampered(&sig)),
    )
}

fn ed25519(p: &CryptoProvider) -> Result<(), String> {
    let key = p
        .signing_key_from_seed(SignatureAlg::Ed25519, &decode_hex(ED25519_SEED)?)
        .map_err(fail("key from seed"))?;
    check_hex("public key", key.public_key().as_bytes(), ED25519_PUBLIC)?;
    let sig = key.sign(b"").map_err(fail("sign"))?;
    check_hex("signature", &sig, ED25519_SIG)?;
    pairwise(p, &key, b"")
}

fn mldsa(
    p: &CryptoProvider,
    alg: SignatureAlg,
    seed: &str,
    public: &str,
    msg: &str,
    sig: &str,
) -> Result<(), String> {
    let key = p
        .signing_key_from_seed(alg, &decode_hex(seed)?)
        .map_err(fail("key from seed"))?;
    check_hex("public key from seed", key.public_key().as_bytes(), public)?;
    let (msg, sig) = (decode_hex(msg)?, decode_hex(sig)?);
    p.verify(alg, key.public_key(), &msg, &sig)
        .map_err(fail("verify known signature"))?;
    refused(
        "known signature under a context string",
        p.verify_with_context(alg, key.public_key(), &msg, b"spdm", &sig),
    )?;
    pairwise(p, &key, &msg)
}

fn ecdh(
    _p: &CryptoProvider,
    curve: EcdhCurve,
    scalar: &str,
    peer: &str,
    shared: &str,
) -> Result<(), String> {
    let (scalar, peer) = (decode_hex(scalar)?, decode_hex(peer)?);
    let z = EphemeralSecret::from_scalar(curve, &scalar)
        .map_err(fail("key from scalar"))?
        .agree(&peer)
        .map_err(fail("agree (SEC1 peer)"))?;
    check_hex("shared secret", z.as_bytes(), shared)?;
    // The SPDM form X || Y of the same peer gives the same secret.
    let xy = peer.get(1..).unwrap_or_default();
    let z = EphemeralSecret::from_scalar(curve, &scalar)
        .map_err(fail("key from scalar"))?
        .agree(xy)
        .map_err(fail("agree (X || Y peer)"))?;
    check_hex("shared secret (X || Y peer)", z.as_bytes(), shared)?;
    // An off-curve peer point is refused.
    let secret = EphemeralSecret::from_scalar(curve, &scalar).map_err(fail("key from scalar"))?;
    let mut bad = peer;
    if let Some(last) = bad.last_mut() {
        *last ^= 0x01;
    }
    match secret.agree(&bad) {
        Err(Error::KeyRejected { .. }) => Ok(()),
        Ok(_) => Err("off-curve peer point accepted".to_string()),
        Err(e) => Err(format!("off-curve peer point: wrong error {e}")),
    }
}

fn mlkem(
    p: &CryptoProvider,
    alg: KemAlg,
    seed: &str,
    ek_sha256: &str,
    ct: &str,
    k: &str,
) -> Result<(), String> {
    let seed: [u8; crate::kem::SEED_LEN] = decode_hex(seed)?
        .try_into()
        .map_err(|_| "seed is not 64 bytes".to_string())?;
    let dk = p
        .kem_key_from_seed(alg, &seed)
        .map_err(fail("key from seed"))?;
    let ek_digest = p.digest(HashAlg::Sha256, dk.encapsulation_key_bytes());
    check_hex("SHA-256(ek)", ek_digest.as_bytes(), ek_sha256)?;
    let ct = decode_hex(ct)?;
    let secret = dk.decapsulate(&ct).map_err(fail("decapsulate"))?;
    check_hex("K", secret.as_bytes(), k)?;
    // Pairwise: encapsulate to our own key.
    let (ct2, sent) = p
        .kem_encapsulate(alg, dk.encapsulation_key_bytes())
        .map_err(fail("encapsulate"))?;
    let received = dk.decapsulate(&ct2).map_err(fail("decapsulate own"))?;
    if sent.as_bytes() != received.as_bytes() {
        return Err("pairwise: shared secrets differ".to_string());
    }
    // Implicit rejection: a tampered ciphertext decapsulates to another secret.
    let rejected = dk
        .decapsulate(&tampered(&ct2))
        .map_err(fail("decapsulate tampered"))?;
    if rejected.as_bytes() == sent.as_bytes() {
        return Err("tampered ciphertext gave the same secret".to_string());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;
    use crate::selftest::encode_hex;

    #[test]
    fn every_asymmetric_case_passes_quickly() {
        let provider = CryptoProvider::new();
        let start = Instant::now();
        for case in cases() {
            let t = Instant::now();
            (case.run)(&provider).unwrap_or_else(|e| panic!("{}: {e}", case.algorithm));
            println!(
                "{:<32} {:>8.3} ms",
                case.algorithm,
                t.elapsed().as_secs_f64() * 1e3
            );
        }
        println!(
            "asymmetric self test: {:.3} ms",
            start.elapsed().as_secs_f64() * 1e3
        );
        // Debug build of our code (dependencies optimised): the release budget is 1 s.
        assert!(start.elapsed().as_secs() < 5, "{:?}", start.elapsed());
    }

    #[test]
    fn case_names_are_unique() {
        let mut names: Vec<_> = cases().iter().map(|c| c.algorithm).collect();
        let n = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), n);
        assert_eq!(n, 19);
    }

    /// The checks can fail: a corrupted known answer is reported.
    #[test]
    fn corrupted_known_answers_are_detected() {
        let p = CryptoProvider::new();
        let flip = |s: &str| {
            let mut b = decode_hex(s).unwrap();
            b[0] ^= 1;
            encode_hex(&b)
        };
        let alg = SignatureAlg::EcdsaP256Sha256;
        let bad_sig = flip(v::ECDSA_P256_SIG);
        assert!(
            ecdsa(
                &p,
                alg,
                v::ECDSA_P256_SCALAR,
                v::ECDSA_P256_PUBLIC,
                &bad_sig
            )
            .is_err()
        );
        let bad_pub = flip(v::ECDSA_P256_PUBLIC);
        assert!(ecdsa(&p, alg, v::ECDSA_P256_SCALAR, &bad_pub, v::ECDSA_P256_SIG).is_err());
        let bad_k = flip(v::MLKEM768_K);
        assert!(
            mlkem(
                &p,
                KemAlg::MlKem768,
                v::MLKEM768_SEED,
                v::MLKEM768_EK_SHA256,
                v::MLKEM768_CT,
                &bad_k
            )
            .is_err()
        );
        let bad_pk = flip(v::MLDSA44_PUBLIC);
        assert!(
            mldsa(
                &p,
                SignatureAlg::MlDsa44,
                v::MLDSA44_SEED,
                &bad_pk,
                v::MLDSA44_MSG,
                v::MLDSA44_SIG
            )
            .is_err()
        );
        let bad_z = flip(v::ECDH_P384_SHARED);
        assert!(
            ecdh(
                &p,
                EcdhCurve::P384,
                v::ECDH_P384_SCALAR,
                v::ECDH_P384_PEER,
                &bad_z
            )
            .is_err()
        );
        let bad_rsa = flip(v::RSA3072_PKCS1_SHA384_SIG);
        assert!(
            rsa_verify(
                &p,
                SignatureAlg::RsaPkcs1Sha384,
                v::RSA3072_PKCS1_SHA384_PUBLIC,
                v::RSA3072_PKCS1_SHA384_MSG,
                &bad_rsa
            )
            .is_err()
        );
    }
}
