//! Properties: arbitrary descriptor chains and arbitrary request bytes never panic and
//! always complete with a status; the codec round-trips and survives truncation.

mod common;

use common::*;
use proptest::prelude::*;
use virtio_queue::desc::split::Descriptor;
use vm_memory::{Bytes, GuestAddress};
use vtrust_virtio_crypto::Status;
use vtrust_virtio_crypto::codec::Layout;
use vtrust_virtio_crypto::codec::control::{
    AeadCreateSessionFlf, CipherSessionFlf, CtrlFlf, CtrlHeader, CtrlRequest, HashCreateSessionFlf,
    MacCreateSessionFlf, SymCreateSessionFlf,
};
use vtrust_virtio_crypto::codec::data::{
    AeadDataFlf, CipherDataFlf, DataFlf, DataRequest, HashDataFlf, OpHeader, SymDataFlf,
};
use vtrust_virtio_crypto::driver::Which;
use vtrust_virtio_crypto::spec::{ctrl_op, data_op};

fn desc() -> impl Strategy<Value = (u64, u32, u16, u16)> {
    (0x10_0000u64..0x10_2000, 0u32..0x1200, 0u16..8, 0u16..300)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_chains_complete_with_a_status(
        rev1 in any::<bool>(),
        ctrl in any::<bool>(),
        chains in prop::collection::vec(prop::collection::vec(desc(), 1..6), 1..4),
        memory in prop::collection::vec(any::<u8>(), 0x2000),
    ) {
        let m = mem();
        let mode = if rev1 { Mode::Rev1Session } else { Mode::LegacySession };
        let mut d = driver(&m, mode);
        m.write_slice(&memory, GuestAddress(0x10_0000)).unwrap();
        let which = if ctrl { Which::Control } else { Which::Data };
        for c in &chains {
            let descs: Vec<Descriptor> = c.iter().map(|(a, l, f, n)| Descriptor::new(*a, *l, *f, *n)).collect();
            d.push_raw(which, &descs);
        }
        let n = d.process(which);
        let mut used = 0;
        while let Some((_, len)) = d.pop_used(which) {
            used += 1;
            prop_assert!(len as usize <= 0x1200 * 6);
        }
        prop_assert_eq!(used, n);
        prop_assert_eq!(d.process(which), 0);
        // The queue still serves.
        let id = d.create_hash_session(4, 32).unwrap();
        prop_assert_eq!(d.hash(id, b"abc", 32).unwrap()[0], 0xba);
    }

    #[test]
    fn arbitrary_request_bytes_get_a_valid_status(
        rev1 in any::<bool>(),
        opcode in prop::sample::select(vec![0u32, 1, 0x100, 0x200, 0x300, 0x301, 0x400, 0x402, 0x403, 0x999]),
        session in 0u64..4,
        body in prop::collection::vec(any::<u8>(), 0..200),
        out_len in 1usize..300,
    ) {
        let m = mem();
        let mode = if rev1 { Mode::Rev1Stateless } else { Mode::LegacySession };
        let mut d = driver(&m, mode);
        d.create_cipher_session(3, &[1; 16], true).unwrap();
        d.create_hash_session(4, 32).unwrap();
        let mut req = OpHeader { opcode, algo: 0, session_id: session, flag: u32::from(body.first().copied().unwrap_or(0) & 1) }.encode();
        req.extend_from_slice(&body);
        let c = d.submit(Which::Data, &[&req], &[out_len, 1]);
        let st = c.writable[1][0];
        prop_assert!(Status::from_u8(st).is_some(), "status {}", st);
        prop_assert!(c.used_len >= 1);
    }

    #[test]
    fn data_codec_round_trips_and_survives_truncation(
        legacy in any::<bool>(),
        words in prop::array::uniform6(any::<u32>()),
        id in any::<u64>(),
        kind in 0u8..4,
    ) {
        let layout = if legacy { Layout::Legacy } else { Layout::Revision1 };
        let (opcode, flf) = match kind {
            0 => (data_op::CIPHER_ENCRYPT, DataFlf::Sym(SymDataFlf::Cipher(CipherDataFlf { iv_len: words[0], src_data_len: words[1], dst_data_len: words[2] }))),
            1 => (data_op::HASH, DataFlf::Hash(HashDataFlf { src_data_len: words[0], hash_result_len: words[1] })),
            2 => (data_op::MAC, DataFlf::Mac(HashDataFlf { src_data_len: words[0], hash_result_len: words[1] })),
            _ => (data_op::AEAD_DECRYPT, DataFlf::Aead(AeadDataFlf { iv_len: words[0], aad_len: words[1], src_data_len: words[2], dst_data_len: words[3], tag_len: words[4] })),
        };
        let header = OpHeader { opcode, algo: words[5], session_id: id, flag: 1 };
        let mut bytes = DataRequest::encode_fixed(&header, &flf, None, layout);
        if legacy {
            prop_assert_eq!(bytes.len(), 72);
        }
        let fixed_len = bytes.len();
        bytes.extend_from_slice(b"vlf");
        let parsed = DataRequest::decode(&bytes, layout, false).unwrap().unwrap();
        prop_assert_eq!(parsed.header, header);
        prop_assert_eq!(parsed.flf, flf);
        prop_assert_eq!(parsed.vlf, b"vlf");
        for cut in 0..fixed_len {
            prop_assert!(DataRequest::decode(&bytes[..cut], layout, false).is_err());
        }
    }

    #[test]
    fn control_codec_round_trips_and_survives_truncation(
        legacy in any::<bool>(),
        words in prop::array::uniform6(any::<u32>()),
        kind in 0u8..5,
    ) {
        let layout = if legacy { Layout::Legacy } else { Layout::Revision1 };
        let (opcode, flf) = match kind {
            0 => (ctrl_op::CIPHER_CREATE_SESSION, CtrlFlf::CreateSym(SymCreateSessionFlf::Cipher(CipherSessionFlf { algo: words[0], key_len: words[1], op: words[2] }))),
            1 => (ctrl_op::HASH_CREATE_SESSION, CtrlFlf::CreateHash(HashCreateSessionFlf { algo: words[0], hash_result_len: words[1] })),
            2 => (ctrl_op::MAC_CREATE_SESSION, CtrlFlf::CreateMac(MacCreateSessionFlf { algo: words[0], hash_result_len: words[1], auth_key_len: words[2] })),
            3 => (ctrl_op::AEAD_CREATE_SESSION, CtrlFlf::CreateAead(AeadCreateSessionFlf { algo: words[0], key_len: words[1], tag_len: words[2], aad_len: words[3], op: words[4] })),
            _ => (ctrl_op::AEAD_DESTROY_SESSION, CtrlFlf::Destroy { session_id: u64::from(words[0]) << 32 | u64::from(words[1]) }),
        };
        let header = CtrlHeader { opcode, algo: words[5], flag: 0, reserved: 0 };
        let mut bytes = CtrlRequest::encode_fixed(&header, &flf, layout);
        if legacy {
            prop_assert_eq!(bytes.len(), 72);
        }
        let fixed_len = bytes.len();
        bytes.extend_from_slice(b"key");
        let parsed = CtrlRequest::decode(&bytes, layout).unwrap();
        prop_assert_eq!(parsed.header, header);
        prop_assert_eq!(parsed.flf, flf);
        prop_assert_eq!(parsed.vlf, b"key");
        for cut in 0..fixed_len {
            prop_assert!(CtrlRequest::decode(&bytes[..cut], layout).is_err());
        }
    }
}

