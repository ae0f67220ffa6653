//! Known-answer cases for hashes, MACs, KDFs, AEADs and ciphers.
//!
//! Every expected value below is copied from the standard named in its case's `source`
//! (or, for 3DES-CBC, computed by an independent implementation, as noted); none is our
//! own output. Each value was also cross-checked against Python `cryptography`/`hashlib`
//! (OpenSSL 3) when it was written down.

use super::{KatCase, check_hex, decode_hex};
use crate::CryptoProvider;
use crate::aead::AeadAlg;
use crate::cipher::CipherAlg;
use crate::hash::HashAlg;

/// The symmetric cases.
pub(super) fn cases() -> Vec<KatCase> {
    vec![
        KatCase {
            algorithm: "SHA-1",
            family: "hash",
            source: "FIPS 180-4 example (NIST CSRC SHA1.pdf): \"abc\"",
            run: |p| hash(p, HashAlg::Sha1, "a9993e364706816aba3e25717850c26c9cd0d89d"),
        },
        KatCase {
            algorithm: "SHA-224",
            family: "hash",
            source: "FIPS 180-4 example (NIST CSRC SHA224.pdf): \"abc\"",
            run: |p| {
                hash(
                    p,
                    HashAlg::Sha224,
                    "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7",
                )
            },
        },
        KatCase {
            algorithm: "SHA-256",
            family: "hash",
            source: "FIPS 180-4 example (NIST CSRC SHA256.pdf): \"abc\"",
            run: |p| {
                hash(
                    p,
                    HashAlg::Sha256,
                    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                )
            },
        },
        KatCase {
            algorithm: "SHA-384",
            family: "hash",
            source: "FIPS 180-4 example (NIST CSRC SHA384.pdf): \"abc\"",
            run: |p| {
                hash(
                    p,
                    HashAlg::Sha384,
                    "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed\
                     8086072ba1e7cc2358baeca134c825a7",
                )
            },
        },
        KatCase {
            algorithm: "SHA-512",
            family: "hash",
            source: "FIPS 180-4 example (NIST CSRC SHA512.pdf): \"abc\"",
            run: |p| {
                hash(
                    p,
                    HashAlg::Sha512,
                    "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a\
                     2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
                )
            },
        },
        KatCase {
            algorithm: "SHA3-224",
            family: "hash",
            source: "FIPS 202 example (NIST CSRC SHA3-224_Msg0/abc examples): \"abc\"",
            run: |p| {
                hash(
                    p,
                    HashAlg::Sha3_224,
                    "e642824c3f8cf24ad09234ee7d3c766fc9a3a5168d0c94ad73b46fdf",
                )
            },
        },
        KatCase {
            algorithm: "SHA3-256",
            family: "hash",
            source: "FIPS 202 example (NIST CSRC SHA3-256 examples): \"abc\"",
            run: |p| {
                hash(
                    p,
                    HashAlg::Sha3_256,
                    "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532",
                )
            },
        },
        KatCase {
            algorithm: "SHA3-384",
            family: "hash",
            source: "FIPS 202 example (NIST CSRC SHA3-384 examples): \"abc\"",
            run: |p| {
                hash(
                    p,
                    HashAlg::Sha3_384,
                    "ec01498288516fc926459f58e2c6ad8df9b473cb0fc08c2596da7cf0e49be4b2\
                     98d88cea927ac7f539f1edf228376d25",
                )
            },
        },
        KatCase {
            algorithm: "SHA3-512",
            family: "hash",
            source: "FIPS 202 example (NIST CSRC SHA3-512 examples): \"abc\"",
            run: |p| {
                hash(
                    p,
                    HashAlg::Sha3_512,
                    "b751850b1a57168a5693cd924b6b096e08f621827444f70d884f5d0240d2712e\
                     10e116e9192af3c91a7ec57647e3934057340b4cf408d5a56592f8274eec53f0",
                )
            },
        },
        KatCase {
            algorithm: "HMAC-SHA-256",
            family: "mac",
            source: "RFC 4231 §4.3 test case 2",
            run: |p| {
                hmac_jefe(
                    p,
                    HashAlg::Sha256,
                    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
                )
            },
        },
        KatCase {
            algorithm: "HMAC-SHA-384",
            family: "mac",
            source: "RFC 4231 §4.3 test case 2",
            run: |p| {
                hmac_jefe(
                    p,
                    HashAlg::Sha384,
                    "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e\
                     8e2240ca5e69e2c78b3239ecfab21649",
                )
            },
        },
        KatCase {
            algorithm: "HMAC-SHA-512",
            family: "mac",
            source: "RFC 4231 §4.3 test case 2",
            run: |p| {
                hmac_jefe(
                    p,
                    HashAlg::Sha512,
                    "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554\
                     9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
                )
            },
        },
        KatCase {
            algorithm: "HMAC-SHA3-256",
            family: "mac",
            source: "Wycheproof hmac_sha3_256_test.json tcId 1",
            run: |p| {
                let key =
                    decode_hex("1e225cafb90339bba1b24076d4206c3e79c355805d851682bc818baa4f5a7779")?;
                let tag = p.hmac(HashAlg::Sha3_256, &key, b"").map_err(err)?;
                check_hex(
                    "HMAC-SHA3-256",
                    tag.as_bytes(),
                    "a3c58470afa8835d6e2357fb7b1cd07f8c4bc4c7874ca59d83163f046a9e227e",
                )
            },
        },
        KatCase {
            algorithm: "HKDF-SHA-256",
            family: "kdf",
            source: "RFC 5869 Appendix A.1 (test case 1)",
            run: |p| {
                let salt = decode_hex("000102030405060708090a0b0c")?;
                let info = decode_hex("f0f1f2f3f4f5f6f7f8f9")?;
                let prk = p.hkdf_extract(HashAlg::Sha256, &salt, &[0x0b; 22]);
                check_hex(
                    "PRK",
                    prk.as_bytes(),
                    "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5",
                )?;
                let mut okm = [0u8; 42];
                p.hkdf_expand(HashAlg::Sha256, prk.as_bytes(), &info, &mut okm)
                    .map_err(err)?;
                check_hex(
                    "OKM",
                    &okm,
                    "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf\
                     34007208d5b887185865",
                )
            },
        },
        KatCase {
            algorithm: "HKDF-SHA-384",
            family: "kdf",
            source: "Wycheproof hkdf_sha384_test.json tcId 12",
            run: |p| {
                let ikm = decode_hex("7a00817689a3d79001825a864c69c120")?;
                let salt = decode_hex("08bc01c053a6406c7c4a667c9b9b3894")?;
                let info = decode_hex("967ccd75395be6e96a67759f070487c9e2107791")?;
                let mut okm = [0u8; 64];
                p.hkdf(HashAlg::Sha384, &salt, &ikm, &info, &mut okm)
                    .map_err(err)?;
                check_hex(
                    "OKM",
                    &okm,
                    "bd02e16b6024f2c3b752d1c1d3047583697731915fbbb34418f479b0c9bf84a8\
                     6bd8e715eca198da8f9b39b25a1229c311853f862340cdefe46ddf41dcf256d9",
                )
            },
        },
        KatCase {
            algorithm: "AES-128-GCM",
            family: "aead",
            source: "McGrew & Viega, \"The Galois/Counter Mode of Operation\", test case 4",
            run: |p| {
                aead(
                    p,
                    AeadAlg::Aes128Gcm,
                    "feffe9928665731c6d6a8f9467308308",
                    "cafebabefacedbaddecaf888",
                    GCM_AAD,
                    GCM_PT,
                    "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e\
                     21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091\
                     5bc94fbc3221a5db94fae95ae7121a47",
                )
            },
        },
        KatCase {
            algorithm: "AES-256-GCM",
            family: "aead",
            source: "McGrew & Viega, \"The Galois/Counter Mode of Operation\", test case 16",
            run: |p| {
                aead(
                    p,
                    AeadAlg::Aes256Gcm,
                    "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
                    "cafebabefacedbaddecaf888",
                    GCM_AAD,
                    GCM_PT,
                    "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa\
                     8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662\
                     76fc6ece0f4e1768cddf8853bb2d551b",
                )
            },
        },
        KatCase {
            algorithm: "ChaCha20-Poly1305",
            family: "aead",
            source: "RFC 8439 §2.8.2",
            run: |p| {
                aead(
                    p,
                    AeadAlg::ChaCha20Poly1305,
                    "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f",
                    "070000004041424344454647",
                    "50515253c0c1c2c3c4c5c6c7",
                    // "Ladies and Gentlemen of the class of '99: If I could offer you
                    // only one tip for the future, sunscreen would be it."
                    "4c616469657320616e642047656e746c656d656e206f662074686520636c6173\
                     73206f66202739393a204966204920636f756c64206f6666657220796f75206f\
                     6e6c79206f6e652074697020666f7220746865206675747572652c2073756e73\
                     637265656e20776f756c642062652069742e",
                    "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6\
                     3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36\
                     92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc\
                     3ff4def08e4b7a9de576d26586cec64b6116\
                     1ae10b594f09e26a7e902ecbd0600691",
                )
            },
        },
        KatCase {
            algorithm: "AES-128-CCM",
            family: "aead",
            source: "RFC 3610 §8 packet vector #1 (13-byte nonce, 8-byte tag); \
                     NIST SP 800-38C Appendix C.1 example 1 (7-byte nonce, 4-byte tag)",
            run: |p| {
                aead_tag(
                    p,
                    AeadAlg::Aes128Ccm,
                    8,
                    "c0c1c2c3c4c5c6c7c8c9cacbcccdcecf",
                    "00000003020100a0a1a2a3a4a5",
                    "0001020304050607",
                    "08090a0b0c0d0e0f101112131415161718191a1b1c1d1e",
                    "588c979a61c663d2f066d0c2c0f989806d5f6b61dac38417e8d12cfdf926e0",
                )?;
                aead_tag(
                    p,
                    AeadAlg::Aes128Ccm,
                    4,
                    "404142434445464748494a4b4c4d4e4f",
                    "10111213141516",
                    "0001020304050607",
                    "20212223",
                    "7162015b4dac255d",
                )
            },
        },
        KatCase {
            algorithm: "AES-128-ECB",
            family: "cipher",
            source: "NIST SP 800-38A Appendix F.1.1 (ECB-AES128.Encrypt)",
            run: |p| {
                cipher(
                    p,
                    CipherAlg::AesEcb,
                    SP800_38A_KEY,
                    "",
                    SP800_38A_PT,
                    "3ad77bb40d7a3660a89ecaf32466ef97f5d3d58503b9699de785895a96fdbaaf\
                     43b1cd7f598ece23881b00e3ed0306887b0c785e27e8ad3f8223207104725dd4",
                )
            },
        },
        KatCase {
            algorithm: "AES-128-CBC",
            family: "cipher",
            source: "NIST SP 800-38A Appendix F.2.1 (CBC-AES128.Encrypt)",
            run: |p| {
                cipher(
                    p,
                    CipherAlg::AesCbc,
                    SP800_38A_KEY,
                    "000102030405060708090a0b0c0d0e0f",
                    SP800_38A_PT,
                    "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2\
                     73bed6b8e3c1743b7116e69e222295163ff1caa1681fac09120eca307586e1a7",
                )
            },
        },
        KatCase {
            algorithm: "AES-128-CTR",
            family: "cipher",
            source: "NIST SP 800-38A Appendix F.5.1 (CTR-AES128.Encrypt)",
            run: |p| {
                cipher(
                    p,
                    CipherAlg::AesCtr,
                    SP800_38A_KEY,
                    "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
                    SP800_38A_PT,
                    "874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff\
                     5ae4df3edbd5d35e5b4f09020db03eab1e031dda2fbe03d1792170a0f3009cee",
                )
            },
        },
        KatCase {
            algorithm: "AES-128-XTS",
            family: "cipher",
            source: "IEEE 1619-2007 Annex B vector 2 (full blocks) and vector 15 \
                     (17 bytes, ciphertext stealing)",
            run: |p| {
                // Tweak = data unit sequence number as 128-bit little-endian (IEEE 1619 §5.1).
                cipher(
                    p,
                    CipherAlg::AesXts,
                    "1111111111111111111111111111111122222222222222222222222222222222",
                    "33333333330000000000000000000000",
                    "4444444444444444444444444444444444444444444444444444444444444444",
                    "c454185e6a16936e39334038acef838bfb186fff7480adc4289382ecd6d394f0",
                )?;
                cipher(
                    p,
                    CipherAlg::AesXts,
                    "fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0bfbebdbcbbbab9b8b7b6b5b4b3b2b1b0",
                    "9a785634120000000000000000000000",
                    "000102030405060708090a0b0c0d0e0f10",
                    "6c1625db4671522d3d7599601de7ca09ed",
                )
            },
        },
        KatCase {
            algorithm: "3DES-CBC",
            family: "cipher",
            source: "NIST SP 800-67 Rev. 1 Appendix B TDEA example (first block, zero IV, \
                     equals its ECB result); full CBC value computed with OpenSSL 3.0.19 \
                     `enc -des-ede3-cbc -nopad` and Python cryptography",
            run: |p| {
                // SP 800-67's example plaintext really is "The qufck brown fox jump".
                cipher(
                    p,
                    CipherAlg::TdesCbc,
                    TDES_KEY,
                    "0000000000000000",
                    "5468652071756663",
                    "a826fd8ce53b855f",
                )?;
                cipher(
                    p,
                    CipherAlg::TdesCbc,
                    TDES_KEY,
                    "f69f2445df4f9b17",
                    "54686520717566636b2062726f776e20666f78206a756d70",
                    "a5c282bad0de3774becd2e04386b589fb5057d8552fc4336",
                )
            },
        },
        KatCase {
            algorithm: "CMAC-AES-128",
            family: "mac",
            source: "RFC 4493 §4 examples 2 and 4 (= NIST SP 800-38B D.1)",
            run: |p| {
                let key = p.cmac_key(&decode_hex(SP800_38A_KEY)?).map_err(err)?;
                let tag = key
                    .sign(&decode_hex("6bc1bee22e409f96e93d7e117393172a")?)
                    .map_err(err)?;
                check_hex("example 2", &tag, "070a16b46b4d4144f79bdd9dd04a287c")?;
                let msg = decode_hex(SP800_38A_PT)?;
                let tag = key.sign(&msg).map_err(err)?;
                check_hex("example 4", &tag, "51f0bebf7e3b9d92fc49741779363cfe")?;
                let mut bad = tag;
                bad[0] ^= 1;
                match key.verify(&msg, &bad) {
                    Err(crate::Error::AuthenticationFailed { .. }) => Ok(()),
                    other => Err(format!("tampered CMAC tag: {other:?}")),
                }
            },
        },
    ]
}

