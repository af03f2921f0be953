//! SQL for request types, their versions and teams.

use crate::{
    catalogue::{RequestType, Targets, Team, TypeDefinition, TypeDraft, TypeKind, TypeName},
    db::{BeginWrite, Db},
    i18n_support::Bilingual,
    kernel::{AttachmentId, TeamId, TypeId, TypeVersionId, UserId},
    with_db,
};
use chrono::{DateTime, Utc};

#[derive(sqlx::FromRow)]
struct TypeRow {
    version_id: TypeVersionId,
    type_id: TypeId,
    code: String,
    version: i64,
    name_zh: String,
    name_en: String,
    kind: TypeKind,
    team_id: TeamId,
    team_name_zh: String,
    team_name_en: String,
    first_response_hours: i64,
    resolution_hours: i64,
    urgent_allowed: bool,
    urgent_first_response_hours: i64,
    urgent_resolution_hours: i64,
    definition: String,
    active: bool,
}

impl TypeRow {
    fn into_type(self) -> Result<RequestType, sqlx::Error> {
        let definition: TypeDefinition = serde_json::from_str(&self.definition)
            .map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
        Ok(RequestType {
            version_id: self.version_id,
            type_id: self.type_id,
            code: self.code,
            version: self.version,
            name: Bilingual::new(self.name_zh, self.name_en),
            kind: self.kind,
            team_id: self.team_id,
            team_name: Bilingual::new(self.team_name_zh, self.team_name_en),
            targets: Targets {
                first_response_hours: self.first_response_hours,
                resolution_hours: self.resolution_hours,
                urgent_allowed: self.urgent_allowed,
                urgent_first_response_hours: self.urgent_first_response_hours,
                urgent_resolution_hours: self.urgent_resolution_hours,
            },
            definition,
            active: self.active,
        })
    }
}

const SELECT_TYPE: &str = "SELECT v.id AS version_id, t.id AS type_id, t.code, v.version, v.name_zh, \
     v.name_en, v.kind, v.team_id, tm.name_zh AS team_name_zh, tm.name_en AS team_name_en, \
     v.first_response_hours, v.resolution_hours, v.urgent_allowed, v.urgent_first_response_hours, \
     v.urgent_resolution_hours, v.definition, t.active \
     FROM request_type_versions v JOIN request_types t ON t.id = v.type_id \
     JOIN teams tm ON tm.id = v.team_id";

/// The current version of every type, active ones only unless `include_inactive`.
pub async fn current_types(db: &Db, include_inactive: bool) -> Result<Vec<RequestType>, sqlx::Error> {
    let sql = format!(
        "{SELECT_TYPE} WHERE v.version = t.current_version {} ORDER BY t.sort_order, t.id",
        if include_inactive { "" } else { "AND t.active = TRUE" }
    );
    let rows = with_db!(db, pool => sqlx::query_as::<_, TypeRow>(&sql).fetch_all(pool).await)?;
    rows.into_iter().map(TypeRow::into_type).collect()
}

/// The names of the types a user can submit now, in catalogue order.
pub async fn type_names(db: &Db) -> Result<Vec<TypeName>, sqlx::Error> {
    let rows = with_db!(db, pool => sqlx::query_as::<_, (TypeId, String, String)>(
        "SELECT t.id, v.name_zh, v.name_en FROM request_types t \
         JOIN request_type_versions v ON v.type_id = t.id AND v.version = t.current_version \
         WHERE t.active = TRUE ORDER BY t.sort_order, t.id",
    )
    .fetch_all(pool).await)?;
    Ok(rows.into_iter().map(|(type_id, zh, en)| TypeName { type_id, name: Bilingual { zh, en } }).collect())
}

/// The current version of one type.
pub async fn current_type(db: &Db, id: TypeId) -> Result<Option<RequestType>, sqlx::Error> {
    let sql = format!("{SELECT_TYPE} WHERE v.version = t.current_version AND t.id = $1");
    let row = with_db!(db, pool => sqlx::query_as::<_, TypeRow>(&sql).bind(id).fetch_optional(pool).await)?;
    row.map(TypeRow::into_type).transpose()
}

