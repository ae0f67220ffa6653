//! SPDM signatures over transcript hashes: the SPDM 1.2+ signing prefix and the per-version
//! rules for making and checking CHALLENGE_AUTH, MEASUREMENTS and KEY_EXCHANGE_RSP (and
//! later requester) signatures.
//!
//! SPDM 1.2+ (DSP0274 1.2 §15 "Signature generation"): the signed message is
//! `combined_spdm_prefix || Hash(transcript)`, where `combined_spdm_prefix` (100 bytes) is
//! `"dmtf-spdm-v1.X.*"` four times (64 bytes), zero bytes, and the context string
//! right-aligned in the last 36 bytes. ECDSA, RSA and Ed25519 sign that message with the
//! algorithm's hash (ECDSA hashes it again; `r || s` on the wire); ML-DSA (1.4 PqcAsym)
//! signs it as pure ML-DSA with the FIPS 204 context string = the SPDM context string
//! (libspdm `libspdm_pqc_asym_sign`; checked against `mctp_1.4_mldsa65`).
//!
//! SPDM 1.0/1.1: no prefix; the signature is over the transcript M itself, i.e. ECDSA/RSA
//! sign `Hash(M)` as the message digest (libspdm `libspdm_asym_verify_ex` hashes M and
//! verifies that digest). Ed25519 would need M itself and is refused here (libspdm's 1.0/1.1
//! little-endian ECDSA fallback is not implemented either: big-endian `r || s` only).
//!
//! ```
//! use vtrust_spdm::codec::SpdmVersion;
//! use vtrust_spdm::signing::{SigningContext, signing_prefix};
//!
//! let prefix = signing_prefix(SpdmVersion::V12, SigningContext::ResponderChallengeAuth)?;
//! assert_eq!(&prefix[..16], b"dmtf-spdm-v1.2.*");
//! assert_eq!(&prefix[64..68], &[0, 0, 0, 0]);
//! assert_eq!(&prefix[68..], b"responder-challenge_auth signing");
//! # Ok::<(), vtrust_spdm::signing::SigningError>(())
//! ```

use vtrust_crypto::CryptoProvider;
use vtrust_crypto::hash::Digest;
use vtrust_crypto::sign::{EcdsaEncoding, PublicKey, SignatureAlg, SigningKey};

use crate::codec::SpdmVersion;

/// Size of `combined_spdm_prefix` (64 + 36).
pub const SIGNING_PREFIX_LEN: usize = 100;

/// Size of the context string field the context is right-aligned in.
const CONTEXT_FIELD_LEN: usize = 36;

/// The signing context strings (DSP0274 1.2 Table "SPDM signing context strings").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SigningContext {
    /// CHALLENGE_AUTH, signed by the responder.
    ResponderChallengeAuth,
    /// CHALLENGE_AUTH, signed by the requester (mutual authentication).
    RequesterChallengeAuth,
    /// MEASUREMENTS, signed by the responder.
    ResponderMeasurements,
    /// KEY_EXCHANGE_RSP, signed by the responder.
    ResponderKeyExchangeRsp,
    /// FINISH, signed by the requester.
    RequesterFinish,
    /// ENDPOINT_INFO (1.3+), signed by the responder.
    ResponderEndpointInfo,
    /// ENDPOINT_INFO (1.3+), signed by the requester (encapsulated).
    RequesterEndpointInfo,
}

impl SigningContext {
    /// The context string.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::ResponderChallengeAuth => "responder-challenge_auth signing",
            Self::RequesterChallengeAuth => "requester-challenge_auth signing",
            Self::ResponderMeasurements => "responder-measurements signing",
            Self::ResponderKeyExchangeRsp => "responder-key_exchange_rsp signing",
            Self::RequesterFinish => "requester-finish signing",
            Self::ResponderEndpointInfo => "responder-endpoint_info signing",
            Self::RequesterEndpointInfo => "requester-endpoint_info signing",
        }
    }
}

