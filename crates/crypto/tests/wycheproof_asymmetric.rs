//! TODO(helper)
fn main() {}
