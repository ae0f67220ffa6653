//! The SPDM certificate chain format, byte by byte: one `refuses_*` test per shape rule of
//! [`SpdmCertChain::parse`] and [`SpdmCertChain::encode`], on hand-built headers around
//! libspdm's sample certificates.

#[path = "cert_util.rs"]
mod cert_util;

/// Named so that `cargo test -p vtrust-spdm cert` selects every test of this file.
mod cert_chain_format {
    use super::cert_util;
    use cert_util::sample;
    use vtrust_crypto::hash::HashAlg;
    use vtrust_spdm::cert::{ChainError, ChainErrorKind, LengthField, ParseOptions, SpdmCertChain};
    use vtrust_wire::{DecodeError, DecodeErrorKind};

    const ZERO_HASH: [u8; 32] = [0; 32];

    fn root() -> Vec<u8> {
        sample("ecp256/ca.cert.der")
    }

    /// `Length | Reserved | RootHash (32 zero bytes) | body`, Length = the real total.
    fn chain(body: &[u8]) -> Vec<u8> {
        let total = 4 + 32 + body.len();
        let mut out = u16::try_from(total).unwrap().to_le_bytes().to_vec();
        out.extend_from_slice(&[0, 0]);
        out.extend_from_slice(&ZERO_HASH);
        out.extend_from_slice(body);
        out
    }

