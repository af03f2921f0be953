//! The request page's feedback: the rating form (also reached from the email's star links),
//! the rating as each reader may see it, and the follow-up of a low score.

use super::{
    api::{change_rating, close_follow_up, rate_request, review_rating},
    ContactMethod, Feedback, FollowUpAction, FollowUpEventKind, FollowUpOutcome, FollowUpView, RatingInput,
    RatingView, ReasonTag, RootCause, Score, COMMENT_MAX, OUTCOME_MAX,
};
use crate::{
    error::{AppError, Field},
    i18n::*,
    kernel::RequestId,
    widgets::{ErrorNotice, FieldMessage, Timestamp},
};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

pub fn reason_label(locale: Locale, reason: ReasonTag) -> &'static str {
    match reason {
        ReasonTag::Timeliness => td_string!(locale, ratings.reason_timeliness),
        ReasonTag::Accuracy => td_string!(locale, ratings.reason_accuracy),
        ReasonTag::Communication => td_string!(locale, ratings.reason_communication),
        ReasonTag::Attitude => td_string!(locale, ratings.reason_attitude),
        ReasonTag::ProcessRules => td_string!(locale, ratings.reason_process_rules),
        ReasonTag::Other => td_string!(locale, ratings.reason_other),
    }
}

pub fn contact_label(locale: Locale, contact: ContactMethod) -> &'static str {
    match contact {
        ContactMethod::Phone => td_string!(locale, ratings.contact_phone),
        ContactMethod::Visit => td_string!(locale, ratings.contact_visit),
        ContactMethod::Email => td_string!(locale, ratings.contact_email),
        ContactMethod::NotReachable => td_string!(locale, ratings.contact_not_reachable),
    }
}

pub fn root_cause_label(locale: Locale, cause: RootCause) -> &'static str {
    match cause {
        RootCause::CenterError => td_string!(locale, ratings.cause_center_error),
        RootCause::ClientDocuments => td_string!(locale, ratings.cause_client_documents),
        RootCause::PolicyUnclear => td_string!(locale, ratings.cause_policy_unclear),
        RootCause::SystemProblem => td_string!(locale, ratings.cause_system_problem),
        RootCause::ExpectationGap => td_string!(locale, ratings.cause_expectation_gap),
        RootCause::Other => td_string!(locale, ratings.cause_other),
    }
}

pub fn action_taken_label(locale: Locale, action: FollowUpAction) -> &'static str {
    match action {
        FollowUpAction::Explained => td_string!(locale, ratings.action_explained),
        FollowUpAction::Redone => td_string!(locale, ratings.action_redone),
        FollowUpAction::CoachedAgent => td_string!(locale, ratings.action_coached_agent),
        FollowUpAction::ImprovedProcess => td_string!(locale, ratings.action_improved_process),
        FollowUpAction::RatingRevised => td_string!(locale, ratings.action_rating_revised),
        FollowUpAction::Other => td_string!(locale, ratings.action_other),
    }
}

fn event_label(locale: Locale, kind: FollowUpEventKind) -> &'static str {
    match kind {
        FollowUpEventKind::Opened => td_string!(locale, ratings.event_opened),
        FollowUpEventKind::RatingChanged => td_string!(locale, ratings.event_rating_changed),
        FollowUpEventKind::Escalated => td_string!(locale, ratings.event_escalated),
        FollowUpEventKind::Closed => td_string!(locale, ratings.event_closed),
    }
}

/// Filled and empty stars, with the score for screen readers.
#[component]
pub fn Stars(score: i64) -> impl IntoView {
    let i18n = use_i18n();
    let n = score.clamp(0, 5) as usize;
    view! {
        <span class="stars" role="img" aria-label=move || t_string!(i18n, ratings.stars_label, count = score).to_string()>
            <span aria-hidden="true">{"★".repeat(n)}<span class="stars__empty">{"☆".repeat(5 - n)}</span></span>
        </span>
    }
}

