//! Fuzz target for `vtrust_spdm::cert`: arbitrary bytes parsed as an SPDM certificate chain
//! and validated against fixed trust anchors (libspdm's ten sample roots: `ca` and `ca1` of
//! each algorithm) at a fixed time.
//! Nothing may panic; whatever validates must be internally consistent.
//!
//! Input layout: `[selector: u8][chain: the rest]`. The selector picks the expected leaf key
//! (bits 0..=2: EC P-256, EC P-384, RSA, ML-DSA-65, ML-DSA-87), the role (bit 3), the Length
//! layout (bit 4: u16 + Reserved or SPDM 1.4 u32), the RootHash hash (bits 5..=6: SHA-256,
//! SHA-384, SHA-512) and, with bit 7, no anchors at all (the chain's own root is taken as
//! is, so mutated roots still reach the per-certificate rules).
//!
//! Seeds (`corpus/spdm_cert_chain/seed-*`): the libspdm sample chains wrapped in the SPDM
//! header with a SHA-384 RootHash, each behind the selector that makes it validate.

#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use vtrust_crypto::CryptoProvider;
use vtrust_crypto::hash::HashAlg;
use vtrust_crypto::sign::KeyType;
use vtrust_spdm::cert::{
    Anchors, LeafKey, LengthField, ParseOptions, Role, SpdmCertChain, Timestamp, TrustAnchor,
    ValidationPolicy,
};

/// 2026-11-22T00:00:00Z.
const NOW: Timestamp = Timestamp::from_unix(1_795_305_600);

const ROOTS: [&[u8]; 5] = [
    include_bytes!("../../../shared/spdm/sample_key/ecp256/ca.cert.der"),
    include_bytes!("../../../shared/spdm/sample_key/ecp384/ca.cert.der"),
    include_bytes!("../../../shared/spdm/sample_key/rsa3072/ca.cert.der"),
    include_bytes!("../../../shared/spdm/sample_key/mldsa65/ca.cert.der"),
    include_bytes!("../../../shared/spdm/sample_key/mldsa87/ca.cert.der"),
];

/// The `bundle_responder.certchain1.der` chains, whose first certificate is the `ca1` root.
const CHAINS1: [&[u8]; 5] = [
    include_bytes!("../../../shared/spdm/sample_key/ecp256/bundle_responder.certchain1.der"),
    include_bytes!("../../../shared/spdm/sample_key/ecp384/bundle_responder.certchain1.der"),
    include_bytes!("../../../shared/spdm/sample_key/rsa3072/bundle_responder.certchain1.der"),
    include_bytes!("../../../shared/spdm/sample_key/mldsa65/bundle_responder.certchain1.der"),
    include_bytes!("../../../shared/spdm/sample_key/mldsa87/bundle_responder.certchain1.der"),
];

/// The first DER element of `bundle` (definite lengths of up to two octets, as the samples
/// use).
fn first_cert(bundle: &[u8]) -> &[u8] {
    let len = match bundle[1] {
        l if l < 0x80 => 2 + usize::from(l),
        0x81 => 3 + usize::from(bundle[2]),
        0x82 => 4 + (usize::from(bundle[2]) << 8 | usize::from(bundle[3])),
        other => panic!("unexpected length octet {other:#x}"),
    };
    &bundle[..len]
}

const LEAF_KEYS: [LeafKey; 5] = [
    LeafKey::new(KeyType::EcP256),
    LeafKey::new(KeyType::EcP384),
    LeafKey::rsa(3072),
    LeafKey::new(KeyType::MlDsa65),
    LeafKey::new(KeyType::MlDsa87),
];

const HASHES: [HashAlg; 4] = [
    HashAlg::Sha256,
    HashAlg::Sha384,
    HashAlg::Sha512,
    HashAlg::Sha384,
];

struct Fixed {
    provider: CryptoProvider,
    anchors: Vec<TrustAnchor>,
}

fn fixed() -> &'static Fixed {
    static FIXED: OnceLock<Fixed> = OnceLock::new();
    FIXED.get_or_init(|| Fixed {
        provider: CryptoProvider::new(),
        anchors: ROOTS
            .iter()
            .copied()
            .chain(CHAINS1.iter().map(|bundle| first_cert(bundle)))
            .map(|der| TrustAnchor::from_der(der).expect("sample root"))
            .collect(),
    })
}

fuzz_target!(|input: &[u8]| {
    let Some((&selector, data)) = input.split_first() else {
        return;
    };
    let fixed = fixed();
    let leaf_key = LEAF_KEYS[usize::from(selector & 7) % LEAF_KEYS.len()];
    let role = if selector & 8 == 0 {
        Role::ResponderAuth
    } else {
        Role::RequesterAuth
    };
    let length_field = if selector & 16 == 0 {
        LengthField::U16
    } else {
        LengthField::U32
    };
    let hash = HASHES[usize::from(selector >> 5 & 3)];
    let anchors = if selector & 128 == 0 {
        Anchors::Trusted(&fixed.anchors)
    } else {
        Anchors::AllowUnanchored
    };

    let options = ParseOptions::new(hash).with_length_field(length_field);
    let Ok(chain) = SpdmCertChain::parse(data, &options) else {
        return;
    };
    assert_eq!(chain.as_bytes(), data);
    assert!(chain.cert_count() >= 1 && chain.cert_count() <= options.max_certs);

    let policy = ValidationPolicy::new(role, NOW, anchors, leaf_key);
    match chain.validate(&policy, &fixed.provider) {
        Ok(validated) => {
            assert_eq!(validated.certificates().len(), chain.cert_count());
            assert_eq!(validated.leaf_public_key().key_type(), leaf_key.key_type);
            assert!(data.ends_with(validated.leaf_der()));
            assert_eq!(validated.root_hash().len(), hash.output_len());
        }
        Err(e) => {
            // Every error names a certificate inside the chain, if it names one.
            if let Some(index) = e.index() {
                assert!(index < chain.cert_count(), "{e}");
            }
            let _ = e.to_string();
        }
    }
});
