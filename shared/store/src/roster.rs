//! Rosters: [`RosterStore`] over the table (a program's partition: its components and
//! enrollments, read in one paginated Query), and the marks set on an enrollment once.

use async_trait::async_trait;
use certify_rules::{Component, EnrollmentRecord, Participant, Program, ProgressStatus, Roster, RunRecord};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;

use crate::items::*;
use crate::programs::active;
use crate::table::{path, Cond, FromItem, Item, Key, Query, Table, TableError, Write};
use crate::{Conflict, ProgramStore, Result, Store, StoreError, TRANSACTION_MAX};

/// A program's partition as one Query returns it.
#[derive(Debug, Clone)]
pub struct StoredRoster {
    pub program: Program,
    /// In display order (position, then id).
    pub components: Vec<Component>,
    pub enrollments: Vec<EnrollmentRecord>,
    pub run: Option<RunRecord>,
    /// DynamoDB requests (Query pages) the read cost.
    pub requests: usize,
}

impl StoredRoster {
    /// The roster the rules read: the program, its components and its enrollments
    /// resolved against them (the run record and the request count are left).
    pub fn into_roster(self) -> Roster {
        Roster::new(self.program, self.components, self.enrollments)
    }
}

/// Changes to a program's roster. Each MUST answer `NotFound` when the program (or the
/// enrollment or component it names) is missing and `Conflict(ProgramEnded)` when the
/// program is not `active`, checked in the same transaction as the change.
#[async_trait]
pub trait RosterStore: Send + Sync {
    /// MUST refuse a taken component id with `Conflict(AlreadyExists)`.
    async fn add_component(&self, ws: &str, program_id: &str, component: &Component) -> Result<()>;
    async fn update_component(&self, ws: &str, program_id: &str, component: &Component) -> Result<()>;
    async fn remove_component(&self, ws: &str, program_id: &str, component_id: &str) -> Result<()>;
    /// Up to 100 participants. MUST refuse users already enrolled with
    /// `Conflict(AlreadyEnrolled(ids))`, enrolling none of the request.
    async fn enroll(&self, ws: &str, program_id: &str, participants: &[Participant]) -> Result<()>;
    async fn unenroll(&self, ws: &str, program_id: &str, user_id: &str) -> Result<()>;
    async fn set_progress(
        &self,
        ws: &str,
        program_id: &str,
        user_id: &str,
        component_id: &str,
        status: ProgressStatus,
    ) -> Result<()>;
    /// `None` removes the extension.
    async fn set_extension(
        &self,
        ws: &str,
        program_id: &str,
        user_id: &str,
        component_id: &str,
        due_at: Option<DateTime<Utc>>,
    ) -> Result<()>;
    /// The program's whole partition in one paginated Query; a missing program MUST be
    /// `Ok(None)`, not `NotFound`.
    async fn roster(&self, ws: &str, program_id: &str) -> Result<Option<StoredRoster>>;
    /// The program and its components (display order), without its enrollments; a
    /// missing program MUST be `Ok(None)`.
    async fn program_with_components(&self, ws: &str, program_id: &str) -> Result<Option<(Program, Vec<Component>)>>;
}

#[async_trait]
impl<T: Table> RosterStore for Store<T> {
    async fn add_component(&self, ws: &str, program_id: &str, component: &Component) -> Result<()> {
        let key = component_key(ws, program_id, &component.id)?;
        let put = Write::Put {
            item: keyed(attributes(component)?, &key),
            cond: Some(Cond::Absent),
        };
        self.guarded(ws, program_id, put, StoreError::Conflict(Conflict::AlreadyExists))
            .await
    }

    async fn update_component(&self, ws: &str, program_id: &str, component: &Component) -> Result<()> {
        let key = component_key(ws, program_id, &component.id)?;
        let put = Write::Put {
            item: keyed(attributes(component)?, &key),
            cond: Some(Cond::Exists),
        };
        self.guarded(ws, program_id, put, StoreError::NotFound).await
    }

    async fn remove_component(&self, ws: &str, program_id: &str, component_id: &str) -> Result<()> {
        let delete = Write::Delete {
            key: component_key(ws, program_id, component_id)?,
            cond: Some(Cond::Exists),
        };
        self.guarded(ws, program_id, delete, StoreError::NotFound).await
    }

