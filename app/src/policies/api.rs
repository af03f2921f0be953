//! Server functions of the policy column. Readers' calls pass their [`PolicyScope`] down, so a
//! page outside their audience answers "not found" exactly like a page that does not exist.
//!
//! [`PolicyScope`]: crate::authz::PolicyScope

use crate::{
    error::AppError,
    kernel::{PolicyPageId, PolicyPageId as PageId},
    policies::{
        AckReport, EditorChoices, EditorPage, EditorState, FeedbackSummary, PendingAck,
        PolicyCategory, PolicyDraft, PolicySummary, PolicyView, SearchHit, Suggestion,
        SuggestionCounts, TocEntry, VersionDiff, VersionEntry,
    },
};
use leptos::{prelude::*, server_fn::codec::Json};

#[cfg(feature = "ssr")]
use crate::{
    auth::ssr::current_user,
    authz::{self, Action, Target},
    policies::{service, store},
    state::app_state,
};

/// Validity and effective dates are the center's calendar days.
#[cfg(feature = "ssr")]
fn today() -> chrono::NaiveDate {
    chrono::Utc::now().with_timezone(&crate::time::CENTER_TIME_ZONE).date_naive()
}

/// The category tree and every page the reader may see, newest first.
#[server(endpoint = "policies/browse")]
pub async fn browse_policies() -> Result<(Vec<PolicyCategory>, Vec<PolicySummary>), AppError> {
    let user = current_user().await?;
    authz::may(&user, Action::ReadPolicies, Target::Portal)?;
    service::browse(&app_state()?.db, &authz::policy_scope(&user), user.language, today()).await
}

#[server(endpoint = "policies/search")]
pub async fn search_policies(query: String) -> Result<Vec<SearchHit>, AppError> {
    let user = current_user().await?;
    authz::may(&user, Action::ReadPolicies, Target::Portal)?;
    let scope = authz::policy_scope(&user);
    service::search(&app_state()?.db, &scope, user.language, &query, today(), super::SEARCH_LIMIT).await
}

/// A page's live version, or version `version` of it.
#[server(endpoint = "policies/page")]
pub async fn policy_page(slug: String, version: Option<i64>) -> Result<PolicyView, AppError> {
    let user = current_user().await?;
    authz::may(&user, Action::ReadPolicies, Target::Portal)?;
    let (scope, addressed) = (authz::policy_scope(&user), authz::audience_scope(&user));
    service::view(&app_state()?.db, &user, &scope, &addressed, user.language, &slug, version, today()).await
}

#[server(endpoint = "policies/history")]
pub async fn policy_history(slug: String) -> Result<Vec<VersionEntry>, AppError> {
    let user = current_user().await?;
    authz::may(&user, Action::ReadPolicies, Target::Portal)?;
    service::history(&app_state()?.db, &authz::policy_scope(&user), &slug).await
}

#[server(endpoint = "policies/editor-pages")]
pub async fn editor_pages() -> Result<Vec<EditorPage>, AppError> {
    let user = current_user().await?;
    authz::may(&user, Action::WritePolicies, Target::Portal)?;
    Ok(store::editor_pages(&app_state()?.db).await?)
}

#[server(endpoint = "policies/editor-choices")]
pub async fn load_editor_choices() -> Result<EditorChoices, AppError> {
    let user = current_user().await?;
    authz::may(&user, Action::WritePolicies, Target::Portal)?;
    service::editor_choices(&app_state()?.db).await
}

/// The draft an editor continues with, and its planned publication.
#[server(endpoint = "policies/draft")]
pub async fn load_policy_draft(page: PolicyPageId) -> Result<EditorState, AppError> {
    let user = current_user().await?;
    authz::may(&user, Action::WritePolicies, Target::Portal)?;
    service::editor_state(&app_state()?.db, page).await
}

/// Saves a draft: a new page when `page` is `None`. Readers see nothing until it is published.
#[server(endpoint = "policies/save-draft", input = Json)]
pub async fn save_policy_draft(page: Option<PolicyPageId>, draft: PolicyDraft) -> Result<PolicyPageId, AppError> {
    let user = current_user().await?;
    authz::may(&user, Action::WritePolicies, Target::Portal)?;
    service::save_draft(&app_state()?.db, &user, page, &draft, chrono::Utc::now()).await
}

/// Publishes the page's draft as its next version; answers the version's number.
#[server(endpoint = "policies/publish")]
pub async fn publish_policy(page: PolicyPageId) -> Result<i64, AppError> {
    let user = current_user().await?;
    authz::may(&user, Action::WritePolicies, Target::Portal)?;
    service::publish(&app_state()?, &user, page, chrono::Utc::now()).await
}

/// Plans the saved draft's publication at `at`, a `datetime-local` value in the editor's time
/// zone; answers the instant.
#[server(endpoint = "policies/schedule")]
pub async fn schedule_policy(page: PolicyPageId, at: String) -> Result<chrono::DateTime<chrono::Utc>, AppError> {
    let user = current_user().await?;
    authz::may(&user, Action::WritePolicies, Target::Portal)?;
    let at = crate::time::parse_local_minute(&at, &user.time_zone)
        .ok_or(AppError::invalid(crate::error::Field::Schedule, crate::error::Problem::InvalidDate))?;
    service::schedule(&app_state()?.db, &user, page, at, chrono::Utc::now()).await.map(|()| at)
}

#[server(endpoint = "policies/cancel-schedule")]
pub async fn cancel_policy_schedule(page: PolicyPageId) -> Result<(), AppError> {
    let user = current_user().await?;
    authz::may(&user, Action::WritePolicies, Target::Portal)?;
    service::cancel_schedule(&app_state()?.db, &user, page).await
}

