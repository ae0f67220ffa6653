//! TODO(helper): cipher.
