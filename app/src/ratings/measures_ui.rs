//! `/measures`: how the portal measures satisfaction, service times and operations, in the
//! reader's language. The text states the definitions that [`super::metrics`],
//! [`crate::sla::clock`] and [`crate::operations::metrics`] compute.

use crate::i18n::*;
use leptos::prelude::*;

#[component]
pub fn MeasuresPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="page prose-page">
            <h1>{t!(i18n, measures.title)}</h1>
            <p>{t!(i18n, measures.intro)}</p>
            <dl class="definitions">
                <dt>{t!(i18n, measures.average_term)}</dt>
                <dd>{t!(i18n, measures.average_text)}</dd>
                <dt>{t!(i18n, measures.satisfied_term)}</dt>
                <dd>{t!(i18n, measures.satisfied_text)}</dd>
                <dt>{t!(i18n, measures.response_term)}</dt>
                <dd>{t!(i18n, measures.response_text)}</dd>
                <dt>{t!(i18n, measures.low_term)}</dt>
                <dd>{t!(i18n, measures.low_text)}</dd>
                <dt>{t!(i18n, measures.window_term)}</dt>
                <dd>{t!(i18n, measures.window_text)}</dd>
            </dl>
            <h2 id="service-times">{t!(i18n, measures.sla_title)}</h2>
            <p>{t!(i18n, measures.sla_intro)}</p>
            <dl class="definitions">
                <dt>{t!(i18n, measures.working_time_term)}</dt>
                <dd>{t!(i18n, measures.working_time_text)}</dd>
                <dt>{t!(i18n, measures.first_response_term)}</dt>
                <dd>{t!(i18n, measures.first_response_text)}</dd>
                <dt>{t!(i18n, measures.resolution_term)}</dt>
                <dd>{t!(i18n, measures.resolution_text)}</dd>
                <dt>{t!(i18n, measures.pause_term)}</dt>
                <dd>{t!(i18n, measures.pause_text)}</dd>
                <dt>{t!(i18n, measures.target_term)}</dt>
                <dd>{t!(i18n, measures.target_text)}</dd>
                <dt>{t!(i18n, measures.alerts_term)}</dt>
                <dd>{t!(i18n, measures.alerts_text)}</dd>
            </dl>
            <h2 id="operations">{t!(i18n, measures.ops_title)}</h2>
            <p>{t!(i18n, measures.ops_intro)}</p>
            <dl class="definitions">
                <dt>{t!(i18n, measures.ops_volume_term)}</dt>
                <dd>{t!(i18n, measures.ops_volume_text)}</dd>
                <dt>{t!(i18n, measures.ops_month_end_term)}</dt>
                <dd>{t!(i18n, measures.ops_month_end_text)}</dd>
                <dt>{t!(i18n, measures.ops_attainment_term)}</dt>
                <dd>{t!(i18n, measures.ops_attainment_text)}</dd>
                <dt>{t!(i18n, measures.ops_duration_term)}</dt>
                <dd>{t!(i18n, measures.ops_duration_text)}</dd>
                <dt>{t!(i18n, measures.ops_rejection_term)}</dt>
                <dd>{t!(i18n, measures.ops_rejection_text)}</dd>
                <dt>{t!(i18n, measures.ops_agents_term)}</dt>
                <dd>{t!(i18n, measures.ops_agents_text)}</dd>
                <dt>{t!(i18n, measures.ops_follow_ups_term)}</dt>
                <dd>{t!(i18n, measures.ops_follow_ups_text)}</dd>
                <dt>{t!(i18n, measures.ops_disputes_term)}</dt>
                <dd>{t!(i18n, measures.ops_disputes_text)}</dd>
                <dt>{t!(i18n, measures.ops_scope_term)}</dt>
                <dd>{t!(i18n, measures.ops_scope_text)}</dd>
                <dt>{t!(i18n, measures.ops_csv_term)}</dt>
                <dd>{t!(i18n, measures.ops_csv_text)}</dd>
            </dl>
        </section>
    }
}
