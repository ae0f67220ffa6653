//! Ephemeral elliptic-curve Diffie-Hellman over NIST P-256, P-384 and P-521.
//!
//! This module owns [`EcdhCurve`], the one-shot [`EphemeralSecret`] and the
//! [`SharedSecret`] value that key agreement and the KEMs ([`crate::kem`]) both return.
//!
//! Key agreement is the "ECC CDH" primitive of NIST SP 800-56A Rev. 3 §5.7.1.2: the shared
//! secret `Z` is the big-endian x-coordinate of `d * Q`, exactly as SPDM (DSP0274
//! KEY_EXCHANGE, ECDHE `ExchangeData`) and TLS use it. SPDM carries ephemeral public keys as `X || Y` without the
//! SEC1 `0x04` prefix, so [`EphemeralSecret`] offers both forms and
//! [`EphemeralSecret::agree`] accepts both.
//!
//! The private scalar is drawn from the provider's RNG by rejection sampling (FIPS 186-5
//! A.2.2): with a [`crate::rng::TestRng`] the key pair is reproducible.
//!
//! ```
//! use vtrust_crypto::{CryptoProvider, kex::EcdhCurve};
//! let provider = CryptoProvider::new();
//! let alice = provider.ecdh_ephemeral(EcdhCurve::P384)?;
//! let bob = provider.ecdh_ephemeral(EcdhCurve::P384)?;
//! let bob_public = bob.public_key_xy().to_vec(); // SPDM wire form
//! let alice_public = alice.public_key_sec1().to_vec(); // SEC1 uncompressed
//! let z1 = alice.agree(&bob_public)?;
//! let z2 = bob.agree(&alice_public)?;
//! assert_eq!(z1.as_bytes(), z2.as_bytes());
//! # Ok::<(), vtrust_crypto::Error>(())
//! ```

use aws_lc_rs::agreement;

use crate::{CryptoProvider, Error};

/// The largest shared secret any algorithm here produces (ECDH P-521: 66 bytes).
pub const MAX_SHARED_SECRET_LEN: usize = 66;

/// The largest SEC1 uncompressed point (P-521: 1 + 2 * 66 bytes).
const MAX_SEC1_LEN: usize = 133;

/// The largest scalar (P-521: 66 bytes).
const MAX_SCALAR_LEN: usize = 66;

/// How many candidates rejection sampling draws before giving up. For every curve here a
/// candidate is rejected with probability below 2^-32, so 64 failures mean a broken RNG.
const MAX_SCALAR_TRIES: usize = 64;

/// A NIST prime curve for ECDH (FIPS 186-5, SP 800-186 §3.2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EcdhCurve {
    /// NIST P-256 (secp256r1); SPDM `DHE secp256r1`.
    P256,
    /// NIST P-384 (secp384r1); SPDM `DHE secp384r1`.
    P384,
    /// NIST P-521 (secp521r1); SPDM `DHE secp521r1`.
    P521,
}

impl EcdhCurve {
    /// Every curve.
    pub const ALL: [EcdhCurve; 3] = [EcdhCurve::P256, EcdhCurve::P384, EcdhCurve::P521];

    /// The curve's name ("P-256").
    pub const fn name(self) -> &'static str {
        match self {
            EcdhCurve::P256 => "P-256",
            EcdhCurve::P384 => "P-384",
            EcdhCurve::P521 => "P-521",
        }
    }

    /// The name used in errors ("ECDH P-256").
    pub(crate) const fn ecdh_name(self) -> &'static str {
        match self {
            EcdhCurve::P256 => "ECDH P-256",
            EcdhCurve::P384 => "ECDH P-384",
            EcdhCurve::P521 => "ECDH P-521",
        }
    }

    /// The length of a field element (one coordinate) and of a private scalar, in bytes.
    pub const fn coordinate_len(self) -> usize {
        match self {
            EcdhCurve::P256 => 32,
            EcdhCurve::P384 => 48,
            EcdhCurve::P521 => 66,
        }
    }

    /// The length of a SEC1 uncompressed public key `0x04 || X || Y`.
    pub const fn public_key_sec1_len(self) -> usize {
        match self {
            EcdhCurve::P256 => 65,
            EcdhCurve::P384 => 97,
            EcdhCurve::P521 => 133,
        }
    }

    /// The length of the SPDM form `X || Y`.
    pub const fn public_key_xy_len(self) -> usize {
        match self {
            EcdhCurve::P256 => 64,
            EcdhCurve::P384 => 96,
            EcdhCurve::P521 => 132,
        }
    }

    /// The length of the shared secret `Z` (the x-coordinate).
    pub const fn shared_secret_len(self) -> usize {
        self.coordinate_len()
    }

    /// The group order `n`, big-endian, `coordinate_len()` bytes (SP 800-186 §3.2.1).
    pub(crate) const fn order(self) -> &'static [u8] {
        match self {
            EcdhCurve::P256 => &ORDER_P256,
            EcdhCurve::P384 => &ORDER_P384,
            EcdhCurve::P521 => &ORDER_P521,
        }
    }

    fn aws(self) -> &'static agreement::Algorithm {
        match self {
            EcdhCurve::P256 => &agreement::ECDH_P256,
            EcdhCurve::P384 => &agreement::ECDH_P384,
            EcdhCurve::P521 => &agreement::ECDH_P521,
        }
    }
}

