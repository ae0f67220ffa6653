//! [`MeasurementStore`]: the validated set of measurements a responder reports.

use vtrust_crypto::CryptoProvider;
use vtrust_crypto::hash::{Digest, HashAlg};

use crate::codec::DmtfMeasurementType;

use super::entry::{MeasurementEntry, MeasurementValue, RenderedBlock};
use super::error::MeasurementError;

/// Our limit on the number of measurements (indices 1-0xFE: at most 254).
pub const MAX_MEASUREMENT_ENTRIES: usize = 254;

/// Our limit on one stored value (data, digest or raw bit stream): it must fit the block's
/// u16 DMTFSpecMeasurementValueSize with room for the 3-byte DMTF header.
pub const MAX_MEASUREMENT_VALUE_LEN: usize = 0x1000;

/// libspdm's sample: bytes of data behind each of the measurements 1-4.
const LIBSPDM_RAW_DATA_SIZE: usize = 72;

/// libspdm's sample device mode (DSP0274 1.2 device mode field: OperationalModeCapabilities
/// 0x3F, OperationalModeState 0x04 normal, DeviceModeCapabilities 0x1F, DeviceModeState 0x11).
const LIBSPDM_DEVICE_MODE: [u8; 16] = [0x3f, 0, 0, 0, 0x04, 0, 0, 0, 0x1f, 0, 0, 0, 0x11, 0, 0, 0];

/// A responder's measurements: at most [`MAX_MEASUREMENT_ENTRIES`], indices 1-0xFE, each once,
/// kept in ascending index order (the order of an "all measurements" record).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct MeasurementStore {
    entries: Vec<MeasurementEntry>,
}

impl MeasurementStore {
    /// A store of `entries` (any order).
    ///
    /// # Errors
    /// [`MeasurementError::ReservedIndex`], [`MeasurementError::DuplicateIndex`],
    /// [`MeasurementError::TooManyEntries`], [`MeasurementError::BadValueSize`].
    pub fn new(entries: Vec<MeasurementEntry>) -> Result<Self, MeasurementError> {
        let lines = vec![0; entries.len()];
        Self::with_lines(entries, &lines)
    }

    /// [`Self::new`] with the source line of each entry, for errors.
    pub(crate) fn with_lines(
        entries: Vec<MeasurementEntry>,
        lines: &[usize],
    ) -> Result<Self, MeasurementError> {
        if entries.len() > MAX_MEASUREMENT_ENTRIES {
            return Err(MeasurementError::TooManyEntries {
                count: entries.len(),
                max: MAX_MEASUREMENT_ENTRIES,
            });
        }
        let mut seen = [false; 256];
        for (i, e) in entries.iter().enumerate() {
            let line = lines.get(i).copied().unwrap_or(0);
            if e.index == 0 || e.index == 0xFF {
                return Err(MeasurementError::ReservedIndex {
                    index: e.index,
                    line,
                });
            }
            let len = e.value.bytes().len();
            if len == 0 || len > MAX_MEASUREMENT_VALUE_LEN {
                return Err(MeasurementError::BadValueSize {
                    index: e.index,
                    len,
                    line,
                });
            }
            if u8::from(e.value_type) > 0x7F {
                return Err(MeasurementError::BadType {
                    value_type: u64::from(u8::from(e.value_type)),
                    line,
                });
            }
            match seen.get_mut(usize::from(e.index)) {
                Some(slot) if !*slot => *slot = true,
                _ => {
                    return Err(MeasurementError::DuplicateIndex {
                        index: e.index,
                        line,
                    });
                }
            }
        }
        let mut entries = entries;
        entries.sort_by_key(|e| e.index);
        Ok(Self { entries })
    }

