//! What is recorded of the changes, and told of them (SPEC 1.15):
//!
//! - [`history`]: the history of a certificate and of a certification: what changed,
//!   when, and who changed it.
//! - [`events`]: what each committed history entry, a program's end and its run's
//!   completion are told to the platform as.

pub mod events;
pub mod history;
