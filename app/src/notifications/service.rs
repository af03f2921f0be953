//! Who hears of what: the rules that turn a change into notifications and emails, each
//! shaped by its recipient's preferences and language.

use super::{
    email::{self, Mail},
    store::{self, Batch, NewNotification, StoredPreferences},
    KindPreference, NotificationKind, Preferences,
};
use crate::{
    auth::CurrentUser,
    db::Db,
    error::{AppError, Field, Problem},
    kernel::{OrgId, RequestId, RequestStatus, Role, UserId},
    state::AppState,
};
use chrono::{DateTime, Utc};

/// What a notification is about.
#[derive(Debug, Clone)]
pub struct About {
    pub request_id: Option<RequestId>,
    pub reference_no: Option<String>,
    pub title: String,
    pub link: String,
    pub status: Option<RequestStatus>,
    pub actor_name: Option<String>,
    pub excerpt: Option<String>,
}

impl About {
    pub fn request(id: RequestId, reference_no: &str, title: &str) -> About {
        About {
            request_id: Some(id),
            reference_no: Some(reference_no.to_string()),
            title: title.to_string(),
            link: format!("/requests/{id}"),
            status: None,
            actor_name: None,
            excerpt: None,
        }
    }
}

/// The notifications and emails for `targets`, each `(person, kind)`, by their preferences.
/// A person appears once: the first target naming them decides the kind.
pub async fn build(
    db: &Db,
    settings: &crate::state::Settings,
    about: &About,
    targets: &[(UserId, NotificationKind)],
) -> Result<Batch, sqlx::Error> {
    let mut seen: Vec<UserId> = Vec::new();
    let mut by_kind: Vec<(NotificationKind, Vec<UserId>)> = Vec::new();
    for (user, kind) in targets {
        if seen.contains(user) {
            continue;
        }
        seen.push(*user);
        match by_kind.iter_mut().find(|(k, _)| k == kind) {
            Some((_, users)) => users.push(*user),
            None => by_kind.push((*kind, vec![*user])),
        }
    }
    let mut batch = Batch::default();
    for (kind, users) in by_kind {
        for r in store::recipients(db, &users, kind).await? {
            let wants_email = r.email_wanted && settings.email_enabled;
            batch.notifications.push(NewNotification {
                user: r.id,
                kind,
                request_id: about.request_id,
                reference_no: about.reference_no.clone(),
                title: about.title.clone(),
                link: about.link.clone(),
                status: about.status,
                actor_name: about.actor_name.clone(),
                excerpt: about.excerpt.clone(),
                in_app: r.in_app,
                digest_pending: wants_email && r.daily_digest,
            });
            if wants_email && !r.daily_digest {
                let mail = Mail {
                    kind,
                    reference_no: about.reference_no.as_deref(),
                    title: &about.title,
                    status: about.status,
                    actor_name: about.actor_name.as_deref(),
                    excerpt: about.excerpt.as_deref(),
                    link: &about.link,
                };
                let rendered = email::render(&mail, r.language, &settings.public_url);
                batch.emails.push(email::outbox_entry(r.id, &r.email, r.language, rendered));
            }
        }
    }
    Ok(batch)
}

/// Tells `users` about something that changes nothing else, in its own transaction: the hook
/// for SLA warnings and breaches, ratings and published policies.
pub async fn announce(
    state: &AppState,
    about: &About,
    kind: NotificationKind,
    users: &[UserId],
    now: DateTime<Utc>,
) -> Result<Vec<UserId>, AppError> {
    let targets: Vec<_> = users.iter().map(|u| (*u, kind)).collect();
    let batch = build(&state.db, &state.settings, about, &targets).await?;
    if batch.is_empty() {
        return Ok(Vec::new());
    }
    store::record(&state.db, &batch, now).await?;
    let woken = batch.live_recipients();
    state.live.committed(&state.db, &woken);
    Ok(woken)
}

/// The SLA engine's hook: a request near its deadline, to its owner; or past it, to its owner
/// and the subsidiary's customer managers.
pub async fn sla_alert(
    state: &AppState,
    request: &About,
    org: OrgId,
    owner: Option<UserId>,
    breached: bool,
    now: DateTime<Utc>,
) -> Result<Vec<UserId>, AppError> {
    let mut users: Vec<UserId> = owner.into_iter().collect();
    // A warning is the owner's to act on; a breach is the customer managers' to know of too.
    if breached {
        users.extend(store::managers_of(&state.db, org).await?);
    }
    let kind = if breached { NotificationKind::SlaBreach } else { NotificationKind::SlaWarning };
    announce(state, request, kind, &users, now).await
}

/// The SLA engine's hook for a request nobody claimed by half its first-response time: to the
/// agents of its team.
pub async fn sla_unclaimed(
    state: &AppState,
    request: &About,
    agents: &[UserId],
    now: DateTime<Utc>,
) -> Result<Vec<UserId>, AppError> {
    announce(state, request, NotificationKind::SlaUnclaimed, agents, now).await
}

