//! TODO(helper): aead.
