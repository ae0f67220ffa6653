//! A responder's identity: per slot, the DER certificate chain (root first) and the leaf's
//! signing key; built from [`crate::cert::generate`] or from libspdm-style files.

use std::path::Path;
use std::sync::Arc;

use vtrust_crypto::CryptoProvider;
use vtrust_crypto::sign::{SignatureAlg, SigningKey};

use crate::cert::{ChainSpec, GenerateError, GeneratedChain};

/// Our limit on slots (DSP0274: SlotID 0-7).
pub const MAX_SLOTS: usize = 8;

/// Our limit on the DER chain of one slot (1.0-1.3 chains are at most 64 KiB with header).
pub const MAX_CHAIN_DER_LEN: usize = 1 << 20;

/// Why an identity could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IdentityError {
    /// A file could not be read.
    #[error("Reading {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The DER chain is not a sequence of complete certificates.
    #[error("Certificate {index} of the chain is malformed")]
    MalformedChain {
        /// 0-based certificate position.
        index: usize,
    },
    /// The key could not be loaded.
    #[error("Private key refused: {0}")]
    Key(#[from] vtrust_crypto::Error),
    /// Generating a chain failed.
    #[error("Generating a chain: {0}")]
    Generate(#[from] GenerateError),
    /// Slot ID above 7 or used twice, or more than [`MAX_SLOTS`] slots.
    #[error("Slot {slot} is out of range or already provisioned")]
    BadSlot {
        /// The slot.
        slot: u8,
    },
}

/// One provisioned slot: certificate chain and the leaf key.
#[derive(Clone)]
pub struct SlotIdentity {
    /// SlotID (0-7).
    pub slot_id: u8,
    /// The DER certificates, root first (the SPDM chain adds Length and RootHash per
    /// connection, since RootHash uses the negotiated hash).
    pub certs: Vec<Vec<u8>>,
    /// The leaf certificate's private key.
    pub key: Arc<SigningKey>,
}

impl std::fmt::Debug for SlotIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SlotIdentity")
            .field("slot_id", &self.slot_id)
            .field("certs", &self.certs.len())
            .field("key", &self.key.alg())
            .finish()
    }
}

/// The responder's certificate slots.
#[derive(Debug, Clone, Default)]
pub struct ResponderIdentity {
    slots: Vec<SlotIdentity>,
}

/// Splits concatenated DER certificates (libspdm's `bundle_*.certchain.der`).
///
/// # Errors
/// [`IdentityError::MalformedChain`] if the bytes are not whole DER SEQUENCEs.
pub fn split_der_chain(der: &[u8]) -> Result<Vec<Vec<u8>>, IdentityError> {
    let mut out = Vec::new();
    let mut rest = der;
    while !rest.is_empty() {
        let index = out.len();
        let bad = IdentityError::MalformedChain { index };
        let len = der_element_len(rest).ok_or(bad)?;
        let (cert, tail) = rest
            .split_at_checked(len)
            .ok_or(IdentityError::MalformedChain { index })?;
        out.push(cert.to_vec());
        rest = tail;
    }
    if out.is_empty() {
        return Err(IdentityError::MalformedChain { index: 0 });
    }
    Ok(out)
}

/// Length of the DER SEQUENCE at the start of `bytes` (tag, length and content).
fn der_element_len(bytes: &[u8]) -> Option<usize> {
    let (&tag, rest) = bytes.split_first()?;
    if tag != 0x30 {
        return None;
    }
    let (&first, rest) = rest.split_first()?;
    let (content_len, header_len) = if first < 0x80 {
        (usize::from(first), 2usize)
    } else {
        let n = usize::from(first & 0x7F);
        if n == 0 || n > 4 {
            return None;
        }
        let len_bytes = rest.get(..n)?;
        let len = len_bytes.iter().try_fold(0usize, |acc, &b| {
            acc.checked_mul(256)?.checked_add(usize::from(b))
        })?;
        (len, n.checked_add(2)?)
    };
    let total = content_len.checked_add(header_len)?;
    (total <= bytes.len()).then_some(total)
}

