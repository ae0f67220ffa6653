//! The `Decode` and `Encode` traits every wire type implements.

use crate::error::{DecodeError, EncodeError};
use crate::reader::Reader;
use crate::writer::Writer;

/// A type read from wire bytes. Borrowed fields may point into the input (`'a`).
pub trait Decode<'a>: Sized {
    /// Reads one value, leaving the reader after it.
    ///
    /// # Errors
    /// A [`DecodeError`] naming the first field that failed.
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError>;

    /// Reads one value that must take exactly all of `bytes`.
    ///
    /// # Errors
    /// As [`decode`](Self::decode), or [`TrailingBytes`](crate::DecodeErrorKind::TrailingBytes)
    /// (field: the type's name) if bytes are left over.
    fn decode_exact(bytes: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let value = Self::decode(&mut r)?;
        r.expect_end(short_type_name::<Self>())?;
        Ok(value)
    }
}

/// A type written as wire bytes.
pub trait Encode {
    /// Appends the encoding to `w`.
    ///
    /// Implementations should leave `w` unchanged on error; building the value inside
    /// [`Writer::length_prefixed`] or checking every field before the first write does that.
    ///
    /// # Errors
    /// An [`EncodeError`] naming the field that could not be written.
    fn encode(&self, w: &mut Writer) -> Result<(), EncodeError>;

    /// The encoded length, if cheaply known (a capacity hint only).
    fn encoded_len(&self) -> Option<usize> {
        None
    }

    /// The encoding as a new vector.
    ///
    /// # Errors
    /// As [`encode`](Self::encode).
    fn to_vec(&self) -> Result<Vec<u8>, EncodeError> {
        let mut w = Writer::with_capacity(self.encoded_len().unwrap_or(0));
        self.encode(&mut w)?;
        Ok(w.into_vec())
    }
}

/// The last path segment of `T`'s name (`"GetVersion"` for `vtrust_spdm::GetVersion<'_>`),
/// used as the field of a whole-message error.
fn short_type_name<T>() -> &'static str {
    let full = core::any::type_name::<T>();
    let no_generics = full.split('<').next().unwrap_or(full);
    no_generics.rsplit("::").next().unwrap_or(no_generics)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{DecodeErrorKind, EncodeErrorKind};

    /// A two-field test message: u8 tag, u16 LE value.
    #[derive(Debug, PartialEq, Eq)]
    struct Pair {
        tag: u8,
        value: u16,
    }

    impl Decode<'_> for Pair {
        fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
            Ok(Self {
                tag: r.u8("tag")?,
                value: r.u16_le("value")?,
            })
        }
    }

    impl Encode for Pair {
        fn encode(&self, w: &mut Writer) -> Result<(), EncodeError> {
            w.u8("tag", self.tag)?;
            w.u16_le("value", self.value)
        }
        fn encoded_len(&self) -> Option<usize> {
            Some(3)
        }
    }

    #[test]
    fn round_trip() {
        let p = Pair {
            tag: 1,
            value: 0x0302,
        };
        let bytes = p.to_vec().unwrap();
        assert_eq!(bytes, [1, 2, 3]);
        assert_eq!(Pair::decode_exact(&bytes), Ok(p));
    }

    #[test]
    fn decode_leaves_the_rest() {
        let mut r = Reader::new(&[1, 2, 3, 4]);
        assert_eq!(
            Pair::decode(&mut r),
            Ok(Pair {
                tag: 1,
                value: 0x0302
            })
        );
        assert_eq!(r.remaining(), 1);
    }

    #[test]
    fn refuses_trailing_bytes_after_message() {
        assert_eq!(
            Pair::decode_exact(&[1, 2, 3, 4, 5]),
            Err(DecodeError::new(
                "Pair",
                DecodeErrorKind::TrailingBytes { count: 2 }
            ))
        );
    }

    #[test]
    fn refuses_truncated_message() {
        assert_eq!(
            Pair::decode_exact(&[1, 2]),
            Err(DecodeError::new(
                "value",
                DecodeErrorKind::Truncated {
                    needed: 2,
                    available: 1
                }
            ))
        );
    }

    #[test]
    fn encode_error_propagates() {
        let mut w = Writer::with_limit(2);
        assert_eq!(
            Pair { tag: 1, value: 2 }.encode(&mut w),
            Err(EncodeError::new(
                "value",
                EncodeErrorKind::LimitExceeded {
                    needed: 2,
                    available: 1
                }
            ))
        );
    }

    #[test]
    fn short_type_names() {
        assert_eq!(short_type_name::<Pair>(), "Pair");
        assert_eq!(short_type_name::<Reader<'static>>(), "Reader");
        assert_eq!(short_type_name::<u8>(), "u8");
    }
}
