//! `Reader`: a bounds-checked cursor over untrusted bytes.
//!
//! Every read names its field, so a failure says where the input went wrong. A read that fails
//! leaves the reader exactly where it was.

use core::ops::RangeInclusive;

use crate::check::{check_max, check_range};
use crate::error::{DecodeError, DecodeErrorKind};
use crate::prefix::LengthPrefix;

/// A cursor over untrusted bytes.
///
/// Reads never panic and never read past the end. A failed read returns a [`DecodeError`]
/// naming the field and leaves the reader unchanged.
///
/// ```
/// use vtrust_wire::{DecodeErrorKind, Reader};
///
/// let mut r = Reader::new(&[0x12, 0x34, 0x56, 0x00]);
/// assert_eq!(r.u16_le("param")?, 0x3412);
/// assert_eq!(r.u8("count")?, 0x56);
/// r.expect_zero("reserved", 1)?;
/// r.expect_end("message")?;
/// let err = r.u8("extra").unwrap_err();
/// assert_eq!(err.field, "extra");
/// assert_eq!(err.kind, DecodeErrorKind::Truncated { needed: 1, available: 0 });
/// # Ok::<(), vtrust_wire::DecodeError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reader<'a> {
    rest: &'a [u8],
    consumed: usize,
}

impl<'a> Reader<'a> {
    /// A reader over `data`, at position 0.
    #[must_use]
    pub const fn new(data: &'a [u8]) -> Self {
        Self {
            rest: data,
            consumed: 0,
        }
    }

    /// Bytes consumed so far (relative to this reader's start; a [`sub`](Self::sub) reader
    /// starts at 0).
    #[must_use]
    pub const fn position(&self) -> usize {
        self.consumed
    }

    /// Bytes left.
    #[must_use]
    pub const fn remaining(&self) -> usize {
        self.rest.len()
    }

    /// Whether every byte has been consumed.
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    const fn truncated(&self, field: &'static str, needed: usize) -> DecodeError {
        DecodeError::new(
            field,
            DecodeErrorKind::Truncated {
                needed,
                available: self.rest.len(),
            },
        )
    }

    /// Moves past `head`, the first `head.len()` bytes, leaving `tail`.
    const fn commit(&mut self, head: &[u8], tail: &'a [u8]) {
        self.rest = tail;
        // Cannot saturate: `consumed + rest.len()` is the length of the original slice.
        self.consumed = self.consumed.saturating_add(head.len());
    }

    /// The next `len` bytes, without consuming them.
    fn peek(&self, field: &'static str, len: usize) -> Result<(&'a [u8], &'a [u8]), DecodeError> {
        self.rest
            .split_at_checked(len)
            .ok_or_else(|| self.truncated(field, len))
    }