/// A version exactly as it was, for requests submitted with it.
pub async fn type_version(db: &Db, id: TypeVersionId) -> Result<Option<RequestType>, sqlx::Error> {
    let sql = format!("{SELECT_TYPE} WHERE v.id = $1");
    let row = with_db!(db, pool => sqlx::query_as::<_, TypeRow>(&sql).bind(id).fetch_optional(pool).await)?;
    row.map(TypeRow::into_type).transpose()
}

/// Whether the catalogue holds this file as a slot's example image.
pub async fn is_example(db: &Db, file: AttachmentId) -> Result<bool, sqlx::Error> {
    let found = with_db!(db, pool => sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM slot_examples WHERE attachment_id = $1")
        .bind(file).fetch_one(pool).await)?;
    Ok(found > 0)
}

pub async fn teams(db: &Db) -> Result<Vec<Team>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_as::<_, Team>("SELECT id, code, name_zh, name_en FROM teams ORDER BY id")
        .fetch_all(pool).await)
}

pub async fn team_by_code(db: &Db, code: &str) -> Result<Option<TeamId>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_scalar::<_, TeamId>("SELECT id FROM teams WHERE code = $1")
        .bind(code).fetch_optional(pool).await)
}

pub async fn teams_of(db: &Db, user: UserId) -> Result<Vec<TeamId>, sqlx::Error> {
    with_db!(db, pool => sqlx::query_scalar::<_, TeamId>(
        "SELECT team_id FROM team_members WHERE user_id = $1 ORDER BY team_id"
    ).bind(user).fetch_all(pool).await)
}

pub async fn add_team_member(db: &Db, team: TeamId, user: UserId) -> Result<(), sqlx::Error> {
    with_db!(db, pool => sqlx::query(
        "INSERT INTO team_members (team_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING"
    ).bind(team).bind(user).execute(pool).await.map(|_| ()))?;
    Ok(())
}

/// Saves an admin's edit as a new version (or creates the type), in one transaction.
/// `expected_version` guards against two admins editing at once.
pub async fn save_type(
    db: &Db,
    existing: Option<(TypeId, i64)>,
    draft: &TypeDraft,
    examples: &[AttachmentId],
    admin: UserId,
    now: DateTime<Utc>,
) -> Result<Option<TypeId>, sqlx::Error> {
    let definition =
        serde_json::to_string(&draft.definition).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    let t = &draft.targets;
    with_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        let (type_id, version) = match existing {
            Some((id, expected)) => {
                let updated = sqlx::query(
                    "UPDATE request_types SET current_version = current_version + 1, active = $1 \
                     WHERE id = $2 AND current_version = $3",
                ).bind(draft.active).bind(id).bind(expected).execute(&mut *tx).await?;
                if updated.rows_affected() == 0 {
                    return Ok(None);
                }
                (id, expected + 1)
            }
            None => {
                let id = sqlx::query_scalar::<_, TypeId>(
                    "INSERT INTO request_types (code, sort_order, active, current_version) \
                     VALUES ($1, (SELECT COALESCE(MAX(sort_order), 0) + 10 FROM request_types), $2, 1) \
                     RETURNING id",
                ).bind(&draft.code).bind(draft.active).fetch_one(&mut *tx).await?;
                (id, 1)
            }
        };
        sqlx::query(
            "INSERT INTO request_type_versions (type_id, version, name_zh, name_en, kind, team_id, \
             first_response_hours, resolution_hours, urgent_allowed, urgent_first_response_hours, \
             urgent_resolution_hours, definition, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .bind(type_id).bind(version).bind(&draft.name.zh).bind(&draft.name.en).bind(draft.kind)
        .bind(draft.team_id).bind(t.first_response_hours).bind(t.resolution_hours)
        .bind(t.urgent_allowed).bind(t.urgent_first_response_hours).bind(t.urgent_resolution_hours)
        .bind(&definition).bind(admin).bind(now)
        .execute(&mut *tx).await?;
        // Older versions keep showing their examples, so an example is never let go.
        for example in examples {
            sqlx::query("INSERT INTO slot_examples (attachment_id) VALUES ($1) ON CONFLICT (attachment_id) DO NOTHING")
                .bind(*example).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(Some(type_id))
    })
}
