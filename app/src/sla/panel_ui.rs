//! The request page's clock panel: both targets, what has counted and what is left in working
//! time, the pauses with their reasons, and how the due instants were computed. The same for
//! the client and the center.

use crate::{
    i18n::*,
    kernel::RequestId,
    requests::api::request_clock,
    sla::{
        clock::{ClockState, PauseView, SlaPanel, TargetClock}, PauseKind, SlaTarget, split_minutes,
    },
    widgets::Timestamp,
};
use leptos::prelude::*;

/// The panel refreshes this often while the page is open, and whenever the request changes.
/// Figures that move with the clock are marked `clock__live`.
const REFRESH_SECONDS: u64 = 60;

/// Working minutes as hours and minutes; a working day has no fixed length, so no days.
pub fn working_time_text(i18n: leptos_i18n::I18nContext<Locale>, minutes: i64) -> String {
    let (days, h, m) = split_minutes(minutes.abs());
    let hours = days * 24 + h;
    let text = if hours == 0 {
        t_string!(i18n, sla.minutes, m = m).to_string()
    } else {
        t_string!(i18n, sla.hours_minutes, h = hours, m = m).to_string()
    };
    if minutes < 0 { format!("−{text}") } else { text }
}

#[component]
pub fn ClockPanel(id: RequestId, panel: SlaPanel, #[prop(into)] zone: String) -> impl IntoView {
    let i18n = use_i18n();
    let current = RwSignal::new(panel);
    Effect::new(move |_| {
        let handle = set_interval_with_handle(
            move || {
                // A clock that has stopped for good has nothing new to say.
                if current.with_untracked(|p| p.targets.iter().all(|t| t.reached_at.is_some() || t.state == ClockState::Stopped)) {
                    return;
                }
                leptos::task::spawn_local(async move {
                    if let Ok(fresh) = request_clock(id).await {
                        current.set(fresh);
                    }
                });
            },
            std::time::Duration::from_secs(REFRESH_SECONDS),
        );
        on_cleanup(move || {
            if let Ok(handle) = handle {
                handle.clear();
            }
        });
    });
    let zone = StoredValue::new(zone);
    view! {
        <section class="card clock" aria-labelledby="clock-heading" data-testid="sla-clock">
            <h2 id="clock-heading">{t!(i18n, sla.panel_title)}</h2>
            {move || {
                let panel = current.get();
                view! {
                    <table class="table clock__targets">
                        <thead>
                            <tr>
                                <th scope="col">{t!(i18n, sla.target)}</th>
                                <th scope="col">{t!(i18n, sla.promised)}</th>
                                <th scope="col">{t!(i18n, sla.counted)}</th>
                                <th scope="col">{t!(i18n, sla.remaining)}</th>
                                <th scope="col">{t!(i18n, sla.due_at)}</th>
                                <th scope="col">{t!(i18n, sla.state)}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {panel.targets.iter().cloned().map(|target| view! { <TargetRow target zone=zone.get_value() /> }).collect_view()}
                        </tbody>
                    </table>
                    <Pauses pauses=panel.pauses.clone() total=panel.paused_minutes zone=zone.get_value() />
                    <HowComputed panel=panel.clone() zone=zone.get_value() />
                }
            }}
        </section>
    }
}

