//! The agents' queues, with their counts on the tabs.

use crate::requests::{api::work_queue, ui::list::RequestTable, Queue};
use crate::{
    i18n::*,
    widgets::{ErrorNotice, SignedIn},
};
use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_query_map};

fn queue_label(locale: Locale, queue: Queue) -> &'static str {
    match queue {
        Queue::Unassigned => td_string!(locale, queues.unassigned),
        Queue::Mine => td_string!(locale, queues.mine),
        Queue::MyTeam => td_string!(locale, queues.team),
        Queue::DueSoon => td_string!(locale, queues.due_soon),
        Queue::Overdue => td_string!(locale, queues.overdue),
        Queue::AwaitingClient => td_string!(locale, queues.awaiting_client),
    }
}

#[component]
pub fn QueuePage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let queue = Memo::new(move |_| {
        query.with(|q| q.get("tab").and_then(|t| t.parse::<Queue>().ok())).unwrap_or(Queue::Unassigned)
    });
    let after = Memo::new(move |_| query.with(|q| q.get("after")));
    let data = Resource::new(move || (queue.get(), after.get()), |(q, a)| work_queue(q, a));
    crate::notifications::live_ui::use_live().on_request_change(move |_| data.refetch());
    view! {
        <section class="page">
            <SignedIn let:user>
                <h1>{t!(i18n, queues.title)}</h1>
                <Transition fallback=move || view! { <p class="loading">{t!(i18n, common.loading)}</p> }>
                    {
                        let zone = user.time_zone.clone();
                        move || {
                            let zone = zone.clone();
                            Suspend::new(async move {
                                match data.await {
                                    Ok((counts, page)) => {
                                        let current = queue.get_untracked();
                                        let next = page.next.clone().map(|a| format!("/queue?tab={}&after={a}", current.as_str()));
                                        view! {
                                            <nav class="tabs" aria-label=move || t_string!(i18n, queues.title)>
                                                <ul>
                                                    {Queue::ALL.iter().map(|q| {
                                                        let q = *q;
                                                        let count = counts.get(q);
                                                        view! {
                                                            <li>
                                                                <A href=format!("/queue?tab={}", q.as_str())
                                                                    attr:class=if q == current { "tab tab--current" } else { "tab" }
                                                                    attr:aria-current=(q == current).then_some("page")
                                                                    attr:data-queue=q.as_str()>
                                                                    {move || queue_label(i18n.get_locale(), q)}
                                                                    " "
                                                                    <span class="count" data-testid=format!("count-{}", q.as_str())>{count}</span>
                                                                </A>
                                                            </li>
                                                        }
                                                    }).collect_view()}
                                                </ul>
                                            </nav>
                                            {if page.rows.is_empty() {
                                                view! { <p class="empty">{t!(i18n, queues.empty)}</p> }.into_any()
                                            } else {
                                                view! { <RequestTable rows=page.rows zone next /> }.into_any()
                                            }}
                                        }
                                        .into_any()
                                    }
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
