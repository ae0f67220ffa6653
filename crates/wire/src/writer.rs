//! `Writer`: a growable output buffer with an optional size limit and back-patched length
//! prefixes.
//!
//! Every write names its field. A write that fails leaves the buffer exactly as it was before
//! that call: no truncated numbers, no half-written structures.

use crate::error::{EncodeError, EncodeErrorKind};
use crate::prefix::{LengthPrefix, U24_MAX};

/// A growable output buffer.
///
/// ```
/// use vtrust_wire::{LengthPrefix, Writer};
///
/// let mut w = Writer::with_limit(64);
/// w.u8("version", 0x12)?;
/// w.length_prefixed("opaque_data", LengthPrefix::U16Le, |w| {
///     w.bytes("element", b"abc")?;
///     w.zeros("reserved", 1)
/// })?;
/// assert_eq!(w.as_slice(), &[0x12, 0x04, 0x00, b'a', b'b', b'c', 0x00]);
/// # Ok::<(), vtrust_wire::EncodeError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Writer {
    buf: Vec<u8>,
    limit: usize,
}

impl Default for Writer {
    fn default() -> Self {
        Self::new()
    }
}

impl Writer {
    /// An empty writer with no limit.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            buf: Vec::new(),
            limit: usize::MAX,
        }
    }

    /// An empty writer with no limit and room for `capacity` bytes (a hint; if the
    /// allocation fails the writer starts empty and grows on demand).
    #[must_use]
    pub fn with_capacity(capacity: usize) -> Self {
        let mut w = Self::new();
        // A hint only: a failed reservation shows up at the first write that needs the room.
        let _ = w.buf.try_reserve(capacity);
        w
    }

    /// An empty writer whose content may never exceed `limit` bytes in total, e.g. the size of
    /// the buffer the message must fit. A write that would exceed it fails with
    /// [`EncodeErrorKind::LimitExceeded`].
    #[must_use]
    pub const fn with_limit(limit: usize) -> Self {
        Self {
            buf: Vec::new(),
            limit,
        }
    }

    /// The total size this writer allows (`usize::MAX` if none was set).
    #[must_use]
    pub const fn limit(&self) -> usize {
        self.limit
    }

    /// Bytes written.
    #[must_use]
    pub const fn len(&self) -> usize {
        self.buf.len()
    }

    /// Whether nothing has been written.
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Bytes that can still be written under the limit.
    #[must_use]
    pub const fn remaining(&self) -> usize {
        self.limit.saturating_sub(self.buf.len())
    }

    /// The bytes written so far.
    #[must_use]
    pub fn as_slice(&self) -> &[u8] {
        &self.buf
    }

    /// The bytes written.
    #[must_use]
    pub fn into_vec(self) -> Vec<u8> {
        self.buf
    }

    /// Makes room for `len` more bytes, or fails without changing anything.
    fn reserve(&mut self, field: &'static str, len: usize) -> Result<(), EncodeError> {
        let available = self.remaining();
        if len > available {
            return Err(EncodeError::new(
                field,
                EncodeErrorKind::LimitExceeded {
                    needed: len,
                    available,
                },
            ));
        }
        self.buf
            .try_reserve(len)
            .map_err(|_| EncodeError::new(field, EncodeErrorKind::AllocationFailed { len }))
    }

    /// Appends `bytes`.
    ///
    /// # Errors
    /// [`EncodeErrorKind::LimitExceeded`] past the limit, [`EncodeErrorKind::AllocationFailed`]
    /// if the buffer cannot grow.
    pub fn bytes(&mut self, field: &'static str, bytes: &[u8]) -> Result<(), EncodeError> {
        self.reserve(field, bytes.len())?;
        self.buf.extend_from_slice(bytes);
        Ok(())
    }

    /// Appends `len` zero bytes (reserved fields are written as zero).
    ///
    /// # Errors
    /// As [`bytes`](Self::bytes).
    pub fn zeros(&mut self, field: &'static str, len: usize) -> Result<(), EncodeError> {
        self.reserve(field, len)?;
        self.buf.resize(self.buf.len().saturating_add(len), 0);
        Ok(())
    }

    /// Appends one byte.
    ///
    /// # Errors
    /// As [`bytes`](Self::bytes).
    pub fn u8(&mut self, field: &'static str, value: u8) -> Result<(), EncodeError> {
        self.bytes(field, &[value])
    }

    /// Appends a little-endian `u16`.
    ///
    /// # Errors
    /// As [`bytes`](Self::bytes).
    pub fn u16_le(&mut self, field: &'static str, value: u16) -> Result<(), EncodeError> {
        self.bytes(field, &value.to_le_bytes())
    }

    /// Appends a big-endian `u16`.
    ///
    /// # Errors
    /// As [`bytes`](Self::bytes).
    pub fn u16_be(&mut self, field: &'static str, value: u16) -> Result<(), EncodeError> {
        self.bytes(field, &value.to_be_bytes())
    }

    fn check_u24(field: &'static str, value: u32) -> Result<[u8; 4], EncodeError> {
        if value <= U24_MAX {
            Ok(value.to_le_bytes())
        } else {
            Err(EncodeError::new(
                field,
                EncodeErrorKind::ValueOverflow {
                    value: value.into(),
                    max: U24_MAX.into(),
                },
            ))
        }
    }

    /// Appends a little-endian 24-bit number.
    ///
    /// # Errors
    /// [`EncodeErrorKind::ValueOverflow`] if `value > 0xFF_FFFF` (never truncated), else as
    /// [`bytes`](Self::bytes).
    pub fn u24_le(&mut self, field: &'static str, value: u32) -> Result<(), EncodeError> {
        let [a, b, c, _] = Self::check_u24(field, value)?;
        self.bytes(field, &[a, b, c])
    }

    /// Appends a big-endian 24-bit number.
    ///
    /// # Errors
    /// [`EncodeErrorKind::ValueOverflow`] if `value > 0xFF_FFFF` (never truncated), else as
    /// [`bytes`](Self::bytes).
    pub fn u24_be(&mut self, field: &'static str, value: u32) -> Result<(), EncodeError> {
        let [a, b, c, _] = Self::check_u24(field, value)?;
        self.bytes(field, &[c, b, a])
    }

    /// Appends a little-endian `u32`.
    ///
    /// # Errors
    /// As [`bytes`](Self::bytes).
    pub fn u32_le(&mut self, field: &'static str, value: u32) -> Result<(), EncodeError> {
        self.bytes(field, &value.to_le_bytes())
    }

    /// Appends a big-endian `u32`.
    ///
    /// # Errors
    /// As [`bytes`](Self::bytes).
    pub fn u32_be(&mut self, field: &'static str, value: u32) -> Result<(), EncodeError> {
        self.bytes(field, &value.to_be_bytes())
    }

    /// Appends a little-endian `u64`.
    ///
    /// # Errors
    /// As [`bytes`](Self::bytes).
    pub fn u64_le(&mut self, field: &'static str, value: u64) -> Result<(), EncodeError> {
        self.bytes(field, &value.to_le_bytes())
    }

    /// Appends a big-endian `u64`.
    ///
    /// # Errors
    /// As [`bytes`](Self::bytes).
    pub fn u64_be(&mut self, field: &'static str, value: u64) -> Result<(), EncodeError> {
        self.bytes(field, &value.to_be_bytes())
    }

    /// Appends a length field of width and byte order `prefix`, checking that `len` fits.
    ///
    /// # Errors
    /// [`EncodeErrorKind::LengthOverflow`] if `len` does not fit (never truncated), else as
    /// [`bytes`](Self::bytes).
    pub fn length(
        &mut self,
        field: &'static str,
        prefix: LengthPrefix,
        len: usize,
    ) -> Result<(), EncodeError> {
        let encoded = prefix.encode(field, len)?;
        self.bytes(field, encoded.as_slice())
    }

    /// Appends a one-byte length field. See [`length`](Self::length).
    ///
    /// # Errors
    /// As [`length`](Self::length).
    pub fn u8_len(&mut self, field: &'static str, len: usize) -> Result<(), EncodeError> {
        self.length(field, LengthPrefix::U8, len)
    }

    /// Appends a little-endian `u16` length field. See [`length`](Self::length).
    ///
    /// # Errors
    /// As [`length`](Self::length).
    pub fn u16_len_le(&mut self, field: &'static str, len: usize) -> Result<(), EncodeError> {
        self.length(field, LengthPrefix::U16Le, len)
    }

    /// Appends a big-endian `u16` length field. See [`length`](Self::length).
    ///
    /// # Errors
    /// As [`length`](Self::length).
    pub fn u16_len_be(&mut self, field: &'static str, len: usize) -> Result<(), EncodeError> {
        self.length(field, LengthPrefix::U16Be, len)
    }

    /// Appends a little-endian 24-bit length field. See [`length`](Self::length).
    ///
    /// # Errors
    /// As [`length`](Self::length).
    pub fn u24_len_le(&mut self, field: &'static str, len: usize) -> Result<(), EncodeError> {
        self.length(field, LengthPrefix::U24Le, len)
    }

    /// Appends a big-endian 24-bit length field. See [`length`](Self::length).
    ///
    /// # Errors
    /// As [`length`](Self::length).
    pub fn u24_len_be(&mut self, field: &'static str, len: usize) -> Result<(), EncodeError> {
        self.length(field, LengthPrefix::U24Be, len)
    }

    /// Appends a little-endian `u32` length field. See [`length`](Self::length).
    ///
    /// # Errors
    /// As [`length`](Self::length).
    pub fn u32_len_le(&mut self, field: &'static str, len: usize) -> Result<(), EncodeError> {
        self.length(field, LengthPrefix::U32Le, len)
    }

    /// Appends a big-endian `u32` length field. See [`length`](Self::length).
    ///
    /// # Errors
    /// As [`length`](Self::length).
    pub fn u32_len_be(&mut self, field: &'static str, len: usize) -> Result<(), EncodeError> {
        self.length(field, LengthPrefix::U32Be, len)
    }

    /// Writes a `prefix` length field, then whatever `content` writes, then patches the field
    /// with the length `content` actually wrote.
    ///
    /// # Errors
    /// [`EncodeErrorKind::LengthOverflow`] (field `field`) if the content is longer than the
    /// prefix can say, or whatever error `content` or the writer's limit raised. On any error
    /// the writer is rolled back to exactly its state before this call.
    pub fn length_prefixed<T, F>(
        &mut self,
        field: &'static str,
        prefix: LengthPrefix,
        content: F,
    ) -> Result<T, EncodeError>
    where
        F: FnOnce(&mut Self) -> Result<T, EncodeError>,
    {
        let start = self.buf.len();
        self.zeros(field, prefix.width())?;
        let result = content(self).and_then(|value| {
            // Writers never shrink, so the buffer still holds the placeholder.
            let len = self
                .buf
                .len()
                .saturating_sub(start)
                .saturating_sub(prefix.width());
            let encoded = prefix.encode(field, len)?;
            for (slot, byte) in self.buf.iter_mut().skip(start).zip(encoded.as_slice()) {
                *slot = *byte;
            }
            Ok(value)
        });
        if result.is_err() {
            self.buf.truncate(start);
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limit_exceeded(field: &'static str, needed: usize, available: usize) -> EncodeError {
        EncodeError::new(field, EncodeErrorKind::LimitExceeded { needed, available })
    }

    #[test]
    fn integers_both_byte_orders() {
        let mut w = Writer::new();
        w.u8("a", 0x01).unwrap();
        w.u16_le("b", 0x0302).unwrap();
        w.u16_be("c", 0x0405).unwrap();
        w.u24_le("d", 0x08_0706).unwrap();
        w.u24_be("e", 0x09_0A0B).unwrap();
        w.u32_le("f", 0x0F0E_0D0C).unwrap();
        w.u32_be("g", 0x1011_1213).unwrap();
        w.u64_le("h", 0x1B1A_1918_1716_1514).unwrap();
        w.u64_be("i", 0x1C1D_1E1F_2021_2223).unwrap();
        let expect: Vec<u8> = (0x01..=0x23).collect();
        assert_eq!(w.as_slice(), expect.as_slice());
        assert_eq!(w.len(), 0x23);
        assert_eq!(w.into_vec(), expect);
    }

    #[test]
    fn bytes_and_zeros() {
        let mut w = Writer::with_capacity(16);
        assert!(w.is_empty());
        w.bytes("nonce", &[0xAA, 0xBB]).unwrap();
        w.zeros("reserved", 3).unwrap();
        w.bytes("empty", &[]).unwrap();
        w.zeros("empty", 0).unwrap();
        assert_eq!(w.as_slice(), &[0xAA, 0xBB, 0, 0, 0]);
        assert_eq!(w.limit(), usize::MAX);
    }

    #[test]
    fn length_fields() {
        let mut w = Writer::new();
        w.u8_len("a", 0xFF).unwrap();
        w.u16_len_le("b", 0x0102).unwrap();
        w.u16_len_be("c", 0x0102).unwrap();
        w.u24_len_le("d", 0x01_0203).unwrap();
        w.u24_len_be("e", 0x01_0203).unwrap();
        w.u32_len_le("f", 0x0102_0304).unwrap();
        w.u32_len_be("g", 0x0102_0304).unwrap();
        assert_eq!(
            w.as_slice(),
            &[0xFF, 2, 1, 1, 2, 3, 2, 1, 1, 2, 3, 4, 3, 2, 1, 1, 2, 3, 4]
        );
    }

    #[test]
    fn length_prefixed_patches_actual_length() {
        for prefix in LengthPrefix::ALL {
            let mut w = Writer::new();
            w.u8("before", 0xEE).unwrap();
            w.length_prefixed("data", prefix, |w| w.bytes("x", &[1, 2, 3]))
                .unwrap();
            let mut expect = vec![0xEE];
            let mut len = Writer::new();
            len.length("data", prefix, 3).unwrap();
            expect.extend(len.as_slice());
            expect.extend([1, 2, 3]);
            assert_eq!(w.as_slice(), expect.as_slice(), "{prefix:?}");
        }
    }

    #[test]
    fn length_prefixed_nests_and_returns_value() {
        let mut w = Writer::new();
        let n = w
            .length_prefixed("outer", LengthPrefix::U16Be, |w| {
                w.u8("tag", 7)?;
                w.length_prefixed("inner", LengthPrefix::U8, |w| w.bytes("v", b"hi"))?;
                Ok(42)
            })
            .unwrap();
        assert_eq!(n, 42);
        assert_eq!(w.as_slice(), &[0, 4, 7, 2, b'h', b'i']);
    }

    #[test]
    fn limit_allows_exact_fit() {
        let mut w = Writer::with_limit(4);
        w.u32_be("all", 1).unwrap();
        assert_eq!(w.remaining(), 0);
        w.bytes("none", &[]).unwrap();
        assert_eq!(w.len(), 4);
    }

    #[test]
    fn refuses_write_past_limit() {
        let mut w = Writer::with_limit(5);
        w.u32_le("a", 0xDDCC_BBAA).unwrap();
        assert_eq!(w.u16_le("b", 1), Err(limit_exceeded("b", 2, 1)));
        assert_eq!(
            w.zeros("c", usize::MAX),
            Err(limit_exceeded("c", usize::MAX, 1))
        );
        assert_eq!(w.u64_be("d", 1), Err(limit_exceeded("d", 8, 1)));
        assert_eq!(
            w.as_slice(),
            &[0xAA, 0xBB, 0xCC, 0xDD],
            "unchanged on error"
        );
        w.u8("e", 0xEE).unwrap();
    }

    #[test]
    fn refuses_u24_value_overflow() {
        let mut w = Writer::new();
        let overflow = EncodeError::new(
            "length",
            EncodeErrorKind::ValueOverflow {
                value: 0x0100_0000,
                max: 0xFF_FFFF,
            },
        );
        assert_eq!(w.u24_le("length", 0x0100_0000), Err(overflow));
        assert_eq!(w.u24_be("length", 0x0100_0000), Err(overflow));
        assert!(w.is_empty(), "never truncated");
        w.u24_le("length", 0xFF_FFFF).unwrap();
    }

    #[test]
    fn refuses_length_overflow() {
        let mut w = Writer::new();
        assert_eq!(
            w.u16_len_le("opaque_length", 0x1_0000),
            Err(EncodeError::new(
                "opaque_length",
                EncodeErrorKind::LengthOverflow {
                    len: 0x1_0000,
                    max: 0xFFFF
                }
            ))
        );
        assert_eq!(
            w.u8_len("count", 256),
            Err(EncodeError::new(
                "count",
                EncodeErrorKind::LengthOverflow { len: 256, max: 255 }
            ))
        );
        assert!(w.is_empty());
    }

    #[test]
    fn refuses_prefixed_content_longer_than_prefix_and_rolls_back() {
        let mut w = Writer::new();
        w.bytes("header", &[1, 2, 3]).unwrap();
        let before = w.clone();
        let err = w
            .length_prefixed("opaque_data", LengthPrefix::U8, |w| w.zeros("x", 256))
            .unwrap_err();
        assert_eq!(
            err,
            EncodeError::new(
                "opaque_data",
                EncodeErrorKind::LengthOverflow { len: 256, max: 255 }
            )
        );
        assert_eq!(w, before);
        // 255 fits.
        w.length_prefixed("opaque_data", LengthPrefix::U8, |w| w.zeros("x", 255))
            .unwrap();
        assert_eq!(w.len(), 3 + 1 + 255);
    }

    #[test]
    fn prefixed_rolls_back_on_limit_and_closure_errors() {
        let mut w = Writer::with_limit(8);
        w.u16_le("header", 0xBEEF).unwrap();
        let before = w.clone();
        // The content exceeds the limit.
        let err = w
            .length_prefixed("data", LengthPrefix::U16Le, |w| {
                w.u16_le("a", 1)?;
                w.u32_le("b", 2)
            })
            .unwrap_err();
        assert_eq!(err, limit_exceeded("b", 4, 2));
        assert_eq!(w, before);
        // The placeholder itself exceeds the limit.
        let mut full = Writer::with_limit(1);
        assert_eq!(
            full.length_prefixed("data", LengthPrefix::U16Le, |_| Ok(())),
            Err(limit_exceeded("data", 2, 1))
        );
        assert!(full.is_empty());
        // The closure refuses a value after writing some bytes; nested prefixes unwind too.
        let err = w
            .length_prefixed("outer", LengthPrefix::U8, |w| {
                w.u8("x", 1)?;
                w.length_prefixed("inner", LengthPrefix::U8, |w| {
                    w.u8("y", 2)?;
                    Err::<(), _>(EncodeError::invalid_value("y"))
                })
            })
            .unwrap_err();
        assert_eq!(err, EncodeError::new("y", EncodeErrorKind::InvalidValue));
        assert_eq!(w, before);
    }

    #[test]
    fn refuses_allocation_failure() {
        // No limit: the allocation itself fails (past `isize::MAX` bytes), and is reported,
        // not aborted on.
        let mut w = Writer::new();
        w.u8("a", 1).unwrap();
        let huge = usize::MAX / 2;
        assert_eq!(
            w.zeros("huge", huge),
            Err(EncodeError::new(
                "huge",
                EncodeErrorKind::AllocationFailed { len: huge }
            ))
        );
        assert_eq!(w.as_slice(), &[1]);
    }
}
