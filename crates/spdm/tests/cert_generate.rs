//! Generated chains ([`ChainSpec`]): every algorithm validates; each knob breaks one rule and
//! produces exactly that rule's error (one `refuses_*` test per rule); OpenSSL, an independent
//! implementation, verifies the chains it can read.

#[path = "cert_util.rs"]
mod cert_util;

/// Named so that `cargo test -p vtrust-spdm cert` selects every test of this file.
mod cert_generate {
    use super::cert_util;

    use std::sync::OnceLock;

    use cert_util::{NOW, at};
    use vtrust_crypto::CryptoProvider;
    use vtrust_crypto::hash::HashAlg;
    use vtrust_crypto::sign::{KeyType, RsaKeySize, SignatureAlg};
    use vtrust_spdm::cert::generate::UNKNOWN_EXTENSION_OID;
    use vtrust_spdm::cert::oid::DMTF_EKU_RESPONDER_AUTH;
    use vtrust_spdm::cert::{
        AnchorStatus, Anchors, ChainError, ChainSpec, GeneratedChain, LeafEku, LeafKey,
        LeafKeyUsage, LengthField, ParseOptions, Role, SpdmCertChain, Timestamp, TrustAnchor,
        ValidatedChain, ValidationPolicy,
    };
    use x509_cert::certificate::Version;

    fn provider() -> CryptoProvider {
        CryptoProvider::new()
    }

