//! Sessions: the keys and parameters a CREATE_SESSION sets up, and the bounded table that
//! names them. VIRTIO 1.3 §5.9.7.2.1.
//!
//! Ids are handed out from a counter that only grows (starting at 1), so an id is never
//! reused while a queued request may still name it: a request for a destroyed session gets
//! `INVSESS`, never another guest session's key. The table holds at most
//! [`DeviceConfig::max_sessions`] live sessions; one more gets `NOSPC`.

use std::collections::HashMap;

use vtrust_crypto::CryptoProvider;
use vtrust_crypto::aead::{AeadAlg, AeadKey};
use vtrust_crypto::cipher::{CipherAlg, CipherKey};
use vtrust_crypto::hash::HashAlg;
use vtrust_crypto::hmac::HmacKey;
use vtrust_crypto::mac::CmacKey;
use vtrust_crypto::sign::{KeyType, PublicKey, SignatureAlg, SigningKey};

use crate::codec::control::{
    AeadCreateSessionFlf, AkcipherCreateSessionFlf, AlgChainSessionFlf, ChainHashFlf,
    CipherSessionFlf, HashCreateSessionFlf, MacCreateSessionFlf, SymCreateSessionFlf,
};
use crate::codec::data::{DataFlf, StatelessParams, SymDataFlf};
use crate::config::{DeviceConfig, MAX_AKCIPHER_KEY_LEN};
use crate::error::RequestError;
use crate::spec::{Service, aead_algo, akcipher_algo, cipher_algo, hash_algo, mac_algo, sym};

/// The parameters of a CREATE_SESSION, as the control queue or a vhost-user
/// `CREATE_CRYPTO_SESSION` message carries them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionParams {
    /// `VIRTIO_CRYPTO_CIPHER_CREATE_SESSION`: cipher only or cipher chained with a hash/MAC.
    Sym(SymCreateSessionFlf),
    /// `VIRTIO_CRYPTO_HASH_CREATE_SESSION`.
    Hash(HashCreateSessionFlf),
    /// `VIRTIO_CRYPTO_MAC_CREATE_SESSION`.
    Mac(MacCreateSessionFlf),
    /// `VIRTIO_CRYPTO_AEAD_CREATE_SESSION`.
    Aead(AeadCreateSessionFlf),
    /// `VIRTIO_CRYPTO_AKCIPHER_CREATE_SESSION`.
    Akcipher(AkcipherCreateSessionFlf),
}

impl SessionParams {
    /// The service the session belongs to.
    pub fn service(&self) -> Service {
        match self {
            SessionParams::Sym(_) => Service::Cipher,
            SessionParams::Hash(_) => Service::Hash,
            SessionParams::Mac(_) => Service::Mac,
            SessionParams::Aead(_) => Service::Aead,
            SessionParams::Akcipher(_) => Service::Akcipher,
        }
    }
}

/// A CREATE_SESSION request: parameters and keys. `cipher_key` carries the cipher, AEAD or
/// asymmetric key; `auth_key` the MAC key (MAC sessions, AUTH chains).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CreateSessionRequest<'a> {
    /// The parameters.
    pub params: SessionParams,
    /// The cipher / AEAD / AKCIPHER key.
    pub cipher_key: &'a [u8],
    /// The MAC key.
    pub auth_key: &'a [u8],
}

/// A symmetric cipher bound to its key.
pub(crate) struct CipherState {
    pub(crate) key: CipherKey,
}

/// The hash or MAC of a HASH, MAC or chain session.
pub(crate) enum Authenticator {
    Hash(HashAlg),
    Hmac(Box<HmacKey>),
    Cmac(CmacKey),
}

impl Authenticator {
    /// The full output length.
    pub(crate) fn output_len(&self) -> usize {
        match self {
            Authenticator::Hash(alg) => alg.output_len(),
            Authenticator::Hmac(k) => k.tag_len(),
            Authenticator::Cmac(_) => 16,
        }
    }
}

/// Chained cipher and hash/MAC.
pub(crate) struct ChainState {
    pub(crate) cipher: CipherState,
    pub(crate) auth: Authenticator,
    pub(crate) cipher_then_hash: bool,
}

