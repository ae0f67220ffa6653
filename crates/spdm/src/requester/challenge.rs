//! CHALLENGE / CHALLENGE_AUTH (DSP0274 1.2 §10.8): the M1/M2 signature.

use super::*;

/// CHALLENGE sent; CHALLENGE_AUTH expected.
#[derive(Debug)]
pub struct AwaitingChallengeAuth {
    pub(super) conn: Conn,
    pub(super) pending: Pending,
    pub(super) slot: u8,
    pub(super) nonce: [u8; 32],
    pub(super) summary: MeasurementSummaryHashType,
}

impl AwaitingChallengeAuth {
    pub(super) fn send(
        conn: Conn,
        provider: &CryptoProvider,
        slot: u8,
    ) -> Result<Next, RequesterError> {
        let config = &conn.base.config;
        let version = conn.version();
        let nonce = provider.random_array::<32>()?;
        let summary = if conn.negotiated.measurement_hash.is_some() {
            config.measurement_summary_hash
        } else {
            MeasurementSummaryHashType::NoMeasurementSummaryHash
        };
        let request = Challenge {
            version,
            slot_id: slot,
            measurement_summary_hash_type: summary,
            nonce,
            requester_context: version
                .at_least(SpdmVersion::V13)
                .then_some(config.challenge_context),
        }
        .to_vec()?;
        Ok(Next::Send {
            requester: Requester::AwaitingChallengeAuth(Box::new(Self {
                pending: Pending::new(
                    request.clone(),
                    RequestCode::Challenge,
                    ResponseCode::ChallengeAuth,
                ),
                conn,
                slot,
                nonce,
                summary,
            })),
            request,
        })
    }
}

awaiting_state!(AwaitingChallengeAuth, conn);

impl Awaiting for AwaitingChallengeAuth {
    fn handle(
        self: Box<Self>,
        provider: &CryptoProvider,
        bytes: &[u8],
    ) -> Result<Next, RequesterError> {
        let Self {
            mut conn,
            pending,
            slot,
            nonce,
            summary,
        } = *self;
        let config = Arc::clone(&conn.base.config);
        let ctx = conn
            .negotiated
            .decode_context()
            .with_measurement_summary_hash(
                summary != MeasurementSummaryHashType::NoMeasurementSummaryHash,
            );
        let (response, len) = decode_expected(&pending, &config, bytes, &ctx)?;
        let auth = expect_response!(response, ChallengeAuth);
        if auth.slot_id != slot {
            return Err(Misbehavior::Slot {
                slot: auth.slot_id,
                reason: "CHALLENGE_AUTH for another slot",
            }
            .into());
        }
        if !auth.slot_mask.contains(slot) {
            return Err(Misbehavior::Slot {
                slot,
                reason: "not in CHALLENGE_AUTH SlotMask",
            }
            .into());
        }
        if auth.basic_mut_auth_req {
            return Err(Misbehavior::UnexpectedMutualAuth.into());
        }
        let valid = conn.slot(slot).ok_or(Misbehavior::Slot {
            slot,
            reason: "no validated chain",
        })?;
        let key = valid.key.clone();
        if auth.cert_chain_hash != valid.evidence.digest.as_slice() {
            return Err(Misbehavior::CertChainHashMismatch.into());
        }
        if conn.version().at_least(SpdmVersion::V13)
            && auth.requester_context != Some(config.challenge_context)
        {
            return Err(Misbehavior::RequesterContextMismatch.into());
        }
        let asym = conn
            .negotiated
            .asym
            .ok_or(Misbehavior::MissingCapability("an asymmetric algorithm"))?;
        let signed_len = auth.signature_offset();
        conn.transcript
            .on_request(RequestCode::Challenge, conn.authenticated);
        conn.transcript.append_c(&pending.request)?;
        conn.transcript
            .append_c(exact(bytes, signed_len.min(len)))?;
        let m2 = conn.transcript.m1m2_hash();
        let record = conn.transcript.m1m2_record();
        let result = verify_signature(
            provider,
            conn.version(),
            SigningContext::ResponderChallengeAuth,
            &key,
            asym.alg,
            &m2,
            auth.signature,
        );
        conn.transcript.reset_m();
        result?;
        conn.authenticated = true;
        conn.challenges.push(ChallengeEvidence {
            slot,
            measurement_summary_hash_type: summary,
            requester_nonce: nonce,
            responder_nonce: auth.nonce,
            measurement_summary_hash: auth.measurement_summary_hash.map(<[u8]>::to_vec),
            opaque_data: auth.opaque_data.to_vec(),
            signature: auth.signature.to_vec(),
            transcript_hash: m2.as_bytes().to_vec(),
            record,
        });
        conn.next_step(provider)
    }
}
