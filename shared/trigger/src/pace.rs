//! The sending rate: one slot every `1 / rate` seconds, shared by every run of a
//! trigger (an SES account's rate is account-wide).

use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

pub struct Pacer {
    gap: Duration,
    next: Mutex<Option<Instant>>,
}

impl Pacer {
    /// `rate`: sends per second; zero or less, or not a number, means no pacing.
    pub fn new(rate: f64) -> Pacer {
        let gap = if rate.is_finite() && rate > 0.0 {
            Duration::from_secs_f64(1.0 / rate)
        } else {
            Duration::ZERO
        };
        Pacer {
            gap,
            next: Mutex::new(None),
        }
    }

    /// Waits for this caller's slot.
    pub async fn wait(&self) {
        let at = {
            let mut next = self.next.lock().await;
            let now = Instant::now();
            let at = next.map_or(now, |n| n.max(now));
            *next = Some(at + self.gap);
            at
        };
        tokio::time::sleep_until(at).await;
    }
}

/// A chunk's emails must go out well within one lease: at most a minute's worth.
pub(crate) fn emails_per_minute(send_rate: f64) -> usize {
    if send_rate > 0.0 {
        (send_rate * 60.0).max(1.0) as usize
    } else {
        usize::MAX
    }
}

/// 200 ms, 400 ms, 800 ms, ... up to 5 s.
pub(crate) fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(200u64.saturating_mul(1 << attempt.min(5))).min(Duration::from_secs(5))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn slots_are_spaced_by_the_rate() {
        let pacer = Pacer::new(4.0);
        let start = Instant::now();
        for _ in 0..5 {
            pacer.wait().await;
        }
        assert_eq!(
            start.elapsed(),
            Duration::from_millis(1000),
            "5 sends at 4/s: the 5th at 1 s"
        );
        let free = Pacer::new(0.0);
        let start = Instant::now();
        free.wait().await;
        free.wait().await;
        assert_eq!(start.elapsed(), Duration::ZERO);
    }
}
