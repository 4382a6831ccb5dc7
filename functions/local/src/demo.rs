//! `serve --demo`: a demo workspace seeded once through the store (not over HTTP), so
//! that every screen has something to show: a certification, two linked programs with
//! components of every kind, and participants in every pipeline status, one program
//! ended by the trigger itself (real certificates, PDFs and emails), the other active.

use anyhow::{anyhow, Context};
use certify_rules::{
    Certification, CertificationFields, Component, ComponentKind, Participant, Program, ProgramState, ProgressStatus,
    Validity, ValidityUnit,
};
use certify_store::{Conflict, StoreError, WorkspaceSettings};
use chrono::{DateTime, Duration, Utc};

use crate::serve::Local;
use ProgressStatus::{Completed, DidNotFinish, DidNotPass, InProgress, Missed, NoResponse, NotStarted};

pub const WORKSPACE: &str = "demo";
pub const CERTIFICATION: &str = "leadership";
/// Ended while seeding; once it has ended, the demo is seeded.
pub const ENDED_PROGRAM: &str = "spring-cohort";
pub const ACTIVE_PROGRAM: &str = "autumn-cohort";
/// The participant whose token the banner prints: certified in the ended program.
const PARTICIPANT: &str = "u-ana";

/// A component: id, title, kind, optional, due in days from now (`None`: no due time).
type ComponentPlan = (&'static str, &'static str, ComponentKind, bool, Option<i64>);