/// Why a signature could not be made or did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SigningError {
    /// The signature does not verify over this transcript hash.
    #[error("Signature does not verify ({context:?})")]
    BadSignature {
        /// The context it was checked under.
        context: SigningContext,
    },
    /// The signature has the wrong size for the algorithm.
    #[error("Signature is {len} bytes, {alg:?} needs {expected}")]
    BadSignatureLength {
        /// The algorithm.
        alg: SignatureAlg,
        /// What was given.
        len: usize,
        /// What the algorithm needs.
        expected: usize,
    },
    /// The key is not of the algorithm's type.
    #[error("Key does not match {alg:?}")]
    KeyMismatch {
        /// The algorithm.
        alg: SignatureAlg,
    },
    /// This combination of version, algorithm and transcript hash is not supported
    /// (Ed25519/ML-DSA before 1.2, a transcript hash other than the algorithm's).
    #[error("Unsupported: {what}")]
    Unsupported {
        /// What.
        what: &'static str,
    },
    /// The crypto provider failed to sign.
    #[error("Signing failed: {0}")]
    Crypto(vtrust_crypto::Error),
}

/// `combined_spdm_prefix` for `version` (1.2+) and `context`.
///
/// # Errors
/// [`SigningError::Unsupported`] before SPDM 1.2 (no prefix there).
pub fn signing_prefix(
    version: SpdmVersion,
    context: SigningContext,
) -> Result<[u8; SIGNING_PREFIX_LEN], SigningError> {
    if !version.at_least(SpdmVersion::V12) {
        return Err(SigningError::Unsupported {
            what: "the signing prefix before SPDM 1.2",
        });
    }
    let mut out = [0u8; SIGNING_PREFIX_LEN];
    let label = [
        b'd',
        b'm',
        b't',
        b'f',
        b'-',
        b's',
        b'p',
        b'd',
        b'm',
        b'-',
        b'v',
        b'0'.saturating_add(version.major()),
        b'.',
        b'0'.saturating_add(version.minor()),
        b'.',
        b'*',
    ];
    for chunk in out.chunks_exact_mut(label.len()).take(4) {
        chunk.copy_from_slice(&label);
    }
    let ctx = context.as_str().as_bytes();
    let start = SIGNING_PREFIX_LEN.saturating_sub(ctx.len().min(CONTEXT_FIELD_LEN));
    if let Some(tail) = out.get_mut(start..) {
        tail.copy_from_slice(ctx.get(..tail.len()).unwrap_or_default());
    }
    Ok(out)
}

/// The message an SPDM 1.2+ signature covers: `combined_spdm_prefix || transcript_hash`.
///
/// # Errors
/// As [`signing_prefix`].
pub fn signed_message(
    version: SpdmVersion,
    context: SigningContext,
    transcript_hash: &Digest,
) -> Result<Vec<u8>, SigningError> {
    let prefix = signing_prefix(version, context)?;
    let mut msg = Vec::with_capacity(SIGNING_PREFIX_LEN.saturating_add(transcript_hash.len()));
    msg.extend_from_slice(&prefix);
    msg.extend_from_slice(transcript_hash.as_bytes());
    Ok(msg)
}

fn is_mldsa(alg: SignatureAlg) -> bool {
    matches!(
        alg,
        SignatureAlg::MlDsa44 | SignatureAlg::MlDsa65 | SignatureAlg::MlDsa87
    )
}

/// Verifies an SPDM signature: `signature` by `public_key` with `alg` over the transcript
/// whose hash is `transcript_hash` (Hash(M1/M2), Hash(L1/L2), Hash(TH)), under `context`
/// and the rules of `version` (module docs). `alg` comes from
/// [`crate::negotiated::AsymSelection::alg`].
///
/// # Errors
/// [`SigningError::BadSignature`] if it does not verify; [`SigningError::BadSignatureLength`]
/// for a wrong size; [`SigningError::KeyMismatch`] if the key is of another type;
/// [`SigningError::Unsupported`] as described in the module docs.
pub fn verify_signature(
    provider: &CryptoProvider,
    version: SpdmVersion,
    context: SigningContext,
    public_key: &PublicKey,
    alg: SignatureAlg,
    transcript_hash: &Digest,
    signature: &[u8],
) -> Result<(), SigningError> {
    if let Some(expected) = alg.signature_len()
        && expected != signature.len()
    {
        return Err(SigningError::BadSignatureLength {
            alg,
            len: signature.len(),
            expected,
        });
    }
    let bad = |e: vtrust_crypto::Error| match e {
        vtrust_crypto::Error::KeyRejected { .. } => SigningError::KeyMismatch { alg },
        _ => SigningError::BadSignature { context },
    };
    if version.at_least(SpdmVersion::V12) {
        let msg = signed_message(version, context, transcript_hash)?;
        if is_mldsa(alg) {
            provider
                .verify_with_context(
                    alg,
                    public_key,
                    &msg,
                    context.as_str().as_bytes(),
                    signature,
                )
                .map_err(bad)
        } else {
            provider
                .verify_with(alg, public_key, &msg, signature, EcdsaEncoding::Fixed)
                .map_err(bad)
        }
    } else {
        check_legacy(alg, transcript_hash)?;
        provider
            .verify_digest_with(
                alg,
                public_key,
                transcript_hash,
                signature,
                EcdsaEncoding::Fixed,
            )
            .map_err(bad)
    }
}

