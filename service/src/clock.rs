//! The only source of "now" in Patio. Domain code takes time from a [`Clock`] so that expiry
//! rules (15 days, 4 hours, 30 minutes) are testable without waiting and the sandbox can run
//! on a virtual clock.

use std::sync::{Arc, Mutex};
use time::{Duration, OffsetDateTime};

pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> OffsetDateTime;
}

pub type SharedClock = Arc<dyn Clock>;

/// Wall-clock time.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// A clock that only moves when told to: tests and the training sandbox.
pub struct ManualClock(Mutex<OffsetDateTime>);

impl ManualClock {
    pub fn new(start: OffsetDateTime) -> Arc<Self> {
        Arc::new(Self(Mutex::new(start)))
    }
    pub fn advance(&self, by: Duration) {
        let mut now = self.0.lock().expect("clock lock");
        *now += by;
    }
    pub fn set(&self, to: OffsetDateTime) {
        *self.0.lock().expect("clock lock") = to;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().expect("clock lock")
    }
}

/// Timestamps are stored as Unix milliseconds (BIGINT): portable between SQLite and
/// PostgreSQL and always bound from our clock, never from the database's `now()`.
pub fn to_millis(t: OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

pub fn from_millis(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// RFC 3339 in UTC with a `Z`, as Tableau's JSON APIs write times.
pub fn rfc3339(t: OffsetDateTime) -> String {
    let t = t
        .to_offset(time::UtcOffset::UTC)
        .replace_nanosecond(0)
        .unwrap_or(t);
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn manual_clock_moves_only_when_told() {
        let c = ManualClock::new(datetime!(2026-01-01 00:00 UTC));
        assert_eq!(c.now(), datetime!(2026-01-01 00:00 UTC));
        c.advance(Duration::minutes(30));
        assert_eq!(c.now(), datetime!(2026-01-01 00:30 UTC));
    }

    #[test]
    fn millis_round_trip_and_rfc3339() {
        let t = datetime!(2026-09-17 16:00:00.123 UTC);
        assert_eq!(from_millis(to_millis(t)), t);
        assert_eq!(rfc3339(t), "2026-09-17T16:00:00Z");
    }
}

/// `2024-02-05` for tables.
pub fn display_date(ms: i64) -> String {
    let d = from_millis(ms).date();
    format!("{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day())
}

/// `2024-02-05 09:30:12 UTC` for tables (formatted on the server, so hydration matches).
pub fn display_datetime(ms: i64) -> String {
    let t = from_millis(ms);
    format!(
        "{} {:02}:{:02}:{:02} UTC",
        display_date(ms),
        t.hour(),
        t.minute(),
        t.second()
    )
}