impl std::fmt::Display for EcdhCurve {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// SP 800-186 §3.2.1.3: n of P-256.
const ORDER_P256: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
];

/// SP 800-186 §3.2.1.4: n of P-384.
const ORDER_P384: [u8; 48] = [
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xc7, 0x63, 0x4d, 0x81, 0xf4, 0x37, 0x2d, 0xdf,
    0x58, 0x1a, 0x0d, 0xb2, 0x48, 0xb0, 0xa7, 0x7a, 0xec, 0xec, 0x19, 0x6a, 0xcc, 0xc5, 0x29, 0x73,
];

/// SP 800-186 §3.2.1.5: n of P-521 (a 521-bit value, so the first byte is 0x01).
const ORDER_P521: [u8; 66] = [
    0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xfa, 0x51, 0x86, 0x87, 0x83, 0xbf, 0x2f, 0x96, 0x6b, 0x7f, 0xcc, 0x01, 0x48, 0xf7, 0x09,
    0xa5, 0xd0, 0x3b, 0xb5, 0xc9, 0xb8, 0x89, 0x9c, 0x47, 0xae, 0xbb, 0x6f, 0xb7, 0x1e, 0x91, 0x38,
    0x64, 0x09,
];

/// Overwrites `buf` with zeros in a way the optimiser may not drop.
pub(crate) fn wipe(buf: &mut [u8]) {
    for byte in buf.iter_mut() {
        *byte = 0;
    }
    std::hint::black_box(buf);
}

/// A private scalar `d` in `[1, n-1]`, big-endian, wiped on drop.
pub(crate) struct Scalar {
    buf: [u8; MAX_SCALAR_LEN],
    len: usize,
}

impl Scalar {
    /// The scalar's `coordinate_len()` big-endian bytes.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or_default()
    }
}

impl Drop for Scalar {
    fn drop(&mut self) {
        wipe(&mut self.buf);
    }
}

/// Whether `bytes` (big-endian, exactly `coordinate_len()` long) lies in `[1, n-1]`.
pub(crate) fn is_valid_scalar(curve: EcdhCurve, bytes: &[u8]) -> bool {
    let order = curve.order();
    // Equal-length big-endian strings compare lexicographically as the numbers they encode.
    bytes.len() == order.len() && bytes.iter().any(|b| *b != 0) && bytes < order
}

/// Draws a uniform scalar in `[1, n-1]` from the provider's RNG (FIPS 186-5 A.2.2, rejection
/// sampling: draw `coordinate_len()` bytes, clear the bits above the order's bit length,
/// retry while the candidate is 0 or not below `n`). Deterministic under a test RNG.
pub(crate) fn random_scalar(provider: &CryptoProvider, curve: EcdhCurve) -> Result<Scalar, Error> {
    let len = curve.coordinate_len();
    let mut scalar = Scalar {
        buf: [0u8; MAX_SCALAR_LEN],
        len,
    };
    for _ in 0..MAX_SCALAR_TRIES {
        let candidate = scalar.buf.get_mut(..len).ok_or(Error::Backend {
            alg: curve.ecdh_name(),
        })?;
        provider.fill_random(candidate)?;
        if curve == EcdhCurve::P521 {
            // n < 2^521: only the lowest bit of the first of 66 bytes is in range.
            if let Some(first) = candidate.first_mut() {
                *first &= 0x01;
            }
        }
        if is_valid_scalar(curve, candidate) {
            return Ok(scalar);
        }
    }
    Err(Error::Rng)
}

