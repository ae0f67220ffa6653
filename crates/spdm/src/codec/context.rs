//! [`DecodeContext`]: what a response decoder needs to know beyond the message's own bytes.

/// What the layout of a response depends on besides its own bytes: sizes that follow from the
/// negotiated algorithms, and flags that follow from the request it answers.
///
/// The version is not here: every decoder takes it from the message's SPDMVersion byte.
/// Requests need no context. A state machine fills this in once ALGORITHMS is accepted and
/// sets the per-request flags before decoding each response.
///
/// ```
/// use vtrust_spdm::codec::DecodeContext;
///
/// // ECDSA P-384 + SHA-384, measurement hash SHA-384, after a CHALLENGE with Param2 = 0xFF.
/// let ctx = DecodeContext::new(48, 96, 48).with_measurement_summary_hash(true);
/// assert_eq!(ctx.signature_len, 96);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub struct DecodeContext {
    /// Digest size of the negotiated BaseHashAlgo: DIGESTS digests, CHALLENGE_AUTH
    /// CertChainHash and MeasurementSummaryHash.
    pub hash_len: usize,
    /// Signature size of the negotiated BaseAsymAlgo or PqcAsymAlgo (CHALLENGE_AUTH,
    /// MEASUREMENTS).
    pub signature_len: usize,
    /// Digest size of the negotiated MeasurementHashAlgo: the size of every DMTF measurement
    /// value that is a digest (DMTFSpecMeasurementValueType bit 7 clear). 0 for
    /// RAW_BIT_STREAM_ONLY, which allows raw bit streams only.
    pub measurement_hash_len: usize,
    /// SPDM 1.3+: the connection uses multiple key pairs (MULTI_KEY_CONN_RSP): DIGESTS
    /// carries KeyPairID, CertificateInfo and KeyUsageMask per provisioned slot.
    pub multi_key: bool,
    /// CHALLENGE_AUTH: the CHALLENGE asked for a measurement summary hash (Param2 not 0) and
    /// the Responder supports measurements, so MeasurementSummaryHash is present.
    pub measurement_summary_hash: bool,
    /// MEASUREMENTS: the GET_MEASUREMENTS asked for a signature, so Signature is present.
    pub signature_requested: bool,
}

impl DecodeContext {
    /// A context for the negotiated sizes; every per-request flag off.
    #[must_use]
    pub const fn new(hash_len: usize, signature_len: usize, measurement_hash_len: usize) -> Self {
        Self {
            hash_len,
            signature_len,
            measurement_hash_len,
            multi_key: false,
            measurement_summary_hash: false,
            signature_requested: false,
        }
    }

    /// With [`DecodeContext::multi_key`] set to `on`.
    #[must_use]
    pub const fn with_multi_key(mut self, on: bool) -> Self {
        self.multi_key = on;
        self
    }

    /// With [`DecodeContext::measurement_summary_hash`] set to `on`.
    #[must_use]
    pub const fn with_measurement_summary_hash(mut self, on: bool) -> Self {
        self.measurement_summary_hash = on;
        self
    }

    /// With [`DecodeContext::signature_requested`] set to `on`.
    #[must_use]
    pub const fn with_signature_requested(mut self, on: bool) -> Self {
        self.signature_requested = on;
        self
    }
}