fn read(path: &Path) -> Result<Vec<u8>, IdentityError> {
    std::fs::read(path).map_err(|source| IdentityError::Io {
        path: path.display().to_string(),
        source,
    })
}

impl ResponderIdentity {
    /// No slots (GET_DIGESTS / GET_CERTIFICATE / CHALLENGE then fail).
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// With `slot` added.
    ///
    /// # Errors
    /// [`IdentityError::BadSlot`].
    pub fn with_slot(mut self, slot: SlotIdentity) -> Result<Self, IdentityError> {
        if slot.slot_id >= 8
            || self.slots.len() >= MAX_SLOTS
            || self.slots.iter().any(|s| s.slot_id == slot.slot_id)
        {
            return Err(IdentityError::BadSlot { slot: slot.slot_id });
        }
        self.slots.push(slot);
        self.slots.sort_by_key(|s| s.slot_id);
        Ok(self)
    }

    /// A slot from DER certificates and a key.
    ///
    /// # Errors
    /// As [`Self::with_slot`].
    pub fn with_chain(
        self,
        slot_id: u8,
        certs: Vec<Vec<u8>>,
        key: SigningKey,
    ) -> Result<Self, IdentityError> {
        self.with_slot(SlotIdentity {
            slot_id,
            certs,
            key: Arc::new(key),
        })
    }

    /// A slot from a generated chain.
    ///
    /// # Errors
    /// As [`Self::with_slot`].
    pub fn with_generated(self, slot_id: u8, chain: GeneratedChain) -> Result<Self, IdentityError> {
        let (certs, key) = chain.into_parts();
        self.with_chain(slot_id, certs, key)
    }

    /// Slot 0 with a freshly generated root -> intermediate -> leaf chain for `alg`
    /// (P-384 and ML-DSA-87 are the usual choices; any [`SignatureAlg`] the generator takes).
    ///
    /// # Errors
    /// [`IdentityError::Generate`].
    pub fn generate(provider: &CryptoProvider, alg: SignatureAlg) -> Result<Self, IdentityError> {
        let chain = ChainSpec::new(alg).generate(provider)?;
        Self::new().with_generated(0, chain)
    }

    /// A slot from libspdm's sample files: `chain_der` = concatenated DER certificates
    /// (`bundle_responder.certchain.der`), and the leaf key in one of its formats chosen by
    /// the file name: `*.priv.raw` = ML-DSA expanded key (`alg` ML-DSA), `*.p8` = PKCS#8,
    /// otherwise SEC1 `ECPrivateKey` / PKCS#1 `RSAPrivateKey` DER (`end_responder.key.der`).
    ///
    /// # Errors
    /// [`IdentityError::Io`], [`IdentityError::MalformedChain`], [`IdentityError::Key`],
    /// [`IdentityError::BadSlot`].
    pub fn with_files(
        self,
        provider: &CryptoProvider,
        slot_id: u8,
        chain_der: &Path,
        key_file: &Path,
        alg: SignatureAlg,
    ) -> Result<Self, IdentityError> {
        let der = read(chain_der)?;
        if der.len() > MAX_CHAIN_DER_LEN {
            return Err(IdentityError::MalformedChain { index: 0 });
        }
        let certs = split_der_chain(&der)?;
        let key_bytes = read(key_file)?;
        let name = key_file.to_string_lossy();
        let key = if name.ends_with(".priv.raw") {
            provider.signing_key_from_mldsa_expanded(alg, &key_bytes)?
        } else if name.ends_with(".p8") {
            provider.signing_key_from_pkcs8(alg, &key_bytes)?
        } else {
            provider.signing_key_from_private_key_der(alg, &key_bytes)?
        };
        self.with_chain(slot_id, certs, key)
    }

    /// The provisioned slots, ascending.
    #[must_use]
    pub fn slots(&self) -> &[SlotIdentity] {
        &self.slots
    }
}
