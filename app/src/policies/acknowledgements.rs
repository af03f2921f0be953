//! Read and acknowledge: the banner that asks a reader to confirm a version, the confirmation
//! on the page itself, and the editors' report of who has confirmed.

use crate::{
    auth::session::use_session,
    i18n::*,
    kernel::PolicyPageId,
    policies::{
        AckReport, AckRow, AckState,
        api::{acknowledgement_report, AcknowledgePolicy, pending_acknowledgements},
    },
    widgets::{ActionError, ErrorNotice, Timestamp, use_action_error},
};
use chrono::{DateTime, Utc};
use leptos::{form::ActionForm, prelude::*};
use leptos_router::components::A;

/// Counts confirmations given in this page's life, so the banner asks the server again after
/// each one. Provided once at the root.
#[derive(Clone, Copy)]
pub struct AcknowledgementsChanged(RwSignal<u32>);

pub fn provide_acknowledgements_changed() {
    provide_context(AcknowledgementsChanged(RwSignal::new(0)));
}

fn acknowledgements_changed() -> Option<AcknowledgementsChanged> {
    use_context::<AcknowledgementsChanged>()
}

/// The deadline as the center's calendar day, which is what editors chose.
fn deadline_day(at: DateTime<Utc>) -> String {
    at.with_timezone(&crate::time::CENTER_TIME_ZONE).format("%Y-%m-%d").to_string()
}

/// On every page of a signed-in user: the versions they have still to confirm.
#[component]
pub fn AcknowledgementBanner() -> impl IntoView {
    let i18n = use_i18n();
    if !use_session().is_signed_in() {
        return None;
    }
    let changed = acknowledgements_changed();
    let pending = Resource::new(move || changed.map(|c| c.0.get()), |_| pending_acknowledgements());
    Some(view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let list = pending.await.ok().filter(|l| !l.is_empty())?;
                Some(view! {
                    <aside class="ack-banner no-print" data-testid="ack-banner" aria-label=move || t_string!(i18n, policies.ack_banner_label)>
                        <p>{t!(i18n, policies.ack_banner)}</p>
                        <ul>
                            {list.into_iter().map(|p| {
                                let href = format!("/policies/{}", p.slug);
                                let deadline = p.deadline.map(deadline_day);
                                view! {
                                    <li>
                                        <A href=href>{p.title}</A>
                                        {deadline.map(|date| view! { " · " {t!(i18n, policies.ack_due_by, date = date.clone())} })}
                                        {p.overdue.then(|| view! { " " <span class="badge badge--danger">{t!(i18n, policies.ack_overdue)}</span> })}
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    </aside>
                })
            })}
        </Transition>
    })
}

/// On a policy page: "I have read it" while it is due, and when it was given afterwards. A
/// plain form, so it works without JavaScript.
#[component]
pub fn AcknowledgeBox(slug: String, version: i64, state: AckState) -> impl IntoView {
    let i18n = use_i18n();
    let confirm = ServerAction::<AcknowledgePolicy>::new();
    let error = use_action_error(confirm);
    let zone = use_session().current().ok().flatten().map(|u| u.time_zone).unwrap_or_default();
    let changed = acknowledgements_changed();
    let given_now = RwSignal::new(None::<DateTime<Utc>>);
    Effect::new(move |_| {
        if let Some(Ok(())) = confirm.value().get() {
            given_now.set(Some(Utc::now()));
            if let Some(changed) = changed {
                changed.0.update(|n| *n += 1);
            }
        }
    });
    let (due, deadline, given) = match state {
        AckState::NotAsked => return None,
        AckState::Due { deadline } => (true, deadline, None),
        AckState::Given { at } => (false, None, Some(at)),
    };
    let slug = StoredValue::new(slug);
    let shown_given = move || given_now.get().or(given);
    Some(view! {
        <section class="ack-box no-print" data-testid="ack-box" aria-labelledby="ack-heading">
            <Show when=move || shown_given().is_none() && due fallback=move || {
                let zone = zone.clone();
                shown_given().map(|at| view! {
                    <p id="ack-heading" class="notice notice--success" role="status">
                        {t!(i18n, policies.ack_given)} " " <Timestamp at zone />
                    </p>
                })
            }>
                <ActionForm action=confirm attr:class="form form--compact">
                    <p id="ack-heading" class="notice notice--warning">
                        {t!(i18n, policies.ack_asked)}
                        {deadline.map(|at| view! { " " {t!(i18n, policies.ack_due_by, date = deadline_day(at))} })}
                    </p>
                    <input type="hidden" name="slug" value=slug.get_value() />
                    <input type="hidden" name="version" value=version.to_string() />
                    <button type="submit" class="button button--primary" disabled=move || confirm.pending().get()>
                        {t!(i18n, policies.ack_confirm)}
                    </button>
                    <ActionError error />
                </ActionForm>
            </Show>
        </section>
    })
}

