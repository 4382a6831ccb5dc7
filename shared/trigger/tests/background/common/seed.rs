//! The programs the trigger tests seed through the store: a certification, a program
//! with its components, and its people, passing or not.

use certify_rules::{
    Certification, CertificationFields, Component, ComponentFields, ComponentKind, Participant, Program, ProgramState,
    ProgressStatus,
};
use certify_store::{CertificationStore, ProgramStore, RosterStore, SettingsStore, WorkspaceSettings};
use chrono::{DateTime, Duration, Utc};

use super::Harness;

/// A person of a seeded program, and whether they completed every counted component.
pub struct Person {
    pub user_id: &'static str,
    pub name: &'static str,
    pub passes: bool,
}

pub const fn person(user_id: &'static str, name: &'static str, passes: bool) -> Person {
    Person { user_id, name, passes }
}

impl Harness {
    /// A certification, and a program of it (or of none) with two counted components and
    /// an optional one, whose passing people completed both counted ones.
    pub async fn seed(&self, program_id: &str, certification: Option<&str>, people: &[Person]) -> Program {
        let ends_at = self.now() + Duration::days(1);
        self.seed_in(&self.ws, program_id, certification, people, ends_at).await
    }

    /// As [`Harness::seed`], in workspace `ws` (certifications on) and ending at `ends_at`.
    pub async fn seed_in(
        &self,
        ws: &str,
        program_id: &str,
        certification: Option<&str>,
        people: &[Person],
        ends_at: DateTime<Utc>,
    ) -> Program {
        let now = self.now();
        let on = WorkspaceSettings {
            certifications_enabled: true,
            ..Default::default()
        };
        self.store.put_settings(ws, &on).await.unwrap();
        if let Some(id) = certification {
            let c = Certification {
                id: id.into(),
                fields: CertificationFields {
                    name: format!("Leadership Essentials {id}"),
                    description: "Leads teams through change, with care.".into(),
                    issuer_name: "Exec Coaching".into(),
                    validity: None,
                    expiry_reminders_days: vec![30],
                },
                created_at: now,
                updated_at: now,
                version: 1,
                archived_at: None,
            };
            match self
                .store
                .create_certification(ws, &c, &certify_rules::Actor::admin("u-admin"))
                .await
            {
                Ok(()) | Err(certify_store::StoreError::Conflict(_)) => {}
                Err(e) => panic!("{e:?}"),
            }
        }
        let program = Program {
            id: program_id.into(),
            name: format!("Spring Cohort {program_id}"),
            starts_at: now - Duration::days(30),
            ends_at,
            certification_id: certification.map(String::from),
            state: ProgramState::Active,
            ended_at: None,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        self.store.create_program(ws, &program).await.unwrap();
        for (i, (id, title, optional)) in [
            ("k1", "Module 1", false),
            ("k2", "Final quiz", false),
            ("k3", "Bonus", true),
        ]
        .into_iter()
        .enumerate()
        {
            let fields = ComponentFields {
                title: title.into(),
                kind: ComponentKind::Lesson,
                optional,
                starts_at: None,
                ends_at: Some(now - Duration::days(1)),
                position: i as i64,
            };
            let component = Component::new(id.into(), fields);
            self.store.add_component(ws, program_id, &component).await.unwrap();
        }
        let participants: Vec<Participant> = people
            .iter()
            .map(|p| Participant {
                user_id: p.user_id.into(),
                name: p.name.into(),
                email: format!("{}.{ws}@example.com", p.user_id),
                avatar_url: None,
                group: None,
            })
            .collect();
        self.store.enroll(ws, program_id, &participants).await.unwrap();
        for p in people {
            self.store
                .set_progress(ws, program_id, p.user_id, "k1", ProgressStatus::Completed)
                .await
                .unwrap();
            if p.passes {
                self.store
                    .set_progress(ws, program_id, p.user_id, "k2", ProgressStatus::Completed)
                    .await
                    .unwrap();
            }
        }
        program
    }
}
