//! Parses a small type-length-value stream, re-encodes it byte for byte, and shows what the
//! errors look like for hostile input.
//!
//! Run with `cargo run -p vtrust-wire --example tlv`.

use vtrust_wire::{
    Decode, DecodeError, Encode, EncodeError, LengthPrefix, Reader, Writer, open_enum,
};

open_enum! {
    /// Record types of the example format.
    pub enum RecordType: u8 {
        /// A UTF-8 name.
        Name = 0x01,
        /// A 32-bit little-endian counter.
        Counter = 0x02,
        /// Opaque bytes.
        Opaque = 0x7F,
    }
}

/// Our own limit on a record's value (DESIGN.md: never size anything from the peer alone).
const MAX_VALUE_LEN: usize = 256;

/// One record: type (1 byte), reserved (1 byte, ignored on read, written as zero),
/// length (u16 LE), value.
#[derive(Debug, PartialEq, Eq)]
struct Record<'a> {
    record_type: RecordType,
    value: &'a [u8],
}

impl<'a> Decode<'a> for Record<'a> {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        let record_type = RecordType::decode(r)?;
        r.skip_reserved("reserved", 1)?;
        let value = r
            .prefixed("value", LengthPrefix::U16Le, MAX_VALUE_LEN)?
            .rest();
        Ok(Self { record_type, value })
    }
}

impl Encode for Record<'_> {
    fn encode(&self, w: &mut Writer) -> Result<(), EncodeError> {
        self.record_type.encode(w)?;
        w.zeros("reserved", 1)?;
        w.length_prefixed("value", LengthPrefix::U16Le, |w| {
            w.bytes("value", self.value)
        })
    }
}

/// A whole stream: a u8 record count, then the records.
#[derive(Debug, PartialEq, Eq)]
struct Stream<'a> {
    records: Vec<Record<'a>>,
}

impl<'a> Decode<'a> for Stream<'a> {
    fn decode(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        let count = r.u8("count")?;
        let records = (0..count)
            .map(|_| Record::decode(r))
            .collect::<Result<_, _>>()?;
        Ok(Self { records })
    }
}

impl Encode for Stream<'_> {
    fn encode(&self, w: &mut Writer) -> Result<(), EncodeError> {
        w.u8_len("count", self.records.len())?;
        self.records.iter().try_for_each(|record| record.encode(w))
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    #[rustfmt::skip]
    let input: &[u8] = &[
        0x03,                                     // count
        0x01, 0x00, 0x05, 0x00, b'v', b't', b'p', b'm', b'!', // Name "vtpm!"
        0x02, 0x00, 0x04, 0x00, 0x2A, 0x00, 0x00, 0x00,       // Counter 42
        0x33, 0x00, 0x02, 0x00, 0xDE, 0xAD,                   // unknown type 0x33
    ];

    let stream = Stream::decode_exact(input)?;
    for record in &stream.records {
        match record.record_type {
            RecordType::Name => println!("Name    {:?}", String::from_utf8_lossy(record.value)),
            RecordType::Counter => {
                let mut r = Reader::new(record.value);
                let counter = r.u32_le("counter")?;
                r.expect_end("counter")?;
                println!("Counter {counter}");
            }
            other => println!(
                "{:<7} {:?} ({} bytes)",
                other.name(),
                other,
                record.value.len()
            ),
        }
    }

    let bytes = stream.to_vec()?;
    assert_eq!(bytes, input, "re-encoding is byte-identical");
    println!("re-encoded {} bytes, identical to the input", bytes.len());

    // Hostile input: each failure names the field.
    let truncated = &input[..12];
    println!(
        "truncated: {}",
        Stream::decode_exact(truncated).unwrap_err()
    );
    let mut trailing = input.to_vec();
    trailing.push(0);
    println!(
        "trailing:  {}",
        Stream::decode_exact(&trailing).unwrap_err()
    );
    let too_long = [0x01, 0x7F, 0x00, 0xFF, 0xFF];
    println!(
        "too long:  {}",
        Stream::decode_exact(&too_long).unwrap_err()
    );

    // A message that must fit a 16-byte buffer does not; the error names the field that
    // did not fit (the record's `value` is rolled back whole).
    let mut w = Writer::with_limit(16);
    println!("limit:     {}", stream.encode(&mut w).unwrap_err());
    Ok(())
}
