//! Fuzz target for `vtrust-wire`: a little script of reads run against hostile bytes, then
//! everything read is re-encoded with a `Writer` and read back.
//!
//! Input layout: `[script_len: u8][script: script_len bytes][data: the rest]`. Each script
//! byte picks an operation (`op % OPS`); operations that need an argument take the next script
//! bytes (missing arguments read as 0). The data is what the operations read.
//!
//! Checked on every step: no panic; `position + remaining` is constant; a failed read leaves
//! the reader unchanged; `Truncated` reports what was really available. At the end: the values
//! read re-encode, re-read to the same values with nothing left over, and a limited writer
//! either produces the same bytes or fails with `LimitExceeded` holding a prefix of them.

#![no_main]

use libfuzzer_sys::fuzz_target;
use vtrust_wire::{
    Decode, DecodeError, DecodeErrorKind, Encode, EncodeError, EncodeErrorKind, LengthPrefix,
    Reader, Writer, check_max, open_enum,
};

open_enum! {
    /// SPDM-style u8 request codes.
    pub enum Code: u8 {
        /// GET_VERSION.
        GetVersion = 0x84,
        /// GET_CAPABILITIES.
        GetCapabilities = 0xE1,
        /// Zero.
        Zero = 0x00,
    }
}

open_enum! {
    /// Little-endian u16 algorithm ids.
    pub enum Alg: u16 {
        /// SHA-256.
        Sha256 = 0x0001,
        /// SHA-384.
        Sha384 = 0x0002,
    }
}

open_enum! {
    /// Big-endian u32 TPM command codes.
    pub enum Cc: u32 be {
        /// TPM2_Startup.
        Startup = 0x0000_0144,
        /// TPM2_GetRandom.
        GetRandom = 0x0000_017B,
    }
}