/// The key of an AKCIPHER session.
pub(crate) enum AkKey {
    Private(SigningKey),
    Public(PublicKey),
}

/// An AKCIPHER session.
pub(crate) struct AkState {
    pub(crate) alg: SignatureAlg,
    pub(crate) key: AkKey,
}

/// One live session.
pub(crate) enum Session {
    Cipher(CipherState),
    Chain(ChainState),
    Hash(HashAlg),
    Mac(Authenticator),
    Aead(Box<AeadKey>),
    Akcipher(AkState),
    Rsa(Box<crate::service::rsa::RsaState>),
}

impl Session {
    pub(crate) fn service(&self) -> Service {
        match self {
            Session::Cipher(_) | Session::Chain(_) => Service::Cipher,
            Session::Hash(_) => Service::Hash,
            Session::Mac(_) => Service::Mac,
            Session::Aead(_) => Service::Aead,
            Session::Akcipher(_) | Session::Rsa(_) => Service::Akcipher,
        }
    }

    /// Builds a session: checks the parameters against the device's offer and limits, then
    /// imports the keys.
    pub(crate) fn new(
        provider: &CryptoProvider,
        config: &DeviceConfig,
        req: &CreateSessionRequest<'_>,
    ) -> Result<Self, RequestError> {
        if !config.offers(req.params.service()) {
            return Err(RequestError::Unsupported {
                what: "service not offered",
            });
        }
        match req.params {
            SessionParams::Sym(SymCreateSessionFlf::Cipher(c)) => {
                expect_len("cipher key", req.cipher_key, c.key_len)?;
                expect_len("auth key", req.auth_key, 0)?;
                Ok(Session::Cipher(cipher_state(
                    provider,
                    config,
                    &c,
                    req.cipher_key,
                )?))
            }
            SessionParams::Sym(SymCreateSessionFlf::Chain(ch)) => {
                expect_len("cipher key", req.cipher_key, ch.cipher.key_len)?;
                let cipher = cipher_state(provider, config, &ch.cipher, req.cipher_key)?;
                let cipher_then_hash = match ch.alg_chain_order {
                    sym::CHAIN_ORDER_CIPHER_THEN_HASH => true,
                    sym::CHAIN_ORDER_HASH_THEN_CIPHER => false,
                    _ => {
                        return Err(RequestError::InvalidParameter {
                            field: "alg_chain_order",
                        });
                    }
                };
                let auth = match ch.hash {
                    ChainHashFlf::Plain(h) => {
                        expect_len("auth key", req.auth_key, 0)?;
                        Authenticator::Hash(hash_alg(config, h.algo, h.hash_result_len)?)
                    }
                    ChainHashFlf::Auth(m) => {
                        expect_len("auth key", req.auth_key, m.auth_key_len)?;
                        mac(provider, config, &m, req.auth_key)?
                    }
                    ChainHashFlf::Other(_) => {
                        return Err(RequestError::Unsupported {
                            what: "hash mode other than PLAIN or AUTH",
                        });
                    }
                };
                Ok(Session::Chain(ChainState {
                    cipher,
                    auth,
                    cipher_then_hash,
                }))
            }
            SessionParams::Sym(SymCreateSessionFlf::Other(_)) => Err(RequestError::Unsupported {
                what: "symmetric op_type other than CIPHER or ALGORITHM_CHAINING",
            }),
            SessionParams::Hash(h) => {
                expect_len("cipher key", req.cipher_key, 0)?;
                expect_len("auth key", req.auth_key, 0)?;
                Ok(Session::Hash(hash_alg(config, h.algo, h.hash_result_len)?))
            }
            SessionParams::Mac(m) => {
                expect_len("cipher key", req.cipher_key, 0)?;
                expect_len("auth key", req.auth_key, m.auth_key_len)?;
                Ok(Session::Mac(mac(provider, config, &m, req.auth_key)?))
            }
            SessionParams::Aead(a) => {
                expect_len("auth key", req.auth_key, 0)?;
                expect_len("cipher key", req.cipher_key, a.key_len)?;
                Ok(Session::Aead(Box::new(aead_key(
                    provider,
                    config,
                    a.algo,
                    a.tag_len,
                    req.cipher_key,
                )?)))
            }
            SessionParams::Akcipher(a) => {
                expect_len("auth key", req.auth_key, 0)?;
                expect_len("cipher key", req.cipher_key, a.key_len)?;
                ak_state(provider, config, &a, req.cipher_key)
            }
        }
    }
}

