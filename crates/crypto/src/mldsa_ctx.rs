//! ML-DSA (FIPS 204) sign and verify **with a context string**, by a small FFI to aws-lc.
//!
//! # Why this module exists
//! SPDM 1.4 (DSP0274) signs with ML-DSA using the FIPS 204 context string `ctx` = the SPDM
//! signing context (e.g. `b"responder-challenge_auth signing"`); libspdm does the same, and
//! captured transcripts verify only under that `ctx`. aws-lc-rs 1.19's `PqdsaKeyPair` /
//! `UnparsedPublicKey` always use the empty context, so this module calls the same aws-lc
//! (`aws-lc-sys` 0.47, pinned to the version aws-lc-rs links) directly. It is the one module
//! of vtrust-crypto allowed `unsafe`.
//!
//! # The aws-lc calls (checked against the aws-lc source shipped in aws-lc-sys 0.47)
//! - Keys: `EVP_PKEY_pqdsa_new_raw_private_key(nid, in, len)` accepts either the 32-byte seed
//!   (key generation from ξ) or the expanded private key, chosen by `len`
//!   (`crypto/fipsmodule/evp/p_pqdsa.c`), so each constructor checks the length first.
//!   `EVP_PKEY_pqdsa_new_raw_public_key` for a raw public key, `EVP_PKEY_get_raw_public_key` back.
//! - Sign / verify: `EVP_DigestSignInit` / `EVP_DigestVerifyInit` with `md = NULL` (pure ML-DSA,
//!   `include/openssl/evp.h`), `EVP_PKEY_CTX_set1_signature_context_string` on the `EVP_PKEY_CTX`
//!   they hand back, then `EVP_DigestSign` / `EVP_DigestVerify`. These reach
//!   `pkey_pqdsa_sign_message` / `pkey_pqdsa_verify_message` -> `ml_dsa_*_sign` / `_verify`
//!   with `(ctx, ctx_len)` (FIPS 204 Algorithms 2 and 3). `EVP_PKEY_sign` / `EVP_PKEY_verify`
//!   would be wrong: for ML-DSA they take the 64-byte external mu and refuse a context
//!   (`p_pqdsa.c`, evp.h). This is the sequence of aws-lc's own test
//!   `PQDSAParameterTest.ContextString` (`crypto/evp_extra/p_pqdsa_test.cc`).
//!
//! # Invariants
//! - `Pkey` and `MdCtx` each own one non-null pointer, freed exactly once in `Drop`, so every
//!   path (including early returns) frees everything. The `EVP_PKEY_CTX` that `EVP_Digest*Init`
//!   creates belongs to its `EVP_MD_CTX` and is freed by `EVP_MD_CTX_free`.
//! - Every length handed to C is the length of the Rust slice it describes; output buffers have
//!   the parameter set's fixed size and the length aws-lc reports is checked against it.
//! - After construction a key's `EVP_PKEY` is only passed to `EVP_DigestSignInit` and
//!   `EVP_PKEY_get_raw_public_key`, which evp.h documents as non-mutating and safe to call
//!   concurrently (the only write is the atomic reference count). Hence `MlDsaCtxKey: Send + Sync`.

#![allow(unsafe_code)]
#![cfg_attr(
    not(test),
    allow(
        dead_code,
        reason = "crate-internal API for sign.rs; `expect` would break once every item is used"
    )
)]

use core::ffi::c_int;
use core::fmt;
use core::ptr::{self, NonNull};

use aws_lc_sys::{
    ENGINE, EVP_DigestSign, EVP_DigestSignInit, EVP_DigestVerify, EVP_DigestVerifyInit, EVP_MD,
    EVP_MD_CTX, EVP_MD_CTX_free, EVP_MD_CTX_new, EVP_PKEY, EVP_PKEY_CTX,
    EVP_PKEY_CTX_set1_signature_context_string, EVP_PKEY_free, EVP_PKEY_get_raw_public_key,
    EVP_PKEY_pqdsa_new_raw_private_key, EVP_PKEY_pqdsa_new_raw_public_key, NID_MLDSA44,
    NID_MLDSA65, NID_MLDSA87,
};

