//! GET_MEASUREMENTS (DSP0274 1.3 §10.11): count, one index, all; raw bit streams or
//! digests; unsigned requests accumulate into L until a signed one closes it.

use vtrust_wire::Encode;

use crate::codec::{
    ContentChanged, GetMeasurements, MeasCap, MeasurementAttributes, Measurements, RequestCode,
    SpdmVersion,
};
use crate::measurements::RenderedBlock;
use crate::negotiated::MeasurementHash;
use crate::signing::{SigningContext, sign};

use super::state::Negotiated;
use super::{Rejection, Responder};

impl Responder {
    /// GET_MEASUREMENTS.
    pub(super) fn get_measurements(
        &mut self,
        s: &mut Negotiated,
        request: &[u8],
    ) -> Result<Vec<u8>, Rejection> {
        let meas_cap = self.config.flags.meas_cap();
        let (MeasCap::NoSignature | MeasCap::Signature) = meas_cap else {
            return Err(Rejection::unsupported(RequestCode::GetMeasurements.into()));
        };
        let req = GetMeasurements::decode(request)?;
        let v = req.version;
        let signed = req.signature_requested();
        if signed && meas_cap != MeasCap::Signature {
            return Err(Rejection::invalid());
        }
        let hash = match s.negotiated.measurement_hash {
            Some(MeasurementHash::Hash(h)) => Some(h),
            Some(MeasurementHash::RawBitStreamOnly) | None => None,
        };
        let raw = req
            .attributes
            .contains(MeasurementAttributes::RAW_BIT_STREAM_REQUESTED);
        let (total, blocks): (u8, Vec<RenderedBlock>) = match req.operation.0 {
            0x00 => (self.measurements.count(), Vec::new()),
            0xFF => (0, self.measurements.render_all(&self.provider, hash, raw)?),
            index => {
                let entry = self.measurements.get(index).ok_or(Rejection::invalid())?;
                (0, vec![entry.render(&self.provider, hash, raw)?])
            }
        };
        let slot_id = if signed { req.slot_id.unwrap_or(0) } else { 0 };
        let key = if signed {
            let asym = s.negotiated.asym.ok_or(Rejection::unspecified())?;
            let slot = self
                .identity
                .slots()
                .iter()
                .find(|sl| sl.slot_id == slot_id)
                .filter(|_| s.chains.iter().any(|c| c.slot_id == slot_id))
                .ok_or(Rejection::invalid())?;
            if slot.key.alg() != asym.alg {
                return Err(Rejection::invalid());
            }
            Some((slot.key.clone(), asym.signature_len))
        } else {
            None
        };
        let nonce = self
            .provider
            .random_array::<{ crate::codec::NONCE_LEN }>()
            .map_err(|_| Rejection::unspecified())?;
        let unsigned = Measurements {
            version: v,
            total_measurement_indices: total,
            slot_id: if v.at_least(SpdmVersion::V11) {
                slot_id
            } else {
                0
            },
            content_changed: if v.at_least(SpdmVersion::V12) && signed {
                ContentChanged::NotChanged
            } else {
                ContentChanged::NotSupported
            },
            blocks: blocks.iter().map(RenderedBlock::block).collect(),
            nonce,
            opaque_data: &[],
            requester_context: req.requester_context,
            signature: None,
        }
        .to_vec()?;
        let sig_len = key.as_ref().map_or(0, |(_, len)| *len);
        self.check_size(s, unsigned.len().saturating_add(sig_len))?;
        s.transcript
            .on_request(RequestCode::GetMeasurements, s.authenticated);
        s.transcript.append_l(request)?;
        s.transcript.append_l(&unsigned)?;
        let Some((key, sig_len)) = key else {
            return Ok(unsigned);
        };
        let hash = s.transcript.l1l2_hash();
        s.transcript.reset_l();
        let signature = sign(&key, v, SigningContext::ResponderMeasurements, &hash)?;
        if signature.len() != sig_len {
            return Err(Rejection::unspecified());
        }
        let mut response = unsigned;
        response.extend_from_slice(&signature);
        Ok(response)
    }
}
