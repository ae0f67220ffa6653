//! The measurement store: the TOML format, its validation (one `refuses_*` per check, with
//! the line), rendering, and the summary hash.

use vtrust_crypto::CryptoProvider;
use vtrust_crypto::hash::HashAlg;
use vtrust_spdm::codec::DmtfMeasurementType;
use vtrust_spdm::measurements::{
    MeasurementEntry, MeasurementError, MeasurementStore, MeasurementValue,
};
use vtrust_spdm::responder::{Responder, ResponderConfig, ResponderError, ResponderIdentity};

const GOOD: &str = r#"
# firmware
[[measurement]]
index = 2
type = 1
digest_of = "firmware v1"

[[measurement]]
index = 1
type = 0
hex = "a1d6755d00a66c12e3b5f8fe514441594ed86e8a821ddc55b2961fa71b6d8a12f8f42588b7c5d8362b22c6dd532950dc"

[[measurement]]
index = 5
type = 6
raw = "vtrust 0.1"
tcb = true

[[measurement]]
index = 0x10
type = 7
raw_hex = "07 00 00 00 00 00 00 00"
"#;

#[test]
fn loads_a_measurement_file() {
    let store = MeasurementStore::from_toml_str(GOOD).unwrap();
    let idx: Vec<u8> = store.entries().iter().map(|e| e.index).collect();
    assert_eq!(idx, [1, 2, 5, 0x10]);
    assert_eq!(store.count(), 4);
    let e = store.get(5).unwrap();
    assert_eq!(e.value, MeasurementValue::Raw(b"vtrust 0.1".to_vec()));
    assert!(e.tcb);
    assert!(store.get(1).unwrap().tcb, "type 0 is TCB by default");
    assert!(!store.get(2).unwrap().tcb);
    assert_eq!(
        store.get(0x10).unwrap().value,
        MeasurementValue::Raw(vec![7, 0, 0, 0, 0, 0, 0, 0])
    );
}

#[test]
fn renders_digest_or_raw() {
    let p = CryptoProvider::new();
    let store = MeasurementStore::from_toml_str(GOOD).unwrap();
    let fw = store.get(2).unwrap();
    let digest = fw.render(&p, Some(HashAlg::Sha256), false).unwrap();
    assert!(!digest.raw_bit_stream);
    assert_eq!(
        digest.value,
        p.digest(HashAlg::Sha256, b"firmware v1").as_bytes()
    );
    // Raw bit stream requested (1.2 Param1 bit 1) or RAW_BIT_STREAM_ONLY: the data itself.
    let raw = fw.render(&p, Some(HashAlg::Sha256), true).unwrap();
    assert!(raw.raw_bit_stream);
    assert_eq!(raw.value, b"firmware v1");
    assert_eq!(fw.render(&p, None, false).unwrap().value, b"firmware v1");
    // Block bytes: Index, DMTF, MeasurementSize, type | 0x80, size, value.
    let bytes = store
        .get(0x10)
        .unwrap()
        .render(&p, None, false)
        .unwrap()
        .to_bytes()
        .unwrap();
    assert_eq!(
        hex::encode(bytes),
        "10010b00870800".to_owned() + "0700000000000000"
    );
}

#[test]
fn summary_hash_concatenates_blocks() {
    let p = CryptoProvider::new();
    let store = MeasurementStore::from_toml_str(GOOD).unwrap();
    let blocks = store.render_all(&p, Some(HashAlg::Sha384), false).unwrap();
    let all: Vec<u8> = blocks.iter().flat_map(|b| b.to_bytes().unwrap()).collect();
    assert_eq!(
        store
            .summary_hash(&p, HashAlg::Sha256, Some(HashAlg::Sha384), false)
            .unwrap(),
        p.digest(HashAlg::Sha256, &all)
    );
    let tcb: Vec<u8> = blocks
        .iter()
        .filter(|b| b.index == 1 || b.index == 5)
        .flat_map(|b| b.to_bytes().unwrap())
        .collect();
    assert_eq!(
        store
            .summary_hash(&p, HashAlg::Sha256, Some(HashAlg::Sha384), true)
            .unwrap(),
        p.digest(HashAlg::Sha256, &tcb)
    );
}

#[test]
fn default_set_has_the_libspdm_shape() {
    let store = MeasurementStore::default_set();
    let idx: Vec<u8> = store.entries().iter().map(|e| e.index).collect();
    assert_eq!(idx, [1, 2, 3, 4, 5, 0x10, 0xFD, 0xFE]);
    let types: Vec<u8> = store
        .entries()
        .iter()
        .map(|e| u8::from(e.value_type))
        .collect();
    assert_eq!(types, [0, 1, 2, 3, 6, 7, 4, 5]);
}

