//! The codec layer: parses the fixed parts of control and data requests from bytes already
//! copied out of guest memory, and serializes them (for the test driver and tests). No
//! policy: lengths are returned as read; the services check them against the device limits.
//!
//! Layouts (VIRTIO 1.3 §5.9.7.2, §5.9.7.4): without `VIRTIO_CRYPTO_F_REVISION_1` every
//! control `op_flf` is padded to 56 bytes (fixed part 72) and every data `op_flf` to 48 bytes
//! (fixed part 72); with it each `op_flf` has its natural size.

pub mod control;
pub mod data;

use vtrust_wire::{DecodeError, Reader};

/// Which request layout the driver negotiated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Layout {
    /// No `VIRTIO_CRYPTO_F_REVISION_1`: padded 72-byte fixed parts (what Linux and QEMU use).
    Legacy,
    /// `VIRTIO_CRYPTO_F_REVISION_1`: natural-size `op_flf`.
    Revision1,
}

/// Legacy size of a control request's `op_flf`. VIRTIO 1.3 §5.9.7.2.
pub const LEGACY_CTRL_FLF_LEN: usize = 56;
/// Legacy size of a data request's `op_flf`. VIRTIO 1.3 §5.9.7.4.
pub const LEGACY_DATA_FLF_LEN: usize = 48;

/// Takes the `op_flf` of `natural` bytes (Revision1) or `legacy` bytes (Legacy) from `r` and
/// returns a reader over it. The padding is ignored on read.
fn flf<'a>(
    r: &mut Reader<'a>,
    field: &'static str,
    layout: Layout,
    natural: usize,
    legacy: usize,
) -> Result<Reader<'a>, DecodeError> {
    let len = match layout {
        Layout::Legacy => legacy,
        Layout::Revision1 => natural,
    };
    r.sub(field, len)
}

/// Appends `v` little-endian.
fn put32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

/// Pads `out` with zeros to `legacy` bytes in the legacy layout.
fn pad(mut out: Vec<u8>, layout: Layout, legacy: usize) -> Vec<u8> {
    if layout == Layout::Legacy && out.len() < legacy {
        out.resize(legacy, 0);
    }
    out
}