/// Something read successfully; also the schema to read it back.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Rec<'a> {
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
    Bytes(&'a [u8]),
    Rest(&'a [u8]),
    Zeros(usize),
    Reserved(usize),
    InRange(u8, u8, u8),
    Length(LengthPrefix, usize),
    Code(Code),
    Alg(Alg),
    Cc(Cc),
    Sub(Vec<Rec<'a>>),
    Prefixed(LengthPrefix, Vec<Rec<'a>>),
}

enum FrameKind {
    Root,
    Sub,
    Prefixed(LengthPrefix),
}

struct Frame<'a> {
    reader: Reader<'a>,
    start_len: usize,
    kind: FrameKind,
    recs: Vec<Rec<'a>>,
}

impl<'a> Frame<'a> {
    fn new(reader: Reader<'a>, kind: FrameKind) -> Self {
        Self {
            start_len: reader.remaining(),
            reader,
            kind,
            recs: Vec::new(),
        }
    }

    fn into_rec(self) -> Option<Rec<'a>> {
        match self.kind {
            FrameKind::Root => None,
            FrameKind::Sub => Some(Rec::Sub(self.recs)),
            FrameKind::Prefixed(p) => Some(Rec::Prefixed(p, self.recs)),
        }
    }
}

const OPS: u8 = 25;
const MAX_DEPTH: usize = 16;

fn arg(script: &mut Reader<'_>) -> u8 {
    script.u8("arg").unwrap_or(0)
}

fn prefix_of(b: u8) -> LengthPrefix {
    let all = LengthPrefix::ALL;
    all[usize::from(b) % all.len()]
}

/// Checks what every failed read must satisfy.
fn check_failure(before: &Reader<'_>, after: &Reader<'_>, err: &DecodeError) {
    assert_eq!(before, after, "a failed read moved the reader: {err:?}");
    assert!(!err.to_string().is_empty());
    if let DecodeErrorKind::Truncated { needed, available } = err.kind {
        assert!(needed > available, "{err:?}");
        // A prefixed read reports the content's shortfall after its length field.
        assert!(available <= after.remaining(), "{err:?}");
    }
}

/// Runs one operation on the innermost frame.
fn step<'a>(op: u8, script: &mut Reader<'_>, stack: &mut Vec<Frame<'a>>) {
    if op == 17 {
        // Pop a frame back into its parent.
        if stack.len() > 1
            && let Some(frame) = stack.pop()
            && let Some(rec) = frame.into_rec()
            && let Some(parent) = stack.last_mut()
        {
            parent.recs.push(rec);
        }
        return;
    }
    let Some(frame) = stack.last_mut() else {
        return;
    };
    let r = &mut frame.reader;
    let before = r.clone();
    let result: Result<Option<Rec<'a>>, DecodeError> = match op {
        0 => r.u8("u8").map(Rec::U8).map(Some),
        1 => r.u16_le("u16_le").map(Rec::U16Le).map(Some),
        2 => r.u16_be("u16_be").map(Rec::U16Be).map(Some),
        3 => r.u24_le("u24_le").map(Rec::U24Le).map(Some),
        4 => r.u24_be("u24_be").map(Rec::U24Be).map(Some),
        5 => r.u32_le("u32_le").map(Rec::U32Le).map(Some),
        6 => r.u32_be("u32_be").map(Rec::U32Be).map(Some),
        7 => r.u64_le("u64_le").map(Rec::U64Le).map(Some),
        8 => r.u64_be("u64_be").map(Rec::U64Be).map(Some),
        9 => r.array::<4>("array").map(Rec::Array).map(Some),
        10 => {
            let len = usize::from(arg(script));
            r.bytes("bytes", len).map(Rec::Bytes).map(Some)
        }
        11 => {
            let len = usize::from(arg(script));
            r.skip("skip", len).map(|()| None)
        }
        12 => {
            let len = usize::from(arg(script) % 16);
            r.skip_reserved("reserved", len)
                .map(|()| Some(Rec::Reserved(len)))
        }
        13 => {
            let len = usize::from(arg(script) % 16);
            r.expect_zero("zeros", len).map(|()| Some(Rec::Zeros(len)))
        }
        14 => {
            let end = r.expect_end("end");
            assert_eq!(end.is_ok(), r.is_empty());
            if let Err(e) = end {
                assert_eq!(
                    e.kind,
                    DecodeErrorKind::TrailingBytes {
                        count: r.remaining()
                    }
                );
            }
            Ok(None)
        }
        // `sub` and `prefixed` push a frame, below.
        15 | 16 => Ok(None),
        18 => Ok(Some(Rec::Rest(r.rest()))),
        19 => {
            let peeked = r.peek_u8("peek");
            assert_eq!(*r, before, "peek moved the reader");
            assert_eq!(peeked.ok(), before.clone().u8("peek").ok());
            Ok(None)
        }
        20 => {
            let (lo, hi) = (arg(script), arg(script));
            r.u8_in("in_range", lo..=hi)
                .map(|v| Some(Rec::InRange(lo, hi, v)))
        }
        21 => Code::decode(r).map(Rec::Code).map(Some),
        22 => Alg::decode(r).map(Rec::Alg).map(Some),
        23 => Cc::decode(r).map(Rec::Cc).map(Some),
        _ => {
            let p = prefix_of(arg(script));
            let max = usize::from(arg(script)) << 8;
            // Length then our limit, committed only if both pass.
            let mut ahead = r.clone();
            ahead
                .length("length", p)
                .and_then(|len| check_max("length", len, max))
                .map(|len| {
                    *r = ahead;
                    Some(Rec::Length(p, len))
                })
        }
    };
    match result {
        Ok(Some(rec)) => frame.recs.push(rec),
        Ok(None) => {}
        Err(e) => check_failure(&before, &frame.reader, &e),
    }
    assert_eq!(
        frame.reader.position() + frame.reader.remaining(),
        frame.start_len
    );

    if matches!(op, 15 | 16) && stack.len() < MAX_DEPTH {
        push_frame(op, script, stack);
    }
}

/// `sub` (15) or `prefixed` (16): a nested frame over part of the innermost one.
fn push_frame(op: u8, script: &mut Reader<'_>, stack: &mut Vec<Frame<'_>>) {
    let Some(frame) = stack.last_mut() else {
        return;
    };
    let r = &mut frame.reader;
    let before = r.clone();
    let pushed = if op == 15 {
        let len = usize::from(arg(script));
        r.sub("sub", len).map(|sub| Frame::new(sub, FrameKind::Sub))
    } else {
        let p = prefix_of(arg(script));
        let max = usize::from(arg(script)) << 4;
        r.prefixed("prefixed", p, max).map(|sub| {
            assert!(sub.remaining() <= max);
            Frame::new(sub, FrameKind::Prefixed(p))
        })
    };
    match pushed {
        Ok(new) => stack.push(new),
        Err(e) => check_failure(&before, &frame.reader, &e),
    }
}

