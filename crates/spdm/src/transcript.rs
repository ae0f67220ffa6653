//! SPDM transcripts: message A (VCA), B (digests and certificates), C (challenge), M1/M2 =
//! A || B || C, and L1/L2 (measurements), with their reset rules (DSP0274 1.2 §10.8.3
//! "Transcript and transcript hash calculation rules", Table 27/38; libspdm
//! `libspdm_reset_message_buffer_via_request_code`).
//!
//! Both roles append the **same bytes**: each SPDM message exactly as on the wire, without
//! transport bytes and without PCI DOE padding (use `decode_with_padding`'s length), and
//! responses that carry a signature without the signature (`signature_offset()`).
//!
//! Two phases, two types:
//! - [`VcaTranscript`]: collects message A before ALGORITHMS has chosen the hash (bytes,
//!   capped at [`MAX_VCA_LEN`]).
//! - [`Transcript`]: after VCA. B and L are running [`Hasher`]s (no unbounded buffers); C is
//!   small and kept as bytes. With a record cap, the exact message bytes are also kept so
//!   every transcript hash can be exported as a [`TranscriptRecord`] and recomputed offline.
//!
//! What goes where (requester and responder alike):
//!
//! | event | effect |
//! |---|---|
//! | GET_VERSION / VERSION / GET_CAPABILITIES / CAPABILITIES / NEGOTIATE_ALGORITHMS / ALGORITHMS | A ([`VcaTranscript::append`]) |
//! | any request other than GET_MEASUREMENTS | resets L ([`Transcript::on_request`]) |
//! | GET_DIGESTS | resets B, then the request and DIGESTS go into B |
//! | GET_CERTIFICATE / CERTIFICATE | B |
//! | GET_MEASUREMENTS (or KEY_EXCHANGE, FINISH, ...) before authentication | resets B and C |
//! | CHALLENGE, CHALLENGE_AUTH minus signature | C; M1/M2 = A ‖ B ‖ C ([`Transcript::m1m2_hash`]); then B and C reset ([`Transcript::reset_m`]) |
//! | GET_MEASUREMENTS, MEASUREMENTS (minus signature) | L; L1/L2 = (1.2+: A ‖) L, hashed when a signature comes; then L resets |
//!
//! SPDM 1.0/1.1: L1/L2 does not start with A (libspdm `libspdm_calculate_l1l2`: "Need
//! append VCA since 1.2").
//!
//! ```
//! use vtrust_crypto::{CryptoProvider, hash::HashAlg};
//! use vtrust_spdm::codec::SpdmVersion;
//! use vtrust_spdm::transcript::{Part, VcaTranscript};
//!
//! let provider = CryptoProvider::new();
//! let mut vca = VcaTranscript::new();
//! vca.append(&[0x10, 0x84, 0, 0])?; // GET_VERSION
//! vca.append(&[0x10, 0x04, 0, 0, 0, 1, 0, 0x12])?; // VERSION
//! let mut t = vca.finish(&provider, SpdmVersion::V12, HashAlg::Sha384, Some(1 << 20));
//! t.append_c(&[0x12, 0x83, 0, 0])?;
//! let m2 = t.m1m2_hash();
//! let record = t.m1m2_record().expect("recording");
//! assert_eq!(record.recompute(&provider), m2);
//! assert_eq!(record.messages[0].part, Part::A);
//! # Ok::<(), vtrust_spdm::transcript::TranscriptError>(())
//! ```

use vtrust_crypto::CryptoProvider;
use vtrust_crypto::hash::{Digest, HashAlg, Hasher};

use crate::codec::{RequestCode, SpdmVersion};

/// Our limit on message A (VCA): 16 KiB (ALGORITHMS with every structure is < 200 bytes).
pub const MAX_VCA_LEN: usize = 16 * 1024;

