//! The vhost-user messages QEMU's cryptodev-vhost-user sends (layouts from QEMU's
//! `docs/interop/vhost-user.rst` and the sequence observed with QEMU 7.2, recorded in
//! `shared/virtio-crypto.md`), parsed; replies built; every malformed form refused.

use proptest::prelude::*;
use vtrust_vhost_user_crypto::protocol::{
    FLAG_NEED_REPLY, FrontendReq, HEADER_LEN, Header, MemoryRegion, ProtocolError, Reply, Request,
    SessionForm, SessionParams, VringState,
};

fn message(request: u32, flags: u32, payload: &[u8]) -> Vec<u8> {
    let mut m = request.to_le_bytes().to_vec();
    m.extend_from_slice(&flags.to_le_bytes());
    m.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    m.extend_from_slice(payload);
    m
}

fn parse(bytes: &[u8]) -> Result<Request, ProtocolError> {
    let header = Header::decode(&bytes[..HEADER_LEN])?;
    Request::decode(&header, &bytes[HEADER_LEN..])
}

#[test]
fn observed_start_up_messages_parse() {
    // GET_FEATURES, version 1, no payload.
    assert_eq!(parse(&message(1, 1, &[])).unwrap(), Request::GetFeatures);
    // SET_PROTOCOL_FEATURES 0x8089 = MQ | REPLY_ACK | CRYPTO_SESSION | CONFIGURE_MEM_SLOTS.
    assert_eq!(
        parse(&message(16, 1, &0x8089u64.to_le_bytes())).unwrap(),
        Request::SetProtocolFeatures(0x8089)
    );
    // SET_FEATURES 0x40000000 (QEMU forwards only VHOST_USER_F_PROTOCOL_FEATURES).
    assert_eq!(
        parse(&message(2, 1, &0x4000_0000u64.to_le_bytes())).unwrap(),
        Request::SetFeatures(0x4000_0000)
    );
    // SET_VRING_NUM(0, 1024).
    let mut p = 0u32.to_le_bytes().to_vec();
    p.extend_from_slice(&1024u32.to_le_bytes());
    assert_eq!(
        parse(&message(8, 1, &p)).unwrap(),
        Request::SetVringNum(VringState {
            index: 0,
            num: 1024
        })
    );
    // SET_VRING_CALL(0) with an fd; SET_VRING_KICK(1) without one (bit 8).
    assert_eq!(
        parse(&message(13, 1, &0u64.to_le_bytes())).unwrap(),
        Request::SetVringCall {
            index: 0,
            has_fd: true
        }
    );
    assert_eq!(
        parse(&message(12, 1, &0x101u64.to_le_bytes())).unwrap(),
        Request::SetVringKick {
            index: 1,
            has_fd: false
        }
    );
    // ADD_MEM_REG: u64 padding then the region.
    let mut p = 0u64.to_le_bytes().to_vec();
    for v in [0u64, 0x2000_0000, 0x7f00_0000_0000, 0] {
        p.extend_from_slice(&v.to_le_bytes());
    }
    assert_eq!(
        parse(&message(37, 1 | FLAG_NEED_REPLY, &p)).unwrap(),
        Request::AddMemReg(MemoryRegion {
            guest_phys_addr: 0,
            memory_size: 0x2000_0000,
            userspace_addr: 0x7f00_0000_0000,
            mmap_offset: 0,
        })
    );
    let h = Header::decode(&message(37, 1 | FLAG_NEED_REPLY, &p)[..12]).unwrap();
    assert!(h.need_reply());
}

/// CREATE_CRYPTO_SESSION as QEMU 7.2 sends it for the Linux driver's AES-CBC setkey: 632
/// bytes, SymSessionInfo at 8, key at 56, auth key at 120.
fn legacy_aes_cbc(key: &[u8]) -> Vec<u8> {
    let mut p = vec![0u8; 632];
    p[8..12].copy_from_slice(&3u32.to_le_bytes()); // VIRTIO_CRYPTO_CIPHER_AES_CBC
    p[12..16].copy_from_slice(&(key.len() as u32).to_le_bytes());
    p[32] = 1; // op_type: VIRTIO_CRYPTO_SYM_OP_CIPHER
    p[33] = 1; // direction: VIRTIO_CRYPTO_OP_ENCRYPT
    p[56..56 + key.len()].copy_from_slice(key);
    p
}