/// The preferences form: every kind the person can receive, stored choice or default.
pub async fn preferences(state: &AppState, user: &CurrentUser) -> Result<Preferences, AppError> {
    let stored = store::preferences(&state.db, user.id).await?;
    let roles: Vec<Role> = user.memberships.iter().map(|m| m.role).collect();
    let kinds = NotificationKind::for_roles(&roles)
        .into_iter()
        .map(|kind| {
            stored.kinds.iter().find(|k| k.kind == kind).copied().unwrap_or(KindPreference::default_for(kind))
        })
        .collect();
    Ok(Preferences {
        kinds,
        daily_digest: stored.daily_digest,
        follow_organisation: stored.follow_organisation,
        email_available: state.settings.email_enabled,
        may_follow_organisation: user.has_role(Role::OrgContact),
    })
}

pub async fn save_preferences(state: &AppState, user: &CurrentUser, prefs: &Preferences) -> Result<(), AppError> {
    let roles: Vec<Role> = user.memberships.iter().map(|m| m.role).collect();
    let offered = NotificationKind::for_roles(&roles);
    let mut kinds: Vec<KindPreference> = Vec::new();
    for k in &prefs.kinds {
        if !offered.contains(&k.kind) || kinds.iter().any(|seen| seen.kind == k.kind) {
            return Err(AppError::invalid(Field::Notifications, Problem::UnknownChoice));
        }
        // Only choices that differ from the defaults are stored, so new defaults reach everyone else.
        if *k != KindPreference::default_for(k.kind) {
            kinds.push(*k);
        }
    }
    if prefs.follow_organisation && !user.has_role(Role::OrgContact) {
        return Err(AppError::invalid(Field::Notifications, Problem::UnknownChoice));
    }
    let stored = StoredPreferences { kinds, daily_digest: prefs.daily_digest, follow_organisation: prefs.follow_organisation };
    Ok(store::save_preferences(&state.db, user.id, &stored).await?)
}

/// Marks one notification read and answers the unread count; the person's other tabs hear it.
pub async fn mark_read(state: &AppState, user: &CurrentUser, id: super::NotificationId) -> Result<i64, AppError> {
    store::mark_read(&state.db, id, Utc::now()).await?;
    state.live.wake(&state.db, &[user.id]).await;
    Ok(store::unread_count(&state.db, user.id).await?)
}

pub async fn mark_all_read(state: &AppState, user: &CurrentUser) -> Result<i64, AppError> {
    store::mark_all_read(&state.db, user.id, Utc::now()).await?;
    state.live.wake(&state.db, &[user.id]).await;
    Ok(0)
}

/// The hour of the reader's day at which the daily digest goes out.
pub const DIGEST_HOUR: u32 = 8;

/// When the digest of a reader in `zone` is next due after `last` (or now, the first time).
pub fn digest_due(last: Option<DateTime<Utc>>, zone: chrono_tz::Tz, now: DateTime<Utc>) -> bool {
    use chrono::{TimeZone, Timelike};
    let local = now.with_timezone(&zone);
    if local.hour() < DIGEST_HOUR {
        return false;
    }
    let today = local.date_naive().and_hms_opt(DIGEST_HOUR, 0, 0).and_then(|t| zone.from_local_datetime(&t).earliest());
    match (last, today) {
        (None, _) => true,
        (Some(last), Some(today)) => last < today.with_timezone(&Utc),
        (Some(_), None) => false,
    }
}

/// Queues the daily digests that are due; answers how many were queued. Safe on several
/// instances at once: each digest is claimed by comparing the last digest time.
pub async fn send_due_digests(state: &AppState, now: DateTime<Utc>) -> Result<usize, AppError> {
    if !state.settings.email_enabled {
        return Ok(0);
    }
    let mut queued = 0;
    for reader in store::digest_readers(&state.db).await? {
        let zone = crate::time::zone(&reader.time_zone);
        if !digest_due(reader.last_digest_at, zone, now) {
            continue;
        }
        let items = store::digest_pending(&state.db, reader.id).await?;
        let Some(up_to) = items.last().map(|n| n.id) else { continue };
        let rendered = email::render_digest(&items, reader.language, &state.settings.public_url);
        let mail = email::outbox_entry(reader.id, &reader.email, reader.language, rendered);
        if store::queue_digest(&state.db, reader.id, reader.last_digest_at, up_to, &mail, now).await? {
            queued += 1;
        }
    }
    Ok(queued)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_digest_goes_out_once_a_day_after_eight_in_the_readers_zone() {
        use chrono::TimeZone;
        let zone = chrono_tz::Asia::Shanghai;
        let at = |h: u32, m: u32| zone.with_ymd_and_hms(2026, 11, 24, h, m, 0).unwrap().with_timezone(&Utc);
        assert!(!digest_due(None, zone, at(7, 59)));
        assert!(digest_due(None, zone, at(8, 0)));
        assert!(!digest_due(Some(at(8, 1)), zone, at(20, 0)));
        assert!(digest_due(Some(at(8, 1) - chrono::Duration::days(1)), zone, at(8, 5)));
    }
}
