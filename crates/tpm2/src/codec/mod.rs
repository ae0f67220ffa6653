//! The codec layer: TPM 2.0 structures (Part 2) as Rust types, decoded from and encoded to
//! big-endian wire bytes through vtrust-wire's `Reader`/`Writer`. No TPM state here.
//!
//! Field names given to the reader are the Part 2 names; [`crate::rc::decode_rc`] maps a
//! failure of a field such as `hashAlg` or `scheme` to the specific response code
//! (TPM_RC_HASH, TPM_RC_SCHEME, ...).

pub(crate) mod context;
pub(crate) mod frame;
pub(crate) mod pcr;
pub(crate) mod public;
pub(crate) mod signature;
pub(crate) mod ticket;

use vtrust_crypto::hash::HashAlg;
use vtrust_wire::{DecodeError, EncodeError, LengthPrefix, Reader, Writer};

use crate::constants::alg;

/// The largest digest (TPMU_HA, Part 2 §10.3.1): SHA-512.
pub(crate) const MAX_DIGEST: usize = 64;
/// MAX_DIGEST_BUFFER / TPM2B_MAX_BUFFER (Part 2 §10.4.8): what swtpm reports as
/// TPM_PT_INPUT_BUFFER.
pub(crate) const MAX_BUFFER: usize = 1024;

/// A TPM2B: `UINT16 size` then `size` bytes (Part 2 §10.4), at most `max`.
pub(crate) fn read_2b<'a>(
    r: &mut Reader<'a>,
    field: &'static str,
    max: usize,
) -> Result<&'a [u8], DecodeError> {
    Ok(r.prefixed(field, LengthPrefix::U16Be, max)?.rest())
}

/// Writes a TPM2B.
pub(crate) fn write_2b(
    w: &mut Writer,
    field: &'static str,
    bytes: &[u8],
) -> Result<(), EncodeError> {
    w.length_prefixed(field, LengthPrefix::U16Be, |w| w.bytes(field, bytes))
}

/// TPMI_ALG_HASH (Part 2 §9.27) to the provider's hash; `None` for unsupported ids.
pub(crate) fn hash_from_alg(id: u16) -> Option<HashAlg> {
    match id {
        alg::SHA1 => Some(HashAlg::Sha1),
        alg::SHA256 => Some(HashAlg::Sha256),
        alg::SHA384 => Some(HashAlg::Sha384),
        alg::SHA512 => Some(HashAlg::Sha512),
        _ => None,
    }
}

/// The TPM_ALG_ID of a hash.
pub(crate) fn alg_of_hash(h: HashAlg) -> u16 {
    match h {
        HashAlg::Sha1 => alg::SHA1,
        HashAlg::Sha384 => alg::SHA384,
        HashAlg::Sha512 => alg::SHA512,
        _ => alg::SHA256,
    }
}

/// Reads a TPMI_ALG_HASH that must name a supported hash (`+TPM_ALG_NULL` not allowed).
pub(crate) fn read_hash(r: &mut Reader<'_>, field: &'static str) -> Result<HashAlg, DecodeError> {
    let id = r.u16_be(field)?;
    hash_from_alg(id).ok_or(DecodeError::invalid_value(field))
}

