//! Fuzz target for the SPDM codec (`vtrust-spdm`): arbitrary bytes into `Request::decode`,
//! `Response::decode` (with a context picked by the first input byte) and
//! `decode_with_padding`.
//!
//! Input: byte 0 picks the [`DecodeContext`] (bits 1:0 the negotiated sizes, bit 2 multi-key,
//! bit 3 measurement summary hash, bit 4 signature requested) and the padding allowed (bits
//! 6:5); the rest is the message.
//!
//! Checked for everything that decodes: it re-encodes to the same length, the re-encoding
//! differs from the input only by cleared bits (reserved fields are ignored on read and
//! written as zero, DSP0274; everything else is kept: unknown codes, flags and lengths), it
//! decodes back to the same value, and encoding that is idempotent. So a message without
//! reserved bits set re-encodes to exactly its input. With padding: the length returned is
//! the message's, the rest is at most the allowed zero bytes, and the message alone decodes to
//! the same value. Signature offsets end exactly where the signature starts.

#![no_main]

use libfuzzer_sys::fuzz_target;
use vtrust_spdm::codec::{DecodeContext, Request, Response};
use vtrust_wire::Encode;

/// (hash, signature, measurement hash) sizes: P-256, P-384, ML-DSA-65 with SHA-384, tiny.
const SIZES: [(usize, usize, usize); 4] = [(32, 64, 32), (48, 96, 48), (48, 3309, 48), (4, 8, 4)];

fn context(selector: u8) -> DecodeContext {
    let (hash, sig, meas) = SIZES[usize::from(selector % 4)];
    DecodeContext::new(hash, sig, meas)
        .with_multi_key(selector & 0x04 != 0)
        .with_measurement_summary_hash(selector & 0x08 != 0)
        .with_signature_requested(selector & 0x10 != 0)
}

/// The re-encoding of a decoded `input`: same length, only bits of `input` set.
fn check_bits(input: &[u8], bytes: &[u8]) {
    assert_eq!(bytes.len(), input.len());
    for (i, (b, d)) in bytes.iter().zip(input).enumerate() {
        assert_eq!(
            b & !d,
            0,
            "byte {i}: re-encoding set a bit the input did not have"
        );
    }
}

fn check_signature_offset(message: &Response<'_>, len: usize) {
    match message {
        Response::ChallengeAuth(c) => assert_eq!(c.signature_offset() + c.signature.len(), len),
        Response::Measurements(m) => {
            assert_eq!(
                m.signature_offset() + m.signature.map_or(0, <[u8]>::len),
                len
            );
        }
        _ => {}
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, message)) = data.split_first() else {
        return;
    };
    let ctx = context(selector);
    let max_pad = usize::from((selector >> 5) & 0x03);

    if let Ok(request) = Request::decode(message) {
        let bytes = request.to_vec().expect("a decoded request re-encodes");
        check_bits(message, &bytes);
        let again = Request::decode(&bytes).expect("the re-encoding decodes");
        assert_eq!(again, request);
        assert_eq!(again.to_vec().expect("encodes"), bytes);
    }
    if let Ok(response) = Response::decode(message, &ctx) {
        let bytes = response.to_vec().expect("a decoded response re-encodes");
        check_bits(message, &bytes);
        let again = Response::decode(&bytes, &ctx).expect("the re-encoding decodes");
        assert_eq!(again, response);
        assert_eq!(again.to_vec().expect("encodes"), bytes);
        check_signature_offset(&response, message.len());
    }

    if let Ok((request, len)) = Request::decode_with_padding(message, max_pad) {
        assert!(len <= message.len() && message.len() - len <= max_pad);
        assert!(message[len..].iter().all(|&b| b == 0));
        assert_eq!(Request::decode(&message[..len]).as_ref(), Ok(&request));
    }
    if let Ok((response, len)) = Response::decode_with_padding(message, max_pad, &ctx) {
        assert!(len <= message.len() && message.len() - len <= max_pad);
        assert!(message[len..].iter().all(|&b| b == 0));
        assert_eq!(
            Response::decode(&message[..len], &ctx).as_ref(),
            Ok(&response)
        );
        check_signature_offset(&response, len);
    }
});
