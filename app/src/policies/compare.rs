//! `/policies/:slug/compare?from=1&to=2`: what changed between two versions of a page, line
//! by line with the changed characters marked. A GET form chooses the pair, so the page works
//! without JavaScript and every comparison has an address.

use super::{api::compare_policy_versions, ui::Snippet, DiffLine, VersionDiff};
use crate::{
    i18n::*,
    widgets::{ErrorNotice, SignedIn},
};
use leptos::prelude::*;
use leptos_router::{
    components::A,
    hooks::{use_params_map, use_query_map},
};

#[component]
pub fn PolicyComparePage() -> impl IntoView {
    view! {
        <section class="page page--policy">
            <SignedIn let:_user>
                <Compare />
            </SignedIn>
        </section>
    }
}

#[component]
fn Compare() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let query = use_query_map();
    let key = Memo::new(move |_| {
        let number = |name: &str| query.with(|q| q.get(name).and_then(|v| v.parse::<i64>().ok()));
        let to = number("to").unwrap_or(2);
        (params.with(|p| p.get("slug").unwrap_or_default()), number("from").unwrap_or(to - 1), to)
    });
    let diff = Resource::new(move || key.get(), |(slug, from, to)| compare_policy_versions(slug, from, to));
    view! {
        <Suspense fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match diff.await {
                    Ok(diff) => view! { <Comparison diff /> }.into_any(),
                    Err(error) => view! {
                        <h1>{t!(i18n, policies.not_found)}</h1>
                        <ErrorNotice error />
                        <p><A href="/policies">{t!(i18n, policies.back)}</A></p>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Comparison(diff: VersionDiff) -> impl IntoView {
    let i18n = use_i18n();
    let page_href = format!("/policies/{}", diff.slug);
    let title = diff.title.clone();
    let action = format!("/policies/{}/compare", diff.slug);
    let unchanged = diff.lines.iter().all(|l| matches!(l, DiffLine::Same(_) | DiffLine::Skipped(_)));
    let choose = move |name: &'static str, label_id: &'static str, chosen: i64, versions: Vec<i64>| {
        view! {
            <select id=label_id name=name>
                {versions.into_iter().map(|n| view! {
                    <option value=n.to_string() selected=n == chosen>{t!(i18n, policies.version, number = n)}</option>
                }).collect_view()}
            </select>
        }
    };
    view! {
        <nav class="breadcrumbs" aria-label=move || t_string!(i18n, nav.breadcrumbs)>
            <A href="/policies">{t!(i18n, policies.title)}</A> " / " <A href=page_href>{title}</A>
        </nav>
        <h1>{t!(i18n, policies.compare)} " · " {diff.title.clone()}</h1>
        <form class="compare-choice no-print" method="get" action=action>
            <label for="compare-from">{t!(i18n, policies.compare_from)}</label>
            {choose("from", "compare-from", diff.from, diff.versions.clone())}
            <label for="compare-to">{t!(i18n, policies.compare_to)}</label>
            {choose("to", "compare-to", diff.to, diff.versions.clone())}
            <button type="submit" class="button">{t!(i18n, policies.compare_show)}</button>
        </form>
        {unchanged.then(|| view! { <p class="notice notice--info" role="status">{t!(i18n, policies.compare_same)}</p> })}
        <div class="diff" data-testid="diff">
            {diff.lines.into_iter().map(|line| match line {
                DiffLine::Same(text) => view! { <div class="diff__line">{text}</div> }.into_any(),
                DiffLine::Removed(pieces) => view! {
                    <del class="diff__line diff__line--removed">
                        <span class="visually-hidden">{t!(i18n, policies.compare_removed)}</span><Snippet pieces />
                    </del>
                }.into_any(),
                DiffLine::Added(pieces) => view! {
                    <ins class="diff__line diff__line--added">
                        <span class="visually-hidden">{t!(i18n, policies.compare_added)}</span><Snippet pieces />
                    </ins>
                }.into_any(),
                DiffLine::Skipped(count) => view! {
                    <div class="diff__line diff__line--skipped">{t!(i18n, policies.compare_skipped, count = count)}</div>
                }.into_any(),
            }).collect_view()}
        </div>
    }
}