/// For editors: who of the live version's audience has confirmed it, per organisation, with a
/// CSV export.
#[component]
pub fn AcknowledgementReport(page: PolicyPageId) -> impl IntoView {
    let i18n = use_i18n();
    let report = Resource::new(move || page, acknowledgement_report);
    let zone = use_session().current().ok().flatten().map(|u| u.time_zone).unwrap_or_default();
    view! {
        <section class="policy-ack-report" data-testid="ack-report">
            <h2>{t!(i18n, policies.ack_report)}</h2>
            <Suspense fallback=|| ()>
                {move || { let zone = zone.clone(); Suspend::new(async move {
                    match report.await {
                        Ok(None) => view! { <p class="empty">{t!(i18n, policies.ack_report_none)}</p> }.into_any(),
                        Ok(Some(report)) => view! { <ReportTable page report zone /> }.into_any(),
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    }
                })}}
            </Suspense>
        </section>
    }
}

#[component]
fn ReportTable(page: PolicyPageId, report: AckReport, zone: String) -> impl IntoView {
    let i18n = use_i18n();
    let total = report.rows.len();
    let done = report.rows.iter().filter(|r| r.acknowledged_at.is_some()).count();
    let version = report.version;
    let deadline = report.deadline.map(deadline_day);
    let mut groups: Vec<(String, Vec<AckRow>)> = Vec::new();
    for row in report.rows {
        match groups.last_mut() {
            Some((org, rows)) if *org == row.organisation => rows.push(row),
            _ => groups.push((row.organisation.clone(), vec![row])),
        }
    }
    view! {
        <p>
            {t!(i18n, policies.ack_counts, version = version, done = done, total = total)}
            {deadline.map(|date| view! { " · " {t!(i18n, policies.ack_due_by, date = date.clone())} })}
            {report.deadline_passed.then(|| view! { " " <span class="badge badge--danger">{t!(i18n, policies.ack_deadline_passed)}</span> })}
        </p>
        <p><a href=format!("/editor/policies/{page}/acknowledgements.csv") download="" class="button">{t!(i18n, policies.ack_download)}</a></p>
        {groups.into_iter().map(|(org, rows)| {
            let confirmed = rows.iter().filter(|r| r.acknowledged_at.is_some()).count();
            let count = rows.len();
            let zone = zone.clone();
            view! {
                <table class="table">
                    <caption>{org} " · " {confirmed} " / " {count}</caption>
                    <thead><tr>
                        <th scope="col">{t!(i18n, fields.display_name)}</th>
                        <th scope="col">{t!(i18n, fields.email)}</th>
                        <th scope="col">{t!(i18n, fields.status)}</th>
                    </tr></thead>
                    <tbody>
                        {rows.into_iter().map(|r| {
                            let zone = zone.clone();
                            view! {
                                <tr>
                                    <td>{r.name}</td>
                                    <td>{r.email}</td>
                                    <td>{match r.acknowledged_at {
                                        Some(at) => view! { {t!(i18n, policies.ack_yes)} " · " <Timestamp at zone /> }.into_any(),
                                        None => view! { <span class="badge badge--muted">{t!(i18n, policies.ack_no)}</span> }.into_any(),
                                    }}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            }
        }).collect_view()}
    }
}