fn expect_len(what: &'static str, key: &[u8], len: u32) -> Result<(), RequestError> {
    if u64::try_from(key.len()).ok() == Some(u64::from(len)) {
        Ok(())
    } else {
        Err(RequestError::LengthMismatch { what })
    }
}

fn offered(mask: u64, algo: u32) -> bool {
    algo < 64 && mask & (1u64 << algo) != 0
}

fn check_max(field: &'static str, len: u32, max: u32) -> Result<(), RequestError> {
    if len > max {
        Err(RequestError::TooLong {
            field,
            len: u64::from(len),
            max: u64::from(max),
        })
    } else {
        Ok(())
    }
}

/// Maps a cipher algorithm id.
pub(crate) fn cipher_alg(config: &DeviceConfig, algo: u32) -> Result<CipherAlg, RequestError> {
    let alg = match algo {
        cipher_algo::AES_ECB => CipherAlg::AesEcb,
        cipher_algo::AES_CBC => CipherAlg::AesCbc,
        cipher_algo::AES_CTR => CipherAlg::AesCtr,
        cipher_algo::AES_XTS => CipherAlg::AesXts,
        cipher_algo::DES3_CBC => CipherAlg::TdesCbc,
        _ => {
            return Err(RequestError::Unsupported {
                what: "cipher algorithm",
            });
        }
    };
    if !offered(config.cipher_algo, algo) {
        return Err(RequestError::Unsupported {
            what: "cipher algorithm not offered",
        });
    }
    Ok(alg)
}

/// Builds a cipher from `cipher_session_flf` and its key.
pub(crate) fn cipher_state(
    provider: &CryptoProvider,
    config: &DeviceConfig,
    c: &CipherSessionFlf,
    key: &[u8],
) -> Result<CipherState, RequestError> {
    check_max("key_len", c.key_len, config.max_cipher_key_len)?;
    let alg = cipher_alg(config, c.algo)?;
    if c.op != sym::OP_ENCRYPT && c.op != sym::OP_DECRYPT {
        return Err(RequestError::InvalidParameter { field: "op" });
    }
    let key = provider
        .cipher_key(alg, key)
        .map_err(RequestError::from_key)?;
    Ok(CipherState { key })
}

/// Maps a hash algorithm id and checks `hash_result_len`.
pub(crate) fn hash_alg(
    config: &DeviceConfig,
    algo: u32,
    result_len: u32,
) -> Result<HashAlg, RequestError> {
    let alg = match algo {
        hash_algo::SHA1 => HashAlg::Sha1,
        hash_algo::SHA_224 => HashAlg::Sha224,
        hash_algo::SHA_256 => HashAlg::Sha256,
        hash_algo::SHA_384 => HashAlg::Sha384,
        hash_algo::SHA_512 => HashAlg::Sha512,
        hash_algo::SHA3_224 => HashAlg::Sha3_224,
        hash_algo::SHA3_256 => HashAlg::Sha3_256,
        hash_algo::SHA3_384 => HashAlg::Sha3_384,
        hash_algo::SHA3_512 => HashAlg::Sha3_512,
        _ => {
            return Err(RequestError::Unsupported {
                what: "hash algorithm",
            });
        }
    };
    if !offered(u64::from(config.hash_algo), algo) {
        return Err(RequestError::Unsupported {
            what: "hash algorithm not offered",
        });
    }
    check_result_len(result_len, alg.output_len())?;
    Ok(alg)
}

/// `hash_result_len` must be 1 to the algorithm's output length.
pub(crate) fn check_result_len(len: u32, full: usize) -> Result<(), RequestError> {
    match usize::try_from(len) {
        Ok(l) if l >= 1 && l <= full => Ok(()),
        _ => Err(RequestError::InvalidParameter {
            field: "hash_result_len",
        }),
    }
}

