//! SPDM certificate chains: the wire format, validation, and generation.
//!
//! This module owns everything between the bytes a peer returns in CERTIFICATE (or sends with
//! SET_CERTIFICATE) and the leaf public key an SPDM signature is verified with:
//!
//! | file | what it owns |
//! |---|---|
//! | [`chain`] | the SPDM certificate chain format (`Length`, `Reserved`, `RootHash`, DER certificates), parsed into [`SpdmCertChain`] with our limits, and written back |
//! | [`validate`] | [`ValidationPolicy`], [`TrustAnchor`], the DSP0274 and RFC 5280 rules, and [`ValidatedChain`] |
//! | [`generate`] | [`ChainSpec`]: root CA → intermediate CA(s) → leaf, signed with our crypto provider (ECDSA, RSA, Ed25519, ML-DSA) |
//! | [`error`] | [`ChainError`]: which certificate broke which rule |
//! | [`time`] | [`Timestamp`], the caller-supplied "now" |
//! | [`oid`] | the DMTF object identifiers (DSP0274 "SPDM object identifiers") |
//!
//! Type state: bytes from a peer become an [`SpdmCertChain`] (its shape is checked, nothing in
//! it is trusted and none of its certificates can be read), and an [`SpdmCertChain`] becomes a
//! [`ValidatedChain`] only through [`SpdmCertChain::validate`]. The leaf [`PublicKey`] that
//! verifies CHALLENGE_AUTH, MEASUREMENTS and KEY_EXCHANGE_RSP signatures is only reachable
//! from a [`ValidatedChain`].
//!
//! ```
//! use vtrust_crypto::{CryptoProvider, hash::HashAlg, sign::{KeyType, SignatureAlg}};
//! use vtrust_spdm::cert::{
//!     Anchors, ChainSpec, LengthField, ParseOptions, Role, SpdmCertChain, Timestamp,
//!     TrustAnchor, ValidationPolicy,
//! };
//!
//! let provider = CryptoProvider::new();
//! // A responder's identity: root CA -> intermediate CA -> leaf, all ECDSA P-384.
//! let generated = ChainSpec::new(SignatureAlg::EcdsaP384Sha384).generate(&provider)?;
//! let bytes = generated.to_spdm_chain(&provider, HashAlg::Sha384, LengthField::U16)?;
//!
//! // The requester parses what CERTIFICATE returned and validates it.
//! let anchors = [TrustAnchor::from_der(generated.root_der())?];
//! let chain = SpdmCertChain::parse(&bytes, &ParseOptions::new(HashAlg::Sha384))?;
//! let policy = ValidationPolicy::new(
//!     Role::ResponderAuth,
//!     Timestamp::from_unix(1_795_305_600), // 2026-11-22
//!     Anchors::Trusted(&anchors),
//!     KeyType::EcP384.into(),
//! );
//! let validated = chain.validate(&policy, &provider)?;
//! assert_eq!(validated.leaf_public_key(), generated.leaf_key().public_key());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! [`PublicKey`]: vtrust_crypto::sign::PublicKey

mod algorithm;
pub mod chain;
mod der_util;
pub mod error;
pub mod generate;
pub mod oid;
pub mod time;
pub mod validate;

pub use chain::{LengthField, ParseOptions, SpdmCertChain};
pub use error::{ChainError, ChainErrorKind};
pub use generate::{ChainSpec, GenerateError, GeneratedChain, LeafEku, LeafKeyUsage};
pub use time::Timestamp;
pub use validate::{
    AnchorStatus, Anchors, CertSummary, LeafKey, Role, TrustAnchor, ValidatedChain,
    ValidationPolicy,
};
