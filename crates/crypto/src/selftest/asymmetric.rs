//! Known-answer cases for signatures, key agreement and KEMs.

use super::KatCase;

/// The asymmetric cases.
pub(super) fn cases() -> Vec<KatCase> {
    Vec::new()
}