/// Builds a MAC from `mac_create_session_flf` and its key.
pub(crate) fn mac(
    provider: &CryptoProvider,
    config: &DeviceConfig,
    m: &MacCreateSessionFlf,
    key: &[u8],
) -> Result<Authenticator, RequestError> {
    check_max("auth_key_len", m.auth_key_len, config.max_auth_key_len)?;
    mac_with_key(provider, config, m.algo, m.hash_result_len, key)
}

/// Builds a MAC from its id, result length and key.
pub(crate) fn mac_with_key(
    provider: &CryptoProvider,
    config: &DeviceConfig,
    algo: u32,
    result_len: u32,
    key: &[u8],
) -> Result<Authenticator, RequestError> {
    let hmac = match algo {
        mac_algo::HMAC_SHA1 => Some(HashAlg::Sha1),
        mac_algo::HMAC_SHA_224 => Some(HashAlg::Sha224),
        mac_algo::HMAC_SHA_256 => Some(HashAlg::Sha256),
        mac_algo::HMAC_SHA_384 => Some(HashAlg::Sha384),
        mac_algo::HMAC_SHA_512 => Some(HashAlg::Sha512),
        mac_algo::CMAC_AES => None,
        _ => {
            return Err(RequestError::Unsupported {
                what: "MAC algorithm",
            });
        }
    };
    if !offered(config.mac_algo, algo) {
        return Err(RequestError::Unsupported {
            what: "MAC algorithm not offered",
        });
    }
    let auth = match hmac {
        Some(h) => Authenticator::Hmac(Box::new(
            provider.hmac_key(h, key).map_err(RequestError::from_key)?,
        )),
        None => Authenticator::Cmac(provider.cmac_key(key).map_err(RequestError::from_key)?),
    };
    check_result_len(result_len, auth.output_len())?;
    Ok(auth)
}

/// Builds an AEAD key.
pub(crate) fn aead_key(
    provider: &CryptoProvider,
    config: &DeviceConfig,
    algo: u32,
    tag_len: u32,
    key: &[u8],
) -> Result<AeadKey, RequestError> {
    check_max(
        "key_len",
        u32::try_from(key.len()).unwrap_or(u32::MAX),
        config.max_cipher_key_len,
    )?;
    if !offered(u64::from(config.aead_algo), algo) {
        return Err(RequestError::Unsupported {
            what: "AEAD algorithm not offered",
        });
    }
    let alg = match (algo, key.len()) {
        (aead_algo::GCM, 16) => AeadAlg::Aes128Gcm,
        (aead_algo::GCM, 24) => AeadAlg::Aes192Gcm,
        (aead_algo::GCM, 32) => AeadAlg::Aes256Gcm,
        (aead_algo::CCM, 16) => AeadAlg::Aes128Ccm,
        (aead_algo::CCM, 24) => AeadAlg::Aes192Ccm,
        (aead_algo::CCM, 32) => AeadAlg::Aes256Ccm,
        (aead_algo::CHACHA20_POLY1305, 32) => AeadAlg::ChaCha20Poly1305,
        (aead_algo::GCM | aead_algo::CCM | aead_algo::CHACHA20_POLY1305, _) => {
            return Err(RequestError::LengthMismatch {
                what: "AEAD key length",
            });
        }
        _ => {
            return Err(RequestError::Unsupported {
                what: "AEAD algorithm",
            });
        }
    };
    let tag_len = usize::try_from(tag_len).unwrap_or(usize::MAX);
    if !alg.is_valid_tag_len(tag_len) {
        return Err(RequestError::Unsupported {
            what: "AEAD tag length",
        });
    }
    provider
        .aead_key_with_tag_len(alg, key, tag_len)
        .map_err(RequestError::from_key)
}