    async fn enroll(&self, ws: &str, program_id: &str, participants: &[Participant]) -> Result<()> {
        let chunk = TRANSACTION_MAX - 1;
        let mut puts = Vec::with_capacity(participants.len());
        for p in participants {
            let key = enrollment_key(ws, program_id, &p.user_id)?;
            let mut item = keyed(attributes(&EnrollmentRecord::new(p.clone()))?, &key);
            item.insert(attr::PROGRESS.into(), Value::Object(Item::new()));
            item.insert(attr::EXTENSIONS.into(), Value::Object(Item::new()));
            puts.push(Write::Put {
                item,
                cond: Some(Cond::Absent),
            });
        }
        if participants.len() > chunk {
            // More than one transaction: find users already enrolled first, so that the
            // request enrolls all or none (a concurrent enrollment of the same user can
            // still slip in between; the conditions keep it from being overwritten).
            let mut taken = Vec::new();
            for p in participants {
                if self
                    .table
                    .get(&enrollment_key(ws, program_id, &p.user_id)?)
                    .await?
                    .is_some()
                {
                    taken.push(p.user_id.clone());
                }
            }
            if !taken.is_empty() {
                return Err(StoreError::Conflict(Conflict::AlreadyEnrolled(taken)));
            }
        }
        let mut offset = 0;
        let mut rest = puts;
        while !rest.is_empty() {
            let tail = rest.split_off(rest.len().min(chunk));
            let size = rest.len();
            let mut writes = vec![Write::Check {
                key: program_key(ws, program_id)?,
                cond: active(),
            }];
            writes.extend(rest);
            if let Err(e) = self.table.transact(writes).await {
                let taken = match &e {
                    TableError::TransactionCancelled { failed } => failed
                        .iter()
                        .filter(|i| **i > 0)
                        .map(|i| participants[offset + i - 1].user_id.clone())
                        .collect(),
                    _ => Vec::new(),
                };
                return Err(self
                    .refusal(
                        ws,
                        program_id,
                        e,
                        StoreError::Conflict(Conflict::AlreadyEnrolled(taken)),
                    )
                    .await);
            }
            offset += size;
            rest = tail;
        }
        Ok(())
    }

    async fn unenroll(&self, ws: &str, program_id: &str, user_id: &str) -> Result<()> {
        let delete = Write::Delete {
            key: enrollment_key(ws, program_id, user_id)?,
            cond: Some(Cond::Exists),
        };
        self.guarded(ws, program_id, delete, StoreError::NotFound).await
    }

    async fn set_progress(
        &self,
        ws: &str,
        program_id: &str,
        user_id: &str,
        component_id: &str,
        status: ProgressStatus,
    ) -> Result<()> {
        let write = Write::update(enrollment_key(ws, program_id, user_id)?)
            .set(path(&[attr::PROGRESS, component_id]), status.as_str().into());
        self.enrollment_change(ws, program_id, component_id, write).await
    }

    async fn set_extension(
        &self,
        ws: &str,
        program_id: &str,
        user_id: &str,
        component_id: &str,
        due_at: Option<DateTime<Utc>>,
    ) -> Result<()> {
        let enrollment = Write::update(enrollment_key(ws, program_id, user_id)?);
        let enrollment = match due_at {
            Some(due) => enrollment.set(
                path(&[attr::EXTENSIONS, component_id]),
                serde_json::to_value(due).map_err(anyhow::Error::from)?,
            ),
            None => enrollment.remove(path(&[attr::EXTENSIONS, component_id])),
        };
        self.enrollment_change(ws, program_id, component_id, enrollment).await
    }

    async fn program_with_components(&self, ws: &str, program_id: &str) -> Result<Option<(Program, Vec<Component>)>> {
        let Some(program) = self.program(ws, program_id).await? else {
            return Ok(None);
        };
        let (items, _) = self
            .query_all(Query {
                pk: program_pk(ws, program_id)?,
                sk_prefix: Some(COMP.into()),
                ..Default::default()
            })
            .await?;
        let mut components: Vec<Component> = items.into_iter().map(decode).collect::<Result<_>>()?;
        components.sort_by(|a, b| a.position.cmp(&b.position).then_with(|| a.id.cmp(&b.id)));
        Ok(Some((program, components)))
    }

