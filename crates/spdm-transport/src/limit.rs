//! `PayloadLimit`: our own maximum for a platform payload, checked before anything is
//! allocated for it.
//!
//! spdm-emu accepts at most `0x1200 + 128` = 4736 bytes (`LIBSPDM_MAX_SENDER_RECEIVER_BUFFER_SIZE`
//! with DataTransferSize 0x1200 plus room for the transport and secured-message overhead);
//! with ML-DSA it runs with MaxSPDMmsgSize 0x8000, and a peer that sends whole large messages
//! (no CHUNK) needs a limit of that size plus the same overhead.

/// The largest payload we accept or send in one platform frame. The peer's `payload_size` is
/// checked against it before a buffer is allocated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PayloadLimit(usize);

impl PayloadLimit {
    /// Bytes allowed on top of an SPDM message for the transport header, a secured-message
    /// record (session ID, sequence number, length, application length, random padding, MAC)
    /// and DOE padding; spdm-emu's 128.
    pub const TRANSPORT_OVERHEAD: usize = 128;

    /// The highest limit this crate allows: 1 MiB, the largest PCIe DOE data object (2^18
    /// dwords). A limit bounds the one allocation per received frame.
    pub const CEILING: usize = 0x10_0000;

    /// spdm-emu's limit, `0x1200 + 128` = 4736 bytes (DataTransferSize 0x1200). The default.
    pub const SPDM_EMU: Self = Self(0x1200 + Self::TRANSPORT_OVERHEAD);

    /// For MaxSPDMmsgSize 0x8000 (spdm-emu with ML-DSA) sent without CHUNK: 0x8000 + 128.
    pub const LARGE: Self = Self(0x8000 + Self::TRANSPORT_OVERHEAD);

    /// A limit of `max` bytes; `None` above [`CEILING`](Self::CEILING).
    #[must_use]
    pub const fn new(max: usize) -> Option<Self> {
        if max <= Self::CEILING {
            Some(Self(max))
        } else {
            None
        }
    }

    /// The limit for transport messages carrying SPDM messages of up to `max_spdm_msg_size`
    /// bytes (the SPDM `MaxSPDMmsgSize`, or `DataTransferSize` when CHUNK is used):
    /// that plus [`TRANSPORT_OVERHEAD`](Self::TRANSPORT_OVERHEAD). `None` if the sum is above
    /// [`CEILING`](Self::CEILING).
    #[must_use]
    pub const fn for_spdm_message_size(max_spdm_msg_size: usize) -> Option<Self> {
        match max_spdm_msg_size.checked_add(Self::TRANSPORT_OVERHEAD) {
            Some(max) => Self::new(max),
            None => None,
        }
    }

    /// The limit in bytes.
    #[must_use]
    pub const fn get(self) -> usize {
        self.0
    }
}

impl Default for PayloadLimit {
    /// [`PayloadLimit::SPDM_EMU`].
    fn default() -> Self {
        Self::SPDM_EMU
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spdm_emu_values() {
        assert_eq!(PayloadLimit::default().get(), 4736);
        assert_eq!(PayloadLimit::LARGE.get(), 0x8080);
        assert_eq!(
            PayloadLimit::for_spdm_message_size(0x1200),
            Some(PayloadLimit::SPDM_EMU)
        );
        assert_eq!(
            PayloadLimit::for_spdm_message_size(0x8000),
            Some(PayloadLimit::LARGE)
        );
    }

    #[test]
    fn refuses_limit_above_ceiling() {
        assert_eq!(
            PayloadLimit::new(PayloadLimit::CEILING).map(PayloadLimit::get),
            Some(0x10_0000)
        );
        assert_eq!(PayloadLimit::new(PayloadLimit::CEILING + 1), None);
        assert_eq!(PayloadLimit::for_spdm_message_size(usize::MAX), None);
        assert_eq!(
            PayloadLimit::for_spdm_message_size(PayloadLimit::CEILING),
            None
        );
    }
}