/// Everything about ratings on the request page, at its top.
#[component]
pub fn FeedbackPanel(id: RequestId, feedback: Feedback, zone: String, reload: RwSignal<u32>) -> impl IntoView {
    let Feedback { can_rate, rating, follow_up, notice } = feedback;
    let i18n = use_i18n();
    view! {
        {can_rate.then(|| view! { <RatingForm id existing=None reload /> })}
        {rating.map(|rating| view! { <RatingSummary id rating zone=zone.clone() reload /> })}
        {notice.map(|notice| {
            let name = notice.manager_name.unwrap_or_else(|| t_string!(i18n, ratings.the_center).to_string());
            view! {
                <p class="notice" data-testid="follow-up-notice">
                    {if notice.closed {
                        t_string!(i18n, ratings.followed_up, manager = name.clone()).to_string()
                    } else {
                        t_string!(i18n, ratings.being_followed_up, manager = name.clone()).to_string()
                    }}
                </p>
            }
        })}
        {follow_up.map(|f| view! { <FollowUpPanel follow_up=f zone reload /> })}
    }
}

/// The rating form: new, or changing an existing rating. The email's star links open the
/// request page with `?score=N`, which only chooses the stars here; saving needs the button.
#[component]
fn RatingForm(id: RequestId, existing: Option<RatingView>, reload: RwSignal<u32>, #[prop(optional)] on_done: Option<Callback<()>>) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let changing = existing.is_some();
    let from_link = query.with_untracked(|q| q.get("score").and_then(|s| s.parse::<i64>().ok()).and_then(Score::new));
    let score = RwSignal::new(existing.as_ref().map(|r| r.score).or(from_link));
    let reasons = RwSignal::new(existing.as_ref().map(|r| r.reasons.clone()).unwrap_or_default());
    let comment = RwSignal::new(existing.as_ref().and_then(|r| r.comment.clone()).unwrap_or_default());
    let send = Action::new(move |input: &RatingInput| {
        let input = input.clone();
        async move {
            let answer = if changing { change_rating(id, input).await } else { rate_request(id, input).await.map(|_| ()) };
            // Applied to the page's counter here, not in an effect of this form: a live refresh
            // may have rebuilt the form while the rating was on its way.
            if answer.is_ok() {
                reload.try_update(|n| *n += 1);
            }
            answer
        }
    });
    Effect::new(move |_| {
        if let (Some(Ok(())), Some(done)) = (send.value().get(), on_done) {
            done.run(());
        }
    });
    let error = Memo::new(move |_| send.value().get().and_then(|r| r.err()));
    let message = move |field: Field| {
        Signal::derive(move || {
            error.get().and_then(|e| e.field_problems(field).first().copied()).map(|p| p.message(i18n.get_locale(), field.label(i18n.get_locale())))
        })
    };
    let general = Memo::new(move |_| error.get().filter(|e| !matches!(e, AppError::Invalid(_))));
    let low = move || score.get().is_some_and(Score::is_low);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if send.pending().get_untracked() {
            return;
        }
        let input = RatingInput {
            score: score.get_untracked().map(Score::stars).unwrap_or(0),
            reasons: reasons.get_untracked(),
            comment: comment.get_untracked(),
        };
        send.dispatch(input);
    };
    view! {
        <section class="card rating-form" id="rating" aria-labelledby="rating-heading">
            <h2 id="rating-heading">{move || if changing { t_string!(i18n, ratings.change_title) } else { t_string!(i18n, ratings.prompt_title) }}</h2>
            {(!changing).then(|| view! { <p class="help">{t!(i18n, ratings.prompt_help)}</p> })}
            {from_link.map(|_| view! { <p class="notice" data-testid="confirm-hint">{t!(i18n, ratings.confirm_hint)}</p> })}
            <form class="form" on:submit=on_submit novalidate>
                <fieldset class="field stars-input" aria-invalid=move || message(Field::Score).get().is_some().to_string()>
                    <legend>{t!(i18n, fields.score)}</legend>
                    <div class="stars-input__choices">
                        {Score::ALL.iter().map(|s| {
                            let s = *s;
                            let input_id = format!("score-{}", s.stars());
                            view! {
                                <input type="radio" name="score" id=input_id.clone() value=s.stars().to_string()
                                    prop:checked=move || score.get() == Some(s)
                                    on:change=move |_| score.set(Some(s)) />
                                <label for=input_id class:star--on=move || score.get().is_some_and(|chosen| chosen >= s)
                                    title=move || t_string!(i18n, ratings.stars_label, count = s.stars()).to_string()>
                                    <span aria-hidden="true">"★"</span>
                                    <span class="visually-hidden">{move || t_string!(i18n, ratings.stars_label, count = s.stars()).to_string()}</span>
                                </label>
                            }
                        }).collect_view()}
                    </div>
                    <FieldMessage message=message(Field::Score) />
                </fieldset>
                <fieldset class="field reasons">
                    <legend>
                        {t!(i18n, fields.reasons)}
                        {move || if low() { t_string!(i18n, ratings.reasons_required) } else { t_string!(i18n, ratings.reasons_optional) }}
                    </legend>
                    <div class="checkbox-row">
                        {ReasonTag::ALL.iter().map(|r| {
                            let r = *r;
                            let input_id = format!("reason-{}", r.as_str());
                            let label_for = input_id.clone();
                            view! {
                                <label class="checkbox" for=label_for>
                                    <input type="checkbox" id=input_id value=r.as_str()
                                        prop:checked=move || reasons.with(|list| list.contains(&r))
                                        on:change=move |ev| {
                                            let on = event_target_checked(&ev);
                                            reasons.update(|list| {
                                                list.retain(|x| *x != r);
                                                if on { list.push(r) }
                                            });
                                        } />
                                    {move || reason_label(i18n.get_locale(), r)}
                                </label>
                            }
                        }).collect_view()}
                    </div>
                    <FieldMessage message=message(Field::Reasons) />
                </fieldset>
                <div class="field">
                    <label for="rating-comment">{t!(i18n, fields.comment)}</label>
                    <textarea id="rating-comment" rows="4" maxlength=(COMMENT_MAX + 200).to_string()
                        prop:value=move || comment.get() on:input=move |ev| comment.set(event_target_value(&ev))
                        aria-describedby="rating-comment-count"
                        aria-invalid=move || message(Field::Comment).get().is_some().to_string()></textarea>
                    <p class="help" id="rating-comment-count">
                        {move || t_string!(i18n, ratings.characters, count = comment.with(|c| c.chars().count()), max = COMMENT_MAX).to_string()}
                    </p>
                    <FieldMessage message=message(Field::Comment) />
                </div>
                {move || general.get().map(|error| view! { <ErrorNotice error /> })}
                <div class="form-actions">
                    <button type="submit" class="button button--primary" data-action="submit-rating" disabled=move || send.pending().get()>
                        {move || if changing { t_string!(i18n, ratings.save_change) } else { t_string!(i18n, ratings.submit) }}
                    </button>
                    {on_done.map(|done| view! {
                        <button type="button" class="button" on:click=move |_| done.run(())>{t!(i18n, common.cancel)}</button>
                    })}
                </div>
            </form>
        </section>
    }
}

