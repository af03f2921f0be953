//! `/admin/calendars`: the admin edits working calendars (zone, weekly periods, the default),
//! brings in a year's holidays and make-up days from a CSV or iCalendar file after seeing what
//! it will change, and chooses the calendar of each team and request type.

use crate::{
    error::{AppError, Field},
    i18n::*,
    i18n_support::weekday_label,
    kernel::CalendarId,
    sla::{

        api::{assign_calendar, check_schedule_import, import_schedule, load_calendar_setup, remove_calendar_date, save_calendar},
        calendar::DateRule, calendar_file::DatedEntry, CalendarInput, CalendarScope, CalendarSetup,
        CalendarUser, CalendarView, ImportCheck, ScheduleFormat,
    },
    widgets::{ErrorNotice, FieldMessage, SignedIn},
};
use leptos::prelude::*;

/// Files over this size are refused in the browser, before the server's body limit would.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
const MAX_FILE_BYTES: f64 = 900.0 * 1024.0;

#[component]
pub fn CalendarsPage() -> impl IntoView {
    let i18n = use_i18n();
    let reload = RwSignal::new(0u32);
    let setup = Resource::new(move || reload.get(), |_| load_calendar_setup());
    view! {
        <section class="page">
            <SignedIn let:_user>
                <h1>{t!(i18n, calendars.title)}</h1>
                <p class="help">{t!(i18n, calendars.help)}</p>
                <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                    {move || Suspend::new(async move {
                        match setup.await {
                            Ok(CalendarSetup { calendars, teams, types }) => {
                                let choices: Vec<(CalendarId, String)> = calendars.iter().map(|c| (c.id, c.name.clone())).collect();
                                view! {
                                    <div class="stack">
                                        {calendars.into_iter().map(|calendar| view! { <CalendarCard calendar reload /> }).collect_view()}
                                        <CalendarForm calendar=None reload />
                                        <Assignments teams types choices />
                                    </div>
                                }.into_any()
                            }
                            Err(error) => view! { <ErrorNotice error /> }.into_any(),
                        }
                    })}
                </Transition>
            </SignedIn>
        </section>
    }
}

/// One calendar: its settings, its dates, and the import of a schedule file.
#[component]
fn CalendarCard(calendar: CalendarView, reload: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let heading_id = format!("calendar-{}-heading", calendar.id);
    let labelled_by = heading_id.clone();
    let name = calendar.name.clone();
    let open = calendar.open_requests;
    let default = calendar.is_default;
    view! {
        <section class="card" aria-labelledby=labelled_by data-testid="calendar" data-calendar=calendar.name.clone()>
            <h2 id=heading_id>
                {name}
                {default.then(|| view! { " " <span class="badge">{t!(i18n, calendars.default_badge)}</span> })}
            </h2>
            <p class="muted">{move || t_string!(i18n, calendars.open_requests, count = open).to_string()}</p>
            <CalendarForm calendar=Some(calendar.clone()) reload />
            <CalendarDates calendar=calendar.clone() reload />
            <ScheduleImport calendar=calendar.clone() reload />
            <p class="form-actions">
                <a class="button" href=format!("/admin/calendars/{}/schedule.csv", calendar.id) download="" rel="external">{t!(i18n, calendars.export_csv)}</a>
                <a class="button" href=format!("/admin/calendars/{}/schedule.ics", calendar.id) download="" rel="external">{t!(i18n, calendars.export_ics)}</a>
            </p>
        </section>
    }
}

