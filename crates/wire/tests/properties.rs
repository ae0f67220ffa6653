//! Property tests: writer/reader round trips, truncation, open enum identity and rollback of
//! back-patched length prefixes.

use proptest::prelude::*;
use vtrust_wire::{
    Decode, DecodeError, DecodeErrorKind, Encode, EncodeError, EncodeErrorKind, LengthPrefix,
    Reader, Writer, open_enum,
};

open_enum! {
    /// A u8 code point set with gaps.
    pub enum Code: u8 {
        /// GET_VERSION.
        GetVersion = 0x84,
        /// VERSION.
        Version = 0x04,
        /// Zero.
        Zero = 0x00,
        /// Top.
        Top = 0xFF,
    }
}

open_enum! {
    /// A little-endian u16 code point set.
    pub enum Alg: u16 {
        /// SHA-256.
        Sha256 = 0x0001,
        /// SHA-384.
        Sha384 = 0x0002,
        /// Top.
        Top = 0xFFFF,
    }
}

open_enum! {
    /// A big-endian u32 code point set (TPM style).
    pub enum Cc: u32 be {
        /// TPM2_Startup.
        Startup = 0x0000_0144,
        /// TPM2_GetRandom.
        GetRandom = 0x0000_017B,
        /// Top.
        Top = 0xFFFF_FFFF,
    }
}

/// One typed value in a sequence; its variant is also the schema used to read it back.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Item {
    U8(u8),
    U16Le(u16),
    U16Be(u16),
    U24Le(u32),
    U24Be(u32),
    U32Le(u32),
    U32Be(u32),
    U64Le(u64),
    U64Be(u64),
    Array([u8; 4]),
    Bytes(Vec<u8>),
    Zeros(usize),
    Reserved(usize),
    Code(Code),
    Alg(Alg),
    Cc(Cc),
    Prefixed(LengthPrefix, Vec<Item>),
}

fn prefix() -> impl Strategy<Value = LengthPrefix> {
    proptest::sample::select(LengthPrefix::ALL.to_vec())
}

fn item() -> impl Strategy<Value = Item> {
    let leaf = prop_oneof![
        any::<u8>().prop_map(Item::U8),
        any::<u16>().prop_map(Item::U16Le),
        any::<u16>().prop_map(Item::U16Be),
        (0..=0xFF_FFFFu32).prop_map(Item::U24Le),
        (0..=0xFF_FFFFu32).prop_map(Item::U24Be),
        any::<u32>().prop_map(Item::U32Le),
        any::<u32>().prop_map(Item::U32Be),
        any::<u64>().prop_map(Item::U64Le),
        any::<u64>().prop_map(Item::U64Be),
        any::<[u8; 4]>().prop_map(Item::Array),
        proptest::collection::vec(any::<u8>(), 0..24).prop_map(Item::Bytes),
        (0..8usize).prop_map(Item::Zeros),
        (0..8usize).prop_map(Item::Reserved),
        any::<u8>().prop_map(|v| Item::Code(Code::from(v))),
        any::<u16>().prop_map(|v| Item::Alg(Alg::from(v))),
        any::<u32>().prop_map(|v| Item::Cc(Cc::from(v))),
    ];
    leaf.prop_recursive(3, 48, 6, |inner| {
        (prefix(), proptest::collection::vec(inner, 0..6)).prop_map(|(p, items)| prefixed(p, items))
    })
}

/// A prefixed item, its prefix widened if the content outgrew it (keeps every generated
/// sequence encodable).
fn prefixed(p: LengthPrefix, items: Vec<Item>) -> Item {
    let p = if encode(&items).len() > p.max_len() {
        LengthPrefix::U16Le
    } else {
        p
    };
    Item::Prefixed(p, items)
}

fn items() -> impl Strategy<Value = Vec<Item>> {
    proptest::collection::vec(item(), 0..12)
}

fn write_item(w: &mut Writer, item: &Item) -> Result<(), EncodeError> {
    match item {
        Item::U8(v) => w.u8("u8", *v),
        Item::U16Le(v) => w.u16_le("u16_le", *v),
        Item::U16Be(v) => w.u16_be("u16_be", *v),
        Item::U24Le(v) => w.u24_le("u24_le", *v),
        Item::U24Be(v) => w.u24_be("u24_be", *v),
        Item::U32Le(v) => w.u32_le("u32_le", *v),
        Item::U32Be(v) => w.u32_be("u32_be", *v),
        Item::U64Le(v) => w.u64_le("u64_le", *v),
        Item::U64Be(v) => w.u64_be("u64_be", *v),
        Item::Array(v) => w.bytes("array", v),
        Item::Bytes(v) => w.bytes("bytes", v),
        Item::Zeros(n) => w.zeros("zeros", *n),
        Item::Reserved(n) => w.zeros("reserved", *n),
        Item::Code(c) => c.encode(w),
        Item::Alg(a) => a.encode(w),
        Item::Cc(c) => c.encode(w),
        Item::Prefixed(p, items) => w.length_prefixed("prefixed", *p, |w| write_items(w, items)),
    }
}

