//! The reader's side of the policy column: browsing by category, searching, and one page with
//! its table of contents. Both pages render whole on the server and work without JavaScript:
//! the search box is a plain GET form.

use crate::{
    attachments::ui::format_size,
    auth::session::use_session,
    i18n::*,
    kernel::PolicyCategoryId,
    policies::{
        acknowledgements::AcknowledgeBox,
        api::{browse_policies, GivePolicyFeedback, policy_history, policy_page, search_policies},
        PolicyCategory, PolicySummary, PolicyView, search::Piece, SearchHit,
    },
    widgets::{ActionError, ErrorNotice, SignedIn, Timestamp, use_action_error},
};
use leptos::{form::ActionForm, prelude::*};
use leptos_router::{
    components::A,
    hooks::{use_params_map, use_query_map},
};

#[component]
pub fn PoliciesPage() -> impl IntoView {
    view! {
        <section class="page">
            <SignedIn let:_user>
                <Policies />
            </SignedIn>
        </section>
    }
}

#[component]
fn Policies() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let q = Memo::new(move |_| query.with(|q| q.get("q").unwrap_or_default().trim().to_string()));
    view! {
        <div class="page-header">
            <h1>{t!(i18n, policies.title)}</h1>
        </div>
        <SearchForm value=q />
        {move || {
            let text = q.get();
            if text.is_empty() { view! { <Browse /> }.into_any() } else { view! { <Results text /> }.into_any() }
        }}
    }
}

/// The search box: a GET form, so results have an address and need no script.
#[component]
pub fn SearchForm(#[prop(into)] value: Signal<String>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <form class="policy-search" method="get" action="/policies" role="search">
            <label for="policy-q" class="policy-search__label">{t!(i18n, policies.search_label)}</label>
            <input id="policy-q" name="q" type="search" maxlength="100" value=move || value.get()
                placeholder=move || t_string!(i18n, policies.search_placeholder) />
            <button type="submit" class="button button--primary">{t!(i18n, policies.search)}</button>
        </form>
    }
}

