//! TODO(helper): hmac.