use crate::Error;

/// FIPS 204 §5.2: a context string is at most 255 bytes.
pub(crate) const MAX_CONTEXT_LEN: usize = 255;
/// FIPS 204 §5.1: the key generation seed ξ is 32 bytes for every parameter set.
pub(crate) const SEED_LEN: usize = 32;

/// An ML-DSA parameter set (FIPS 204 §4, Table 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum MlDsaParams {
    MlDsa44,
    MlDsa65,
    MlDsa87,
}

impl MlDsaParams {
    /// Name, aws-lc NID, and the public key, expanded private key and signature lengths in
    /// bytes (FIPS 204 Table 2).
    const fn spec(self) -> (&'static str, c_int, usize, usize, usize) {
        match self {
            Self::MlDsa44 => ("ML-DSA-44", NID_MLDSA44, 1312, 2560, 2420),
            Self::MlDsa65 => ("ML-DSA-65", NID_MLDSA65, 1952, 4032, 3309),
            Self::MlDsa87 => ("ML-DSA-87", NID_MLDSA87, 2592, 4896, 4627),
        }
    }

    /// The name used in errors.
    pub(crate) const fn name(self) -> &'static str {
        self.spec().0
    }

    /// Raw public key (pkEncode) length.
    pub(crate) const fn public_key_len(self) -> usize {
        self.spec().2
    }

    /// Expanded private key (skEncode) length.
    pub(crate) const fn expanded_private_key_len(self) -> usize {
        self.spec().3
    }

    /// Signature length.
    pub(crate) const fn signature_len(self) -> usize {
        self.spec().4
    }

    fn backend(self) -> Error {
        Error::Backend { alg: self.name() }
    }
}

/// Refuses a context string longer than FIPS 204 allows.
fn check_context(params: MlDsaParams, ctx: &[u8]) -> Result<(), Error> {
    if ctx.len() > MAX_CONTEXT_LEN {
        return Err(Error::InvalidInputLength {
            alg: params.name(),
            len: ctx.len(),
            reason: "a FIPS 204 context string is at most 255 bytes",
        });
    }
    Ok(())
}

/// One owned reference to an aws-lc `EVP_PKEY`.
struct Pkey(NonNull<EVP_PKEY>);

impl Pkey {
    /// `bytes` is a 32-byte seed or an expanded private key (the caller checked which).
    fn private(params: MlDsaParams, bytes: &[u8]) -> Result<Self, Error> {
        // SAFETY: `bytes` is a live slice and aws-lc reads (copies) exactly `bytes.len()` bytes of
        // it; the result is a new EVP_PKEY with one reference, which `Self` takes over, or NULL.
        let raw = unsafe {
            EVP_PKEY_pqdsa_new_raw_private_key(params.spec().1, bytes.as_ptr(), bytes.len())
        };
        NonNull::new(raw).map(Self).ok_or(Error::KeyRejected {
            alg: params.name(),
            reason: "aws-lc refused the private key",
        })
    }

    fn public(params: MlDsaParams, bytes: &[u8]) -> Result<Self, Error> {
        // SAFETY: as in `private`: `bytes` is live for the call and copied; ownership of the
        // returned EVP_PKEY (or NULL) passes to `Self`.
        let raw = unsafe {
            EVP_PKEY_pqdsa_new_raw_public_key(params.spec().1, bytes.as_ptr(), bytes.len())
        };
        NonNull::new(raw).map(Self).ok_or(Error::KeyRejected {
            alg: params.name(),
            reason: "aws-lc refused the public key",
        })
    }
}

impl Drop for Pkey {
    fn drop(&mut self) {
        // SAFETY: `self` owns exactly one reference, released once here. An EVP_PKEY_CTX that
        // still holds its own reference keeps the key alive until it is freed.
        unsafe { EVP_PKEY_free(self.0.as_ptr()) }
    }
}

