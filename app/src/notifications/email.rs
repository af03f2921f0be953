//! Email templates: plain text and HTML, in the recipient's language, each with the request's
//! reference, its new status, a short excerpt and a link into the portal.

use super::{headline, store::NewEmail, Notification, NotificationKind};
use crate::{i18n::Locale, i18n_support::status_label, kernel::{Language, RequestStatus}};
use leptos_i18n::td_string;

/// What one email says about one event.
pub struct Mail<'a> {
    pub kind: NotificationKind,
    pub reference_no: Option<&'a str>,
    pub title: &'a str,
    pub status: Option<RequestStatus>,
    pub actor_name: Option<&'a str>,
    pub excerpt: Option<&'a str>,
    /// A path inside the portal, such as `/requests/12`.
    pub link: &'a str,
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn absolute(public_url: &str, link: &str) -> String {
    format!("{}{}", public_url.trim_end_matches('/'), link)
}

fn html_page(locale: Locale, lang: &str, body: &str, settings_link: &str) -> String {
    let footer = td_string!(locale, email.footer);
    let manage = td_string!(locale, email.manage);
    format!(
        "<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\"></head>\
         <body style=\"font-family:sans-serif;color:#1f2933;line-height:1.5\">{body}\
         <p style=\"color:#52606d;font-size:13px\">{footer} <a href=\"{settings}\">{manage}</a></p></body></html>",
        footer = escape(footer),
        manage = escape(manage),
        settings = escape(settings_link),
    )
}

/// Renders the email of one event for a reader of `language`.
pub fn render(mail: &Mail<'_>, language: Language, public_url: &str) -> (String, String, String) {
    let locale = language.locale();
    let subject_ref = mail.reference_no.unwrap_or(mail.title);
    let line = headline(locale, mail.kind, subject_ref, mail.status, mail.actor_name);
    let subject = match mail.reference_no {
        Some(reference) => format!("[{reference}] {line}"),
        None => line.clone(),
    };
    let url = absolute(public_url, mail.link);
    let settings = absolute(public_url, "/notifications#preferences");
    let open = td_string!(locale, email.open);
    let title_label = td_string!(locale, email.title);
    let status_label_text = td_string!(locale, email.status);
    let status = mail.status.map(|s| status_label(locale, s));

    // Each star opens the rating form with that score chosen; nothing is saved until the
    // client confirms there, since mail scanners open every link.
    let stars: Vec<(i64, String)> = if mail.kind == NotificationKind::RatingRequested {
        (1..=5).map(|n| (n, format!("{url}?score={n}#rating"))).collect()
    } else {
        Vec::new()
    };
    let mut text = format!("{line}\n\n{title_label}: {}\n", mail.title);
    if let Some(status) = status {
        text.push_str(&format!("{status_label_text}: {status}\n"));
    }
    if let Some(excerpt) = mail.excerpt {
        text.push_str(&format!("\n> {excerpt}\n"));
    }
    if !stars.is_empty() {
        text.push_str(&format!("\n{}\n", td_string!(locale, email.rate_prompt)));
        for (n, link) in &stars {
            text.push_str(&format!("{}: {link}\n", td_string!(locale, email.stars, count = *n)));
        }
    }
    text.push_str(&format!("\n{open}: {url}\n\n-- \n{}\n{settings}\n", td_string!(locale, email.footer)));

    let mut body = format!(
        "<p style=\"font-size:16px\"><strong>{}</strong></p><table role=\"presentation\">\
         <tr><td style=\"color:#52606d;padding-right:12px\">{}</td><td>{}</td></tr>",
        escape(&line),
        escape(title_label),
        escape(mail.title)
    );
    if let Some(status) = status {
        body.push_str(&format!(
            "<tr><td style=\"color:#52606d;padding-right:12px\">{}</td><td>{}</td></tr>",
            escape(status_label_text),
            escape(status)
        ));
    }
    body.push_str("</table>");
    if let Some(excerpt) = mail.excerpt {
        body.push_str(&format!(
            "<blockquote style=\"border-left:3px solid #9aa5b1;margin:12px 0;padding-left:12px\">{}</blockquote>",
            escape(excerpt)
        ));
    }
    if !stars.is_empty() {
        body.push_str(&format!("<p>{}</p><p>", escape(td_string!(locale, email.rate_prompt))));
        for (n, link) in &stars {
            let label = td_string!(locale, email.stars, count = *n);
            body.push_str(&format!(
                "<a href=\"{}\" title=\"{label}\" aria-label=\"{label}\" style=\"font-size:24px;color:#b45309;text-decoration:none;padding:0 4px\">{}</a>",
                escape(link),
                "★".repeat(*n as usize),
                label = escape(&label),
            ));
        }
        body.push_str("</p>");
    }
    body.push_str(&format!(
        "<p><a href=\"{}\" style=\"background:#1d4ed8;color:#ffffff;padding:8px 14px;text-decoration:none;border-radius:4px\">{}</a></p>",
        escape(&url),
        escape(open)
    ));
    let html = html_page(locale, language.as_str(), &body, &settings);
    (subject, text, html)
}