/// A given rating, as this reader may see it, with its change and review controls.
#[component]
fn RatingSummary(id: RequestId, rating: RatingView, zone: String, reload: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let editing = RwSignal::new(false);
    let review = Action::new(move |_: &()| async move {
        let answer = review_rating(id).await;
        if answer.is_ok() {
            reload.try_update(|n| *n += 1);
        }
        answer
    });
    let r = rating.clone();
    let for_form = rating.clone();
    let zone_history = zone.clone();
    view! {
        <section class="card rating" aria-labelledby="rating-summary-heading" data-testid="rating">
            <h2 id="rating-summary-heading">{t!(i18n, ratings.summary_title)}</h2>
            <p class="rating__score"><Stars score=r.score.stars() /></p>
            {(!r.reasons.is_empty()).then(|| {
                let reasons = r.reasons.clone();
                view! {
                    <ul class="tags" aria-label=move || t_string!(i18n, fields.reasons).to_string()>
                        {reasons.into_iter().map(|reason| view! { <li class="tag">{move || reason_label(i18n.get_locale(), reason)}</li> }).collect_view()}
                    </ul>
                }
            })}
            {match (r.comment.clone(), r.comment_withheld) {
                (Some(text), _) if !text.is_empty() => view! { <blockquote class="prose" data-testid="rating-comment">{text}</blockquote> }.into_any(),
                (_, true) => view! { <p class="muted">{t!(i18n, ratings.comment_withheld)}</p> }.into_any(),
                _ => ().into_any(),
            }}
            <dl class="facts">
                <dt>{t!(i18n, ratings.rated_by)}</dt>
                <dd>{r.rater_name.clone()}", "<Timestamp at=r.updated_at zone=zone.clone() /></dd>
                {r.resolver_name.clone().map(|name| view! { <dt>{t!(i18n, ratings.resolved_by)}</dt><dd>{name}</dd> })}
                {r.first_owner_name.clone().map(|name| view! { <dt>{t!(i18n, ratings.first_owner)}</dt><dd>{name}</dd> })}
            </dl>
            {(!r.history.is_empty()).then(|| {
                let history = r.history.clone();
                view! {
                    <details class="rating__history">
                        <summary>{t!(i18n, ratings.history)}</summary>
                        <ol>
                            {history.into_iter().map(|h| view! {
                                <li><Stars score=h.score />" "{h.comment}" · "<Timestamp at=h.changed_at zone=zone_history.clone() /></li>
                            }).collect_view()}
                        </ol>
                    </details>
                }
            })}
            {r.can_review.then(|| view! {
                <button type="button" class="button" data-action="review-comment" disabled=move || review.pending().get()
                    on:click=move |_| { review.dispatch(()); }>{t!(i18n, ratings.mark_reviewed)}</button>
            })}
            {r.changeable_until.map(|until| view! {
                <p class="help">
                    {t!(i18n, ratings.changeable_until)}" "<Timestamp at=until zone=zone.clone() />
                </p>
                <Show when=move || !editing.get()>
                    <button type="button" class="button" data-action="change-rating" on:click=move |_| editing.set(true)>{t!(i18n, ratings.change)}</button>
                </Show>
            })}
        </section>
        <Show when=move || editing.get()>
            <RatingForm id existing=Some(for_form.clone()) reload on_done=Callback::new(move |_| editing.set(false)) />
        </Show>
    }
}

