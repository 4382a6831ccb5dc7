//! The mailer's two adapters on their real parts: the outbox's files, and SES on moto
//! (with the faults moto cannot make faked at the SDK's HTTP layer).

#![allow(clippy::unwrap_used)] // helpers outside #[test] fns: a panic names what broke

mod outbox;
mod ses;
