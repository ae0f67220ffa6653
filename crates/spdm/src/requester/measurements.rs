//! GET_MEASUREMENTS / MEASUREMENTS (DSP0274 1.2 §10.11): the L1/L2 signature.

use super::*;

/// GET_MEASUREMENTS sent; MEASUREMENTS expected.
#[derive(Debug)]
pub struct AwaitingMeasurements {
    pub(super) conn: Conn,
    pub(super) pending: Pending,
    pub(super) queue: VecDeque<(u8, bool)>,
    pub(super) operation: u8,
    pub(super) nonce: Option<[u8; 32]>,
}

impl AwaitingMeasurements {
    pub(super) fn send(
        conn: Conn,
        provider: &CryptoProvider,
        mut queue: VecDeque<(u8, bool)>,
    ) -> Result<Next, RequesterError> {
        let Some((operation, signed)) = queue.pop_front() else {
            return conn.next_step(provider);
        };
        let config = &conn.base.config;
        let version = conn.version();
        let nonce = if signed {
            Some(provider.random_array::<32>()?)
        } else {
            None
        };
        let request = GetMeasurements {
            version,
            attributes: if signed {
                MeasurementAttributes::SIGNATURE_REQUESTED
            } else {
                MeasurementAttributes::empty()
            },
            operation: MeasurementOperation(operation),
            nonce,
            slot_id: (signed && version.at_least(SpdmVersion::V11))
                .then_some(config.measurement_slot),
            requester_context: version
                .at_least(SpdmVersion::V13)
                .then_some(config.measurements_context),
        }
        .to_vec()?;
        Ok(Next::Send {
            requester: Requester::AwaitingMeasurements(Box::new(Self {
                pending: Pending::new(
                    request.clone(),
                    RequestCode::GetMeasurements,
                    ResponseCode::Measurements,
                ),
                conn,
                queue,
                operation,
                nonce,
            })),
            request,
        })
    }
}

awaiting_state!(AwaitingMeasurements, conn);

impl Awaiting for AwaitingMeasurements {
    fn handle(
        self: Box<Self>,
        provider: &CryptoProvider,
        bytes: &[u8],
    ) -> Result<Next, RequesterError> {
        let Self {
            mut conn,
            pending,
            queue,
            operation,
            nonce,
        } = *self;
        let config = Arc::clone(&conn.base.config);
        let signed = nonce.is_some();
        let ctx = conn
            .negotiated
            .decode_context()
            .with_signature_requested(signed);
        let (response, len) = decode_expected(&pending, &config, bytes, &ctx)?;
        let m = expect_response!(response, Measurements);
        if m.blocks.len() > config.max_measurement_blocks {
            return Err(Misbehavior::Measurements("more blocks than our limit").into());
        }
        if operation == 0xFF {
            let mut seen = [false; 256];
            for b in &m.blocks {
                let Some(s) = seen.get_mut(usize::from(b.index)) else {
                    continue;
                };
                if *s {
                    return Err(Misbehavior::Measurements("index repeated").into());
                }
                *s = true;
            }
        } else if m.blocks.len() > 1 || m.blocks.iter().any(|b| b.index != operation) {
            return Err(Misbehavior::Measurements("block other than the index asked").into());
        }
        if signed
            && conn.version().at_least(SpdmVersion::V11)
            && m.slot_id != config.measurement_slot
        {
            return Err(Misbehavior::Slot {
                slot: m.slot_id,
                reason: "MEASUREMENTS signed by another slot",
            }
            .into());
        }
        if conn.version().at_least(SpdmVersion::V13)
            && m.requester_context != Some(config.measurements_context)
        {
            return Err(Misbehavior::RequesterContextMismatch.into());
        }
        let signed_len = if signed {
            m.signature_offset().min(len)
        } else {
            len
        };
        conn.transcript
            .on_request(RequestCode::GetMeasurements, conn.authenticated);
        conn.transcript.append_l(&pending.request)?;
        conn.transcript.append_l(exact(bytes, signed_len))?;
        if let (Some(requester_nonce), Some(signature)) = (nonce, m.signature) {
            let asym = conn
                .negotiated
                .asym
                .ok_or(Misbehavior::MissingCapability("an asymmetric algorithm"))?;
            let key = &conn
                .slot(config.measurement_slot)
                .ok_or(Misbehavior::Slot {
                    slot: config.measurement_slot,
                    reason: "no validated chain",
                })?
                .key;
            let l = conn.transcript.l1l2_hash();
            let record = conn.transcript.l1l2_record();
            verify_signature(
                provider,
                conn.version(),
                SigningContext::ResponderMeasurements,
                key,
                asym.alg,
                &l,
                signature,
            )?;
            conn.transcript.reset_l();
            conn.measurement_signatures.push(SignedMeasurements {
                slot: config.measurement_slot,
                requester_nonce,
                responder_nonce: m.nonce,
                signature: signature.to_vec(),
                transcript_hash: l.as_bytes().to_vec(),
                record,
            });
        }
        conn.measurements
            .extend(m.blocks.iter().map(MeasurementEvidence::from_block));
        AwaitingMeasurements::send(conn, provider, queue)
    }
}
