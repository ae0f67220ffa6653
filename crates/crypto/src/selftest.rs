//! The power-on self test: one known-answer test per algorithm.
//!
//! Each case computes a value with the provider and compares it with a known answer taken
//! from a standard or an independent implementation (FIPS 180-4 / 202 examples, RFC 4231,
//! RFC 5869, NIST SP 800-38A/B/C/E, RFC 8439, RFC 8032, Wycheproof, FIPS 203/204 vectors),
//! never with our own earlier output. Signature and KEM cases also run a pairwise
//! consistency check (sign then verify, encapsulate then decapsulate) and check that a
//! tampered input is refused.

mod asymmetric;
mod symmetric;

use std::time::{Duration, Instant};

use crate::CryptoProvider;

/// One known-answer case.
#[derive(Clone, Copy)]
pub struct KatCase {
    /// Algorithm name as printed ("AES-256-GCM", "ML-DSA-87", ...).
    pub algorithm: &'static str,
    /// Family ("hash", "mac", "kdf", "aead", "cipher", "signature", "key agreement", "kem").
    pub family: &'static str,
    /// Where the known answer comes from.
    pub source: &'static str,
    /// The check: `Err` carries what did not match.
    pub run: fn(&CryptoProvider) -> Result<(), String>,
}

impl std::fmt::Debug for KatCase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KatCase")
            .field("algorithm", &self.algorithm)
            .field("family", &self.family)
            .finish_non_exhaustive()
    }
}

/// The outcome of one case.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The case that ran.
    pub algorithm: &'static str,
    /// Its family.
    pub family: &'static str,
    /// Where its known answer comes from.
    pub source: &'static str,
    /// `Ok` or what failed.
    pub result: Result<(), String>,
    /// How long it took.
    pub elapsed: Duration,
}

/// Every case, symmetric first.
pub fn cases() -> Vec<KatCase> {
    let mut all = symmetric::cases();
    all.extend(asymmetric::cases());
    all
}

/// Runs every case against `provider`.
pub fn run(provider: &CryptoProvider) -> Vec<Outcome> {
    cases()
        .into_iter()
        .map(|case| {
            let start = Instant::now();
            let result =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| (case.run)(provider)))
                    .unwrap_or_else(|_| Err("panicked".to_string()));
            Outcome {
                algorithm: case.algorithm,
                family: case.family,
                source: case.source,
                result,
                elapsed: start.elapsed(),
            }
        })
        .collect()
}

/// Compares `got` with the hex `expected`, for use by the cases.
pub(crate) fn check_hex(what: &str, got: &[u8], expected: &str) -> Result<(), String> {
    let want = decode_hex(expected)?;
    if got == want.as_slice() {
        Ok(())
    } else {
        Err(format!("{what}: got {}, want {expected}", encode_hex(got)))
    }
}

/// Decodes a hex string (whitespace ignored) for the embedded known answers.
pub(crate) fn decode_hex(s: &str) -> Result<Vec<u8>, String> {
    let digits: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if !digits.len().is_multiple_of(2) {
        return Err(format!("odd-length hex in known answer: {s}"));
    }
    digits
        .chunks_exact(2)
        .map(|pair| match pair {
            [hi, lo] => match ((*hi as char).to_digit(16), (*lo as char).to_digit(16)) {
                (Some(h), Some(l)) => u8::try_from(h.saturating_mul(16).saturating_add(l))
                    .map_err(|_| format!("bad hex in known answer: {s}")),
                _ => Err(format!("bad hex in known answer: {s}")),
            },
            _ => Err(format!("bad hex in known answer: {s}")),
        })
        .collect()
}

/// Lower-case hex of `bytes`.
pub(crate) fn encode_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_case_passes_on_the_default_provider() {
        let outcomes = run(&CryptoProvider::new());
        assert!(outcomes.len() >= 20, "expected a case per algorithm");
        let failed: Vec<_> = outcomes.iter().filter(|o| o.result.is_err()).collect();
        assert!(failed.is_empty(), "failed: {failed:?}");
    }

    #[test]
    fn check_hex_detects_a_mismatch() {
        assert!(check_hex("x", &[0xab, 0xcd], "abcd").is_ok());
        assert!(check_hex("x", &[0xab, 0xce], "abcd").is_err());
        assert!(decode_hex("abc").is_err());
    }
}