/// Byte-level vector: the legacy 72-byte data header Linux 6.1's `virtio_crypto_skcipher`
/// sends for AES-CBC encryption of one 16-byte block (layout from the spec's
/// `virtio_crypto_op_data_req`: 24-byte header, `sym_data_flf` padded to 48).
#[test]
fn legacy_cipher_header_bytes() {
    let header = OpHeader {
        opcode: data_op::CIPHER_ENCRYPT,
        algo: 3,
        session_id: 5,
        flag: 1,
    };
    let flf = DataFlf::Sym(SymDataFlf::Cipher(CipherDataFlf {
        iv_len: 16,
        src_data_len: 16,
        dst_data_len: 16,
    }));
    let bytes = DataRequest::encode_fixed(&header, &flf, None, Layout::Legacy);
    let mut want = vec![0u8; 72];
    want[0..4].copy_from_slice(&0u32.to_le_bytes());
    want[4..8].copy_from_slice(&3u32.to_le_bytes());
    want[8..16].copy_from_slice(&5u64.to_le_bytes());
    want[16..20].copy_from_slice(&1u32.to_le_bytes());
    want[24..28].copy_from_slice(&16u32.to_le_bytes());
    want[28..32].copy_from_slice(&16u32.to_le_bytes());
    want[32..36].copy_from_slice(&16u32.to_le_bytes());
    // op_type (VIRTIO_CRYPTO_SYM_OP_CIPHER = 1) at 24 + 40.
    want[64..68].copy_from_slice(&1u32.to_le_bytes());
    assert_eq!(bytes, want);
}

/// Config space layout (VIRTIO 1.3 §5.9.4): offsets of every field.
#[test]
fn config_space_layout() {
    let c = vtrust_virtio_crypto::DeviceConfig::default();
    let b = c.config_space(true);
    let word = |o: usize| u32::from_le_bytes(b[o..o + 4].try_into().unwrap());
    assert_eq!(word(0), 1, "status: VIRTIO_CRYPTO_S_HW_READY");
    assert_eq!(word(4), 1, "max_dataqueues");
    assert_eq!(word(8), 0b11111, "crypto_services");
    assert_eq!(
        word(12),
        (1 << 2) | (1 << 3) | (1 << 4) | (1 << 8) | (1 << 13),
        "cipher_algo_l"
    );
    assert_eq!(word(16), 0, "cipher_algo_h");
    assert_eq!(word(20), 0b111_1111_1100, "hash_algo: SHA1..SHA3-512");
    assert_eq!(word(24), 0b111_1100 | (1 << 26), "mac_algo_l");
    assert_eq!(word(28), 0, "mac_algo_h");
    assert_eq!(word(32), 0b1110, "aead_algo");
    assert_eq!(word(36), 64, "max_cipher_key_len");
    assert_eq!(word(40), 512, "max_auth_key_len");
    assert_eq!(word(44), 0b110, "akcipher_algo");
    assert_eq!(
        u64::from_le_bytes(b[48..56].try_into().unwrap()),
        4 << 20,
        "max_size"
    );
}
