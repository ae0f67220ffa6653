//! GET_DIGESTS, GET_CERTIFICATE, CHALLENGE and RESPOND_IF_READY (DSP0274 1.3 §10.6-§10.9,
//! §10.13).

use vtrust_wire::Encode;

use crate::codec::{
    CertModel, Certificate, Challenge, ChallengeAuth, Digests, ErrorCode, ExtendedErrorData,
    GetCertificate, GetDigests, MeasurementSummaryHashType, RequestCode, RespondIfReady,
    ResponderCapabilityFlags, SlotMask, SpdmVersion,
};
use crate::negotiated::MeasurementHash;
use crate::signing::{SigningContext, sign};

use super::state::{Negotiated, SlotChain};
use super::{Pending, Rejection, Responder, error_bytes};

/// Bytes of CERTIFICATE before CertChain: header, PortionLength, RemainderLength (1.4
/// LargeCertChain: also LargePortionLength and LargeRemainderLength).
const CERTIFICATE_HEADER_LEN: usize = 8;
const LARGE_CERTIFICATE_HEADER_LEN: usize = 16;

fn slot_mask(chains: &[SlotChain]) -> SlotMask {
    SlotMask(chains.iter().fold(0u8, |m, c| {
        m | 1u8.checked_shl(u32::from(c.slot_id)).unwrap_or(0)
    }))
}

impl Responder {
    fn require(&self, flag: ResponderCapabilityFlags, code: RequestCode) -> Result<(), Rejection> {
        if self.config.flags.contains(flag) {
            Ok(())
        } else {
            Err(Rejection::unsupported(code.into()))
        }
    }

    /// GET_DIGESTS.
    pub(super) fn get_digests(
        &mut self,
        s: &mut Negotiated,
        request: &[u8],
    ) -> Result<Vec<u8>, Rejection> {
        self.require(ResponderCapabilityFlags::CERT_CAP, RequestCode::GetDigests)?;
        let req = GetDigests::decode(request)?;
        let v = req.version;
        let mask = slot_mask(&s.chains);
        let response = Digests {
            version: v,
            supported_slot_mask: if v.at_least(SpdmVersion::V13) {
                mask
            } else {
                SlotMask(0)
            },
            provisioned_slot_mask: mask,
            digests: s.chains.iter().map(|c| c.digest.as_bytes()).collect(),
            multi_key: None,
        }
        .to_vec()?;
        self.check_size(s, response.len())?;
        s.transcript
            .on_request(RequestCode::GetDigests, s.authenticated);
        s.transcript.append_b(request)?;
        s.transcript.append_b(&response)?;
        Ok(response)
    }

    /// GET_CERTIFICATE: a portion bounded by the request's Length, the rest of the chain
    /// and the requester's DataTransferSize.
    pub(super) fn get_certificate(
        &mut self,
        s: &mut Negotiated,
        request: &[u8],
    ) -> Result<Vec<u8>, Rejection> {
        self.require(
            ResponderCapabilityFlags::CERT_CAP,
            RequestCode::GetCertificate,
        )?;
        let req = GetCertificate::decode(request)?;
        let slot = s
            .chains
            .iter()
            .find(|c| c.slot_id == req.slot_id)
            .ok_or(Rejection::invalid())?;
        let chain = slot.chain.as_slice();
        let (portion, remainder) = if req.slot_size_requested {
            (&[][..], chain.len())
        } else {
            let offset = usize::try_from(req.offset).map_err(|_| Rejection::invalid())?;
            let rest = chain
                .get(offset..)
                .filter(|r| !r.is_empty())
                .ok_or(Rejection::invalid())?;
            if req.length == 0 {
                return Err(Rejection::invalid());
            }
            let header = if req.large_cert_chain {
                LARGE_CERTIFICATE_HEADER_LEN
            } else {
                CERTIFICATE_HEADER_LEN
            };
            let max = usize::try_from(self.max_response(s))
                .unwrap_or(usize::MAX)
                .saturating_sub(header);
            let len = usize::try_from(req.length)
                .unwrap_or(usize::MAX)
                .min(max)
                .min(rest.len())
                .min(if req.large_cert_chain {
                    usize::MAX
                } else {
                    0xFFFF
                });
            let portion = rest.get(..len).ok_or(Rejection::invalid())?;
            (portion, rest.len().saturating_sub(len))
        };
        let response = Certificate {
            version: req.version,
            slot_id: req.slot_id,
            large_cert_chain: req.large_cert_chain,
            cert_model: CertModel::NoCertificate,
            remainder_length: u32::try_from(remainder).map_err(|_| Rejection::invalid())?,
            cert_chain: portion,
        }
        .to_vec()
        .map_err(|_| Rejection::invalid())?;
        self.check_size(s, response.len())?;
        s.transcript
            .on_request(RequestCode::GetCertificate, s.authenticated);
        s.transcript.append_b(request)?;
        s.transcript.append_b(&response)?;
        Ok(response)
    }

