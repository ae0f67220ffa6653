//! The measurement record of MEASUREMENTS (DSP0274 1.1 §10.11): measurement blocks, and the
//! DMTF measurement format inside a block whose MeasurementSpecification is DMTF.
//!
//! Block: Index, MeasurementSpecification, MeasurementSize (u16), Measurement. DMTF format:
//! DMTFSpecMeasurementValueType (bit 7: raw bit stream, bits 6:0: type),
//! DMTFSpecMeasurementValueSize (u16), DMTFSpecMeasurementValue. A value that is not a raw bit
//! stream is a digest of the negotiated MeasurementHashAlgo size.

use vtrust_wire::{EncodeError, LengthPrefix, Reader, Writer, open_enum};

use super::algorithm::MeasurementSpecification;
use super::error::{CodecError, CodecErrorKind};

open_enum! {
    /// DSP0274 1.3 DMTFSpecMeasurementValueType bits 6:0 (the full list of
    /// 1.0-1.4; bit 7 is [`DmtfMeasurement::raw_bit_stream`]).
    pub enum DmtfMeasurementType: u8 {
        /// Immutable ROM (1.0).
        ImmutableRom = 0x00,
        /// Mutable firmware (1.0).
        MutableFirmware = 0x01,
        /// Hardware configuration, such as straps (1.0).
        HardwareConfiguration = 0x02,
        /// Firmware configuration, such as configurable firmware policy (1.0).
        FirmwareConfiguration = 0x03,
        /// Freeform measurement manifest (1.1).
        MeasurementManifest = 0x04,
        /// Structured representation of debug and device mode (1.2).
        DeviceMode = 0x05,
        /// Mutable firmware's version number (1.2).
        MutableFirmwareVersion = 0x06,
        /// Mutable firmware's security version number (1.2).
        MutableFirmwareSecurityVersionNumber = 0x07,
        /// Hash-extended measurement (1.3).
        HashExtendedMeasurement = 0x08,
        /// Informational (1.3).
        Informational = 0x09,
        /// Structured measurement manifest (1.3).
        StructuredMeasurementManifest = 0x0A,
    }
}

/// DMTFSpecMeasurementValueType bit 7: the value is a raw bit stream, not a digest.
const RAW_BIT_STREAM: u8 = 0x80;
/// Bytes of the DMTF measurement format before the value.
const DMTF_HEADER_LEN: usize = 3;

/// DSP0274 1.1 §10.11 DMTF measurement specification measurement field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DmtfMeasurement<'a> {
    /// DMTFSpecMeasurementValueType bit 7: the value is a raw bit stream (else a digest).
    pub raw_bit_stream: bool,
    /// DMTFSpecMeasurementValueType bits 6:0.
    pub value_type: DmtfMeasurementType,
    /// DMTFSpecMeasurementValue.
    pub value: &'a [u8],
}

/// The Measurement field of a block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Measurement<'a> {
    /// The DMTF format (MeasurementSpecification is exactly DMTF).
    Dmtf(DmtfMeasurement<'a>),
    /// Any other measurement specification: opaque bytes.
    Other(&'a [u8]),
}

/// DSP0274 1.1 §10.11 measurement block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MeasurementBlock<'a> {
    /// Index (1-0xFE; 0xFD manifest and 0xFE device mode by convention).
    pub index: u8,
    /// MeasurementSpecification.
    pub measurement_specification: MeasurementSpecification,
    /// Measurement; MeasurementSize is its length.
    pub measurement: Measurement<'a>,
}

