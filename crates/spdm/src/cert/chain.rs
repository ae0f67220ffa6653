//! The SPDM certificate chain format (DSP0274 "Certificate chain format", §10.6.1),
//! as CERTIFICATE returns it and SET_CERTIFICATE carries it:
//!
//! ```text
//! SPDM 1.0-1.3                           SPDM 1.4
//! +0  Length   u16 LE (whole chain)      +0  Length u32 LE (whole chain)
//! +2  Reserved u16                       +4  RootHash
//! +4  RootHash (H bytes, negotiated hash)    Certificates
//! +4+H Certificates: DER X.509, concatenated, root (or a certificate signed by the root) first
//! ```
//!
//! SPDM 1.4 widened Length to 32 bits over the old Reserved field so that LargeCertChain
//! chains may exceed 64 KiB (libspdm commit 7f3e2123, "1.4 Change CertChain Header to use
//! UINT32 Length"); for a chain below 64 KiB with Reserved = 0 both layouts are the same bytes.
//!
//! [`SpdmCertChain::parse`] checks the shape only, under our limits ([`ParseOptions`]): the
//! total size, Length equal to the bytes given, RootHash present, and every certificate one
//! complete DER SEQUENCE inside the buffer, at most `max_certs` of them. Nothing inside a
//! certificate is read here; [`SpdmCertChain::validate`] does that.

use vtrust_crypto::CryptoProvider;
use vtrust_crypto::hash::HashAlg;
use vtrust_wire::Reader;

use super::ChainError;
use super::der_util::{TAG_SEQUENCE, split_tlv};

/// The layout of the chain's Length field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum LengthField {
    /// SPDM 1.0-1.3: `Length` u16 LE then `Reserved` u16 (ignored on read, written as zero).
    #[default]
    U16,
    /// SPDM 1.4: `Length` u32 LE (LargeCertChain chains may exceed 64 KiB).
    U32,
}

impl LengthField {
    /// The header length before RootHash (4 either way).
    pub const HEADER_LEN: usize = 4;

    /// The largest chain this layout can describe.
    #[must_use]
    pub const fn max_len(self) -> usize {
        match self {
            LengthField::U16 => u16::MAX as usize,
            LengthField::U32 => u32::MAX as usize,
        }
    }
}

/// What a chain must look like, and our limits (DESIGN.md: every length and count is checked
/// against a maximum we set).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct ParseOptions {
    /// The negotiated hash (BaseHashAlgo): RootHash is `hash.output_len()` bytes.
    pub hash: HashAlg,
    /// The Length field's layout (SPDM 1.4 uses [`LengthField::U32`]).
    pub length_field: LengthField,
    /// The largest chain accepted, in bytes, header included.
    pub max_len: usize,
    /// The most certificates accepted (the chain's depth, root and leaf included).
    pub max_certs: usize,
}

impl ParseOptions {
    /// The default size limit: 64 KiB, the most a 1.0-1.3 chain can be. Raise it for SPDM 1.4
    /// LargeCertChain peers (libspdm stores chains of up to 0x28000 bytes with SLH-DSA).
    pub const DEFAULT_MAX_LEN: usize = 64 * 1024;

    /// The default depth limit: 8 certificates. Real device chains hold 2 to 6 (root,
    /// intermediates, leaf; DICE alias chains a few more). libspdm sets no count limit (only
    /// the size): its `long_chains` samples hold 24 and 49 certificates and are refused with
    /// [`ChainError::TooDeep`] under this default; raise `max_certs` to accept them.
    pub const DEFAULT_MAX_CERTS: usize = 8;

    /// Options for `hash`, with [`LengthField::U16`] and the default limits.
    #[must_use]
    pub const fn new(hash: HashAlg) -> Self {
        Self {
            hash,
            length_field: LengthField::U16,
            max_len: Self::DEFAULT_MAX_LEN,
            max_certs: Self::DEFAULT_MAX_CERTS,
        }
    }

    /// With another Length layout.
    #[must_use]
    pub const fn with_length_field(mut self, length_field: LengthField) -> Self {
        self.length_field = length_field;
        self
    }

    /// With another size limit.
    #[must_use]
    pub const fn with_max_len(mut self, max_len: usize) -> Self {
        self.max_len = max_len;
        self
    }

    /// With another depth limit.
    #[must_use]
    pub const fn with_max_certs(mut self, max_certs: usize) -> Self {
        self.max_certs = max_certs;
        self
    }
}

/// An SPDM certificate chain whose shape has been checked and whose content has not: the
/// RootHash and the certificates are untrusted bytes, readable only through
/// [`validate`](Self::validate).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpdmCertChain<'a> {
    bytes: &'a [u8],
    options: ParseOptions,
    root_hash: &'a [u8],
    /// Each certificate's complete DER, root first; at most `options.max_certs` entries.
    certs: Vec<&'a [u8]>,
}