fn write_rec(w: &mut Writer, rec: &Rec<'_>) -> Result<(), EncodeError> {
    match rec {
        Rec::U8(v) => w.u8("u8", *v),
        Rec::U16Le(v) => w.u16_le("u16_le", *v),
        Rec::U16Be(v) => w.u16_be("u16_be", *v),
        Rec::U24Le(v) => w.u24_le("u24_le", *v),
        Rec::U24Be(v) => w.u24_be("u24_be", *v),
        Rec::U32Le(v) => w.u32_le("u32_le", *v),
        Rec::U32Be(v) => w.u32_be("u32_be", *v),
        Rec::U64Le(v) => w.u64_le("u64_le", *v),
        Rec::U64Be(v) => w.u64_be("u64_be", *v),
        Rec::Array(v) => w.bytes("array", v),
        Rec::Bytes(v) | Rec::Rest(v) => w.bytes("bytes", v),
        Rec::Zeros(n) | Rec::Reserved(n) => w.zeros("zeros", *n),
        Rec::InRange(_, _, v) => w.u8("in_range", *v),
        Rec::Length(p, len) => w.length("length", *p, *len),
        Rec::Code(c) => c.encode(w),
        Rec::Alg(a) => a.encode(w),
        Rec::Cc(c) => c.encode(w),
        Rec::Sub(recs) => write_recs(w, recs),
        Rec::Prefixed(p, recs) => w.length_prefixed("prefixed", *p, |w| write_recs(w, recs)),
    }
}

