//! Length prefixes: the width and byte order of a length field written before its content.

use crate::error::{EncodeError, EncodeErrorKind};

/// Largest value of a 24-bit field.
pub(crate) const U24_MAX: u32 = 0x00FF_FFFF;

/// The width and byte order of a length field that precedes its content.
///
/// Used by [`Reader::prefixed`](crate::Reader::prefixed),
/// [`Writer::length`](crate::Writer::length) and
/// [`Writer::length_prefixed`](crate::Writer::length_prefixed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LengthPrefix {
    /// One byte.
    U8,
    /// Two bytes, little-endian.
    U16Le,
    /// Two bytes, big-endian.
    U16Be,
    /// Three bytes, little-endian.
    U24Le,
    /// Three bytes, big-endian.
    U24Be,
    /// Four bytes, little-endian.
    U32Le,
    /// Four bytes, big-endian.
    U32Be,
}

impl LengthPrefix {
    /// Every prefix, for tests and fuzzing.
    pub const ALL: [Self; 7] = [
        Self::U8,
        Self::U16Le,
        Self::U16Be,
        Self::U24Le,
        Self::U24Be,
        Self::U32Le,
        Self::U32Be,
    ];

    /// Bytes the prefix itself takes.
    #[must_use]
    pub const fn width(self) -> usize {
        match self {
            Self::U8 => 1,
            Self::U16Le | Self::U16Be => 2,
            Self::U24Le | Self::U24Be => 3,
            Self::U32Le | Self::U32Be => 4,
        }
    }

    /// The largest length the prefix holds.
    #[must_use]
    pub fn max_len(self) -> usize {
        let max: u32 = match self {
            Self::U8 => u8::MAX.into(),
            Self::U16Le | Self::U16Be => u16::MAX.into(),
            Self::U24Le | Self::U24Be => U24_MAX,
            Self::U32Le | Self::U32Be => u32::MAX,
        };
        // Where `usize` is narrower than the prefix, every `usize` fits.
        usize::try_from(max).unwrap_or(usize::MAX)
    }

    /// The prefix bytes for `len`.
    pub(crate) fn encode(
        self,
        field: &'static str,
        len: usize,
    ) -> Result<PrefixBytes, EncodeError> {
        let overflow = || {
            EncodeError::new(
                field,
                EncodeErrorKind::LengthOverflow {
                    len,
                    max: self.max_len(),
                },
            )
        };
        let u32_len = u32::try_from(len).map_err(|_| overflow())?;
        let u24_len = || {
            if u32_len <= U24_MAX {
                Ok(u32_len.to_le_bytes())
            } else {
                Err(overflow())
            }
        };
        Ok(match self {
            Self::U8 => PrefixBytes::One(u8::try_from(len).map_err(|_| overflow())?.to_le_bytes()),
            Self::U16Le => {
                PrefixBytes::Two(u16::try_from(len).map_err(|_| overflow())?.to_le_bytes())
            }
            Self::U16Be => {
                PrefixBytes::Two(u16::try_from(len).map_err(|_| overflow())?.to_be_bytes())
            }
            Self::U24Le => {
                let [a, b, c, _] = u24_len()?;
                PrefixBytes::Three([a, b, c])
            }
            Self::U24Be => {
                let [a, b, c, _] = u24_len()?;
                PrefixBytes::Three([c, b, a])
            }
            Self::U32Le => PrefixBytes::Four(u32_len.to_le_bytes()),
            Self::U32Be => PrefixBytes::Four(u32_len.to_be_bytes()),
        })
    }
}

/// The encoded bytes of a length prefix, exactly `width()` long.
#[derive(Debug, Clone, Copy)]
pub(crate) enum PrefixBytes {
    One([u8; 1]),
    Two([u8; 2]),
    Three([u8; 3]),
    Four([u8; 4]),
}

impl PrefixBytes {
    pub(crate) const fn as_slice(&self) -> &[u8] {
        match self {
            Self::One(b) => b,
            Self::Two(b) => b,
            Self::Three(b) => b,
            Self::Four(b) => b,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_and_maxima() {
        let expect = [
            (LengthPrefix::U8, 1, 0xFF),
            (LengthPrefix::U16Le, 2, 0xFFFF),
            (LengthPrefix::U16Be, 2, 0xFFFF),
            (LengthPrefix::U24Le, 3, 0xFF_FFFF),
            (LengthPrefix::U24Be, 3, 0xFF_FFFF),
            (LengthPrefix::U32Le, 4, 0xFFFF_FFFF),
            (LengthPrefix::U32Be, 4, 0xFFFF_FFFF),
        ];
        for (p, width, max) in expect {
            assert_eq!(p.width(), width, "{p:?}");
            assert_eq!(p.max_len(), max, "{p:?}");
            assert_eq!(p.encode("f", max).unwrap().as_slice().len(), width);
        }
    }

    #[test]
    fn byte_order() {
        let enc = |p: LengthPrefix| p.encode("f", 0x0001_0203).map(|b| b.as_slice().to_vec());
        assert_eq!(enc(LengthPrefix::U24Le), Ok(vec![3, 2, 1]));
        assert_eq!(enc(LengthPrefix::U24Be), Ok(vec![1, 2, 3]));
        assert_eq!(enc(LengthPrefix::U32Le), Ok(vec![3, 2, 1, 0]));
        assert_eq!(enc(LengthPrefix::U32Be), Ok(vec![0, 1, 2, 3]));
        let enc = |p: LengthPrefix| p.encode("f", 0x0102).map(|b| b.as_slice().to_vec());
        assert_eq!(enc(LengthPrefix::U16Le), Ok(vec![2, 1]));
        assert_eq!(enc(LengthPrefix::U16Be), Ok(vec![1, 2]));
    }

    #[test]
    fn refuses_length_above_prefix_width() {
        for p in LengthPrefix::ALL {
            let len = p.max_len().saturating_add(1);
            if len == p.max_len() {
                continue; // usize cannot exceed this prefix
            }
            assert_eq!(
                p.encode("opaque_data", len).unwrap_err(),
                EncodeError::new(
                    "opaque_data",
                    EncodeErrorKind::LengthOverflow {
                        len,
                        max: p.max_len()
                    }
                ),
                "{p:?}"
            );
        }
    }
}
