//! When an invocation must stop starting work: Lambda stops it at its deadline, so every
//! kind of background work checks, before each piece, that the deadline is not within the
//! margin ([`crate::Settings::margin`]) of now. Locally there is no deadline.

use std::time::Duration;

use chrono::{DateTime, Utc};

/// An invocation's deadline on the trigger's clock (none locally), with the margin kept
/// before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Deadline {
    at: Option<DateTime<Utc>>,
    margin: Duration,
}

impl Deadline {
    pub(crate) fn new(at: Option<DateTime<Utc>>, margin: Duration) -> Deadline {
        Deadline { at, margin }
    }

    /// Whether, at `now`, the deadline is within the margin: start nothing new.
    pub(crate) fn is_near(self, now: DateTime<Utc>) -> bool {
        self.at.is_some_and(|at| now + self.margin >= at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_within_the_margin_and_never_without_a_deadline() {
        let at = DateTime::parse_from_rfc3339("2026-12-07T12:00:00Z").unwrap().to_utc();
        let deadline = Deadline::new(Some(at), Duration::from_secs(60));
        assert!(!deadline.is_near(at - chrono::Duration::seconds(61)));
        assert!(deadline.is_near(at - chrono::Duration::seconds(60)));
        assert!(deadline.is_near(at));
        assert!(!Deadline::new(None, Duration::from_secs(60)).is_near(at));
    }
}