/// A calendar's name, zone, week and default flag; or a new calendar's.
#[component]
fn CalendarForm(calendar: Option<CalendarView>, reload: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let id = calendar.as_ref().map(|c| c.id);
    let version = calendar.as_ref().map(|c| c.version);
    let prefix = id.map(|id| format!("calendar-{id}")).unwrap_or_else(|| "calendar-new".into());
    let name = RwSignal::new(calendar.as_ref().map(|c| c.name.clone()).unwrap_or_default());
    let zone = RwSignal::new(calendar.as_ref().map(|c| c.zone.clone()).unwrap_or_else(|| crate::time::DEFAULT_TIME_ZONE.to_string()));
    let standard = super::periods_text(&super::calendar::standard_week()[0]);
    let week: Vec<RwSignal<String>> = (0..7)
        .map(|day| {
            RwSignal::new(match &calendar {
                Some(c) => c.week.get(day).cloned().unwrap_or_default(),
                None if day < 5 => standard.clone(),
                None => String::new(),
            })
        })
        .collect();
    let is_default = RwSignal::new(calendar.as_ref().is_some_and(|c| c.is_default));
    let was_default = calendar.as_ref().is_some_and(|c| c.is_default);
    let save = Action::new(move |input: &CalendarInput| {
        let input = input.clone();
        async move { save_calendar(id, input).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            reload.update(|n| *n += 1);
        }
    });
    let error = Memo::new(move |_| save.value().get().and_then(|r| r.err()));
    let message = move |field: Field| {
        Signal::derive(move || {
            error.get().and_then(|e| e.field_problems(field).first().copied()).map(|p| p.message(i18n.get_locale(), field.label(i18n.get_locale())))
        })
    };
    let general = Memo::new(move |_| error.get().filter(|e| !matches!(e, AppError::Invalid(_))));
    let week_values = week.clone();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if save.pending().get_untracked() {
            return;
        }
        save.dispatch(CalendarInput {
            name: name.get_untracked(),
            zone: zone.get_untracked(),
            week: week_values.iter().map(|w| w.get_untracked()).collect(),
            is_default: is_default.get_untracked(),
            version,
        });
    };
    let prefix = StoredValue::new(prefix);
    let text_field = move |suffix: String, value: RwSignal<String>, field: Field, list: Option<&'static str>| {
        let input_id = format!("{}-{suffix}", prefix.get_value());
        let label_for = input_id.clone();
        view! {
            <div class="field">
                <label for=label_for>{move || field.label(i18n.get_locale()).to_string()}</label>
                <input id=input_id type="text" list=list prop:value=move || value.get()
                    on:input=move |ev| value.set(event_target_value(&ev))
                    aria-invalid=move || message(field).get().is_some().to_string() />
                <FieldMessage message=message(field) />
            </div>
        }
    };
    let default_id = format!("{}-default", prefix.get_value());
    let default_for = default_id.clone();
    let new = id.is_none();
    let form = view! {
        <form class="form form--grid" on:submit=on_submit novalidate data-testid="calendar-form">
            {text_field("name".into(), name, Field::CalendarName, None)}
            {text_field("zone".into(), zone, Field::TimeZone, Some("calendar-zones"))}
            <fieldset class="field field--wide">
                <legend>{t!(i18n, calendars.week)}</legend>
                <p class="help">{t!(i18n, calendars.week_help)}</p>
                {week.iter().enumerate().map(|(day, value)| text_field(format!("day-{day}"), *value, Field::WorkingHours(day as u8), None)).collect_view()}
                <FieldMessage message=message(Field::Week) />
            </fieldset>
            <div class="checkbox">
                <input id=default_id type="checkbox" prop:checked=move || is_default.get() disabled=was_default
                    on:change=move |ev| is_default.set(event_target_checked(&ev)) />
                <label for=default_for>{t!(i18n, calendars.make_default)}</label>
            </div>
            <FieldMessage message=message(Field::CalendarDates) />
            {move || general.get().map(|error| view! { <ErrorNotice error /> })}
            <div class="form-actions">
                <button type="submit" class="button button--primary" disabled=move || save.pending().get()>
                    {move || if new { t_string!(i18n, calendars.create) } else { t_string!(i18n, calendars.save) }}
                </button>
            </div>
            <datalist id="calendar-zones">
                {crate::time::OFFERED_TIME_ZONES.iter().map(|z| view! { <option value=*z></option> }).collect_view()}
            </datalist>
        </form>
    };
    if new {
        view! {
            <section class="card" aria-labelledby="calendar-new-heading">
                <h2 id="calendar-new-heading">{t!(i18n, calendars.new)}</h2>
                {form}
            </section>
        }
        .into_any()
    } else {
        form.into_any()
    }
}

fn rule_words(i18n: leptos_i18n::I18nContext<Locale>, rule: DateRule) -> String {
    match rule {
        DateRule::Holiday => t_string!(i18n, calendars.holiday).to_string(),
        DateRule::WorksLike(day) => {
            t_string!(i18n, calendars.make_up_day, weekday = weekday_label(i18n.get_locale(), day)).to_string()
        }
    }
}

