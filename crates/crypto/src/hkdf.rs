//! TODO(helper): hkdf.
