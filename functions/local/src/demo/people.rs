//! The demo's programs and people: each program's components, and who is enrolled in
//! which program with how far they got, so that every pipeline status has someone in it.

use certify_rules::{ComponentKind, ProgressStatus};

use super::{ACTIVE_PROGRAM, ENDED_PROGRAM};
use ProgressStatus::{Completed, DidNotFinish, DidNotPass, InProgress, Missed, NoResponse, NotStarted};

/// A component: id, title, kind, optional, due in days from now (`None`: no due time).
pub(super) type ComponentPlan = (&'static str, &'static str, ComponentKind, bool, Option<i64>);

pub(super) const SPRING_COMPONENTS: &[ComponentPlan] = &[
    (
        "s-welcome",
        "Welcome to the cohort",
        ComponentKind::Announcement,
        false,
        None,
    ),
    (
        "s-kickoff",
        "Kickoff meeting",
        ComponentKind::GroupMeeting,
        false,
        Some(-68),
    ),
    (
        "s-intro",
        "Meet your coach",
        ComponentKind::CoachingIntro,
        false,
        Some(-60),
    ),
    (
        "s-m1",
        "Module 1: Giving feedback",
        ComponentKind::Lesson,
        false,
        Some(-50),
    ),
    (
        "s-m2",
        "Assignment: a feedback conversation",
        ComponentKind::Assignment,
        false,
        Some(-35),
    ),
    (
        "s-coach",
        "Coaching session",
        ComponentKind::CoachingSession,
        false,
        Some(-25),
    ),
    (
        "s-live",
        "Live workshop: difficult conversations",
        ComponentKind::LiveEvent,
        false,
        Some(-15),
    ),
    (
        "s-reflect",
        "Final reflection",
        ComponentKind::Reflection,
        false,
        Some(-3),
    ),
    ("s-survey", "Cohort survey", ComponentKind::Survey, true, Some(-2)),
    ("s-extra", "Further reading", ComponentKind::Other, true, None),
];

pub(super) const AUTUMN_COMPONENTS: &[ComponentPlan] = &[
    (
        "a-welcome",
        "Welcome to the cohort",
        ComponentKind::Announcement,
        false,
        None,
    ),
    (
        "a-kickoff",
        "Kickoff meeting",
        ComponentKind::GroupMeeting,
        false,
        Some(-19),
    ),
    (
        "a-intro",
        "Meet your coach",
        ComponentKind::CoachingIntro,
        false,
        Some(-14),
    ),
    (
        "a-m1",
        "Module 1: Giving feedback",
        ComponentKind::Lesson,
        false,
        Some(-10),
    ),
    (
        "a-m2",
        "Assignment: a feedback conversation",
        ComponentKind::Assignment,
        false,
        Some(-3),
    ),
    ("a-survey", "Mid-point survey", ComponentKind::Survey, true, Some(-5)),
    (
        "a-coach",
        "Coaching session",
        ComponentKind::CoachingSession,
        false,
        Some(10),
    ),
    (
        "a-live",
        "Live workshop: difficult conversations",
        ComponentKind::LiveEvent,
        false,
        Some(20),
    ),
    ("a-extra", "Further reading", ComponentKind::Other, true, Some(30)),
    (
        "a-reflect",
        "Final reflection",
        ComponentKind::Reflection,
        false,
        Some(40),
    ),
];

type Progress = &'static [(&'static str, ProgressStatus)];

/// Every counted component of the ended program completed (and the meetings).
const SPRING_DONE: Progress = &[
    ("s-kickoff", Completed),
    ("s-intro", Completed),
    ("s-m1", Completed),
    ("s-m2", Completed),
    ("s-coach", Completed),
    ("s-live", Completed),
    ("s-reflect", Completed),
];

/// The active program's past-due counted components completed.
const AUTUMN_SO_FAR: Progress = &[
    ("a-kickoff", Completed),
    ("a-intro", Completed),
    ("a-m1", Completed),
    ("a-m2", Completed),
];

pub(super) struct Person {
    pub(super) user_id: &'static str,
    pub(super) name: &'static str,
    pub(super) group: &'static str,
    pub(super) program: &'static str,
    /// Applied in order: a later status for a component wins.
    pub(super) progress: &'static [Progress],
    /// Late joiners: the past-due counted components are due in two weeks for them.
    pub(super) extended: bool,
}

const fn person(
    user_id: &'static str,
    name: &'static str,
    group: &'static str,
    program: &'static str,
    progress: &'static [Progress],
) -> Person {
    Person {
        user_id,
        name,
        group,
        program,
        progress,
        extended: false,
    }
}

const S: &str = ENDED_PROGRAM;
const A: &str = ACTIVE_PROGRAM;

