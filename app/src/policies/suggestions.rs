//! Suggestions while asking: as a client types a new request's title, the form shows the policy
//! pages that may already answer it. Each opens in a new tab, so the form keeps what was typed.

use super::{
    api::{suggest_policies, SuggestionOpened},
    Suggestion,
};
use crate::{i18n::*, widgets::use_settled};
use leptos::prelude::*;

/// Characters a title needs before pages are suggested for it.
const MIN_CHARS: usize = 2;

#[component]
pub fn PolicySuggestions(title: RwSignal<String>, form_key: StoredValue<String>) -> impl IntoView {
    let i18n = use_i18n();
    // One search per pause in typing, not one per key.
    let settled = use_settled(title, std::time::Duration::from_millis(350));
    // Suggestions exist only in the browser, as the client types: nothing is fetched while
    // the page renders on the server, so the page renders the same every time.
    let shown = RwSignal::new(Vec::<Suggestion>::new());
    let fetch = Action::new(move |text: &String| {
        let text = text.clone();
        async move {
            if text.chars().count() < MIN_CHARS {
                return Ok(Vec::new());
            }
            suggest_policies(form_key.get_value(), text).await
        }
    });
    Effect::new(move |_| {
        let text = settled.get().trim().to_string();
        fetch.dispatch(text);
    });
    Effect::new(move |_| {
        if let Some(result) = fetch.value().get() {
            shown.set(result.unwrap_or_default());
        }
    });
    let opened = ServerAction::<SuggestionOpened>::new();
    view! {
        <div class="policy-suggestions" aria-live="polite">
            {move || {
                let list = shown.get();
                (!list.is_empty()).then(|| view! {
                    <section class="policy-suggestions__box" data-testid="policy-suggestions" aria-labelledby="policy-suggestions-heading">
                        <p id="policy-suggestions-heading" class="policy-suggestions__heading">{t!(i18n, policies.suggestions)}</p>
                        <ul>
                            {list.into_iter().map(|s| {
                                let href = format!("/policies/{}", s.slug);
                                let (slug, version) = (s.slug.clone(), s.version);
                                view! {
                                    <li>
                                        <a href=href target="_blank" rel="noopener"
                                            on:click=move |_| {
                                                opened.dispatch(SuggestionOpened { form_key: form_key.get_value(), slug: slug.clone(), version });
                                            }>
                                            {s.title}
                                            <span class="visually-hidden">{t!(i18n, policies.opens_in_new_tab)}</span>
                                        </a>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    </section>
                })
            }}
        </div>
    }
}

/// For editors: how often the new-request form suggested a page and what came of it.
#[component]
pub fn SuggestionReport(page: super::PolicyPageId) -> impl IntoView {
    let i18n = use_i18n();
    let counts = Resource::new(move || page, super::api::policy_suggestion_counts);
    view! {
        <section class="policy-suggestion-report" data-testid="suggestion-report">
            <h2>{t!(i18n, policies.suggestion_report)}</h2>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    counts.await.ok().map(|c| view! {
                        <p>{t!(i18n, policies.suggestion_counts, suggested = c.suggested, opened = c.opened, submitted = c.submitted, deflected = c.deflected)}</p>
                    })
                })}
            </Suspense>
        </section>
    }
}
