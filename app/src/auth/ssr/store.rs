//! SQL for users, memberships, customer-manager assignments and sign-in counts.

use crate::{
    auth::{CurrentUser, Membership, UserSummary},
    db::{BeginWrite, Db, Tx},
    error::{AppError, Conflict},
    kernel::{Language, OrgId, Permission, Role, UserId},
    validation::Email,
    with_db,
    with_tx,
};
use chrono::{DateTime, Utc};
use std::collections::HashMap;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Credentials {
    pub id: UserId,
    pub password_hash: String,
    pub active: bool,
    pub session_epoch: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct UserRow {
    id: UserId,
    email: String,
    display_name: String,
    language: Language,
    time_zone: String,
    active: bool,
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct MembershipRow {
    user_id: UserId,
    org_id: OrgId,
    org_code: String,
    org_name: String,
    role: Role,
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct AssignmentRow {
    manager_id: UserId,
    org_id: OrgId,
}

pub struct NewUser<'a> {
    pub email: &'a Email,
    pub display_name: &'a str,
    pub password_hash: &'a str,
    pub language: Language,
    pub time_zone: &'a str,
}

const MEMBERSHIPS_SQL: &str = "SELECT m.user_id, m.org_id, o.code AS org_code, o.name AS org_name, m.role \
     FROM memberships m JOIN organisations o ON o.id = m.org_id";

pub async fn find_credentials(db: &Db, email: &Email) -> Result<Option<Credentials>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_as::<_, Credentials>(
        "SELECT id, password_hash, active, session_epoch FROM users WHERE email = $1"
    ).bind(email.as_str()).fetch_optional(pool).await)
}

pub async fn find_id_by_email(db: &Db, email: &Email) -> Result<Option<UserId>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_scalar::<_, UserId>("SELECT id FROM users WHERE email = $1")
        .bind(email.as_str()).fetch_optional(pool).await)
}

pub async fn email_of(db: &Db, id: UserId) -> Result<Option<String>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_scalar::<_, String>("SELECT email FROM users WHERE id = $1")
        .bind(id).fetch_optional(pool).await)
}

pub async fn password_hash(db: &Db, id: UserId) -> Result<Option<String>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_scalar::<_, String>("SELECT password_hash FROM users WHERE id = $1")
        .bind(id).fetch_optional(pool).await)
}

/// Loads the user behind a session, or `None` when the account is gone, deactivated or the
/// session predates the account's current epoch.
///
/// Every signed-in request asks this, so it is one statement: the user with each membership
/// (one row each, or one row of nulls), then one row per subsidiary the user manages.
pub async fn load_current_user(
    db: &Db,
    id: UserId,
    epoch: i64,
) -> Result<Option<CurrentUser>, sqlx::Error> {
    const SQL: &str = "SELECT 0 AS part, u.id, u.email, u.display_name, u.language, u.time_zone, \
         m.org_id, o.code AS org_code, o.name AS org_name, m.role, o.kind AS org_kind \
         FROM users u LEFT JOIN memberships m ON m.user_id = u.id \
         LEFT JOIN organisations o ON o.id = m.org_id \
         WHERE u.id = $1 AND u.active = TRUE AND u.session_epoch = $2 \
         UNION ALL \
         SELECT 1, u.id, u.email, u.display_name, u.language, u.time_zone, a.org_id, NULL, NULL, NULL, NULL \
         FROM users u JOIN manager_assignments a ON a.manager_id = u.id \
         WHERE u.id = $1 AND u.active = TRUE AND u.session_epoch = $2 \
         UNION ALL \
         SELECT 2, u.id, u.email, u.display_name, u.language, u.time_zone, NULL, p.permission, NULL, NULL, NULL \
         FROM users u JOIN user_permissions p ON p.user_id = u.id \
         WHERE u.id = $1 AND u.active = TRUE AND u.session_epoch = $2 \
         ORDER BY part, org_kind, org_code, org_id";
    let rows = with_db!(db, pool => sqlx::query_as::<_, CurrentUserRow>(SQL)
        .bind(id).bind(epoch).fetch_all(pool).await)?;
    let Some(first) = rows.first() else { return Ok(None) };
    let mut user = CurrentUser {
        id: first.id,
        email: first.email.clone(),
        display_name: first.display_name.clone(),
        language: first.language,
        time_zone: first.time_zone.clone(),
        memberships: Vec::new(),
        managed_orgs: Vec::new(),
        permissions: Vec::new(),
    };
    for row in rows {
        match (row.part, row.org_id, row.org_code, row.org_name, row.role) {
            (0, Some(org_id), Some(org_code), Some(org_name), Some(role)) => {
                user.memberships.push(Membership { org_id, org_code, org_name, role })
            }
            (1, Some(org_id), ..) => user.managed_orgs.push(org_id),
            // The permission travels in the code column: one statement keeps this lookup cheap.
            (2, None, Some(permission), ..) => {
                if let Ok(permission) = permission.parse() {
                    user.permissions.push(permission);
                }
            }
            _ => {}
        }
    }
    Ok(Some(user))
}