/// `EVP_DigestSignInit` or `EVP_DigestVerifyInit` (same signature).
type DigestInit = unsafe extern "C" fn(
    *mut EVP_MD_CTX,
    *mut *mut EVP_PKEY_CTX,
    *const EVP_MD,
    *mut ENGINE,
    *mut EVP_PKEY,
) -> c_int;

/// An owned `EVP_MD_CTX` set up for one pure ML-DSA sign or verify with a context string.
struct MdCtx(NonNull<EVP_MD_CTX>);

impl MdCtx {
    fn new(init: DigestInit, pkey: &Pkey, params: MlDsaParams, ctx: &[u8]) -> Result<Self, Error> {
        check_context(params, ctx)?;
        // SAFETY: no arguments; returns a zeroed EVP_MD_CTX that `Self` takes over, or NULL.
        let md = NonNull::new(unsafe { EVP_MD_CTX_new() })
            .map(Self)
            .ok_or(params.backend())?;
        let mut pctx: *mut EVP_PKEY_CTX = ptr::null_mut();
        // SAFETY: `init` is `EVP_DigestSignInit` or `EVP_DigestVerifyInit`. `md` is a fresh
        // EVP_MD_CTX, `pctx` a valid out-pointer; md type NULL (pure ML-DSA) and engine NULL are
        // documented inputs. `pkey` is live for the call and not mutated (evp.h); the
        // EVP_PKEY_CTX that `md` now owns takes its own reference to it.
        let ok = unsafe {
            init(
                md.0.as_ptr(),
                &raw mut pctx,
                ptr::null(),
                ptr::null_mut(),
                pkey.0.as_ptr(),
            )
        };
        if ok != 1 || pctx.is_null() {
            return Err(params.backend());
        }
        // SAFETY: `pctx` is non-null and owned by `md`, which is alive; `ctx` is a live slice of
        // at most 255 bytes (checked above) that aws-lc copies into the EVP_PKEY_CTX.
        if unsafe { EVP_PKEY_CTX_set1_signature_context_string(pctx, ctx.as_ptr(), ctx.len()) } != 1
        {
            return Err(params.backend());
        }
        Ok(md)
    }
}

impl Drop for MdCtx {
    fn drop(&mut self) {
        // SAFETY: `self` owns the EVP_MD_CTX, freed once here together with its EVP_PKEY_CTX.
        unsafe { EVP_MD_CTX_free(self.0.as_ptr()) }
    }
}

/// An ML-DSA private key that signs with a FIPS 204 context string.
pub(crate) struct MlDsaCtxKey {
    params: MlDsaParams,
    pkey: Pkey,
}

// SAFETY: the EVP_PKEY is owned by this value alone and never mutated after construction: it is
// only passed to `EVP_DigestSignInit` and `EVP_PKEY_get_raw_public_key`, which aws-lc documents
// as non-mutating and usable concurrently (evp.h, "Public/private key objects" and
// `EVP_DigestSignInit`); the reference count they touch is atomic. Freeing it needs `&mut self`.
unsafe impl Send for MlDsaCtxKey {}
// SAFETY: see `Send`: every `&self` method uses the key only through non-mutating aws-lc calls.
unsafe impl Sync for MlDsaCtxKey {}

impl fmt::Debug for MlDsaCtxKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MlDsaCtxKey")
            .field("params", &self.params)
            .finish_non_exhaustive()
    }
}

impl MlDsaCtxKey {
    /// The key pair that FIPS 204 `ML-DSA.KeyGen_internal` derives from the 32-byte seed ξ.
    pub(crate) fn from_seed(params: MlDsaParams, seed: &[u8]) -> Result<Self, Error> {
        if seed.len() != SEED_LEN {
            return Err(Error::InvalidKeyLength {
                alg: params.name(),
                len: seed.len(),
            });
        }
        Ok(Self {
            params,
            pkey: Pkey::private(params, seed)?,
        })
    }

    /// A key from its expanded private key encoding (FIPS 204 skEncode), as libspdm stores it.
    pub(crate) fn from_expanded(params: MlDsaParams, private_key: &[u8]) -> Result<Self, Error> {
        if private_key.len() != params.expanded_private_key_len() {
            return Err(Error::InvalidKeyLength {
                alg: params.name(),
                len: private_key.len(),
            });
        }
        Ok(Self {
            params,
            pkey: Pkey::private(params, private_key)?,
        })
    }

