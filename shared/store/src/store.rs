//! The storage traits implemented once over a [`Table`].

use async_trait::async_trait;
use base64::Engine;
use certify_rules::{
    Certificate, Certification, CertificationFields, Component, EnrollmentRecord, Participant, Program, ProgramFields,
    ProgramState, ProgressStatus, RunRecord, RunState,
};
use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::items::*;
use crate::table::{
    key_attributes, path, Cond, Item, Key, Query, Table, TableError, Write, BY_CERTIFICATION, BY_USER, BY_WORKSPACE,
    OPEN_PROGRAMS, SK,
};
use crate::{
    CertificateStore, CertificationStore, Claim, Conflict, Lease, NotifyMark, Page, PageRequest, ProgramStore, Result,
    RosterStore, RunStore, SettingsStore, StoreError, StoredRoster, WorkspaceSettings,
};

/// Most writes in one transaction: DynamoDB's limit.
const TRANSACTION_MAX: usize = 100;

/// The storage traits over one table (DynamoDB or embedded).
#[derive(Clone)]
pub struct Store<T: Table> {
    table: T,
}

fn active() -> Cond {
    Cond::Eq("state", Value::from("active"))
}

fn encode_cursor(key: &Item) -> Result<String> {
    let json = serde_json::to_vec(key).map_err(anyhow::Error::from)?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json))
}

fn decode_cursor(cursor: &str) -> Result<Item> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .map_err(|_| StoreError::BadCursor)?;
    serde_json::from_slice(&bytes).map_err(|_| StoreError::BadCursor)
}

/// A key built from ids that may not be ids at all: such a key names nothing.
fn lookup<K>(key: Result<K>) -> Result<Option<K>> {
    match key {
        Ok(key) => Ok(Some(key)),
        Err(StoreError::NotFound) => Ok(None),
        Err(e) => Err(e),
    }
}

impl<T: Table> Store<T> {
    pub fn new(table: T) -> Self {
        Store { table }
    }

    pub fn table(&self) -> &T {
        &self.table
    }

    /// The item at a key that may name nothing, decoded.
    async fn get_decoded<D: serde::de::DeserializeOwned>(&self, key: Result<Key>) -> Result<Option<D>> {
        let Some(key) = lookup(key)? else { return Ok(None) };
        self.table.get(&key).await?.map(decode).transpose()
    }

    /// Every item of a query, following pages; with the requests it cost.
    async fn query_all(&self, mut query: Query) -> Result<(Vec<Item>, usize)> {
        let mut items = Vec::new();
        let mut requests = 0;
        loop {
            let page = self.table.query(&query).await?;
            requests += page.requests;
            items.extend(page.items);
            match page.last {
                Some(last) => query.after = Some(last),
                None => return Ok((items, requests)),
            }
        }
    }

    /// One page of a list: `limit` kept items and a cursor after the last one when more
    /// may follow.
    async fn list(&self, mut query: Query, page: &PageRequest, keep: impl Fn(&Item) -> bool) -> Result<Page<Item>> {
        let limit = page.limit.max(1);
        query.after = page.cursor.as_deref().map(decode_cursor).transpose()?;
        let mut items = Vec::new();
        loop {
            query.limit = Some(limit + 1 - items.len());
            let read = self.table.query(&query).await?;
            items.extend(read.items.into_iter().filter(&keep));
            match read.last {
                Some(last) if items.len() <= limit => query.after = Some(last),
                _ => break,
            }
        }
        let more = items.len() > limit;
        items.truncate(limit);
        let next_cursor = match items.last() {
            Some(last) if more => Some(encode_cursor(&key_attributes(last, query.index))?),
            _ => None,
        };
        Ok(Page { items, next_cursor })
    }

    /// Why a write guarded by "the program is active" (position 0 of its transaction)
    /// was refused: no program, a program no longer active, or else the write's own
    /// target (`target` says what its failed condition means).
    async fn refusal(&self, ws: &str, program_id: &str, error: TableError, target: StoreError) -> StoreError {
        match error {
            TableError::TransactionCancelled { failed } if !failed.is_empty() => {
                if failed.contains(&0) {
                    match self.program_state(ws, program_id).await {
                        Ok(None) => StoreError::NotFound,
                        Ok(Some(_)) => StoreError::Conflict(Conflict::ProgramEnded),
                        Err(e) => e,
                    }
                } else {
                    target
                }
            }
            other => other.into(),
        }
    }