    /// Validates `generated` with its own root as anchor.
    fn check_with(
        generated: &GeneratedChain,
        role: Role,
        leaf: LeafKey,
        tweak: impl FnOnce(&mut ValidationPolicy<'_>),
    ) -> Result<ValidatedChain, ChainError> {
        let provider = provider();
        let bytes = generated
            .to_spdm_chain(&provider, HashAlg::Sha384, LengthField::U16)
            .unwrap();
        let anchors = [generated.trust_anchor().unwrap()];
        let mut policy = ValidationPolicy::new(role, NOW, Anchors::Trusted(&anchors), leaf);
        tweak(&mut policy);
        SpdmCertChain::parse(&bytes, &ParseOptions::new(HashAlg::Sha384))?
            .validate(&policy, &provider)
    }

    fn check(spec: ChainSpec) -> Result<ValidatedChain, ChainError> {
        let generated = spec.generate(&provider()).unwrap();
        check_with(
            &generated,
            Role::ResponderAuth,
            KeyType::EcP256.into(),
            |_| {},
        )
    }

    fn p256() -> ChainSpec {
        ChainSpec::new(SignatureAlg::EcdsaP256Sha256)
    }

    #[test]
    fn every_algorithm_generates_a_chain_that_validates() {
        let cases: [(SignatureAlg, RsaKeySize, LeafKey); 12] = [
            (
                SignatureAlg::EcdsaP256Sha256,
                RsaKeySize::Rsa2048,
                KeyType::EcP256.into(),
            ),
            (
                SignatureAlg::EcdsaP384Sha384,
                RsaKeySize::Rsa2048,
                KeyType::EcP384.into(),
            ),
            (
                SignatureAlg::EcdsaP521Sha512,
                RsaKeySize::Rsa2048,
                KeyType::EcP521.into(),
            ),
            (
                SignatureAlg::RsaPkcs1Sha256,
                RsaKeySize::Rsa2048,
                LeafKey::rsa(2048),
            ),
            (
                SignatureAlg::RsaPkcs1Sha384,
                RsaKeySize::Rsa3072,
                LeafKey::rsa(3072),
            ),
            (
                SignatureAlg::RsaPssSha256,
                RsaKeySize::Rsa2048,
                LeafKey::rsa(2048),
            ),
            (
                SignatureAlg::RsaPssSha384,
                RsaKeySize::Rsa3072,
                LeafKey::rsa(3072),
            ),
            (
                SignatureAlg::RsaPssSha512,
                RsaKeySize::Rsa2048,
                LeafKey::rsa(2048),
            ),
            (
                SignatureAlg::Ed25519,
                RsaKeySize::Rsa2048,
                KeyType::Ed25519.into(),
            ),
            (
                SignatureAlg::MlDsa44,
                RsaKeySize::Rsa2048,
                KeyType::MlDsa44.into(),
            ),
            (
                SignatureAlg::MlDsa65,
                RsaKeySize::Rsa2048,
                KeyType::MlDsa65.into(),
            ),
            (
                SignatureAlg::MlDsa87,
                RsaKeySize::Rsa2048,
                KeyType::MlDsa87.into(),
            ),
        ];
        let provider = provider();
        for (alg, size, leaf) in cases {
            let generated = ChainSpec::new(alg)
                .rsa_size(size)
                .device_info("ACME:WIDGET:1234567890")
                .generate(&provider)
                .unwrap_or_else(|e| panic!("{alg}: {e}"));
            let v = check_with(&generated, Role::ResponderAuth, leaf, |_| {})
                .unwrap_or_else(|e| panic!("{alg}: {e}"));
            let certs = v.certificates();
            assert_eq!(certs.len(), 3);
            assert!(certs.iter().all(|c| c.signature_alg == alg), "{alg}");
            assert_eq!(certs[0].subject, "CN=vtrust SPDM root CA");
            assert_eq!(certs[1].issuer, "CN=vtrust SPDM root CA");
            assert_eq!(certs[2].subject, "CN=vtrust SPDM responder");
            assert_eq!(certs[2].not_after, at("9999-12-31T23:59:59Z"));
            assert_eq!(v.leaf_public_key(), generated.leaf_key().public_key());
            // The leaf key signs; the validated key verifies.
            let sig = generated.leaf_key().sign(b"transcript").unwrap();
            provider
                .verify(alg, v.leaf_public_key(), b"transcript", &sig)
                .unwrap();
        }
    }

    #[test]
    fn the_responder_clis_identities_generate_and_validate() {
        for (alg, key_type, hash) in [
            (
                SignatureAlg::EcdsaP384Sha384,
                KeyType::EcP384,
                HashAlg::Sha384,
            ),
            (SignatureAlg::MlDsa87, KeyType::MlDsa87, HashAlg::Sha512),
        ] {
            let provider = provider();
            let generated = ChainSpec::new(alg).generate(&provider).unwrap();
            let bytes = generated
                .to_spdm_chain(&provider, hash, LengthField::U16)
                .unwrap();
            let anchors = [generated.trust_anchor().unwrap()];
            let policy = ValidationPolicy::new(
                Role::ResponderAuth,
                NOW,
                Anchors::Trusted(&anchors),
                key_type.into(),
            );
            SpdmCertChain::parse(&bytes, &ParseOptions::new(hash))
                .unwrap()
                .validate(&policy, &provider)
                .unwrap();
        }
    }

    #[test]
    fn mixed_chain_with_another_leaf_algorithm_validates() {
        let generated = p256()
            .leaf_alg(SignatureAlg::MlDsa65)
            .generate(&provider())
            .unwrap();
        let v = check_with(
            &generated,
            Role::ResponderAuth,
            KeyType::MlDsa65.into(),
            |_| {},
        )
        .unwrap();
        assert_eq!(v.certificates()[2].key_type, KeyType::MlDsa65);
        assert_eq!(
            v.certificates()[2].signature_alg,
            SignatureAlg::EcdsaP256Sha256
        );
    }

    #[test]
    fn requester_chain_validates_for_requester_auth() {
        let generated = p256()
            .leaf_eku(LeafEku::RequesterAuth)
            .generate(&provider())
            .unwrap();
        let v = check_with(
            &generated,
            Role::RequesterAuth,
            KeyType::EcP256.into(),
            |_| {},
        )
        .unwrap();
        assert_eq!(v.certificates()[2].subject, "CN=vtrust SPDM requester");
    }

    #[test]
    fn depth_from_root_and_leaf_to_the_limit() {
        // intermediates(0): the root issues the leaf directly.
        assert_eq!(
            check(p256().intermediates(0)).unwrap().certificates().len(),
            2
        );
        // 8 certificates: the default limit.
        assert_eq!(
            check(p256().intermediates(6)).unwrap().certificates().len(),
            8
        );
    }

    // ---- one refuses_* test per rule ----

    #[test]
    fn refuses_too_deep() {
        assert_eq!(
            check(p256().intermediates(7)).unwrap_err(),
            ChainError::TooDeep { max: 8 }
        );
    }

    #[test]
    fn refuses_expired_leaf() {
        let not_after = at("2025-06-30T00:00:00Z");
        assert_eq!(
            check(p256().leaf_validity(at("2025-01-01T00:00:00Z"), not_after)).unwrap_err(),
            ChainError::Expired {
                index: 2,
                not_after
            }
        );
    }

    #[test]
    fn refuses_expired_root() {
        let not_after = at("2026-11-21T23:59:59Z");
        assert_eq!(
            check(p256().validity(at("2025-01-01T00:00:00Z"), not_after)).unwrap_err(),
            ChainError::Expired {
                index: 0,
                not_after
            }
        );
    }

    #[test]
    fn refuses_not_yet_valid_leaf() {
        let not_before = NOW.next_second();
        assert_eq!(
            check(p256().leaf_validity(not_before, at("2030-01-01T00:00:00Z"))).unwrap_err(),
            ChainError::NotYetValid {
                index: 2,
                not_before
            }
        );
    }

    #[test]
    fn refuses_requester_only_eku_for_responder_auth() {
        assert_eq!(
            check(p256().leaf_eku(LeafEku::RequesterAuth)).unwrap_err(),
            ChainError::WrongEku { index: 2 }
        );
    }

    #[test]
    fn refuses_responder_only_eku_for_requester_auth() {
        let generated = p256().generate(&provider()).unwrap();
        assert_eq!(
            check_with(
                &generated,
                Role::RequesterAuth,
                KeyType::EcP256.into(),
                |_| {}
            )
            .unwrap_err(),
            ChainError::WrongEku { index: 2 }
        );
    }

    #[test]
    fn accepts_eku_with_both_roles_without_spdm_purposes_or_absent() {
        let server_auth = const_oid::ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.1");
        for eku in [
            LeafEku::Both,
            LeafEku::Absent,
            LeafEku::Custom(vec![server_auth]),
            LeafEku::Custom(vec![server_auth, DMTF_EKU_RESPONDER_AUTH]),
        ] {
            let generated = p256().leaf_eku(eku.clone()).generate(&provider()).unwrap();
            for role in [Role::ResponderAuth, Role::RequesterAuth] {
                let result = check_with(&generated, role, KeyType::EcP256.into(), |_| {});
                let responder_only = matches!(&eku, LeafEku::Custom(o) if o.len() == 2);
                if responder_only && role == Role::RequesterAuth {
                    assert_eq!(result.unwrap_err(), ChainError::WrongEku { index: 2 });
                } else {
                    result.unwrap_or_else(|e| panic!("{eku:?} {role:?}: {e}"));
                }
            }
        }
    }

    #[test]
    fn refuses_intermediate_that_is_not_a_ca() {
        assert_eq!(
            check(p256().intermediate_not_ca()).unwrap_err(),
            ChainError::NotACa { index: 1 }
        );
    }

    #[test]
    fn refuses_ca_without_key_cert_sign() {
        assert_eq!(
            check(p256().ca_without_key_cert_sign()).unwrap_err(),
            ChainError::MissingKeyCertSign { index: 1 }
        );
    }

    #[test]
    fn refuses_path_len_exceeded() {
        assert_eq!(
            check(p256().root_path_len(0)).unwrap_err(),
            ChainError::PathLenExceeded {
                index: 0,
                path_len: 0
            }
        );
        assert_eq!(
            check(p256().root_path_len(1).intermediates(2)).unwrap_err(),
            ChainError::PathLenExceeded {
                index: 0,
                path_len: 1
            }
        );
        check(p256().root_path_len(1)).unwrap();
        check(p256().root_path_len(0).intermediates(0)).unwrap();
    }

    #[test]
    fn refuses_leaf_that_is_a_ca() {
        assert_eq!(
            check(p256().leaf_is_ca()).unwrap_err(),
            ChainError::LeafIsCa { index: 2 }
        );
    }

    #[test]
    fn refuses_leaf_without_basic_constraints_unless_allowed() {
        let generated = p256()
            .leaf_without_basic_constraints()
            .generate(&provider())
            .unwrap();
        assert_eq!(
            check_with(
                &generated,
                Role::ResponderAuth,
                KeyType::EcP256.into(),
                |_| {}
            )
            .unwrap_err(),
            ChainError::MissingBasicConstraints { index: 2 }
        );
        check_with(
            &generated,
            Role::ResponderAuth,
            KeyType::EcP256.into(),
            |p| {
                p.require_leaf_basic_constraints = false;
            },
        )
        .unwrap();
    }

    #[test]
    fn refuses_leaf_key_usage_without_digital_signature() {
        assert_eq!(
            check(p256().leaf_key_usage(LeafKeyUsage::WithoutDigitalSignature)).unwrap_err(),
            ChainError::NoDigitalSignature { index: 2 }
        );
    }

    #[test]
    fn refuses_leaf_without_key_usage_unless_allowed() {
        let generated = p256()
            .leaf_key_usage(LeafKeyUsage::Absent)
            .generate(&provider())
            .unwrap();
        assert_eq!(
            check_with(
                &generated,
                Role::ResponderAuth,
                KeyType::EcP256.into(),
                |_| {}
            )
            .unwrap_err(),
            ChainError::MissingKeyUsage { index: 2 }
        );
        check_with(
            &generated,
            Role::ResponderAuth,
            KeyType::EcP256.into(),
            |p| {
                p.require_leaf_key_usage = false;
            },
        )
        .unwrap();
    }

    #[test]
    fn refuses_unknown_critical_extension() {
        for index in 0..3 {
            assert_eq!(
                check(p256().unknown_critical_extension_at(index)).unwrap_err(),
                ChainError::UnknownCriticalExtension {
                    index,
                    oid: UNKNOWN_EXTENSION_OID
                }
            );
        }
    }

    #[test]
    fn refuses_wrong_issuer_name() {
        for index in 1..3 {
            assert_eq!(
                check(p256().wrong_issuer_name_at(index)).unwrap_err(),
                ChainError::IssuerMismatch { index }
            );
        }
    }

    #[test]
    fn refuses_corrupted_signature() {
        // At 0 the anchor is the (corrupted) root itself: its self-signature still has to verify.
        for alg in [
            SignatureAlg::EcdsaP256Sha256,
            SignatureAlg::Ed25519,
            SignatureAlg::MlDsa44,
        ] {
            for index in 0..3 {
                let generated = ChainSpec::new(alg)
                    .corrupt_signature_at(index)
                    .generate(&provider())
                    .unwrap();
                assert_eq!(
                    check_with(
                        &generated,
                        Role::ResponderAuth,
                        alg.key_type().into(),
                        |_| {}
                    )
                    .unwrap_err(),
                    ChainError::BadSignature { index },
                    "{alg} {index}"
                );
            }
        }
    }

    #[test]
    fn refuses_version_other_than_v3() {
        for version in [Version::V1, Version::V2] {
            assert_eq!(
                check(p256().version_at(2, version)).unwrap_err(),
                ChainError::NotV3 { index: 2 }
            );
        }
    }

    #[test]
    fn refuses_wrong_leaf_key_type() {
        let generated = p256().generate(&provider()).unwrap();
        assert_eq!(
            check_with(
                &generated,
                Role::ResponderAuth,
                KeyType::MlDsa87.into(),
                |_| {}
            )
            .unwrap_err(),
            ChainError::WrongLeafKeyType {
                expected: KeyType::MlDsa87,
                found: KeyType::EcP256
            }
        );
    }

    #[test]
    fn refuses_wrong_leaf_rsa_size() {
        let generated = ChainSpec::new(SignatureAlg::RsaPkcs1Sha256)
            .rsa_size(RsaKeySize::Rsa2048)
            .generate(&provider())
            .unwrap();
        assert_eq!(
            check_with(&generated, Role::ResponderAuth, LeafKey::rsa(3072), |_| {}).unwrap_err(),
            ChainError::WrongLeafKeySize {
                expected_bits: 3072,
                found_bits: 2048
            }
        );
        check_with(
            &generated,
            Role::ResponderAuth,
            LeafKey::new(KeyType::Rsa),
            |_| {},
        )
        .unwrap();
    }

    #[test]
    fn refuses_issuer_key_of_another_type_than_the_signature_algorithm() {
        // Splice: a P-256 chain's leaf under an Ed25519 chain's root and intermediate. The
        // issuer name differs first, so give both chains the same names.
        let provider = provider();
        let a = p256().generate(&provider).unwrap();
        let b = ChainSpec::new(SignatureAlg::Ed25519)
            .generate(&provider)
            .unwrap();
        let certs: Vec<&[u8]> = vec![&b.certs()[0], &b.certs()[1], &a.certs()[2]];
        let bytes =
            SpdmCertChain::encode_with_root(&provider, HashAlg::Sha384, &certs, LengthField::U16)
                .unwrap();
        let anchors = [b.trust_anchor().unwrap()];
        let policy = ValidationPolicy::new(
            Role::ResponderAuth,
            NOW,
            Anchors::Trusted(&anchors),
            KeyType::EcP256.into(),
        );
        assert_eq!(
            SpdmCertChain::parse(&bytes, &ParseOptions::new(HashAlg::Sha384))
                .unwrap()
                .validate(&policy, &provider)
                .unwrap_err(),
            ChainError::SignatureAlgorithmMismatch { index: 2 }
        );
    }

    #[test]
    fn refuses_a_spliced_leaf_signed_by_another_key() {
        let provider = provider();
        let a = p256().generate(&provider).unwrap();
        let b = p256().generate(&provider).unwrap();
        let certs: Vec<&[u8]> = vec![&b.certs()[0], &b.certs()[1], &a.certs()[2]];
        let bytes =
            SpdmCertChain::encode_with_root(&provider, HashAlg::Sha384, &certs, LengthField::U16)
                .unwrap();
        let anchors = [b.trust_anchor().unwrap()];
        let policy = ValidationPolicy::new(
            Role::ResponderAuth,
            NOW,
            Anchors::Trusted(&anchors),
            KeyType::EcP256.into(),
        );
        assert_eq!(
            SpdmCertChain::parse(&bytes, &ParseOptions::new(HashAlg::Sha384))
                .unwrap()
                .validate(&policy, &provider)
                .unwrap_err(),
            ChainError::BadSignature { index: 2 }
        );
    }

    #[test]
    fn refuses_an_untrusted_generated_root_and_accepts_it_unanchored() {
        let provider = provider();
        let a = p256().generate(&provider).unwrap();
        let b = p256().generate(&provider).unwrap();
        let bytes = a
            .to_spdm_chain(&provider, HashAlg::Sha256, LengthField::U16)
            .unwrap();
        let options = ParseOptions::new(HashAlg::Sha256);
        let chain = SpdmCertChain::parse(&bytes, &options).unwrap();
        let anchors = [b.trust_anchor().unwrap()];
        let trusted = ValidationPolicy::new(
            Role::ResponderAuth,
            NOW,
            Anchors::Trusted(&anchors),
            KeyType::EcP256.into(),
        );
        assert_eq!(
            chain.validate(&trusted, &provider).unwrap_err(),
            ChainError::UntrustedRoot
        );
        let unanchored = ValidationPolicy::new(
            Role::ResponderAuth,
            NOW,
            Anchors::AllowUnanchored,
            KeyType::EcP256.into(),
        );
        assert_eq!(
            chain.validate(&unanchored, &provider).unwrap().anchor(),
            AnchorStatus::Unanchored
        );
    }

    #[test]
    fn trust_anchor_refuses_garbage() {
        assert!(matches!(
            TrustAnchor::from_der(&[0x30, 0x00]),
            Err(ChainError::InvalidAnchor { .. })
        ));
    }

    #[test]
    fn generation_is_reproducible_under_a_test_rng_for_deterministic_algorithms() {
        use std::sync::Arc;
        use vtrust_crypto::rng::TestRng;
        let make = || {
            let provider = CryptoProvider::with_rng(Arc::new(TestRng::new([7; 32])));
            ChainSpec::new(SignatureAlg::Ed25519)
                .generate(&provider)
                .unwrap()
                .concatenated()
        };
        assert_eq!(make(), make());
    }

    // ---- an independent verifier: OpenSSL ----

    fn openssl_available() -> bool {
        static AVAILABLE: OnceLock<bool> = OnceLock::new();
        *AVAILABLE.get_or_init(|| {
            std::process::Command::new("openssl")
                .arg("version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
    }

    fn pem(der: &[u8]) -> String {
        const ALPHABET: &[u8; 64] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut b64 = String::new();
        for chunk in der.chunks(3) {
            let n = chunk
                .iter()
                .enumerate()
                .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
            for i in 0..4 {
                if i <= chunk.len() {
                    b64.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
                } else {
                    b64.push('=');
                }
            }
        }
        let body: Vec<String> = b64
            .as_bytes()
            .chunks(64)
            .map(|l| String::from_utf8(l.to_vec()).unwrap())
            .collect();
        format!(
            "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
            body.join("\n")
        )
    }

    /// `openssl verify` (OpenSSL 3.0 here: ECDSA, RSA PKCS#1 and PSS, Ed25519; no ML-DSA)
    /// accepts the generated chains: root as CA file, intermediate as untrusted, leaf to verify.
    #[test]
    fn openssl_verifies_generated_chains() {
        if !openssl_available() {
            eprintln!("openssl not found: skipped");
            return;
        }
        let dir = std::env::temp_dir().join(format!("vtrust-cert-openssl-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for alg in [
            SignatureAlg::EcdsaP256Sha256,
            SignatureAlg::EcdsaP384Sha384,
            SignatureAlg::RsaPkcs1Sha256,
            SignatureAlg::RsaPssSha256,
            SignatureAlg::Ed25519,
        ] {
            let generated = ChainSpec::new(alg)
                .rsa_size(RsaKeySize::Rsa2048)
                .device_info("ACME:WIDGET:1")
                .generate(&provider())
                .unwrap();
            let certs = generated.certs();
            let write = |name: &str, der: &[u8]| {
                let path = dir.join(name);
                std::fs::write(&path, pem(der)).unwrap();
                path
            };
            let root = write("root.pem", &certs[0]);
            let inter = write("inter.pem", &certs[1]);
            let leaf = write("leaf.pem", &certs[2]);
            let out = std::process::Command::new("openssl")
                .args(["verify", "-x509_strict", "-CAfile"])
                .arg(&root)
                .arg("-untrusted")
                .arg(&inter)
                .arg(&leaf)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{alg}: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn timestamps_display_as_rfc3339() {
        assert_eq!(NOW.to_string(), "2026-11-22T00:00:00Z");
        assert_eq!(Timestamp::parse_rfc3339("2026-11-22T00:00:00Z"), Some(NOW));
    }
}
