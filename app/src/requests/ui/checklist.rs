//! The required-documents checklist (一次性告知) of the new-request form: every document the
//! chosen type asks for, what qualifies, the rule it comes from, an example, and whether it is
//! attached yet. Everything the client needs is said once, before they submit.

use crate::{
    attachments::ui::PendingFile,
    catalogue::{PolicyLink, RequestType},
    i18n::*,
    kernel::AttachmentId,
    policies::LinkedPolicy,
};
use leptos::prelude::*;

/// The link to a policy page the user may read; nothing when the page is outside their
/// audience, unpublished or expired.
fn policy_anchor(policies: &[LinkedPolicy], link: &PolicyLink) -> Option<(String, String, i64)> {
    let page = link.page?;
    policies
        .iter()
        .find(|p| p.page == page)
        .map(|p| (p.href(link.anchor.as_deref()), p.title.clone(), p.version))
}

#[component]
pub fn DocumentChecklist(
    chosen: Memo<Option<RequestType>>,
    policies: StoredValue<Vec<LinkedPolicy>>,
    files: RwSignal<Vec<PendingFile>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let attached = move |slot: &str| {
        files.with(|f| f.iter().any(|p| p.slot.as_deref() == Some(slot) && p.uploaded().is_some()))
    };
    move || {
        let t = chosen.get()?;
        let definition = t.definition;
        let type_links: Vec<_> =
            policies.with_value(|p| definition.policies.iter().filter_map(|l| policy_anchor(p, l)).collect());
        if definition.slots.is_empty() && type_links.is_empty() {
            return None;
        }
        let rules = (!type_links.is_empty()).then(|| {
            view! {
                <p class="checklist__rules">
                    {t!(i18n, checklist.rules)} " "
                    {type_links
                        .into_iter()
                        .map(|(href, title, version)| view! {
                            <a href=href target="_blank" rel="noopener">
                                {title} " " {move || t_string!(i18n, checklist.version, n = version).to_string()}
                            </a>
                            " "
                        })
                        .collect_view()}
                </p>
            }
        });
        let items = definition
            .slots
            .into_iter()
            .map(|slot| {
                let key = slot.key.clone();
                let done = Signal::derive(move || attached(&key));
                let rule = slot.policy.as_ref().and_then(|l| policies.with_value(|p| policy_anchor(p, l)));
                let example = slot.example.map(|id: AttachmentId| format!("/files/{id}?inline=1"));
                let label = slot.label.clone();
                let explanation = slot.explanation.clone();
                let required = slot.required;
                view! {
                    <li class="checklist__item" class:checklist__item--done=move || done.get() class:checklist__item--optional=!required>
                        <span class="checklist__state">
                            {move || if done.get() {
                                t_string!(i18n, checklist.attached)
                            } else if required {
                                t_string!(i18n, checklist.missing)
                            } else {
                                t_string!(i18n, checklist.optional)
                            }}
                        </span>
                        <strong>{move || label.get(i18n.get_locale()).to_string()}</strong>
                        {move || {
                            let text = explanation.get(i18n.get_locale()).to_string();
                            (!text.is_empty()).then(|| view! { <p class="checklist__explanation">{text}</p> })
                        }}
                        <p class="checklist__links">
                            {rule.map(|(href, title, _)| view! {
                                <a href=href target="_blank" rel="noopener">{t!(i18n, checklist.rule)} " " {title}</a>
                            })}
                            {example.map(|href| view! {
                                <a href=href target="_blank" rel="noopener">{t!(i18n, checklist.example)}</a>
                            })}
                        </p>
                    </li>
                }
            })
            .collect_view();
        Some(view! {
            <section class="checklist" aria-labelledby="checklist-heading" data-testid="checklist">
                <h2 id="checklist-heading">{t!(i18n, checklist.title)}</h2>
                <p class="help">{t!(i18n, checklist.intro)}</p>
                {rules}
                <ul class="checklist__items">{items}</ul>
            </section>
        })
    }
}