pub(super) const PEOPLE: &[Person] = &[
    // The ended program: certified, or did not pass.
    person(
        "u-ana",
        "Ana Ávila",
        "Alpha",
        S,
        &[SPRING_DONE, &[("s-survey", Completed)]],
    ),
    person("u-boris", "Борис Жуков", "Alpha", S, &[SPRING_DONE]),
    person(
        "u-sokratis",
        "Σωκράτης Παπαδόπουλος",
        "Beta",
        S,
        &[SPRING_DONE, &[("s-survey", Completed)]],
    ),
    person(
        "u-chloe",
        "Chloé Martin",
        "Beta",
        S,
        &[SPRING_DONE, &[("s-extra", Completed)]],
    ),
    person("u-david", "David Okafor", "Alpha", S, &[SPRING_DONE]),
    person(
        "u-elif",
        "Elif Yılmaz",
        "Gamma",
        S,
        &[SPRING_DONE, &[("s-survey", NoResponse)]],
    ),
    person("u-fatima", "Fátima Rodrigues", "Gamma", S, &[SPRING_DONE]),
    person(
        "u-gustav",
        "Gustav Lindqvist",
        "Beta",
        S,
        &[SPRING_DONE, &[("s-kickoff", Missed)]],
    ),
    person(
        "u-hana",
        "Hana Nováková",
        "Alpha",
        S,
        &[SPRING_DONE, &[("s-reflect", NotStarted)]],
    ),
    person(
        "u-ivan",
        "Ivan Petrov",
        "Gamma",
        S,
        &[SPRING_DONE, &[("s-reflect", InProgress)]],
    ),
    person(
        "u-jamal",
        "Jamal Haddad",
        "Beta",
        S,
        &[SPRING_DONE, &[("s-m2", DidNotPass)]],
    ),
    person(
        "u-kaito",
        "Kaito Tanaka",
        "Gamma",
        S,
        &[SPRING_DONE, &[("s-live", Missed)]],
    ),
    // The active program: enrolled (late joiners with extensions), on track, off track,
    // did not pass. Hana takes the program again after not passing the ended one.
    Person {
        extended: true,
        ..person("u-lena", "Lena Schäfer", "Alpha", A, &[])
    },
    Person {
        extended: true,
        ..person("u-mateo", "Mateo García", "Alpha", A, &[])
    },
    Person {
        extended: true,
        ..person("u-nadia", "Nadia Benali", "Beta", A, &[])
    },
    Person {
        extended: true,
        ..person("u-oskar", "Oskar Nowak", "Gamma", A, &[])
    },
    person(
        "u-priya",
        "Priya Raman",
        "Alpha",
        A,
        &[AUTUMN_SO_FAR, &[("a-coach", InProgress)]],
    ),
    person("u-quentin", "Quentin Dubois", "Alpha", A, &[AUTUMN_SO_FAR]),
    person(
        "u-rosa",
        "Rosa Esposito",
        "Beta",
        A,
        &[AUTUMN_SO_FAR, &[("a-survey", Completed)]],
    ),
    person(
        "u-sven",
        "Sven Andersen",
        "Beta",
        A,
        &[AUTUMN_SO_FAR, &[("a-coach", Completed)]],
    ),
    person("u-tomasz", "Tomasz Wiśniewski", "Gamma", A, &[AUTUMN_SO_FAR]),
    person(
        "u-ursula",
        "Ursula Becker",
        "Gamma",
        A,
        &[AUTUMN_SO_FAR, &[("a-intro", Missed)]],
    ),
    person(
        "u-vera",
        "Вера Смирнова",
        "Beta",
        A,
        &[AUTUMN_SO_FAR, &[("a-live", InProgress)]],
    ),
    person(
        "u-hana",
        "Hana Nováková",
        "Alpha",
        A,
        &[AUTUMN_SO_FAR, &[("a-reflect", InProgress)]],
    ),
    person(
        "u-wiktor",
        "Wiktor Zieliński",
        "Alpha",
        A,
        &[AUTUMN_SO_FAR, &[("a-m2", NotStarted)]],
    ),
    person(
        "u-xenia",
        "Ξένια Αλεξίου",
        "Beta",
        A,
        &[AUTUMN_SO_FAR, &[("a-m2", InProgress)]],
    ),
    person("u-yusuf", "Yusuf Demir", "Gamma", A, &[&[("a-kickoff", Completed)]]),
    person(
        "u-zoe",
        "Zoë Laurent",
        "Gamma",
        A,
        &[AUTUMN_SO_FAR, &[("a-m1", InProgress)]],
    ),
    person(
        "u-aiko",
        "Aiko Suzuki",
        "Alpha",
        A,
        &[AUTUMN_SO_FAR, &[("a-m2", DidNotPass)]],
    ),
    person(
        "u-bruno",
        "Bruno Costa",
        "Beta",
        A,
        &[AUTUMN_SO_FAR, &[("a-m1", DidNotFinish)]],
    ),
    person(
        "u-carmen",
        "Carmen Ruiz",
        "Gamma",
        A,
        &[&[("a-kickoff", Completed), ("a-m1", NoResponse)]],
    ),
];
