//! TODO(helper): wire codec.