/// Renders one daily digest listing `items`, oldest first.
pub fn render_digest(items: &[Notification], language: Language, public_url: &str) -> (String, String, String) {
    let locale = language.locale();
    let count = items.len();
    let subject = td_string!(locale, email.digest_subject, count = count);
    let settings = absolute(public_url, "/notifications#preferences");
    let mut text = format!("{subject}\n\n");
    let mut list = String::from("<ul>");
    for n in items {
        let url = absolute(public_url, &n.link);
        let line = n.headline(locale);
        text.push_str(&format!("- {line}\n  {url}\n"));
        list.push_str(&format!("<li><a href=\"{}\">{}</a>", escape(&url), escape(&line)));
        if let Some(excerpt) = &n.excerpt {
            text.push_str(&format!("  > {excerpt}\n"));
            list.push_str(&format!("<br><span style=\"color:#52606d\">{}</span>", escape(excerpt)));
        }
        list.push_str("</li>");
    }
    list.push_str("</ul>");
    text.push_str(&format!("\n-- \n{}\n{settings}\n", td_string!(locale, email.footer)));
    let body = format!("<p style=\"font-size:16px\"><strong>{}</strong></p>{list}", escape(&subject));
    let html = html_page(locale, language.as_str(), &body, &settings);
    (subject, text, html)
}

/// An outbox row for `to`, from a rendered email.
pub fn outbox_entry(user: crate::kernel::UserId, to: &str, language: Language, rendered: (String, String, String)) -> NewEmail {
    let (subject, text, html) = rendered;
    NewEmail { user: Some(user), to: to.to_string(), language, subject, text, html }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail() -> Mail<'static> {
        Mail {
            kind: NotificationKind::NeedsInformation,
            reference_no: Some("FS-2026-000042"),
            title: "十月差旅费 <报销>",
            status: Some(RequestStatus::AwaitingClient),
            actor_name: Some("张伟"),
            excerpt: Some("请补充酒店发票"),
            link: "/requests/42",
        }
    }

    #[test]
    fn an_email_carries_reference_status_excerpt_and_link_in_the_readers_language() {
        let (subject, text, html) = render(&mail(), Language::ZhCn, "https://fssc.example.com/");
        assert!(subject.starts_with("[FS-2026-000042]"), "{subject}");
        for part in ["待补充资料", "请补充酒店发票", "https://fssc.example.com/requests/42"] {
            assert!(text.contains(part), "text lacks {part}: {text}");
            assert!(html.contains(part), "html lacks {part}: {html}");
        }
        assert!(html.contains("lang=\"zh-CN\""));
        let (subject_en, text_en, _) = render(&mail(), Language::En, "https://fssc.example.com");
        assert!(subject_en.contains("needs information"), "{subject_en}");
        assert!(text_en.contains("Awaiting your information") || text_en.contains("Status"), "{text_en}");
    }

    #[test]
    fn the_invitation_to_rate_carries_five_star_links_that_only_open_the_form() {
        let invitation = Mail { kind: NotificationKind::RatingRequested, status: Some(RequestStatus::Resolved), ..mail() };
        let (subject, text, html) = render(&invitation, Language::ZhCn, "https://fssc.example.com");
        assert!(subject.contains("请为本次服务评分"), "{subject}");
        for n in 1..=5 {
            let link = format!("https://fssc.example.com/requests/42?score={n}#rating");
            assert!(text.contains(&link), "text lacks {link}");
            assert!(html.contains(&link), "html lacks {link}");
        }
        let (_, plain, _) = render(&mail(), Language::ZhCn, "https://fssc.example.com");
        assert!(!plain.contains("?score="), "other emails carry no star links");
    }

    #[test]
    fn html_escapes_what_users_wrote() {
        let (_, _, html) = render(&mail(), Language::En, "https://x");
        assert!(html.contains("十月差旅费 &lt;报销&gt;"));
        assert!(!html.contains("<报销>"));
    }
}