const GCM_AAD: &str = "feedfacedeadbeeffeedfacedeadbeefabaddad2";
const GCM_PT: &str = "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72\
                      1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39";
const SP800_38A_KEY: &str = "2b7e151628aed2a6abf7158809cf4f3c";
const SP800_38A_PT: &str = "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51\
                            30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710";
/// SP 800-67 Rev. 1 Appendix B: K1 = 0123456789ABCDEF, K2 = 23456789ABCDEF01,
/// K3 = 456789ABCDEF0123.
const TDES_KEY: &str = "0123456789abcdef23456789abcdef01456789abcdef0123";

fn err(e: crate::Error) -> String {
    e.to_string()
}

fn hash(p: &CryptoProvider, alg: HashAlg, expected: &str) -> Result<(), String> {
    check_hex(alg.name(), p.digest(alg, b"abc").as_bytes(), expected)?;
    // The incremental path must agree.
    let mut h = p.hasher(alg);
    h.update(b"a");
    h.update(b"bc");
    check_hex(alg.name(), h.finish().as_bytes(), expected)
}

fn hmac_jefe(p: &CryptoProvider, alg: HashAlg, expected: &str) -> Result<(), String> {
    let key = p.hmac_key(alg, b"Jefe").map_err(err)?;
    let data = b"what do ya want for nothing?";
    check_hex(alg.name(), key.sign(data).as_bytes(), expected)?;
    let mut bad = decode_hex(expected)?;
    if let Some(b) = bad.first_mut() {
        *b ^= 1;
    }
    match key.verify(data, &bad) {
        Err(crate::Error::AuthenticationFailed { .. }) => Ok(()),
        other => Err(format!("tampered HMAC tag: {other:?}")),
    }
}