/// The editors' synonym list, one set per line.
#[server(endpoint = "policies/synonyms")]
pub async fn policy_synonyms() -> Result<Vec<String>, AppError> {
    let user = current_user().await?;
    authz::may(&user, Action::WritePolicies, Target::Portal)?;
    Ok(store::synonyms(&app_state()?.db).await?)
}

/// Replaces the synonym list; answers how many sets it holds.
#[server(endpoint = "policies/save-synonyms")]
pub async fn save_policy_synonyms(text: String) -> Result<usize, AppError> {
    let user = current_user().await?;
    authz::may(&user, Action::WritePolicies, Target::Portal)?;
    service::save_synonyms(&app_state()?.db, &user, &text, chrono::Utc::now()).await
}

#[server(endpoint = "policies/unpublish")]
pub async fn unpublish_policy(page: PolicyPageId) -> Result<(), AppError> {
    let user = current_user().await?;
    authz::may(&user, Action::WritePolicies, Target::Portal)?;
    service::unpublish(&app_state()?.db, &user, page, chrono::Utc::now()).await
}

/// The editor's live preview, rendered by the reader's code.
#[server(endpoint = "policies/preview", input = Json)]
pub async fn preview_policy(body: String) -> Result<(String, Vec<TocEntry>), AppError> {
    let user = current_user().await?;
    authz::may(&user, Action::WritePolicies, Target::Portal)?;
    service::preview(&body)
}

/// "Was this helpful?" for one version, once per reader.
#[server(endpoint = "policies/feedback")]
pub async fn give_policy_feedback(slug: String, version: i64, helpful: bool, comment: String) -> Result<(), AppError> {
    let user = current_user().await?;
    authz::may(&user, Action::ReadPolicies, Target::Portal)?;
    let scope = authz::policy_scope(&user);
    service::give_feedback(&app_state()?.db, &user, &scope, &slug, version, helpful, &comment, chrono::Utc::now()).await
}

/// What readers said of a page, per version, for its editors.
#[server(endpoint = "policies/feedback-report")]
pub async fn policy_feedback(page: PageId) -> Result<Vec<FeedbackSummary>, AppError> {
    let user = current_user().await?;
    authz::may(&user, Action::SeePolicyFeedback, Target::Portal)?;
    Ok(store::feedback(&app_state()?.db, page).await?)
}

/// Two versions of a page, compared.
#[server(endpoint = "policies/compare")]
pub async fn compare_policy_versions(slug: String, from: i64, to: i64) -> Result<VersionDiff, AppError> {
    let user = current_user().await?;
    authz::may(&user, Action::ReadPolicies, Target::Portal)?;
    service::compare(&app_state()?.db, &authz::policy_scope(&user), user.language, &slug, from, to).await
}

/// The versions the signed-in reader has still to confirm, for the banner on every page.
#[server(endpoint = "policies/pending-acknowledgements")]
pub async fn pending_acknowledgements() -> Result<Vec<PendingAck>, AppError> {
    let user = current_user().await?;
    authz::may(&user, Action::ReadPolicies, Target::Portal)?;
    let now = chrono::Utc::now();
    service::pending_acks(&app_state()?.db, &user, &authz::audience_scope(&user), user.language, now, today()).await
}

/// "I have read it" for the live version `version` of a page that asks the reader to confirm.
#[server(endpoint = "policies/acknowledge")]
pub async fn acknowledge_policy(slug: String, version: i64) -> Result<(), AppError> {
    let user = current_user().await?;
    authz::may(&user, Action::ReadPolicies, Target::Portal)?;
    let (scope, addressed) = (authz::policy_scope(&user), authz::audience_scope(&user));
    service::acknowledge(&app_state()?.db, &user, &scope, &addressed, &slug, version, chrono::Utc::now()).await
}

/// Who of the live version's audience has confirmed it, for its editors.
#[server(endpoint = "policies/acknowledgement-report")]
pub async fn acknowledgement_report(page: PageId) -> Result<Option<AckReport>, AppError> {
    let user = current_user().await?;
    authz::may(&user, Action::SeePolicyFeedback, Target::Portal)?;
    service::ack_report(&app_state()?.db, page, chrono::Utc::now()).await
}

/// Pages that may answer what the client is typing as a new request's title; `form_key` is the
/// form's submission key, under which what was shown is recorded.
#[server(endpoint = "policies/suggest")]
pub async fn suggest_policies(form_key: String, title: String) -> Result<Vec<Suggestion>, AppError> {
    let user = current_user().await?;
    authz::may(&user, Action::ReadPolicies, Target::Portal)?;
    let now = chrono::Utc::now();
    service::suggest(&app_state()?.db, &user, &authz::policy_scope(&user), &form_key, &title, today(), now).await
}

/// The client opened a page their form suggested.
#[server(endpoint = "policies/suggestion-opened")]
pub async fn suggestion_opened(form_key: String, slug: String, version: i64) -> Result<(), AppError> {
    let user = current_user().await?;
    authz::may(&user, Action::ReadPolicies, Target::Portal)?;
    let scope = authz::policy_scope(&user);
    service::opened_suggestion(&app_state()?.db, &user, &scope, &form_key, &slug, version, chrono::Utc::now()).await
}

/// How the new-request form's suggestions of a page fared, for its editors.
#[server(endpoint = "policies/suggestion-counts")]
pub async fn policy_suggestion_counts(page: PageId) -> Result<SuggestionCounts, AppError> {
    let user = current_user().await?;
    authz::may(&user, Action::SeePolicyFeedback, Target::Portal)?;
    service::suggestion_counts(&app_state()?.db, page, chrono::Utc::now()).await
}
