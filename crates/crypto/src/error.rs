//! The crypto provider's one error type.

/// Everything a crypto operation can refuse or fail with.
///
/// Messages name the algorithm and what was wrong; they never contain key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A key of the wrong length for the algorithm.
    #[error("Key of {len} bytes is invalid for {alg}")]
    InvalidKeyLength {
        /// The algorithm.
        alg: &'static str,
        /// The length given.
        len: usize,
    },
    /// A nonce or IV of the wrong length.
    #[error("Nonce/IV of {len} bytes is invalid for {alg}")]
    InvalidNonceLength {
        /// The algorithm.
        alg: &'static str,
        /// The length given.
        len: usize,
    },
    /// A tag length the algorithm does not allow.
    #[error("Tag of {len} bytes is invalid for {alg}")]
    InvalidTagLength {
        /// The algorithm.
        alg: &'static str,
        /// The length given.
        len: usize,
    },
    /// Input whose length the algorithm cannot process (not a block multiple, too long, ...).
    #[error("Input of {len} bytes is invalid for {alg}: {reason}")]
    InvalidInputLength {
        /// The algorithm.
        alg: &'static str,
        /// The length given.
        len: usize,
        /// What the algorithm requires.
        reason: &'static str,
    },
    /// Key material that does not parse or is not a valid key for the algorithm.
    #[error("Key rejected for {alg}: {reason}")]
    KeyRejected {
        /// The algorithm.
        alg: &'static str,
        /// Why.
        reason: &'static str,
    },
    /// A signature that does not verify (or does not parse).
    #[error("Signature does not verify under {alg}")]
    BadSignature {
        /// The algorithm.
        alg: &'static str,
    },
    /// An AEAD tag or MAC that does not match: the data is not authentic.
    #[error("Authentication failed for {alg}")]
    AuthenticationFailed {
        /// The algorithm.
        alg: &'static str,
    },
    /// An algorithm or parameter combination this provider does not implement.
    #[error("Unsupported: {what}")]
    Unsupported {
        /// What was asked for.
        what: &'static str,
    },
    /// The random number generator failed.
    #[error("Random number generator failed")]
    Rng,
    /// The backend failed in a way the inputs do not explain.
    #[error("Backend failure in {alg}")]
    Backend {
        /// The algorithm.
        alg: &'static str,
    },
}
