//! Policy pages: editor-written Markdown (Chinese and English) to safe HTML.
//!
//! One function serves both the reader's page and the editor's live preview, so what an
//! editor sees is exactly what readers get. Raw HTML is never executed: it is turned into
//! text before rendering (the editor sees the mistake, escaped, rather than a silently
//! missing block), and the generated HTML then goes through a tight ammonia allow-list as
//! a second line of defence.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use pulldown_cmark::LinkType::Autolink;
use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// A table-of-contents entry; `id` is the anchor that `#sec-…` links point at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    pub level: u8,
    pub id: String,
    pub text: String,
}

/// Sanitized HTML plus the h2/h3 outline of the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub html: String,
    pub toc: Vec<Heading>,
}

/// Tables and strikethrough only: footnotes and task lists emit ids, classes and inputs that
/// the sanitizer strips, which would leave dead links and stray markup.
fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH
}

/// Raw HTML becomes visible text; an HTML block becomes a paragraph so it keeps its place.
fn neutralize(event: Event<'_>) -> Event<'_> {
    match event {
        Event::Html(s) | Event::InlineHtml(s) => Event::Text(s),
        Event::Start(Tag::HtmlBlock) => Event::Start(Tag::Paragraph),
        Event::End(TagEnd::HtmlBlock) => Event::End(TagEnd::Paragraph),
        other => other,
    }
}

/// ASCII lowercased, other letters (Chinese included) kept as they are, every run of
/// anything else one '-', none at either end.
fn slug(text: &str) -> String {
    let word_char = |c: char| if c.is_alphanumeric() { c.to_ascii_lowercase() } else { ' ' };
    let spaced: String = text.chars().map(word_char).collect();
    spaced.split_whitespace().collect::<Vec<_>>().join("-")
}

/// "sec-" + slug, or "sec-N" (N = position in the toc) when the slug is empty; repeats get
/// "-2", "-3", … past any id already taken, so every anchor on the page is unique.
fn unique_id(text: &str, position: usize, used: &mut HashSet<String>) -> String {
    let slug = slug(text);
    let base = if slug.is_empty() { format!("sec-{position}") } else { format!("sec-{slug}") };
    let (mut id, mut n) = (base.clone(), 2);
    while !used.insert(id.clone()) {
        id = format!("{base}-{n}");
        n += 1;
    }
    id
}

/// Markdown to sanitized HTML and its table of contents. An h1 is rendered as h2 because the
/// page title already is the page's h1.
pub fn render(markdown: &str) -> Rendered {
    let mut events: Vec<Event> = Parser::new_ext(markdown, options()).map(neutralize).collect();
    let mut toc = Vec::new();
    let mut used = HashSet::new();
    for i in 0..events.len() {
        let (head, rest) = events.split_at_mut(i + 1);
        let Some(Event::Start(Tag::Heading { level, id, .. })) = head.last_mut() else { continue };
        *level = (*level).max(HeadingLevel::H2);
        // Headings cannot nest: everything up to the next heading end belongs to this one.
        let is_end = |e: &Event| matches!(e, Event::End(TagEnd::Heading(_)));
        if let Some(end) = rest.iter_mut().find(|e| is_end(e)) {
            *end = Event::End(TagEnd::Heading(*level));
        }
        if *level <= HeadingLevel::H3 {
            // The text as the reader sees it, former raw HTML included.
            let text: String = rest.iter().take_while(|e| !is_end(e))
                .filter_map(|e| match e {
                    Event::Text(s) | Event::Code(s) => Some(s.as_ref()),
                    Event::SoftBreak | Event::HardBreak => Some(" "),
                    _ => None,
                })
                .collect();
            let text = text.trim().to_string();
            let unique = unique_id(&text, toc.len() + 1, &mut used);
            *id = Some(unique.clone().into());
            toc.push(Heading { level: *level as u8, id: unique, text });
        }
    }
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut raw, events.into_iter());
    Rendered { html: SANITIZER.clean(&raw).to_string(), toc }
}

/// The only tags a policy page may contain: plain text structure, links and images.
const TAGS: &str = "p br hr h2 h3 h4 h5 h6 strong em del code pre blockquote ul ol li a \
                    table thead tbody tr th td img sup sub";

