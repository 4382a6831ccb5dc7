//! How the background work paces and bounds itself.

use std::time::Duration;

/// How the trigger paces and bounds its work.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The API's public base URL: verification and download links, and the QR code.
    pub public_url: String,
    /// Emails handed to the mail service per second (SES accounts have a sending rate).
    pub send_rate: f64,
    /// Participants in flight at once (render, store, issue, email).
    pub concurrency: usize,
    /// Participants per checkpoint of the run record.
    pub chunk: usize,
    /// Programs of one sweep worked at once.
    pub programs_at_once: usize,
    /// Due programs one sweep ends, and unfinished runs it tries (each at most this many).
    pub sweep_limit: usize,
    /// How long a run's lease lasts past each checkpoint.
    pub lease: Duration,
    /// Stop starting chunks this long before the deadline.
    pub margin: Duration,
    /// Sends of one email before a throttled one is left for the next sweep.
    pub send_attempts: u32,
    /// Pages (of `chunk` certificates) one invocation works of each regeneration, so
    /// that a big one goes on over several sweeps and never holds up the next.
    pub regeneration_pages: usize,
    /// Certificates one sweep looks at for expiry reminders (each at most one email).
    pub reminders_per_sweep: usize,
    /// Pages (of 100 events) one sweep publishes at most.
    pub event_pages: usize,
    /// How old an entry must be before it is published: longer than any write takes
    /// to commit and reach the index, so that an earlier entry of the same subject is
    /// never still on its way when a later one is published.
    pub event_settle: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            public_url: "http://127.0.0.1:3000".into(),
            send_rate: 10.0,
            concurrency: 8,
            chunk: 100,
            programs_at_once: 4,
            sweep_limit: 50,
            lease: Duration::from_secs(120),
            margin: Duration::from_secs(60),
            send_attempts: 5,
            regeneration_pages: 10,
            reminders_per_sweep: 300,
            event_pages: 20,
            event_settle: Duration::from_secs(5),
        }
    }
}