/// One row of [`load_current_user`].
#[derive(Debug, sqlx::FromRow)]
struct CurrentUserRow {
    part: i32,
    id: UserId,
    email: String,
    display_name: String,
    language: Language,
    time_zone: String,
    org_id: Option<OrgId>,
    org_code: Option<String>,
    org_name: Option<String>,
    role: Option<Role>,
}

impl MembershipRow {
    fn into_membership(self) -> Membership {
        Membership { org_id: self.org_id, org_code: self.org_code, org_name: self.org_name, role: self.role }
    }
}

pub async fn create_user(db: &Db, new: NewUser<'_>) -> Result<UserId, AppError> {
    let now = Utc::now();
    let result = with_db!(db, pool => sqlx::query_scalar::<_, UserId>(
        "INSERT INTO users (email, display_name, password_hash, language, time_zone, active, \
         session_epoch, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, TRUE, 0, $6, $6) RETURNING id",
    )
    .bind(new.email.as_str()).bind(new.display_name).bind(new.password_hash)
    .bind(new.language).bind(new.time_zone).bind(now)
    .fetch_one(pool).await);
    match result {
        Ok(id) => Ok(id),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            Err(AppError::Conflict(Conflict::EmailTaken))
        }
        Err(e) => Err(e.into()),
    }
}

/// Replaces the password hash and raises the session epoch, which ends the user's other
/// sessions. Returns the new epoch, for the session that stays signed in.
pub async fn set_password(db: &Db, id: UserId, hash: &str) -> Result<i64, sqlx::Error> {
    let now = Utc::now();
    with_db!(db, pool => sqlx::query_scalar::<_, i64>(
        "UPDATE users SET password_hash = $2, session_epoch = session_epoch + 1, updated_at = $3 \
         WHERE id = $1 RETURNING session_epoch",
    ).bind(id).bind(hash).bind(now).fetch_one(pool).await)
}

/// Activates or deactivates an account. Deactivation raises the epoch so every session of the
/// user stops working at its next request. Returns false when the user does not exist.
pub async fn set_active(db: &Db, id: UserId, active: bool) -> Result<bool, sqlx::Error> {
    let now = Utc::now();
    with_db!(db, pool => sqlx::query(
        "UPDATE users SET active = $2, updated_at = $3, \
         session_epoch = CASE WHEN $2 THEN session_epoch ELSE session_epoch + 1 END WHERE id = $1",
    ).bind(id).bind(active).bind(now).execute(pool).await.map(|r| r.rows_affected() == 1))
}

pub async fn set_preferences(
    db: &Db,
    id: UserId,
    language: Option<Language>,
    time_zone: Option<&str>,
) -> Result<(), sqlx::Error> {
    let now = Utc::now();
    with_db!(db, pool => sqlx::query(
        "UPDATE users SET language = COALESCE($2, language), time_zone = COALESCE($3, time_zone), \
         updated_at = $4 WHERE id = $1",
    ).bind(id).bind(language).bind(time_zone).bind(now).execute(pool).await.map(|_| ()))
}

/// Gives the user `role` in `org`, or removes their membership there when `role` is `None`.
/// Returns false when the user or organisation does not exist.
pub async fn set_membership(
    db: &Db,
    user: UserId,
    org: OrgId,
    role: Option<Role>,
) -> Result<bool, sqlx::Error> {
    with_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        let exists = sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM users u, organisations o WHERE u.id = $1 AND o.id = $2",
        ).bind(user).bind(org).fetch_one(&mut *tx).await?;
        if exists == 0 {
            return Ok(false);
        }
        match role {
            Some(role) => {
                sqlx::query(
                    "INSERT INTO memberships (user_id, org_id, role) VALUES ($1, $2, $3) \
                     ON CONFLICT (user_id, org_id) DO UPDATE SET role = excluded.role",
                ).bind(user).bind(org).bind(role).execute(&mut *tx).await?;
            }
            None => {
                sqlx::query("DELETE FROM memberships WHERE user_id = $1 AND org_id = $2")
                    .bind(user).bind(org).execute(&mut *tx).await?;
            }
        }
        tx.commit().await?;
        Ok(true)
    })
}