impl<'a> SpdmCertChain<'a> {
    /// Checks the shape of `bytes` (see the module documentation) under `options`.
    ///
    /// # Errors
    /// [`ChainError::TooLarge`] above `max_len`; [`ChainError::Header`] if the header or
    /// RootHash is truncated; [`ChainError::LengthMismatch`] if Length is not `bytes.len()`;
    /// [`ChainError::NoCertificates`]; [`ChainError::Malformed`] naming the certificate that
    /// is not a complete DER SEQUENCE; [`ChainError::TooDeep`] above `max_certs`.
    pub fn parse(bytes: &'a [u8], options: &ParseOptions) -> Result<Self, ChainError> {
        let max = options.max_len.min(options.length_field.max_len());
        if bytes.len() > max {
            return Err(ChainError::TooLarge {
                len: bytes.len(),
                max,
            });
        }
        let mut r = Reader::new(bytes);
        let declared = match options.length_field {
            LengthField::U16 => {
                let len = r.u16_le("Length")?;
                r.skip_reserved("Reserved", 2)?;
                usize::from(len)
            }
            LengthField::U32 => {
                usize::try_from(r.u32_le("Length")?).map_err(|_| ChainError::TooLarge {
                    len: bytes.len(),
                    max,
                })?
            }
        };
        if declared != bytes.len() {
            return Err(ChainError::LengthMismatch {
                declared,
                actual: bytes.len(),
            });
        }
        let root_hash = r.bytes("RootHash", options.hash.output_len())?;
        let mut rest = r.rest();
        if rest.is_empty() {
            return Err(ChainError::NoCertificates);
        }
        let mut certs = Vec::new();
        while !rest.is_empty() {
            let index = certs.len();
            if index >= options.max_certs {
                return Err(ChainError::TooDeep {
                    max: options.max_certs,
                });
            }
            let (cert, tail) = split_tlv(rest, TAG_SEQUENCE)
                .map_err(|reason| ChainError::Malformed { index, reason })?;
            certs.push(cert);
            rest = tail;
        }
        Ok(Self {
            bytes,
            options: *options,
            root_hash,
            certs,
        })
    }

    /// The whole chain as received (for hashing into DIGESTS and transcripts).
    #[must_use]
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// How many certificates the chain holds.
    #[must_use]
    pub fn cert_count(&self) -> usize {
        self.certs.len()
    }

    /// The options the chain was parsed with.
    #[must_use]
    pub fn options(&self) -> &ParseOptions {
        &self.options
    }

    /// The untrusted RootHash field.
    pub(crate) fn root_hash(&self) -> &'a [u8] {
        self.root_hash
    }

    /// The untrusted certificates, root first.
    pub(crate) fn certs(&self) -> &[&'a [u8]] {
        &self.certs
    }

    /// Writes an SPDM certificate chain: `certs` (complete DER certificates, root first)
    /// behind the header and `root_hash`. For a chain that carries its root, `root_hash` is
    /// the hash of `certs[0]` ([`Self::encode_with_root`] computes it).
    ///
    /// # Errors
    /// [`ChainError::NoCertificates`]; [`ChainError::Malformed`] if an entry of `certs` is
    /// not exactly one DER SEQUENCE; [`ChainError::TooLarge`] if the chain does not fit the
    /// Length field.
    pub fn encode(
        root_hash: &[u8],
        certs: &[&[u8]],
        length_field: LengthField,
    ) -> Result<Vec<u8>, ChainError> {
        if certs.is_empty() {
            return Err(ChainError::NoCertificates);
        }
        let mut len = LengthField::HEADER_LEN.saturating_add(root_hash.len());
        for (index, cert) in certs.iter().enumerate() {
            match split_tlv(cert, TAG_SEQUENCE) {
                Ok((_, [])) => {}
                Ok(_) => {
                    return Err(ChainError::Malformed {
                        index,
                        reason: "trailing bytes after the certificate",
                    });
                }
                Err(reason) => return Err(ChainError::Malformed { index, reason }),
            }
            len = len.saturating_add(cert.len());
        }
        let max = length_field.max_len();
        if len > max {
            return Err(ChainError::TooLarge { len, max });
        }
        let mut out = Vec::with_capacity(len);
        match length_field {
            LengthField::U16 => {
                let l = u16::try_from(len).map_err(|_| ChainError::TooLarge { len, max })?;
                out.extend_from_slice(&l.to_le_bytes());
                out.extend_from_slice(&[0, 0]);
            }
            LengthField::U32 => {
                let l = u32::try_from(len).map_err(|_| ChainError::TooLarge { len, max })?;
                out.extend_from_slice(&l.to_le_bytes());
            }
        }
        out.extend_from_slice(root_hash);
        for cert in certs {
            out.extend_from_slice(cert);
        }
        Ok(out)
    }

    /// [`Self::encode`] with RootHash = `hash(certs[0])`, for a chain that carries its root
    /// (what a responder serves from its slots).
    ///
    /// # Errors
    /// As [`Self::encode`].
    pub fn encode_with_root(
        provider: &CryptoProvider,
        hash: HashAlg,
        certs: &[&[u8]],
        length_field: LengthField,
    ) -> Result<Vec<u8>, ChainError> {
        let root = certs.first().ok_or(ChainError::NoCertificates)?;
        let root_hash = provider.digest(hash, root);
        Self::encode(root_hash.as_bytes(), certs, length_field)
    }
}