fn aead(
    p: &CryptoProvider,
    alg: AeadAlg,
    key: &str,
    nonce: &str,
    aad: &str,
    pt: &str,
    ct_and_tag: &str,
) -> Result<(), String> {
    aead_tag(p, alg, 16, key, nonce, aad, pt, ct_and_tag)
}

/// Seals to the known answer, opens it back, and checks that a tampered tag is refused
/// with nothing released.
#[expect(
    clippy::too_many_arguments,
    reason = "one argument per field of the published vector"
)]
fn aead_tag(
    p: &CryptoProvider,
    alg: AeadAlg,
    tag_len: usize,
    key: &str,
    nonce: &str,
    aad: &str,
    pt: &str,
    ct_and_tag: &str,
) -> Result<(), String> {
    let key = p
        .aead_key_with_tag_len(alg, &decode_hex(key)?, tag_len)
        .map_err(err)?;
    let (nonce, aad, pt) = (decode_hex(nonce)?, decode_hex(aad)?, decode_hex(pt)?);
    let sealed = key.seal(&nonce, &aad, &pt).map_err(err)?;
    check_hex(alg.name(), &sealed, ct_and_tag)?;
    let opened = key.open(&nonce, &aad, &sealed).map_err(err)?;
    if opened != pt {
        return Err(format!("{}: open did not return the plaintext", alg.name()));
    }
    let mut ct = sealed;
    let ct_len = ct.len().saturating_sub(tag_len);
    let (body, tag) = ct.split_at_mut(ct_len);
    let mut bad_tag = tag.to_vec();
    if let Some(b) = bad_tag.last_mut() {
        *b ^= 0x80;
    }
    match key.open_in_place_separate_tag(&nonce, &aad, body, &bad_tag) {
        Err(crate::Error::AuthenticationFailed { .. }) if body.iter().all(|b| *b == 0) => Ok(()),
        Err(crate::Error::AuthenticationFailed { .. }) => Err(format!(
            "{}: tampered tag refused but output not zeroed",
            alg.name()
        )),
        other => Err(format!("{}: tampered tag: {other:?}", alg.name())),
    }
}

fn cipher(
    p: &CryptoProvider,
    alg: CipherAlg,
    key: &str,
    iv: &str,
    pt: &str,
    ct: &str,
) -> Result<(), String> {
    let key = p.cipher_key(alg, &decode_hex(key)?).map_err(err)?;
    let (iv, pt) = (decode_hex(iv)?, decode_hex(pt)?);
    let mut buf = pt.clone();
    key.encrypt(&iv, &mut buf).map_err(err)?;
    check_hex(alg.name(), &buf, ct)?;
    key.decrypt(&iv, &mut buf).map_err(err)?;
    if buf != pt {
        return Err(format!(
            "{}: decrypt did not return the plaintext",
            alg.name()
        ));
    }
    Ok(())
}