pub async fn set_manager_assignment(
    db: &Db,
    manager: UserId,
    org: OrgId,
    assigned: bool,
) -> Result<(), sqlx::Error> {
    with_db!(db, pool => {
        if assigned {
            sqlx::query(
                "INSERT INTO manager_assignments (manager_id, org_id) VALUES ($1, $2) \
                 ON CONFLICT (manager_id, org_id) DO NOTHING",
            ).bind(manager).bind(org).execute(pool).await?;
        } else {
            sqlx::query("DELETE FROM manager_assignments WHERE manager_id = $1 AND org_id = $2")
                .bind(manager).bind(org).execute(pool).await?;
        }
        Ok(())
    })
}

/// Every account with its memberships, for the admin's user directory.
pub async fn list_users(db: &Db) -> Result<Vec<UserSummary>, sqlx::Error> {
    let membership_sql = format!("{MEMBERSHIPS_SQL} ORDER BY m.user_id, o.kind, o.code");
    let (users, memberships, assignments, permissions) = with_db!(db, pool => {
        let users = sqlx::query_as::<_, UserRow>(
            "SELECT id, email, display_name, language, time_zone, active FROM users ORDER BY email",
        ).fetch_all(pool).await?;
        let memberships = sqlx::query_as::<_, MembershipRow>(&membership_sql).fetch_all(pool).await?;
        let assignments = sqlx::query_as::<_, AssignmentRow>(
            "SELECT manager_id, org_id FROM manager_assignments ORDER BY org_id",
        ).fetch_all(pool).await?;
        let permissions = sqlx::query_as::<_, (UserId, Permission)>(
            "SELECT user_id, permission FROM user_permissions ORDER BY permission",
        ).fetch_all(pool).await?;
        (users, memberships, assignments, permissions)
    });
    let mut granted: HashMap<UserId, Vec<Permission>> = HashMap::new();
    for (user, permission) in permissions {
        granted.entry(user).or_default().push(permission);
    }
    let mut by_user: HashMap<UserId, Vec<Membership>> = HashMap::new();
    for m in memberships {
        by_user.entry(m.user_id).or_default().push(m.into_membership());
    }
    let mut managed: HashMap<UserId, Vec<OrgId>> = HashMap::new();
    for a in assignments {
        managed.entry(a.manager_id).or_default().push(a.org_id);
    }
    Ok(users
        .into_iter()
        .map(|u| UserSummary {
            memberships: by_user.remove(&u.id).unwrap_or_default(),
            managed_orgs: managed.remove(&u.id).unwrap_or_default(),
            permissions: granted.remove(&u.id).unwrap_or_default(),
            id: u.id,
            email: u.email,
            display_name: u.display_name,
            language: u.language,
            time_zone: u.time_zone,
            active: u.active,
            sign_in_locked: false,
        })
        .collect())
}

/// Grants or takes back `permission`; answers whether anything changed.
pub async fn set_permission(
    db: &Db,
    user: UserId,
    permission: Permission,
    granted: bool,
    by: UserId,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let done = with_db!(db, pool => if granted {
        sqlx::query(
            "INSERT INTO user_permissions (user_id, permission, granted_by, granted_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (user_id, permission) DO NOTHING",
        ).bind(user).bind(permission).bind(by).bind(now).execute(pool).await.map(|done| done.rows_affected())
    } else {
        sqlx::query("DELETE FROM user_permissions WHERE user_id = $1 AND permission = $2")
            .bind(user).bind(permission).execute(pool).await.map(|done| done.rows_affected())
    })?;
    Ok(done == 1)
}

