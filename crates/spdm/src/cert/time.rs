//! [`Timestamp`]: a point in time in whole seconds since the Unix epoch (UTC).
//!
//! Certificate validity is judged against a time the caller supplies (this crate never reads
//! a clock): a device without a trusted clock passes its best estimate, a test passes a fixed
//! date.

use std::time::{Duration, SystemTime};

use der::DateTime;

/// Seconds since 1970-01-01T00:00:00Z, UTC, no leap seconds (RFC 5280 §4.1.2.5 times are UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(u64);

impl Timestamp {
    /// The timestamp `secs` seconds after the Unix epoch.
    #[must_use]
    pub const fn from_unix(secs: u64) -> Self {
        Self(secs)
    }

    /// Seconds since the Unix epoch.
    #[must_use]
    pub const fn unix(self) -> u64 {
        self.0
    }

    /// The timestamp of a DER `DateTime` (a certificate's UTCTime or GeneralizedTime).
    #[must_use]
    pub fn from_datetime(time: DateTime) -> Self {
        Self(time.unix_duration().as_secs())
    }

    /// The timestamp of a `SystemTime`, `None` before the epoch.
    #[must_use]
    pub fn from_system_time(time: SystemTime) -> Option<Self> {
        time.duration_since(SystemTime::UNIX_EPOCH)
            .ok()
            .map(|d| Self(d.as_secs()))
    }

    /// Parses `YYYY-MM-DDTHH:MM:SSZ` (RFC 3339, UTC, whole seconds).
    #[must_use]
    pub fn parse_rfc3339(text: &str) -> Option<Self> {
        text.parse::<DateTime>().ok().map(Self::from_datetime)
    }

    /// This timestamp as a DER `DateTime`, `None` past 9999-12-31T23:59:59Z.
    #[must_use]
    pub fn to_datetime(self) -> Option<DateTime> {
        DateTime::from_unix_duration(Duration::from_secs(self.0)).ok()
    }

    /// One second later (saturating).
    #[must_use]
    pub const fn next_second(self) -> Self {
        Self(self.0.saturating_add(1))
    }

    /// One second earlier (saturating).
    #[must_use]
    pub const fn previous_second(self) -> Self {
        Self(self.0.saturating_sub(1))
    }
}

impl std::fmt::Display for Timestamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.to_datetime() {
            Some(time) => write!(f, "{time}"),
            None => write!(f, "@{}", self.0),
        }
    }
}