/// An ephemeral ECDH private key, used once: [`EphemeralSecret::agree`] consumes it.
///
/// Created by [`CryptoProvider::ecdh_ephemeral`]. The private scalar lives only inside
/// aws-lc, which clears it when the key is freed.
pub struct EphemeralSecret {
    curve: EcdhCurve,
    key: agreement::PrivateKey,
    public: [u8; MAX_SEC1_LEN],
}

impl std::fmt::Debug for EphemeralSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EphemeralSecret")
            .field("curve", &self.curve)
            .finish_non_exhaustive()
    }
}

impl EphemeralSecret {
    /// The key pair for the private scalar `scalar` (big-endian, `coordinate_len()` bytes,
    /// in `[1, n-1]`). Crate-internal: the public API only hands out RNG-drawn keys; the
    /// self test and known-answer tests use this to load a published scalar.
    pub(crate) fn from_scalar(curve: EcdhCurve, scalar: &[u8]) -> Result<Self, Error> {
        if scalar.len() != curve.coordinate_len() {
            return Err(Error::InvalidKeyLength {
                alg: curve.ecdh_name(),
                len: scalar.len(),
            });
        }
        if !is_valid_scalar(curve, scalar) {
            return Err(Error::KeyRejected {
                alg: curve.ecdh_name(),
                reason: "private scalar is not in [1, n-1]",
            });
        }
        let key = agreement::PrivateKey::from_private_key(curve.aws(), scalar).map_err(|_| {
            Error::KeyRejected {
                alg: curve.ecdh_name(),
                reason: "aws-lc refused the private scalar",
            }
        })?;
        let computed = key.compute_public_key().map_err(|_| Error::Backend {
            alg: curve.ecdh_name(),
        })?;
        let mut public = [0u8; MAX_SEC1_LEN];
        public
            .get_mut(..curve.public_key_sec1_len())
            .filter(|dst| dst.len() == computed.as_ref().len())
            .ok_or(Error::Backend {
                alg: curve.ecdh_name(),
            })?
            .copy_from_slice(computed.as_ref());
        Ok(Self { curve, key, public })
    }

    /// The curve.
    pub fn curve(&self) -> EcdhCurve {
        self.curve
    }

    /// The public key as a SEC1 uncompressed point `0x04 || X || Y` (SEC 1 v2 §2.3.3).
    pub fn public_key_sec1(&self) -> &[u8] {
        self.public
            .get(..self.curve.public_key_sec1_len())
            .unwrap_or_default()
    }

    /// The public key as `X || Y`, the SPDM `ExchangeData` form (DSP0274 KEY_EXCHANGE, ECDHE
    /// exchange data: the SEC1 point without its `0x04` prefix).
    pub fn public_key_xy(&self) -> &[u8] {
        self.public
            .get(1..self.curve.public_key_sec1_len())
            .unwrap_or_default()
    }

    /// Computes the shared secret with the peer's public key and destroys this private key.
    ///
    /// `peer` is either SEC1 uncompressed (`0x04 || X || Y`) or SPDM's `X || Y`; the length
    /// tells them apart. Compressed points, the point at infinity, points not on the curve
    /// and coordinates not below the field prime are refused with [`Error::KeyRejected`].
    pub fn agree(self, peer: &[u8]) -> Result<SharedSecret, Error> {
        let curve = self.curve;
        let mut point = [0u8; MAX_SEC1_LEN];
        let sec1_len = curve.public_key_sec1_len();
        let dst = point.get_mut(..sec1_len).ok_or(Error::Backend {
            alg: curve.ecdh_name(),
        })?;
        if peer.len() == curve.public_key_xy_len() {
            let (prefix, xy) = dst.split_first_mut().ok_or(Error::Backend {
                alg: curve.ecdh_name(),
            })?;
            *prefix = 0x04;
            xy.copy_from_slice(peer);
        } else if peer.len() == sec1_len && peer.first() == Some(&0x04) {
            dst.copy_from_slice(peer);
        } else {
            return Err(Error::KeyRejected {
                alg: curve.ecdh_name(),
                reason: "peer public key is neither SEC1 uncompressed (0x04 || X || Y) nor X || Y",
            });
        }
        let peer_key = agreement::UnparsedPublicKey::new(curve.aws(), &*dst);
        agreement::agree(
            &self.key,
            peer_key,
            Error::KeyRejected {
                alg: curve.ecdh_name(),
                reason: "peer public key is not a valid point on the curve",
            },
            SharedSecret::from_slice,
        )
    }
}

