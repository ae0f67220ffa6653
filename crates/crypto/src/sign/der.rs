//! The little DER this module needs: SubjectPublicKeyInfo (RFC 5280 §4.1.2.7) in and out,
//! and the ECDSA `Ecdsa-Sig-Value` (RFC 3279 §2.2.3) out.
//!
//! The reader is strict DER on untrusted input: definite minimal lengths only (at most
//! three length octets, which bounds every element at 16 MiB), exact nesting, no trailing
//! bytes. It never indexes or does unchecked arithmetic.

use super::KeyType;
use crate::Error;

const TAG_INTEGER: u8 = 0x02;
const TAG_BIT_STRING: u8 = 0x03;
const TAG_NULL: u8 = 0x05;
const TAG_OID: u8 = 0x06;
const TAG_SEQUENCE: u8 = 0x30;

/// RFC 5480 §2.1.1 id-ecPublicKey 1.2.840.10045.2.1.
const OID_EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
/// RFC 5480 §2.1.1.1 secp256r1 1.2.840.10045.3.1.7.
const OID_P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
/// RFC 5480 §2.1.1.1 secp384r1 1.3.132.0.34.
const OID_P384: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x22];
/// RFC 5480 §2.1.1.1 secp521r1 1.3.132.0.35.
const OID_P521: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x23];
/// RFC 8017 Appendix C rsaEncryption 1.2.840.113549.1.1.1.
const OID_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
/// RFC 8410 §3 id-Ed25519 1.3.101.112.
const OID_ED25519: &[u8] = &[0x2b, 0x65, 0x70];
/// NIST CSOR id-ml-dsa-44 2.16.840.1.101.3.4.3.17 (the IETF LAMPS ML-DSA X.509 profile).
const OID_MLDSA44: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x03, 0x11];
/// NIST CSOR id-ml-dsa-65 2.16.840.1.101.3.4.3.18.
const OID_MLDSA65: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x03, 0x12];
/// NIST CSOR id-ml-dsa-87 2.16.840.1.101.3.4.3.19.
const OID_MLDSA87: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x03, 0x13];

const SPKI: &str = "SubjectPublicKeyInfo";

fn malformed(reason: &'static str) -> Error {
    Error::KeyRejected { alg: SPKI, reason }
}

/// A cursor over DER bytes.
pub(super) struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(super) fn new(bytes: &'a [u8]) -> Self {
        Self { rest: bytes }
    }

    /// Whether every byte has been consumed.
    pub(super) fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// The next element's tag, without consuming it.
    pub(super) fn peek_tag(&self) -> Option<u8> {
        self.rest.first().copied()
    }

    /// Consumes one element, which must carry `tag`, and returns its contents.
    pub(super) fn read(&mut self, tag: u8) -> Result<&'a [u8], &'static str> {
        let (&got, after_tag) = self
            .rest
            .split_first()
            .ok_or("truncated: missing element")?;
        if got != tag {
            return Err("unexpected DER tag");
        }
        let (&first, mut after_len) = after_tag.split_first().ok_or("truncated: missing length")?;
        let len = if first < 0x80 {
            usize::from(first)
        } else {
            let count = usize::from(first & 0x7f);
            if count == 0 || count > 3 {
                return Err("indefinite or oversized DER length");
            }
            let (octets, rest) = after_len
                .split_at_checked(count)
                .ok_or("truncated length")?;
            after_len = rest;
            if octets.first() == Some(&0) {
                return Err("non-minimal DER length");
            }
            let mut buf = [0u8; 4];
            let start = buf.len().checked_sub(count).ok_or("length octets")?;
            buf.get_mut(start..)
                .ok_or("length octets")?
                .copy_from_slice(octets);
            let len = usize::try_from(u32::from_be_bytes(buf)).map_err(|_| "DER length")?;
            if len < 0x80 {
                return Err("non-minimal DER length");
            }
            len
        };
        let (content, rest) = after_len
            .split_at_checked(len)
            .ok_or("truncated: element longer than its container")?;
        self.rest = rest;
        Ok(content)
    }
}