    async fn roster(&self, ws: &str, program_id: &str) -> Result<Option<StoredRoster>> {
        let Some(pk) = lookup(program_pk(ws, program_id))? else {
            return Ok(None);
        };
        let mut query = Query {
            pk,
            ..Default::default()
        };
        let mut program = None;
        let mut components = Vec::new();
        let mut enrollments = Vec::new();
        let mut run = None;
        let mut requests = 0;
        loop {
            let page = self.table.query_as::<RosterItem>(&query).await?;
            requests += page.requests;
            for item in page.items {
                match item {
                    RosterItem::Program(p) => program = Some(p),
                    RosterItem::Component(c) => components.push(c),
                    RosterItem::Enrollment(e) => enrollments.push(e),
                    RosterItem::Run(r) => run = Some(r),
                    RosterItem::Other => {}
                }
            }
            match page.last {
                Some(last) => query.after = Some(last),
                None => break,
            }
        }
        let Some(program) = program else { return Ok(None) };
        components.sort_by(|a, b| a.position.cmp(&b.position).then_with(|| a.id.cmp(&b.id)));
        Ok(Some(StoredRoster {
            program,
            components,
            enrollments,
            run,
            requests,
        }))
    }
}

/// An item of a program's partition, typed by its sort key.
#[allow(
    clippy::large_enum_variant,
    reason = "a page's items move straight into the roster's vectors; boxing would cost an allocation per enrollment"
)]
enum RosterItem {
    Program(Program),
    Component(Component),
    Enrollment(EnrollmentRecord),
    Run(RunRecord),
    Other,
}

impl FromItem for RosterItem {
    fn from_item<'de, De: serde::Deserializer<'de>>(sk: &str, attributes: De) -> std::result::Result<Self, De::Error> {
        Ok(if sk == PROGRAM {
            RosterItem::Program(Program::deserialize(attributes)?)
        } else if sk.starts_with(COMP) {
            RosterItem::Component(Component::deserialize(attributes)?)
        } else if sk.starts_with(ENR) {
            RosterItem::Enrollment(EnrollmentRecord::deserialize(attributes)?)
        } else if sk == RUN {
            RosterItem::Run(RunRecord::deserialize(attributes)?)
        } else {
            RosterItem::Other
        })
    }
}

impl<T: Table> Store<T> {
    /// A change to an enrollment about one component (its progress, its extension), in
    /// one transaction with the checks that the program is active and the component
    /// exists: `NotFound` for a missing enrollment or component, `Conflict(ProgramEnded)`
    /// once the program is not active.
    async fn enrollment_change(&self, ws: &str, program_id: &str, component_id: &str, write: Write) -> Result<()> {
        let writes = vec![
            Write::Check {
                key: program_key(ws, program_id)?,
                cond: active(),
            },
            Write::Check {
                key: component_key(ws, program_id, component_id)?,
                cond: Cond::Exists,
            },
            write.when(Cond::Exists),
        ];
        match self.table.transact(writes).await {
            Ok(()) => Ok(()),
            Err(e) => Err(self.refusal(ws, program_id, e, StoreError::NotFound).await),
        }
    }
}

impl<T: Table> Store<T> {
    /// A conditional update on an enrollment that answers whether it applied, telling a
    /// failed condition apart from a missing enrollment.
    pub(crate) async fn enrollment_mark(&self, key: Key, write: Write) -> Result<bool> {
        self.enrollment_marks(key, vec![write]).await
    }

    /// [`Store::enrollment_mark`] with what goes with the mark (its first write) in the
    /// same transaction.
    pub(crate) async fn enrollment_marks(&self, key: Key, writes: Vec<Write>) -> Result<bool> {
        match self.transact_or_write(writes).await {
            Ok(()) => Ok(true),
            Err(TableError::ConditionFailed) => self.marked_before(&key).await,
            Err(TableError::TransactionCancelled { failed }) if failed.contains(&0) => self.marked_before(&key).await,
            Err(e) => Err(e.into()),
        }
    }

    /// Why a mark's condition failed: set before (`false`), or no enrollment.
    async fn marked_before(&self, key: &Key) -> Result<bool> {
        match self.table.get(key).await? {
            Some(_) => Ok(false),
            None => Err(StoreError::NotFound),
        }
    }
}