fn err(text: &str) -> MeasurementError {
    MeasurementStore::from_toml_str(text).unwrap_err()
}

#[test]
fn refuses_duplicate_index() {
    let text = "[[measurement]]\nindex = 3\ntype = 1\nraw = \"a\"\n\n[[measurement]]\nindex = 3\ntype = 2\nraw = \"b\"\n";
    assert_eq!(
        err(text),
        MeasurementError::DuplicateIndex { index: 3, line: 6 }
    );
}

#[test]
fn refuses_index_zero_and_ff() {
    assert_eq!(
        err("[[measurement]]\nindex = 0\ntype = 1\nraw = \"a\"\n"),
        MeasurementError::ReservedIndex { index: 0, line: 1 }
    );
    assert_eq!(
        err("\n[[measurement]]\nindex = 255\ntype = 1\nraw = \"a\"\n"),
        MeasurementError::ReservedIndex {
            index: 0xFF,
            line: 2
        }
    );
    assert!(matches!(
        err("[[measurement]]\nindex = 300\ntype = 1\nraw = \"a\"\n"),
        MeasurementError::ReservedIndex { line: 1, .. }
    ));
    let e = MeasurementStore::new(vec![MeasurementEntry::new(
        0,
        DmtfMeasurementType::ImmutableRom,
        MeasurementValue::Raw(vec![1]),
    )])
    .unwrap_err();
    assert_eq!(e, MeasurementError::ReservedIndex { index: 0, line: 0 });
}

#[test]
fn refuses_type_out_of_range() {
    assert_eq!(
        err("[[measurement]]\nindex = 1\ntype = 128\nraw = \"a\"\n"),
        MeasurementError::BadType {
            value_type: 128,
            line: 1
        }
    );
}

#[test]
fn refuses_missing_or_extra_value_key() {
    assert_eq!(
        err("[[measurement]]\nindex = 1\ntype = 1\n"),
        MeasurementError::ValueKeys { line: 1, found: 0 }
    );
    assert_eq!(
        err("[[measurement]]\nindex = 1\ntype = 1\nraw = \"a\"\nhex = \"00\"\n"),
        MeasurementError::ValueKeys { line: 1, found: 2 }
    );
}

#[test]
fn refuses_bad_hex() {
    assert_eq!(
        err("[[measurement]]\nindex = 1\ntype = 1\nraw_hex = \"0g\"\n"),
        MeasurementError::BadHex {
            key: "raw_hex",
            line: 1
        }
    );
    assert_eq!(
        err("[[measurement]]\nindex = 1\ntype = 1\nhex = \"abc\"\n"),
        MeasurementError::BadHex {
            key: "hex",
            line: 1
        }
    );
}

#[test]
fn refuses_empty_and_oversized_values() {
    assert_eq!(
        err("[[measurement]]\nindex = 1\ntype = 1\nraw = \"\"\n"),
        MeasurementError::BadValueSize {
            index: 1,
            len: 0,
            line: 1
        }
    );
    let big = "a".repeat(0x1001);
    assert_eq!(
        err(&format!(
            "[[measurement]]\nindex = 1\ntype = 1\nraw = \"{big}\"\n"
        )),
        MeasurementError::BadValueSize {
            index: 1,
            len: 0x1001,
            line: 1
        }
    );
}

#[test]
fn refuses_unknown_key_with_line() {
    let e = err("[[measurement]]\nindex = 1\ntype = 1\nraw = \"a\"\ncolour = \"red\"\n");
    assert!(
        matches!(e, MeasurementError::Syntax { line: 5, .. }),
        "{e:?}"
    );
    assert!(matches!(
        err("[[measurement]\n"),
        MeasurementError::Syntax { line: 1, .. }
    ));
}

#[test]
fn refuses_too_many_entries() {
    let text: String = (1..=255)
        .map(|i| format!("[[measurement]]\nindex = {i}\ntype = 1\nraw = \"a\"\n"))
        .collect();
    assert!(matches!(
        err(&text),
        MeasurementError::TooManyEntries {
            count: 255,
            max: 254
        }
    ));
}

#[test]
fn refuses_digest_of_the_wrong_size_for_the_configured_hash() {
    // A 48-byte digest with a responder that may negotiate SHA-256 (the default set).
    let store = MeasurementStore::from_toml_str(GOOD).unwrap();
    let e = Responder::new(
        ResponderConfig::default(),
        ResponderIdentity::new(),
        store,
        CryptoProvider::new(),
    )
    .unwrap_err();
    assert!(
        matches!(
            e,
            ResponderError::Measurements(MeasurementError::DigestSizeMismatch {
                index: 1,
                len: 48,
                expected: 32
            })
        ),
        "{e:?}"
    );
}