    /// The parameter set.
    pub(crate) fn params(&self) -> MlDsaParams {
        self.params
    }

    /// The raw FIPS 204 public key (pkEncode).
    pub(crate) fn public_key(&self) -> Result<Vec<u8>, Error> {
        let mut out = vec![0u8; self.params.public_key_len()];
        let mut len = out.len();
        // SAFETY: the key is live and not mutated (const in C); `out` is writable for `len` bytes,
        // aws-lc refuses a too-small buffer and stores the length it wrote in `len`.
        let ok = unsafe {
            EVP_PKEY_get_raw_public_key(self.pkey.0.as_ptr(), out.as_mut_ptr(), &raw mut len)
        };
        if ok != 1 || len != out.len() {
            return Err(self.params.backend());
        }
        Ok(out)
    }

    /// FIPS 204 `ML-DSA.Sign(sk, msg, ctx)` (hedged: aws-lc draws fresh randomness).
    pub(crate) fn sign(&self, msg: &[u8], ctx: &[u8]) -> Result<Vec<u8>, Error> {
        let md = MdCtx::new(EVP_DigestSignInit, &self.pkey, self.params, ctx)?;
        let mut sig = vec![0u8; self.params.signature_len()];
        let mut len = sig.len();
        // SAFETY: `md` is set up for signing; `sig` is writable for `len` bytes (aws-lc checks
        // `len` against the signature size before writing); `msg` is readable for its length.
        let ok = unsafe {
            EVP_DigestSign(
                md.0.as_ptr(),
                sig.as_mut_ptr(),
                &raw mut len,
                msg.as_ptr(),
                msg.len(),
            )
        };
        if ok != 1 || len != sig.len() {
            return Err(self.params.backend());
        }
        Ok(sig)
    }
}

