//! Failed-attempt throttling, per account and per source address. Counts failures in a sliding
//! window on the injectable clock; in memory, because a restart losing the counters is harmless
//! and a database write per failure would itself be an amplification target.

use std::collections::HashMap;
use std::sync::Mutex;

#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub max_failures: usize,
    pub window_ms: i64,
}

#[derive(Default)]
pub struct Throttle {
    failures: Mutex<HashMap<String, Vec<i64>>>,
}

impl Throttle {
    /// Milliseconds until `key` may try again, or `None` if it may try now.
    pub fn blocked_for(&self, key: &str, limit: Limit, now_ms: i64) -> Option<i64> {
        let mut map = self.failures.lock().expect("throttle lock");
        let list = map.get_mut(key)?;
        list.retain(|t| now_ms - t < limit.window_ms);
        if list.len() >= limit.max_failures {
            let oldest = list[list.len() - limit.max_failures];
            Some((oldest + limit.window_ms - now_ms).max(1))
        } else {
            None
        }
    }

    pub fn record_failure(&self, key: &str, now_ms: i64) {
        let mut map = self.failures.lock().expect("throttle lock");
        map.entry(key.to_owned()).or_default().push(now_ms);
        // Keep memory bounded under a spray of distinct keys.
        if map.len() > 100_000 {
            map.retain(|_, v| v.last().is_some_and(|t| now_ms - t < 3_600_000));
        }
    }

    pub fn reset(&self, key: &str) {
        self.failures.lock().expect("throttle lock").remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_after_the_limit_and_releases_after_the_window() {
        let t = Throttle::default();
        let lim = Limit {
            max_failures: 3,
            window_ms: 1000,
        };
        for i in 0..3 {
            assert!(t.blocked_for("k", lim, i).is_none());
            t.record_failure("k", i);
        }
        assert_eq!(t.blocked_for("k", lim, 10), Some(990));
        assert!(t.blocked_for("other", lim, 10).is_none());
        assert!(t.blocked_for("k", lim, 1001).is_none());
        t.record_failure("k", 1001);
        t.reset("k");
        assert!(t.blocked_for("k", lim, 1002).is_none());
    }
}
