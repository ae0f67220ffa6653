//! TODO(helper): kex.