fn write_items(w: &mut Writer, items: &[Item]) -> Result<(), EncodeError> {
    items.iter().try_for_each(|i| write_item(w, i))
}

fn encode(items: &[Item]) -> Vec<u8> {
    let mut w = Writer::new();
    write_items(&mut w, items).unwrap();
    w.into_vec()
}

/// Reads a value shaped like `schema` (its variant and lengths; not its values).
fn read_item(r: &mut Reader<'_>, schema: &Item) -> Result<Item, DecodeError> {
    Ok(match schema {
        Item::U8(_) => Item::U8(r.u8("u8")?),
        Item::U16Le(_) => Item::U16Le(r.u16_le("u16_le")?),
        Item::U16Be(_) => Item::U16Be(r.u16_be("u16_be")?),
        Item::U24Le(_) => Item::U24Le(r.u24_le("u24_le")?),
        Item::U24Be(_) => Item::U24Be(r.u24_be("u24_be")?),
        Item::U32Le(_) => Item::U32Le(r.u32_le("u32_le")?),
        Item::U32Be(_) => Item::U32Be(r.u32_be("u32_be")?),
        Item::U64Le(_) => Item::U64Le(r.u64_le("u64_le")?),
        Item::U64Be(_) => Item::U64Be(r.u64_be("u64_be")?),
        Item::Array(_) => Item::Array(r.array("array")?),
        Item::Bytes(v) => Item::Bytes(r.bytes("bytes", v.len())?.to_vec()),
        Item::Zeros(n) => {
            r.expect_zero("zeros", *n)?;
            Item::Zeros(*n)
        }
        Item::Reserved(n) => {
            r.skip_reserved("reserved", *n)?;
            Item::Reserved(*n)
        }
        Item::Code(_) => Item::Code(Code::decode(r)?),
        Item::Alg(_) => Item::Alg(Alg::decode(r)?),
        Item::Cc(_) => Item::Cc(Cc::decode(r)?),
        Item::Prefixed(p, items) => {
            let mut sub = r.prefixed("prefixed", *p, p.max_len())?;
            let inner = read_items(&mut sub, items)?;
            sub.expect_end("prefixed")?;
            Item::Prefixed(*p, inner)
        }
    })
}

