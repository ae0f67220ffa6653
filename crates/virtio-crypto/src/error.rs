//! Why a request was refused or failed, and the one mapping to the virtio status.

use vtrust_wire::DecodeError;

use crate::spec::Status;

/// A descriptor chain that cannot carry a request. VIRTIO 1.3 §2.7.4.2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChainError {
    /// A device-readable descriptor after a device-writable one (VIRTIO 1.3 §2.7.4.2:
    /// "The driver MUST place any device-writable descriptor elements after any
    /// device-readable descriptor elements").
    #[error("Device-readable descriptor after a device-writable one")]
    ReadableAfterWritable,
    /// The readable or writable part is longer than this device accepts (or overflows).
    #[error("The {part} part of the chain is longer than {max} bytes")]
    TooLong {
        /// "readable" or "writable".
        part: &'static str,
        /// Our limit.
        max: usize,
    },
    /// No room for the status (no device-writable byte, or fewer than the outcome needs).
    #[error("No device-writable room for the status")]
    NoStatus,
    /// A descriptor names guest memory that does not exist.
    #[error("Descriptor outside guest memory")]
    Memory,
}

/// Why a request did not complete with `VIRTIO_CRYPTO_OK`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RequestError {
    /// The fixed part does not parse (too short).
    #[error("Malformed request")]
    Malformed(#[from] DecodeError),
    /// The descriptor chain is unusable.
    #[error("Bad descriptor chain")]
    Chain(#[from] ChainError),
    /// A length above a limit of the device (`max_size`, key maxima, IV maximum).
    #[error("Length of `{field}` is {len}, above the limit of {max}")]
    TooLong {
        /// The field.
        field: &'static str,
        /// The length asked for.
        len: u64,
        /// Our limit.
        max: u64,
    },
    /// Lengths that contradict each other or the chain (vlf sizes, dst length, offsets).
    #[error("Inconsistent lengths: {what}")]
    LengthMismatch {
        /// Which relation failed.
        what: &'static str,
    },
    /// A service, opcode, algorithm, mode or parameter this device does not offer.
    #[error("Unsupported: {what}")]
    Unsupported {
        /// What was asked for.
        what: &'static str,
    },
    /// A parameter value the spec does not allow (unknown direction, zero result length).
    #[error("Invalid parameter `{field}`")]
    InvalidParameter {
        /// The field.
        field: &'static str,
    },
    /// No live session with this id for the request's service.
    #[error("No session {id} for this service")]
    InvalidSession {
        /// The id named by the request.
        id: u64,
    },
    /// The session table is full (or the id space is exhausted).
    #[error("Session table full")]
    NoSpace,
    /// Key material the algorithm refuses.
    #[error("Key rejected")]
    BadKey(#[source] vtrust_crypto::Error),
    /// AEAD tag mismatch on decryption.
    #[error("Authentication failed")]
    AuthenticationFailed,
    /// A signature that does not verify.
    #[error("Signature does not verify")]
    SignatureRejected,
    /// Any other failure of the crypto provider.
    #[error("Crypto operation failed")]
    Crypto(#[source] vtrust_crypto::Error),
}

impl RequestError {
    /// The status this error completes the request with. `revision_1` says whether
    /// `VIRTIO_CRYPTO_F_REVISION_1` is negotiated (`NOSPC` exists only there; before it a
    /// full table is `ERR`).
    pub fn status(&self, revision_1: bool) -> Status {
        match self {
            RequestError::Malformed(_)
            | RequestError::Chain(_)
            | RequestError::TooLong { .. }
            | RequestError::LengthMismatch { .. }
            | RequestError::InvalidParameter { .. }
            | RequestError::BadKey(_)
            | RequestError::Crypto(_) => Status::Err,
            RequestError::Unsupported { .. } => Status::NotSupp,
            RequestError::InvalidSession { .. } => Status::InvSess,
            RequestError::NoSpace if revision_1 => Status::NoSpc,
            RequestError::NoSpace => Status::Err,
            RequestError::AuthenticationFailed => Status::BadMsg,
            RequestError::SignatureRejected => Status::KeyRejected,
        }
    }

    /// Maps a provider error met while running a request.
    pub(crate) fn from_crypto(e: vtrust_crypto::Error) -> Self {
        match e {
            vtrust_crypto::Error::AuthenticationFailed { .. } => RequestError::AuthenticationFailed,
            vtrust_crypto::Error::BadSignature { .. } => RequestError::SignatureRejected,
            vtrust_crypto::Error::Unsupported { what } => RequestError::Unsupported { what },
            other => RequestError::Crypto(other),
        }
    }

    /// Maps a provider error met while importing a key.
    pub(crate) fn from_key(e: vtrust_crypto::Error) -> Self {
        match e {
            vtrust_crypto::Error::Unsupported { what } => RequestError::Unsupported { what },
            other => RequestError::BadKey(other),
        }
    }
}