/// Builds an AKCIPHER key from `{algo, key_type, key_len, algo_flf}` and the DER key.
pub(crate) fn ak_state(
    provider: &CryptoProvider,
    config: &DeviceConfig,
    a: &AkcipherCreateSessionFlf,
    key: &[u8],
) -> Result<Session, RequestError> {
    check_max("key_len", a.key_len, MAX_AKCIPHER_KEY_LEN)?;
    if !offered(u64::from(config.akcipher_algo), a.algo) {
        return Err(RequestError::Unsupported {
            what: "AKCIPHER algorithm not offered",
        });
    }
    let alg = match a.algo {
        akcipher_algo::ECDSA => match a.algo_params[0] {
            akcipher_algo::CURVE_NIST_P256 => SignatureAlg::EcdsaP256Sha256,
            akcipher_algo::CURVE_NIST_P384 => SignatureAlg::EcdsaP384Sha384,
            _ => {
                return Err(RequestError::Unsupported {
                    what: "ECDSA curve",
                });
            }
        },
        akcipher_algo::RSA => {
            return Ok(Session::Rsa(Box::new(crate::service::rsa::rsa_state(
                a.algo_params,
                a.key_type,
                key,
            )?)));
        }
        _ => {
            return Err(RequestError::Unsupported {
                what: "AKCIPHER algorithm",
            });
        }
    };
    let key = match a.key_type {
        akcipher_algo::KEY_TYPE_PRIVATE => AkKey::Private(
            provider
                .signing_key_from_private_key_der(alg, key)
                .map_err(RequestError::from_key)?,
        ),
        akcipher_algo::KEY_TYPE_PUBLIC => {
            let kt = match alg {
                SignatureAlg::EcdsaP256Sha256 => KeyType::EcP256,
                SignatureAlg::EcdsaP384Sha384 => KeyType::EcP384,
                _ => KeyType::Rsa,
            };
            AkKey::Public(PublicKey::from_raw(kt, key).map_err(RequestError::from_key)?)
        }
        _ => return Err(RequestError::InvalidParameter { field: "key_type" }),
    };
    Ok(Session::Akcipher(AkState { alg, key }))
}

/// The bounded session table.
pub(crate) struct SessionTable {
    sessions: HashMap<u64, Session>,
    next_id: u64,
    max: usize,
}

impl SessionTable {
    pub(crate) fn new(max: usize) -> Self {
        Self {
            sessions: HashMap::new(),
            next_id: 1,
            max,
        }
    }

    /// Inserts a session under a fresh id; [`RequestError::NoSpace`] when full or when the
    /// id space is spent (ids are never reused).
    pub(crate) fn insert(&mut self, session: Session) -> Result<u64, RequestError> {
        if self.sessions.len() >= self.max {
            return Err(RequestError::NoSpace);
        }
        let id = self.next_id;
        self.next_id = id.checked_add(1).ok_or(RequestError::NoSpace)?;
        self.sessions.insert(id, session);
        Ok(id)
    }

    /// The session `id` if it belongs to `service`.
    pub(crate) fn get(&self, id: u64, service: Service) -> Result<&Session, RequestError> {
        match self.sessions.get(&id) {
            Some(s) if s.service() == service => Ok(s),
            _ => Err(RequestError::InvalidSession { id }),
        }
    }

    /// Removes the session `id` if it belongs to `service`.
    pub(crate) fn remove(&mut self, id: u64, service: Service) -> Result<(), RequestError> {
        self.get(id, service)?;
        self.sessions.remove(&id);
        Ok(())
    }

    pub(crate) fn len(&self) -> usize {
        self.sessions.len()
    }
}

impl SessionTable {
    /// Removes the session `id` whatever its service.
    pub(crate) fn remove_any(&mut self, id: u64) -> Result<(), RequestError> {
        self.sessions
            .remove(&id)
            .map(|_| ())
            .ok_or(RequestError::InvalidSession { id })
    }
}

