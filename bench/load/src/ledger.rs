//! The recorder of acknowledged writes, and the read-back that holds the server to
//! them.
//!
//! Every key belongs to one client (it enrolls users only it writes to), so there is no
//! race between clients: the last acknowledged value of a key is what must be read
//! back. A write that got no answer (the server was killed under it) may or may not
//! have been committed; the ledger keeps such values beside the last acknowledged one,
//! and the read-back accepts any of them, but never a value older than the last
//! acknowledged write, and never a missing enrollment that was acknowledged.

use std::collections::{BTreeMap, HashMap};

/// (program, user, component).
type ProgressKey = (String, String, String);

/// What a key may hold: the last acknowledged value and the values written after it
/// without an answer.
#[derive(Debug, Clone, Default)]
struct Values {
    acknowledged: Option<String>,
    unanswered: Vec<String>,
}

/// The writes one client (or the whole load, merged) made.
#[derive(Debug, Clone, Default)]
pub struct Ledger {
    /// (program, user) -> acknowledged (201) or not answered.
    enrollments: BTreeMap<(String, String), bool>,
    progress: BTreeMap<ProgressKey, Values>,
    /// Acknowledged writes, counting every acknowledged progress write (not only the
    /// last of its key).
    acknowledged: u64,
}

/// What the server holds of one program: user -> component -> status (a participant
/// without a status for a component is `not_started`).
pub type Readback = HashMap<String, HashMap<String, String>>;

impl Ledger {
    /// An enrollment answered 201.
    pub fn enrolled(&mut self, program: &str, user: &str) {
        self.enrollments.insert((program.into(), user.into()), true);
        self.acknowledged += 1;
    }

    /// An enrollment that got no answer.
    pub fn enroll_unanswered(&mut self, program: &str, user: &str) {
        self.enrollments.entry((program.into(), user.into())).or_insert(false);
    }

    /// A progress write answered 200 with `status`.
    pub fn progressed(&mut self, program: &str, user: &str, component: &str, status: &str) {
        let values = self.values(program, user, component);
        values.acknowledged = Some(status.into());
        values.unanswered.clear();
        self.acknowledged += 1;
    }

    /// A progress write that got no answer.
    pub fn progress_unanswered(&mut self, program: &str, user: &str, component: &str, status: &str) {
        self.values(program, user, component).unanswered.push(status.into());
    }

    fn values(&mut self, program: &str, user: &str, component: &str) -> &mut Values {
        self.progress
            .entry((program.into(), user.into(), component.into()))
            .or_default()
    }

    pub fn acknowledged(&self) -> u64 {
        self.acknowledged
    }

    /// The programs written to.
    pub fn programs(&self) -> Vec<String> {
        let mut programs: Vec<String> = self.enrollments.keys().map(|(p, _)| p.clone()).collect();
        programs.dedup();
        programs
    }

    /// Adds another client's ledger (their keys never overlap).
    pub fn merge(&mut self, other: Ledger) {
        self.enrollments.extend(other.enrollments);
        self.progress.extend(other.progress);
        self.acknowledged += other.acknowledged;
    }

    /// Every acknowledged write of `program` that `read` does not show, one line each.
    pub fn lost(&self, program: &str, read: &Readback) -> Vec<String> {
        let mut lost = Vec::new();
        for ((p, user), acknowledged) in &self.enrollments {
            if p == program && *acknowledged && !read.contains_key(user) {
                lost.push(format!(
                    "enrollment of {user} in {program}: acknowledged 201, not listed"
                ));
            }
        }
        for ((p, user, component), values) in &self.progress {
            if p != program {
                continue;
            }
            let Some(acknowledged) = &values.acknowledged else {
                continue;
            };
            let Some(held) = read.get(user) else {
                // Reported with the enrollment when that was acknowledged; otherwise
                // the progress write was acknowledged for an enrollment that the
                // server lost.
                lost.push(format!(
                    "progress {user}/{component} in {program}: acknowledged {acknowledged}, participant not listed"
                ));
                continue;
            };
            let found = held.get(component).map_or("not_started", String::as_str);
            if found != acknowledged && !values.unanswered.iter().any(|v| v == found) {
                lost.push(format!(
                    "progress {user}/{component} in {program}: acknowledged {acknowledged}, read {found}"
                ));
            }
        }
        lost
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(pairs: &[(&str, &[(&str, &str)])]) -> Readback {
        pairs
            .iter()
            .map(|(user, progress)| {
                let progress = progress.iter().map(|(c, s)| (c.to_string(), s.to_string())).collect();
                (user.to_string(), progress)
            })
            .collect()
    }

    #[test]
    fn the_last_acknowledged_value_must_be_read_back() {
        let mut ledger = Ledger::default();
        ledger.enrolled("p", "u");
        ledger.progressed("p", "u", "k", "in_progress");
        ledger.progressed("p", "u", "k", "completed");
        assert!(ledger.lost("p", &read(&[("u", &[("k", "completed")])])).is_empty());
        assert_eq!(ledger.lost("p", &read(&[("u", &[("k", "in_progress")])])).len(), 1);
        assert_eq!(ledger.lost("p", &read(&[("u", &[])])).len(), 1);
        assert_eq!(ledger.acknowledged(), 3);
    }

    #[test]
    fn an_unanswered_write_after_the_last_acknowledged_one_may_have_landed() {
        let mut ledger = Ledger::default();
        ledger.enrolled("p", "u");
        ledger.progressed("p", "u", "k", "completed");
        ledger.progress_unanswered("p", "u", "k", "missed");
        assert!(ledger.lost("p", &read(&[("u", &[("k", "missed")])])).is_empty());
        assert!(ledger.lost("p", &read(&[("u", &[("k", "completed")])])).is_empty());
        assert_eq!(ledger.lost("p", &read(&[("u", &[("k", "in_progress")])])).len(), 1);
    }

    #[test]
    fn an_acknowledged_enrollment_must_be_listed_and_an_unanswered_one_may_be() {
        let mut ledger = Ledger::default();
        ledger.enrolled("p", "a");
        ledger.enroll_unanswered("p", "b");
        assert!(ledger.lost("p", &read(&[("a", &[])])).is_empty());
        assert!(ledger.lost("p", &read(&[("a", &[]), ("b", &[])])).is_empty());
        assert_eq!(ledger.lost("p", &read(&[("b", &[])])).len(), 1);
    }
}
