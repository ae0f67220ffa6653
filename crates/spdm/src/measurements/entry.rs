//! One measurement of the store and its rendering as a DMTF measurement block.

use vtrust_crypto::CryptoProvider;
use vtrust_crypto::hash::HashAlg;

use crate::codec::{
    DmtfMeasurement, DmtfMeasurementType, Measurement, MeasurementBlock, MeasurementSpecification,
};

use super::error::MeasurementError;

/// The value of a measurement and how it is represented on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MeasurementValue {
    /// Data that is measured: reported as its digest with the negotiated MeasurementHashAlgo,
    /// or as the data itself (a raw bit stream) when the requester asks for raw bit streams
    /// (GET_MEASUREMENTS Param1 bit 1, 1.2+) or MeasurementHashAlgo is RAW_BIT_STREAM_ONLY.
    DigestOf(Vec<u8>),
    /// A precomputed digest, reported as is (DMTFSpecMeasurementValueType bit 7 clear). Its
    /// length must be the negotiated MeasurementHashAlgo's; it cannot be shown as a raw bit
    /// stream, so a RAW_BIT_STREAM_ONLY connection omits nothing but refuses it
    /// ([`MeasurementError::DigestSizeMismatch`]).
    Digest(Vec<u8>),
    /// A raw bit stream, always reported as is (bit 7 set).
    Raw(Vec<u8>),
}

impl MeasurementValue {
    /// The stored bytes (data, digest or raw bit stream).
    #[must_use]
    pub fn bytes(&self) -> &[u8] {
        match self {
            Self::DigestOf(b) | Self::Digest(b) | Self::Raw(b) => b,
        }
    }
}

/// One measurement: DSP0274 measurement block Index, DMTFSpecMeasurementValueType bits 6:0,
/// the value, and whether it belongs to the TCB (MeasurementSummaryHashType 1).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MeasurementEntry {
    /// Index, 1 to 0xFE (0 and 0xFF are the count and "all" operations).
    pub index: u8,
    /// DMTFSpecMeasurementValueType bits 6:0.
    pub value_type: DmtfMeasurementType,
    /// The value.
    pub value: MeasurementValue,
    /// Part of the TCB: included in a TCB-component MeasurementSummaryHash.
    pub tcb: bool,
}

impl MeasurementEntry {
    /// An entry; `tcb` defaults to `value_type == ImmutableRom` (libspdm's rule).
    #[must_use]
    pub fn new(index: u8, value_type: DmtfMeasurementType, value: MeasurementValue) -> Self {
        Self {
            index,
            value_type,
            tcb: value_type == DmtfMeasurementType::ImmutableRom,
            value,
        }
    }

    /// With [`MeasurementEntry::tcb`] set to `tcb`.
    #[must_use]
    pub fn with_tcb(mut self, tcb: bool) -> Self {
        self.tcb = tcb;
        self
    }

    /// The block as it goes on the wire for `hash` (`None`: RAW_BIT_STREAM_ONLY) and the
    /// requester's raw-bit-stream wish.
    ///
    /// # Errors
    /// [`MeasurementError::DigestSizeMismatch`] for a precomputed digest of another size.
    pub fn render(
        &self,
        provider: &CryptoProvider,
        hash: Option<HashAlg>,
        raw_requested: bool,
    ) -> Result<RenderedBlock, MeasurementError> {
        let (raw_bit_stream, value) = match (&self.value, hash) {
            (MeasurementValue::Raw(b), _) => (true, b.clone()),
            (MeasurementValue::DigestOf(data), Some(alg)) if !raw_requested => {
                (false, provider.digest(alg, data).as_bytes().to_vec())
            }
            (MeasurementValue::DigestOf(data), _) => (true, data.clone()),
            (MeasurementValue::Digest(d), Some(alg)) if d.len() == alg.output_len() => {
                (false, d.clone())
            }
            (MeasurementValue::Digest(d), alg) => {
                return Err(MeasurementError::DigestSizeMismatch {
                    index: self.index,
                    len: d.len(),
                    expected: alg.map_or(0, HashAlg::output_len),
                });
            }
        };
        Ok(RenderedBlock {
            index: self.index,
            value_type: self.value_type,
            raw_bit_stream,
            value,
        })
    }
}

/// A measurement block ready for MEASUREMENTS (owned; [`RenderedBlock::block`] borrows it in
/// the codec's form).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RenderedBlock {
    /// Index.
    pub index: u8,
    /// DMTFSpecMeasurementValueType bits 6:0.
    pub value_type: DmtfMeasurementType,
    /// DMTFSpecMeasurementValueType bit 7.
    pub raw_bit_stream: bool,
    /// DMTFSpecMeasurementValue.
    pub value: Vec<u8>,
}

impl RenderedBlock {
    /// The codec's view of the block (MeasurementSpecification DMTF).
    #[must_use]
    pub fn block(&self) -> MeasurementBlock<'_> {
        MeasurementBlock {
            index: self.index,
            measurement_specification: MeasurementSpecification::DMTF,
            measurement: Measurement::Dmtf(DmtfMeasurement {
                raw_bit_stream: self.raw_bit_stream,
                value_type: self.value_type,
                value: &self.value,
            }),
        }
    }

    /// The block's wire bytes: Index, MeasurementSpecification, MeasurementSize,
    /// DMTFSpecMeasurementValueType, DMTFSpecMeasurementValueSize, value (what
    /// MeasurementSummaryHash concatenates).
    ///
    /// # Errors
    /// [`MeasurementError::ValueTooLarge`] if the value does not fit the u16 sizes.
    pub fn to_bytes(&self) -> Result<Vec<u8>, MeasurementError> {
        let too_large = || MeasurementError::ValueTooLarge {
            index: self.index,
            len: self.value.len(),
        };
        let value_size = u16::try_from(self.value.len()).map_err(|_| too_large())?;
        let measurement_size = value_size.checked_add(3).ok_or_else(too_large)?;
        let mut out = Vec::with_capacity(self.value.len().saturating_add(7));
        out.push(self.index);
        out.push(MeasurementSpecification::DMTF.bits());
        out.extend_from_slice(&measurement_size.to_le_bytes());
        let raw = if self.raw_bit_stream { 0x80 } else { 0 };
        out.push(u8::from(self.value_type) | raw);
        out.extend_from_slice(&value_size.to_le_bytes());
        out.extend_from_slice(&self.value);
        Ok(out)
    }
}