/// Our limit on message C (CHALLENGE + CHALLENGE_AUTH without signature, opaque data
/// included): 8 KiB.
pub const MAX_C_LEN: usize = 8 * 1024;

/// Why a message could not be added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TranscriptError {
    /// A transcript part would exceed our limit.
    #[error("Transcript {part:?} would be {len} bytes, above our limit {max}")]
    TooLarge {
        /// Which part.
        part: Part,
        /// Its length with the new message.
        len: usize,
        /// Our limit.
        max: usize,
    },
}

/// A transcript part (DSP0274 1.2 Table 27).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Part {
    /// VCA.
    A,
    /// GET_DIGESTS / DIGESTS / GET_CERTIFICATE / CERTIFICATE.
    B,
    /// CHALLENGE / CHALLENGE_AUTH without signature.
    C,
    /// GET_MEASUREMENTS / MEASUREMENTS (without signature).
    L,
}

/// Message A while VCA is in progress (the hash is not known yet).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VcaTranscript {
    bytes: Vec<u8>,
    boundaries: Vec<usize>,
}

fn grow(part: Part, current: usize, add: usize, max: usize) -> Result<usize, TranscriptError> {
    let len = current.saturating_add(add);
    if len > max {
        Err(TranscriptError::TooLarge { part, len, max })
    } else {
        Ok(len)
    }
}

impl VcaTranscript {
    /// An empty message A.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends one VCA message.
    ///
    /// # Errors
    /// [`TranscriptError::TooLarge`] above [`MAX_VCA_LEN`].
    pub fn append(&mut self, message: &[u8]) -> Result<(), TranscriptError> {
        let len = grow(Part::A, self.bytes.len(), message.len(), MAX_VCA_LEN)?;
        self.bytes.extend_from_slice(message);
        self.boundaries.push(len);
        Ok(())
    }

    /// Message A so far.
    #[must_use]
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Ends VCA: `version` and `hash` are the negotiated ones; `record_cap` turns on the
    /// full-bytes record (total bytes kept for B, C and L, A included) for evidence export.
    #[must_use]
    pub fn finish(
        self,
        provider: &CryptoProvider,
        version: SpdmVersion,
        hash: HashAlg,
        record_cap: Option<usize>,
    ) -> Transcript {
        let mut a_hasher = provider.hasher(hash);
        a_hasher.update(&self.bytes);
        let l = Transcript::l_start(provider, version, hash, &a_hasher);
        let record = record_cap.map(|cap| Recorder {
            cap,
            b: Vec::new(),
            b_len: 0,
            l: Vec::new(),
            l_len: 0,
            overflowed: false,
        });
        Transcript {
            version,
            hash,
            provider: provider.clone(),
            a: self,
            m: a_hasher.clone(),
            a_hasher,
            c: Vec::new(),
            l,
            l_len: 0,
            record,
        }
    }

    fn messages(&self) -> impl Iterator<Item = &[u8]> {
        let mut start = 0usize;
        self.boundaries.iter().map(move |&end| {
            let s = self.bytes.get(start..end).unwrap_or_default();
            start = end;
            s
        })
    }
}

#[derive(Debug, Clone)]
struct Recorder {
    cap: usize,
    b: Vec<Vec<u8>>,
    b_len: usize,
    l: Vec<Vec<u8>>,
    l_len: usize,
    overflowed: bool,
}

impl Recorder {
    fn push(&mut self, part: Part, message: &[u8]) {
        if self.overflowed {
            return;
        }
        let total = self.b_len.saturating_add(self.l_len);
        if total.saturating_add(message.len()) > self.cap {
            self.overflowed = true;
            self.b = Vec::new();
            self.l = Vec::new();
            return;
        }
        let (list, len) = match part {
            Part::L => (&mut self.l, &mut self.l_len),
            _ => (&mut self.b, &mut self.b_len),
        };
        list.push(message.to_vec());
        *len = len.saturating_add(message.len());
    }
}

