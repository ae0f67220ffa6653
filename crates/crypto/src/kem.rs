//! TODO(helper): kem.