    async fn program_state(&self, ws: &str, program_id: &str) -> Result<Option<ProgramState>> {
        Ok(self.program(ws, program_id).await?.map(|p| p.state))
    }

    async fn guarded(&self, ws: &str, program_id: &str, write: Write, target: StoreError) -> Result<()> {
        let check = Write::Check {
            key: program_key(ws, program_id)?,
            cond: active(),
        };
        match self.table.transact(vec![check, write]).await {
            Ok(()) => Ok(()),
            Err(e) => Err(self.refusal(ws, program_id, e, target).await),
        }
    }

    fn program_write(ws: &str, program: &Program, write: Write) -> Result<Write> {
        let mut write = set_fields(write, program, &["certification_id", "ended_at"])?;
        let (set, remove) = program_index_attributes(ws, program);
        for (name, value) in set {
            write = write.set(vec![name], value);
        }
        for name in remove {
            write = write.remove(path(&[name]));
        }
        Ok(write.set(path(&["workspace_id"]), ws.into()))
    }

    /// Creates the program item (`extra` adds attributes), counting its link.
    async fn create(&self, ws: &str, program: &Program, extra: impl FnOnce(Write) -> Write) -> Result<()> {
        let key = program_key(ws, &program.id)?;
        let put = extra(Self::program_write(ws, program, Write::update(key))?).when(Cond::Absent);
        let result = match &program.certification_id {
            None => self.table.write(put).await,
            Some(cid) => self.table.transact(vec![Self::link(ws, cid)?, put]).await,
        };
        match result {
            Ok(()) => Ok(()),
            Err(TableError::ConditionFailed) => Err(StoreError::Conflict(Conflict::AlreadyExists)),
            Err(TableError::TransactionCancelled { failed }) if failed.contains(&0) => {
                Err(StoreError::Conflict(Conflict::CertificationUnavailable))
            }
            Err(TableError::TransactionCancelled { failed }) if failed.contains(&1) => {
                Err(StoreError::Conflict(Conflict::AlreadyExists))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Counts one more open program linking a certification; refused when it is missing
    /// or archived.
    fn link(ws: &str, certification_id: &str) -> Result<Write> {
        Ok(Write::update(certification_key(ws, certification_id)?)
            .add(OPEN_LINKS, 1)
            .when(Cond::All(vec![Cond::Exists, Cond::AttrAbsent("archived_at")])))
    }

    /// Counts one open program fewer (unlinked, or ended).
    fn unlink(ws: &str, certification_id: &str) -> Result<Write> {
        Ok(Write::update(certification_key(ws, certification_id)?)
            .add(OPEN_LINKS, -1)
            .when(Cond::Exists))
    }
}

#[async_trait]
impl<T: Table> SettingsStore for Store<T> {
    async fn settings(&self, ws: &str) -> Result<WorkspaceSettings> {
        match self.table.get(&settings_key(ws)?).await? {
            Some(item) => decode(item),
            None => Ok(WorkspaceSettings::default()),
        }
    }

    async fn put_settings(&self, ws: &str, settings: &WorkspaceSettings) -> Result<()> {
        let key = settings_key(ws)?;
        let item = keyed(attributes(settings)?, &key);
        Ok(self.table.write(Write::Put { item, cond: None }).await?)
    }
}

#[async_trait]
impl<T: Table> CertificationStore for Store<T> {
    async fn create_certification(&self, ws: &str, certification: &Certification) -> Result<()> {
        let key = certification_key(ws, &certification.id)?;
        let mut item = keyed(attributes(certification)?, &key);
        item.insert(OPEN_LINKS.into(), 0.into());
        match self
            .table
            .write(Write::Put {
                item,
                cond: Some(Cond::Absent),
            })
            .await
        {
            Err(TableError::ConditionFailed) => Err(StoreError::Conflict(Conflict::AlreadyExists)),
            other => Ok(other?),
        }
    }

    async fn certification(&self, ws: &str, id: &str) -> Result<Option<Certification>> {
        self.get_decoded(certification_key(ws, id)).await
    }

    async fn certifications(
        &self,
        ws: &str,
        include_archived: bool,
        page: &PageRequest,
    ) -> Result<Page<Certification>> {
        let query = Query {
            pk: workspace_pk(ws)?,
            sk_prefix: Some(CERT.into()),
            ..Default::default()
        };
        let page = self
            .list(query, page, |item| {
                include_archived || !item.contains_key("archived_at")
            })
            .await?;
        Ok(Page {
            items: page.items.into_iter().map(decode).collect::<Result<_>>()?,
            next_cursor: page.next_cursor,
        })
    }

    async fn update_certification(
        &self,
        ws: &str,
        current: &Certification,
        fields: &CertificationFields,
        now: DateTime<Utc>,
    ) -> Result<Certification> {
        let next = Certification {
            fields: fields.clone(),
            updated_at: now,
            version: current.version + 1,
            ..current.clone()
        };
        let write = set_fields(
            Write::update(certification_key(ws, &current.id)?),
            &next,
            &["validity", "archived_at"],
        )?
        .when(Cond::All(vec![
            Cond::Exists,
            Cond::AttrAbsent("archived_at"),
            Cond::Eq("version", current.version.into()),
        ]));
        match self.table.write(write).await {
            Ok(()) => Ok(next),
            Err(TableError::ConditionFailed) => match self.certification(ws, &current.id).await? {
                Some(c) if !c.is_archived() => Err(StoreError::Conflict(Conflict::StaleVersion)),
                _ => Err(StoreError::NotFound),
            },
            Err(e) => Err(e.into()),
        }
    }

    async fn archive_certification(
        &self,
        ws: &str,
        id: &str,
        expected_version: Option<u64>,
        now: DateTime<Utc>,
    ) -> Result<Certification> {
        let key = certification_key(ws, id)?;
        let current = self.get_decoded::<Certification>(Ok(key.clone())).await?;
        let current = current.filter(|c| !c.is_archived()).ok_or(StoreError::NotFound)?;
        if expected_version.is_some_and(|v| v != current.version) {
            return Err(StoreError::Conflict(Conflict::StaleVersion));
        }
        let next = Certification {
            archived_at: Some(now),
            updated_at: now,
            version: current.version + 1,
            ..current.clone()
        };
        // The open-link count changes in the same transactions as links and program
        // ends, so this condition sees every link, however recent.
        let write = Write::update(key.clone())
            .set(path(&["archived_at"]), json(&now)?)
            .set(path(&["updated_at"]), json(&now)?)
            .set(path(&["version"]), next.version.into())
            .when(Cond::All(vec![
                Cond::Eq("version", current.version.into()),
                Cond::Eq(OPEN_LINKS, 0.into()),
            ]));
        match self.table.write(write).await {
            Ok(()) => Ok(next),
            Err(TableError::ConditionFailed) => {
                let item = self.table.get(&key).await?.ok_or(StoreError::NotFound)?;
                match item.get(OPEN_LINKS).and_then(Value::as_i64) {
                    _ if item.contains_key("archived_at") => Err(StoreError::NotFound),
                    Some(open) if open > 0 => Err(StoreError::Conflict(Conflict::CertificationInUse)),
                    _ => Err(StoreError::Conflict(Conflict::StaleVersion)),
                }
            }
            Err(e) => Err(e.into()),
        }
    }
}

#[async_trait]
impl<T: Table> ProgramStore for Store<T> {
    async fn create_program(&self, ws: &str, program: &Program) -> Result<()> {
        self.create(ws, program, |w| w).await
    }

    async fn program(&self, ws: &str, id: &str) -> Result<Option<Program>> {
        self.get_decoded(program_key(ws, id)).await
    }

    async fn programs(&self, ws: &str, page: &PageRequest) -> Result<Page<Program>> {
        let query = Query {
            index: Some(BY_WORKSPACE),
            pk: programs_of(id(ws)?),
            ..Default::default()
        };
        let page = self.list(query, page, |_| true).await?;
        Ok(Page {
            items: page.items.into_iter().map(decode).collect::<Result<_>>()?,
            next_cursor: page.next_cursor,
        })
    }

    async fn update_program(
        &self,
        ws: &str,
        current: &Program,
        fields: &ProgramFields,
        now: DateTime<Utc>,
    ) -> Result<Program> {
        let next = Program {
            name: fields.name.clone(),
            starts_at: fields.starts_at,
            ends_at: fields.ends_at,
            certification_id: fields.certification_id.clone(),
            updated_at: now,
            version: current.version + 1,
            ..current.clone()
        };
        let write =
            Self::program_write(ws, &next, Write::update(program_key(ws, &current.id)?))?.when(Cond::All(vec![
                Cond::Exists,
                active(),
                Cond::Eq("version", current.version.into()),
            ]));
        let mut writes = vec![write];
        let relinked = next.certification_id != current.certification_id;
        if let Some(cid) = next.certification_id.as_deref().filter(|_| relinked) {
            writes.push(Self::link(ws, cid)?);
        }
        if let Some(cid) = current.certification_id.as_deref().filter(|_| relinked) {
            writes.push(Self::unlink(ws, cid)?);
        }
        match self.transact_or_write(writes).await {
            Ok(()) => return Ok(next),
            Err(TableError::ConditionFailed) => {}
            Err(TableError::TransactionCancelled { failed }) if failed.contains(&0) => {}
            Err(TableError::TransactionCancelled { failed })
                if failed.contains(&1) && next.certification_id.is_some() =>
            {
                return Err(StoreError::Conflict(Conflict::CertificationUnavailable))
            }
            Err(e) => return Err(e.into()),
        }
        match self.program(ws, &current.id).await? {
            None => Err(StoreError::NotFound),
            Some(p) if p.state != ProgramState::Active => Err(StoreError::Conflict(Conflict::ProgramEnded)),
            Some(_) => Err(StoreError::Conflict(Conflict::StaleVersion)),
        }
    }

    async fn import_program(
        &self,
        ws: &str,
        program: &Program,
        components: &[Component],
        enrollments: &[EnrollmentRecord],
    ) -> Result<()> {
        let mut seen = std::collections::HashSet::new();
        let twice: Vec<String> = enrollments
            .iter()
            .map(|e| e.participant.user_id.clone())
            .filter(|u| !seen.insert(u.clone()))
            .collect();
        if !twice.is_empty() {
            return Err(StoreError::Conflict(Conflict::AlreadyEnrolled(twice)));
        }
        let key = program_key(ws, &program.id)?;
        let mut items = Vec::with_capacity(components.len() + enrollments.len());
        for c in components {
            items.push(keyed(attributes(c)?, &component_key(ws, &program.id, &c.id)?));
        }
        for e in enrollments {
            let mut item = keyed(
                attributes(e)?,
                &enrollment_key(ws, &program.id, &e.participant.user_id)?,
            );
            item.entry("extensions").or_insert_with(|| Value::Object(Item::new()));
            items.push(item);
        }
        match self
            .create(ws, program, |w| w.set(path(&[IMPORTING]), true.into()))
            .await
        {
            Ok(()) => {}
            Err(StoreError::Conflict(Conflict::AlreadyExists)) => {
                let unfinished = self.table.get(&key).await?.is_some_and(|i| i.contains_key(IMPORTING));
                if !unfinished {
                    return Err(StoreError::Conflict(Conflict::AlreadyExists));
                }
            }
            Err(e) => return Err(e),
        }
        self.table.put_batch(items).await?;
        let done = Write::update(key).remove(path(&[IMPORTING])).when(Cond::Exists);
        Ok(self.table.write(done).await?)
    }

    async fn programs_linking(&self, ws: &str, certification_id: &str) -> Result<Vec<Program>> {
        let query = Query {
            index: Some(BY_CERTIFICATION),
            pk: linking(id(ws)?, id(certification_id)?),
            ..Default::default()
        };
        let (items, _) = self.query_all(query).await?;
        items.into_iter().map(decode).collect()
    }
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
            item.insert("progress".into(), Value::Object(Item::new()));
            item.insert("extensions".into(), Value::Object(Item::new()));
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
        let writes = vec![
            Write::Check {
                key: program_key(ws, program_id)?,
                cond: active(),
            },
            Write::Check {
                key: component_key(ws, program_id, component_id)?,
                cond: Cond::Exists,
            },
            Write::update(enrollment_key(ws, program_id, user_id)?)
                .set(path(&["progress", component_id]), status.as_str().into())
                .when(Cond::Exists),
        ];
        match self.table.transact(writes).await {
            Ok(()) => Ok(()),
            Err(e) => Err(self.refusal(ws, program_id, e, StoreError::NotFound).await),
        }
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
                path(&["extensions", component_id]),
                serde_json::to_value(due).map_err(anyhow::Error::from)?,
            ),
            None => enrollment.remove(path(&["extensions", component_id])),
        };
        let writes = vec![
            Write::Check {
                key: program_key(ws, program_id)?,
                cond: active(),
            },
            Write::Check {
                key: component_key(ws, program_id, component_id)?,
                cond: Cond::Exists,
            },
            enrollment.when(Cond::Exists),
        ];
        match self.table.transact(writes).await {
            Ok(()) => Ok(()),
            Err(e) => Err(self.refusal(ws, program_id, e, StoreError::NotFound).await),
        }
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
        let (items, requests) = self
            .query_all(Query {
                pk,
                ..Default::default()
            })
            .await?;
        let mut program = None;
        let mut components = Vec::new();
        let mut enrollments = Vec::new();
        let mut run: Option<RunRecord> = None;
        for item in items {
            let sk = item.get(SK).and_then(Value::as_str).unwrap_or_default().to_string();
            if sk == PROGRAM {
                program = Some(decode::<Program>(item)?);
            } else if sk.starts_with(COMP) {
                components.push(decode::<Component>(item)?);
            } else if sk.starts_with(ENR) {
                enrollments.push(decode::<EnrollmentRecord>(item)?);
            } else if sk == RUN {
                run = Some(decode(item)?);
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

fn json<T: serde::Serialize>(value: &T) -> Result<Value> {
    Ok(serde_json::to_value(value).map_err(anyhow::Error::from)?)
}

/// The run record's lease attributes (kept beside the record, never part of it).
const LEASE_OWNER: &str = "lease_owner";
const LEASE_UNTIL: &str = "lease_until";

/// Sets the outcome (and certificate id) of an enrollment that has none.
fn claim_write(ws: &str, program_id: &str, user_id: &str, claim: &Claim) -> Result<Write> {
    let mut write =
        Write::update(enrollment_key(ws, program_id, user_id)?).set(path(&["outcome"]), json(&claim.outcome)?);
    if let Some(id) = &claim.certificate_id {
        write = write.set(path(&["certificate_id"]), id.clone().into());
    }
    Ok(write.when(Cond::All(vec![Cond::Exists, Cond::AttrAbsent("outcome")])))
}

/// Sets the notified mark of an enrollment that has none.
fn notify_write(ws: &str, program_id: &str, mark: &NotifyMark, at: DateTime<Utc>) -> Result<Write> {
    let mut write =
        Write::update(enrollment_key(ws, program_id, &mark.user_id)?).set(path(&["notified_at"]), json(&at)?);
    if let Some(error) = &mark.error {
        write = write.set(path(&["notify_error"]), error.clone().into());
    }
    Ok(write.when(Cond::All(vec![Cond::Exists, Cond::AttrAbsent("notified_at")])))
}

impl<T: Table> Store<T> {
    /// A conditional update on an enrollment that answers whether it applied, telling a
    /// failed condition apart from a missing enrollment.
    async fn enrollment_mark(&self, key: Key, write: Write) -> Result<bool> {
        match self.table.write(write).await {
            Ok(()) => Ok(true),
            Err(TableError::ConditionFailed) => match self.table.get(&key).await? {
                Some(_) => Ok(false),
                None => Err(StoreError::NotFound),
            },
            Err(e) => Err(e.into()),
        }
    }

    /// One write alone, or several in a transaction.
    async fn transact_or_write(&self, mut writes: Vec<Write>) -> Result<(), TableError> {
        if writes.len() == 1 {
            self.table.write(writes.remove(0)).await
        } else {
            self.table.transact(writes).await
        }
    }

    /// Moves the program out of state `from` with `write`, and `also` in the same
    /// transaction.
    async fn transition(
        &self,
        ws: &str,
        program_id: &str,
        from: &str,
        write: Write,
        also: Vec<Write>,
    ) -> Result<Program> {
        let key = program_key(ws, program_id)?;
        let mut writes = vec![write.when(Cond::Eq("state", from.into()))];
        writes.extend(also);
        match self.transact_or_write(writes).await {
            Ok(()) => return self.program(ws, program_id).await?.ok_or(StoreError::NotFound),
            Err(TableError::ConditionFailed) => {}
            Err(TableError::TransactionCancelled { failed }) if failed.contains(&0) => {}
            Err(e) => return Err(e.into()),
        }
        match self.table.get(&key).await? {
            Some(_) => Err(StoreError::Conflict(Conflict::ProgramEnded)),
            None => Err(StoreError::NotFound),
        }
    }
}

#[async_trait]
impl<T: Table> RunStore for Store<T> {
    async fn begin_end(&self, ws: &str, program_id: &str, ended_at: DateTime<Utc>) -> Result<Program> {
        let write = Write::update(program_key(ws, program_id)?)
            .set(path(&["state"]), "ending".into())
            .set(path(&["ended_at"]), json(&ended_at)?)
            .set(
                path(&[OPEN_PROGRAMS.sk]),
                open_sort_key(ws, program_id, ended_at).into(),
            )
            .add("version", 1);
        self.transition(ws, program_id, "active", write, Vec::new()).await
    }

    async fn finish_end(&self, ws: &str, program_id: &str) -> Result<Program> {
        let write = Write::update(program_key(ws, program_id)?)
            .set(path(&["state"]), "ended".into())
            .remove(path(&[OPEN_PROGRAMS.pk]))
            .remove(path(&[OPEN_PROGRAMS.sk]))
            .add("version", 1);
        // An ended program stops counting as an open link; its link cannot change once
        // it is ending, so the one read here is the one to release.
        let program = self.program(ws, program_id).await?.ok_or(StoreError::NotFound)?;
        let release = match program.certification_id.as_deref() {
            Some(cid) if program.state == ProgramState::Ending => vec![Self::unlink(ws, cid)?],
            _ => Vec::new(),
        };
        self.transition(ws, program_id, "ending", write, release).await
    }

    async fn open_programs(&self, until: DateTime<Utc>, limit: usize) -> Result<Vec<(String, Program)>> {
        let until = until.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let page = self
            .table
            .query(&Query {
                index: Some(OPEN_PROGRAMS),
                pk: OPEN.into(),
                // `$` sorts right after `#`: every key of that second is included.
                sk_at_most: Some(format!("{until}$")),
                limit: Some(limit.max(1)),
                ..Default::default()
            })
            .await?;
        page.items
            .into_iter()
            .map(|item| {
                let ws = item
                    .get("workspace_id")
                    .and_then(Value::as_str)
                    .ok_or_else(|| anyhow::anyhow!("a program item without its workspace"))?
                    .to_string();
                Ok((ws, decode(item)?))
            })
            .collect()
    }

    async fn start_run(&self, ws: &str, record: &RunRecord) -> Result<RunRecord> {
        let key = run_key(ws, &record.program_id)?;
        let item = keyed(attributes(record)?, &key);
        match self
            .table
            .write(Write::Put {
                item,
                cond: Some(Cond::Absent),
            })
            .await
        {
            Ok(()) => Ok(record.clone()),
            Err(TableError::ConditionFailed) => self.run(ws, &record.program_id).await?.ok_or(StoreError::NotFound),
            Err(e) => Err(e.into()),
        }
    }

    async fn run(&self, ws: &str, program_id: &str) -> Result<Option<RunRecord>> {
        self.get_decoded(run_key(ws, program_id)).await
    }

    async fn take_run(
        &self,
        ws: &str,
        program_id: &str,
        lease: &Lease,
        now: DateTime<Utc>,
    ) -> Result<Option<RunRecord>> {
        let key = run_key(ws, program_id)?;
        let Some(item) = self.table.get(&key).await? else {
            return Err(StoreError::NotFound);
        };
        let record: RunRecord = decode(item.clone())?;
        let holder = item.get(LEASE_OWNER).and_then(Value::as_str);
        let live = item
            .get(LEASE_UNTIL)
            .and_then(|v| serde_json::from_value::<DateTime<Utc>>(v.clone()).ok())
            .is_some_and(|until| until > now);
        if record.state != RunState::Running || (live && holder != Some(lease.owner.as_str())) {
            return Ok(None);
        }
        let held = match holder {
            Some(h) => Cond::Eq(LEASE_OWNER, h.into()),
            None => Cond::AttrAbsent(LEASE_OWNER),
        };
        let write = Write::update(key)
            .set(path(&[LEASE_OWNER]), lease.owner.clone().into())
            .set(path(&[LEASE_UNTIL]), json(&lease.until)?)
            .when(Cond::All(vec![Cond::Eq("state", "running".into()), held]));
        match self.table.write(write).await {
            Ok(()) => Ok(Some(record)),
            Err(TableError::ConditionFailed) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    async fn save_run(&self, ws: &str, record: &RunRecord, lease: Option<&Lease>) -> Result<()> {
        let key = run_key(ws, &record.program_id)?;
        let mut item = keyed(attributes(record)?, &key);
        let mut cond = vec![Cond::Eq("state", "running".into())];
        if let Some(lease) = lease {
            item.insert(LEASE_OWNER.into(), lease.owner.clone().into());
            item.insert(LEASE_UNTIL.into(), json(&lease.until)?);
            cond.push(Cond::Eq(LEASE_OWNER, lease.owner.clone().into()));
        }
        match self
            .table
            .write(Write::Put {
                item,
                cond: Some(Cond::All(cond)),
            })
            .await
        {
            Err(TableError::ConditionFailed) => Err(StoreError::Conflict(Conflict::StaleVersion)),
            other => Ok(other?),
        }
    }

    async fn claim_outcome(&self, ws: &str, program_id: &str, user_id: &str, claim: &Claim) -> Result<Claim> {
        let key = enrollment_key(ws, program_id, user_id)?;
        let write = claim_write(ws, program_id, user_id, claim)?;
        if self.enrollment_mark(key.clone(), write).await? {
            return Ok(claim.clone());
        }
        let item = self.table.get(&key).await?.ok_or(StoreError::NotFound)?;
        let outcome = item
            .get("outcome")
            .cloned()
            .ok_or_else(|| anyhow::anyhow!("a refused claim without a stored outcome"))?;
        Ok(Claim {
            outcome: serde_json::from_value(outcome).map_err(anyhow::Error::from)?,
            certificate_id: item.get("certificate_id").and_then(Value::as_str).map(String::from),
        })
    }

    async fn claim_outcomes(&self, ws: &str, program_id: &str, claims: &[(String, Claim)]) -> Result<Vec<Claim>> {
        let mut answers = Vec::with_capacity(claims.len());
        for chunk in claims.chunks(TRANSACTION_MAX) {
            let writes = chunk
                .iter()
                .map(|(user_id, claim)| claim_write(ws, program_id, user_id, claim))
                .collect::<Result<Vec<_>>>()?;
            match self.transact_or_write(writes).await {
                Ok(()) => answers.extend(chunk.iter().map(|(_, claim)| claim.clone())),
                // Some were claimed before (a resumed or racing run): one by one, each
                // answering the claim that stands.
                Err(TableError::ConditionFailed | TableError::TransactionCancelled { .. }) => {
                    for (user_id, claim) in chunk {
                        answers.push(self.claim_outcome(ws, program_id, user_id, claim).await?);
                    }
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok(answers)
    }

    async fn mark_notified(
        &self,
        ws: &str,
        program_id: &str,
        marks: &[NotifyMark],
        at: DateTime<Utc>,
    ) -> Result<usize> {
        let mut set = 0;
        for chunk in marks.chunks(TRANSACTION_MAX) {
            let writes = chunk
                .iter()
                .map(|mark| notify_write(ws, program_id, mark, at))
                .collect::<Result<Vec<_>>>()?;
            match self.transact_or_write(writes).await {
                Ok(()) => set += chunk.len(),
                Err(TableError::ConditionFailed | TableError::TransactionCancelled { .. }) => {
                    for mark in chunk {
                        let key = enrollment_key(ws, program_id, &mark.user_id)?;
                        if self
                            .enrollment_mark(key, notify_write(ws, program_id, mark, at)?)
                            .await?
                        {
                            set += 1;
                        }
                    }
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok(set)
    }

    async fn mark_nudged(
        &self,
        ws: &str,
        program_id: &str,
        user_id: &str,
        previous: Option<DateTime<Utc>>,
        at: DateTime<Utc>,
    ) -> Result<bool> {
        let key = enrollment_key(ws, program_id, user_id)?;
        let still = match previous {
            None => Cond::AttrAbsent("last_nudged_at"),
            Some(p) => Cond::Eq("last_nudged_at", json(&p)?),
        };
        let write = Write::update(key.clone())
            .set(path(&["last_nudged_at"]), json(&at)?)
            .when(Cond::All(vec![Cond::Exists, still]));
        self.enrollment_mark(key, write).await
    }
}

/// Stores a certificate, points the active pointer at it (expecting `previous`) and
/// revokes `previous`; write 0 is the certificate, 1 the pointer.
fn issue_writes(ws: &str, certificate: &Certificate, previous: Option<&str>, at: DateTime<Utc>) -> Result<Vec<Write>> {
    let mut item = keyed(attributes(certificate)?, &certificate_key(&certificate.id)?);
    item.insert("workspace_id".into(), ws.into());
    item.insert(BY_USER.pk.into(), user_pk(ws, &certificate.user_id)?.into());
    item.insert(
        BY_USER.sk.into(),
        format!("{}#{}", certificate.issued_on, certificate.id).into(),
    );
    let pointer = active_key(ws, &certificate.user_id, &certificate.certification.id)?;
    let mut pointer_item = keyed(Item::new(), &pointer);
    pointer_item.insert("certificate_id".into(), certificate.id.clone().into());
    let mut writes = vec![
        Write::Put {
            item,
            cond: Some(Cond::Absent),
        },
        Write::Put {
            item: pointer_item,
            cond: Some(match previous {
                None => Cond::Absent,
                Some(old) => Cond::Eq("certificate_id", old.into()),
            }),
        },
    ];
    if let Some(old) = previous {
        writes.push(
            Write::update(certificate_key(old)?)
                .set(path(&["revoked_at"]), json(&at)?)
                .set(path(&["revoked_reason"]), "replaced".into())
                .set(path(&["replaced_by"]), certificate.id.clone().into())
                .when(Cond::All(vec![Cond::Exists, Cond::AttrAbsent("revoked_at")])),
        );
    }
    Ok(writes)
}

#[async_trait]
impl<T: Table> CertificateStore for Store<T> {
    async fn issue_certificate(&self, ws: &str, certificate: &Certificate, at: DateTime<Utc>) -> Result<bool> {
        // Optimistic: most holders have no active certificate yet, so the first attempt
        // expects none and costs one request; a refused pointer says which one to revoke.
        let pointer = active_key(ws, &certificate.user_id, &certificate.certification.id)?;
        let mut previous: Option<String> = None;
        for _ in 0..3 {
            match self
                .table
                .transact(issue_writes(ws, certificate, previous.as_deref(), at)?)
                .await
            {
                Ok(()) => return Ok(true),
                Err(TableError::TransactionCancelled { failed }) if failed.contains(&0) => return Ok(false),
                Err(TableError::TransactionCancelled { failed }) if failed.contains(&1) => {
                    previous = self
                        .table
                        .get(&pointer)
                        .await?
                        .and_then(|i| i.get("certificate_id").and_then(Value::as_str).map(String::from));
                }
                Err(TableError::TransactionCancelled { failed }) if !failed.is_empty() => {
                    return Err(StoreError::Conflict(Conflict::StaleVersion))
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(StoreError::Conflict(Conflict::StaleVersion))
    }

    async fn certificate(&self, id: &str) -> Result<Option<(String, Certificate)>> {
        let Some(key) = lookup(certificate_key(id))? else {
            return Ok(None);
        };
        let Some(item) = self.table.get(&key).await? else {
            return Ok(None);
        };
        let ws = item
            .get("workspace_id")
            .and_then(Value::as_str)
            .ok_or_else(|| anyhow::anyhow!("a certificate item without its workspace"))?
            .to_string();
        Ok(Some((ws, decode(item)?)))
    }

    async fn certificates_of(&self, ws: &str, user_id: &str) -> Result<Vec<Certificate>> {
        let (items, _) = self
            .query_all(Query {
                index: Some(BY_USER),
                pk: user_pk(ws, user_id)?,
                ..Default::default()
            })
            .await?;
        let mut certificates: Vec<Certificate> = items.into_iter().map(decode).collect::<Result<_>>()?;
        certificates.reverse();
        Ok(certificates)
    }

    async fn active_certificate(&self, ws: &str, user_id: &str, certification_id: &str) -> Result<Option<String>> {
        let item = self.table.get(&active_key(ws, user_id, certification_id)?).await?;
        Ok(item.and_then(|i| i.get("certificate_id").and_then(Value::as_str).map(String::from)))
    }

    async fn revoke_certificate(&self, ws: &str, id: &str, reason: &str, at: DateTime<Utc>) -> Result<Certificate> {
        let (owner, certificate) = self.certificate(id).await?.ok_or(StoreError::NotFound)?;
        if owner != ws {
            return Err(StoreError::NotFound);
        }
        if certificate.revoked_at.is_some() {
            return Err(StoreError::Conflict(Conflict::StaleVersion));
        }
        let pointer = active_key(ws, &certificate.user_id, &certificate.certification.id)?;
        let mut writes = vec![Write::update(certificate_key(id)?)
            .set(path(&["revoked_at"]), json(&at)?)
            .set(path(&["revoked_reason"]), reason.into())
            .when(Cond::All(vec![Cond::Exists, Cond::AttrAbsent("revoked_at")]))];
        if self
            .active_certificate(ws, &certificate.user_id, &certificate.certification.id)
            .await?
            .as_deref()
            == Some(id)
        {
            writes.push(Write::Delete {
                key: pointer,
                cond: Some(Cond::Eq("certificate_id", id.into())),
            });
        }
        match self.table.transact(writes).await {
            Ok(()) => Ok(Certificate {
                revoked_at: Some(at),
                revoked_reason: Some(reason.to_string()),
                ..certificate
            }),
            Err(TableError::TransactionCancelled { failed }) if !failed.is_empty() => {
                Err(StoreError::Conflict(Conflict::StaleVersion))
            }
            Err(e) => Err(e.into()),
        }
    }
}