#[test]
fn create_crypto_session_legacy_632_byte_form() {
    let key = [
        0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6, 0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f,
        0x3c,
    ];
    let Request::CreateCryptoSession(req) = parse(&message(26, 1, &legacy_aes_cbc(&key))).unwrap()
    else {
        panic!("not a session")
    };
    assert_eq!(req.form, SessionForm::Legacy632);
    let SessionParams::Sym {
        info,
        key: k,
        auth_key,
    } = req.params
    else {
        panic!("not symmetric")
    };
    assert_eq!(
        (info.cipher_alg, info.key_len, info.op_type, info.direction),
        (3, 16, 1, 1)
    );
    assert_eq!(k, key);
    assert!(auth_key.is_empty());
    // The reply: same request code, flags 0x5, same size, session_id at offset 0.
    let reply = Reply::CryptoSession {
        form: req.form,
        session_id: 7,
    }
    .to_message(FrontendReq::CreateCryptoSession);
    assert_eq!(&reply[..12], &[26, 0, 0, 0, 5, 0, 0, 0, 0x78, 0x02, 0, 0]);
    assert_eq!(reply.len(), 12 + 632);
    assert_eq!(&reply[12..20], &7i64.to_le_bytes());
}

#[test]
fn create_crypto_session_1072_byte_form_sym_and_asym() {
    // Sym: op_code CIPHER_CREATE_SESSION (0x02), the sym union at 8, session_id at 1064.
    let mut p = vec![0u8; 1072];
    p[..8].copy_from_slice(&0x02u64.to_le_bytes());
    p[8 + 4..8 + 8].copy_from_slice(&32u32.to_le_bytes()); // key_len
    p[8..12].copy_from_slice(&13u32.to_le_bytes()); // AES_XTS
    p[8 + 48..8 + 48 + 32].fill(0x11);
    let Request::CreateCryptoSession(req) = parse(&message(26, 1, &p)).unwrap() else {
        panic!()
    };
    assert_eq!(req.form, SessionForm::Full1072 { op_code: 2 });
    assert!(matches!(&req.params, SessionParams::Sym { key, .. } if key == &[0x11; 32]));
    let reply = Reply::CryptoSession {
        form: req.form,
        session_id: -1,
    }
    .to_message(FrontendReq::CreateCryptoSession);
    assert_eq!(reply.len(), 12 + 1072);
    assert_eq!(&reply[12 + 1064..], &(-1i64).to_le_bytes());
    assert_eq!(&reply[12..20], &2u64.to_le_bytes());
    // Asym: op_code AKCIPHER_CREATE_SESSION (0x404), AsymSessionInfo (32 B) then key[1024].
    let mut p = vec![0u8; 1072];
    p[..8].copy_from_slice(&0x404u64.to_le_bytes());
    p[8..12].copy_from_slice(&1u32.to_le_bytes()); // RSA
    p[12..16].copy_from_slice(&2u32.to_le_bytes()); // keytype private
    p[16..20].copy_from_slice(&3u32.to_le_bytes()); // keylen
    p[32..36].copy_from_slice(&1u32.to_le_bytes()); // PKCS1 padding
    p[36..40].copy_from_slice(&6u32.to_le_bytes()); // SHA256
    p[40..43].copy_from_slice(&[0x30, 0x01, 0x00]);
    let Request::CreateCryptoSession(req) = parse(&message(26, 1, &p)).unwrap() else {
        panic!()
    };
    let SessionParams::Asym { info, key } = req.params else {
        panic!()
    };
    assert_eq!(
        (
            info.algo,
            info.keytype,
            info.keylen,
            info.rsa_padding,
            info.rsa_hash
        ),
        (1, 2, 3, 1, 6)
    );
    assert_eq!(key, [0x30, 0x01, 0x00]);
}

