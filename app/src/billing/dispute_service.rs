//! Disputes (对账): an org contact disputes a line of the newest revision while its window is
//! open; a customer manager of the subsidiary declines, or accepts, which issues the next
//! revision with the line corrected. The callers have asked the rules with the statement's
//! organisation.

use super::{
    dispute::{Answer, AnswerInput, DisputeInput, DisputeOutcome},
    dispute_store::{self as store, NewDispute, Settlement},
    statement::{self, Statement},
    statement_service::{window_end, Telling},
    statement_store::{self, NewStatement},
    store as prices,
};
use crate::{
    auth::CurrentUser,
    db::Db,
    error::{AppError, Conflict},
    kernel::{OrgId, UserId},
    notifications::{service::{self as notify, About}, store::Batch, NotificationKind},
    state::AppState,
};
use chrono::{DateTime, Utc};

/// The organisation of a statement, for the caller's rules.
pub async fn statement_org(db: &Db, statement: i64) -> Result<OrgId, AppError> {
    statement_store::get(db, statement).await?.map(|s| s.org_id).ok_or(AppError::NotFound)
}

/// The organisation of a dispute's statement, for the caller's rules.
pub async fn dispute_org(db: &Db, dispute: i64) -> Result<OrgId, AppError> {
    store::get(db, dispute).await?.map(|row| row.org_id).ok_or(AppError::NotFound)
}

/// The notices to `targets`, unless nobody is to be told (the demo's past).
async fn notices(state: &AppState, telling: Telling, about: &About, targets: &[(UserId, NotificationKind)]) -> Result<Batch, AppError> {
    Ok(match telling {
        Telling::Readers => notify::build(&state.db, &state.settings, about, targets).await?,
        Telling::Nobody => Batch::default(),
    })
}

fn about(statement: &Statement, reference_no: &str, actor: &str, excerpt: &str) -> About {
    About {
        request_id: None,
        reference_no: None,
        title: format!("{} {} · {}", statement.org_name, statement.month.format("%Y-%m"), reference_no),
        link: format!("/statements/{}#disputes", statement.id),
        status: None,
        actor_name: Some(actor.to_string()),
        excerpt: Some(excerpt.chars().take(140).collect()),
    }
}

/// Who disputes or answers, as the thread names them.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    pub id: UserId,
    pub name: &'a str,
}

impl<'a> From<&'a CurrentUser> for Actor<'a> {
    fn from(user: &'a CurrentUser) -> Self {
        Actor { id: user.id, name: &user.display_name }
    }
}

/// Opens `user`'s dispute of one line; answers its id. The subsidiary's customer managers are
/// told in the same transaction.
pub async fn open(state: &AppState, user: Actor<'_>, input: &DisputeInput, telling: Telling, now: DateTime<Utc>) -> Result<i64, AppError> {
    let db = &state.db;
    let reason = input.check()?;
    let statement = statement_store::get(db, input.statement_id).await?.ok_or(AppError::NotFound)?;
    let line = usize::try_from(input.line_no - 1).ok().and_then(|i| statement.lines.get(i)).ok_or(AppError::NotFound)?;
    let newest = store::latest_revision(db, statement.org_id, statement.month).await?.map(|(id, _)| id);
    if newest != Some(statement.id) {
        return Err(AppError::Conflict(Conflict::Superseded));
    }
    if now > window_end(db, statement.issued_at).await? {
        return Err(AppError::Conflict(Conflict::DisputeWindowClosed));
    }
    let targets: Vec<(UserId, NotificationKind)> =
        store::managers(db, statement.org_id).await?.into_iter().map(|u| (u, NotificationKind::StatementDisputed)).collect();
    let batch = notices(state, telling, &about(&statement, &line.reference_no, user.name, &reason), &targets).await?;
    let new = NewDispute { statement_id: statement.id, line_no: input.line_no, opened_by: user.id, reason: &reason, now };
    let id = store::open(db, &new, &batch).await?.ok_or(AppError::Conflict(Conflict::AlreadyDisputed))?;
    state.live.committed(db, &batch.live_recipients());
    tracing::info!(dispute = id, statement = statement.id, line = input.line_no, "statement line disputed");
    Ok(id)
}

/// A customer manager's answer. Accepting issues the next revision of the month's statement,
/// the newest with the disputed line corrected; answers its id. The one who disputed and the
/// subsidiary's org contacts are told in the same transaction.
pub async fn answer(
    state: &AppState,
    user: Actor<'_>,
    input: &AnswerInput,
    telling: Telling,
    now: DateTime<Utc>,
) -> Result<Option<i64>, AppError> {
    let db = &state.db;
    let row = store::get(db, input.dispute_id).await?.ok_or(AppError::NotFound)?;
    let dispute = &row.dispute;
    if dispute.outcome != DisputeOutcome::Open {
        return Err(AppError::Conflict(Conflict::DisputeAnswered));
    }
    let checked = input.check(dispute.charge_minor)?;
    let (newest_id, newest_revision) = store::latest_revision(db, row.org_id, row.month).await?.ok_or(AppError::NotFound)?;
    let base = statement_store::get(db, newest_id).await?.ok_or(AppError::NotFound)?;
    let text = match &checked {
        Answer::Accept { answer, .. } | Answer::Decline { answer } => answer.clone(),
    };
    let settlement = Settlement { dispute: dispute.id, by: user.id, answer: &text, now };
    let mut targets: Vec<(UserId, NotificationKind)> = Vec::new();
    if let Some(who) = store::opener(db, dispute.id).await? {
        targets.push((who, NotificationKind::DisputeAnswered));
    }
    targets.extend(store::contacts(db, row.org_id).await?.into_iter().map(|u| (u, NotificationKind::DisputeAnswered)));
    match checked {
        Answer::Decline { .. } => {
            let batch = notices(state, telling, &about(&base, &dispute.reference_no, user.name, &text), &targets).await?;
            if !store::decline(db, &settlement, &batch).await? {
                return Err(AppError::Conflict(Conflict::DisputeAnswered));
            }
            state.live.committed(db, &batch.live_recipients());
            Ok(None)
        }
        Answer::Accept { corrected_minor, .. } => {
            // The newest revision carries the line at the same number; it may have been
            // corrected since the dispute was opened, and a correction only ever lowers it.
            let line = usize::try_from(dispute.line_no - 1).ok().and_then(|i| base.lines.get(i)).ok_or(AppError::Internal)?;
            if line.reference_no != dispute.reference_no || corrected_minor >= line.charge() {
                return Err(AppError::Conflict(Conflict::Stale));
            }
            let price_list = prices::versions(db).await?.into_iter().find(|v| v.id == base.price_list_id).ok_or(AppError::Internal)?;
            let lines = statement::corrected_lines(&base.lines, dispute.line_no, corrected_minor).ok_or(AppError::Internal)?;
            let totals = statement::totals(&lines, price_list.credit_cap_percent);
            let revision = NewStatement {
                org: row.org_id,
                month: row.month,
                revision: newest_revision + 1,
                price_list: &price_list,
                lines: &lines,
                totals: &totals,
                summary: &base.summary,
                now,
            };
            // The link leads to the revision they disputed, which links to its correction.
            let batch = notices(state, telling, &about(&base, &dispute.reference_no, user.name, &text), &targets).await?;
            let id = store::accept(db, &settlement, corrected_minor, &revision, &batch).await?.ok_or(AppError::Conflict(Conflict::Stale))?;
            state.live.committed(db, &batch.live_recipients());
            tracing::info!(dispute = dispute.id, revision = id, "dispute accepted; corrected revision issued");
            Ok(Some(id))
        }
    }
}
