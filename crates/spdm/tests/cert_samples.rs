//! Certificate chain validation against libspdm's sample credentials
//! (`shared/spdm/sample_key`, described in its INDEX.md): every responder and requester chain
//! validates for its role, validity boundaries fall where `openssl x509 -dates` puts them, the
//! SPDM EKU samples behave as libspdm's `libspdm_verify_leaf_cert_spdm_eku` says, the
//! `long_chains` samples meet our depth and size limits, and tampering is refused with the
//! right error.

#[path = "cert_util.rs"]
mod cert_util;

/// Named so that `cargo test -p vtrust-spdm cert` selects every test of this file.
mod cert_samples {
    use super::cert_util;

    use cert_util::{NOW, at, fix_length, sample, split_certs, wrap, wrap_with};
    use vtrust_crypto::CryptoProvider;
    use vtrust_crypto::hash::HashAlg;
    use vtrust_crypto::sign::{KeyType, SignatureAlg};
    use vtrust_spdm::cert::{
        AnchorStatus, Anchors, ChainError, ChainErrorKind, LeafKey, LengthField, ParseOptions,
        Role, SpdmCertChain, Timestamp, TrustAnchor, ValidatedChain, ValidationPolicy,
    };

    /// One libspdm sample chain and what INDEX.md / `openssl x509 -dates` say about it.
    struct Sample {
        dir: &'static str,
        file: &'static str,
        role: Role,
        leaf: LeafKey,
        /// The latest notBefore in the chain and the first certificate carrying it.
        latest_not_before: (&'static str, usize),
        /// The earliest notAfter and the first certificate carrying it.
        earliest_not_after: (&'static str, usize),
    }

    const RESPONDER: &str = "bundle_responder.certchain.der";
    const RESPONDER1: &str = "bundle_responder.certchain1.der";
    const REQUESTER: &str = "bundle_requester.certchain.der";

    fn samples() -> Vec<Sample> {
        use Role::{RequesterAuth as Req, ResponderAuth as Rsp};
        let p256 = LeafKey::new(KeyType::EcP256);
        let p384 = LeafKey::new(KeyType::EcP384);
        let rsa = LeafKey::rsa(3072);
        let ml65 = LeafKey::new(KeyType::MlDsa65);
        let ml87 = LeafKey::new(KeyType::MlDsa87);
        let s = |dir, file, role, leaf, nb, na| Sample {
            dir,
            file,
            role,
            leaf,
            latest_not_before: nb,
            earliest_not_after: na,
        };
        vec![
            s(
                "ecp256",
                RESPONDER,
                Rsp,
                p256,
                ("2023-09-12T07:11:14Z", 2),
                ("2033-03-31T05:54:42Z", 0),
            ),
            s(
                "ecp256",
                RESPONDER1,
                Rsp,
                p256,
                ("2023-09-12T07:13:37Z", 2),
                ("2033-03-31T05:55:07Z", 0),
            ),
            s(
                "ecp256",
                REQUESTER,
                Req,
                p256,
                ("2023-09-12T07:11:14Z", 2),
                ("2033-03-31T05:54:42Z", 0),
            ),
            s(
                "ecp384",
                RESPONDER,
                Rsp,
                p384,
                ("2023-09-12T07:11:33Z", 2),
                ("2033-04-17T01:13:54Z", 0),
            ),
            s(
                "ecp384",
                RESPONDER1,
                Rsp,
                p384,
                ("2023-09-12T07:13:50Z", 2),
                ("2033-05-27T14:43:23Z", 0),
            ),
            s(
                "ecp384",
                REQUESTER,
                Req,
                p384,
                ("2023-09-12T07:11:33Z", 2),
                ("2033-04-17T01:13:54Z", 0),
            ),
            s(
                "rsa3072",
                RESPONDER,
                Rsp,
                rsa,
                ("2023-09-14T13:43:12Z", 2),
                ("2033-03-31T05:52:15Z", 0),
            ),
            s(
                "rsa3072",
                RESPONDER1,
                Rsp,
                rsa,
                ("2023-09-12T07:14:32Z", 2),
                ("2033-03-31T05:52:51Z", 0),
            ),
            s(
                "rsa3072",
                REQUESTER,
                Req,
                rsa,
                ("2023-09-14T13:43:12Z", 2),
                ("2033-03-31T05:52:15Z", 0),
            ),
            s(
                "mldsa65",
                RESPONDER,
                Rsp,
                ml65,
                ("2025-04-23T08:30:14Z", 1),
                ("2035-04-21T08:30:13Z", 0),
            ),
            s(
                "mldsa65",
                RESPONDER1,
                Rsp,
                ml65,
                ("2025-04-23T08:30:16Z", 2),
                ("2035-04-21T08:30:15Z", 0),
            ),
            s(
                "mldsa65",
                REQUESTER,
                Req,
                ml65,
                ("2025-04-23T08:30:14Z", 1),
                ("2035-04-21T08:30:13Z", 0),
            ),
            s(
                "mldsa87",
                RESPONDER,
                Rsp,
                ml87,
                ("2025-04-23T08:30:35Z", 0),
                ("2035-04-21T08:30:35Z", 0),
            ),
            s(
                "mldsa87",
                RESPONDER1,
                Rsp,
                ml87,
                ("2025-04-23T08:30:36Z", 0),
                ("2035-04-21T08:30:36Z", 0),
            ),
            s(
                "mldsa87",
                REQUESTER,
                Req,
                ml87,
                ("2025-04-23T08:30:35Z", 0),
                ("2035-04-21T08:30:35Z", 0),
            ),
        ]
    }

    impl Sample {
        fn name(&self) -> String {
            format!("{}/{}", self.dir, self.file)
        }

        fn bundle(&self) -> Vec<u8> {
            sample(&format!("{}/{}", self.dir, self.file))
        }

        /// The chain's own root (its first certificate) as the anchor.
        fn anchor(&self) -> TrustAnchor {
            TrustAnchor::from_der(&split_certs(&self.bundle())[0]).unwrap()
        }
    }

    fn provider() -> CryptoProvider {
        CryptoProvider::new()
    }

    fn validate(
        bytes: &[u8],
        hash: HashAlg,
        role: Role,
        now: Timestamp,
        anchors: Anchors<'_>,
        leaf: LeafKey,
    ) -> Result<ValidatedChain, ChainError> {
        let chain = SpdmCertChain::parse(bytes, &ParseOptions::new(hash))?;
        chain.validate(
            &ValidationPolicy::new(role, now, anchors, leaf),
            &provider(),
        )
    }

    #[test]
    fn every_sample_chain_validates_for_its_role_with_its_root_as_anchor() {
        let provider = provider();
        for s in samples() {
            for hash in [HashAlg::Sha256, HashAlg::Sha384, HashAlg::Sha512] {
                let bytes = wrap(&provider, hash, &s.bundle());
                let anchors = [s.anchor()];
                let v = validate(
                    &bytes,
                    hash,
                    s.role,
                    NOW,
                    Anchors::Trusted(&anchors),
                    s.leaf,
                )
                .unwrap_or_else(|e| panic!("{} ({hash}): {e}", s.name()));
                assert_eq!(v.anchor(), AnchorStatus::Anchored { index: 0 });
                assert!(v.root_in_chain());
                assert_eq!(v.certificates().len(), 3, "{}", s.name());
                assert_eq!(v.leaf_public_key().key_type(), s.leaf.key_type);
                assert_eq!(
                    v.root_hash(),
                    provider
                        .digest(hash, &split_certs(&s.bundle())[0])
                        .as_bytes()
                );
            }
        }
    }

    #[test]
    fn sample_summaries_name_subjects_issuers_and_algorithms() {
        let provider = provider();
        let s = &samples()[3]; // ecp384 responder
        let bytes = wrap(&provider, HashAlg::Sha384, &s.bundle());
        let anchors = [s.anchor()];
        let v = validate(
            &bytes,
            HashAlg::Sha384,
            s.role,
            NOW,
            Anchors::Trusted(&anchors),
            s.leaf,
        )
        .unwrap();
        let c = v.certificates();
        assert_eq!(c[0].subject, "CN=DMTF libspdm ECP384 CA");
        assert_eq!(c[0].issuer, "CN=DMTF libspdm ECP384 CA");
        assert_eq!(c[1].subject, "CN=DMTF libspdm ECP384 intermediate cert");
        assert_eq!(c[2].subject, "CN=DMTF libspdm ECP384 responder cert");
        assert_eq!(c[2].issuer, "CN=DMTF libspdm ECP384 intermediate cert");
        assert!(c[0].is_ca && c[1].is_ca && !c[2].is_ca);
        for cert in c {
            assert_eq!(cert.key_type, KeyType::EcP384);
            assert_eq!(cert.signature_alg, SignatureAlg::EcdsaP384Sha384);
        }
        assert_eq!(c[2].not_before, at("2023-09-12T07:11:33Z"));
        assert_eq!(c[2].not_after, at("2033-09-09T07:11:33Z"));
        // RSA sizes from INDEX.md: CA 4096, intermediate and leaf 3072.
        let r = &samples()[6];
        let bytes = wrap(&provider, HashAlg::Sha384, &r.bundle());
        let anchors = [r.anchor()];
        let v = validate(
            &bytes,
            HashAlg::Sha384,
            r.role,
            NOW,
            Anchors::Trusted(&anchors),
            r.leaf,
        )
        .unwrap();
        let bits: Vec<_> = v.certificates().iter().map(|c| c.rsa_bits).collect();
        assert_eq!(bits, [Some(4096), Some(3072), Some(3072)]);
        assert!(
            v.certificates()
                .iter()
                .all(|c| c.signature_alg == SignatureAlg::RsaPkcs1Sha384)
        );
    }

    /// The validated leaf key is the sample's private key's public half: a signature made with
    /// `end_responder.key` verifies under it.
    #[test]
    fn validated_leaf_key_verifies_the_sample_private_keys_signatures() {
        let provider = provider();
        let keys: [(&str, &str, SignatureAlg, LeafKey); 5] = [
            (
                "ecp256",
                "end_responder.key.p8",
                SignatureAlg::EcdsaP256Sha256,
                LeafKey::new(KeyType::EcP256),
            ),
            (
                "ecp384",
                "end_responder.key.p8",
                SignatureAlg::EcdsaP384Sha384,
                LeafKey::new(KeyType::EcP384),
            ),
            (
                "rsa3072",
                "end_responder.key.der",
                SignatureAlg::RsaPssSha384,
                LeafKey::rsa(3072),
            ),
            (
                "mldsa65",
                "end_responder.key.der",
                SignatureAlg::MlDsa65,
                LeafKey::new(KeyType::MlDsa65),
            ),
            (
                "mldsa87",
                "end_responder.key.der",
                SignatureAlg::MlDsa87,
                LeafKey::new(KeyType::MlDsa87),
            ),
        ];
        for (dir, key_file, alg, leaf) in keys {
            let key_der = sample(&format!("{dir}/{key_file}"));
            let key = if alg.key_type() == KeyType::Rsa {
                provider.signing_key_from_private_key_der(alg, &key_der)
            } else {
                provider.signing_key_from_pkcs8(alg, &key_der)
            }
            .unwrap_or_else(|e| panic!("{dir}/{key_file}: {e}"));
            for file in [RESPONDER, RESPONDER1] {
                let bundle = sample(&format!("{dir}/{file}"));
                let anchors = [TrustAnchor::from_der(&split_certs(&bundle)[0]).unwrap()];
                let bytes = wrap(&provider, HashAlg::Sha384, &bundle);
                let v = validate(
                    &bytes,
                    HashAlg::Sha384,
                    Role::ResponderAuth,
                    NOW,
                    Anchors::Trusted(&anchors),
                    leaf,
                )
                .unwrap();
                let sig = key.sign(b"responder-challenge_auth signing").unwrap();
                provider
                    .verify(
                        alg,
                        v.leaf_public_key(),
                        b"responder-challenge_auth signing",
                        &sig,
                    )
                    .unwrap_or_else(|e| panic!("{dir}/{file}: {e}"));
            }
        }
    }

    #[test]
    fn ml_dsa_leaf_key_equals_the_raw_public_key_file() {
        let provider = provider();
        for dir in ["mldsa65", "mldsa87"] {
            let bundle = sample(&format!("{dir}/{RESPONDER}"));
            let anchors = [TrustAnchor::from_der(&split_certs(&bundle)[0]).unwrap()];
            let key_type = if dir == "mldsa65" {
                KeyType::MlDsa65
            } else {
                KeyType::MlDsa87
            };
            let v = validate(
                &wrap(&provider, HashAlg::Sha512, &bundle),
                HashAlg::Sha512,
                Role::ResponderAuth,
                NOW,
                Anchors::Trusted(&anchors),
                key_type.into(),
            )
            .unwrap();
            assert_eq!(
                v.leaf_public_key().as_bytes(),
                sample(&format!("{dir}/end_responder.key.pub.raw"))
            );
        }
    }

    /// Validity boundaries (RFC 5280 §4.1.2.5: "The validity period for a certificate is the
    /// period of time from notBefore through notAfter, inclusive").
    #[test]
    fn validity_boundaries_match_openssl_dates() {
        let provider = provider();
        for s in samples() {
            let bytes = wrap(&provider, HashAlg::Sha384, &s.bundle());
            let anchors = [s.anchor()];
            let check = |now| {
                validate(
                    &bytes,
                    HashAlg::Sha384,
                    s.role,
                    now,
                    Anchors::Trusted(&anchors),
                    s.leaf,
                )
            };
            let (nb, nb_index) = s.latest_not_before;
            let (na, na_index) = s.earliest_not_after;
            let (nb, na) = (at(nb), at(na));
            check(nb).unwrap_or_else(|e| panic!("{} at notBefore: {e}", s.name()));
            check(na).unwrap_or_else(|e| panic!("{} at notAfter: {e}", s.name()));
            check(na.previous_second()).unwrap();
            assert_eq!(
                check(na.next_second()).unwrap_err(),
                ChainError::Expired {
                    index: na_index,
                    not_after: na
                },
                "{}",
                s.name()
            );
            assert_eq!(
                check(nb.previous_second()).unwrap_err(),
                ChainError::NotYetValid {
                    index: nb_index,
                    not_before: nb
                },
                "{}",
                s.name()
            );
        }
    }

    /// libspdm `libspdm_verify_leaf_cert_spdm_eku`: "responder's cert has only requester auth oid
    /// in eku" fails; the responder-auth one passes; and the reverse for a requester.
    #[test]
    fn spdm_eku_samples_follow_libspdm() {
        let provider = provider();
        for (dir, leaf) in [
            ("ecp256", LeafKey::new(KeyType::EcP256)),
            ("ecp384", LeafKey::new(KeyType::EcP384)),
            ("rsa3072", LeafKey::rsa(3072)),
        ] {
            let ca = sample(&format!("{dir}/ca.cert.der"));
            let inter = sample(&format!("{dir}/inter.cert.der"));
            let anchors = [TrustAnchor::from_der(&ca).unwrap()];
            let chain_with = |leaf_file: &str| {
                let bundle = [
                    ca.clone(),
                    inter.clone(),
                    sample(&format!("{dir}/{leaf_file}")),
                ]
                .concat();
                wrap(&provider, HashAlg::Sha384, &bundle)
            };
            let req_eku = chain_with("end_responder_with_spdm_req_eku.cert.der");
            let rsp_eku = chain_with("end_responder_with_spdm_rsp_eku.cert.der");
            let check = |bytes: &[u8], role| {
                validate(
                    bytes,
                    HashAlg::Sha384,
                    role,
                    NOW,
                    Anchors::Trusted(&anchors),
                    leaf,
                )
            };
            assert_eq!(
                check(&req_eku, Role::ResponderAuth).unwrap_err(),
                ChainError::WrongEku { index: 2 },
                "{dir}"
            );
            check(&rsp_eku, Role::ResponderAuth).unwrap_or_else(|e| panic!("{dir}: {e}"));
            check(&req_eku, Role::RequesterAuth).unwrap();
            assert_eq!(
                check(&rsp_eku, Role::RequesterAuth).unwrap_err(),
                ChainError::WrongEku { index: 2 }
            );
        }
    }

    /// The samples' leaves carry no SPDM EKU (serverAuth, clientAuth, OCSPSigning only), so both
    /// roles accept them; the leaf key type still has to match.
    #[test]
    fn sample_leaves_without_spdm_eku_serve_either_role() {
        let provider = provider();
        let s = &samples()[0];
        let bytes = wrap(&provider, HashAlg::Sha256, &s.bundle());
        let anchors = [s.anchor()];
        for role in [Role::ResponderAuth, Role::RequesterAuth] {
            validate(
                &bytes,
                HashAlg::Sha256,
                role,
                NOW,
                Anchors::Trusted(&anchors),
                s.leaf,
            )
            .unwrap();
        }
        assert_eq!(
            validate(
                &bytes,
                HashAlg::Sha256,
                Role::ResponderAuth,
                NOW,
                Anchors::Trusted(&anchors),
                KeyType::EcP384.into()
            )
            .unwrap_err(),
            ChainError::WrongLeafKeyType {
                expected: KeyType::EcP384,
                found: KeyType::EcP256
            }
        );
        let r = &samples()[6];
        let bytes = wrap(&provider, HashAlg::Sha256, &r.bundle());
        let anchors = [r.anchor()];
        assert_eq!(
            validate(
                &bytes,
                HashAlg::Sha256,
                Role::ResponderAuth,
                NOW,
                Anchors::Trusted(&anchors),
                LeafKey::rsa(2048)
            )
            .unwrap_err(),
            ChainError::WrongLeafKeySize {
                expected_bits: 2048,
                found_bits: 3072
            }
        );
    }

    // ---- long_chains: what libspdm uses them for (INDEX.md) and our limits ----

    fn long_chain(prefix: &str) -> (Vec<u8>, TrustAnchor) {
        let bundle = sample(&format!(
            "long_chains/{prefix}_bundle_responder.certchain.der"
        ));
        let anchor = TrustAnchor::from_der(&split_certs(&bundle)[0]).unwrap();
        (bundle, anchor)
    }

    fn validate_long(
        bytes: &[u8],
        anchor: &TrustAnchor,
        options: &ParseOptions,
        leaf: LeafKey,
    ) -> Result<ValidatedChain, ChainError> {
        let anchors = [anchor.clone()];
        let chain = SpdmCertChain::parse(bytes, options)?;
        chain.validate(
            &ValidationPolicy::new(Role::ResponderAuth, NOW, Anchors::Trusted(&anchors), leaf),
            &provider(),
        )
    }

    /// `Shorter1024B`: root + leaf, EC P-256, 921 bytes: within every default.
    #[test]
    fn long_chains_shorter_1024b_validates_under_defaults() {
        let (bundle, anchor) = long_chain("Shorter1024B");
        assert_eq!(bundle.len(), 921);
        let bytes = wrap(&provider(), HashAlg::Sha384, &bundle);
        let v = validate_long(
            &bytes,
            &anchor,
            &ParseOptions::new(HashAlg::Sha384),
            KeyType::EcP256.into(),
        )
        .unwrap();
        assert_eq!(v.certificates().len(), 2);
    }

    /// `ShorterMAXINT16`: 24 certificates, 31909 bytes. Our default depth (8) refuses it; a limit
    /// of 24 accepts it, 23 does not.
    #[test]
    fn long_chains_maxint16_meets_the_depth_limit_on_both_sides() {
        let (bundle, anchor) = long_chain("ShorterMAXINT16");
        assert_eq!(bundle.len(), 31909);
        assert_eq!(split_certs(&bundle).len(), 24);
        let bytes = wrap(&provider(), HashAlg::Sha384, &bundle);
        let leaf = LeafKey::rsa(2048);
        let options = ParseOptions::new(HashAlg::Sha384);
        assert_eq!(
            validate_long(&bytes, &anchor, &options, leaf).unwrap_err(),
            ChainError::TooDeep { max: 8 }
        );
        assert_eq!(
            validate_long(&bytes, &anchor, &options.with_max_certs(23), leaf).unwrap_err(),
            ChainError::TooDeep { max: 23 }
        );
        let v = validate_long(&bytes, &anchor, &options.with_max_certs(24), leaf).unwrap();
        assert_eq!(v.certificates().len(), 24);
        assert_eq!(
            v.certificates()[23].subject,
            "CN=DMTF libspdm RSA responder cert"
        );
    }

    /// `ShorterMAXUINT16`: 49 certificates, 65384 bytes; with the header and a SHA-384 RootHash
    /// the SPDM chain is 65436 bytes, still inside the u16 Length and our 64 KiB default. Both
    /// limits, both sides.
    #[test]
    fn long_chains_maxuint16_meets_the_size_and_depth_limits_on_both_sides() {
        let (bundle, anchor) = long_chain("ShorterMAXUINT16");
        assert_eq!(bundle.len(), 65384);
        let bytes = wrap(&provider(), HashAlg::Sha384, &bundle);
        assert_eq!(bytes.len(), 65436);
        let leaf = LeafKey::rsa(2048);
        let options = ParseOptions::new(HashAlg::Sha384).with_max_certs(49);
        let v = validate_long(&bytes, &anchor, &options, leaf).unwrap();
        assert_eq!(v.certificates().len(), 49);
        assert_eq!(
            validate_long(&bytes, &anchor, &options.with_max_certs(48), leaf).unwrap_err(),
            ChainError::TooDeep { max: 48 }
        );
        validate_long(&bytes, &anchor, &options.with_max_len(65436), leaf).unwrap();
        assert_eq!(
            validate_long(&bytes, &anchor, &options.with_max_len(65435), leaf).unwrap_err(),
            ChainError::TooLarge {
                len: 65436,
                max: 65435
            }
        );
    }

    /// Past 64 KiB only the SPDM 1.4 (LargeCertChain) u32 Length can describe the chain: the
    /// MAXUINT16 bundle plus one more copy of its leaf is refused by the u16 layout when written
    /// and read, and parses with the u32 layout once the size limit is raised.
    #[test]
    fn large_cert_chain_needs_the_u32_length() {
        let (bundle, _) = long_chain("ShorterMAXUINT16");
        let certs = split_certs(&bundle);
        let mut refs: Vec<&[u8]> = certs.iter().map(Vec::as_slice).collect();
        refs.push(certs.last().unwrap());
        let provider = provider();
        assert!(matches!(
            SpdmCertChain::encode_with_root(&provider, HashAlg::Sha384, &refs, LengthField::U16),
            Err(ChainError::TooLarge { max: 65535, .. })
        ));
        let bytes =
            SpdmCertChain::encode_with_root(&provider, HashAlg::Sha384, &refs, LengthField::U32)
                .unwrap();
        assert!(bytes.len() > 65535);
        let options = ParseOptions::new(HashAlg::Sha384)
            .with_length_field(LengthField::U32)
            .with_max_certs(50);
        assert!(matches!(
            SpdmCertChain::parse(&bytes, &options),
            Err(ChainError::TooLarge { max: 65536, .. })
        ));
        let chain = SpdmCertChain::parse(&bytes, &options.with_max_len(128 * 1024)).unwrap();
        assert_eq!(chain.cert_count(), 50);
    }

    // ---- tampering ----

    fn ecp_and_ml_responder_samples() -> Vec<Sample> {
        samples()
            .into_iter()
            .filter(|s| s.role == Role::ResponderAuth)
            .collect()
    }

    #[test]
    fn refuses_a_root_that_is_not_the_anchor() {
        let provider = provider();
        let all = ecp_and_ml_responder_samples();
        for (i, s) in all.iter().enumerate() {
            // The next sample's root: another algorithm or another CA (certchain1's ca1).
            let other = &all[(i + 1) % all.len()];
            let anchors = [other.anchor()];
            let bytes = wrap(&provider, HashAlg::Sha384, &s.bundle());
            assert_eq!(
                validate(
                    &bytes,
                    HashAlg::Sha384,
                    s.role,
                    NOW,
                    Anchors::Trusted(&anchors),
                    s.leaf
                )
                .unwrap_err(),
                ChainError::UntrustedRoot,
                "{}",
                s.name()
            );
            assert_eq!(
                validate(
                    &bytes,
                    HashAlg::Sha384,
                    s.role,
                    NOW,
                    Anchors::Trusted(&[]),
                    s.leaf
                )
                .unwrap_err(),
                ChainError::UntrustedRoot
            );
        }
    }

    #[test]
    fn accepts_one_anchor_among_several() {
        let provider = provider();
        let all = ecp_and_ml_responder_samples();
        let anchors: Vec<_> = all.iter().map(Sample::anchor).collect();
        for (i, s) in all.iter().enumerate() {
            let bytes = wrap(&provider, HashAlg::Sha256, &s.bundle());
            let v = validate(
                &bytes,
                HashAlg::Sha256,
                s.role,
                NOW,
                Anchors::Trusted(&anchors),
                s.leaf,
            )
            .unwrap();
            // certchain and certchain1 of one algorithm have different roots.
            assert_eq!(v.anchor(), AnchorStatus::Anchored { index: i });
        }
    }

    #[test]
    fn refuses_a_flipped_root_hash() {
        let provider = provider();
        for s in ecp_and_ml_responder_samples() {
            let mut bytes = wrap(&provider, HashAlg::Sha384, &s.bundle());
            bytes[4 + 47] ^= 0x80;
            let anchors = [s.anchor()];
            assert_eq!(
                validate(
                    &bytes,
                    HashAlg::Sha384,
                    s.role,
                    NOW,
                    Anchors::Trusted(&anchors),
                    s.leaf
                )
                .unwrap_err(),
                ChainError::RootHashMismatch,
                "{}",
                s.name()
            );
        }
    }

    /// A certificate's last byte is the last byte of its signature value (signature is the last
    /// field of Certificate, RFC 5280 §4.1): flipping it must break exactly that certificate.
    #[test]
    fn refuses_a_flipped_signature_byte_in_each_certificate() {
        let provider = provider();
        for s in ecp_and_ml_responder_samples() {
            let certs = split_certs(&s.bundle());
            for index in 0..certs.len() {
                let mut tampered = certs.clone();
                *tampered[index].last_mut().unwrap() ^= 0x01;
                let bytes = wrap(&provider, HashAlg::Sha384, &tampered.concat());
                // A tampered root is no longer byte-equal to the anchor: trust it explicitly so
                // that the self-signature check is what refuses it.
                let anchors = [TrustAnchor::from_der(&tampered[0]).unwrap()];
                assert_eq!(
                    validate(
                        &bytes,
                        HashAlg::Sha384,
                        s.role,
                        NOW,
                        Anchors::Trusted(&anchors),
                        s.leaf
                    )
                    .unwrap_err(),
                    ChainError::BadSignature { index },
                    "{} certificate {index}",
                    s.name()
                );
            }
        }
    }

    #[test]
    fn refuses_truncated_chains() {
        let provider = provider();
        for s in ecp_and_ml_responder_samples() {
            let bytes = wrap(&provider, HashAlg::Sha384, &s.bundle());
            let anchors = [s.anchor()];
            let check = |b: &[u8]| {
                validate(
                    b,
                    HashAlg::Sha384,
                    s.role,
                    NOW,
                    Anchors::Trusted(&anchors),
                    s.leaf,
                )
            };
            // Cut, Length left as it was.
            let err = check(&bytes[..bytes.len() - 1]).unwrap_err();
            assert!(matches!(err, ChainError::LengthMismatch { .. }), "{err}");
            assert_eq!(err.kind(), ChainErrorKind::Malformed);
            // Cut inside the leaf, Length fixed up: the leaf runs past the end.
            let mut cut = bytes[..bytes.len() - 1].to_vec();
            fix_length(&mut cut);
            assert_eq!(
                check(&cut).unwrap_err(),
                ChainError::Malformed {
                    index: 2,
                    reason: "element runs past the end of the input"
                }
            );
            // Cut to the header and half the RootHash.
            let mut short = bytes[..4 + 20].to_vec();
            fix_length(&mut short);
            assert!(matches!(check(&short).unwrap_err(), ChainError::Header(_)));
            // The leaf removed entirely: the intermediate is now the leaf, and a CA.
            let certs = split_certs(&s.bundle());
            let two = wrap(&provider, HashAlg::Sha384, &certs[..2].concat());
            assert_eq!(check(&two).unwrap_err(), ChainError::LeafIsCa { index: 1 });
        }
    }

    /// A chain that does not carry its root (DSP0274 1.2+; libspdm
    /// `libspdm_verify_peer_cert_chain_buffer_authority`): RootHash names the anchor, the first
    /// certificate must be signed by it.
    #[test]
    fn chain_without_its_root_validates_against_the_anchor_its_root_hash_names() {
        let provider = provider();
        let s = &samples()[0];
        let certs = split_certs(&s.bundle());
        let root_hash = provider.digest(HashAlg::Sha384, &certs[0]);
        let refs: Vec<&[u8]> = certs[1..].iter().map(Vec::as_slice).collect();
        let bytes = SpdmCertChain::encode(root_hash.as_bytes(), &refs, LengthField::U16).unwrap();
        let other = samples()[1].anchor();
        let anchors = [other.clone(), s.anchor()];
        let v = validate(
            &bytes,
            HashAlg::Sha384,
            s.role,
            NOW,
            Anchors::Trusted(&anchors),
            s.leaf,
        )
        .unwrap();
        assert!(!v.root_in_chain());
        assert_eq!(v.anchor(), AnchorStatus::Anchored { index: 1 });
        assert_eq!(v.certificates().len(), 2);
        assert_eq!(
            validate(
                &bytes,
                HashAlg::Sha384,
                s.role,
                NOW,
                Anchors::Trusted(&[other]),
                s.leaf
            )
            .unwrap_err(),
            ChainError::UntrustedRoot
        );
        assert_eq!(
            validate(
                &bytes,
                HashAlg::Sha384,
                s.role,
                NOW,
                Anchors::AllowUnanchored,
                s.leaf
            )
            .unwrap_err(),
            ChainError::RootNotInChain
        );
    }

    #[test]
    fn unanchored_policy_returns_an_unanchored_chain() {
        let provider = provider();
        for s in ecp_and_ml_responder_samples() {
            let bytes = wrap(&provider, HashAlg::Sha384, &s.bundle());
            let v = validate(
                &bytes,
                HashAlg::Sha384,
                s.role,
                NOW,
                Anchors::AllowUnanchored,
                s.leaf,
            )
            .unwrap();
            assert_eq!(v.anchor(), AnchorStatus::Unanchored);
        }
    }

    /// The SPDM 1.4 u32 Length layout and the 1.0-1.3 u16 + Reserved layout carry the same
    /// chain; Reserved is ignored on read.
    #[test]
    fn both_length_layouts_parse_and_reserved_is_ignored() {
        let provider = provider();
        let s = &samples()[3];
        let anchors = [s.anchor()];
        let policy = ValidationPolicy::new(s.role, NOW, Anchors::Trusted(&anchors), s.leaf);
        let u32_bytes = wrap_with(&provider, HashAlg::Sha384, &s.bundle(), LengthField::U32);
        let options = ParseOptions::new(HashAlg::Sha384).with_length_field(LengthField::U32);
        SpdmCertChain::parse(&u32_bytes, &options)
            .unwrap()
            .validate(&policy, &provider)
            .unwrap();
        let mut u16_bytes = wrap(&provider, HashAlg::Sha384, &s.bundle());
        assert_eq!(
            u16_bytes, u32_bytes,
            "below 64 KiB the layouts are the same bytes"
        );
        u16_bytes[2] = 0xAA;
        u16_bytes[3] = 0x55;
        SpdmCertChain::parse(&u16_bytes, &ParseOptions::new(HashAlg::Sha384))
            .unwrap()
            .validate(&policy, &provider)
            .unwrap();
        // Read as u32, the non-zero Reserved makes Length wrong.
        assert!(matches!(
            SpdmCertChain::parse(&u16_bytes, &options),
            Err(ChainError::LengthMismatch { .. })
        ));
    }

    /// Our writer produces the same bytes as the hand-written wrapper (and so the layout
    /// INDEX.md describes).
    #[test]
    fn encode_matches_the_documented_layout() {
        let provider = provider();
        for s in samples() {
            let certs = split_certs(&s.bundle());
            let refs: Vec<&[u8]> = certs.iter().map(Vec::as_slice).collect();
            for hash in [HashAlg::Sha256, HashAlg::Sha512] {
                assert_eq!(
                    SpdmCertChain::encode_with_root(&provider, hash, &refs, LengthField::U16)
                        .unwrap(),
                    wrap(&provider, hash, &s.bundle())
                );
            }
        }
    }

    /// The fuzz target's seeds (`fuzz/corpus/spdm_cert_chain/seed-*`) validate under the policy
    /// their selector byte names (see `fuzz/fuzz_targets/spdm_cert_chain.rs`), so the fuzzer
    /// starts from inputs that reach the end of validation.
    #[test]
    fn fuzz_seeds_validate_under_their_selector() {
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../fuzz/corpus/spdm_cert_chain"
        );
        let Ok(entries) = std::fs::read_dir(dir) else {
            eprintln!("{dir} not found: skipped");
            return;
        };
        let provider = provider();
        let dirs = ["ecp256", "ecp384", "rsa3072", "mldsa65", "mldsa87"];
        let roots: Vec<TrustAnchor> = dirs
            .iter()
            .map(|d| sample(&format!("{d}/ca.cert.der")))
            .chain(
                dirs.iter()
                    .map(|d| split_certs(&sample(&format!("{d}/{RESPONDER1}")))[0].clone()),
            )
            .map(|der| TrustAnchor::from_der(&der).unwrap())
            .collect();
        let leaf_keys = [
            LeafKey::new(KeyType::EcP256),
            LeafKey::new(KeyType::EcP384),
            LeafKey::rsa(3072),
            LeafKey::new(KeyType::MlDsa65),
            LeafKey::new(KeyType::MlDsa87),
        ];
        let hashes = [
            HashAlg::Sha256,
            HashAlg::Sha384,
            HashAlg::Sha512,
            HashAlg::Sha384,
        ];
        let mut count = 0;
        for entry in entries {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if !name.starts_with("seed-") {
                continue;
            }
            let input = std::fs::read(&path).unwrap();
            let (&selector, data) = input.split_first().unwrap();
            let leaf = leaf_keys[usize::from(selector & 7) % leaf_keys.len()];
            let role = if selector & 8 == 0 {
                Role::ResponderAuth
            } else {
                Role::RequesterAuth
            };
            let length_field = if selector & 16 == 0 {
                LengthField::U16
            } else {
                LengthField::U32
            };
            let hash = hashes[usize::from(selector >> 5 & 3)];
            let anchors = if selector & 128 == 0 {
                Anchors::Trusted(&roots)
            } else {
                Anchors::AllowUnanchored
            };
            let options = ParseOptions::new(hash).with_length_field(length_field);
            let result = SpdmCertChain::parse(data, &options).and_then(|c| {
                c.validate(&ValidationPolicy::new(role, NOW, anchors, leaf), &provider)
            });
            result.unwrap_or_else(|e| panic!("{name}: {e}"));
            count += 1;
        }
        assert_eq!(count, 20);
    }
}
