//! Database-free core of policy search.
//!
//! Search has to behave the same on SQLite and PostgreSQL without extensions,
//! so published versions store a set of n-gram index terms (see
//! [`index_terms`]); the server selects versions containing every required
//! term with plain SQL and then ranks and highlights them with this module.
//! Chinese has no word separators, so CJK text is indexed as single
//! characters plus bigrams, while other scripts are indexed as whole words.

use std::collections::BTreeSet;

/// Longest query input considered, in characters; bounds SQL IN-list size.
const MAX_QUERY_CHARS: usize = 100;
/// Most token groups a query may have; bounds the number of SQL conditions.
const MAX_GROUPS: usize = 8;
/// Most alternatives per group, so large synonym sets cannot blow up a query.
const MAX_ALTERNATIVES: usize = 16;

/// Invisible format characters (category Cf) that would split words or hide
/// inside pasted text without being visible to the user.
fn is_format_char(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// Folds one char to its searchable form: full-width ASCII to half-width,
/// ideographic space to space, lower case. Format characters fold to nothing.
fn fold_char(c: char, out: &mut impl FnMut(char)) {
    if is_format_char(c) {
        return;
    }
    let c = match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    };
    c.to_lowercase().for_each(out);
}

/// Normalizes text so that indexing, querying and ranking agree on one form:
/// full-width ASCII becomes half-width, everything is lower-cased, invisible
/// format characters are dropped and whitespace runs collapse to one space.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.chars() {
        fold_char(c, &mut |f| {
            if f.is_whitespace() {
                pending_space = !out.is_empty();
                return;
            }
            if std::mem::take(&mut pending_space) {
                out.push(' ');
            }
            out.push(f);
        });
    }
    out
}

/// Han ideographs and kana: scripts written without spaces between words.
fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2FA1F}' | '\u{3040}'..='\u{30FF}')
}

/// Letters and digits of space-separated scripts.
fn is_word(c: char) -> bool {
    c.is_alphanumeric() && !is_cjk(c)
}

/// Splits normalized text into maximal CJK runs and word runs, as
/// `(run, is_cjk)`; anything else (punctuation, spaces, symbols) separates.
fn tokens(text: &str) -> Vec<(&str, bool)> {
    let mut out = Vec::new();
    let mut start: Option<(usize, bool)> = None;
    let class = |c: char| if is_cjk(c) { Some(true) } else if is_word(c) { Some(false) } else { None };
    for (i, c) in text.char_indices().chain([(text.len(), ' ')]) {
        if let Some((s, cjk)) = start.filter(|&(_, cjk)| class(c) != Some(cjk)) {
            out.push((&text[s..i], cjk));
            start = None;
        }
        start = start.or(class(c).map(|k| (i, k)));
    }
    out
}

/// Index terms of a text: every CJK character and adjacent CJK pair, and
/// every whole word. Stored per published version so that queries can be
/// answered by term lookups alone.
pub fn index_terms(text: &str) -> BTreeSet<String> {
    let norm = normalize(text);
    let mut terms = BTreeSet::new();
    for (tok, cjk) in tokens(&norm) {
        if cjk {
            let chars: Vec<char> = tok.chars().collect();
            terms.extend(chars.iter().map(char::to_string));
            terms.extend(chars.windows(2).map(|w| w.iter().collect::<String>()));
        } else {
            terms.insert(tok.to_string());
        }
    }
    terms
}

/// Distinct terms an alternative needs: single characters for CJK (so that
/// words split by other characters in the document still match) and whole
/// words otherwise.
fn required_of(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (tok, cjk) in tokens(text) {
        let parts = if cjk { tok.chars().map(String::from).collect() } else { vec![tok.to_string()] };
        for part in parts {
            if !out.contains(&part) {
                out.push(part);
            }
        }
    }
    out
}

/// One way of satisfying a query group: the token itself or a synonym.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alternative {
    text: String,
    required: Vec<String>,
}

impl Alternative {
    /// Normalized text of this alternative, used for highlighting.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Index terms that must all be present for this alternative to match.
    pub fn required_terms(&self) -> Vec<String> {
        self.required.clone()
    }
}