#[test]
fn close_session_and_replies() {
    assert_eq!(
        parse(&message(27, 1, &5u64.to_le_bytes())).unwrap(),
        Request::CloseCryptoSession(5)
    );
    let r = Reply::U64(0x4000_0000).to_message(FrontendReq::GetFeatures);
    assert_eq!(
        r,
        [
            1, 0, 0, 0, 5, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0x40, 0, 0, 0, 0
        ]
    );
    let r =
        Reply::VringState(VringState { index: 0, num: 17 }).to_message(FrontendReq::GetVringBase);
    assert_eq!(&r[12..], &[0, 0, 0, 0, 17, 0, 0, 0]);
}

#[test]
fn refuses_a_version_other_than_1_and_unknown_flags() {
    assert_eq!(
        Header::decode(&message(1, 2, &[])),
        Err(ProtocolError::BadFlags(2))
    );
    assert_eq!(
        Header::decode(&message(1, 0x11, &[])),
        Err(ProtocolError::BadFlags(0x11))
    );
}

#[test]
fn refuses_a_payload_above_the_limit() {
    let mut m = message(1, 1, &[]);
    m[8..12].copy_from_slice(&5000u32.to_le_bytes());
    assert_eq!(Header::decode(&m), Err(ProtocolError::TooLarge(5000)));
}

#[test]
fn refuses_payloads_of_the_wrong_size() {
    for (code, len) in [
        (2u32, 4usize),
        (8, 12),
        (9, 39),
        (37, 32),
        (27, 9),
        (26, 700),
    ] {
        let err = parse(&message(code, 1, &vec![0; len])).unwrap_err();
        assert!(
            matches!(err, ProtocolError::BadSize { .. }),
            "{code}: {err:?}"
        );
    }
}

#[test]
fn refuses_a_mem_table_of_more_than_8_regions() {
    let mut p = 9u32.to_le_bytes().to_vec();
    p.extend_from_slice(&[0; 4]);
    p.extend_from_slice(&vec![0; 9 * 32]);
    assert_eq!(
        parse(&message(5, 1, &p)),
        Err(ProtocolError::TooManyRegions(9))
    );
}

#[test]
fn refuses_key_lengths_beyond_their_areas() {
    let mut p = legacy_aes_cbc(&[0; 16]);
    p[12..16].copy_from_slice(&65u32.to_le_bytes());
    assert!(matches!(
        parse(&message(26, 1, &p)),
        Err(ProtocolError::BadSize { .. })
    ));
    let mut p = legacy_aes_cbc(&[0; 16]);
    p[24..28].copy_from_slice(&513u32.to_le_bytes()); // auth_key_len
    assert!(matches!(
        parse(&message(26, 1, &p)),
        Err(ProtocolError::BadSize { .. })
    ));
}

#[test]
fn unsupported_types_parse_as_unsupported() {
    assert_eq!(
        parse(&message(22, 1, &[0; 8])).unwrap(),
        Request::Unsupported(FrontendReq::IotlbMsg)
    );
    assert!(matches!(
        parse(&message(999, 1, &[])).unwrap(),
        Request::Unsupported(_)
    ));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    /// Arbitrary headers and payloads never panic; a parsed message's header is consistent.
    #[test]
    fn arbitrary_messages_never_panic(request in 0u32..48, flags in any::<u32>(), payload in proptest::collection::vec(any::<u8>(), 0..1200)) {
        let m = message(request, flags, &payload);
        if let Ok(h) = Header::decode(&m[..HEADER_LEN]) {
            prop_assert_eq!(h.size, payload.len());
            let _ = Request::decode(&h, &m[HEADER_LEN..]);
        }
    }

    /// Session payloads of both sizes with arbitrary contents never panic.
    #[test]
    fn arbitrary_session_payloads_never_panic(big in any::<bool>(), bytes in proptest::collection::vec(any::<u8>(), 1072)) {
        let len = if big { 1072 } else { 632 };
        let _ = parse(&message(26, 1, &bytes[..len]));
    }
}
