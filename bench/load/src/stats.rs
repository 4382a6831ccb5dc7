//! What the clients counted: every request's latency, the errors (an answer no client
//! expected, or no answer while the server was up), and the requests that got no
//! answer because the server was being killed and restarted.

use std::collections::BTreeMap;
use std::time::Duration;

/// Error descriptions kept per client, to say what went wrong without keeping them all.
const SAMPLES: usize = 8;

/// One client's counts, merged into the whole load's at the end.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    /// Latency of every request that got an answer, in microseconds, by what it was
    /// (`pipeline`, `progress`, `enroll`, `certificate`, `verify`, `registry`).
    pub latencies_us: BTreeMap<&'static str, Vec<u32>>,
    /// Requests that got an answer.
    pub answered: u64,
    pub errors: u64,
    pub error_samples: Vec<String>,
    /// Requests that got no answer because the server was down (killed, or not yet
    /// back): never acknowledged, so not errors, but counted.
    pub gap_failures: u64,
}

impl Tally {
    pub fn answered(&mut self, what: &'static str, took: Duration) {
        self.answered += 1;
        self.latencies_us
            .entry(what)
            .or_default()
            .push(u32::try_from(took.as_micros()).unwrap_or(u32::MAX));
    }

    /// Every latency, sorted, and each kind's, sorted.
    pub fn sorted(&self) -> (Vec<u32>, BTreeMap<&'static str, Vec<u32>>) {
        let mut by_kind = self.latencies_us.clone();
        let mut all = Vec::new();
        for latencies in by_kind.values_mut() {
            latencies.sort_unstable();
            all.extend_from_slice(latencies);
        }
        all.sort_unstable();
        (all, by_kind)
    }

    pub fn error(&mut self, what: String) {
        self.errors += 1;
        if self.error_samples.len() < SAMPLES {
            self.error_samples.push(what);
        }
    }

    pub fn merge(&mut self, other: Tally) {
        for (what, latencies) in other.latencies_us {
            self.latencies_us.entry(what).or_default().extend(latencies);
        }
        self.answered += other.answered;
        self.errors += other.errors;
        for sample in other.error_samples {
            if self.error_samples.len() < SAMPLES * 4 {
                self.error_samples.push(sample);
            }
        }
        self.gap_failures += other.gap_failures;
    }
}

/// The `q` quantile (0..=1) of `sorted` by nearest rank, in milliseconds; 0 when empty.
pub fn quantile_ms(sorted: &[u32], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    let i = rank.clamp(1, sorted.len()) - 1;
    f64::from(sorted[i]) / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_are_taken_by_nearest_rank() {
        let sorted: Vec<u32> = (1..=100).map(|ms| ms * 1000).collect();
        assert_eq!(quantile_ms(&sorted, 0.5), 50.0);
        assert_eq!(quantile_ms(&sorted, 0.99), 99.0);
        assert_eq!(quantile_ms(&sorted, 1.0), 100.0);
        assert_eq!(quantile_ms(&[7000], 0.99), 7.0);
        assert_eq!(quantile_ms(&[], 0.5), 0.0);
    }
}