/// The calendar's own dates, each removable.
#[component]
fn CalendarDates(calendar: CalendarView, reload: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let (id, version) = (calendar.id, calendar.version);
    let remove = Action::new(move |date: &chrono::NaiveDate| {
        let date = *date;
        async move { remove_calendar_date(id, version, date).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = remove.value().get() {
            reload.update(|n| *n += 1);
        }
    });
    let error = Memo::new(move |_| remove.value().get().and_then(|r| r.err()));
    let count = calendar.dates.len();
    let caption_id = format!("calendar-{id}-dates");
    let described = caption_id.clone();
    view! {
        <h3 id=caption_id>{move || t_string!(i18n, calendars.dates, count = count).to_string()}</h3>
        {move || error.get().map(|error| view! { <ErrorNotice error /> })}
        <div class="table-wrap calendar-dates">
            <table class="table" aria-labelledby=described>
                <thead><tr>
                    <th scope="col">{t!(i18n, calendars.date)}</th>
                    <th scope="col">{t!(i18n, calendars.rule)}</th>
                    <th scope="col"><span class="visually-hidden">{t!(i18n, calendars.remove)}</span></th>
                </tr></thead>
                <tbody>
                    {calendar.dates.iter().copied().map(|DatedEntry { date, rule }| view! {
                        <tr data-date=date.to_string()>
                            <td>{format!("{} {}", date.format("%Y-%m-%d"), weekday_label(i18n.get_locale_untracked(), chrono::Datelike::weekday(&date)))}</td>
                            <td>{move || rule_words(i18n, rule)}</td>
                            <td>
                                <button type="button" class="button button--small" disabled=move || remove.pending().get()
                                    aria-label=move || t_string!(i18n, calendars.remove_date, date = date.to_string()).to_string()
                                    on:click=move |_| { remove.dispatch(date); }>
                                    {t!(i18n, calendars.remove)}
                                </button>
                            </td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// The format a file name says, CSV unless it ends in `.ics`.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
fn format_of(file_name: &str) -> ScheduleFormat {
    if file_name.to_ascii_lowercase().ends_with(".ics") { ScheduleFormat::Ics } else { ScheduleFormat::Csv }
}

/// Reads a chosen file as text in the browser.
#[cfg(feature = "hydrate")]
async fn file_text(file: web_sys::File) -> Option<String> {
    wasm_bindgen_futures::JsFuture::from(file.text()).await.ok()?.as_string()
}

/// A schedule file: chosen, checked (what it would change), then applied.
#[component]
fn ScheduleImport(calendar: CalendarView, reload: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let (id, version) = (calendar.id, calendar.version);
    let text = RwSignal::new(String::new());
    let format = RwSignal::new(ScheduleFormat::Ics);
    let local_error = RwSignal::new(None::<AppError>);
    let check = Action::new(move |(format, text): &(ScheduleFormat, String)| {
        let (format, text) = (*format, text.clone());
        async move { check_schedule_import(id, format, text).await }
    });
    let apply = Action::new(move |(format, text): &(ScheduleFormat, String)| {
        let (format, text) = (*format, text.clone());
        async move { import_schedule(id, version, format, text).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = apply.value().get() {
            reload.update(|n| *n += 1);
        }
    });
    let on_file = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
            let Some(file) = input.files().and_then(|files| files.get(0)) else { return };
            check.clear();
            local_error.set(None);
            format.set(format_of(&file.name()));
            use crate::{error::Problem, sla::calendar_file::MAX_ICS_LINES};
            if file.size() > MAX_FILE_BYTES {
                local_error.set(Some(AppError::invalid(Field::ScheduleFile, Problem::TooManyLines { max: MAX_ICS_LINES as u32 })));
                return;
            }
            leptos::task::spawn_local(async move {
                let Some(content) = file_text(file).await else {
                    local_error.set(Some(AppError::invalid(Field::ScheduleFile, Problem::UnreadableFile)));
                    return;
                };
                if content.lines().nth(MAX_ICS_LINES).is_some() {
                    local_error.set(Some(AppError::invalid(Field::ScheduleFile, Problem::TooManyLines { max: MAX_ICS_LINES as u32 })));
                    return;
                }
                text.set(content.clone());
                check.dispatch((format.get_untracked(), content));
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    let file_id = format!("calendar-{id}-file");
    let file_for = file_id.clone();
    let errors = Memo::new(move |_| {
        local_error.get().or_else(|| check.value().get().and_then(|r| r.err())).or_else(|| apply.value().get().and_then(|r| r.err()))
    });
    view! {
        <h3>{t!(i18n, calendars.import)}</h3>
        <p class="help">{t!(i18n, calendars.import_help)}</p>
        <div class="field">
            <label for=file_for>{t!(i18n, fields.schedule_file)}</label>
            <input id=file_id type="file" accept=".ics,.csv,text/calendar,text/csv" on:change=on_file data-testid="schedule-file" />
        </div>
        {move || errors.get().map(|error| view! { <ErrorNotice error /> })}
        {move || check.value().get().and_then(|r| r.ok()).map(|preview| view! {
            <ImportPreviewView preview />
            <div class="form-actions">
                <button type="button" class="button button--primary" disabled=move || apply.pending().get()
                    on:click=move |_| { apply.dispatch((format.get_untracked(), text.get_untracked())); }>
                    {t!(i18n, calendars.apply)}
                </button>
            </div>
        })}
        <p role="status">{move || apply.value().get().and_then(|r| r.ok()).map(|moved| t_string!(i18n, calendars.applied, count = moved).to_string())}</p>
    }
}

#[component]
fn ImportPreviewView(preview: ImportCheck) -> impl IntoView {
    let i18n = use_i18n();
    let ImportCheck { preview, open_requests } = preview;
    let (added, changed, unchanged) = (preview.added.len(), preview.changed.len(), preview.unchanged);
    view! {
        <div class="import-preview" data-testid="import-preview">
            <p>{move || t_string!(i18n, calendars.preview_summary, added = added, changed = changed, unchanged = unchanged, open = open_requests).to_string()}</p>
            <ul>
                {preview.added.iter().copied().map(|e| view! {
                    <li data-change="added">{format!("{} ", e.date)} {move || t_string!(i18n, calendars.will_add, rule = rule_words(i18n, e.rule)).to_string()}</li>
                }).collect_view()}
                {preview.changed.iter().copied().map(|(before, after)| view! {
                    <li data-change="changed">{format!("{} ", after.date)} {move || t_string!(i18n, calendars.will_change, before = rule_words(i18n, before.rule), after = rule_words(i18n, after.rule)).to_string()}</li>
                }).collect_view()}
            </ul>
        </div>
    }
}

/// Which calendar each team and request type counts on.
#[component]
fn Assignments(teams: Vec<CalendarUser>, types: Vec<CalendarUser>, choices: Vec<(CalendarId, String)>) -> impl IntoView {
    let i18n = use_i18n();
    let assign = Action::new(|(scope, calendar): &(CalendarScope, Option<CalendarId>)| {
        let (scope, calendar) = (*scope, *calendar);
        async move { assign_calendar(scope, calendar).await }
    });
    let error = Memo::new(move |_| assign.value().get().and_then(|r| r.err()));
    let saved = Memo::new(move |_| matches!(assign.value().get(), Some(Ok(()))));
    let rows = move |users: Vec<CalendarUser>, scope: fn(i64) -> CalendarScope, prefix: &'static str| {
        let choices = choices.clone();
        users.into_iter().map(move |user| {
            let select_id = format!("{prefix}-{}", user.id);
            let label_for = select_id.clone();
            let (zh, en) = (user.name_zh.clone(), user.name_en.clone());
            let current = user.calendar_id;
            let target = scope(user.id);
            view! {
                <tr>
                    <th scope="row"><label for=label_for>{move || if i18n.get_locale() == Locale::en { en.clone() } else { zh.clone() }}</label></th>
                    <td>
                        <select id=select_id on:change=move |ev| {
                            let calendar = event_target_value(&ev).parse::<CalendarId>().ok();
                            assign.dispatch((target, calendar));
                        }>
                            <option value="" selected=current.is_none()>{t!(i18n, calendars.use_default)}</option>
                            {choices.iter().map(|(id, name)| view! {
                                <option value=id.to_string() selected=current == Some(*id)>{name.clone()}</option>
                            }).collect_view()}
                        </select>
                    </td>
                </tr>
            }
        }).collect_view()
    };
    view! {
        <section class="card" aria-labelledby="calendar-users-heading">
            <h2 id="calendar-users-heading">{t!(i18n, calendars.assignments)}</h2>
            <p class="help">{t!(i18n, calendars.assignments_help)}</p>
            {move || error.get().map(|error| view! { <ErrorNotice error /> })}
            <p role="status">{move || saved.get().then(|| t_string!(i18n, calendars.assigned).to_string())}</p>
            <h3>{t!(i18n, calendars.teams)}</h3>
            <table class="table"><tbody>{rows(teams, |id| CalendarScope::Team(crate::kernel::TeamId(id)), "team-calendar")}</tbody></table>
            <h3>{t!(i18n, calendars.types)}</h3>
            <table class="table"><tbody>{rows(types, |id| CalendarScope::RequestType(crate::kernel::TypeId(id)), "type-calendar")}</tbody></table>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_name_says_its_format() {
        assert_eq!(format_of("2027.ICS"), ScheduleFormat::Ics);
        assert_eq!(format_of("holidays.csv"), ScheduleFormat::Csv);
    }
}
