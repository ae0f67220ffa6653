//! Properties of chain parsing and validation on hostile input: arbitrary bytes, arbitrary
//! truncations and single-byte changes of a valid chain never panic and never validate.

#[path = "cert_util.rs"]
mod cert_util;

/// Named so that `cargo test -p vtrust-spdm cert` selects every test of this file.
mod cert_props {
    use super::cert_util;

    use std::sync::OnceLock;

    use cert_util::{NOW, fix_length, sample, split_certs, wrap};
    use proptest::prelude::*;
    use vtrust_crypto::CryptoProvider;
    use vtrust_crypto::hash::HashAlg;
    use vtrust_crypto::sign::KeyType;
    use vtrust_spdm::cert::{
        Anchors, ChainError, LengthField, ParseOptions, Role, SpdmCertChain, TrustAnchor,
        ValidatedChain, ValidationPolicy,
    };

    struct Fixture {
        provider: CryptoProvider,
        chain: Vec<u8>,
        anchors: Vec<TrustAnchor>,
    }

    /// The ecp256 responder chain, wrapped with a SHA-256 RootHash, and its root as anchor.
    fn fixture() -> &'static Fixture {
        static FIXTURE: OnceLock<Fixture> = OnceLock::new();
        FIXTURE.get_or_init(|| {
            let provider = CryptoProvider::new();
            let bundle = sample("ecp256/bundle_responder.certchain.der");
            let chain = wrap(&provider, HashAlg::Sha256, &bundle);
            let anchors = vec![TrustAnchor::from_der(&split_certs(&bundle)[0]).unwrap()];
            Fixture {
                provider,
                chain,
                anchors,
            }
        })
    }

    fn validate(bytes: &[u8], length_field: LengthField) -> Result<ValidatedChain, ChainError> {
        let f = fixture();
        let options = ParseOptions::new(HashAlg::Sha256).with_length_field(length_field);
        let policy = ValidationPolicy::new(
            Role::ResponderAuth,
            NOW,
            Anchors::Trusted(&f.anchors),
            KeyType::EcP256.into(),
        );
        SpdmCertChain::parse(bytes, &options)?.validate(&policy, &f.provider)
    }

    #[test]
    fn the_fixture_validates() {
        validate(&fixture().chain, LengthField::U16).unwrap();
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_validate(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
            prop_assert!(validate(&bytes, LengthField::U16).is_err());
            prop_assert!(validate(&bytes, LengthField::U32).is_err());
        }

        /// Arbitrary bytes behind a consistent header still never validate.
        #[test]
        fn arbitrary_certificates_behind_a_good_header_never_validate(
            body in proptest::collection::vec(any::<u8>(), 0..4096),
        ) {
            let f = fixture();
            let mut bytes = f.chain[..4 + 32].to_vec();
            bytes.extend_from_slice(&body);
            fix_length(&mut bytes);
            prop_assert!(validate(&bytes, LengthField::U16).is_err());
        }

        #[test]
        fn truncations_never_validate(cut in 0usize..1390) {
            let f = fixture();
            let cut = cut.min(f.chain.len() - 1);
            let truncated = &f.chain[..cut];
            prop_assert!(validate(truncated, LengthField::U16).is_err());
            // And with the Length field made consistent.
            if cut >= 2 {
                let mut fixed = truncated.to_vec();
                fix_length(&mut fixed);
                prop_assert!(validate(&fixed, LengthField::U16).is_err());
            }
        }

        /// Changing any one byte outside the Reserved field (which is ignored on read) is
        /// refused: every other byte is covered by the Length, RootHash, a DER length, or a
        /// signature.
        #[test]
        fn single_byte_changes_never_validate(position in 0usize..1390, xor in 1u8..=255) {
            let f = fixture();
            let position = position % f.chain.len();
            prop_assume!(!(2..4).contains(&position));
            let mut bytes = f.chain.clone();
            bytes[position] ^= xor;
            prop_assert!(validate(&bytes, LengthField::U16).is_err(), "byte {} ^ {:#x}", position, xor);
        }

        /// Appending anything after the leaf is refused (as another, malformed certificate or
        /// through the Length field).
        #[test]
        fn trailing_bytes_never_validate(tail in proptest::collection::vec(any::<u8>(), 1..64)) {
            let f = fixture();
            let mut bytes = f.chain.clone();
            bytes.extend_from_slice(&tail);
            prop_assert!(validate(&bytes, LengthField::U16).is_err());
            fix_length(&mut bytes);
            prop_assert!(validate(&bytes, LengthField::U16).is_err());
        }
    }

    /// Exhaustively: every byte position, two bit flips each (low and high bit), outside Reserved.
    #[test]
    fn every_single_bit_flip_is_refused() {
        let f = fixture();
        for position in (0..f.chain.len()).filter(|p| !(2..4).contains(p)) {
            for xor in [0x01, 0x80] {
                let mut bytes = f.chain.clone();
                bytes[position] ^= xor;
                assert!(
                    validate(&bytes, LengthField::U16).is_err(),
                    "byte {position} ^ {xor:#x} validated"
                );
            }
        }
    }
}