const SPRING_COMPONENTS: &[ComponentPlan] = &[
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

const AUTUMN_COMPONENTS: &[ComponentPlan] = &[
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

struct Person {
    user_id: &'static str,
    name: &'static str,
    group: &'static str,
    program: &'static str,
    /// Applied in order: a later status for a component wins.
    progress: &'static [Progress],
    /// Late joiners: the past-due counted components are due in two weeks for them.
    extended: bool,
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

const PEOPLE: &[Person] = &[
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

/// Seeds the demo workspace unless it is seeded already; answers whether it did.
/// Every step tolerates what an interrupted earlier seeding left behind.
pub async fn seed(local: &Local) -> anyhow::Result<bool> {
    let store = &*local.store;
    let ended = store.program(WORKSPACE, ENDED_PROGRAM).await?;
    if ended.is_some_and(|p| p.state == ProgramState::Ended) {
        return Ok(false);
    }
    let now = Utc::now();
    let settings = WorkspaceSettings {
        certifications_enabled: true,
    };
    store.put_settings(WORKSPACE, &settings).await?;
    let certification = Certification {
        id: CERTIFICATION.into(),
        fields: CertificationFields {
            name: "Leadership Essentials".into(),
            description: "Core leadership skills for new managers: feedback, coaching and difficult conversations."
                .into(),
            issuer_name: "Certify Demo Academy".into(),
            validity: Some(Validity::new(12, ValidityUnit::Months).map_err(|e| anyhow!("{e:?}"))?),
        },
        created_at: now,
        updated_at: now,
        version: 1,
        archived_at: None,
    };
    new_or_there(store.create_certification(WORKSPACE, &certification).await)?;

    let plans = [
        (ENDED_PROGRAM, "Spring Cohort", -70, -1, SPRING_COMPONENTS),
        (ACTIVE_PROGRAM, "Autumn Cohort", -21, 42, AUTUMN_COMPONENTS),
    ];
    for (id, name, starts, ends, components) in plans {
        let program = Program {
            id: id.into(),
            name: name.into(),
            starts_at: days(now, starts),
            ends_at: days(now, ends),
            certification_id: Some(CERTIFICATION.into()),
            state: ProgramState::Active,
            ended_at: None,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        new_or_there(store.create_program(WORKSPACE, &program).await)?;
        let stored = store
            .program(WORKSPACE, id)
            .await?
            .context("the program just created")?;
        if stored.state.is_over() {
            // An earlier seeding got as far as ending it; the run resumes below.
            continue;
        }
        for (position, (cid, title, kind, optional, due)) in (1..).zip(components) {
            let component = Component {
                id: (*cid).into(),
                title: (*title).into(),
                kind: *kind,
                optional: *optional,
                starts_at: None,
                ends_at: due.map(|d| days(now, d)),
                position,
            };
            new_or_there(store.add_component(WORKSPACE, id, &component).await)?;
        }
        let people: Vec<&Person> = PEOPLE.iter().filter(|p| p.program == id).collect();
        let participants: Vec<Participant> = people.iter().map(|p| participant(p)).collect();
        new_or_there(store.enroll(WORKSPACE, id, &participants).await)?;
        for p in &people {
            for (cid, status) in p.progress.iter().flat_map(|progress| progress.iter()) {
                store.set_progress(WORKSPACE, id, p.user_id, cid, *status).await?;
            }
            if p.extended {
                for (cid, ..) in components.iter().filter(|c| c.4.is_some_and(|d| d < 0)) {
                    store
                        .set_extension(WORKSPACE, id, p.user_id, cid, Some(days(now, 14)))
                        .await?;
                }
            }
        }
    }
    let report = local.trigger.end_program(WORKSPACE, ENDED_PROGRAM, None).await?;
    let run = report.run.context("the demo program's run did not finish")?;
    tracing::info!(
        workspace = WORKSPACE,
        program = ENDED_PROGRAM,
        certified = run.certified,
        did_not_pass = run.did_not_pass,
        "demo seeded"
    );
    Ok(true)
}

/// Created now, or by an earlier (maybe interrupted) seeding.
fn new_or_there(result: certify_store::Result<()>) -> Result<(), StoreError> {
    match result {
        Ok(()) | Err(StoreError::Conflict(Conflict::AlreadyExists | Conflict::AlreadyEnrolled(_))) => Ok(()),
        Err(e) => Err(e),
    }
}

fn days(now: DateTime<Utc>, days: i64) -> DateTime<Utc> {
    now + Duration::days(days)
}

fn participant(p: &Person) -> Participant {
    let first = p.user_id.trim_start_matches("u-");
    Participant {
        user_id: p.user_id.into(),
        name: p.name.into(),
        email: format!("{first}@example.com"),
        avatar_url: None,
        group: Some(p.group.into()),
    }
}

/// What to paste into a shell: tokens for each role and a few requests.
pub async fn banner(local: &Local, lifetime: Duration) -> anyhow::Result<String> {
    let now = Utc::now();
    let mint = |user: &str, role: &str| local.keys.mint(WORKSPACE, user, role, now, lifetime);
    let admin = mint("u-admin", "admin")?;
    let participant = mint(PARTICIPANT, "participant")?;
    let operator = mint("u-operator", "operator")?;
    let certificate = local
        .store
        .certificates_of(WORKSPACE, PARTICIPANT)
        .await?
        .into_iter()
        .next()
        .context("the demo participant has no certificate")?;
    let url = &local.public_url;
    let id = &certificate.id;
    let hours = lifetime.num_hours();
    Ok(format!(
        "\
Demo workspace \"{WORKSPACE}\" at {url}; tokens valid {hours} h. Paste into a shell:

ADMIN='{admin}'
ME='{participant}'
OPERATOR='{operator}'

curl -s -H \"Authorization: Bearer $ADMIN\" {url}/certifications
curl -s -H \"Authorization: Bearer $ADMIN\" {url}/certifications/{CERTIFICATION}/pipeline
curl -s -H \"Authorization: Bearer $ADMIN\" {url}/programs/{ACTIVE_PROGRAM}/pipeline
curl -s -H \"Authorization: Bearer $ME\" {url}/me/certificates
curl -sL -H \"Authorization: Bearer $ME\" -o certificate.pdf {url}/certificates/{id}/download
curl -s {url}/verify/{id}

ADMIN is u-admin, ME is {PARTICIPANT} ({name}, certified in {ENDED_PROGRAM}), OPERATOR is u-operator.
",
        name = certificate.holder_name,
    ))
}
