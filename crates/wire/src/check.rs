//! Checks on decoded values: our own length limits and allowed ranges.

use core::ops::RangeInclusive;

use crate::error::{DecodeError, DecodeErrorKind};

/// Checks a length taken from the input against the limit we set for `field`.
///
/// Returns `len` if `len <= max`.
///
/// # Errors
/// [`DecodeErrorKind::TooLong`] if `len > max`.
pub const fn check_max(field: &'static str, len: usize, max: usize) -> Result<usize, DecodeError> {
    if len <= max {
        Ok(len)
    } else {
        Err(DecodeError::new(
            field,
            DecodeErrorKind::TooLong { len, max },
        ))
    }
}

/// Checks that a decoded number lies in `range`.
///
/// Returns `value` if it does.
///
/// # Errors
/// [`DecodeErrorKind::OutOfRange`] if it does not.
pub fn check_range<T>(
    field: &'static str,
    value: T,
    range: RangeInclusive<T>,
) -> Result<T, DecodeError>
where
    T: PartialOrd + Copy + Into<u64>,
{
    if range.contains(&value) {
        Ok(value)
    } else {
        Err(DecodeError::new(
            field,
            DecodeErrorKind::OutOfRange {
                value: value.into(),
            },
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_max_accepts_up_to_the_limit() {
        assert_eq!(check_max("n", 0, 0), Ok(0));
        assert_eq!(check_max("n", 1024, 1024), Ok(1024));
    }

    #[test]
    fn refuses_length_above_limit() {
        assert_eq!(
            check_max("opaque_length", 1025, 1024),
            Err(DecodeError::new(
                "opaque_length",
                DecodeErrorKind::TooLong {
                    len: 1025,
                    max: 1024
                }
            ))
        );
    }

    #[test]
    fn check_range_is_inclusive() {
        assert_eq!(check_range("v", 1u16, 1..=8), Ok(1));
        assert_eq!(check_range("v", 8u16, 1..=8), Ok(8));
        assert_eq!(check_range("v", u64::MAX, 0..=u64::MAX), Ok(u64::MAX));
    }

    #[test]
    fn refuses_value_out_of_range() {
        assert_eq!(
            check_range("slot_id", 9u32, 0..=7),
            Err(DecodeError::new(
                "slot_id",
                DecodeErrorKind::OutOfRange { value: 9 }
            ))
        );
        assert_eq!(
            check_range("count", 0u8, 1..=255),
            Err(DecodeError::new(
                "count",
                DecodeErrorKind::OutOfRange { value: 0 }
            ))
        );
    }
}
