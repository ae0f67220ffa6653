//! Known-answer cases for hashes, MACs, KDFs, AEADs and ciphers.

use super::KatCase;

/// The symmetric cases.
pub(super) fn cases() -> Vec<KatCase> {
    Vec::new()
}