impl<'a> MeasurementBlock<'a> {
    /// Reads one block; `measurement_hash_len` is the size every DMTF digest must have.
    pub(crate) fn decode(
        r: &mut Reader<'a>,
        measurement_hash_len: usize,
    ) -> Result<Self, CodecError> {
        let index = r.u8("Index")?;
        let measurement_specification =
            MeasurementSpecification::from_bits_retain(r.u8("MeasurementSpecification")?);
        let mut m = r.prefixed(
            "MeasurementSize",
            LengthPrefix::U16Le,
            usize::from(u16::MAX),
        )?;
        let measurement = if measurement_specification == MeasurementSpecification::DMTF {
            let value_type = m.u8("DMTFSpecMeasurementValueType")?;
            let declared = m.length("DMTFSpecMeasurementValueSize", LengthPrefix::U16Le)?;
            let expected = m.remaining();
            if declared != expected {
                return Err(CodecError::new(
                    "DMTFSpecMeasurementValueSize",
                    CodecErrorKind::LengthMismatch { declared, expected },
                ));
            }
            let raw_bit_stream = value_type & RAW_BIT_STREAM != 0;
            if !raw_bit_stream && declared != measurement_hash_len {
                return Err(CodecError::new(
                    "DMTFSpecMeasurementValue",
                    CodecErrorKind::LengthMismatch {
                        declared,
                        expected: measurement_hash_len,
                    },
                ));
            }
            Measurement::Dmtf(DmtfMeasurement {
                raw_bit_stream,
                value_type: DmtfMeasurementType::from(value_type & !RAW_BIT_STREAM),
                value: m.rest(),
            })
        } else {
            Measurement::Other(m.rest())
        };
        Ok(Self {
            index,
            measurement_specification,
            measurement,
        })
    }

    /// MeasurementSize: the length of the Measurement field.
    #[must_use]
    pub fn measurement_size(&self) -> usize {
        match self.measurement {
            Measurement::Dmtf(d) => d.value.len().saturating_add(DMTF_HEADER_LEN),
            Measurement::Other(bytes) => bytes.len(),
        }
    }

    /// Writes the block, refusing what [`MeasurementBlock::decode`] would read differently.
    pub(crate) fn encode(&self, w: &mut Writer) -> Result<(), EncodeError> {
        let is_dmtf = self.measurement_specification == MeasurementSpecification::DMTF;
        let size = u16::try_from(self.measurement_size())
            .map_err(|_| EncodeError::invalid_value("MeasurementSize"))?;
        match self.measurement {
            Measurement::Dmtf(d) => {
                let value_type = u8::from(d.value_type);
                if !is_dmtf || value_type & RAW_BIT_STREAM != 0 {
                    return Err(EncodeError::invalid_value("DMTFSpecMeasurementValueType"));
                }
                w.u8("Index", self.index)?;
                w.u8(
                    "MeasurementSpecification",
                    self.measurement_specification.bits(),
                )?;
                w.u16_le("MeasurementSize", size)?;
                let raw = if d.raw_bit_stream { RAW_BIT_STREAM } else { 0 };
                w.u8("DMTFSpecMeasurementValueType", value_type | raw)?;
                w.u16_len_le("DMTFSpecMeasurementValueSize", d.value.len())?;
                w.bytes("DMTFSpecMeasurementValue", d.value)
            }
            Measurement::Other(bytes) => {
                if is_dmtf {
                    return Err(EncodeError::invalid_value("MeasurementSpecification"));
                }
                w.u8("Index", self.index)?;
                w.u8(
                    "MeasurementSpecification",
                    self.measurement_specification.bits(),
                )?;
                w.u16_le("MeasurementSize", size)?;
                w.bytes("Measurement", bytes)
            }
        }
    }
}

/// Reads a measurement record of `count` blocks.
pub(crate) fn decode_record<'a>(
    mut record: Reader<'a>,
    count: u8,
    measurement_hash_len: usize,
) -> Result<Vec<MeasurementBlock<'a>>, CodecError> {
    let declared = usize::from(count);
    let mut blocks = Vec::new();
    while !record.is_empty() {
        if blocks.len() == declared {
            return Err(CodecError::new(
                "NumberOfBlocks",
                CodecErrorKind::CountMismatch {
                    declared,
                    found: declared.saturating_add(1),
                },
            ));
        }
        blocks.push(MeasurementBlock::decode(&mut record, measurement_hash_len)?);
    }
    if blocks.len() != declared {
        return Err(CodecError::new(
            "NumberOfBlocks",
            CodecErrorKind::CountMismatch {
                declared,
                found: blocks.len(),
            },
        ));
    }
    Ok(blocks)
}