/// A low score's follow-up, for the center's staff; its holder closes it here.
#[component]
fn FollowUpPanel(follow_up: FollowUpView, zone: String, reload: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let f = follow_up;
    let overdue = f.closed_at.is_none() && f.due_at < chrono::Utc::now();
    let holder = f.manager_name.clone();
    let events = f.events.clone();
    let zone_events = zone.clone();
    view! {
        <section class="card follow-up" aria-labelledby="follow-up-heading" data-testid="follow-up">
            <h2 id="follow-up-heading">{t!(i18n, ratings.follow_up_title)}</h2>
            <dl class="facts">
                <dt>{t!(i18n, ratings.held_by)}</dt>
                <dd>{move || holder.clone().unwrap_or_else(|| t_string!(i18n, ratings.admins).to_string())}</dd>
                <dt>{t!(i18n, ratings.due)}</dt>
                <dd>
                    <Timestamp at=f.due_at zone=zone.clone() />
                    {overdue.then(|| view! { " " <span class="badge badge--urgent">{t!(i18n, ratings.overdue)}</span> })}
                </dd>
                {f.closed_at.map(|at| view! {
                    <dt>{t!(i18n, ratings.closed_at)}</dt>
                    <dd><Timestamp at zone=zone.clone() />{f.closed_by_name.clone().map(|n| format!(" · {n}"))}</dd>
                })}
                {f.contact.map(|c| view! { <dt>{t!(i18n, fields.contact)}</dt><dd>{move || contact_label(i18n.get_locale(), c)}</dd> })}
                {f.root_cause.map(|c| view! { <dt>{t!(i18n, fields.root_cause)}</dt><dd>{move || root_cause_label(i18n.get_locale(), c)}</dd> })}
                {f.action_taken.map(|a| view! { <dt>{t!(i18n, fields.action_taken)}</dt><dd>{move || action_taken_label(i18n.get_locale(), a)}</dd> })}
                {f.outcome.clone().map(|o| view! { <dt>{t!(i18n, fields.outcome)}</dt><dd class="prose" data-testid="follow-up-outcome">{o}</dd> })}
            </dl>
            <ol class="timeline timeline--compact">
                {events.into_iter().map(|e| {
                    let kind = e.kind;
                    view! {
                        <li>
                            <Timestamp at=e.created_at zone=zone_events.clone() />" · "
                            {move || event_label(i18n.get_locale(), kind)}
                            {e.actor_name.map(|n| format!(" · {n}"))}
                            {e.note.map(|n| view! { <p class="prose">{n}</p> })}
                        </li>
                    }
                }).collect_view()}
            </ol>
            {f.can_close.then(|| view! { <CloseFollowUpForm id=f.id version=f.version reload /> })}
        </section>
    }
}