/// One query token; matched when any of its alternatives matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    alternatives: Vec<Alternative>,
}

impl Group {
    /// The token first, then its synonyms.
    pub fn alternatives(&self) -> &[Alternative] {
        &self.alternatives
    }
}

/// Ranking tier of a hit; lower sorts first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tier {
    /// The title contains the query as typed.
    TitlePhrase = 0,
    /// The title contains every query term, not necessarily together.
    TitleAllTerms = 1,
    /// Only the body (or tags) match.
    Body = 2,
}

/// A piece of a snippet; `hit` pieces are highlighted by the UI.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Piece {
    /// A slice of the original text (or "…" where the window was cut).
    pub text: String,
    /// Whether this piece is a match.
    pub hit: bool,
}

/// A parsed search query: an AND of groups, each an OR of alternatives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    phrase: String,
    groups: Vec<Group>,
}

impl Query {
    /// Parses user input, expanding tokens with `synonyms` (each entry is a
    /// set of equivalent terms). Returns `None` if nothing searchable remains.
    pub fn parse(input: &str, synonyms: &[Vec<String>]) -> Option<Query> {
        let capped: String = input.chars().take(MAX_QUERY_CHARS).collect();
        let phrase = normalize(&capped);
        let sets: Vec<Vec<String>> =
            synonyms.iter().map(|s| s.iter().map(|m| normalize(m)).filter(|m| !m.is_empty()).collect()).collect();
        let mut groups: Vec<Group> = Vec::new();
        for (tok, cjk) in tokens(&phrase) {
            // The first alternative is always the token itself.
            if groups.len() == MAX_GROUPS || groups.iter().any(|g| g.alternatives[0].text == tok) {
                continue;
            }
            let mut texts = vec![tok.to_string()];
            let tok_len = tok.chars().count();
            for set in &sets {
                for member in set {
                    // A CJK token has no word boundaries, so a synonym may sit inside it.
                    let inside = cjk && tok_len > member.chars().count() && tok.contains(member.as_str());
                    if member == tok || inside {
                        texts.extend(set.iter().filter(|o| *o != member).map(|o| {
                            if inside { tok.replace(member.as_str(), o) } else { o.clone() }
                        }));
                    }
                }
            }
            let mut alternatives: Vec<Alternative> = Vec::new();
            for text in texts {
                let required = required_of(&text);
                if !required.is_empty() && !alternatives.iter().any(|a| a.text == text) {
                    alternatives.push(Alternative { text, required });
                }
            }
            alternatives.truncate(MAX_ALTERNATIVES);
            groups.push(Group { alternatives });
        }
        (!groups.is_empty()).then_some(Query { phrase, groups })
    }

    /// The groups, all of which must match.
    pub fn groups(&self) -> &[Group] {
        &self.groups
    }

    /// The normalized input, used for title phrase ranking.
    pub fn phrase(&self) -> &str {
        &self.phrase
    }

    /// Every distinct term of every alternative, sorted, for one SQL IN-list.
    pub fn all_terms(&self) -> Vec<String> {
        let set: BTreeSet<&String> = self.groups.iter().flat_map(|g| &g.alternatives).flat_map(|a| &a.required).collect();
        set.into_iter().cloned().collect()
    }

    /// Whether a version with these index terms satisfies every group.
    pub fn matches(&self, terms: &BTreeSet<String>) -> bool {
        let ok = |a: &Alternative| a.required.iter().all(|t| terms.contains(t));
        self.groups.iter().all(|g| g.alternatives.iter().any(ok))
    }

    /// Ranking tier for a version with this title; `body_terms_match` says
    /// whether its body/tag terms satisfy the query.
    pub fn tier(&self, title: &str, body_terms_match: bool) -> Option<Tier> {
        let norm = normalize(title);
        // A one-term query's synonyms are phrases too: 差旅报账 in a title that says 差旅报销.
        let synonym_phrase = match self.groups.as_slice() {
            [only] => only.alternatives.iter().any(|a| contains_bounded(&norm, &a.text)),
            _ => false,
        };
        if synonym_phrase || contains_bounded(&norm, &self.phrase) {
            return Some(Tier::TitlePhrase);
        }
        if self.matches(&index_terms(&norm)) {
            return Some(Tier::TitleAllTerms);
        }
        body_terms_match.then_some(Tier::Body)
    }