    /// CHALLENGE (`may_defer`: the not-ready test knob may answer ResponseNotReady).
    pub(super) fn challenge(
        &mut self,
        s: &mut Negotiated,
        request: &[u8],
        may_defer: bool,
    ) -> Result<Vec<u8>, Rejection> {
        self.require(ResponderCapabilityFlags::CHAL_CAP, RequestCode::Challenge)?;
        let req = Challenge::decode(request)?;
        let v = req.version;
        let chain = s
            .chains
            .iter()
            .find(|c| c.slot_id == req.slot_id)
            .ok_or(Rejection::invalid())?;
        let slot = self
            .identity
            .slots()
            .iter()
            .find(|sl| sl.slot_id == req.slot_id)
            .ok_or(Rejection::invalid())?;
        let asym = s.negotiated.asym.ok_or(Rejection::unspecified())?;
        if slot.key.alg() != asym.alg {
            return Err(Rejection::invalid());
        }
        let tcb_only = match req.measurement_summary_hash_type {
            MeasurementSummaryHashType::NoMeasurementSummaryHash => None,
            MeasurementSummaryHashType::TcbComponentMeasurementHash => Some(true),
            MeasurementSummaryHashType::AllMeasurementsHash => Some(false),
            _ => return Err(Rejection::invalid()),
        };
        let measurement_hash = match (tcb_only, s.negotiated.measurement_hash) {
            (None, _) => None,
            (Some(_), None) => return Err(Rejection::invalid()),
            (Some(tcb), Some(m)) => {
                let h = match m {
                    MeasurementHash::Hash(h) => Some(h),
                    MeasurementHash::RawBitStreamOnly => None,
                };
                Some(self.measurements.summary_hash(
                    &self.provider,
                    s.negotiated.base_hash,
                    h,
                    tcb,
                )?)
            }
        };
        if may_defer && self.config.not_ready_first_challenge && !self.not_ready_used {
            self.not_ready_used = true;
            let token = self.next_token;
            self.next_token = self.next_token.wrapping_add(1);
            s.pending = Some(Pending {
                code: RequestCode::Challenge,
                token,
                request: request.to_vec(),
            });
            let err = error_bytes(
                v,
                Rejection::new(ErrorCode::ResponseNotReady),
                Some(ExtendedErrorData::ResponseNotReady {
                    rdt_exponent: self.config.rdt_exponent,
                    request_code: RequestCode::Challenge,
                    token,
                    rdtm: 1,
                }),
            );
            return Ok(err);
        }
        let nonce = self
            .provider
            .random_array::<{ crate::codec::NONCE_LEN }>()
            .map_err(|_| Rejection::unspecified())?;
        let unsigned = ChallengeAuth {
            version: v,
            slot_id: req.slot_id,
            basic_mut_auth_req: false,
            slot_mask: slot_mask(&s.chains),
            cert_chain_hash: chain.digest.as_bytes(),
            nonce,
            measurement_summary_hash: measurement_hash.as_ref().map(|d| d.as_bytes()),
            opaque_data: &[],
            requester_context: req.requester_context,
            signature: &[],
        }
        .to_vec()?;
        self.check_size(s, unsigned.len().saturating_add(asym.signature_len))?;
        s.transcript
            .on_request(RequestCode::Challenge, s.authenticated);
        s.transcript.append_c(request)?;
        s.transcript.append_c(&unsigned)?;
        let hash = s.transcript.m1m2_hash();
        let signature = sign(&slot.key, v, SigningContext::ResponderChallengeAuth, &hash);
        s.transcript.reset_m();
        let signature = signature?;
        if signature.len() != asym.signature_len {
            return Err(Rejection::unspecified());
        }
        s.authenticated = true;
        let mut response = unsigned;
        response.extend_from_slice(&signature);
        Ok(response)
    }

    /// RESPOND_IF_READY: only for the request we answered with ResponseNotReady.
    pub(super) fn respond_if_ready(
        &mut self,
        s: &mut Negotiated,
        request: &[u8],
    ) -> Result<Vec<u8>, Rejection> {
        let req = RespondIfReady::decode(request)?;
        let pending = s.pending.take().ok_or(Rejection::unexpected())?;
        if req.request_code != pending.code || req.token != pending.token {
            s.pending = Some(pending);
            return Err(Rejection::invalid());
        }
        match pending.code {
            RequestCode::Challenge => self.challenge(s, &pending.request, false),
            _ => Err(Rejection::unexpected()),
        }
    }
}
