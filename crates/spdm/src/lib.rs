//! SPDM (DMTF DSP0274 1.0-1.4) for vtrust, sans I/O.
//!
//! This crate takes bytes in and gives bytes out; sockets and transports live in
//! `vtrust-spdm-transport`. This layer is [`codec`]: every message of the version,
//! capabilities and algorithms exchange (VCA), certificate authentication and measurement flows
//! parsed once, at the boundary, into typed values and written back byte for byte, with the
//! field differences of SPDM 1.0, 1.1, 1.2, 1.3 and 1.4. State machines, transcripts and crypto
//! build on it in later layers.

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

pub mod cert;
pub mod codec;
pub mod measurements;
pub mod negotiated;
pub mod requester;
pub mod responder;
pub mod signing;
pub mod transcript;
