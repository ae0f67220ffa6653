//! GET_CERTIFICATE / CERTIFICATE (DSP0274 1.2 §10.6): the offset/length loop, then the chain's
//! digest check and validation.

use super::*;

/// GET_CERTIFICATE sent; CERTIFICATE expected.
#[derive(Debug)]
pub struct AwaitingCertificate {
    pub(super) conn: Conn,
    pub(super) pending: Pending,
    pub(super) slot: u8,
    pub(super) chain: Vec<u8>,
    pub(super) remainder: Option<u32>,
    pub(super) asked: u32,
}

impl AwaitingCertificate {
    pub(super) fn send(
        conn: Conn,
        slot: u8,
        chain: Vec<u8>,
        remainder: Option<u32>,
    ) -> Result<Next, RequesterError> {
        let config = &conn.base.config;
        // With chunking a CERTIFICATE may span transfers (ERROR(LargeResponse) + CHUNK_GET):
        // ask for as much as both MaxSPDMmsgSizes allow, as libspdm does (0xFFFF).
        let (ours, theirs) = if conn.chunk_version().is_some() {
            let ours = config.max_spdm_msg_size;
            let theirs = conn
                .negotiated
                .responder_caps
                .max_spdm_msg_size
                .map_or(ours, |m| m.min(ours));
            (ours, theirs)
        } else {
            let ours = config.data_transfer_size;
            (ours, conn.negotiated.responder_data_transfer_size(ours))
        };
        let portion_cap = ours
            .min(theirs)
            .saturating_sub(CERTIFICATE_HEADER_LEN)
            .min(u32::from(u16::MAX));
        let asked = remainder.map_or(portion_cap, |r| r.min(portion_cap));
        let offset = u32::try_from(chain.len())
            .map_err(|_| Misbehavior::Certificate("chain above our limit"))?;
        let request = GetCertificate {
            version: conn.version(),
            slot_id: slot,
            large_cert_chain: false,
            slot_size_requested: false,
            offset,
            length: asked,
        }
        .to_vec()?;
        Ok(Next::Send {
            requester: Requester::AwaitingCertificate(Box::new(Self {
                pending: Pending::new(
                    request.clone(),
                    RequestCode::GetCertificate,
                    ResponseCode::Certificate,
                ),
                conn,
                slot,
                chain,
                remainder,
                asked,
            })),
            request,
        })
    }
}

awaiting_state!(AwaitingCertificate, conn);

impl Awaiting for AwaitingCertificate {
    fn handle(
        self: Box<Self>,
        provider: &CryptoProvider,
        bytes: &[u8],
    ) -> Result<Next, RequesterError> {
        let Self {
            mut conn,
            pending,
            slot,
            mut chain,
            remainder,
            asked,
        } = *self;
        let config = Arc::clone(&conn.base.config);
        let ctx = conn.negotiated.decode_context();
        let (response, len) = decode_expected(&pending, &config, bytes, &ctx)?;
        let c = expect_response!(response, Certificate);
        if c.slot_id != slot {
            return Err(Misbehavior::Slot {
                slot: c.slot_id,
                reason: "CERTIFICATE for another slot",
            }
            .into());
        }
        if conn.version().at_least(SpdmVersion::V13) {
            let multi_key = conn
                .negotiated
                .other_params
                .contains(crate::codec::OtherParams::MULTI_KEY_CONN);
            let model = c.cert_model;
            let ok = if multi_key {
                model.is_known()
                    && model != CertModel::NoCertificate
                    && !(slot == 0 && model == CertModel::GenericCert)
            } else {
                model == CertModel::NoCertificate
            };
            if !ok {
                return Err(Misbehavior::Certificate("CertModel not allowed").into());
            }
        }
        let portion = u32::try_from(c.cert_chain.len())
            .map_err(|_| Misbehavior::Certificate("portion too long"))?;
        if portion > asked {
            return Err(Misbehavior::Certificate("portion longer than asked").into());
        }
        if portion == 0 {
            return Err(Misbehavior::Certificate("empty portion").into());
        }
        if let Some(r) = remainder
            && r.checked_sub(portion) != Some(c.remainder_length)
        {
            return Err(Misbehavior::Certificate("RemainderLength inconsistent").into());
        }
        let total = chain
            .len()
            .saturating_add(c.cert_chain.len())
            .saturating_add(usize::try_from(c.remainder_length).unwrap_or(usize::MAX));
        if total > config.max_cert_chain_len {
            return Err(Misbehavior::Certificate("chain above our limit").into());
        }
        chain.extend_from_slice(c.cert_chain);
        let remainder_length = c.remainder_length;
        conn.transcript
            .on_request(RequestCode::GetCertificate, conn.authenticated);
        conn.transcript.append_b(&pending.request)?;
        conn.transcript.append_b(exact(bytes, len))?;
        if remainder_length > 0 {
            return AwaitingCertificate::send(conn, slot, chain, Some(remainder_length));
        }
        accept_chain(&mut conn, provider, slot, chain)?;
        conn.next_step(provider)
    }
}

pub(super) fn accept_chain(
    conn: &mut Conn,
    provider: &CryptoProvider,
    slot: u8,
    chain: Vec<u8>,
) -> Result<(), RequesterError> {
    let config = Arc::clone(&conn.base.config);
    let hash = conn.negotiated.base_hash;
    let digest = provider.digest(hash, &chain);
    let expected = conn
        .digests
        .as_ref()
        .and_then(|d| d.iter().find(|(s, _)| *s == slot))
        .map(|(_, d)| d.as_slice());
    if expected != Some(digest.as_bytes()) {
        return Err(Misbehavior::DigestMismatch { slot }.into());
    }
    if let Some(existing) = conn.slot(slot) {
        if existing.evidence.chain != chain {
            return Err(Misbehavior::ChainChanged { slot }.into());
        }
        return Ok(());
    }
    let mut options = ParseOptions::new(hash);
    options.max_len = config.max_cert_chain_len;
    let parsed = SpdmCertChain::parse(&chain, &options)?;
    let asym = conn
        .negotiated
        .asym
        .ok_or(Misbehavior::MissingCapability("an asymmetric algorithm"))?;
    let key_type = asym.alg.key_type();
    let leaf_key = if key_type == KeyType::Rsa {
        LeafKey::rsa(asym.signature_len.saturating_mul(8))
    } else {
        LeafKey::new(key_type)
    };
    let policy = ValidationPolicy::new(
        Role::ResponderAuth,
        config.now,
        Anchors::Trusted(&config.trust_anchors),
        leaf_key,
    );
    let validated = parsed.validate(&policy, provider)?;
    conn.slots.push(ValidSlot {
        key: validated.leaf_public_key().clone(),
        evidence: SlotEvidence {
            slot,
            digest: digest.as_bytes().to_vec(),
            certificates: validated.certificates().to_vec(),
            leaf_der: validated.leaf_der().to_vec(),
            anchor: validated.anchor(),
            chain,
        },
    });
    Ok(())
}