    /// libspdm's emulator set without its MEL-dependent hash-extended measurement (0x11):
    /// indices 1-4 = digests of 72 bytes of the index value, types 0-3 (immutable ROM,
    /// mutable firmware, hardware configuration, firmware configuration); 0x10 = SVN 7 (raw
    /// u64, type 7); 0xFD = 128-byte manifest of 0xFD (raw, type 4); 0xFE = device mode
    /// (raw, type 5).
    #[must_use]
    pub fn libspdm_like() -> Self {
        let mut entries: Vec<MeasurementEntry> = [
            DmtfMeasurementType::ImmutableRom,
            DmtfMeasurementType::MutableFirmware,
            DmtfMeasurementType::HardwareConfiguration,
            DmtfMeasurementType::FirmwareConfiguration,
        ]
        .into_iter()
        .zip(1u8..)
        .map(|(t, i)| {
            MeasurementEntry::new(
                i,
                t,
                MeasurementValue::DigestOf(vec![i; LIBSPDM_RAW_DATA_SIZE]),
            )
        })
        .collect();
        entries.push(MeasurementEntry::new(
            0x10,
            DmtfMeasurementType::MutableFirmwareSecurityVersionNumber,
            MeasurementValue::Raw(7u64.to_le_bytes().to_vec()),
        ));
        entries.push(MeasurementEntry::new(
            0xFD,
            DmtfMeasurementType::MeasurementManifest,
            MeasurementValue::Raw(vec![0xFD; 128]),
        ));
        entries.push(MeasurementEntry::new(
            0xFE,
            DmtfMeasurementType::DeviceMode,
            MeasurementValue::Raw(LIBSPDM_DEVICE_MODE.to_vec()),
        ));
        Self { entries }
    }

    /// The built-in default set: [`Self::libspdm_like`] plus index 5, this responder's
    /// version string as a raw bit stream (type 6, mutable firmware version).
    #[must_use]
    pub fn default_set() -> Self {
        let mut store = Self::libspdm_like();
        let version = concat!("vtrust-spdm ", env!("CARGO_PKG_VERSION"));
        store.entries.push(MeasurementEntry::new(
            5,
            DmtfMeasurementType::MutableFirmwareVersion,
            MeasurementValue::Raw(version.as_bytes().to_vec()),
        ));
        store.entries.sort_by_key(|e| e.index);
        store
    }

    /// The entries, ascending by index.
    #[must_use]
    pub fn entries(&self) -> &[MeasurementEntry] {
        &self.entries
    }

    /// Number of entries (TotalNumberOfMeasurementIndices); at most 254 so it fits a u8.
    #[must_use]
    pub fn count(&self) -> u8 {
        u8::try_from(self.entries.len()).unwrap_or(u8::MAX)
    }

    /// The entry with `index`.
    #[must_use]
    pub fn get(&self, index: u8) -> Option<&MeasurementEntry> {
        self.entries.iter().find(|e| e.index == index)
    }

    /// Every entry rendered for `hash` (`None`: RAW_BIT_STREAM_ONLY).
    ///
    /// # Errors
    /// As [`MeasurementEntry::render`].
    pub fn render_all(
        &self,
        provider: &CryptoProvider,
        hash: Option<HashAlg>,
        raw_requested: bool,
    ) -> Result<Vec<RenderedBlock>, MeasurementError> {
        self.entries
            .iter()
            .map(|e| e.render(provider, hash, raw_requested))
            .collect()
    }

    /// Checks that every entry renders for `hash`, so a connection that negotiated it
    /// never fails half-way.
    ///
    /// # Errors
    /// As [`MeasurementEntry::render`].
    pub fn check_renders(
        &self,
        provider: &CryptoProvider,
        hash: Option<HashAlg>,
    ) -> Result<(), MeasurementError> {
        self.render_all(provider, hash, false).map(|_| ())
    }

    /// DSP0274 1.2 §10.9 MeasurementSummaryHash: `base_hash` over the concatenated
    /// measurement blocks (as GET_MEASUREMENTS would return them without the raw-bit-stream
    /// request): all of them, or (`tcb_only`) those marked [`MeasurementEntry::tcb`].
    ///
    /// # Errors
    /// As [`MeasurementEntry::render`] and [`RenderedBlock::to_bytes`].
    pub fn summary_hash(
        &self,
        provider: &CryptoProvider,
        base_hash: HashAlg,
        measurement_hash: Option<HashAlg>,
        tcb_only: bool,
    ) -> Result<Digest, MeasurementError> {
        let mut hasher = provider.hasher(base_hash);
        for e in self.entries.iter().filter(|e| e.tcb || !tcb_only) {
            hasher.update(&e.render(provider, measurement_hash, false)?.to_bytes()?);
        }
        Ok(hasher.finish())
    }
}
