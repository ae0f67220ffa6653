//! GET_DIGESTS / DIGESTS (DSP0274 1.2 §10.5).

use super::*;

/// GET_DIGESTS sent; DIGESTS expected.
#[derive(Debug)]
pub struct AwaitingDigests {
    pub(super) conn: Conn,
    pub(super) pending: Pending,
}

impl AwaitingDigests {
    pub(super) fn send(conn: Conn) -> Result<Next, RequesterError> {
        let request = GetDigests {
            version: conn.version(),
        }
        .to_vec()?;
        Ok(Next::Send {
            requester: Requester::AwaitingDigests(Box::new(Self {
                pending: Pending::new(
                    request.clone(),
                    RequestCode::GetDigests,
                    ResponseCode::Digests,
                ),
                conn,
            })),
            request,
        })
    }
}

awaiting_state!(AwaitingDigests, conn);

impl Awaiting for AwaitingDigests {
    fn handle(
        self: Box<Self>,
        provider: &CryptoProvider,
        bytes: &[u8],
    ) -> Result<Next, RequesterError> {
        let Self { mut conn, pending } = *self;
        let config = Arc::clone(&conn.base.config);
        let ctx = conn.negotiated.decode_context();
        let (response, len) = decode_expected(&pending, &config, bytes, &ctx)?;
        let d = expect_response!(response, Digests);
        if conn.version().at_least(SpdmVersion::V13)
            && d.provisioned_slot_mask.0 & !d.supported_slot_mask.0 != 0
        {
            return Err(Misbehavior::Slot {
                slot: d.provisioned_slot_mask.0 & !d.supported_slot_mask.0,
                reason: "provisioned but not supported (slot mask)",
            }
            .into());
        }
        let list: Vec<(u8, Vec<u8>)> = d
            .provisioned_slot_mask
            .slots()
            .zip(d.digests.iter())
            .map(|(s, dg)| (s, dg.to_vec()))
            .collect();
        for valid in &conn.slots {
            let slot = valid.evidence.slot;
            match list.iter().find(|(s, _)| *s == slot) {
                Some((_, dg)) if *dg == valid.evidence.digest => {}
                _ => return Err(Misbehavior::ChainChanged { slot }.into()),
            }
        }
        conn.transcript
            .on_request(RequestCode::GetDigests, conn.authenticated);
        conn.transcript.append_b(&pending.request)?;
        conn.transcript.append_b(exact(bytes, len))?;
        conn.digests = Some(list);
        conn.next_step(provider)
    }
}