fn read_items(r: &mut Reader<'_>, schema: &[Item]) -> Result<Vec<Item>, DecodeError> {
    schema.iter().map(|s| read_item(r, s)).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// (a) Whatever the writer writes, the reader reads back, and nothing is left.
    #[test]
    fn writer_reader_round_trip(items in items()) {
        let bytes = encode(&items);
        let mut r = Reader::new(&bytes);
        prop_assert_eq!(read_items(&mut r, &items)?, items);
        prop_assert_eq!(r.expect_end("sequence"), Ok(()));
        prop_assert_eq!(r.position(), bytes.len());
    }

    /// (b) Every strict prefix of a valid encoding fails with `Truncated`, without panicking.
    #[test]
    fn every_strict_prefix_is_truncated(items in items()) {
        let bytes = encode(&items);
        for cut in 0..bytes.len() {
            let mut r = Reader::new(&bytes[..cut]);
            let err = read_items(&mut r, &items).unwrap_err();
            prop_assert!(
                matches!(err.kind, DecodeErrorKind::Truncated { .. }),
                "cut {} of {}: {:?}", cut, bytes.len(), err
            );
            prop_assert!(r.position() <= cut);
        }
    }

    /// (b) An extra byte after a valid encoding is `TrailingBytes`.
    #[test]
    fn an_extra_byte_is_trailing(items in items(), extra in any::<u8>()) {
        let mut bytes = encode(&items);
        bytes.push(extra);
        let mut r = Reader::new(&bytes);
        read_items(&mut r, &items)?;
        prop_assert_eq!(
            r.expect_end("sequence"),
            Err(DecodeError::new("sequence", DecodeErrorKind::TrailingBytes { count: 1 }))
        );
    }

    /// Arbitrary bytes read with an arbitrary schema never panic, and a reader's position plus
    /// what is left is always the input length.
    #[test]
    fn arbitrary_input_never_panics(schema in items(), bytes in proptest::collection::vec(any::<u8>(), 0..128)) {
        let mut r = Reader::new(&bytes);
        let _ = read_items(&mut r, &schema);
        prop_assert_eq!(r.position() + r.remaining(), bytes.len());
    }

    /// (c) raw -> enum -> raw is the identity for u16, and the encoding is little-endian.
    #[test]
    fn open_enum_u16_identity(raw in prop_oneof![any::<u16>(), Just(1u16), Just(2), Just(0xFFFF)]) {
        let a = Alg::from(raw);
        prop_assert_eq!(u16::from(a), raw);
        prop_assert_eq!(a.is_known(), Alg::ALL.contains(&a));
        prop_assert_eq!(a.to_vec()?, raw.to_le_bytes().to_vec());
        prop_assert_eq!(Alg::decode_exact(&raw.to_le_bytes()), Ok(a));
    }

    /// (c) raw -> enum -> raw is the identity for u32, and the encoding is big-endian.
    #[test]
    fn open_enum_u32_identity(raw in prop_oneof![any::<u32>(), Just(0x144u32), Just(0x17B), Just(u32::MAX)]) {
        let c = Cc::from(raw);
        prop_assert_eq!(u32::from(c), raw);
        prop_assert_eq!(c.is_known(), Cc::ALL.contains(&c));
        prop_assert_eq!(c.to_vec()?, raw.to_be_bytes().to_vec());
        prop_assert_eq!(Cc::decode_exact(&raw.to_be_bytes()), Ok(c));
    }

    /// (c) Two raw values give equal enum values only if they are equal.
    #[test]
    fn open_enum_is_injective(a in any::<u16>(), b in any::<u16>()) {
        prop_assert_eq!(Alg::from(a) == Alg::from(b), a == b);
    }

    /// (d) Content longer than a `u8`/`u16` prefix can say: `LengthOverflow`, and the writer
    /// is exactly as before.
    #[test]
    fn prefix_overflow_rolls_back(
        before in items(),
        wide in any::<bool>(),
        be in any::<bool>(),
        excess in 1usize..64,
        inner in items(),
    ) {
        let p = match (wide, be) {
            (false, _) => LengthPrefix::U8,
            (true, false) => LengthPrefix::U16Le,
            (true, true) => LengthPrefix::U16Be,
        };
        let mut w = Writer::new();
        write_items(&mut w, &before)?;
        let snapshot = w.clone();
        let content_len = p.max_len() + excess;
        let err = w
            .length_prefixed("opaque_data", p, |w| {
                write_items(w, &inner)?;
                let so_far = w.len() - snapshot.len() - p.width();
                w.zeros("fill", content_len.saturating_sub(so_far))
            })
            .unwrap_err();
        let inner_len = encode(&inner).len();
        prop_assert_eq!(
            err,
            EncodeError::new(
                "opaque_data",
                EncodeErrorKind::LengthOverflow { len: content_len.max(inner_len), max: p.max_len() }
            )
        );
        prop_assert_eq!(&w, &snapshot);
        // The writer is still usable and appends after the old content.
        w.u8("next", 0xAB)?;
        prop_assert_eq!(w.len(), snapshot.len() + 1);
    }

    /// (d) Hitting the writer's limit inside (possibly nested) prefixed content rolls the
    /// outermost prefixed write back exactly; if it fits, the bytes are the unlimited encoding.
    #[test]
    fn limit_inside_prefixed_rolls_back(
        before in items(),
        p in prefix(),
        inner in items(),
        slack in 0usize..64,
    ) {
        let head = encode(&before);
        let item = prefixed(p, inner);
        let full_inner = encode(std::slice::from_ref(&item));
        // `before` always fits; the prefixed item fits only if `slack` allows.
        let limit = head.len() + slack;
        let mut w = Writer::with_limit(limit);
        write_items(&mut w, &before)?;
        let snapshot = w.clone();
        let result = write_item(&mut w, &item);
        if full_inner.len() <= slack {
            prop_assert_eq!(result, Ok(()));
            prop_assert_eq!(&w.as_slice()[head.len()..], full_inner.as_slice());
        } else {
            let err = result.unwrap_err();
            prop_assert!(matches!(err.kind, EncodeErrorKind::LimitExceeded { .. }), "{:?}", err);
            prop_assert_eq!(&w, &snapshot);
        }
        prop_assert!(w.len() <= limit);
    }
}
