//! Form controls shared by every page, so labels, help texts and error states stay consistent.

use crate::{auth::Membership, i18n::*, i18n_support::role_label};
use leptos::prelude::*;

/// A labelled single-line input. The label is the children; `help` is tied to the input
/// with `aria-describedby`.
#[component]
pub fn InputField(
    id: &'static str,
    name: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] minlength: Option<usize>,
    #[prop(optional)] maxlength: Option<usize>,
    #[prop(optional, into)] invalid: Option<Signal<bool>>,
    #[prop(optional)] help: Option<ViewFn>,
    children: Children,
) -> impl IntoView {
    let help_id = help.as_ref().map(|_| format!("{id}-help"));
    view! {
        <div class="field">
            <label for=id>{children()}</label>
            <input
                id=id
                name=name
                type=kind
                autocomplete=autocomplete
                minlength=minlength.map(|n| n.to_string())
                maxlength=maxlength.map(|n| n.to_string())
                aria-describedby=help_id.clone()
                aria-invalid=move || invalid.map(|i| i.get().to_string())
                required
            />
            {help.map(|help| view! { <p id=help_id class="help">{help.run()}</p> })}
        </div>
    }
}

/// "Organisation · role" for each membership of a user.
#[component]
pub fn MembershipList(memberships: Vec<Membership>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <ul class="plain-list">
            {memberships
                .into_iter()
                .map(|m| {
                    let role = m.role;
                    view! { <li>{m.org_name} " · " {move || role_label(i18n.get_locale(), role)}</li> }
                })
                .collect_view()}
        </ul>
    }
}
