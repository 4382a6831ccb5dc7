//! The background work end to end (program ends, nudges, reminders, regenerations,
//! events, crashes at every step), over DynamoDB, S3 and SES on moto: one test binary
//! for the crate, one moto server for all of it.

#![allow(clippy::unwrap_used)] // a test says what broke by its panic

/// The harness every module here runs on (and the bench of the crate too).
use certify_fixtures::trigger as common;

mod crash;
mod events;
mod fairness;
mod nudges;
mod program_end;
mod regeneration;
mod reminders;
mod reminders_scale;
mod snapshot;