/// Reads a TPMI_ALG_HASH+ that may be TPM_ALG_NULL.
pub(crate) fn read_hash_or_null(
    r: &mut Reader<'_>,
    field: &'static str,
) -> Result<Option<HashAlg>, DecodeError> {
    let id = r.u16_be(field)?;
    if id == alg::NULL {
        return Ok(None);
    }
    hash_from_alg(id)
        .map(Some)
        .ok_or(DecodeError::invalid_value(field))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use vtrust_wire::{Reader, Writer};

    use super::context::Context;
    use super::pcr::{PcrSelection, read_selection, write_selection};
    use super::public::{Curve, KeyParms, Public, SymDef};
    use super::signature::Signature;
    use super::*;

    fn hash() -> impl Strategy<Value = HashAlg> {
        prop::sample::select(vec![
            HashAlg::Sha1,
            HashAlg::Sha256,
            HashAlg::Sha384,
            HashAlg::Sha512,
        ])
    }

    fn public() -> impl Strategy<Value = Public> {
        let parms = prop_oneof![
            (
                any::<bool>(),
                proptest::option::of(hash()),
                any::<bool>(),
                prop::collection::vec(any::<u8>(), 0..48),
                prop::collection::vec(any::<u8>(), 0..48)
            )
                .prop_map(|(sym, scheme, p384, x, y)| KeyParms::Ecc {
                    symmetric: if sym {
                        SymDef {
                            algorithm: alg::AES,
                            key_bits: 128,
                            mode: alg::CFB,
                        }
                    } else {
                        SymDef::NULL
                    },
                    scheme,
                    curve: if p384 { Curve::P384 } else { Curve::P256 },
                    x,
                    y,
                }),
            (1u16..=3, prop::collection::vec(any::<u8>(), 0..2592)).prop_map(
                |(parameter_set, public)| KeyParms::MlDsa {
                    parameter_set,
                    allow_external_mu: false,
                    public
                }
            ),
            (1u16..=3, prop::collection::vec(any::<u8>(), 0..1568)).prop_map(
                |(parameter_set, public)| KeyParms::MlKem {
                    symmetric: SymDef::NULL,
                    parameter_set,
                    public
                }
            ),
        ];
        (
            hash(),
            any::<u32>(),
            prop::collection::vec(any::<u8>(), 0..64),
            parms,
        )
            .prop_map(|(name_alg, a, auth_policy, parms)| Public {
                name_alg,
                attributes: a & !super::public::attr::RESERVED,
                auth_policy,
                parms,
            })
    }

    proptest! {
        #[test]
        fn public_round_trips_and_truncation_is_an_error(p in public()) {
            let bytes = p.to_bytes().unwrap();
            let mut r = Reader::new(&bytes);
            prop_assert_eq!(&Public::decode(&mut r).unwrap(), &p);
            prop_assert!(r.is_empty());
            for cut in [0, 1, bytes.len() / 2, bytes.len() - 1] {
                prop_assert!(Public::decode(&mut Reader::new(&bytes[..cut])).is_err());
            }
        }

        #[test]
        fn arbitrary_bytes_never_panic_the_decoders(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
            let _ = Public::decode(&mut Reader::new(&bytes));
            let _ = Signature::decode(&mut Reader::new(&bytes));
            let _ = Context::decode(&mut Reader::new(&bytes));
            let _ = read_selection(&mut Reader::new(&bytes));
            let _ = super::pcr::read_digest_values(&mut Reader::new(&bytes));
            let _ = super::frame::AuthCommand::decode(&mut Reader::new(&bytes));
        }

        #[test]
        fn signature_round_trips(h in hash(), r in prop::collection::vec(any::<u8>(), 0..48), s in prop::collection::vec(any::<u8>(), 0..48), ml in prop::collection::vec(any::<u8>(), 0..4627), pick in any::<bool>()) {
            let sig = if pick { Signature::Ecdsa { hash: h, r, s } } else { Signature::MlDsa(ml) };
            let mut w = Writer::new();
            sig.encode(&mut w).unwrap();
            let bytes = w.into_vec();
            let mut rd = Reader::new(&bytes);
            prop_assert_eq!(Signature::decode(&mut rd).unwrap(), sig);
            prop_assert!(rd.is_empty());
        }

        #[test]
        fn context_and_selection_round_trip(seq in any::<u64>(), h in any::<u32>(), hier in any::<u32>(), blob in prop::collection::vec(any::<u8>(), 0..600), sel in prop::collection::vec((any::<u16>(), prop::collection::vec(any::<u8>(), 0..4)), 0..8)) {
            let c = Context { sequence: seq, saved_handle: h, hierarchy: hier, blob };
            let mut w = Writer::new();
            c.encode(&mut w).unwrap();
            let bytes = w.into_vec();
            prop_assert_eq!(Context::decode(&mut Reader::new(&bytes)).unwrap(), c);
            let sel: Vec<PcrSelection> = sel.into_iter().map(|(hash, select)| PcrSelection { hash, select }).collect();
            let mut w = Writer::new();
            write_selection(&mut w, &sel).unwrap();
            let bytes = w.into_vec();
            prop_assert_eq!(read_selection(&mut Reader::new(&bytes)).unwrap(), sel);
        }
    }

    #[test]
    fn refuses_reserved_object_attributes() {
        // TPMT_PUBLIC of an ML-DSA-44 key with reserved bit 0 of objectAttributes set.
        let bytes = [
            0x00, 0xA1, 0x00, 0x0B, 0x00, 0x04, 0x00, 0x73, 0, 0, 0, 1, 0, 0, 0,
        ];
        let e = Public::decode(&mut Reader::new(&bytes)).unwrap_err();
        assert_eq!(
            e,
            vtrust_wire::DecodeError::invalid_value("objectAttributes")
        );
    }

    #[test]
    fn refuses_unknown_curve_and_kdf() {
        // ECC, sha256, sign attrs, no policy, sym NULL, scheme NULL, curve 0x0005 (P-521).
        let bytes =
            hex::decode("0023000b00040072000000100010000500100000 0000".replace(' ', "")).unwrap();
        assert_eq!(
            Public::decode(&mut Reader::new(&bytes)).unwrap_err(),
            vtrust_wire::DecodeError::invalid_value("curveID")
        );
        let bytes = hex::decode("0023000b0004007200000010001000030022000b00000000").unwrap();
        assert_eq!(
            Public::decode(&mut Reader::new(&bytes)).unwrap_err(),
            vtrust_wire::DecodeError::invalid_value("kdf")
        );
    }
}
