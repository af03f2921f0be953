//! What one source file says about modules: the modules it declares, the macros it defines,
//! and every path it names (in `use` trees and in code), with the inline module it is named in.

use crate::lex::{lex, Tok};

/// Where a path starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Base {
    /// `crate::…`
    Crate,
    /// `self::…`
    SelfModule,
    /// `super::…`, `super::super::…`: how many levels up.
    Super(usize),
    /// `name::…`: a child module of this one, or anything else in scope (resolved later).
    Bare,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathRef {
    pub base: Base,
    pub segments: Vec<String>,
    /// The inline modules (`mod tests { … }`) the path stands in, outermost first.
    pub inline: Vec<String>,
    /// A `pub use` leaf: the name this module re-exports it as.
    pub reexported_as: Option<String>,
}

#[derive(Debug, Default, Clone)]
pub struct FileScan {
    /// `mod name;` at the file's top level: child modules in files of their own.
    pub child_modules: Vec<String>,
    /// `macro_rules! name`: exported macros live at the crate root under this name.
    pub macros: Vec<String>,
    pub paths: Vec<PathRef>,
}

pub fn scan(src: &str) -> FileScan {
    let toks = lex(src);
    let mut out = FileScan::default();
    let mut depth = 0usize;
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let tok = &toks[i];
        let prev_is_sep = i > 0 && toks[i - 1] == Tok::PathSep;
        match tok {
            Tok::Punct('{') => depth += 1,
            Tok::Punct('}') => {
                depth = depth.saturating_sub(1);
                while inline.last().is_some_and(|(_, d)| *d > depth) {
                    inline.pop();
                }
            }
            Tok::Ident(w) if w == "mod" && !prev_is_sep => {
                if let (Some(Tok::Ident(name)), Some(next)) = (tok_at(&toks, i + 1), tok_at(&toks, i + 2)) {
                    match next {
                        Tok::Punct(';') if inline.is_empty() => out.child_modules.push(name.clone()),
                        Tok::Punct('{') => inline.push((name.clone(), depth + 1)),
                        _ => {}
                    }
                    i += 2;
                    continue;
                }
            }
            Tok::Ident(w) if w == "macro_rules" => {
                if let (Some(Tok::Punct('!')), Some(Tok::Ident(name))) = (tok_at(&toks, i + 1), tok_at(&toks, i + 2)) {
                    out.macros.push(name.clone());
                    i += 3;
                    continue;
                }
            }
            Tok::Ident(w) if w == "use" && !prev_is_sep => {
                let public = i > 0 && is_pub_before(&toks, i);
                let stack: Vec<String> = inline.iter().map(|(n, _)| n.clone()).collect();
                let mut j = i + 1;
                if tok_at(&toks, j) == Some(&Tok::PathSep) {
                    j += 1;
                }
                let mut leaves = Vec::new();
                j = use_tree(&toks, j, Vec::new(), &mut leaves);
                for (segments, alias) in leaves {
                    if let Some(path) = path_ref(segments, &stack) {
                        let reexported_as = if public { alias } else { None };
                        out.paths.push(PathRef { reexported_as, ..path });
                    }
                }
                i = j;
                continue;
            }
            Tok::Ident(first) if !prev_is_sep && tok_at(&toks, i + 1) == Some(&Tok::PathSep) => {
                let mut segments = vec![first.clone()];
                let mut j = i + 1;
                while tok_at(&toks, j) == Some(&Tok::PathSep) {
                    match tok_at(&toks, j + 1) {
                        Some(Tok::Ident(next)) => {
                            segments.push(next.clone());
                            j += 2;
                        }
                        _ => break,
                    }
                }
                let stack: Vec<String> = inline.iter().map(|(n, _)| n.clone()).collect();
                if let Some(path) = path_ref(segments, &stack) {
                    out.paths.push(path);
                }
                i = j;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

fn tok_at(toks: &[Tok], i: usize) -> Option<&Tok> {
    toks.get(i)
}

/// `pub use`, `pub(crate) use`, `pub(super) use`.
fn is_pub_before(toks: &[Tok], use_at: usize) -> bool {
    let before = |k: usize| use_at.checked_sub(k).and_then(|i| tok_at(toks, i));
    matches!(before(1), Some(Tok::Ident(w)) if w == "pub")
        || (before(1) == Some(&Tok::Punct(')')) && matches!(before(4), Some(Tok::Ident(w)) if w == "pub"))
}

/// Reads one use tree from `j`, collecting each leaf as its whole path and the name it takes.
fn use_tree(toks: &[Tok], mut j: usize, prefix: Vec<String>, leaves: &mut Vec<(Vec<String>, Option<String>)>) -> usize {
    let mut path = prefix;
    loop {
        match tok_at(toks, j) {
            Some(Tok::Ident(w)) => {
                if w == "self" && !path.is_empty() {
                    // `a::{self, …}` names `a` itself.
                } else {
                    path.push(w.clone());
                }
                j += 1;
                if tok_at(toks, j) == Some(&Tok::PathSep) {
                    j += 1;
                    continue;
                }
                let mut alias = path.last().cloned();
                if matches!(tok_at(toks, j), Some(Tok::Ident(w)) if w == "as") {
                    alias = match tok_at(toks, j + 1) {
                        Some(Tok::Ident(name)) => Some(name.clone()),
                        _ => None,
                    };
                    j += 2;
                }
                leaves.push((path, alias));
                return j;
            }
            Some(Tok::Punct('*')) => {
                leaves.push((path, None));
                return j + 1;
            }
            Some(Tok::Punct('{')) => {
                j += 1;
                loop {
                    match tok_at(toks, j) {
                        Some(Tok::Punct('}')) => return j + 1,
                        Some(Tok::Punct(',')) => j += 1,
                        None => return j,
                        Some(_) => {
                            let before = j;
                            j = use_tree(toks, j, path.clone(), leaves);
                            if j == before {
                                j += 1;
                            }
                        }
                    }
                }
            }
            _ => return j,
        }
    }
}

fn path_ref(mut segments: Vec<String>, inline: &[String]) -> Option<PathRef> {
    let first = segments.first()?.clone();
    let base = match first.as_str() {
        "crate" => {
            segments.remove(0);
            Base::Crate
        }
        "self" => {
            segments.remove(0);
            Base::SelfModule
        }
        "super" => {
            let mut levels = 0;
            while segments.first().map(String::as_str) == Some("super") {
                segments.remove(0);
                levels += 1;
            }
            Base::Super(levels)
        }
        // `Self::`, `$crate` in macros and generic `T::` name no module of this crate.
        "Self" => return None,
        _ => Base::Bare,
    };
    Some(PathRef { base, segments, inline: inline.to_vec(), reexported_as: None })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaves(src: &str) -> Vec<String> {
        scan(src)
            .paths
            .iter()
            .map(|p| format!("{:?}:{}", p.base, p.segments.join("::")))
            .collect()
    }

    #[test]
    fn use_trees_become_one_path_a_leaf() {
        let found = leaves("use crate::{a::{B, c::D as E, self}, f::*}; use super::super::g::H;");
        assert_eq!(found, vec!["Crate:a::B", "Crate:a::c::D", "Crate:a", "Crate:f", "Super(2):g::H"]);
    }

    #[test]
    fn paths_in_code_are_found_but_not_their_tails() {
        let found = leaves("fn f() { crate::a::b::c(); let x = Vec::<u8>::new(); store::insert(); }");
        assert_eq!(found, vec!["Crate:a::b::c", "Bare:Vec", "Bare:store::insert"]);
    }

    #[test]
    fn declarations_macros_and_inline_modules() {
        let scan = scan(
            "pub mod api;\n#[cfg(test)]\nmod tests {\n    use super::*;\n}\nmacro_rules! id_type { () => {} }\nuse self::x::Y;",
        );
        assert_eq!(scan.child_modules, vec!["api"]);
        assert_eq!(scan.macros, vec!["id_type"]);
        assert_eq!(scan.paths[0].inline, vec!["tests"]);
        assert!(scan.paths[1].inline.is_empty(), "the inline module closed");
    }

    #[test]
    fn a_public_use_is_a_reexport_under_its_name() {
        let scan = scan("pub use error::AppError; pub(crate) use routes::{shell as s}; use x::Y;");
        let names: Vec<_> = scan.paths.iter().map(|p| p.reexported_as.clone()).collect();
        assert_eq!(names, vec![Some("AppError".into()), Some("s".into()), None]);
    }
}