    /// Up to about `width` characters (at least one) of `text` around the
    /// first match, with matches marked. Matching is case- and
    /// width-insensitive, but pieces are slices of the original text so that
    /// it displays as written.
    pub fn snippet(&self, text: &str, width: usize) -> Vec<Piece> {
        let width = width.max(1);
        let orig: Vec<(usize, char)> = text.char_indices().collect();
        // Folded chars, each with the index of the original char it came from.
        let mut folded: Vec<(char, usize)> = Vec::with_capacity(orig.len());
        for (idx, &(_, c)) in orig.iter().enumerate() {
            fold_char(c, &mut |f| {
                let f = if f.is_whitespace() { ' ' } else { f };
                if !(f == ' ' && folded.last().is_some_and(|l| l.0 == ' ')) {
                    folded.push((f, idx));
                }
            });
        }
        let to_chars = |s: &str| -> Vec<char> { s.chars().collect() };
        let primary: Vec<Vec<char>> = self.groups.iter()
            .flat_map(|g| g.alternatives.iter().map(|a| to_chars(&a.text)))
            .collect();
        let fallback: Vec<Vec<char>> = self.all_terms().iter().map(|t| to_chars(t)).collect();
        let all: Vec<Vec<char>> = primary.iter().chain(fallback.iter()).cloned().collect();
        let first = find_from(&folded, &primary, 0).or_else(|| find_from(&folded, &fallback, 0));
        let n = orig.len();
        let (start, end) = match first {
            None => (0, width.min(n)),
            Some((i, len)) => {
                let (hs, he) = (folded[i].1, folded[i + len - 1].1 + 1);
                let before = width.saturating_sub(he - hs) / 2;
                let start = hs.saturating_sub(before);
                let end = (start + width).min(n);
                (end.saturating_sub(width).min(start), end)
            }
        };
        let mut mask = vec![false; n];
        let mut i = folded.iter().position(|f| f.1 >= start).unwrap_or(folded.len());
        while let Some((at, len)) = find_from(&folded, &all, i).filter(|&(at, _)| folded[at].1 < end) {
            mask[folded[at].1..=folded[at + len - 1].1].iter_mut().for_each(|m| *m = true);
            i = at + len;
        }
        let byte = |ci: usize| orig.get(ci).map_or(text.len(), |o| o.0);
        let ellipsis = || Piece { text: "…".into(), hit: false };
        let mut pieces: Vec<Piece> = (start > 0).then(ellipsis).into_iter().collect();
        let mut run = start;
        for ci in start + 1..=end {
            if ci == end || mask[ci] != mask[run] {
                pieces.push(Piece { text: text[byte(run)..byte(ci)].to_string(), hit: mask[run] });
                run = ci;
            }
        }
        pieces.extend((end < n).then(ellipsis));
        pieces
    }
}

/// Leftmost (then longest) occurrence of any pattern in `folded` at or after
/// `from`, as (start, length) in folded positions.
fn find_from(folded: &[(char, usize)], patterns: &[Vec<char>], from: usize) -> Option<(usize, usize)> {
    (from..folded.len()).find_map(|i| {
        let rest = &folded[i..];
        let at_i = |p: &&Vec<char>| !p.is_empty() && p.len() <= rest.len() && p.iter().zip(rest).all(|(a, b)| *a == b.0);
        patterns.iter().filter(at_i).map(|p| (i, p.len())).max()
    })
}

