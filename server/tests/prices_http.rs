//! The price list through HTTP on both databases: a version saved whole, every refusal leaving
//! nothing behind, versions that never overlap, and nobody but admins keeping it.

mod support;

use app::{
    billing::{PriceSetup, MAX_PRICE},
    error::{AppError, Field, FieldError, Problem},
};
use chrono::Datelike;
use reqwest::StatusCode;
use serde_json::{json, Value};
use support::TestApp;

async fn setup(app: &TestApp, client: &reqwest::Client) -> PriceSetup {
    let (status, body) = app.call(client, "billing/prices", &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

/// A version of every type at 120.00 (the first at 1,500.50), 20 free requests per tier, and a
/// 10 % / 30 % credit on every type and tier.
fn version(setup: &PriceSetup, effective_from: &str) -> Value {
    let prices: Vec<Value> = setup
        .types
        .iter()
        .enumerate()
        .map(|(n, t)| json!({ "type_id": t.id, "amount": if n == 0 { "1,500.50" } else { "120" } }))
        .collect();
    let quotas: Vec<Value> = setup.tiers.iter().map(|t| json!({ "tier_id": t.id, "free_requests": 20 })).collect();
    let credits: Vec<Value> = setup
        .types
        .iter()
        .flat_map(|ty| setup.tiers.iter().map(move |tier| json!({ "type_id": ty.id, "tier_id": tier.id, "first_response_percent": 10, "resolution_percent": 30 })))
        .collect();
    json!({ "effective_from": effective_from, "currency": "CNY", "month_end_days": 5, "month_end_percent": 20,
            "credit_cap_percent": 10, "prices": prices, "quotas": quotas, "credits": credits })
}

async fn save(app: &TestApp, client: &reqwest::Client, input: &Value) -> (StatusCode, String) {
    app.call_json(client, "billing/save-prices", json!({ "input": input })).await
}

fn refusal(body: &str) -> Vec<(Field, Problem)> {
    match serde_json::from_str::<AppError>(body) {
        Ok(AppError::Invalid(errors)) => errors.into_iter().map(|FieldError { field, problem }| (field, problem)).collect(),
        other => panic!("expected a refusal, got {other:?} from {body}"),
    }
}

on_both_backends! {
    async fn an_admin_keeps_versions_that_never_overlap_and_bad_prices_store_nothing(app) {
        let admin = app.signed_in("admin@example.com").await;
        let first = setup(&app, &admin).await;
        assert!(first.versions.is_empty());
        assert!(!first.types.is_empty() && !first.tiers.is_empty());
        let earliest = first.earliest;
        assert_eq!(earliest.day(), 1, "a version starts on the first of a month");

        let good = version(&first, &earliest.to_string());
        let mut refused = Vec::new();
        let mut negative = good.clone();
        negative["prices"][1]["amount"] = json!("-120");
        refused.push((negative, vec![(Field::Price(1), Problem::OutOfRange { min: 0, max: MAX_PRICE })]));
        let mut currency = good.clone();
        currency["currency"] = json!("RMB");
        refused.push((currency, vec![(Field::Currency, Problem::UnknownChoice)]));
        let mut credit = good.clone();
        credit["credits"][0]["resolution_percent"] = json!(150);
        refused.push((credit, vec![(Field::Credit(0), Problem::OutOfRange { min: 0, max: 100 })]));
        let mut mid_month = good.clone();
        mid_month["effective_from"] = json!((earliest + chrono::Duration::days(14)).to_string());
        refused.push((mid_month, vec![(Field::EffectiveDate, Problem::FirstOfMonth)]));
        let mut this_month = good.clone();
        this_month["effective_from"] = json!(earliest.pred_opt().and_then(|d| d.with_day0(0)).map(|d| d.to_string()));
        refused.push((this_month, vec![(Field::EffectiveDate, Problem::OverlapsVersion { earliest })]));
        for (input, expected) in &refused {
            let (status, body) = save(&app, &admin, input).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
            assert_eq!(&refusal(&body), expected);
        }
        assert!(setup(&app, &admin).await.versions.is_empty(), "nothing refused was stored, not even in part");

        let (status, body) = save(&app, &admin, &good).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let after = setup(&app, &admin).await;
        let stored = &after.versions[0];
        assert_eq!(stored.effective_from, earliest);
        assert_eq!(stored.prices[0].1, 150_050, "1,500.50 in fen");
        assert!(stored.prices[1..].iter().all(|(_, minor)| *minor == 12_000));
        assert_eq!(stored.credits.len(), first.types.len() * first.tiers.len());
        assert_eq!((stored.month_end_percent, stored.credit_cap_percent, stored.created_by.as_str()), (20, 10, "孙磊"));
        assert!(after.earliest > earliest, "the next version starts after this one");

        // The same month again overlaps; two admins saving the next month at once store one.
        let (status, body) = save(&app, &admin, &good).await;
        assert_eq!((status, refusal(&body)), (StatusCode::UNPROCESSABLE_ENTITY, vec![(Field::EffectiveDate, Problem::OverlapsVersion { earliest: after.earliest })]));
        let next = version(&after, &after.earliest.to_string());
        let (a, b) = tokio::join!(save(&app, &admin, &next), save(&app, &admin, &next));
        assert_eq!([a.0, b.0].iter().filter(|s| **s == StatusCode::OK).count(), 1, "{a:?} {b:?}");
        assert_eq!(setup(&app, &admin).await.versions.len(), 2);
    }

    async fn only_admins_see_or_keep_the_price_list(app) {
        let admin = app.signed_in("admin@example.com").await;
        let input = version(&setup(&app, &admin).await, "2099-01-01");
        for email in ["client.east@example.com", "contact.east@example.com", "agent1@example.com", "manager@example.com"] {
            let who = app.signed_in(email).await;
            let (status, _) = app.call(&who, "billing/prices", &[]).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{email} reads");
            let (status, _) = save(&app, &who, &input).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{email} saves");
        }
        assert!(setup(&app, &admin).await.versions.is_empty());
        let (status, page) = app.page(&admin, "/admin/prices").await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("价目表"));
    }
}
