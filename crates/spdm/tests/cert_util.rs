//! Helpers shared by the `cert_*` test files (included with `#[path]`): loading libspdm's
//! sample certificates from `shared/spdm/sample_key` beside the checkout, wrapping them in the
//! SPDM chain header, and the fixed "now" of the sample INDEX (2026-11-22).
#![allow(dead_code)]

use vtrust_crypto::CryptoProvider;
use vtrust_crypto::hash::HashAlg;
use vtrust_spdm::cert::{LengthField, Timestamp};

/// The samples' directory (`shared/` sits beside the repository checkout).
pub const SAMPLE_DIR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/spdm/sample_key"
);

/// 2026-11-22T00:00:00Z, the date INDEX.md judges validity at.
pub const NOW: Timestamp = Timestamp::from_unix(1_795_305_600);

/// A sample file's bytes (`dir/name`, relative to the sample directory).
pub fn sample(path: &str) -> Vec<u8> {
    let full = format!("{SAMPLE_DIR}/{path}");
    std::fs::read(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

/// Splits concatenated DER certificates on their outer lengths (independently of the crate's
/// splitter: a plain reading of X.690 definite lengths).
pub fn split_certs(mut bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        assert_eq!(bytes[0], 0x30);
        let (header, len) = match bytes[1] {
            l if l < 0x80 => (2, l as usize),
            0x81 => (3, bytes[2] as usize),
            0x82 => (4, (bytes[2] as usize) << 8 | bytes[3] as usize),
            0x83 => (
                5,
                (bytes[2] as usize) << 16 | (bytes[3] as usize) << 8 | bytes[4] as usize,
            ),
            other => panic!("unexpected length byte {other:#x}"),
        };
        out.push(bytes[..header + len].to_vec());
        bytes = &bytes[header + len..];
    }
    out
}

/// Wraps concatenated DER certificates (libspdm `bundle_*.certchain.der`) in the SPDM header,
/// written by hand here: Length u16 LE, Reserved 0, RootHash = hash(first certificate).
pub fn wrap(provider: &CryptoProvider, hash: HashAlg, bundle: &[u8]) -> Vec<u8> {
    wrap_with(provider, hash, bundle, LengthField::U16)
}

/// [`wrap`] with a choice of Length layout.
pub fn wrap_with(
    provider: &CryptoProvider,
    hash: HashAlg,
    bundle: &[u8],
    length_field: LengthField,
) -> Vec<u8> {
    let certs = split_certs(bundle);
    let root_hash = provider.digest(hash, &certs[0]);
    let total = 4 + root_hash.as_bytes().len() + bundle.len();
    let mut out = Vec::with_capacity(total);
    match length_field {
        LengthField::U16 => {
            out.extend_from_slice(&u16::try_from(total).unwrap().to_le_bytes());
            out.extend_from_slice(&[0, 0]);
        }
        LengthField::U32 => out.extend_from_slice(&u32::try_from(total).unwrap().to_le_bytes()),
    }
    out.extend_from_slice(root_hash.as_bytes());
    out.extend_from_slice(bundle);
    out
}

/// Rewrites the Length field (u16 layout) after a change of size.
pub fn fix_length(chain: &mut [u8]) {
    let len = u16::try_from(chain.len()).unwrap();
    chain[..2].copy_from_slice(&len.to_le_bytes());
}

/// Parses `YYYY-MM-DDTHH:MM:SSZ`.
pub fn at(text: &str) -> Timestamp {
    Timestamp::parse_rfc3339(text).unwrap_or_else(|| panic!("bad time {text}"))
}