/// Substring test that will not match inside a word, so "trav" is not a
/// phrase hit in "travel"; CJK edges need no boundary.
fn contains_bounded(hay: &str, needle: &str) -> bool {
    let (nf, nl) = (needle.chars().next(), needle.chars().next_back());
    !needle.is_empty() && hay.match_indices(needle).any(|(i, _)| {
        let before = hay[..i].chars().next_back();
        let after = hay[i + needle.len()..].chars().next();
        let glued = |edge: Option<char>, next: Option<char>| edge.is_some_and(is_word) && next.is_some_and(is_word);
        !glued(nf, before) && !glued(nl, after)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Query {
        let syn = [&["报销", "报账"][..], &["发票", "票据"], &["Reimbursement", "expense claim"]];
        let syn: Vec<Vec<String>> = syn.iter().map(|s| s.iter().map(|m| m.to_string()).collect()).collect();
        Query::parse(s, &syn).expect("searchable query")
    }
    fn found(query: &str, text: &str) -> bool {
        q(query).matches(&index_terms(text))
    }
    fn hits(p: &[Piece]) -> Vec<&str> {
        p.iter().filter(|p| p.hit).map(|p| p.text.as_str()).collect()
    }

    #[test]
    fn normalize_folds_width_case_space_and_format_chars() {
        assert_eq!(normalize("ＡＢＣ１２"), "abc12");
        assert_eq!(normalize("  a\u{3000}\u{3000}b\t\nC  "), "a b c");
        assert_eq!(normalize("re\u{200B}im\u{FEFF}burse\u{00AD}ment（报销）"), "reimbursement(报销)");
    }

    #[test]
    fn index_terms_cover_chars_bigrams_and_words() {
        let t = index_terms("员工差旅费用报销标准 Travel-Policy 2024，发票。借款");
        for term in ["员", "准", "员工", "差旅", "旅费", "报销", "travel", "policy", "2024", "发票", "借款"] {
            assert!(t.contains(term), "{term}");
        }
        assert!(!t.contains("travel-policy") && !t.contains("票借") && !t.iter().any(|x| x.contains('，')));
    }

    #[test]
    fn two_char_words_are_indexed_and_found() {
        for w in ["差旅", "发票", "报销", "借款"] {
            let terms = index_terms(&format!("关于{w}的规定：请按流程办理。"));
            assert!(terms.contains(w) && q(w).matches(&terms), "{w}");
        }
        assert!(!found("借款", "关于差旅的规定"));
        assert!(found("税", "增值税专用发票") && !found("税", "差旅费用"));
    }

    #[test]
    fn non_adjacent_cjk_terms_match_and_rank() {
        let (title, query) = ("员工差旅费用报销标准", q("差旅报销"));
        assert_eq!(query.groups()[0].alternatives()[0].required_terms(), ["差", "旅", "报", "销"]);
        assert!(query.matches(&index_terms(title)));
        assert_eq!(query.tier(title, false), Some(Tier::TitleAllTerms));
        assert_eq!(query.tier("差旅报销管理办法", false), Some(Tier::TitlePhrase));
        assert_eq!(q("差旅").tier(title, false), Some(Tier::TitlePhrase));
        assert_eq!(query.tier("借款管理办法", true), Some(Tier::Body));
        assert_eq!(query.tier("借款管理办法", false), None);
        assert!(Tier::TitlePhrase < Tier::TitleAllTerms && Tier::TitleAllTerms < Tier::Body);
    }

    #[test]
    fn english_is_case_insensitive_and_whole_word() {
        assert!(found("travel", "Travel policy") && found("TRAVEL Policy", "policy on travel"));
        assert!(!found("trav", "Travel policy"));
        assert_eq!(q("trav").tier("Travel policy", true), Some(Tier::Body));
        assert_eq!(q("policy travel").tier("Travel policy", false), Some(Tier::TitleAllTerms));
    }

    #[test]
    fn full_width_is_width_insensitive() {
        assert!(found("ＡＢＣ１２", "abc12 规定") && found("abc12", "ＡＢＣ１２规定"));
        assert!(found("ＡＢＣ　１２", "abc 12") && found("abc 12", "ＡＢＣ　１２"));
        assert_eq!(q("ＡＢＣ").phrase(), "abc");
    }

    #[test]
    fn synonyms_expand_groups() {
        assert!(found("报账", "费用报销流程") && !found("报账", "差旅费用"));
        assert!(found("差旅报账", "员工差旅费用报销标准") && found("票据", "发票管理"));
        assert!(found("reimbursement", "Expense claim form"));
        let alts: Vec<String> = q("差旅报账").groups()[0].alternatives().iter().map(|a| a.text().into()).collect();
        assert_eq!(alts, ["差旅报账", "差旅报销"]);
        assert_eq!(q("reimbursement").all_terms(), ["claim", "expense", "reimbursement"]);
    }

    #[test]
    fn parse_rejects_empty_and_caps_input() {
        for s in ["", "   ", "，。、（）《》“”", "!!! ---", "\u{200B}"] {
            assert!(Query::parse(s, &[]).is_none(), "{s:?}");
        }
        let many: Vec<String> = (0..20).map(|i| format!("w{i}")).collect();
        assert_eq!(q(&many.join(" ")).groups().len(), MAX_GROUPS);
        assert_eq!(q(&"税".repeat(500)).phrase().chars().count(), MAX_QUERY_CHARS);
        assert_eq!(q("a a b").groups().len(), 2);
    }

    #[test]
    fn snippet_marks_hits_and_keeps_original_text() {
        let p = q("abc").snippet("规定：ＡＢＣ费用", 20);
        assert_eq!(hits(&p), ["ＡＢＣ"]);
        assert_eq!(p.iter().map(|p| p.text.as_str()).collect::<String>(), "规定：ＡＢＣ费用");
        assert_eq!(hits(&q("差旅报销").snippet("员工差旅费用报销标准", 40)), ["差旅", "报销"]);
        assert_eq!(hits(&q("报账").snippet("请按报销流程办理", 40)), ["报销"]);
        assert_eq!(hits(&q("Travel").snippet("The TRAVEL policy", 40)), ["TRAVEL"]);
    }

    #[test]
    fn snippet_windows_and_ellipses() {
        let text = format!("{}差旅{}", "甲".repeat(50), "乙".repeat(50));
        let p = q("差旅").snippet(&text, 10);
        assert!(p[0].text == "…" && p[p.len() - 1].text == "…");
        assert_eq!(hits(&p), ["差旅"]);
        assert_eq!(p[1..p.len() - 1].iter().map(|p| p.text.chars().count()).sum::<usize>(), 10);
        let ell = Piece { text: "…".into(), hit: false };
        assert_eq!(q("借款").snippet(&text, 5), [Piece { text: "甲".repeat(5), hit: false }, ell]);
        let p = q("差旅").snippet(&format!("{}差旅乙", "甲".repeat(50)), 10);
        let texts: Vec<&str> = p.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(texts, ["…", "甲甲甲甲甲甲甲", "差旅", "乙"]);
        assert!(q("x").snippet("", 10).is_empty());
        assert_eq!(q("x").snippet("ab", 10), [Piece { text: "ab".into(), hit: false }]);
    }

    #[test]
    fn snippet_never_panics() {
        let texts = [
            "", "😀", "😀😀差旅😀", "e\u{301}\u{301}x", "𠀀𠀁𪚥报销", "\u{200B}\u{FEFF}", "İstanbul travel", "ﬃ Travel ＡＢＣ",
            "a\u{3000}\u{3000}\u{200B}b", "报\u{200B}销", "\u{10FFFF}\u{FFFF}", "ß ẞ", "   ", "\n\n差\n旅\n", "Ω\u{0345}",
        ];
        for qs in ["差旅", "报账", "travel", "abc", "ss", "i", "税 x", "😀a", "e\u{301}x", "𠀀", "İ"] {
            let query = q(qs);
            for (t, w) in texts.iter().flat_map(|t| [0, 1, 2, 3, 7, 80].map(|w| (t, w))) {
                let joined: String = query.snippet(t, w).iter().map(|p| p.text.as_str()).filter(|s| *s != "…").collect();
                assert!(t.contains(&joined), "{t:?} {qs:?} {w}");
                let _ = (query.tier(t, true), index_terms(t));
            }
        }
    }
}