#[component]
fn CloseFollowUpForm(id: super::FollowUpId, version: i64, reload: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let contact = RwSignal::new(None::<ContactMethod>);
    let cause = RwSignal::new(None::<RootCause>);
    let action = RwSignal::new(None::<FollowUpAction>);
    let outcome = RwSignal::new(String::new());
    let send = Action::new(move |o: &FollowUpOutcome| {
        let o = o.clone();
        async move {
            let answer = close_follow_up(id, version, o).await;
            if answer.is_ok() {
                reload.try_update(|n| *n += 1);
            }
            answer
        }
    });
    let error = Memo::new(move |_| send.value().get().and_then(|r| r.err()));
    let message = move |field: Field| {
        Signal::derive(move || {
            error.get().and_then(|e| e.field_problems(field).first().copied()).map(|p| p.message(i18n.get_locale(), field.label(i18n.get_locale())))
        })
    };
    let general = Memo::new(move |_| error.get().filter(|e| !matches!(e, AppError::Invalid(_))));
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !send.pending().get_untracked() {
            send.dispatch(FollowUpOutcome {
                contact: contact.get_untracked(),
                root_cause: cause.get_untracked(),
                action_taken: action.get_untracked(),
                outcome: outcome.get_untracked(),
            });
        }
    };
    view! {
        <form class="form" on:submit=on_submit novalidate aria-labelledby="close-follow-up-heading">
            <h3 id="close-follow-up-heading">{t!(i18n, ratings.close_title)}</h3>
            <div class="field">
                <label for="follow-up-contact">{t!(i18n, fields.contact)}</label>
                <select id="follow-up-contact" on:change=move |ev| contact.set(event_target_value(&ev).parse().ok())
                    aria-invalid=move || message(Field::Contact).get().is_some().to_string()>
                    <option value="">{t!(i18n, requests.choose)}</option>
                    {ContactMethod::ALL.iter().map(|c| { let c = *c; view! { <option value=c.as_str()>{move || contact_label(i18n.get_locale(), c)}</option> } }).collect_view()}
                </select>
                <FieldMessage message=message(Field::Contact) />
            </div>
            <div class="field">
                <label for="follow-up-cause">{t!(i18n, fields.root_cause)}</label>
                <select id="follow-up-cause" on:change=move |ev| cause.set(event_target_value(&ev).parse().ok())
                    aria-invalid=move || message(Field::RootCause).get().is_some().to_string()>
                    <option value="">{t!(i18n, requests.choose)}</option>
                    {RootCause::ALL.iter().map(|c| { let c = *c; view! { <option value=c.as_str()>{move || root_cause_label(i18n.get_locale(), c)}</option> } }).collect_view()}
                </select>
                <FieldMessage message=message(Field::RootCause) />
            </div>
            <div class="field">
                <label for="follow-up-action">{t!(i18n, fields.action_taken)}</label>
                <select id="follow-up-action" on:change=move |ev| action.set(event_target_value(&ev).parse().ok())
                    aria-invalid=move || message(Field::ActionTaken).get().is_some().to_string()>
                    <option value="">{t!(i18n, requests.choose)}</option>
                    {FollowUpAction::ALL.iter().map(|a| { let a = *a; view! { <option value=a.as_str()>{move || action_taken_label(i18n.get_locale(), a)}</option> } }).collect_view()}
                </select>
                <FieldMessage message=message(Field::ActionTaken) />
            </div>
            <div class="field">
                <label for="follow-up-outcome">{t!(i18n, fields.outcome)}</label>
                <textarea id="follow-up-outcome" rows="4" maxlength=(OUTCOME_MAX + 200).to_string()
                    prop:value=move || outcome.get() on:input=move |ev| outcome.set(event_target_value(&ev))
                    aria-invalid=move || message(Field::Outcome).get().is_some().to_string()></textarea>
                <FieldMessage message=message(Field::Outcome) />
            </div>
            {move || general.get().map(|error| view! { <ErrorNotice error /> })}
            <button type="submit" class="button button--primary" data-action="close-follow-up" disabled=move || send.pending().get()>
                {t!(i18n, ratings.close_submit)}
            </button>
        </form>
    }
}