/// FIPS 204 `ML-DSA.Verify(pk, msg, sig, ctx)` with a raw public key.
pub(crate) fn verify(
    params: MlDsaParams,
    public_key: &[u8],
    msg: &[u8],
    ctx: &[u8],
    sig: &[u8],
) -> Result<(), Error> {
    if public_key.len() != params.public_key_len() {
        return Err(Error::InvalidKeyLength {
            alg: params.name(),
            len: public_key.len(),
        });
    }
    if sig.len() != params.signature_len() {
        return Err(Error::BadSignature { alg: params.name() });
    }
    let pkey = Pkey::public(params, public_key)?;
    let md = MdCtx::new(EVP_DigestVerifyInit, &pkey, params, ctx)?;
    // SAFETY: `md` is set up for verifying; `sig` and `msg` are live slices read for their lengths.
    let ok = unsafe {
        EVP_DigestVerify(
            md.0.as_ptr(),
            sig.as_ptr(),
            sig.len(),
            msg.as_ptr(),
            msg.len(),
        )
    };
    if ok == 1 {
        Ok(())
    } else {
        Err(Error::BadSignature { alg: params.name() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ml_dsa::Keypair;

    const ALL: [MlDsaParams; 3] = [
        MlDsaParams::MlDsa44,
        MlDsaParams::MlDsa65,
        MlDsaParams::MlDsa87,
    ];
    const SPDM: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/spdm");
    const CHALLENGE_AUTH_CTX: &[u8] = b"responder-challenge_auth signing";
    /// SHA-384(M2) of the `CHALLENGE_AUTH` in frame \[30\] (transcripts/README.md, last section).
    const M2_HASH: &str = "b7409751d07cec6470099bc3499d19361625c9f3fd4d114be4fb6e59b17adc82842b886bf73acc1ee3c0f9d6b0181e32";

    fn shared(path: &str) -> Vec<u8> {
        std::fs::read(format!("{SPDM}/{path}"))
            .unwrap_or_else(|e| panic!("{SPDM}/{path}: {e} (shared/ must sit beside the checkout)"))
    }

    /// The SPDM 1.4 signed data: "dmtf-spdm-v1.4.*" x4, zero pad, context (36 bytes), then hash.
    fn spdm_signed_data(context: &[u8], hash: &[u8]) -> Vec<u8> {
        let mut m = b"dmtf-spdm-v1.4.*".repeat(4);
        m.resize(64 + 36 - context.len(), 0);
        m.extend_from_slice(context);
        m.extend_from_slice(hash);
        m
    }

    /// The signature of frame \[30\] `CHALLENGE_AUTH` in `mctp_1.4_mldsa65.txt`.
    fn captured_challenge_auth_signature() -> Vec<u8> {
        let text = String::from_utf8(shared("transcripts/mctp_1.4_mldsa65.txt")).unwrap();
        let mut lines = text
            .lines()
            .skip_while(|l| !l.starts_with("# [30] CHALLENGE_AUTH:"));
        assert!(
            lines.next().is_some(),
            "frame [30] CHALLENGE_AUTH not found"
        );
        let frame = hex::decode(lines.next().unwrap().strip_prefix("< ").unwrap()).unwrap();
        let (mctp_type, spdm) = frame.split_first().unwrap();
        assert_eq!(
            (*mctp_type, spdm.len(), spdm[0], spdm[1]),
            (0x05, 3451, 0x14, 0x03)
        );
        spdm[spdm.len() - 3309..].to_vec()
    }

    #[test]
    fn verifies_libspdm_challenge_auth_only_with_spdm_context() {
        let p = MlDsaParams::MlDsa65;
        let pk = shared("sample_key/mldsa65/end_responder.key.pub.raw");
        let sig = captured_challenge_auth_signature();
        let msg = spdm_signed_data(CHALLENGE_AUTH_CTX, &hex::decode(M2_HASH).unwrap());
        assert_eq!(msg.len(), 148);
        verify(p, &pk, &msg, CHALLENGE_AUTH_CTX, &sig).unwrap();
        let bad = Err(Error::BadSignature { alg: "ML-DSA-65" });
        assert_eq!(verify(p, &pk, &msg, b"", &sig), bad);
        let mut flipped = msg.clone();
        flipped[120] ^= 0x01;
        assert_eq!(verify(p, &pk, &flipped, CHALLENGE_AUTH_CTX, &sig), bad);
    }

    #[test]
    fn expanded_sample_key_matches_its_public_key_and_signs() {
        let p = MlDsaParams::MlDsa65;
        let pk = shared("sample_key/mldsa65/end_responder.key.pub.raw");
        let key =
            MlDsaCtxKey::from_expanded(p, &shared("sample_key/mldsa65/end_responder.key.priv.raw"))
                .unwrap();
        assert_eq!(key.public_key().unwrap(), pk);
        let msg = spdm_signed_data(CHALLENGE_AUTH_CTX, &[0xab; 48]);
        verify(
            p,
            &pk,
            &msg,
            CHALLENGE_AUTH_CTX,
            &key.sign(&msg, CHALLENGE_AUTH_CTX).unwrap(),
        )
        .unwrap();
    }

    #[test]
    fn round_trip_with_context_all_parameter_sets() {
        for p in ALL {
            let key = MlDsaCtxKey::from_seed(p, &[7; 32]).unwrap();
            let pk = key.public_key().unwrap();
            assert_eq!((key.params(), pk.len()), (p, p.public_key_len()));
            let sig = key.sign(b"message", b"ctx").unwrap();
            assert_eq!(sig.len(), p.signature_len());
            verify(p, &pk, b"message", b"ctx", &sig).unwrap();
            let bad = Err(Error::BadSignature { alg: p.name() });
            assert_eq!(verify(p, &pk, b"message", b"ctx2", &sig), bad);
            assert_eq!(verify(p, &pk, b"message", b"", &sig), bad);
            assert_eq!(verify(p, &pk, b"massage", b"ctx", &sig), bad);
            assert_eq!(verify(p, &pk, b"message", b"ctx", &sig[1..]), bad);
            let max = [0x42; MAX_CONTEXT_LEN];
            verify(p, &pk, b"", &max, &key.sign(b"", &max).unwrap()).unwrap();
        }
    }

    #[test]
    fn refuses_context_over_255_bytes() {
        for p in ALL {
            let key = MlDsaCtxKey::from_seed(p, &[1; 32]).unwrap();
            let pk = key.public_key().unwrap();
            let sig = key.sign(b"m", b"").unwrap();
            let err = Error::InvalidInputLength {
                alg: p.name(),
                len: 256,
                reason: "a FIPS 204 context string is at most 255 bytes",
            };
            assert_eq!(key.sign(b"m", &[0; 256]), Err(err.clone()));
            assert_eq!(verify(p, &pk, b"m", &[0; 256], &sig), Err(err));
        }
    }

    #[test]
    fn refuses_keys_of_wrong_length() {
        for p in ALL {
            let len_err = |len| Err::<(), _>(Error::InvalidKeyLength { alg: p.name(), len });
            assert_eq!(MlDsaCtxKey::from_seed(p, &[0; 31]).map(|_| ()), len_err(31));
            let expanded = vec![0; p.expanded_private_key_len()];
            assert_eq!(
                MlDsaCtxKey::from_seed(p, &expanded).map(|_| ()),
                len_err(expanded.len())
            );
            assert_eq!(
                MlDsaCtxKey::from_expanded(p, &[0; 32]).map(|_| ()),
                len_err(32)
            );
            let sig = vec![0; p.signature_len()];
            assert_eq!(verify(p, &[0; 32], b"m", b"", &sig), len_err(32));
        }
    }

    #[test]
    fn one_key_signs_concurrently() {
        let key = MlDsaCtxKey::from_seed(MlDsaParams::MlDsa44, &[3; 32]).unwrap();
        let pk = key.public_key().unwrap();
        std::thread::scope(|s| {
            for i in 0..4u8 {
                let (key, pk) = (&key, &pk);
                s.spawn(move || {
                    let sig = key.sign(&[i], b"thread").unwrap();
                    verify(MlDsaParams::MlDsa44, pk, &[i], b"thread", &sig).unwrap();
                });
            }
        });
    }

    /// Interop with the independent `RustCrypto` `ml-dsa` implementation.
    fn cross_check<P: ml_dsa::MlDsaParams>(p: MlDsaParams) {
        let seed = [0x5a; 32];
        let ours = MlDsaCtxKey::from_seed(p, &seed).unwrap();
        let theirs = ml_dsa::SigningKey::<P>::from_seed(&seed.into());
        let vk = theirs.verifying_key();
        let pk = ours.public_key().unwrap();
        assert_eq!(
            pk,
            vk.encode().as_slice(),
            "{}: same seed, same public key",
            p.name()
        );

        let msg = spdm_signed_data(CHALLENGE_AUTH_CTX, &[0x11; 48]);
        let sig = ours.sign(&msg, CHALLENGE_AUTH_CTX).unwrap();
        let parsed = ml_dsa::Signature::<P>::try_from(sig.as_slice()).unwrap();
        assert!(vk.verify_with_context(&msg, CHALLENGE_AUTH_CTX, &parsed));
        assert!(!vk.verify_with_context(&msg, b"", &parsed));

        let expanded = ml_dsa::ExpandedSigningKey::<P>::from_seed(&seed.into());
        let theirs_sig = expanded
            .sign_deterministic(&msg, CHALLENGE_AUTH_CTX)
            .unwrap()
            .encode()
            .to_vec();
        verify(p, &pk, &msg, CHALLENGE_AUTH_CTX, &theirs_sig).unwrap();
        assert!(verify(p, &pk, &msg, b"other", &theirs_sig).is_err());
    }

    #[test]
    fn interoperates_with_rustcrypto_ml_dsa() {
        cross_check::<ml_dsa::MlDsa44>(MlDsaParams::MlDsa44);
        cross_check::<ml_dsa::MlDsa65>(MlDsaParams::MlDsa65);
        cross_check::<ml_dsa::MlDsa87>(MlDsaParams::MlDsa87);
    }
}