/// Only http, https, mailto and relative URLs survive; image sources are further limited to
/// https and relative ones (no mixed content, no mailto). No style, class or handlers.
static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut attrs: HashMap<&str, HashSet<&str>> =
        ["h2", "h3", "h4", "h5", "h6"].into_iter().map(|h| (h, HashSet::from(["id"]))).collect();
    attrs.insert("a", HashSet::from(["href"]));
    attrs.insert("img", HashSet::from(["src", "alt", "title"]));
    let mut builder = ammonia::Builder::empty();
    builder
        .tags(TAGS.split_whitespace().collect())
        .tag_attributes(attrs)
        .generic_attributes(HashSet::new())
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        .url_relative(ammonia::UrlRelative::PassThrough)
        .link_rel(Some("noopener noreferrer"))
        .strip_comments(true)
        .attribute_filter(|element, attribute, value| {
            let v = value.trim_start().to_ascii_lowercase();
            let refused = element == "img"
                && attribute == "src"
                && (v.starts_with("http:") || v.starts_with("mailto:"));
            (!refused).then_some(Cow::Borrowed(value))
        });
    builder
});

/// Readable text for the search index and result snippets: one line per block, no markup,
/// no URLs (autolinks and bare http(s)/www words are skipped), raw HTML dropped.
pub fn plain_text(markdown: &str) -> String {
    let mut out = String::new();
    let mut line = String::new();
    let mut in_autolink = false;
    let mut flush = |line: &mut String| {
        let is_url = |w: &&str| {
            let w = w.to_ascii_lowercase();
            ["http://", "https://", "www."].iter().any(|p| w.starts_with(p))
        };
        let words: Vec<&str> = line.split_whitespace().filter(|w| !is_url(w)).collect();
        if !words.is_empty() {
            out.push_str(&words.join(" "));
            out.push('\n');
        }
        line.clear();
    };
    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Text(s) | Event::Code(s) if !in_autolink => line.push_str(&s),
            Event::SoftBreak | Event::HardBreak => line.push(' '),
            Event::Start(Tag::Link { link_type, .. }) => in_autolink = link_type == Autolink,
            Event::End(TagEnd::Link) => in_autolink = false,
            Event::Start(tag) if !is_inline(tag.to_end()) => flush(&mut line),
            Event::End(tag) if !is_inline(tag) => flush(&mut line),
            _ => {}
        }
    }
    flush(&mut line);
    out.trim_end().to_string()
}