/// The transcript after VCA: message A fixed, B/C/L running.
#[derive(Clone)]
pub struct Transcript {
    version: SpdmVersion,
    hash: HashAlg,
    provider: CryptoProvider,
    a: VcaTranscript,
    a_hasher: Hasher,
    /// A || B so far.
    m: Hasher,
    c: Vec<u8>,
    /// (1.2+: A ||) L so far.
    l: Hasher,
    l_len: usize,
    record: Option<Recorder>,
}

impl std::fmt::Debug for Transcript {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transcript")
            .field("version", &self.version)
            .field("hash", &self.hash)
            .field("a_len", &self.a.bytes.len())
            .field("c_len", &self.c.len())
            .field("l_len", &self.l_len)
            .field("recording", &self.record.is_some())
            .finish_non_exhaustive()
    }
}

/// One message of a [`TranscriptRecord`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedMessage {
    /// The part it belongs to.
    pub part: Part,
    /// The SPDM message bytes exactly as hashed.
    pub bytes: Vec<u8>,
}

/// The exact bytes behind one transcript hash, in order: `hash(concat(messages))` is the
/// transcript hash that was signed. For evidence export and offline re-verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TranscriptRecord {
    /// The hash algorithm (BaseHashAlgo).
    pub hash: HashAlg,
    /// The messages, in order.
    pub messages: Vec<RecordedMessage>,
}

impl TranscriptRecord {
    /// Recomputes the transcript hash.
    #[must_use]
    pub fn recompute(&self, provider: &CryptoProvider) -> Digest {
        let mut h = provider.hasher(self.hash);
        for m in &self.messages {
            h.update(&m.bytes);
        }
        h.finish()
    }

    /// Total bytes.
    #[must_use]
    pub fn len(&self) -> usize {
        self.messages
            .iter()
            .fold(0usize, |n, m| n.saturating_add(m.bytes.len()))
    }

    /// Whether there are no bytes.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Transcript {
    fn l_start(
        provider: &CryptoProvider,
        version: SpdmVersion,
        hash: HashAlg,
        a: &Hasher,
    ) -> Hasher {
        if version.at_least(SpdmVersion::V12) {
            a.clone()
        } else {
            provider.hasher(hash)
        }
    }

    /// The negotiated version.
    #[must_use]
    pub fn version(&self) -> SpdmVersion {
        self.version
    }

    /// The transcript hash algorithm.
    #[must_use]
    pub fn hash_alg(&self) -> HashAlg {
        self.hash
    }

    /// Message A.
    #[must_use]
    pub fn message_a(&self) -> &[u8] {
        self.a.bytes()
    }

    /// Hash(A) (the VCA hash).
    #[must_use]
    pub fn a_hash(&self) -> Digest {
        self.a_hasher.clone().finish()
    }

    /// Applies the reset rules for a request about to be sent (requester) or just
    /// received (responder), before its bytes are appended: any request other than
    /// GET_MEASUREMENTS resets L; GET_DIGESTS resets B (and C); GET_MEASUREMENTS and the
    /// session requests reset B and C when `authenticated` is false (CHALLENGE was skipped).
    pub fn on_request(&mut self, code: RequestCode, authenticated: bool) {
        if code != RequestCode::GetMeasurements {
            self.reset_l();
        }
        match code {
            RequestCode::GetDigests => self.reset_m(),
            RequestCode::GetMeasurements
            | RequestCode::KeyExchange
            | RequestCode::Finish
            | RequestCode::PskExchange
            | RequestCode::PskFinish
            | RequestCode::KeyUpdate
            | RequestCode::Heartbeat
            | RequestCode::GetEncapsulatedRequest
            | RequestCode::DeliverEncapsulatedResponse
            | RequestCode::EndSession
            | RequestCode::GetMeasurementExtensionLog
                if !authenticated =>
            {
                self.reset_m();
            }
            _ => {}
        }
    }

