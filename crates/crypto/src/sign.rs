//! TODO(helper): sign.