/// Inline markup continues the current line; every other tag starts or ends a block.
fn is_inline(tag: TagEnd) -> bool {
    use TagEnd::*;
    matches!(tag, Emphasis | Strong | Strikethrough | Superscript | Subscript | Link | Image)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every real tag in `html` (escaped `&lt;…` text is not a tag) as (name, attributes),
    /// relying on the serializer's `name="value"` form.
    fn tags(html: &str) -> Vec<(String, Vec<(String, String)>)> {
        let mut found = Vec::new();
        let mut rest = html;
        while let Some(start) = rest.find('<') {
            let after = &rest[start + 1..];
            let end = after.find('>').expect("unterminated tag");
            let inner = after[..end].trim_matches('/');
            rest = &after[end..];
            let (name, mut attrs) = inner.split_once(' ').unwrap_or((inner, ""));
            let mut pairs = Vec::new();
            while let Some(eq) = attrs.find("=\"") {
                let len = attrs[eq + 2..].find('"').expect("unterminated value");
                let (key, value) = (attrs[..eq].trim(), &attrs[eq + 2..eq + 2 + len]);
                pairs.push((key.to_string(), value.to_string()));
                attrs = &attrs[eq + 3 + len..];
            }
            assert!(attrs.trim().is_empty(), "unquoted attribute in {inner:?}");
            found.push((name.to_string(), pairs));
        }
        found
    }

    /// Only allowed tags, no handlers/style/class, every href/src relative or http(s)/mailto
    /// once whitespace and control characters are gone. Tag-aware on purpose: escaped text
    /// may legitimately read `&lt;a href="vbscript:…`.
    fn assert_inert(html: &str) {
        let lower = html.to_ascii_lowercase();
        for bad in ["<script", "<iframe", "<svg", "<math", "<style", "<details", "<!--"] {
            assert!(!lower.contains(bad), "{bad} in {html}");
        }
        for (name, attrs) in tags(&lower) {
            assert!(TAGS.split_whitespace().any(|t| t == name), "<{name}> in {html}");
            for (key, value) in attrs {
                assert!(!key.starts_with("on"), "handler {key} in {html}");
                assert!(!["style", "class", "srcdoc"].contains(&key.as_str()), "{key} in {html}");
                let kept = |c: &char| !c.is_ascii_whitespace() && !c.is_ascii_control();
                let v: String = value.chars().filter(kept).collect();
                let scheme = v.split_once(':').map_or("", |(s, _)| s);
                let is_scheme = |c: char| c.is_ascii_alphanumeric() || "+-.".contains(c);
                let has_scheme = !scheme.is_empty() && scheme.chars().all(is_scheme);
                let ok = !has_scheme || ["http", "https", "mailto"].contains(&scheme);
                assert!(ok || !["href", "src"].contains(&key.as_str()), "{value} in {html}");
            }
        }
    }

    #[test]
    fn inertness_check_catches_bad_markup() {
        for html in [
            "<p onclick=\"x\">", "<a href=\"JavaScript:x\">", "<img src=\"data:x\">", "<svg>",
            "<a href=\"java\tscript:x\">", "<p style=\"x\">", "<!-- x -->", "<div>",
        ] {
            assert!(std::panic::catch_unwind(|| assert_inert(html)).is_err(), "{html}");
        }
        assert_inert("<p>&lt;a href=\"vbscript:x\"&gt;<a href=\"jav%09ascript:x\">x</a></p>");
    }

    #[test]
    fn headings_get_ids_and_toc() {
        let md = "# Title\n\n## 一、适用范围\n\n### Scope & Terms\n\n## 一、适用范围\n\n## ***\n\n\
                  ## A\n\n## A 2\n\n## A\n\n#### Deep\n";
        let r = render(md);
        let ids: Vec<&str> = r.toc.iter().map(|h| h.id.as_str()).collect();
        assert!(ids[1].starts_with("sec-") && ids[1].contains("适用范围"));
        let want = "sec-title sec-一-适用范围 sec-scope-terms sec-一-适用范围-2 sec-5 sec-a sec-a-2 sec-a-3";
        assert_eq!(ids.join(" "), want);
        let outline: Vec<_> = r.toc.iter().map(|h| (h.level, h.text.as_str())).collect();
        assert_eq!(outline[..3], [(2, "Title"), (2, "一、适用范围"), (3, "Scope & Terms")]);
        assert!(outline[3..].iter().all(|(level, _)| *level == 2));
        assert_eq!(
            r.html,
            "<h2 id=\"sec-title\">Title</h2>\n<h2 id=\"sec-一-适用范围\">一、适用范围</h2>\n\
             <h3 id=\"sec-scope-terms\">Scope &amp; Terms</h3>\n\
             <h2 id=\"sec-一-适用范围-2\">一、适用范围</h2>\n<h2 id=\"sec-5\">***</h2>\n\
             <h2 id=\"sec-a\">A</h2>\n<h2 id=\"sec-a-2\">A 2</h2>\n<h2 id=\"sec-a-3\">A</h2>\n\
             <h4>Deep</h4>\n"
        );
        assert_eq!((render("").html, render("").toc), (String::new(), vec![]));
    }

    #[test]
    fn table_and_formatting_survive_sanitizing() {
        let html = render("| 费用 | 标准 |\n|:---|---:|\n| 住宿 | 500 |\n").html;
        assert!(html.starts_with("<table><thead><tr><th>费用</th>"), "{html}");
        assert!(html.contains("<td>500</td>"), "{html}");
        let md = "**粗** *斜* ~~删~~ `c`\n\n> 引\n\n1. 一\n\n```\n1 < 2\n```\n---\n";
        assert_eq!(
            render(md).html,
            "<p><strong>粗</strong> <em>斜</em> <del>删</del> <code>c</code></p>\n\
             <blockquote>\n<p>引</p>\n</blockquote>\n<ol>\n<li>一</li>\n</ol>\n\
             <pre><code>1 &lt; 2\n</code></pre>\n<hr>\n"
        );
    }

    /// OWASP filter-evasion payloads, each with text that must still be visible.
    const XSS: &[(&str, &str)] = &[
        ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
        ("<svg onload=alert(1)>", "&lt;svg onload=alert(1)&gt;"),
        ("[x](javascript:alert(1))", ">x</a>"),
        ("[x](JaVaScRiPt:alert(1))", ">x</a>"),
        ("<a href=\"jav&#x09;ascript:alert(1)\">x</a>", "&lt;a href="),
        ("[x](jav&#x09;ascript:alert(1))", ">x</a>"),
        ("<iframe srcdoc=\"<script>alert(1)</script>\">", "&lt;iframe srcdoc="),
        ("<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>", "&lt;math&gt;"),
        ("<style>@import 'x'</style>", "&lt;style&gt;@import"),
        ("<div style=\"background:url(javascript:alert(1))\">", "&lt;div style="),
        ("![x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)", "alt=\"x\""),
        ("<scr<script>ipt>alert(1)</script>", "&lt;scr&lt;script&gt;ipt&gt;"),
        ("[x](data:text/html,<script>alert(1)</script>)", ">x</a>"),
        ("<a href=\"vbscript:msgbox(1)\">", "&lt;a href=\"vbscript:msgbox(1)\"&gt;"),
        ("<javascript:alert(1)>", ">javascript:alert(1)</a>"),
        ("<!-- x -->", "&lt;!-- x --&gt;"),
        ("<details open ontoggle=alert(1)>", "&lt;details open ontoggle=alert(1)&gt;"),
    ];

    #[test]
    fn xss_payloads_render_inert_and_visible() {
        for (payload, visible) in XSS {
            // Alone, inside a sentence, in a list item and in a heading.
            for (pre, post) in [("", ""), ("前 ", " 后"), ("- ", ""), ("## ", "")] {
                let html = render(&format!("{pre}{payload}{post}")).html;
                assert_inert(&html);
                assert!(html.contains(visible), "{payload:?} not shown: {html}");
            }
        }
    }

    #[test]
    fn safe_links_kept_with_rel_and_images_limited() {
        let md = "[规定](/policies/travel) [本节](#sec-x) [邮件](mailto:fssc@example.com) \
                  [站](https://example.com/?a=1&b=2)";
        let rel = "rel=\"noopener noreferrer\"";
        assert_eq!(
            render(md).html,
            format!(
                "<p><a href=\"/policies/travel\" {rel}>规定</a> <a href=\"#sec-x\" {rel}>本节</a> \
                 <a href=\"mailto:fssc@example.com\" {rel}>邮件</a> \
                 <a href=\"https://example.com/?a=1&amp;b=2\" {rel}>站</a></p>\n"
            )
        );
        // Schemes outside http, https and mailto lose their href; the text stays.
        let other = render("[a](ftp://x.example/f) [b](tel:123) [c](irc://x)").html;
        assert_eq!(other, format!("<p><a {rel}>a</a> <a {rel}>b</a> <a {rel}>c</a></p>\n"));
        let md = "![a](/files/1.png) ![b](https://cdn.example.com/b.png \"B\") \
                  ![c](http://x.example/c.png) ![d](mailto:a@b)";
        assert_eq!(
            render(md).html,
            "<p><img src=\"/files/1.png\" alt=\"a\"> \
             <img src=\"https://cdn.example.com/b.png\" alt=\"b\" title=\"B\"> \
             <img alt=\"c\"> <img alt=\"d\"></p>\n"
        );
    }

    #[test]
    fn plain_text_is_readable_words_only() {
        let md = "# 差旅 **报销**\n\n- 第一项 *重点*\n- 见 [差旅规定](https://example.com/t) \
                  <https://example.com/raw>\n\n| 项目 | 标准 |\n|---|---|\n| 住宿 | `500` |\n\n\
                  <div onclick=\"x()\">隐藏</div>\n\n文中 <b>粗体</b> 和 HTTP://bare.example 结束\n";
        let text = plain_text(md);
        assert_eq!(text, "差旅 报销\n第一项 重点\n见 差旅规定\n项目\n标准\n住宿\n500\n文中 粗体 和 结束");
        for bad in ["<", ">", "http", "HTTP", "**", "example", "隐藏", "onclick", "|", "`"] {
            assert!(!text.contains(bad), "{bad} in {text:?}");
        }
        assert_eq!(plain_text(""), "");
    }
}