    fn parse(bytes: &[u8]) -> Result<SpdmCertChain<'_>, ChainError> {
        SpdmCertChain::parse(bytes, &ParseOptions::new(HashAlg::Sha256))
    }

    #[test]
    fn parses_one_and_three_certificates() {
        let root = root();
        assert_eq!(parse(&chain(&root)).unwrap().cert_count(), 1);
        let three = [root.clone(), root.clone(), root].concat();
        let bytes = chain(&three);
        let parsed = parse(&bytes).unwrap();
        assert_eq!(parsed.cert_count(), 3);
        assert_eq!(parsed.as_bytes(), &bytes[..]);
    }

    #[test]
    fn refuses_empty_and_short_headers() {
        assert_eq!(
            parse(&[]).unwrap_err(),
            ChainError::Header(DecodeError::new(
                "Length",
                DecodeErrorKind::Truncated {
                    needed: 2,
                    available: 0
                }
            ))
        );
        assert_eq!(
            parse(&[3, 0, 0]).unwrap_err(),
            ChainError::Header(DecodeError::new(
                "Reserved",
                DecodeErrorKind::Truncated {
                    needed: 2,
                    available: 1
                }
            ))
        );
    }

    #[test]
    fn refuses_a_truncated_root_hash() {
        let mut bytes = vec![20, 0, 0, 0];
        bytes.extend_from_slice(&[0; 16]);
        assert_eq!(
            parse(&bytes).unwrap_err(),
            ChainError::Header(DecodeError::new(
                "RootHash",
                DecodeErrorKind::Truncated {
                    needed: 32,
                    available: 16
                }
            ))
        );
    }

    #[test]
    fn refuses_length_not_equal_to_the_bytes() {
        let mut bytes = chain(&root());
        bytes[0] = bytes[0].wrapping_add(1);
        let actual = bytes.len();
        assert_eq!(
            parse(&bytes).unwrap_err(),
            ChainError::LengthMismatch {
                declared: actual + 1,
                actual
            }
        );
    }

    #[test]
    fn refuses_a_chain_without_certificates() {
        assert_eq!(parse(&chain(&[])).unwrap_err(), ChainError::NoCertificates);
    }

    #[test]
    fn refuses_a_certificate_that_is_not_a_sequence() {
        let mut body = root();
        body[0] = 0x31;
        assert_eq!(
            parse(&chain(&body)).unwrap_err(),
            ChainError::Malformed {
                index: 0,
                reason: "not a DER SEQUENCE"
            }
        );
    }

    #[test]
    fn refuses_indefinite_and_non_minimal_lengths() {
        let root = root();
        for (header, reason) in [
            (&[0x30, 0x80][..], "indefinite length is not DER"),
            (
                &[0x30, 0x82, 0x00, 0x10][..],
                "length not minimally encoded",
            ),
            (&[0x30, 0x81, 0x10][..], "length not minimally encoded"),
        ] {
            let body = [root.clone(), header.to_vec(), vec![0; 16]].concat();
            assert_eq!(
                parse(&chain(&body)).unwrap_err(),
                ChainError::Malformed { index: 1, reason },
                "{header:02x?}"
            );
        }
    }

    #[test]
    fn refuses_a_certificate_running_past_the_end() {
        let root = root();
        let body = [root.clone(), root[..root.len() - 1].to_vec()].concat();
        assert_eq!(
            parse(&chain(&body)).unwrap_err(),
            ChainError::Malformed {
                index: 1,
                reason: "element runs past the end of the input"
            }
        );
    }

    #[test]
    fn refuses_more_certificates_than_the_limit() {
        let root = root();
        let body = root.repeat(3);
        let bytes = chain(&body);
        let options = ParseOptions::new(HashAlg::Sha256).with_max_certs(2);
        assert_eq!(
            SpdmCertChain::parse(&bytes, &options).unwrap_err(),
            ChainError::TooDeep { max: 2 }
        );
        assert!(SpdmCertChain::parse(&bytes, &options.with_max_certs(3)).is_ok());
    }

    #[test]
    fn refuses_a_chain_above_the_size_limit_before_reading_it() {
        let bytes = vec![0xFF; 1025];
        let options = ParseOptions::new(HashAlg::Sha256).with_max_len(1024);
        let err = SpdmCertChain::parse(&bytes, &options).unwrap_err();
        assert_eq!(
            err,
            ChainError::TooLarge {
                len: 1025,
                max: 1024
            }
        );
        assert_eq!(err.kind(), ChainErrorKind::Limit);
    }

    #[test]
    fn u32_length_field_layout() {
        let root = root();
        let total = 4 + 32 + root.len();
        let mut bytes = u32::try_from(total).unwrap().to_le_bytes().to_vec();
        bytes.extend_from_slice(&ZERO_HASH);
        bytes.extend_from_slice(&root);
        let options = ParseOptions::new(HashAlg::Sha256).with_length_field(LengthField::U32);
        assert_eq!(
            SpdmCertChain::parse(&bytes, &options).unwrap().cert_count(),
            1
        );
        assert_eq!(
            SpdmCertChain::encode(&ZERO_HASH, &[&root], LengthField::U32).unwrap(),
            bytes
        );
    }

    #[test]
    fn encode_writes_reserved_as_zero() {
        let root = root();
        let bytes = SpdmCertChain::encode(&ZERO_HASH, &[&root], LengthField::U16).unwrap();
        assert_eq!(bytes, chain(&root));
    }

    #[test]
    fn encode_refuses_what_parse_would_refuse() {
        let root = root();
        assert_eq!(
            SpdmCertChain::encode(&ZERO_HASH, &[], LengthField::U16).unwrap_err(),
            ChainError::NoCertificates
        );
        let trailing = [root.clone(), vec![0]].concat();
        assert_eq!(
            SpdmCertChain::encode(&ZERO_HASH, &[&root, &trailing], LengthField::U16).unwrap_err(),
            ChainError::Malformed {
                index: 1,
                reason: "trailing bytes after the certificate"
            }
        );
        assert!(matches!(
            SpdmCertChain::encode(&ZERO_HASH, &[&[0x02, 0x01, 0x00][..]], LengthField::U16),
            Err(ChainError::Malformed { index: 0, .. })
        ));
        let many = vec![root.as_slice(); 160];
        assert_eq!(
            SpdmCertChain::encode(&ZERO_HASH, &many, LengthField::U16).unwrap_err(),
            ChainError::TooLarge {
                len: 36 + 160 * root.len(),
                max: 65535
            }
        );
    }
}