    /// Appends a GET_DIGESTS, DIGESTS, GET_CERTIFICATE or CERTIFICATE message to B.
    ///
    /// # Errors
    /// None today (B is hashed as it goes); kept fallible for symmetry.
    pub fn append_b(&mut self, message: &[u8]) -> Result<(), TranscriptError> {
        self.m.update(message);
        if let Some(r) = &mut self.record {
            r.push(Part::B, message);
        }
        Ok(())
    }

    /// Appends CHALLENGE or CHALLENGE_AUTH (without its signature) to C.
    ///
    /// # Errors
    /// [`TranscriptError::TooLarge`] above [`MAX_C_LEN`].
    pub fn append_c(&mut self, message: &[u8]) -> Result<(), TranscriptError> {
        grow(Part::C, self.c.len(), message.len(), MAX_C_LEN)?;
        self.c.extend_from_slice(message);
        Ok(())
    }

    /// Hash(M1/M2) = Hash(A || B || C).
    #[must_use]
    pub fn m1m2_hash(&self) -> Digest {
        let mut h = self.m.clone();
        h.update(&self.c);
        h.finish()
    }

    /// The bytes behind [`Self::m1m2_hash`]; `None` without recording or after the record
    /// cap was exceeded.
    #[must_use]
    pub fn m1m2_record(&self) -> Option<TranscriptRecord> {
        let r = self.record.as_ref().filter(|r| !r.overflowed)?;
        let mut messages: Vec<RecordedMessage> = self
            .a
            .messages()
            .map(|m| RecordedMessage {
                part: Part::A,
                bytes: m.to_vec(),
            })
            .collect();
        messages.extend(r.b.iter().map(|m| RecordedMessage {
            part: Part::B,
            bytes: m.clone(),
        }));
        if !self.c.is_empty() {
            messages.push(RecordedMessage {
                part: Part::C,
                bytes: self.c.clone(),
            });
        }
        Some(TranscriptRecord {
            hash: self.hash,
            messages,
        })
    }

    /// Resets B and C (after CHALLENGE_AUTH, on GET_DIGESTS, or when CHALLENGE was skipped).
    pub fn reset_m(&mut self) {
        self.m = self.a_hasher.clone();
        self.c.clear();
        if let Some(r) = &mut self.record {
            r.b.clear();
            r.b_len = 0;
        }
    }

    /// Resets C only (a failed CHALLENGE: B stays).
    pub fn reset_c(&mut self) {
        self.c.clear();
    }

    /// Appends GET_MEASUREMENTS or MEASUREMENTS (without its signature) to L.
    ///
    /// # Errors
    /// None today (L is hashed as it goes); kept fallible for symmetry.
    pub fn append_l(&mut self, message: &[u8]) -> Result<(), TranscriptError> {
        self.l.update(message);
        self.l_len = self.l_len.saturating_add(message.len());
        if let Some(r) = &mut self.record {
            r.push(Part::L, message);
        }
        Ok(())
    }

    /// Hash(L1/L2): (1.2+: A ||) every GET_MEASUREMENTS / MEASUREMENTS since the last reset.
    #[must_use]
    pub fn l1l2_hash(&self) -> Digest {
        self.l.clone().finish()
    }

    /// The bytes behind [`Self::l1l2_hash`]; `None` without recording or after the record
    /// cap was exceeded.
    #[must_use]
    pub fn l1l2_record(&self) -> Option<TranscriptRecord> {
        let r = self.record.as_ref().filter(|r| !r.overflowed)?;
        let mut messages: Vec<RecordedMessage> = Vec::new();
        if self.version.at_least(SpdmVersion::V12) {
            messages.extend(self.a.messages().map(|m| RecordedMessage {
                part: Part::A,
                bytes: m.to_vec(),
            }));
        }
        messages.extend(r.l.iter().map(|m| RecordedMessage {
            part: Part::L,
            bytes: m.clone(),
        }));
        Some(TranscriptRecord {
            hash: self.hash,
            messages,
        })
    }

