//! vhost-user backend for QEMU's `cryptodev-vhost-user`: QEMU keeps the virtio-crypto control
//! queue and forwards sessions as vhost-user messages 26/27; the data queues run here.
//!
//! This first slice is [`protocol`]: the vhost-user messages a backend receives, parsed and
//! size-checked once into typed values, and the replies it sends. The daemon (memory regions
//! mapped from the frontend's fds, vrings on virtio-queue, sessions on `vtrust-virtio-crypto`)
//! builds on it.

#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::arithmetic_side_effects
    )
)]

pub mod daemon;
pub mod device;
pub mod protocol;