fn check_legacy(alg: SignatureAlg, transcript_hash: &Digest) -> Result<(), SigningError> {
    if alg.hash() == Some(transcript_hash.algorithm()) {
        Ok(())
    } else {
        Err(SigningError::Unsupported {
            what: "SPDM 1.0/1.1 signatures other than ECDSA/RSA with the transcript hash",
        })
    }
}

/// Signs the transcript whose hash is `transcript_hash` with `key` under `context` and the
/// rules of `version` (the responder's CHALLENGE_AUTH / MEASUREMENTS / KEY_EXCHANGE_RSP
/// signature; the requester's in mutual authentication). ECDSA comes out as `r || s`.
///
/// # Errors
/// [`SigningError::Unsupported`] as in the module docs; [`SigningError::Crypto`] if the
/// provider fails.
pub fn sign(
    key: &SigningKey,
    version: SpdmVersion,
    context: SigningContext,
    transcript_hash: &Digest,
) -> Result<Vec<u8>, SigningError> {
    let alg = key.alg();
    if version.at_least(SpdmVersion::V12) {
        let msg = signed_message(version, context, transcript_hash)?;
        if is_mldsa(alg) {
            key.sign_with_context(&msg, context.as_str().as_bytes())
        } else {
            key.sign_with(&msg, EcdsaEncoding::Fixed)
        }
        .map_err(SigningError::Crypto)
    } else {
        check_legacy(alg, transcript_hash)?;
        key.sign_digest_with(transcript_hash, EcdsaEncoding::Fixed)
            .map_err(SigningError::Crypto)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vtrust_crypto::hash::HashAlg;

    #[test]
    fn prefix_pads_short_contexts() {
        let p = signing_prefix(SpdmVersion::V13, SigningContext::ResponderMeasurements).unwrap();
        assert_eq!(&p[48..64], b"dmtf-spdm-v1.3.*");
        assert_eq!(&p[64..70], &[0; 6]);
        assert_eq!(&p[70..], b"responder-measurements signing");
        assert!(signing_prefix(SpdmVersion::V11, SigningContext::ResponderMeasurements).is_err());
    }

    #[test]
    fn sign_verify_round_trip_each_version_and_family() {
        let provider = CryptoProvider::new();
        for alg in [
            SignatureAlg::EcdsaP256Sha256,
            SignatureAlg::EcdsaP384Sha384,
            SignatureAlg::Ed25519,
            SignatureAlg::MlDsa44,
        ] {
            let key = provider.generate_signing_key(alg).unwrap();
            let h = provider.digest(alg.hash().unwrap_or(HashAlg::Sha384), b"transcript");
            for v in [SpdmVersion::V11, SpdmVersion::V12, SpdmVersion::V14] {
                let ctx = SigningContext::ResponderChallengeAuth;
                match sign(&key, v, ctx, &h) {
                    Ok(sig) => {
                        verify_signature(&provider, v, ctx, key.public_key(), alg, &h, &sig)
                            .unwrap();
                        let wrong = SigningContext::ResponderMeasurements;
                        assert!(
                            verify_signature(&provider, v, wrong, key.public_key(), alg, &h, &sig)
                                .is_err()
                                || !v.at_least(SpdmVersion::V12)
                        );
                    }
                    Err(SigningError::Unsupported { .. }) => {
                        assert!(!v.at_least(SpdmVersion::V12));
                    }
                    Err(e) => panic!("{alg:?} {v:?}: {e}"),
                }
            }
        }
    }
}