/// A shared secret from key agreement or decapsulation: wiped when dropped.
///
/// Deliberately not `Clone`, `PartialEq` or `Debug`-printable: feed it to a KDF (SPDM's
/// key schedule, HKDF) and drop it.
pub struct SharedSecret {
    buf: [u8; MAX_SHARED_SECRET_LEN],
    len: usize,
}

impl SharedSecret {
    /// Copies `bytes` (at most [`MAX_SHARED_SECRET_LEN`]) into a new secret.
    pub(crate) fn from_slice(bytes: &[u8]) -> Result<Self, Error> {
        let mut secret = Self {
            buf: [0u8; MAX_SHARED_SECRET_LEN],
            len: bytes.len(),
        };
        secret
            .buf
            .get_mut(..bytes.len())
            .ok_or(Error::Backend {
                alg: "shared secret",
            })?
            .copy_from_slice(bytes);
        Ok(secret)
    }

    /// The secret bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or_default()
    }

    /// The length in bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the secret is empty (never, for the algorithms here).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl AsRef<[u8]> for SharedSecret {
    fn as_ref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl Drop for SharedSecret {
    fn drop(&mut self) {
        wipe(&mut self.buf);
    }
}

impl std::fmt::Debug for SharedSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedSecret")
            .field("len", &self.len)
            .finish_non_exhaustive()
    }
}

