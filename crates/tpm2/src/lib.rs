//! An embedded TPM 2.0 command processor (TPM Library 1.85 subset, with ML-DSA and ML-KEM),
//! sans I/O: command bytes in, response bytes out.
//!
//! vtrust runs with nothing installed, and post-quantum sizes (ML-DSA-87 signatures of
//! 4627 bytes, responses above 4 KiB) can be exercised, which no TPM in Debian can.
//!
//! ```
//! use vtrust_crypto::CryptoProvider;
//! use vtrust_tpm2::Tpm;
//! let mut tpm = Tpm::new(CryptoProvider::new(), None)?;
//! // TPM2_Startup(TPM_SU_CLEAR)
//! let rsp = tpm.execute(0, &[0x80, 0x01, 0, 0, 0, 0x0c, 0, 0, 0x01, 0x44, 0, 0]);
//! assert_eq!(rsp, [0x80, 0x01, 0, 0, 0, 0x0a, 0, 0, 0, 0]);
//! # Ok::<(), vtrust_tpm2::StateError>(())
//! ```
//!
//! Layout:
//! - `codec`: TPM 2.0 Part 2 structures (TPM2B, TPMT_PUBLIC, TPMT_SIGNATURE, tickets,
//!   TPMS_CONTEXT, the command and response frames), through vtrust-wire.
//! - `commands`: one file per command family (Part 3 section in each file's docs).
//! - [`Tpm`] (`tpm.rs`): header and authorization processing (password and HMAC sessions),
//!   dispatch, responses; `state.rs`: permanent and volatile state blobs; `keys.rs`: KDFa and
//!   primary key derivation.
//!
//! Commands: Startup, Shutdown, SelfTest, GetRandom, StirRandom, GetCapability (ALGS,
//! HANDLES, COMMANDS, PCRS, TPM_PROPERTIES), TestParms, PCR_Read, PCR_Extend, PCR_Event,
//! Hash, HashSequenceStart, SequenceUpdate, SequenceComplete, CreatePrimary (ECC P-256/P-384,
//! ML-DSA-44/65/87, ML-KEM-512/768/1024), ReadPublic, Sign and VerifySignature (ECDSA),
//! SignDigest and VerifyDigestSignature (ML-DSA), Encapsulate and Decapsulate (ML-KEM),
//! StartAuthSession (unsalted HMAC sessions), ContextSave, ContextLoad, FlushContext.
//! Anything else is TPM_RC_COMMAND_CODE.

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

pub mod client;
mod codec;
mod commands;
pub mod constants;
mod keys;
pub mod rc;
mod state;
mod tpm;

pub use tpm::Tpm;

/// Why a state blob could not be used or made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StateError {
    /// The blob does not start with this crate's magic: not a vtrust TPM state.
    #[error("Not a vtrust TPM state blob")]
    BadMagic,
    /// The blob is of a version this build does not read.
    #[error("State blob version {0} is not supported")]
    UnsupportedVersion(u16),
    /// The blob is truncated or has a bad field.
    #[error("Malformed state blob: {0}")]
    Malformed(vtrust_wire::DecodeError),
    /// A saved object does not rebuild into the same key (blob from another TPM or altered).
    #[error("A saved object does not rebuild")]
    BadObject,
    /// The random number generator failed while creating seeds.
    #[error("Random number generator failed")]
    Rng,
}