    /// Resets L (after a signed MEASUREMENTS, or on any other request).
    pub fn reset_l(&mut self) {
        self.l = Self::l_start(&self.provider, self.version, self.hash, &self.a_hasher);
        self.l_len = 0;
        if let Some(r) = &mut self.record {
            r.l.clear();
            r.l_len = 0;
        }
    }

    /// Whether the full-bytes record was dropped because it exceeded its cap.
    #[must_use]
    pub fn record_overflowed(&self) -> bool {
        self.record.as_ref().is_some_and(|r| r.overflowed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn transcript(version: SpdmVersion) -> (CryptoProvider, Transcript) {
        let provider = CryptoProvider::new();
        let mut vca = VcaTranscript::new();
        vca.append(b"AAAA").unwrap();
        let t = vca.finish(&provider, version, HashAlg::Sha256, Some(64));
        (provider, t)
    }

    #[test]
    fn l1l2_starts_with_a_from_1_2_only() {
        for (v, with_a) in [(SpdmVersion::V11, false), (SpdmVersion::V12, true)] {
            let (p, mut t) = transcript(v);
            t.on_request(RequestCode::GetMeasurements, true);
            t.append_l(b"LL").unwrap();
            let expected = if with_a { &b"AAAALL"[..] } else { &b"LL"[..] };
            assert_eq!(t.l1l2_hash(), p.digest(HashAlg::Sha256, expected));
            assert_eq!(t.l1l2_record().unwrap().recompute(&p), t.l1l2_hash());
        }
    }

    #[test]
    fn reset_rules() {
        let (p, mut t) = transcript(SpdmVersion::V12);
        t.on_request(RequestCode::GetDigests, false);
        t.append_b(b"BB").unwrap();
        // Unsigned measurements accumulate; any other request resets L.
        t.on_request(RequestCode::GetMeasurements, true);
        t.append_l(b"L1").unwrap();
        t.on_request(RequestCode::GetMeasurements, true);
        t.append_l(b"L2").unwrap();
        assert_eq!(t.l1l2_hash(), p.digest(HashAlg::Sha256, b"AAAAL1L2"));
        t.on_request(RequestCode::GetDigests, true);
        assert_eq!(t.l1l2_hash(), p.digest(HashAlg::Sha256, b"AAAA"));
        // GET_DIGESTS resets B; GET_MEASUREMENTS before authentication resets B and C.
        t.append_b(b"B2").unwrap();
        t.append_c(b"CC").unwrap();
        assert_eq!(t.m1m2_hash(), p.digest(HashAlg::Sha256, b"AAAAB2CC"));
        t.on_request(RequestCode::GetMeasurements, false);
        assert_eq!(t.m1m2_hash(), p.digest(HashAlg::Sha256, b"AAAA"));
    }

    #[test]
    fn record_cap_drops_the_record_not_the_hash() {
        let (p, mut t) = transcript(SpdmVersion::V12);
        t.append_b(&[0u8; 100]).unwrap();
        assert!(t.record_overflowed());
        assert!(t.m1m2_record().is_none());
        let mut m = b"AAAA".to_vec();
        m.extend([0u8; 100]);
        assert_eq!(t.m1m2_hash(), p.digest(HashAlg::Sha256, &m));
    }

    #[test]
    fn vca_and_c_limits() {
        let mut vca = VcaTranscript::new();
        assert!(matches!(
            vca.append(&vec![0; MAX_VCA_LEN + 1]),
            Err(TranscriptError::TooLarge { part: Part::A, .. })
        ));
        let (_, mut t) = transcript(SpdmVersion::V12);
        assert!(matches!(
            t.append_c(&vec![0; MAX_C_LEN + 1]),
            Err(TranscriptError::TooLarge { part: Part::C, .. })
        ));
    }
}
