//! The floors of a crate, read from the numbered list between `<!-- floors -->` and
//! `<!-- /floors -->` in a Markdown file: each item names modules in backticks before its
//! ` — `, ground floor first. A file belongs to the longest module path listed that contains
//! it; it may name modules on its own floor and below, never above.

use crate::{shown, CrateGraph};
use std::path::Path;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Floors {
    /// Module paths per floor, ground floor first: `[["kernel", "i18n"], ["error"], …]`.
    pub floors: Vec<Vec<Vec<String>>>,
}

pub fn parse(markdown: &str) -> Result<Floors, String> {
    let start = markdown.find("<!-- floors -->").ok_or("no `<!-- floors -->` marker")?;
    let end = markdown[start..].find("<!-- /floors -->").ok_or("no `<!-- /floors -->` marker")? + start;
    // An item runs from its number to the next one; its names may wrap onto indented lines.
    let mut items: Vec<(String, String)> = Vec::new();
    for line in markdown[start..end].lines() {
        let trimmed = line.trim_start();
        let numbered = trimmed
            .split_once(". ")
            .filter(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
        match numbered {
            Some((number, rest)) if line.len() == trimmed.len() => items.push((number.to_string(), rest.to_string())),
            _ if line.starts_with(' ') => {
                if let Some((_, text)) = items.last_mut() {
                    text.push(' ');
                    text.push_str(trimmed);
                }
            }
            _ => {}
        }
    }
    let mut floors = Vec::new();
    for (number, text) in items {
        let head = text.split(" — ").next().unwrap_or(&text);
        let names: Vec<Vec<String>> = head
            .split('`')
            .skip(1)
            .step_by(2)
            .map(|name| name.split("::").map(str::to_string).collect())
            .collect();
        if names.is_empty() {
            return Err(format!("floor {number} names no module in backticks: {text}"));
        }
        floors.push(names);
    }
    if floors.is_empty() {
        return Err("the floors list is empty".into());
    }
    Ok(Floors { floors })
}

impl Floors {
    /// The floor of a module path: that of the longest listed prefix.
    pub fn floor_of(&self, module: &[String]) -> Option<usize> {
        self.floors
            .iter()
            .enumerate()
            .flat_map(|(floor, names)| names.iter().map(move |n| (floor, n)))
            .filter(|(_, name)| module.starts_with(name))
            .max_by_key(|(_, name)| name.len())
            .map(|(floor, _)| floor)
    }

    /// Every way the crate breaks the floors: a file on no floor, a listed module that does
    /// not exist, or an import of a module above the importing file's floor.
    pub fn check(&self, graph: &CrateGraph, strip: &Path) -> Vec<String> {
        let mut problems = Vec::new();
        let module_of = |file: &Path| -> Option<Vec<String>> {
            let name = file.to_string_lossy();
            if let Some(generated) = name.strip_prefix('<').and_then(|n| n.strip_suffix('>')) {
                return Some(vec![generated.to_string()]);
            }
            graph.module_path(file).cloned()
        };
        for (module, file) in &graph.modules {
            if !module.is_empty() && self.floor_of(module).is_none() {
                problems.push(format!("{} (`{}`) is on no floor", shown(file, strip), module.join("::")));
            }
        }
        for generated in &graph.generated {
            if self.floor_of(std::slice::from_ref(generated)).is_none() {
                problems.push(format!("the generated module `{generated}` is on no floor"));
            }
        }
        for name in self.floors.iter().flatten() {
            let exists = graph.modules.keys().any(|m| m.starts_with(name))
                || (name.len() == 1 && graph.generated.contains(&name[0]));
            if !exists {
                problems.push(format!("the floors name `{}`, which is no module", name.join("::")));
            }
        }
        for ((from, to), names) in &graph.edges {
            let (Some(a), Some(b)) = (module_of(from), module_of(to)) else { continue };
            if let (Some(fa), Some(fb)) = (self.floor_of(&a), self.floor_of(&b)) {
                if fb > fa {
                    let names: Vec<&str> = names.iter().map(String::as_str).collect();
                    problems.push(format!(
                        "{} (floor {}) imports {} (floor {}): {}",
                        shown(from, strip),
                        fa + 1,
                        shown(to, strip),
                        fb + 1,
                        names.join(", ")
                    ));
                }
            }
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read_crate;

    const DOC: &str = "# Architecture\n<!-- floors -->\n1. `kernel`, `i18n` — ids\n2. `error` — the error,\n   which carries `kernel` values\n3. `requests`,\n   `ratings` — capabilities\n4. `requests::ui` — pages\n<!-- /floors -->\n";

    #[test]
    fn the_list_is_read_ground_floor_first_and_a_longer_prefix_wins() {
        let floors = parse(DOC).unwrap();
        assert_eq!(floors.floors.len(), 4);
        assert_eq!(floors.floors[1].len(), 1, "names after the dash are words, not floor members");
        assert_eq!(floors.floors[2].len(), 2, "names wrap onto the next line");
        let path = |s: &str| s.split("::").map(str::to_string).collect::<Vec<_>>();
        assert_eq!(floors.floor_of(&path("kernel::ids")), Some(0));
        assert_eq!(floors.floor_of(&path("requests::store")), Some(2));
        assert_eq!(floors.floor_of(&path("requests::ui::detail")), Some(3));
        assert_eq!(floors.floor_of(&path("dashboard")), None);
    }

    #[test]
    fn an_import_from_above_and_a_module_on_no_floor_are_reported() {
        let dir = crate::tests::write_crate(&[
            ("lib.rs", "include!(concat!(env!(\"OUT_DIR\"), \"/i18n/mod.rs\"));\npub mod kernel; pub mod error; pub mod requests; pub mod dashboard;"),
            ("kernel.rs", "pub struct Id;"),
            ("error.rs", "use crate::requests::RequestStatus; use crate::kernel::Id;"),
            ("requests/mod.rs", "pub mod ui; pub enum RequestStatus {}"),
            ("requests/ui.rs", "use crate::error::E; use crate::i18n::Locale;"),
            ("dashboard.rs", ""),
        ]);
        let graph = read_crate(&dir.join("lib.rs")).unwrap();
        let problems = parse(DOC).unwrap().check(&graph, &dir);
        assert_eq!(
            problems,
            vec![
                "dashboard.rs (`dashboard`) is on no floor".to_string(),
                "the floors name `ratings`, which is no module".to_string(),
                "error.rs (floor 2) imports requests/mod.rs (floor 3): RequestStatus".to_string(),
            ]
        );
    }

    #[test]
    fn a_list_without_markers_is_refused() {
        assert!(parse("1. `kernel` — ids").is_err());
    }
}