/// Parses a SubjectPublicKeyInfo, returning the key type and the subjectPublicKey bytes
/// (SEC1 point, PKCS#1 RSAPublicKey DER, or the raw Ed25519 / ML-DSA key), not yet checked
/// against the key type.
pub(super) fn parse_spki(der: &[u8]) -> Result<(KeyType, &[u8]), Error> {
    let mut outer = Reader::new(der);
    let spki = outer.read(TAG_SEQUENCE).map_err(malformed)?;
    if !outer.is_empty() {
        return Err(malformed("trailing bytes after the SubjectPublicKeyInfo"));
    }
    let mut spki = Reader::new(spki);
    let algorithm = spki.read(TAG_SEQUENCE).map_err(malformed)?;
    let bits = spki.read(TAG_BIT_STRING).map_err(malformed)?;
    if !spki.is_empty() {
        return Err(malformed("trailing bytes inside the SubjectPublicKeyInfo"));
    }
    let mut algorithm = Reader::new(algorithm);
    let oid = algorithm.read(TAG_OID).map_err(malformed)?;
    let key_type = match oid {
        OID_EC_PUBLIC_KEY => {
            // RFC 5480 §2.1.1: namedCurve only; explicit (specifiedCurve) parameters and
            // implicitCurve are not accepted.
            if algorithm.peek_tag() != Some(TAG_OID) {
                return Err(Error::Unsupported {
                    what: "EC key without a named curve (explicit or implicit parameters)",
                });
            }
            let curve = algorithm.read(TAG_OID).map_err(malformed)?;
            match curve {
                OID_P256 => KeyType::EcP256,
                OID_P384 => KeyType::EcP384,
                OID_P521 => KeyType::EcP521,
                _ => {
                    return Err(Error::Unsupported {
                        what: "EC curve other than P-256, P-384 and P-521",
                    });
                }
            }
        }
        OID_RSA => {
            // RFC 8017 Appendix C: the parameters shall be NULL. Tolerate their absence,
            // which some encoders produce.
            if !algorithm.is_empty() {
                let null = algorithm.read(TAG_NULL).map_err(malformed)?;
                if !null.is_empty() {
                    return Err(malformed("NULL with contents"));
                }
            }
            KeyType::Rsa
        }
        OID_ED25519 => KeyType::Ed25519,
        OID_MLDSA44 => KeyType::MlDsa44,
        OID_MLDSA65 => KeyType::MlDsa65,
        OID_MLDSA87 => KeyType::MlDsa87,
        _ => {
            return Err(Error::Unsupported {
                what: "SubjectPublicKeyInfo algorithm (supported: EC P-256/384/521, RSA, Ed25519, ML-DSA)",
            });
        }
    };
    // RFC 8410 §3 and FIPS 204's SPKI profile: the parameters are absent.
    if !algorithm.is_empty() {
        return Err(malformed("unexpected algorithm parameters"));
    }
    match bits.split_first() {
        Some((0, key)) => Ok((key_type, key)),
        Some(_) => Err(malformed("BIT STRING with unused bits")),
        None => Err(malformed("empty BIT STRING")),
    }
}

/// Whether `der` is a DER SEQUENCE whose first element is an INTEGER (PKCS#1
/// RSAPublicKey) and not, for instance, a SubjectPublicKeyInfo.
pub(super) fn looks_like_pkcs1_public_key(der: &[u8]) -> bool {
    let mut outer = Reader::new(der);
    match outer.read(TAG_SEQUENCE) {
        Ok(inner) => outer.is_empty() && Reader::new(inner).peek_tag() == Some(TAG_INTEGER),
        Err(_) => false,
    }
}

/// Appends a DER element.
fn write(out: &mut Vec<u8>, tag: u8, content: &[u8]) {
    out.push(tag);
    let len = content.len();
    let octets = len.to_be_bytes();
    let significant = octets
        .iter()
        .position(|b| *b != 0)
        .and_then(|first| octets.get(first..))
        .unwrap_or_default();
    match u8::try_from(len) {
        Ok(short) if short < 0x80 => out.push(short),
        _ => {
            // At most size_of::<usize>() octets, so the count fits in the low 7 bits.
            let count = u8::try_from(significant.len()).unwrap_or(0x7f);
            out.push(0x80 | count);
            out.extend_from_slice(significant);
        }
    }
    out.extend_from_slice(content);
}

/// Appends a DER INTEGER holding the unsigned big-endian `value`.
fn write_unsigned(out: &mut Vec<u8>, value: &[u8]) {
    let start = value
        .iter()
        .position(|b| *b != 0)
        .unwrap_or(value.len().saturating_sub(1));
    let digits = value.get(start..).unwrap_or_default();
    let mut content = Vec::with_capacity(digits.len().saturating_add(1));
    if digits.first().is_none_or(|b| *b >= 0x80) {
        content.push(0);
    }
    content.extend_from_slice(digits);
    write(out, TAG_INTEGER, &content);
}

/// Converts a fixed `r || s` ECDSA signature to DER `SEQUENCE { r INTEGER, s INTEGER }`.
pub(super) fn ecdsa_fixed_to_der(fixed: &[u8]) -> Option<Vec<u8>> {
    let half = fixed.len().checked_div(2)?;
    if half == 0 || !fixed.len().is_multiple_of(2) {
        return None;
    }
    let (r, s) = fixed.split_at_checked(half)?;
    let mut seq = Vec::with_capacity(fixed.len().saturating_add(8));
    write_unsigned(&mut seq, r);
    write_unsigned(&mut seq, s);
    let mut out = Vec::with_capacity(seq.len().saturating_add(4));
    write(&mut out, TAG_SEQUENCE, &seq);
    Some(out)
}

