//! The editors' synonym list: one set per line, saved whole. Search reads it on every query,
//! so a saved list applies at once.

use super::api::{policy_synonyms, SavePolicySynonyms};
use crate::{
    error::{AppError, Field},
    i18n::*,
    widgets::ErrorNotice,
};
use leptos::prelude::*;

#[component]
pub fn SynonymEditor() -> impl IntoView {
    let i18n = use_i18n();
    let saved = Resource::new(|| (), |_| policy_synonyms());
    view! {
        <section class="policy-synonyms" aria-labelledby="synonyms-heading">
            <h2 id="synonyms-heading">{t!(i18n, policies.synonyms)}</h2>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match saved.await {
                        Ok(lines) => view! { <SynonymForm text=lines.join("\n") /> }.into_any(),
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn SynonymForm(text: String) -> impl IntoView {
    let i18n = use_i18n();
    let text = RwSignal::new(text);
    let save = ServerAction::<SavePolicySynonyms>::new();
    let problem = move || {
        save.value().get().and_then(Result::err).map(|error| match &error {
            AppError::Invalid(_) => {
                let locale = i18n.get_locale();
                let label = Field::Synonyms.label(locale);
                let messages: Vec<String> = error.field_problems(Field::Synonyms).into_iter().map(|p| p.message(locale, label)).collect();
                view! { <p class="field-error" role="alert">{messages.join(" ")}</p> }.into_any()
            }
            _ => view! { <ErrorNotice error /> }.into_any(),
        })
    };
    view! {
        <form class="form" on:submit=move |ev| {
            ev.prevent_default();
            save.dispatch(SavePolicySynonyms { text: text.get_untracked() });
        }>
            <label for="policy-synonyms">{t!(i18n, fields.synonyms)}</label>
            <textarea id="policy-synonyms" name="text" rows="6" aria-describedby="policy-synonyms-hint" bind:value=text></textarea>
            <p id="policy-synonyms-hint" class="hint">{t!(i18n, policies.synonyms_hint)}</p>
            {problem}
            <button type="submit" class="button" disabled=move || save.pending().get()>{t!(i18n, policies.synonyms_save)}</button>
            <p class="notice notice--success" role="status">
                {move || match save.value().get() {
                    Some(Ok(count)) => Some(t_string!(i18n, policies.synonyms_saved, count = count).to_string()),
                    _ => None,
                }}
            </p>
        </form>
    }
}
