//! TODO(helper): hash.