#[component]
fn Browse() -> impl IntoView {
    let i18n = use_i18n();
    let pages = Resource::new(|| (), |_| browse_policies());
    view! {
        <Suspense fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match pages.await {
                    Ok((_, pages)) if pages.is_empty() => view! { <p class="empty">{t!(i18n, policies.none_yet)}</p> }.into_any(),
                    Ok((categories, pages)) => view! { <CategoryList categories pages /> }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Each category with its pages, in the tree's order; a parent's heading comes before its
/// children's.
#[component]
fn CategoryList(categories: Vec<PolicyCategory>, pages: Vec<PolicySummary>) -> impl IntoView {
    let i18n = use_i18n();
    let ordered = tree_order(&categories);
    let uncategorised: Vec<PolicySummary> =
        pages.iter().filter(|p| !categories.iter().any(|c| c.id == p.category_id)).cloned().collect();
    let sections = ordered
        .into_iter()
        .filter_map(|(category, depth)| {
            let mine: Vec<PolicySummary> = pages.iter().filter(|p| p.category_id == category.id).cloned().collect();
            let has_children_with_pages = categories
                .iter()
                .any(|c| c.parent_id == Some(category.id) && pages.iter().any(|p| p.category_id == c.id));
            (!mine.is_empty() || has_children_with_pages).then(|| {
                let name = category.name();
                let heading = move || name.get(i18n.get_locale()).to_string();
                let list = (!mine.is_empty()).then(|| view! { <PageList pages=mine /> });
                if depth == 0 {
                    view! { <section class="policy-category"><h2>{heading}</h2>{list}</section> }.into_any()
                } else {
                    view! { <section class="policy-category policy-category--sub"><h3>{heading}</h3>{list}</section> }.into_any()
                }
            })
        })
        .collect_view();
    view! {
        <div class="policy-categories" data-testid="policy-categories">
            {sections}
            {(!uncategorised.is_empty()).then(|| view! { <section class="policy-category"><PageList pages=uncategorised /></section> })}
        </div>
    }
}

/// Categories depth first, each with its depth.
fn tree_order(categories: &[PolicyCategory]) -> Vec<(PolicyCategory, usize)> {
    fn visit(all: &[PolicyCategory], parent: Option<PolicyCategoryId>, depth: usize, out: &mut Vec<(PolicyCategory, usize)>) {
        for c in all.iter().filter(|c| c.parent_id == parent) {
            out.push((c.clone(), depth));
            if depth < 8 {
                visit(all, Some(c.id), depth + 1, out);
            }
        }
    }
    let mut out = Vec::new();
    visit(categories, None, 0, &mut out);
    out
}

#[component]
fn PageList(pages: Vec<PolicySummary>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <ul class="policy-list">
            {pages.into_iter().map(|p| {
                let href = format!("/policies/{}", p.slug);
                let effective = p.effective_on.format("%Y-%m-%d").to_string();
                view! {
                    <li>
                        <A href=href>{p.title}</A>
                        <span class="muted">" · " {t!(i18n, policies.effective_on)} " " <time datetime=effective.clone()>{effective.clone()}</time></span>
                        {p.expired.then(|| view! { <span class="badge badge--muted">{t!(i18n, policies.expired)}</span> })}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

#[component]
fn Results(text: String) -> impl IntoView {
    let i18n = use_i18n();
    let hits = Resource::new(move || text.clone(), search_policies);
    view! {
        <Suspense fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match hits.await {
                    Ok(hits) if hits.is_empty() => view! { <p class="empty" role="status">{t!(i18n, policies.no_results)}</p> }.into_any(),
                    Ok(hits) => view! { <HitList hits /> }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn HitList(hits: Vec<SearchHit>) -> impl IntoView {
    let i18n = use_i18n();
    let count = hits.len();
    view! {
        <p class="muted" role="status">{t!(i18n, policies.result_count, count = count)}</p>
        <ol class="policy-results" data-testid="policy-results">
            {hits.into_iter().map(|hit| {
                let href = format!("/policies/{}", hit.slug);
                let effective = hit.effective_on.format("%Y-%m-%d").to_string();
                view! {
                    <li>
                        <A href=href>{hit.title}</A>
                        <p class="policy-results__snippet"><Snippet pieces=hit.snippet /></p>
                        <p class="muted">{t!(i18n, policies.effective_on)} " " <time datetime=effective.clone()>{effective.clone()}</time></p>
                    </li>
                }
            }).collect_view()}
        </ol>
    }
}

/// Text with its matches (or changes) marked; the text is escaped like any other.
#[component]
pub fn Snippet(pieces: Vec<Piece>) -> impl IntoView {
    pieces
        .into_iter()
        .map(|p| if p.hit { view! { <mark>{p.text}</mark> }.into_any() } else { p.text.into_any() })
        .collect_view()
}

#[component]
pub fn PolicyPage() -> impl IntoView {
    view! {
        <section class="page page--policy">
            <SignedIn let:_user>
                <Policy />
            </SignedIn>
        </section>
    }
}

#[component]
fn Policy() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let query = use_query_map();
    let key = Memo::new(move |_| {
        (
            params.with(|p| p.get("slug").unwrap_or_default()),
            query.with(|q| q.get("version").and_then(|v| v.parse::<i64>().ok())),
        )
    });
    let page = Resource::new(move || key.get(), |(slug, version)| policy_page(slug, version));
    view! {
        <Suspense fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(view) => view! { <PolicyDocument view /> }.into_any(),
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
fn PolicyDocument(view: PolicyView) -> impl IntoView {
    let i18n = use_i18n();
    let effective = view.effective_on.format("%Y-%m-%d").to_string();
    let slug = view.slug.clone();
    let live_href = format!("/policies/{}", view.slug);
    let old = view.version != view.live_version;
    let version = view.version;
    let category = view.category.clone().map(|c| c.name());
    let category_name = move || category.as_ref().map(|n| n.get(i18n.get_locale()).to_string());
    let valid_until = view.valid_until.map(|d| d.format("%Y-%m-%d").to_string());
    view! {
        <nav class="breadcrumbs" aria-label=move || t_string!(i18n, nav.breadcrumbs)>
            <A href="/policies">{t!(i18n, policies.title)}</A>
            {move || category_name().map(|n| view! { " / " <span>{n}</span> })}
        </nav>
        <article class="policy" data-testid="policy">
            <header class="policy__header">
                <h1>{view.title.clone()}</h1>
                <p class="muted">
                    {t!(i18n, policies.version, number = version)} " · " {t!(i18n, policies.effective_on)} " "
                    <time datetime=effective.clone()>{effective.clone()}</time>
                    {valid_until.map(|d| view! { " · " {t!(i18n, policies.valid_until)} " " <time datetime=d.clone()>{d.clone()}</time> })}
                </p>
            </header>
            <AcknowledgeBox slug=slug.clone() version state=view.ack.clone() />
            {view.fallback.then(|| view! { <p class="notice notice--info">{t!(i18n, policies.fallback)}</p> })}
            {old.then(|| view! {
                <p class="notice notice--warning" role="note">{t!(i18n, policies.old_version)} " " <A href=live_href.clone()>{t!(i18n, policies.see_current)}</A></p>
            })}
            {view.expired.then(|| view! { <p class="notice notice--warning" role="note">{t!(i18n, policies.expired_notice)}</p> })}
            {view.superseded_by.clone().map(|(slug, title)| view! {
                <p class="notice notice--warning" role="note">{t!(i18n, policies.superseded)} " " <A href=format!("/policies/{slug}")>{title}</A></p>
            })}
            {(!view.toc.is_empty()).then(|| view! {
                <nav class="policy__toc" aria-label=move || t_string!(i18n, policies.contents)>
                    <h2>{t!(i18n, policies.contents)}</h2>
                    <ol>
                        {view.toc.iter().map(|h| {
                            let href = format!("#{}", h.id);
                            view! { <li class=format!("toc-level-{}", h.level)><a href=href>{h.text.clone()}</a></li> }
                        }).collect_view()}
                    </ol>
                </nav>
            })}
            // Sanitized on the server: no script, handler, style or foreign scheme survives.
            <div class="policy__body" inner_html=view.html.clone()></div>
            {(!view.files.is_empty()).then(|| view! {
                <section class="policy__files" aria-labelledby="policy-files-heading">
                    <h2 id="policy-files-heading">{t!(i18n, policies.attachments)}</h2>
                    <ul class="attachments" data-testid="policy-attachments">
                        {view.files.iter().map(|file| view! {
                            <li>
                                <a href=file.download_url()>{file.file_name.clone()}</a>
                                " " <span class="file-row__size">{format_size(file.size_bytes as f64)}</span>
                                " " <a class="no-print" href=file.preview_url() target="_blank" rel="noopener">{t!(i18n, files.preview)}</a>
                            </li>
                        }).collect_view()}
                    </ul>
                </section>
            })}
            {(!view.tags.is_empty()).then(|| view! {
                <p class="policy__tags">{view.tags.iter().map(|t| view! { <span class="tag">{t.clone()}</span> }).collect_view()}</p>
            })}
        </article>
        <Feedback slug=slug.clone() version answered=view.my_feedback.is_some() />
        <History slug />
    }
}

/// "Was this helpful?", once per version; a plain form, so it works without JavaScript.
#[component]
fn Feedback(slug: String, version: i64, answered: bool) -> impl IntoView {
    let i18n = use_i18n();
    let give = ServerAction::<GivePolicyFeedback>::new();
    let error = use_action_error(give);
    // The fallback is built again whenever the answer is undone; it keeps the slug by handle.
    let slug = StoredValue::new(slug);
    let done = move || answered || matches!(give.value().get(), Some(Ok(())));
    view! {
        <section class="policy__feedback no-print" aria-labelledby="feedback-heading">
            <Show when=done fallback=move || view! {
                <ActionForm action=give attr:class="form form--compact">
                    <input type="hidden" name="slug" value=slug.get_value() />
                    <input type="hidden" name="version" value=version.to_string() />
                    <fieldset>
                        <legend id="feedback-heading">{t!(i18n, policies.helpful_question)}</legend>
                        <label class="checkbox"><input type="radio" name="helpful" value="true" required />{t!(i18n, policies.helpful_yes)}</label>
                        <label class="checkbox"><input type="radio" name="helpful" value="false" />{t!(i18n, policies.helpful_no)}</label>
                    </fieldset>
                    <label for="feedback-comment">{t!(i18n, policies.helpful_comment)}</label>
                    <textarea id="feedback-comment" name="comment" rows="2" maxlength="1000"></textarea>
                    <button type="submit" class="button" disabled=move || give.pending().get()>{t!(i18n, common.send)}</button>
                    <ActionError error />
                </ActionForm>
            }>
                <p id="feedback-heading" class="notice notice--success" role="status">{t!(i18n, policies.helpful_thanks)}</p>
            </Show>
        </section>
    }
}

#[component]
fn History(slug: String) -> impl IntoView {
    let i18n = use_i18n();
    let base = format!("/policies/{slug}");
    let zone = use_session().current().ok().flatten().map(|u| u.time_zone).unwrap_or_default();
    let versions = Resource::new(move || slug.clone(), policy_history);
    view! {
        <Suspense fallback=|| ()>
            {move || { let (base, zone) = (base.clone(), zone.clone()); Suspend::new(async move {
                match versions.await {
                    Ok(list) if list.len() > 1 => Some(view! {
                        <section class="policy__history no-print">
                            <h2>{t!(i18n, policies.history)}</h2>
                            <ol>
                                {list.into_iter().map(|v| {
                                    let (at, zone) = (v.published_at, zone.clone());
                                    let href = format!("{base}?version={}", v.number);
                                    let compare = (v.number > 1).then(|| format!("{base}/compare?from={}&to={}", v.number - 1, v.number));
                                    view! {
                                        <li>
                                            <A href=href>{t!(i18n, policies.version, number = v.number)}</A> " · " <Timestamp at zone /> " · " {v.published_by}
                                            {compare.map(|href| view! { " · " <A href=href>{t!(i18n, policies.compare_previous)}</A> })}
                                        </li>
                                    }
                                }).collect_view()}
                            </ol>
                        </section>
                    }),
                    _ => None,
                }
            })}}
        </Suspense>
    }
}