    fn array_ref<const N: usize>(
        &mut self,
        field: &'static str,
    ) -> Result<&'a [u8; N], DecodeError> {
        let (head, tail) = self
            .rest
            .split_first_chunk::<N>()
            .ok_or_else(|| self.truncated(field, N))?;
        self.commit(head, tail);
        Ok(head)
    }

    /// The next `N` bytes as an array.
    ///
    /// # Errors
    /// [`DecodeErrorKind::Truncated`] if fewer than `N` bytes are left.
    pub fn array<const N: usize>(&mut self, field: &'static str) -> Result<[u8; N], DecodeError> {
        self.array_ref(field).copied()
    }

    /// The next `len` bytes, borrowed from the input.
    ///
    /// # Errors
    /// [`DecodeErrorKind::Truncated`] if fewer than `len` bytes are left.
    pub fn bytes(&mut self, field: &'static str, len: usize) -> Result<&'a [u8], DecodeError> {
        let (head, tail) = self.peek(field, len)?;
        self.commit(head, tail);
        Ok(head)
    }

    /// A reader over the next `len` bytes; this reader moves past them.
    ///
    /// # Errors
    /// [`DecodeErrorKind::Truncated`] if fewer than `len` bytes are left.
    pub fn sub(&mut self, field: &'static str, len: usize) -> Result<Self, DecodeError> {
        self.bytes(field, len).map(Reader::new)
    }

    /// A reader over content preceded by a `prefix` length field; this reader moves past both.
    ///
    /// The length is checked against `max`, our own limit for the field, before anything else.
    ///
    /// # Errors
    /// [`DecodeErrorKind::Truncated`] if the length field or the content is cut short,
    /// [`DecodeErrorKind::TooLong`] if the length is above `max`. On error the reader is
    /// unchanged.
    pub fn prefixed(
        &mut self,
        field: &'static str,
        prefix: LengthPrefix,
        max: usize,
    ) -> Result<Self, DecodeError> {
        let mut ahead = self.clone();
        let len = ahead.length(field, prefix)?;
        let len = check_max(field, len, max)?;
        let sub = ahead.sub(field, len)?;
        *self = ahead;
        Ok(sub)
    }

    /// A length field of width and byte order `prefix`.
    ///
    /// Check it with [`check_max`] before using it to size anything.
    ///
    /// # Errors
    /// [`DecodeErrorKind::Truncated`] if the field is cut short.
    pub fn length(
        &mut self,
        field: &'static str,
        prefix: LengthPrefix,
    ) -> Result<usize, DecodeError> {
        let len = match prefix {
            LengthPrefix::U8 => u32::from(self.u8(field)?),
            LengthPrefix::U16Le => u32::from(self.u16_le(field)?),
            LengthPrefix::U16Be => u32::from(self.u16_be(field)?),
            LengthPrefix::U24Le => self.u24_le(field)?,
            LengthPrefix::U24Be => self.u24_be(field)?,
            LengthPrefix::U32Le => self.u32_le(field)?,
            LengthPrefix::U32Be => self.u32_be(field)?,
        };
        // Where `usize` is narrower than `u32`, a saturated length fails any later check.
        Ok(usize::try_from(len).unwrap_or(usize::MAX))
    }

    /// Everything left; the reader is then empty.
    pub fn rest(&mut self) -> &'a [u8] {
        let rest = self.rest;
        self.commit(rest, &[]);
        rest
    }

    /// Skips `len` bytes.
    ///
    /// # Errors
    /// [`DecodeErrorKind::Truncated`] if fewer than `len` bytes are left.
    pub fn skip(&mut self, field: &'static str, len: usize) -> Result<(), DecodeError> {
        self.bytes(field, len).map(|_| ())
    }

    /// Skips a reserved field of `len` bytes, whatever it holds (DESIGN.md: reserved fields
    /// are ignored on read).
    ///
    /// # Errors
    /// [`DecodeErrorKind::Truncated`] if fewer than `len` bytes are left.
    pub fn skip_reserved(&mut self, field: &'static str, len: usize) -> Result<(), DecodeError> {
        self.skip(field, len)
    }

    /// Reads `len` bytes that the spec says MUST be zero.
    ///
    /// # Errors
    /// [`DecodeErrorKind::Truncated`] if fewer than `len` bytes are left,
    /// [`DecodeErrorKind::ReservedNotZero`] if any of them is not zero. On error the reader is
    /// unchanged.
    pub fn expect_zero(&mut self, field: &'static str, len: usize) -> Result<(), DecodeError> {
        let (head, tail) = self.peek(field, len)?;
        if head.iter().any(|&b| b != 0) {
            return Err(DecodeError::new(field, DecodeErrorKind::ReservedNotZero));
        }
        self.commit(head, tail);
        Ok(())
    }

    /// Checks that every byte has been consumed; `field` names the message or structure.
    ///
    /// # Errors
    /// [`DecodeErrorKind::TrailingBytes`] if any byte is left.
    pub const fn expect_end(&self, field: &'static str) -> Result<(), DecodeError> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(DecodeError::new(
                field,
                DecodeErrorKind::TrailingBytes {
                    count: self.rest.len(),
                },
            ))
        }
    }

    /// The next byte, without consuming it.
    ///
    /// # Errors
    /// [`DecodeErrorKind::Truncated`] if no byte is left.
    pub fn peek_u8(&self, field: &'static str) -> Result<u8, DecodeError> {
        self.rest
            .first()
            .copied()
            .ok_or_else(|| self.truncated(field, 1))
    }

    /// One byte.
    ///
    /// # Errors
    /// [`DecodeErrorKind::Truncated`] if no byte is left.
    pub fn u8(&mut self, field: &'static str) -> Result<u8, DecodeError> {
        let [b] = self.array(field)?;
        Ok(b)
    }

    /// One byte that must lie in `range`.
    ///
    /// # Errors
    /// [`DecodeErrorKind::Truncated`] if no byte is left, [`DecodeErrorKind::OutOfRange`] if
    /// the byte is outside `range`. On error the reader is unchanged.
    pub fn u8_in(
        &mut self,
        field: &'static str,
        range: RangeInclusive<u8>,
    ) -> Result<u8, DecodeError> {
        let value = check_range(field, self.peek_u8(field)?, range)?;
        self.skip(field, 1)?;
        Ok(value)
    }

    /// A little-endian `u16`.
    ///
    /// # Errors
    /// [`DecodeErrorKind::Truncated`] if fewer than 2 bytes are left.
    pub fn u16_le(&mut self, field: &'static str) -> Result<u16, DecodeError> {
        self.array(field).map(u16::from_le_bytes)
    }

    /// A big-endian `u16`.
    ///
    /// # Errors
    /// [`DecodeErrorKind::Truncated`] if fewer than 2 bytes are left.
    pub fn u16_be(&mut self, field: &'static str) -> Result<u16, DecodeError> {
        self.array(field).map(u16::from_be_bytes)
    }

    /// A little-endian 24-bit number.
    ///
    /// # Errors
    /// [`DecodeErrorKind::Truncated`] if fewer than 3 bytes are left.
    pub fn u24_le(&mut self, field: &'static str) -> Result<u32, DecodeError> {
        let [a, b, c] = self.array(field)?;
        Ok(u32::from_le_bytes([a, b, c, 0]))
    }

    /// A big-endian 24-bit number.
    ///
    /// # Errors
    /// [`DecodeErrorKind::Truncated`] if fewer than 3 bytes are left.
    pub fn u24_be(&mut self, field: &'static str) -> Result<u32, DecodeError> {
        let [a, b, c] = self.array(field)?;
        Ok(u32::from_be_bytes([0, a, b, c]))
    }

    /// A little-endian `u32`.
    ///
    /// # Errors
    /// [`DecodeErrorKind::Truncated`] if fewer than 4 bytes are left.
    pub fn u32_le(&mut self, field: &'static str) -> Result<u32, DecodeError> {
        self.array(field).map(u32::from_le_bytes)
    }

    /// A big-endian `u32`.
    ///
    /// # Errors
    /// [`DecodeErrorKind::Truncated`] if fewer than 4 bytes are left.
    pub fn u32_be(&mut self, field: &'static str) -> Result<u32, DecodeError> {
        self.array(field).map(u32::from_be_bytes)
    }

    /// A little-endian `u64`.
    ///
    /// # Errors
    /// [`DecodeErrorKind::Truncated`] if fewer than 8 bytes are left.
    pub fn u64_le(&mut self, field: &'static str) -> Result<u64, DecodeError> {
        self.array(field).map(u64::from_le_bytes)
    }

    /// A big-endian `u64`.
    ///
    /// # Errors
    /// [`DecodeErrorKind::Truncated`] if fewer than 8 bytes are left.
    pub fn u64_be(&mut self, field: &'static str) -> Result<u64, DecodeError> {
        self.array(field).map(u64::from_be_bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn truncated(field: &'static str, needed: usize, available: usize) -> DecodeError {
        DecodeError::new(field, DecodeErrorKind::Truncated { needed, available })
    }

    const DATA: [u8; 8] = [0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08];

    #[test]
    fn integers_both_byte_orders() {
        let r = || Reader::new(&DATA);
        assert_eq!(r().u8("f"), Ok(0x01));
        assert_eq!(r().u16_le("f"), Ok(0x0201));
        assert_eq!(r().u16_be("f"), Ok(0x0102));
        assert_eq!(r().u24_le("f"), Ok(0x03_0201));
        assert_eq!(r().u24_be("f"), Ok(0x01_0203));
        assert_eq!(r().u32_le("f"), Ok(0x0403_0201));
        assert_eq!(r().u32_be("f"), Ok(0x0102_0304));
        assert_eq!(r().u64_le("f"), Ok(0x0807_0605_0403_0201));
        assert_eq!(r().u64_be("f"), Ok(0x0102_0304_0506_0708));
    }

    #[test]
    fn reads_advance_position() {
        let mut r = Reader::new(&DATA);
        assert_eq!(r.u8("a"), Ok(1));
        assert_eq!(r.u24_be("b"), Ok(0x02_0304));
        assert_eq!(r.position(), 4);
        assert_eq!(r.remaining(), 4);
        assert!(!r.is_empty());
        assert_eq!(r.u32_le("c"), Ok(0x0807_0605));
        assert_eq!(r.position(), 8);
        assert!(r.is_empty());
        assert_eq!(r.expect_end("msg"), Ok(()));
    }

    #[test]
    fn array_bytes_rest() {
        let mut r = Reader::new(&DATA);
        assert_eq!(r.array::<2>("a"), Ok([1, 2]));
        assert_eq!(r.array::<0>("empty"), Ok([]));
        assert_eq!(r.bytes("b", 3), Ok(&DATA[2..5]));
        assert_eq!(r.bytes("empty", 0), Ok(&[][..]));
        assert_eq!(r.rest(), &DATA[5..]);
        assert!(r.is_empty());
        assert_eq!(r.position(), 8);
        assert_eq!(r.rest(), &[] as &[u8]);
    }

    #[test]
    fn sub_reader_is_nested_and_advances_parent() {
        let mut r = Reader::new(&DATA);
        r.skip("a", 1).unwrap();
        let mut sub = r.sub("inner", 3).unwrap();
        assert_eq!(r.position(), 4);
        assert_eq!(sub.position(), 0);
        assert_eq!(sub.remaining(), 3);
        assert_eq!(sub.u16_be("x"), Ok(0x0203));
        assert_eq!(sub.u16_be("y"), Err(truncated("y", 2, 1)));
        assert_eq!(
            sub.expect_end("inner"),
            Err(DecodeError::new(
                "inner",
                DecodeErrorKind::TrailingBytes { count: 1 }
            ))
        );
        assert_eq!(r.u8("b"), Ok(5));
    }

    #[test]
    fn prefixed_reads_length_then_content() {
        let data = [0x00, 0x03, 0xAA, 0xBB, 0xCC, 0xDD];
        let mut r = Reader::new(&data);
        let mut sub = r.prefixed("opaque", LengthPrefix::U16Be, 16).unwrap();
        assert_eq!(sub.rest(), &[0xAA, 0xBB, 0xCC]);
        assert_eq!(r.position(), 5);
        assert_eq!(r.u8("next"), Ok(0xDD));

        for prefix in LengthPrefix::ALL {
            let mut bytes = vec![0; prefix.width()];
            bytes.extend([9, 9]);
            let mut r = Reader::new(&bytes);
            let sub = r.prefixed("empty", prefix, 0).unwrap();
            assert!(sub.is_empty(), "{prefix:?}");
            assert_eq!(r.remaining(), 2);
        }
    }

    #[test]
    fn length_fields_all_widths() {
        let data = [0x01, 0x02, 0x03, 0x04];
        let len = |p| Reader::new(&data).length("len", p);
        assert_eq!(len(LengthPrefix::U8), Ok(0x01));
        assert_eq!(len(LengthPrefix::U16Le), Ok(0x0201));
        assert_eq!(len(LengthPrefix::U16Be), Ok(0x0102));
        assert_eq!(len(LengthPrefix::U24Le), Ok(0x03_0201));
        assert_eq!(len(LengthPrefix::U24Be), Ok(0x01_0203));
        assert_eq!(len(LengthPrefix::U32Le), Ok(0x0403_0201));
        assert_eq!(len(LengthPrefix::U32Be), Ok(0x0102_0304));
    }

    #[test]
    fn skip_and_reserved() {
        let data = [0xFF, 0x00, 0x00, 0x07];
        let mut r = Reader::new(&data);
        r.skip_reserved("reserved", 1).unwrap();
        r.expect_zero("reserved2", 2).unwrap();
        r.skip("x", 1).unwrap();
        r.expect_zero("none", 0).unwrap();
        assert!(r.is_empty());
    }

    #[test]
    fn peek_does_not_consume() {
        let mut r = Reader::new(&DATA);
        assert_eq!(r.peek_u8("code"), Ok(1));
        assert_eq!(r.peek_u8("code"), Ok(1));
        assert_eq!(r.position(), 0);
        r.rest();
        assert_eq!(r.peek_u8("code"), Err(truncated("code", 1, 0)));
    }

    #[test]
    fn u8_in_accepts_range() {
        let mut r = Reader::new(&[0x10, 0x13]);
        assert_eq!(r.u8_in("version", 0x10..=0x13), Ok(0x10));
        assert_eq!(r.u8_in("version", 0x10..=0x13), Ok(0x13));
    }

    #[test]
    fn refuses_truncated_input() {
        let mut r = Reader::new(&DATA[..3]);
        assert_eq!(r.u32_le("length"), Err(truncated("length", 4, 3)));
        assert_eq!(r.u64_be("nonce"), Err(truncated("nonce", 8, 3)));
        assert_eq!(r.array::<4>("arr"), Err(truncated("arr", 4, 3)));
        assert_eq!(r.bytes("data", 4), Err(truncated("data", 4, 3)));
        assert_eq!(r.sub("inner", 4), Err(truncated("inner", 4, 3)));
        assert_eq!(r.skip("pad", 4), Err(truncated("pad", 4, 3)));
        assert_eq!(r.skip_reserved("rsvd", 4), Err(truncated("rsvd", 4, 3)));
        assert_eq!(r.expect_zero("rsvd", 4), Err(truncated("rsvd", 4, 3)));
        assert_eq!(
            r.bytes("huge", usize::MAX),
            Err(truncated("huge", usize::MAX, 3))
        );
        assert_eq!(r.u24_le("a"), Ok(0x03_0201));
        assert_eq!(r.u8("param1"), Err(truncated("param1", 1, 0)));
        assert_eq!(r.u8_in("param1", 0..=1), Err(truncated("param1", 1, 0)));
        assert_eq!(r.u16_be("b"), Err(truncated("b", 2, 0)));
        assert_eq!(r.u24_be("c"), Err(truncated("c", 3, 0)));
    }

    #[test]
    fn refuses_truncated_prefixed_content() {
        // Length says 4, only 2 bytes follow.
        let data = [0x04, 0xAA, 0xBB];
        let mut r = Reader::new(&data);
        assert_eq!(
            r.prefixed("cert_chain", LengthPrefix::U8, 64),
            Err(truncated("cert_chain", 4, 2))
        );
        assert_eq!(r.position(), 0, "reader unchanged on error");
        // The length field itself cut short.
        let mut r = Reader::new(&data[..1]);
        assert_eq!(
            r.prefixed("cert_chain", LengthPrefix::U16Le, 64),
            Err(truncated("cert_chain", 2, 1))
        );
    }

    #[test]
    fn refuses_trailing_bytes() {
        let mut r = Reader::new(&DATA);
        r.u32_le("a").unwrap();
        assert_eq!(
            r.expect_end("get_version"),
            Err(DecodeError::new(
                "get_version",
                DecodeErrorKind::TrailingBytes { count: 4 }
            ))
        );
    }

    #[test]
    fn refuses_out_of_range() {
        let mut r = Reader::new(&[0x14]);
        assert_eq!(
            r.u8_in("version", 0x10..=0x13),
            Err(DecodeError::new(
                "version",
                DecodeErrorKind::OutOfRange { value: 0x14 }
            ))
        );
        assert_eq!(r.position(), 0, "reader unchanged on error");
    }

    #[test]
    fn refuses_reserved_not_zero() {
        let data = [0x00, 0x00, 0x01, 0x00];
        let mut r = Reader::new(&data);
        assert_eq!(
            r.expect_zero("reserved", 4),
            Err(DecodeError::new(
                "reserved",
                DecodeErrorKind::ReservedNotZero
            ))
        );
        assert_eq!(r.position(), 0, "reader unchanged on error");
        // The same bytes are fine when the spec says "ignore on read".
        r.skip_reserved("reserved", 4).unwrap();
    }

    #[test]
    fn refuses_length_above_our_limit() {
        let data = [0x00, 0x10, 0x00, 0x00];
        let mut r = Reader::new(&data);
        assert_eq!(
            r.prefixed("opaque_length", LengthPrefix::U32Le, 1024),
            Err(DecodeError::new(
                "opaque_length",
                DecodeErrorKind::TooLong {
                    len: 4096,
                    max: 1024
                }
            ))
        );
        assert_eq!(r.position(), 0, "reader unchanged on error");
    }

    #[test]
    fn refuses_invalid_value() {
        // InvalidValue is raised by the caller's own checks.
        let mut r = Reader::new(&[0x02]);
        let flag = r.u8("flag").unwrap();
        let err = (flag > 1).then(|| DecodeError::invalid_value("flag"));
        assert_eq!(
            err,
            Some(DecodeError::new("flag", DecodeErrorKind::InvalidValue))
        );
    }

    #[test]
    fn failed_reads_leave_reader_unchanged() {
        let mut r = Reader::new(&DATA);
        r.u8("a").unwrap();
        let before = r.clone();
        assert!(r.u64_le("x").is_err());
        assert!(r.array::<8>("x").is_err());
        assert!(r.sub("x", 8).is_err());
        assert!(r.skip("x", 8).is_err());
        assert_eq!(r, before);
    }
}