pub async fn count_users(db: &Db) -> Result<i64, sqlx::Error> {
    with_db!(db, pool => sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM users").fetch_one(pool).await)
}

// Sign-in counts (`login_throttle`), one row per throttle key; `auth::ssr::throttle` decides
// what they mean.

/// Takes one attempt's slot in `key`'s count, restarting a count whose window and lock have
/// both passed; answers the slots now taken and the lock, if any.
pub async fn take_throttle_slot(
    tx: &mut Tx,
    key: &str,
    now: DateTime<Utc>,
    window_start: DateTime<Utc>,
) -> Result<(i64, Option<DateTime<Utc>>), sqlx::Error> {
    with_tx!(tx, conn => sqlx::query_as(
        "INSERT INTO login_throttle (key, failures, window_started_at, locked_until) \
         VALUES ($1, 1, $2, NULL) \
         ON CONFLICT (key) DO UPDATE SET \
           failures = CASE WHEN login_throttle.window_started_at < $3 \
                            AND (login_throttle.locked_until IS NULL OR login_throttle.locked_until <= $2) \
                           THEN 1 ELSE login_throttle.failures + 1 END, \
           window_started_at = CASE WHEN login_throttle.window_started_at < $3 \
                            AND (login_throttle.locked_until IS NULL OR login_throttle.locked_until <= $2) \
                           THEN $2 ELSE login_throttle.window_started_at END, \
           locked_until = CASE WHEN login_throttle.locked_until > $2 \
                           THEN login_throttle.locked_until ELSE NULL END \
         RETURNING failures, locked_until",
    ).bind(key).bind(now).bind(window_start).fetch_one(&mut *conn).await)
}

/// Locks `key` until `until` if its failures reached `lock_after`; answers its failures.
pub async fn lock_throttle_key_if_reached(
    db: &Db,
    key: &str,
    lock_after: u32,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    let failures = with_db!(db, pool => sqlx::query_scalar::<_, i64>(
        "UPDATE login_throttle SET locked_until = CASE \
           WHEN failures >= $2 AND (locked_until IS NULL OR locked_until <= $3) THEN $4 \
           ELSE locked_until END \
         WHERE key = $1 RETURNING failures",
    ).bind(key).bind(i64::from(lock_after)).bind(now).bind(until).fetch_optional(pool).await)?;
    Ok(failures.unwrap_or(0))
}

/// Forgets `clear`'s count and gives one slot back to each of `give_back`, in one transaction.
pub async fn settle_throttle_keys(db: &Db, clear: Option<&str>, give_back: &[&str]) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    with_tx!(&mut tx, conn => {
        if let Some(key) = clear {
            sqlx::query("DELETE FROM login_throttle WHERE key = $1").bind(key).execute(&mut *conn).await?;
        }
        for key in give_back {
            sqlx::query("UPDATE login_throttle SET failures = failures - 1 WHERE key = $1 AND failures > 0")
                .bind(*key).execute(&mut *conn).await?;
        }
        Ok::<_, sqlx::Error>(())
    })?;
    tx.commit().await
}

/// Deletes `key` and every key matching the LIKE pattern `pattern` (escaped with `\`).
pub async fn delete_throttle_keys(db: &Db, key: &str, pattern: &str) -> Result<u64, sqlx::Error> {
    with_db!(db, pool => sqlx::query(
        "DELETE FROM login_throttle WHERE key = $1 OR key LIKE $2 ESCAPE '\\'"
    ).bind(key).bind(pattern).execute(pool).await.map(|r| r.rows_affected()))
}

/// The keys starting with `prefix` that are locked after `now`.
pub async fn locked_throttle_keys(db: &Db, prefix: &str, now: DateTime<Utc>) -> Result<Vec<String>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_scalar::<_, String>(
        "SELECT key FROM login_throttle WHERE key LIKE $1 AND locked_until > $2"
    ).bind(format!("{prefix}%")).bind(now).fetch_all(pool).await)
}

/// `key`'s failures (and attempts in flight) and lock, if it has a count.
pub async fn throttle_key(db: &Db, key: &str) -> Result<Option<(i64, Option<DateTime<Utc>>)>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_as::<_, (i64, Option<DateTime<Utc>>)>(
        "SELECT failures, locked_until FROM login_throttle WHERE key = $1"
    ).bind(key).fetch_optional(pool).await)
}

/// Forgets counts whose window started before `window_start` and whose lock has passed.
pub async fn purge_throttle_keys(db: &Db, window_start: DateTime<Utc>, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    with_db!(db, pool => sqlx::query(
        "DELETE FROM login_throttle WHERE window_started_at < $1 \
         AND (locked_until IS NULL OR locked_until < $2)"
    ).bind(window_start).bind(now).execute(pool).await.map(|r| r.rows_affected()))
}
