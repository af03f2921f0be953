//! Two versions of a page compared line by line, and inside a changed line character by
//! character: Chinese has no spaces, so a word diff would mark whole sentences.

use super::{search::Piece, DiffLine};
use similar::{Algorithm, ChangeTag, DiffOp, TextDiff};

/// Unchanged lines shown on each side of a change; longer unchanged runs are folded.
const CONTEXT: usize = 3;

/// The lines of `new` against `old`, with unchanged stretches folded.
pub fn compare(old: &str, new: &str) -> Vec<DiffLine> {
    let old_lines: Vec<&str> = old.lines().collect();
    let new_lines: Vec<&str> = new.lines().collect();
    let diff = TextDiff::configure().algorithm(Algorithm::Patience).diff_slices(&old_lines, &new_lines);
    let mut lines = Vec::new();
    for op in diff.ops() {
        match *op {
            DiffOp::Equal { old_index, len, .. } => {
                lines.extend(old_lines[old_index..old_index + len].iter().map(|l| DiffLine::Same(l.to_string())))
            }
            DiffOp::Delete { old_index, old_len, .. } => lines
                .extend(old_lines[old_index..old_index + old_len].iter().map(|l| DiffLine::Removed(whole(l)))),
            DiffOp::Insert { new_index, new_len, .. } => lines
                .extend(new_lines[new_index..new_index + new_len].iter().map(|l| DiffLine::Added(whole(l)))),
            DiffOp::Replace { old_index, old_len, new_index, new_len } => {
                let removed = &old_lines[old_index..old_index + old_len];
                let added = &new_lines[new_index..new_index + new_len];
                // Lines replaced one for one are compared by character; the rest are whole.
                let paired = removed.len().min(added.len());
                let mut minus = Vec::new();
                let mut plus = Vec::new();
                for (before, after) in removed.iter().zip(added.iter()) {
                    let (b, a) = characters(before, after);
                    minus.push(DiffLine::Removed(b));
                    plus.push(DiffLine::Added(a));
                }
                minus.extend(removed[paired..].iter().map(|l| DiffLine::Removed(whole(l))));
                plus.extend(added[paired..].iter().map(|l| DiffLine::Added(whole(l))));
                lines.extend(minus);
                lines.extend(plus);
            }
        }
    }
    fold(lines)
}

fn whole(line: &str) -> Vec<Piece> {
    vec![Piece { text: line.to_string(), hit: true }]
}

/// The two lines with the characters only one of them has marked.
fn characters(before: &str, after: &str) -> (Vec<Piece>, Vec<Piece>) {
    let diff = TextDiff::configure().algorithm(Algorithm::Myers).diff_chars(before, after);
    let mut old = Vec::new();
    let mut new = Vec::new();
    for change in diff.iter_all_changes() {
        let text = change.value();
        match change.tag() {
            ChangeTag::Equal => {
                push(&mut old, text, false);
                push(&mut new, text, false);
            }
            ChangeTag::Delete => push(&mut old, text, true),
            ChangeTag::Insert => push(&mut new, text, true),
        }
    }
    (old, new)
}

/// Appends to the last piece when it is of the same kind, so a line is a few pieces, not one
/// per character.
fn push(pieces: &mut Vec<Piece>, text: &str, hit: bool) {
    match pieces.last_mut() {
        Some(last) if last.hit == hit => last.text.push_str(text),
        _ => pieces.push(Piece { text: text.to_string(), hit }),
    }
}

/// Keeps [`CONTEXT`] unchanged lines next to each change and replaces the rest of a run by a
/// count.
fn fold(lines: Vec<DiffLine>) -> Vec<DiffLine> {
    let changed: Vec<bool> = lines.iter().map(|l| !matches!(l, DiffLine::Same(_))).collect();
    let near_change = |i: usize| {
        let from = i.saturating_sub(CONTEXT);
        let to = (i + CONTEXT).min(changed.len().saturating_sub(1));
        (from..=to).any(|j| changed[j])
    };
    let mut out = Vec::new();
    let mut skipped = 0;
    for (i, line) in lines.into_iter().enumerate() {
        if matches!(line, DiffLine::Same(_)) && !near_change(i) {
            skipped += 1;
            continue;
        }
        if skipped > 0 {
            out.push(DiffLine::Skipped(skipped));
            skipped = 0;
        }
        out.push(line);
    }
    if skipped > 0 {
        out.push(DiffLine::Skipped(skipped));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marked(pieces: &[Piece]) -> String {
        pieces.iter().map(|p| if p.hit { format!("[{}]", p.text) } else { p.text.clone() }).collect()
    }

    #[test]
    fn a_changed_chinese_line_marks_only_the_changed_characters() {
        let lines = compare("## 住宿\n一线城市每晚不超过500元。\n其他城市300元。", "## 住宿\n一线城市每晚不超过600元。\n其他城市300元。");
        let shown: Vec<String> = lines
            .iter()
            .map(|l| match l {
                DiffLine::Same(text) => format!("  {text}"),
                DiffLine::Removed(p) => format!("- {}", marked(p)),
                DiffLine::Added(p) => format!("+ {}", marked(p)),
                DiffLine::Skipped(n) => format!("… {n}"),
            })
            .collect();
        assert_eq!(
            shown,
            vec!["  ## 住宿", "- 一线城市每晚不超过[5]00元。", "+ 一线城市每晚不超过[6]00元。", "  其他城市300元。"]
        );
    }

    #[test]
    fn added_and_removed_lines_are_whole() {
        let lines = compare("甲\n乙", "甲\n乙\n丙");
        assert_eq!(lines.last(), Some(&DiffLine::Added(vec![Piece { text: "丙".into(), hit: true }])));
        let lines = compare("甲\n乙\n丙", "甲\n丙");
        assert!(lines.contains(&DiffLine::Removed(vec![Piece { text: "乙".into(), hit: true }])));
    }

    #[test]
    fn long_unchanged_runs_are_folded_around_the_change() {
        let old: Vec<String> = (1..=20).map(|i| format!("第{i}条")).collect();
        let mut new = old.clone();
        new[10] = "第11条（已修订）".into();
        let lines = compare(&old.join("\n"), &new.join("\n"));
        assert_eq!(lines.first(), Some(&DiffLine::Skipped(7)));
        assert_eq!(lines.last(), Some(&DiffLine::Skipped(6)));
        assert_eq!(lines.iter().filter(|l| matches!(l, DiffLine::Same(_))).count(), 6);
    }

    #[test]
    fn identical_versions_show_no_change() {
        let lines = compare("甲\n乙", "甲\n乙");
        assert!(lines.iter().all(|l| matches!(l, DiffLine::Same(_) | DiffLine::Skipped(_))));
    }
}