/// Encodes a SubjectPublicKeyInfo for `key` (already validated for `key_type`).
pub(super) fn write_spki(key_type: KeyType, key: &[u8]) -> Vec<u8> {
    let mut algorithm = Vec::with_capacity(24);
    match key_type {
        KeyType::EcP256 | KeyType::EcP384 | KeyType::EcP521 => {
            write(&mut algorithm, TAG_OID, OID_EC_PUBLIC_KEY);
            let curve = match key_type {
                KeyType::EcP384 => OID_P384,
                KeyType::EcP521 => OID_P521,
                _ => OID_P256,
            };
            write(&mut algorithm, TAG_OID, curve);
        }
        KeyType::Rsa => {
            write(&mut algorithm, TAG_OID, OID_RSA);
            write(&mut algorithm, TAG_NULL, &[]);
        }
        KeyType::Ed25519 => write(&mut algorithm, TAG_OID, OID_ED25519),
        KeyType::MlDsa44 => write(&mut algorithm, TAG_OID, OID_MLDSA44),
        KeyType::MlDsa65 => write(&mut algorithm, TAG_OID, OID_MLDSA65),
        KeyType::MlDsa87 => write(&mut algorithm, TAG_OID, OID_MLDSA87),
    }
    let mut bits = Vec::with_capacity(key.len().saturating_add(1));
    bits.push(0);
    bits.extend_from_slice(key);
    let mut body = Vec::with_capacity(bits.len().saturating_add(algorithm.len()).saturating_add(8));
    write(&mut body, TAG_SEQUENCE, &algorithm);
    write(&mut body, TAG_BIT_STRING, &bits);
    let mut out = Vec::with_capacity(body.len().saturating_add(4));
    write(&mut out, TAG_SEQUENCE, &body);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_round_trip_through_writer_and_reader() {
        for len in [0usize, 1, 127, 128, 255, 256, 65535, 65536, 70000] {
            let content = vec![0x5a; len];
            let mut out = Vec::new();
            write(&mut out, TAG_SEQUENCE, &content);
            let mut r = Reader::new(&out);
            assert_eq!(r.read(TAG_SEQUENCE).unwrap(), content.as_slice(), "{len}");
            assert!(r.is_empty());
        }
    }

    #[test]
    fn refuses_non_minimal_and_indefinite_lengths() {
        for bad in [
            &[0x30, 0x81, 0x05, 0, 0, 0, 0, 0][..], // 0x81 for a short length
            &[0x30, 0x82, 0x00, 0x80],              // leading zero length octet
            &[0x30, 0x80, 0x00, 0x00],              // indefinite
            &[0x30, 0x84, 0, 0, 0, 1, 0],           // 4 length octets
            &[0x30, 0x05, 0, 0],                    // longer than the input
            &[0x30],                                // no length
        ] {
            assert!(Reader::new(bad).read(TAG_SEQUENCE).is_err(), "{bad:02x?}");
        }
    }

    #[test]
    fn ecdsa_der_matches_rfc3279_integer_rules() {
        // r has its top bit set (needs a 0x00), s has leading zeros (stripped).
        let mut fixed = vec![0x80; 32];
        fixed.extend_from_slice(&[0; 31]);
        fixed.push(0x01);
        let der = ecdsa_fixed_to_der(&fixed).unwrap();
        let mut expected = vec![0x30, 0x26, 0x02, 0x21, 0x00];
        expected.extend_from_slice(&[0x80; 32]);
        expected.extend_from_slice(&[0x02, 0x01, 0x01]);
        assert_eq!(der, expected);
        assert!(ecdsa_fixed_to_der(&[1, 2, 3]).is_none());
        assert!(ecdsa_fixed_to_der(&[]).is_none());
    }

    #[test]
    fn refuses_spki_with_trailing_bytes() {
        let mut spki = write_spki(KeyType::Ed25519, &[7; 32]);
        assert_eq!(
            parse_spki(&spki).unwrap(),
            (KeyType::Ed25519, &[7u8; 32][..])
        );
        spki.push(0);
        assert!(matches!(parse_spki(&spki), Err(Error::KeyRejected { .. })));
    }

    #[test]
    fn refuses_spki_bit_string_with_unused_bits() {
        let mut spki = write_spki(KeyType::Ed25519, &[7; 32]);
        let bits_at = spki.len() - 33;
        assert_eq!(spki[bits_at], 0);
        spki[bits_at] = 1;
        assert!(matches!(parse_spki(&spki), Err(Error::KeyRejected { .. })));
    }

    #[test]
    fn refuses_spki_of_unknown_algorithm() {
        // RFC 8410 §10.1: an X25519 SubjectPublicKeyInfo.
        let x25519 = [
            0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x03, 0x21, 0x00, 0x19, 0xbf,
            0x44, 0x09, 0x69, 0x84, 0xcd, 0xfe, 0x85, 0x41, 0xba, 0xc1, 0x67, 0xdc, 0x3b, 0x96,
            0xc8, 0x50, 0x86, 0xaa, 0x30, 0xb6, 0xb6, 0xcb, 0x0c, 0x5c, 0x38, 0xad, 0x70, 0x31,
            0x66, 0xe1,
        ];
        assert!(matches!(
            parse_spki(&x25519),
            Err(Error::Unsupported { .. })
        ));
    }
}
