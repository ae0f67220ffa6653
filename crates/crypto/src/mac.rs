//! TODO(helper): mac.
