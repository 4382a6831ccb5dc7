//! `serve --demo`: a demo workspace seeded once through the store (not over HTTP, with
//! certify-fixtures' seeders, which tolerate what an interrupted seeding left), so
//! that every screen has something to show: a certification, two linked programs with
//! components of every kind, and participants in every pipeline status, one program
//! ended by the trigger itself (real certificates, PDFs and emails), the other active.

mod people;

use anyhow::{anyhow, Context};
use certify_fixtures::Seed;
use certify_rules::{
    Actor, Certification, CertificationFields, Component, EnrollmentRecord, Participant, Program, ProgramFields,
    ProgramState, Validity, ValidityUnit,
};
use chrono::{DateTime, Duration, Utc};

use self::people::{ComponentPlan, Person, AUTUMN_COMPONENTS, PEOPLE, SPRING_COMPONENTS};
use crate::serve::Local;

pub const WORKSPACE: &str = "demo";
pub const CERTIFICATION: &str = "leadership";
/// Ended while seeding; once it has ended, the demo is seeded.
pub const ENDED_PROGRAM: &str = "spring-cohort";
pub const ACTIVE_PROGRAM: &str = "autumn-cohort";
/// The participant whose token the banner prints: certified in the ended program.
const PARTICIPANT: &str = "u-ana";

/// Seeds the demo workspace unless it is seeded already; answers whether it did.
/// Every step tolerates what an interrupted earlier seeding left behind.
pub async fn seed(local: &Local) -> anyhow::Result<bool> {
    let store = &*local.store;
    let ended = store.program(WORKSPACE, ENDED_PROGRAM).await?;
    if ended.is_some_and(|p| p.state == ProgramState::Ended) {
        return Ok(false);
    }
    let now = Utc::now();
    let seed = Seed::new(store, WORKSPACE).by(Actor::System);
    seed.certifications_on().await?;
    let fields = CertificationFields {
        name: "Leadership Essentials".into(),
        description: "Core leadership skills for new managers: feedback, coaching and difficult conversations.".into(),
        issuer_name: "Certify Demo Academy".into(),
        validity: Some(Validity::new(12, ValidityUnit::Months).map_err(|e| anyhow!("{e:?}"))?),
        expiry_reminders_days: vec![30],
        locale: None,
    };
    seed.certification(&Certification::create(CERTIFICATION.into(), fields, now))
        .await?;

    let plans = [
        (ENDED_PROGRAM, "Spring Cohort", -70, -1, SPRING_COMPONENTS),
        (ACTIVE_PROGRAM, "Autumn Cohort", -21, 42, AUTUMN_COMPONENTS),
    ];
    for (id, name, starts, ends, plan) in plans {
        let fields = ProgramFields {
            name: name.into(),
            starts_at: days(now, starts),
            ends_at: days(now, ends),
            certification_id: Some(CERTIFICATION.into()),
        };
        let components: Vec<Component> = (1..)
            .zip(plan)
            .map(|(position, (cid, title, kind, optional, due))| Component {
                id: (*cid).into(),
                title: (*title).into(),
                kind: *kind,
                optional: *optional,
                starts_at: None,
                ends_at: due.map(|d| days(now, d)),
                position,
            })
            .collect();
        if !seed
            .program(&Program::create(id.into(), fields, now), &components)
            .await?
        {
            // An earlier seeding got as far as ending it; the run resumes below.
            continue;
        }
        let records: Vec<EnrollmentRecord> = PEOPLE
            .iter()
            .filter(|p| p.program == id)
            .map(|p| record(p, plan, now))
            .collect();
        seed.people(id, &records).await?;
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

fn days(now: DateTime<Utc>, days: i64) -> DateTime<Utc> {
    now + Duration::days(days)
}

/// The person enrolled with their progress (a later status for a component wins) and,
/// for a late joiner, two more weeks for each component already past due.
fn record(p: &Person, plan: &[ComponentPlan], now: DateTime<Utc>) -> EnrollmentRecord {
    let mut record = EnrollmentRecord::new(participant(p));
    for (cid, status) in p.progress.iter().flat_map(|progress| progress.iter()) {
        record.progress.insert((*cid).into(), *status);
    }
    if p.extended {
        for (cid, ..) in plan.iter().filter(|c| c.4.is_some_and(|d| d < 0)) {
            record.extensions.insert((*cid).into(), days(now, 14));
        }
    }
    record
}

fn participant(p: &Person) -> Participant {
    let first = p.user_id.trim_start_matches("u-");
    Participant {
        user_id: p.user_id.into(),
        name: p.name.into(),
        email: format!("{first}@example.com"),
        avatar_url: None,
        group: Some(p.group.into()),
        locale: None,
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