impl CryptoProvider {
    /// A fresh ephemeral ECDH key pair on `curve`, its private scalar drawn from the
    /// provider's RNG (deterministic under [`crate::rng::TestRng`]).
    pub fn ecdh_ephemeral(&self, curve: EcdhCurve) -> Result<EphemeralSecret, Error> {
        let scalar = random_scalar(self, curve)?;
        EphemeralSecret::from_scalar(curve, scalar.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::rng::TestRng;

    fn test_provider(seed: u8) -> CryptoProvider {
        CryptoProvider::with_rng(Arc::new(TestRng::new([seed; 32])))
    }

    #[test]
    fn agreement_is_symmetric_in_both_wire_forms() {
        let provider = CryptoProvider::new();
        for curve in EcdhCurve::ALL {
            let a = provider.ecdh_ephemeral(curve).unwrap();
            let b = provider.ecdh_ephemeral(curve).unwrap();
            assert_eq!(a.public_key_sec1().len(), curve.public_key_sec1_len());
            assert_eq!(a.public_key_xy().len(), curve.public_key_xy_len());
            assert_eq!(&a.public_key_sec1()[1..], a.public_key_xy());
            let (a_pub, b_pub) = (a.public_key_xy().to_vec(), b.public_key_sec1().to_vec());
            let z1 = a.agree(&b_pub).unwrap();
            let z2 = b.agree(&a_pub).unwrap();
            assert_eq!(z1.as_bytes(), z2.as_bytes());
            assert_eq!(z1.len(), curve.shared_secret_len());
        }
    }

    #[test]
    fn test_rng_gives_repeatable_keys() {
        for curve in EcdhCurve::ALL {
            let a = test_provider(7).ecdh_ephemeral(curve).unwrap();
            let b = test_provider(7).ecdh_ephemeral(curve).unwrap();
            let c = test_provider(8).ecdh_ephemeral(curve).unwrap();
            assert_eq!(a.public_key_sec1(), b.public_key_sec1());
            assert_ne!(a.public_key_sec1(), c.public_key_sec1());
        }
    }

    #[test]
    fn orders_are_the_published_lengths_and_bounds() {
        for curve in EcdhCurve::ALL {
            let n = curve.order();
            assert_eq!(n.len(), curve.coordinate_len());
            // n itself and 0 are refused by us and by aws-lc; n - 1 is the largest scalar.
            let mut n_minus_1 = n.to_vec();
            *n_minus_1.last_mut().unwrap() -= 1;
            assert!(EphemeralSecret::from_scalar(curve, &n_minus_1).is_ok());
            assert!(matches!(
                EphemeralSecret::from_scalar(curve, n),
                Err(Error::KeyRejected { .. })
            ));
            assert!(matches!(
                EphemeralSecret::from_scalar(curve, &vec![0; n.len()]),
                Err(Error::KeyRejected { .. })
            ));
            // aws-lc agrees that n is out of range (cross-check of the embedded constant).
            assert!(agreement::PrivateKey::from_private_key(curve.aws(), n).is_err());
        }
    }

    #[test]
    fn refuses_peer_key_of_wrong_length() {
        let provider = CryptoProvider::new();
        let a = provider.ecdh_ephemeral(EcdhCurve::P256).unwrap();
        let b = provider.ecdh_ephemeral(EcdhCurve::P256).unwrap();
        let err = a.agree(&b.public_key_sec1()[..64]).unwrap_err();
        assert!(
            matches!(
                err,
                Error::KeyRejected {
                    alg: "ECDH P-256",
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn refuses_compressed_peer_point() {
        let provider = CryptoProvider::new();
        let a = provider.ecdh_ephemeral(EcdhCurve::P256).unwrap();
        let b = provider.ecdh_ephemeral(EcdhCurve::P256).unwrap();
        let mut compressed = vec![0x02 | (b.public_key_sec1()[64] & 1)];
        compressed.extend_from_slice(&b.public_key_sec1()[1..33]);
        assert!(matches!(
            a.agree(&compressed),
            Err(Error::KeyRejected { .. })
        ));
    }

    #[test]
    fn refuses_point_not_on_curve() {
        let provider = CryptoProvider::new();
        for curve in EcdhCurve::ALL {
            let a = provider.ecdh_ephemeral(curve).unwrap();
            let b = provider.ecdh_ephemeral(curve).unwrap();
            let mut bad = b.public_key_xy().to_vec();
            *bad.last_mut().unwrap() ^= 1;
            assert!(
                matches!(a.agree(&bad), Err(Error::KeyRejected { .. })),
                "{curve}"
            );
        }
    }

    #[test]
    fn refuses_sec1_point_with_wrong_prefix() {
        let provider = CryptoProvider::new();
        let a = provider.ecdh_ephemeral(EcdhCurve::P384).unwrap();
        let b = provider.ecdh_ephemeral(EcdhCurve::P384).unwrap();
        let mut bad = b.public_key_sec1().to_vec();
        bad[0] = 0x06; // "hybrid" encoding: refused
        assert!(matches!(a.agree(&bad), Err(Error::KeyRejected { .. })));
    }

    #[test]
    fn refuses_point_of_other_curve() {
        let provider = CryptoProvider::new();
        let a = provider.ecdh_ephemeral(EcdhCurve::P384).unwrap();
        let b = provider.ecdh_ephemeral(EcdhCurve::P256).unwrap();
        assert!(matches!(
            a.agree(b.public_key_sec1()),
            Err(Error::KeyRejected { .. })
        ));
    }

    #[test]
    fn refuses_scalar_of_wrong_length() {
        assert_eq!(
            EphemeralSecret::from_scalar(EcdhCurve::P256, &[1; 31]).map(|_| ()),
            Err(Error::InvalidKeyLength {
                alg: "ECDH P-256",
                len: 31
            })
        );
    }

    #[test]
    fn shared_secret_debug_hides_bytes() {
        let s = SharedSecret::from_slice(&[0xab; 32]).unwrap();
        assert!(!format!("{s:?}").contains("ab"));
        assert!(SharedSecret::from_slice(&[0; MAX_SHARED_SECRET_LEN + 1]).is_err());
    }

    /// A broken RNG that always returns zero bytes must not hang or yield the scalar 0.
    #[test]
    fn refuses_to_loop_forever_on_a_stuck_rng() {
        struct Zero;
        impl crate::rng::SecureRandom for Zero {
            fn fill(&self, out: &mut [u8]) -> Result<(), Error> {
                out.fill(0);
                Ok(())
            }
            fn name(&self) -> &'static str {
                "zero"
            }
        }
        let provider = CryptoProvider::with_rng(Arc::new(Zero));
        assert_eq!(
            provider.ecdh_ephemeral(EcdhCurve::P256).map(|_| ()),
            Err(Error::Rng)
        );
    }
}
