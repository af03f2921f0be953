//! Server functions of the price list: authenticate, ask the rules, one call.

use super::{PriceListInput, PriceSetup};
use crate::error::AppError;
use leptos::{prelude::*, server_fn::codec::Json};

#[cfg(feature = "ssr")]
use crate::{
    auth::ssr::current_user,
    authz::{self, Action, Target},
    billing::{service, statement_service::Telling},
    state::app_state,
};

/// Every version of the price list and what a new one is made of; admins only.
#[server(endpoint = "billing/prices")]
pub async fn load_prices() -> Result<PriceSetup, AppError> {
    let user = current_user().await?;
    authz::may(&user, Action::ManagePrices, Target::Portal)?;
    service::setup(&app_state()?.db, chrono::Utc::now()).await
}

/// A new version of the price list, from the month it names.
#[server(endpoint = "billing/save-prices", input = Json)]
pub async fn save_prices(input: PriceListInput) -> Result<i64, AppError> {
    let user = current_user().await?;
    authz::may(&user, Action::ManagePrices, Target::Portal)?;
    service::save(&app_state()?.db, &user, &input, chrono::Utc::now()).await
}

/// The monthly statements of the organisations the user may read them for; "not found" for
/// those who read none.
#[server(endpoint = "billing/statements")]
pub async fn list_statements() -> Result<Vec<super::statement::StatementEntry>, AppError> {
    let user = current_user().await?;
    let scope = authz::statement_scope(&user)?;
    crate::billing::statement_service::list(&app_state()?.db, &scope).await
}

/// One statement, for its organisation's contacts, its customer managers and admins.
#[server(endpoint = "billing/statement")]
pub async fn get_statement(id: i64) -> Result<super::statement::Statement, AppError> {
    let user = current_user().await?;
    let state = app_state()?;
    let mut statement = crate::billing::statement_service::get(&state.db, id).await?;
    let org = Target::Organisation(statement.org_id);
    authz::may(&user, Action::ViewStatements, org)?;
    statement.viewer_may_dispute = authz::may(&user, Action::DisputeStatement, org).is_ok();
    statement.viewer_may_answer = authz::may(&user, Action::AnswerDispute, org).is_ok();
    Ok(statement)
}

/// An org contact disputes one line of the newest revision of their statement (对账).
#[server(endpoint = "billing/dispute", input = Json)]
pub async fn dispute_line(input: super::dispute::DisputeInput) -> Result<i64, AppError> {
    let user = current_user().await?;
    let state = app_state()?;
    let org = crate::billing::dispute_service::statement_org(&state.db, input.statement_id).await?;
    authz::may(&user, Action::ViewStatements, Target::Organisation(org))?;
    authz::may(&user, Action::DisputeStatement, Target::Organisation(org))?;
    crate::billing::dispute_service::open(&state, (&user).into(), &input, Telling::Readers, chrono::Utc::now()).await
}

/// A customer manager accepts a dispute, which issues a corrected revision (its id is the
/// answer), or declines it; both with a reason.
#[server(endpoint = "billing/answer-dispute", input = Json)]
pub async fn answer_dispute(input: super::dispute::AnswerInput) -> Result<Option<i64>, AppError> {
    let user = current_user().await?;
    let state = app_state()?;
    let org = crate::billing::dispute_service::dispute_org(&state.db, input.dispute_id).await?;
    authz::may(&user, Action::ViewStatements, Target::Organisation(org))?;
    authz::may(&user, Action::AnswerDispute, Target::Organisation(org))?;
    crate::billing::dispute_service::answer(&state, (&user).into(), &input, Telling::Readers, chrono::Utc::now()).await
}
