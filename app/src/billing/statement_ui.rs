//! `/statements` and `/statements/:id`: a subsidiary's monthly service statements, for its
//! contacts, its customer managers and admins. The statement page prints as a document (the
//! print stylesheet drops the portal's frame) and downloads as CSV.

use super::{
    api::{answer_dispute, dispute_line, get_statement, list_statements},
    dispute::{AnswerInput, Dispute, DisputeInput, DisputeOutcome, TEXT_MAX},
    format_minor,
    statement::{credit_reason_label, Statement, StatementEntry, StatementLine},
};
use crate::{
    error::{AppError, Field},
    i18n::*,
    i18n_support::reject_reason_label,
    ratings::metrics::{one_decimal, percent},
    widgets::{ErrorNotice, FieldMessage, SignedIn, Timestamp},
};
use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_params_map};

fn month_label(month: chrono::NaiveDate) -> String {
    month.format("%Y-%m").to_string()
}

#[component]
pub fn StatementsPage() -> impl IntoView {
    let i18n = use_i18n();
    let data = Resource::new(|| (), |_| list_statements());
    view! {
        <section class="page">
            <SignedIn let:user>
                <h1>{t!(i18n, statements.title)}</h1>
                <p class="help">{t!(i18n, statements.help)}</p>
                <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                    {
                        let zone = user.time_zone.clone();
                        move || {
                            let zone = zone.clone();
                            Suspend::new(async move {
                                match data.await {
                                    Ok(rows) => view! { <StatementTable rows zone /> }.into_any(),
                                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                                }
                            })
                        }
                    }
                </Transition>
            </SignedIn>
        </section>
    }
}

