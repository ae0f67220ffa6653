//! The few raw DER operations the certificate code needs before (or beside) the typed
//! x509-cert decoding: splitting concatenated certificates on their outer lengths, slicing the
//! exact TBSCertificate bytes a signature covers, and an RSA modulus length.
//!
//! Strict DER (X.690 §10.1): definite lengths only, in the minimal number of octets. Never
//! indexes, never does unchecked arithmetic.

use der::{Decode, Sequence, asn1::UintRef};

/// The universal constructed SEQUENCE tag.
pub(crate) const TAG_SEQUENCE: u8 = 0x30;

/// The most length octets we accept (elements below 4 GiB; our chain limits are far lower).
const MAX_LENGTH_OCTETS: usize = 4;

/// One TLV's header at the start of `bytes`: `(tag, header_len, content_len)`. The content is
/// not checked to be present.
pub(crate) fn tlv_header(bytes: &[u8]) -> Result<(u8, usize, usize), &'static str> {
    let (&tag, rest) = bytes.split_first().ok_or("truncated: missing tag")?;
    if tag & 0x1f == 0x1f {
        return Err("multi-octet tags are not used in certificates");
    }
    let (&first, rest) = rest.split_first().ok_or("truncated: missing length")?;
    if first < 0x80 {
        return Ok((tag, 2, usize::from(first)));
    }
    let count = usize::from(first & 0x7f);
    if count == 0 {
        return Err("indefinite length is not DER");
    }
    if count > MAX_LENGTH_OCTETS {
        return Err("length field too long");
    }
    let octets = rest.get(..count).ok_or("truncated: length octets")?;
    if octets.first() == Some(&0) {
        return Err("length not minimally encoded");
    }
    let mut len: usize = 0;
    for &octet in octets {
        len = len
            .checked_mul(256)
            .and_then(|l| l.checked_add(usize::from(octet)))
            .ok_or("length overflows")?;
    }
    if len < 0x80 {
        return Err("length not minimally encoded");
    }
    let header_len = count.checked_add(2).ok_or("length overflows")?;
    Ok((tag, header_len, len))
}

/// Splits the first complete TLV off `bytes`: `(element, rest)`. The element must carry
/// `tag` and its content must lie inside `bytes`.
pub(crate) fn split_tlv(bytes: &[u8], tag: u8) -> Result<(&[u8], &[u8]), &'static str> {
    let (got, header_len, content_len) = tlv_header(bytes)?;
    if got != tag {
        return Err("not a DER SEQUENCE");
    }
    let total = header_len
        .checked_add(content_len)
        .ok_or("length overflows")?;
    bytes
        .split_at_checked(total)
        .ok_or("element runs past the end of the input")
}

/// The content of the single TLV that `bytes` is (tag `tag`, no trailing bytes).
pub(crate) fn content_of(bytes: &[u8], tag: u8) -> Result<&[u8], &'static str> {
    let (element, rest) = split_tlv(bytes, tag)?;
    if !rest.is_empty() {
        return Err("trailing bytes after the element");
    }
    let (_, header_len, _) = tlv_header(element)?;
    element.get(header_len..).ok_or("truncated")
}

/// The exact DER bytes of a certificate's TBSCertificate (RFC 5280 §4.1.1.1), the bytes its
/// signature covers.
pub(crate) fn tbs_certificate(cert: &[u8]) -> Result<&[u8], &'static str> {
    let content = content_of(cert, TAG_SEQUENCE)?;
    let (tbs, _) = split_tlv(content, TAG_SEQUENCE)?;
    Ok(tbs)
}

/// PKCS#1 `RSAPublicKey` (RFC 8017 A.1.1).
#[derive(Sequence)]
struct RsaPublicKey<'a> {
    modulus: UintRef<'a>,
    public_exponent: UintRef<'a>,
}

/// The modulus length in bits of a PKCS#1 `RSAPublicKey`, `None` if it does not parse.
pub(crate) fn rsa_modulus_bits(pkcs1: &[u8]) -> Option<usize> {
    let key = RsaPublicKey::from_der(pkcs1).ok()?;
    let _ = key.public_exponent;
    let bytes = key.modulus.as_bytes();
    let first = bytes.first()?;
    let leading = usize::try_from(first.leading_zeros()).ok()?;
    bytes.len().checked_mul(8)?.checked_sub(leading)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_lengths() {
        assert_eq!(tlv_header(&[0x30, 0x03]), Ok((0x30, 2, 3)));
        assert_eq!(tlv_header(&[0x30, 0x81, 0x80]), Ok((0x30, 3, 0x80)));
        assert_eq!(tlv_header(&[0x30, 0x82, 0x01, 0x00]), Ok((0x30, 4, 0x100)));
    }

    #[test]
    fn refuses_non_der_lengths() {
        assert!(tlv_header(&[0x30, 0x80]).is_err(), "indefinite");
        assert!(
            tlv_header(&[0x30, 0x81, 0x7f]).is_err(),
            "non-minimal short"
        );
        assert!(
            tlv_header(&[0x30, 0x82, 0x00, 0x80]).is_err(),
            "leading zero"
        );
        assert!(
            tlv_header(&[0x30, 0x85, 1, 0, 0, 0, 0]).is_err(),
            "too many octets"
        );
        assert!(tlv_header(&[0x30, 0x82, 0x01]).is_err(), "truncated");
        assert!(tlv_header(&[0x30]).is_err(), "no length");
        assert!(tlv_header(&[]).is_err(), "empty");
    }

    #[test]
    fn split_checks_the_content_fits() {
        assert_eq!(
            split_tlv(&[0x30, 0x01, 0xAA, 0xBB], 0x30),
            Ok((&[0x30, 0x01, 0xAA][..], &[0xBB][..]))
        );
        assert!(split_tlv(&[0x30, 0x02, 0xAA], 0x30).is_err());
        assert!(split_tlv(&[0x31, 0x01, 0xAA], 0x30).is_err());
    }
}