#[component]
fn TargetRow(target: TargetClock, zone: String) -> impl IntoView {
    let i18n = use_i18n();
    let name = move || match target.target {
        SlaTarget::FirstResponse => t_string!(i18n, sla.first_response),
        SlaTarget::Resolution => t_string!(i18n, sla.resolution),
    };
    let state = target.state;
    let state_text = move || match state {
        ClockState::Running => t_string!(i18n, sla.running),
        ClockState::Paused => t_string!(i18n, sla.paused),
        ClockState::Met => t_string!(i18n, sla.met),
        ClockState::Breached => t_string!(i18n, sla.breached),
        ClockState::Stopped => t_string!(i18n, sla.stopped),
    };
    let state_key = match state {
        ClockState::Running => "running",
        ClockState::Paused => "paused",
        ClockState::Met => "met",
        ClockState::Breached => "breached",
        ClockState::Stopped => "stopped",
    };
    let (promised, counted, remaining) = (target.promised_minutes, target.counted_minutes, target.remaining_minutes);
    let ended = target.reached_at.is_some() || state == ClockState::Stopped;
    view! {
        <tr data-target=target.target.as_str() data-state=state_key>
            <th scope="row">{name}</th>
            <td>{move || working_time_text(i18n, promised)}</td>
            <td><span class="clock__live">{move || working_time_text(i18n, counted)}</span></td>
            <td data-testid="remaining"><span class="clock__live">{move || if ended { "—".to_string() } else { working_time_text(i18n, remaining) }}</span></td>
            <td>
                {match (target.reached_at, target.due_at) {
                    (Some(at), _) => view! { <span>{t!(i18n, sla.reached)} " " <Timestamp at zone /></span> }.into_any(),
                    (None, Some(due)) => view! { <Timestamp at=due zone /> }.into_any(),
                    (None, None) => view! { <span class="muted">{t!(i18n, sla.due_unknown_while_paused)}</span> }.into_any(),
                }}
            </td>
            <td><span class=format!("clock-state clock-state--{state_key}")>{state_text}</span></td>
        </tr>
    }
}

#[component]
fn Pauses(pauses: Vec<PauseView>, total: i64, zone: String) -> impl IntoView {
    let i18n = use_i18n();
    if pauses.is_empty() {
        return view! { <p class="muted">{t!(i18n, sla.no_pauses)}</p> }.into_any();
    }
    view! {
        <h3>{t!(i18n, sla.pauses)}</h3>
        <p>{t!(i18n, sla.paused_total)} " " <span class="clock__live">{move || working_time_text(i18n, total)}</span></p>
        <ul class="clock__pauses">
            {pauses.into_iter().map(|pause| {
                let minutes = pause.working_minutes;
                view! {
                    <li data-open=pause.ended_at.is_none().to_string() data-kind=pause.kind.as_str()>
                        <Timestamp at=pause.started_at zone=zone.clone() />
                        " – "
                        {match pause.ended_at {
                            Some(end) => view! { <Timestamp at=end zone=zone.clone() /> }.into_any(),
                            None => view! { <span>{t!(i18n, sla.still_waiting)}</span> }.into_any(),
                        }}
                        <span class="muted">" · " <span class="clock__live">{move || working_time_text(i18n, minutes)}</span></span>
                        {(!pause.reason.is_empty()).then(|| {
                            let kind = pause.kind;
                            let label = move || match kind {
                                PauseKind::AwaitingClient => t_string!(i18n, sla.waiting_for),
                                PauseKind::Resolved => t_string!(i18n, sla.stood_resolved),
                            };
                            view! {
                                <p class="clock__reason"><span class="muted">{label}</span> " " {pause.reason.clone()}</p>
                            }
                        })}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}

/// The arithmetic behind the due instants, in words, so that anyone can check it.
#[component]
fn HowComputed(panel: SlaPanel, zone: String) -> impl IntoView {
    let i18n = use_i18n();
    let calendar = panel.calendar_name.clone();
    let calendar_zone = panel.zone.clone();
    view! {
        <details class="clock__how">
            <summary>{t!(i18n, sla.how_computed)}</summary>
            <p>
                {t!(i18n, sla.how_submitted)} " " <Timestamp at=panel.submitted_at zone=zone.clone() /> ". "
                {move || t_string!(i18n, sla.how_calendar, calendar = calendar.clone(), zone = calendar_zone.clone()).to_string()}
            </p>
            <p>{t!(i18n, sla.how_rule)}</p>
            <p class="muted">{t!(i18n, sla.how_definitions)} " " <a href="/measures#service-times">{t!(i18n, sla.how_link)}</a></p>
            <p class="muted">{t!(i18n, sla.computed_at)} " " <span class="clock__live"><Timestamp at=panel.computed_at zone /></span></p>
        </details>
    }
}