fn write_recs(w: &mut Writer, recs: &[Rec<'_>]) -> Result<(), EncodeError> {
    recs.iter().try_for_each(|rec| write_rec(w, rec))
}

fn encoded_len(recs: &[Rec<'_>]) -> usize {
    let mut w = Writer::new();
    write_recs(&mut w, recs).expect("values read re-encode");
    w.len()
}

fn read_rec<'a>(r: &mut Reader<'a>, schema: &Rec<'_>) -> Result<Rec<'a>, DecodeError> {
    Ok(match schema {
        Rec::U8(_) => Rec::U8(r.u8("u8")?),
        Rec::U16Le(_) => Rec::U16Le(r.u16_le("u16_le")?),
        Rec::U16Be(_) => Rec::U16Be(r.u16_be("u16_be")?),
        Rec::U24Le(_) => Rec::U24Le(r.u24_le("u24_le")?),
        Rec::U24Be(_) => Rec::U24Be(r.u24_be("u24_be")?),
        Rec::U32Le(_) => Rec::U32Le(r.u32_le("u32_le")?),
        Rec::U32Be(_) => Rec::U32Be(r.u32_be("u32_be")?),
        Rec::U64Le(_) => Rec::U64Le(r.u64_le("u64_le")?),
        Rec::U64Be(_) => Rec::U64Be(r.u64_be("u64_be")?),
        Rec::Array(_) => Rec::Array(r.array("array")?),
        Rec::Bytes(v) => Rec::Bytes(r.bytes("bytes", v.len())?),
        Rec::Rest(_) => Rec::Rest(r.rest()),
        Rec::Zeros(n) => {
            r.expect_zero("zeros", *n)?;
            Rec::Zeros(*n)
        }
        Rec::Reserved(n) => {
            // Written as zero, so it must now also pass the stricter check.
            r.clone().expect_zero("reserved", *n)?;
            r.skip_reserved("reserved", *n)?;
            Rec::Reserved(*n)
        }
        Rec::InRange(lo, hi, _) => Rec::InRange(*lo, *hi, r.u8_in("in_range", *lo..=*hi)?),
        Rec::Length(p, _) => Rec::Length(*p, r.length("length", *p)?),
        Rec::Code(_) => Rec::Code(Code::decode(r)?),
        Rec::Alg(_) => Rec::Alg(Alg::decode(r)?),
        Rec::Cc(_) => Rec::Cc(Cc::decode(r)?),
        Rec::Sub(recs) => {
            let mut sub = r.sub("sub", encoded_len(recs))?;
            let out = read_recs(&mut sub, recs)?;
            sub.expect_end("sub")?;
            Rec::Sub(out)
        }
        Rec::Prefixed(p, recs) => {
            let mut sub = r.prefixed("prefixed", *p, p.max_len())?;
            let out = read_recs(&mut sub, recs)?;
            sub.expect_end("prefixed")?;
            Rec::Prefixed(*p, out)
        }
    })
}

fn read_recs<'a>(r: &mut Reader<'a>, schema: &[Rec<'_>]) -> Result<Vec<Rec<'a>>, DecodeError> {
    schema.iter().map(|s| read_rec(r, s)).collect()
}

/// Open enums: raw -> enum -> raw is the identity, and the wire form matches the repr.
fn check_open_enums(data: &[u8]) {
    let mut r = Reader::new(data);
    while let Ok(raw) = r.u32_be("raw") {
        let cc = Cc::from(raw);
        assert_eq!(u32::from(cc), raw);
        assert_eq!(cc.is_known(), Cc::ALL.contains(&cc));
        assert_eq!(cc.to_vec().ok(), Some(raw.to_be_bytes().to_vec()));
        let [a, b, c, d] = raw.to_le_bytes();
        for byte in [a, b, c, d] {
            let code = Code::from(byte);
            assert_eq!(u8::from(code), byte);
            assert_eq!(code.is_known(), Code::ALL.contains(&code));
        }
        let alg_raw = u16::from_le_bytes([a, b]);
        let alg = Alg::from(alg_raw);
        assert_eq!(u16::from(alg), alg_raw);
        assert_eq!(Alg::decode_exact(&[a, b]), Ok(alg));
        assert!(!alg.name().is_empty());
    }
}

/// Writer checks driven directly by the input: u24 never truncates, an overlong prefixed
/// write rolls back exactly.
fn check_writer(data: &[u8]) {
    let mut w = Writer::new();
    let mut r = Reader::new(data);
    if let Ok(v) = r.u32_le("u24") {
        let result = w.u24_be("u24", v);
        assert_eq!(result.is_ok(), v <= 0xFF_FFFF);
        if result.is_err() {
            assert!(w.is_empty());
        }
    }
    let before = w.clone();
    let result = w.length_prefixed("all", LengthPrefix::U8, |w| w.bytes("data", data));
    match result {
        Ok(()) => assert_eq!(w.len(), before.len() + 1 + data.len()),
        Err(e) => {
            assert_eq!(
                e.kind,
                EncodeErrorKind::LengthOverflow {
                    len: data.len(),
                    max: 255
                }
            );
            assert_eq!(w, before);
        }
    }
}

fn run(input: &[u8]) {
    let mut outer = Reader::new(input);
    let script_len = usize::from(outer.u8("script_len").unwrap_or(0));
    let script = outer
        .bytes("script", script_len)
        .unwrap_or_else(|_| outer.rest());
    let data = outer.rest();

    let mut stack = vec![Frame::new(Reader::new(data), FrameKind::Root)];
    let mut script_reader = Reader::new(script);
    while let Ok(op) = script_reader.u8("op") {
        step(op % OPS, &mut script_reader, &mut stack);
    }
    while stack.len() > 1 {
        step(17, &mut script_reader, &mut stack);
    }
    let Some(root) = stack.pop() else {
        return;
    };
    let recs = root.recs;

    // Everything read re-encodes and reads back to the same values, with nothing left.
    let mut w = Writer::new();
    write_recs(&mut w, &recs).expect("values read re-encode");
    let bytes = w.into_vec();
    let mut r = Reader::new(&bytes);
    let again = read_recs(&mut r, &recs).expect("re-encoded values read back");
    assert_eq!(again, recs);
    assert_eq!(r.expect_end("round_trip"), Ok(()));

    // A limited writer gives the same bytes or stops, exactly, before the field that did not
    // fit.
    let limit = usize::from(input.first().copied().unwrap_or(0)) % (bytes.len() + 2);
    let mut limited = Writer::with_limit(limit);
    match write_recs(&mut limited, &recs) {
        Ok(()) => assert_eq!(limited.as_slice(), bytes.as_slice()),
        Err(e) => {
            assert!(bytes.len() > limit);
            assert!(
                matches!(e.kind, EncodeErrorKind::LimitExceeded { .. }),
                "{e:?}"
            );
            assert!(bytes.starts_with(limited.as_slice()));
        }
    }
    assert!(limited.len() <= limit);

    check_open_enums(data);
    check_writer(data);
}

fuzz_target!(|data: &[u8]| run(data));