/// Builds the one-request session of a stateless request from its `sess_para` and the keys
/// at the front of its `op_vlf`; returns the session and the rest of the `op_vlf`.
/// VIRTIO 1.3 §5.9.7.4 (stateless mode).
pub(crate) fn stateless_session<'b>(
    provider: &CryptoProvider,
    config: &DeviceConfig,
    params: &StatelessParams,
    flf: &DataFlf,
    vlf: &'b mut [u8],
) -> Result<(Session, &'b mut [u8]), RequestError> {
    let mut rest = vlf;
    let key_of = |rest: &mut &'b mut [u8], len: u32, max: u32, field: &'static str| {
        check_max(field, len, max)?;
        crate::service::take(rest, usize::try_from(len).unwrap_or(usize::MAX))
    };
    let session = match (params, flf) {
        (StatelessParams::Cipher { algo, key_len, op }, DataFlf::Sym(SymDataFlf::Cipher(_))) => {
            let key = key_of(&mut rest, *key_len, config.max_cipher_key_len, "key_len")?;
            let c = CipherSessionFlf {
                algo: *algo,
                key_len: *key_len,
                op: *op,
            };
            Session::new(
                provider,
                config,
                &CreateSessionRequest {
                    params: SessionParams::Sym(SymCreateSessionFlf::Cipher(c)),
                    cipher_key: key,
                    auth_key: &[],
                },
            )?
        }
        (
            StatelessParams::Chain {
                alg_chain_order,
                aad_len,
                cipher_algo,
                cipher_key_len,
                cipher_op,
                hash_algo,
                auth_key_len,
                hash_mode,
            },
            DataFlf::Sym(SymDataFlf::Chain(d)),
        ) => {
            let ckey = key_of(
                &mut rest,
                *cipher_key_len,
                config.max_cipher_key_len,
                "cipher.keylen",
            )?;
            let akey = key_of(
                &mut rest,
                *auth_key_len,
                config.max_auth_key_len,
                "hash.auth_key_len",
            )?;
            let hash = match *hash_mode {
                sym::HASH_MODE_PLAIN => ChainHashFlf::Plain(HashCreateSessionFlf {
                    algo: *hash_algo,
                    hash_result_len: d.hash_result_len,
                }),
                sym::HASH_MODE_AUTH => ChainHashFlf::Auth(MacCreateSessionFlf {
                    algo: *hash_algo,
                    hash_result_len: d.hash_result_len,
                    auth_key_len: *auth_key_len,
                }),
                other => ChainHashFlf::Other(other),
            };
            let ch = AlgChainSessionFlf {
                alg_chain_order: *alg_chain_order,
                hash,
                cipher: CipherSessionFlf {
                    algo: *cipher_algo,
                    key_len: *cipher_key_len,
                    op: *cipher_op,
                },
                aad_len: *aad_len,
            };
            Session::new(
                provider,
                config,
                &CreateSessionRequest {
                    params: SessionParams::Sym(SymCreateSessionFlf::Chain(ch)),
                    cipher_key: ckey,
                    auth_key: akey,
                },
            )?
        }
        (StatelessParams::Cipher { .. }, DataFlf::Sym(SymDataFlf::Other(_))) => {
            return Err(RequestError::Unsupported {
                what: "symmetric op_type other than CIPHER or ALGORITHM_CHAINING",
            });
        }
        (StatelessParams::Hash { algo }, DataFlf::Hash(d)) => {
            Session::Hash(hash_alg(config, *algo, d.hash_result_len)?)
        }
        (StatelessParams::Mac { algo, auth_key_len }, DataFlf::Mac(d)) => {
            let key = key_of(
                &mut rest,
                *auth_key_len,
                config.max_auth_key_len,
                "auth_key_len",
            )?;
            Session::Mac(mac_with_key(
                provider,
                config,
                *algo,
                d.hash_result_len,
                key,
            )?)
        }
        (StatelessParams::Aead { algo, key_len, .. }, DataFlf::Aead(d)) => {
            let key = key_of(&mut rest, *key_len, config.max_cipher_key_len, "key_len")?;
            Session::Aead(Box::new(aead_key(provider, config, *algo, d.tag_len, key)?))
        }
        (
            StatelessParams::Akcipher {
                algo,
                key_type,
                key_len,
                algo_params,
            },
            DataFlf::Akcipher(_),
        ) => {
            let key = key_of(&mut rest, *key_len, MAX_AKCIPHER_KEY_LEN, "key_len")?;
            let a = AkcipherCreateSessionFlf {
                algo: *algo,
                key_type: *key_type,
                key_len: *key_len,
                algo_params: *algo_params,
            };
            ak_state(provider, config, &a, key)?
        }
        _ => return Err(RequestError::InvalidParameter { field: "op_flf" }),
    };
    Ok((session, rest))
}