#[component]
fn StatementTable(rows: Vec<StatementEntry>, zone: String) -> impl IntoView {
    let i18n = use_i18n();
    if rows.is_empty() {
        return view! { <p>{t!(i18n, statements.none)}</p> }.into_any();
    }
    view! {
        <div class="table-wrap">
            <table class="table" data-testid="statements">
                <thead><tr>
                    <th scope="col">{t!(i18n, statements.month)}</th>
                    <th scope="col">{t!(i18n, fields.organisation)}</th>
                    <th scope="col">{t!(i18n, statements.requests)}</th>
                    <th scope="col">{t!(i18n, statements.total_credit)}</th>
                    <th scope="col">{t!(i18n, statements.total_due)}</th>
                    <th scope="col">{t!(i18n, statements.issued)}</th>
                </tr></thead>
                <tbody>
                    {rows.into_iter().map(|r| {
                        let zone = zone.clone();
                        view! {
                            <tr>
                                <th scope="row"><A href=format!("/statements/{}", r.id)>{month_label(r.month)} {(r.revision > 1).then(|| format!(" r{}", r.revision))}</A></th>
                                <td>{r.org_name}</td>
                                <td>{r.lines}</td>
                                <td>{format_minor(r.credit_minor)}</td>
                                <td>{format!("{} {}", r.currency.as_str(), format_minor(r.total_minor))}</td>
                                <td><Timestamp at=r.issued_at zone /></td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
pub fn StatementPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0)));
    let reload = RwSignal::new(0u32);
    let data = Resource::new(move || (id.get(), reload.get()), |(id, _)| get_statement(id));
    // The actions belong to the page: an answer reloads the statement, which rebuilds the
    // forms, and what the server said must outlive that.
    let dispute = Action::new(move |input: &DisputeInput| {
        let input = input.clone();
        async move {
            let answer = dispute_line(input).await;
            if answer.is_ok() {
                reload.try_update(|n| *n += 1);
            }
            answer
        }
    });
    let answer = Action::new(move |input: &AnswerInput| {
        let input = input.clone();
        async move {
            let result = answer_dispute(input).await;
            if result.is_ok() {
                reload.try_update(|n| *n += 1);
            }
            result
        }
    });
    let actions = Actions { dispute, answer, answering: RwSignal::new(None), disputing: RwSignal::new(None) };
    view! {
        <section class="page statement">
            <SignedIn let:user>
                <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                    {
                        let zone = user.time_zone.clone();
                        move || {
                            let zone = zone.clone();
                            Suspend::new(async move {
                                match data.await {
                                    Ok(statement) => view! { <StatementView statement zone actions /> }.into_any(),
                                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                                }
                            })
                        }
                    }
                </Transition>
            </SignedIn>
        </section>
    }
}

/// The page's two actions and which form they were sent from.
#[derive(Clone, Copy)]
struct Actions {
    dispute: Action<DisputeInput, Result<i64, AppError>>,
    answer: Action<AnswerInput, Result<Option<i64>, AppError>>,
    /// The dispute whose answer was sent last.
    answering: RwSignal<Option<i64>>,
    /// The line (from 1) whose dispute form is open.
    disputing: RwSignal<Option<i64>>,
}

#[component]
fn StatementView(statement: Statement, zone: String, actions: Actions) -> impl IntoView {
    let i18n = use_i18n();
    let s = statement;
    let money = move |minor: i64| format!("{} {}", s.currency.as_str(), format_minor(minor));
    let t = s.totals.clone();
    let summary = s.summary.clone();
    let share = |a: crate::operations::Attainment| a.share().map(|v| format!("{} %", percent(v))).unwrap_or_else(|| "—".into());
    let zone_lines = zone.clone();
    let zone_disputes = zone.clone();
    let lines = s.lines.clone();
    let per_type = t.per_type.clone();
    let rejections = summary.rejections.clone();
    let now = chrono::Utc::now();
    let superseded = s.newest_id != s.id;
    let may_open = s.viewer_may_dispute && !superseded && now <= s.dispute_until;
    let disputes = s.disputes.clone();
    let correction = s.disputes.iter().find(|d| d.revision_id == Some(s.id)).cloned();
    let disputed_here: Vec<(i64, i64, DisputeOutcome)> =
        s.disputes.iter().filter(|d| d.statement_id == s.id).map(|d| (d.line_no, d.id, d.outcome)).collect();
    view! {
        <header class="statement__header">
            <h1>{move || td_string!(i18n.get_locale(), statements.heading, org = s.org_name.clone(), month = month_label(s.month)).to_string()}</h1>
            <p class="muted">
                {move || td_string!(i18n.get_locale(), statements.meta, revision = s.revision, prices = s.price_list_from.to_string()).to_string()}
                " " <Timestamp at=s.issued_at zone=zone.clone() />
            </p>
            <p class="no-print">
                <a class="button" href=format!("/statements/{}/statement.csv", s.id) download="" rel="external">{t!(i18n, statements.download_csv)}</a>
                " " <A href="/statements">{t!(i18n, statements.all)}</A>
            </p>
            {superseded.then(|| view! {
                <p class="notice notice--warning" data-testid="superseded">
                    {t!(i18n, statements.superseded)} " " <A href=format!("/statements/{}", s.newest_id)>{t!(i18n, statements.see_newest)}</A>
                </p>
            })}
            {correction.map(|d| {
                let (line, reference, before, after) = (d.line_no, d.reference_no.clone(), format_minor(d.charge_minor), d.corrected_minor.map(format_minor).unwrap_or_default());
                let why = d.answer.clone().unwrap_or_default();
                view! {
                    <div class="notice notice--info" data-testid="correction">
                        <p>{move || td_string!(i18n.get_locale(), statements.correction, line = line, reference = reference.clone(), before = before.clone(), after = after.clone()).to_string()}</p>
                        <p>{t!(i18n, statements.correction_reason)} " " {why}</p>
                    </div>
                }
            })}
            {(!superseded).then(|| view! {
                <p class="muted no-print" data-testid="dispute-until">
                    {t!(i18n, statements.dispute_until)} " " <Timestamp at=s.dispute_until zone=zone.clone() />
                </p>
            })}
        </header>
        <section class="card" aria-labelledby="totals-heading">
            <h2 id="totals-heading">{t!(i18n, statements.totals)}</h2>
            <dl class="figures" data-testid="statement-totals">
                <dt>{t!(i18n, statements.total_price)}</dt><dd>{money(t.price_minor)}</dd>
                <dt>{t!(i18n, statements.total_surcharge)}</dt><dd>{money(t.surcharge_minor)}</dd>
                <dt>{t!(i18n, statements.total_credit)}</dt>
                <dd data-testid="statement-credit">
                    {format!("−{}", money(t.credit_minor))}
                    {t.capped.then(|| view! { " " <span class="badge">{t!(i18n, statements.capped)}</span> })}
                </dd>
                {(t.corrections_minor != 0).then(|| view! {
                    <dt>{t!(i18n, statements.total_corrections)}</dt><dd data-testid="statement-corrections">{money(t.corrections_minor)}</dd>
                })}
                <dt>{t!(i18n, statements.total_due)}</dt><dd data-testid="statement-total"><strong>{money(t.total_minor)}</strong></dd>
            </dl>
            <div class="table-wrap">
                <table class="table">
                    <caption>{t!(i18n, statements.per_type)}</caption>
                    <thead><tr>
                        <th scope="col">{t!(i18n, statements.request_type)}</th>
                        <th scope="col">{t!(i18n, statements.requests)}</th>
                        <th scope="col">{t!(i18n, statements.amount)}</th>
                        <th scope="col">{t!(i18n, statements.credit)}</th>
                    </tr></thead>
                    <tbody>
                        {per_type.into_iter().map(|p| view! {
                            <tr><th scope="row">{p.type_name.clone()}</th><td>{p.requests}</td><td>{money(p.amount_minor)}</td><td>{money(p.credit_minor)}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
        <section class="card" aria-labelledby="service-heading">
            <h2 id="service-heading">{t!(i18n, statements.service)}</h2>
            <dl class="figures">
                <dt>{t!(i18n, dashboard.first_response_percent)}</dt><dd>{share(summary.first_response)}</dd>
                <dt>{t!(i18n, dashboard.resolution_percent)}</dt><dd>{share(summary.resolution)}</dd>
                <dt>{t!(i18n, dashboard.csat_average)}</dt><dd>{summary.csat.average.map(one_decimal).unwrap_or_else(|| "—".into())}</dd>
                <dt>{t!(i18n, dashboard.response_percent)}</dt><dd>{summary.csat.response_rate.map(|r| format!("{} %", percent(r))).unwrap_or_else(|| "—".into())}</dd>
                <dt>{t!(i18n, dashboard.follow_ups_open)}</dt><dd>{summary.open_follow_ups}</dd>
            </dl>
            {(!rejections.is_empty()).then(|| view! {
                <h3>{t!(i18n, statements.rejections)}</h3>
                <ul>
                    {rejections.iter().map(|(reason, n)| {
                        let (reason, n) = (*reason, *n);
                        view! { <li>{move || reject_reason_label(i18n.get_locale(), reason)} ": " {n}</li> }
                    }).collect_view()}
                </ul>
            })}
        </section>
        <section class="card" aria-labelledby="lines-heading">
            <h2 id="lines-heading">{t!(i18n, statements.lines)}</h2>
            <div class="table-wrap">
                <table class="table" data-testid="statement-lines">
                    <thead><tr>
                        <th scope="col">{t!(i18n, statements.reference)}</th>
                        <th scope="col">{t!(i18n, statements.request_type)}</th>
                        <th scope="col">{t!(i18n, statements.submitted)}</th>
                        <th scope="col">{t!(i18n, statements.resolved)}</th>
                        <th scope="col">{t!(i18n, statements.price)}</th>
                        <th scope="col">{t!(i18n, statements.surcharge)}</th>
                        <th scope="col">{t!(i18n, statements.credit)}</th>
                        <th scope="col">{t!(i18n, statements.charge)}</th>
                        <th scope="col" class="no-print">{t!(i18n, statements.dispute)}</th>
                    </tr></thead>
                    <tbody>
                        {lines.into_iter().enumerate().map(|(n, l)| {
                            let line_no = n as i64 + 1;
                            let here = disputed_here.iter().find(|(no, _, _)| *no == line_no).map(|(_, id, outcome)| (*id, *outcome));
                            let charge = l.charge();
                            let corrected = l.corrected_minor.is_some();
                            let reason = l.credit_reason;
                            let zone = zone_lines.clone();
                            let reference = l.reference_no.clone();
                            view! {
                                <tr data-reference=reference>
                                    <th scope="row"><A href=format!("/requests/{}", l.request_id)>{l.reference_no}</A></th>
                                    <td>{l.type_name}</td>
                                    <td><Timestamp at=l.submitted_at zone=zone.clone() /></td>
                                    <td><Timestamp at=l.resolved_at zone /></td>
                                    <td>{if l.free { view! { <span class="badge">{t!(i18n, statements.free)}</span> }.into_any() } else { format_minor(l.price_minor).into_any() }}</td>
                                    <td>{format_minor(l.surcharge_minor)}</td>
                                    <td>{format_minor(l.credit_minor)} {(l.credit_minor > 0).then(|| view! { <br /><span class="muted">{move || credit_reason_label(i18n.get_locale(), reason)}</span> })}</td>
                                    <td data-testid="line-charge">
                                        {format_minor(charge)}
                                        {corrected.then(|| view! { <br /><span class="badge">{t!(i18n, statements.corrected)}</span> })}
                                    </td>
                                    <td class="no-print">
                                        {match here {
                                            Some((id, outcome)) => view! {
                                                <a href=format!("#dispute-{id}")>{move || outcome_label(i18n.get_locale(), outcome)}</a>
                                            }.into_any(),
                                            None if may_open => view! {
                                                <button type="button" class="button button--small" data-testid="dispute-line"
                                                    aria-label=move || td_string!(i18n.get_locale(), statements.dispute_line, line = line_no).to_string()
                                                    on:click=move |_| actions.disputing.set(Some(line_no))>
                                                    {t!(i18n, statements.dispute_action)}
                                                </button>
                                            }.into_any(),
                                            None => ().into_any(),
                                        }}
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
        <DisputeForm statement_id=s.id lines=s.lines.clone() actions />
        <section class="card no-print" id="disputes" aria-labelledby="disputes-heading">
            <h2 id="disputes-heading">{t!(i18n, statements.disputes)}</h2>
            {disputes.is_empty().then(|| view! { <p>{t!(i18n, statements.no_disputes)}</p> })}
            {disputes.into_iter().map(|d| view! { <DisputeThread dispute=d zone=zone_disputes.clone() may_answer=s.viewer_may_answer actions /> }).collect_view()}
        </section>
    }
}

fn outcome_label(locale: Locale, outcome: DisputeOutcome) -> &'static str {
    match outcome {
        DisputeOutcome::Open => td_string!(locale, statements.outcome_open),
        DisputeOutcome::Accepted => td_string!(locale, statements.outcome_accepted),
        DisputeOutcome::Declined => td_string!(locale, statements.outcome_declined),
    }
}

/// The org contact's form for the line they chose to dispute.
#[component]
fn DisputeForm(statement_id: i64, lines: Vec<StatementLine>, actions: Actions) -> impl IntoView {
    let i18n = use_i18n();
    let reason = RwSignal::new(String::new());
    let error = Memo::new(move |_| actions.dispute.value().get().and_then(|r| r.err()));
    let message = Signal::derive(move || {
        error.get().and_then(|e| e.field_problems(Field::Reason).first().copied()).map(|p| p.message(i18n.get_locale(), Field::Reason.label(i18n.get_locale())))
    });
    let sent = move || matches!(actions.dispute.value().get(), Some(Ok(_)));
    view! {
        {move || sent().then(|| view! { <p class="notice notice--success" role="status">{t!(i18n, statements.dispute_sent)}</p> })}
        {move || actions.disputing.get().map(|line_no| {
            let reference = usize::try_from(line_no - 1).ok().and_then(|i| lines.get(i)).map(|l| l.reference_no.clone()).unwrap_or_default();
            let on_submit = move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                if !actions.dispute.pending().get_untracked() {
                    actions.dispute.dispatch(DisputeInput { statement_id, line_no, reason: reason.get_untracked() });
                }
            };
            view! {
                <form class="card form no-print" on:submit=on_submit aria-labelledby="dispute-form-heading" data-testid="dispute-form">
                    <h2 id="dispute-form-heading">{move || td_string!(i18n.get_locale(), statements.dispute_heading, line = line_no, reference = reference.clone()).to_string()}</h2>
                    <div class="field">
                        <label for="dispute-reason">{t!(i18n, statements.dispute_reason)}</label>
                        <textarea id="dispute-reason" rows="3" maxlength=(TEXT_MAX + 200).to_string()
                            prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))
                            aria-invalid=move || message.get().is_some().to_string()></textarea>
                        <FieldMessage message />
                    </div>
                    {move || error.get().filter(|e| !matches!(e, AppError::Invalid(_))).map(|error| view! { <ErrorNotice error /> })}
                    <div class="form-actions">
                        <button type="submit" class="button button--primary" disabled=move || actions.dispute.pending().get()>{t!(i18n, statements.dispute_submit)}</button>
                        " "
                        <button type="button" class="button" on:click=move |_| actions.disputing.set(None)>{t!(i18n, common.cancel)}</button>
                    </div>
                </form>
            }
        })}
    }
}

/// One dispute: the contact's reason, then the manager's answer or, for them, the form.
#[component]
fn DisputeThread(dispute: Dispute, zone: String, may_answer: bool, actions: Actions) -> impl IntoView {
    let i18n = use_i18n();
    let d = dispute;
    let id = d.id;
    let heading = format!("dispute-{id}-heading");
    let labelled_by = heading.clone();
    let (line, reference, revision, outcome) = (d.line_no, d.reference_no.clone(), d.revision, d.outcome);
    let open = d.outcome == DisputeOutcome::Open;
    view! {
        <article class="dispute" id=format!("dispute-{id}") aria-labelledby=labelled_by data-testid="dispute">
            <h3 id=heading>
                {move || td_string!(i18n.get_locale(), statements.dispute_title, line = line, reference = reference.clone(), revision = revision).to_string()}
                " " <span class="badge" data-testid="dispute-outcome">{move || outcome_label(i18n.get_locale(), outcome)}</span>
            </h3>
            <p class="muted">{d.opened_by.clone()} " · " <Timestamp at=d.opened_at zone=zone.clone() /> " · " {t!(i18n, statements.charge)} " " {format_minor(d.charge_minor)}</p>
            <blockquote class="dispute__text">{d.reason.clone()}</blockquote>
            {d.answer.clone().map(|answer| {
                let corrected = d.corrected_minor.map(format_minor);
                view! {
                    <p class="muted">
                        {d.answered_by.clone().unwrap_or_default()} " · "
                        {d.answered_at.map(|at| view! { <Timestamp at zone=zone.clone() /> })}
                        {corrected.map(|c| view! { " · " {t!(i18n, statements.corrected_to)} " " {c} })}
                        {d.revision_id.map(|r| view! { " · " <A href=format!("/statements/{r}")>{t!(i18n, statements.see_correction)}</A> })}
                    </p>
                    <blockquote class="dispute__text dispute__text--answer" data-testid="dispute-answer">{answer}</blockquote>
                }
            })}
            {(open && may_answer).then(|| view! { <AnswerForm dispute_id=id actions /> })}
        </article>
    }
}

/// The customer manager's answer: accept with the corrected charge, or decline; both say why.
#[component]
fn AnswerForm(dispute_id: i64, actions: Actions) -> impl IntoView {
    let i18n = use_i18n();
    let text = RwSignal::new(String::new());
    let amount = RwSignal::new("0.00".to_string());
    let error = Memo::new(move |_| {
        (actions.answering.get() == Some(dispute_id)).then(|| actions.answer.value().get().and_then(|r| r.err())).flatten()
    });
    let message = move |field: Field| {
        Signal::derive(move || error.get().and_then(|e| e.field_problems(field).first().copied()).map(|p| p.message(i18n.get_locale(), field.label(i18n.get_locale()))))
    };
    let send = move |accept: bool| {
        if !actions.answer.pending().get_untracked() {
            actions.answering.set(Some(dispute_id));
            actions.answer.dispatch(AnswerInput { dispute_id, accept, corrected_amount: amount.get_untracked(), answer: text.get_untracked() });
        }
    };
    let (answer_id, amount_id) = (format!("answer-{dispute_id}"), format!("corrected-{dispute_id}"));
    view! {
        <form class="form dispute__answer" on:submit=move |ev: leptos::ev::SubmitEvent| { ev.prevent_default(); send(false) }>
            <div class="field">
                <label for=answer_id.clone()>{t!(i18n, fields.answer)}</label>
                <textarea id=answer_id rows="3" maxlength=(TEXT_MAX + 200).to_string()
                    prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))
                    aria-invalid=move || message(Field::Answer).get().is_some().to_string()></textarea>
                <FieldMessage message=message(Field::Answer) />
            </div>
            <div class="field">
                <label for=amount_id.clone()>{t!(i18n, fields.corrected_amount)}</label>
                <input id=amount_id inputmode="decimal" class="input--short" prop:value=move || amount.get()
                    on:input=move |ev| amount.set(event_target_value(&ev))
                    aria-invalid=move || message(Field::CorrectedAmount).get().is_some().to_string() />
                <p class="help">{t!(i18n, statements.corrected_help)}</p>
                <FieldMessage message=message(Field::CorrectedAmount) />
            </div>
            {move || error.get().filter(|e| !matches!(e, AppError::Invalid(_))).map(|error| view! { <ErrorNotice error /> })}
            <div class="form-actions">
                <button type="button" class="button button--primary" data-testid="accept-dispute" disabled=move || actions.answer.pending().get()
                    on:click=move |_| send(true)>{t!(i18n, statements.accept)}</button>
                " "
                <button type="submit" class="button" data-testid="decline-dispute" disabled=move || actions.answer.pending().get()>{t!(i18n, statements.decline)}</button>
            </div>
        </form>
    }
}

