//! The module structure of the portal's crates, read from their sources: which file imports
//! which, the import loops among files, and the floors of `docs/architecture.md`.
//!
//! An edge runs from a file to the file that defines the module a path names: `use
//! crate::requests::store::insert` in `sla/service.rs` is an edge to `requests/store.rs`,
//! `use super::RequestId` in `requests/store.rs` an edge to `requests/mod.rs`. A `mod`
//! declaration is no import. A path through one of the crate root's re-exports (`pub use
//! error::AppError` in `lib.rs`) is followed to the file it re-exports from; a module the root
//! includes from generated code (`include!(…"/i18n/mod.rs")`) is a node of its own.

pub mod floors;
pub mod lex;
pub mod scan;

use scan::{Base, FileScan};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// One crate (a library or one binary) as its files and the edges between them.
#[derive(Debug, Default)]
pub struct CrateGraph {
    pub root: PathBuf,
    /// Module path (`["requests", "store"]`) to file.
    pub modules: BTreeMap<Vec<String>, PathBuf>,
    /// From file to file, with the names that tie them (for messages).
    pub edges: BTreeMap<(PathBuf, PathBuf), BTreeSet<String>>,
    /// Top-level names of generated modules included by the root (e.g. `i18n`).
    pub generated: BTreeSet<String>,
}

/// Reads a crate from its root file, following `mod name;` declarations.
pub fn read_crate(root: &Path) -> std::io::Result<CrateGraph> {
    let mut scans: BTreeMap<PathBuf, (Vec<String>, FileScan)> = BTreeMap::new();
    let mut todo = vec![(Vec::<String>::new(), root.to_path_buf())];
    while let Some((module, file)) = todo.pop() {
        let scan = scan::scan(&std::fs::read_to_string(&file)?);
        let dir = module_dir(&file, module.is_empty());
        for child in &scan.child_modules {
            let flat = dir.join(format!("{child}.rs"));
            let nested = dir.join(child).join("mod.rs");
            let path = if flat.exists() { flat } else { nested };
            if path.exists() {
                let mut child_module = module.clone();
                child_module.push(child.clone());
                todo.push((child_module, path));
            }
        }
        scans.insert(file, (module, scan));
    }

    let mut graph = CrateGraph { root: root.to_path_buf(), ..Default::default() };
    for (file, (module, _)) in &scans {
        graph.modules.insert(module.clone(), file.clone());
    }
    let macros: BTreeMap<String, PathBuf> = scans
        .iter()
        .flat_map(|(file, (_, scan))| scan.macros.iter().map(move |m| (m.clone(), file.clone())))
        .collect();
    let root_exports: BTreeMap<String, Vec<String>> = scans
        .get(root)
        .map(|(_, scan)| {
            scan.paths
                .iter()
                .filter_map(|p| Some((p.reexported_as.clone()?, absolute(&[], &scan.child_modules, p)?)))
                .collect()
        })
        .unwrap_or_default();

    let generated: BTreeSet<String> = std::fs::read_to_string(root)
        .map(|text| generated_modules(&text))
        .unwrap_or_default();
    for (file, (module, scan)) in &scans {
        for path in &scan.paths {
            if file == root && path.reexported_as.is_some() {
                // Followed where it is used, so that the root's façade makes no loop.
                continue;
            }
            let Some(mut target) = absolute(module, &scan.child_modules, path) else { continue };
            // A name re-exported by the root stands for the path it re-exports.
            for _ in 0..4 {
                match target.first().and_then(|n| root_exports.get(n)) {
                    Some(full) if graph.module_of(&target).0.is_empty() => {
                        target = full.iter().chain(target.iter().skip(1)).cloned().collect();
                    }
                    _ => break,
                }
            }
            let (prefix, to) = graph.module_of(&target);
            let to = if prefix.is_empty() {
                match target.first() {
                    // `use super::*` in a child of the root: the root file itself.
                    None => root.to_path_buf(),
                    Some(name) if macros.contains_key(name) => macros[name].clone(),
                    Some(name) if generated.contains(name) => {
                        graph.generated.insert(name.clone());
                        PathBuf::from(format!("<{name}>"))
                    }
                    // An item of the root file itself.
                    Some(_) => root.to_path_buf(),
                }
            } else {
                to
            };
            if &to != file {
                // A glob names nothing in particular: `*` stands for it.
                let what = target.get(prefix.len()).or(target.last()).cloned().unwrap_or_else(|| "*".into());
                graph.edges.entry((file.clone(), to)).or_default().insert(what);
            }
        }
    }
    Ok(graph)
}

impl CrateGraph {
    /// The longest prefix of `path` that is a module in a file, and that file.
    pub fn module_of(&self, path: &[String]) -> (Vec<String>, PathBuf) {
        (0..=path.len())
            .rev()
            .find_map(|n| self.modules.get(&path[..n]).map(|f| (path[..n].to_vec(), f.clone())))
            .unwrap_or_else(|| (Vec::new(), self.root.clone()))
    }

    /// The file's module path, e.g. `["sla", "service"]`.
    pub fn module_path(&self, file: &Path) -> Option<&Vec<String>> {
        self.modules.iter().find(|(_, f)| f.as_path() == file).map(|(m, _)| m)
    }

    /// The import loops: each a set of at least two files that reach each other.
    pub fn loops(&self) -> Vec<Vec<PathBuf>> {
        let nodes: BTreeSet<&PathBuf> = self.edges.keys().flat_map(|(a, b)| [a, b]).collect();
        let index: BTreeMap<&PathBuf, usize> = nodes.iter().enumerate().map(|(i, n)| (*n, i)).collect();
        let names: Vec<&PathBuf> = nodes.into_iter().collect();
        let mut next = vec![Vec::new(); names.len()];
        for (a, b) in self.edges.keys() {
            next[index[a]].push(index[b]);
        }
        strongly_connected(&next)
            .into_iter()
            .filter(|c| c.len() > 1)
            .map(|c| {
                let mut files: Vec<PathBuf> = c.into_iter().map(|i| names[i].clone()).collect();
                files.sort();
                files
            })
            .collect()
    }

    /// The edges between the files of one loop, as `a -> b: names` lines.
    pub fn describe_loop(&self, files: &[PathBuf], strip: &Path) -> Vec<String> {
        self.edges
            .iter()
            .filter(|((a, b), _)| files.contains(a) && files.contains(b))
            .map(|((a, b), names)| {
                let names: Vec<&str> = names.iter().map(String::as_str).collect();
                format!("{} -> {}: {}", shown(a, strip), shown(b, strip), names.join(", "))
            })
            .collect()
    }
}

pub fn shown(path: &Path, strip: &Path) -> String {
    path.strip_prefix(strip).unwrap_or(path).display().to_string()
}

/// The modules a root file includes from generated code: `include!(concat!(env!("OUT_DIR"),
/// "/i18n/mod.rs"))` includes `i18n`.
fn generated_modules(root_text: &str) -> BTreeSet<String> {
    root_text
        .split("include!(")
        .skip(1)
        .filter_map(|rest| {
            let call = rest.split(';').next()?;
            let path = call.rsplit('"').nth(1)?;
            let path = path.strip_suffix("/mod.rs").or_else(|| path.strip_suffix(".rs"))?;
            Some(path.rsplit('/').next()?.to_string())
        })
        .filter(|name| !name.is_empty())
        .collect()
}

/// The directory holding a file's child modules.
fn module_dir(file: &Path, is_root: bool) -> PathBuf {
    let parent = file.parent().map(Path::to_path_buf).unwrap_or_default();
    let stem = file.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
    if is_root || stem == "mod" {
        parent
    } else {
        parent.join(stem)
    }
}

/// The path from the crate root, or `None` for a path that names nothing of this crate.
fn absolute(module: &[String], children: &[String], path: &scan::PathRef) -> Option<Vec<String>> {
    let mut here: Vec<String> = module.iter().chain(path.inline.iter()).cloned().collect();
    let start = match path.base {
        Base::Crate => Vec::new(),
        Base::SelfModule => here,
        Base::Super(levels) => {
            for _ in 0..levels {
                here.pop()?;
            }
            here
        }
        Base::Bare => {
            // Only a child module declared in this file is a path of this crate.
            let first = path.segments.first()?;
            if !children.contains(first) {
                return None;
            }
            module.to_vec()
        }
    };
    Some(start.into_iter().chain(path.segments.iter().cloned()).collect())
}

/// Tarjan's algorithm, iteratively: the strongly connected components of a graph.
fn strongly_connected(next: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let n = next.len();
    let (mut index, mut low, mut on_stack) = (vec![usize::MAX; n], vec![0; n], vec![false; n]);
    let (mut stack, mut out, mut counter) = (Vec::new(), Vec::new(), 0);
    for start in 0..n {
        if index[start] != usize::MAX {
            continue;
        }
        let mut work = vec![(start, 0usize)];
        while let Some(&mut (v, ref mut child)) = work.last_mut() {
            if *child == 0 && index[v] == usize::MAX {
                index[v] = counter;
                low[v] = counter;
                counter += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            if let Some(&w) = next[v].get(*child) {
                *child += 1;
                if index[w] == usize::MAX {
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                let mut component = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    component.push(w);
                    if w == v {
                        break;
                    }
                }
                out.push(component);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A crate written to a temporary folder: `(relative path, text)` pairs.
    pub(crate) fn write_crate(files: &[(&str, &str)]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "fssc-layers-{}-{}",
            std::process::id(),
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0)
        ));
        for (path, text) in files {
            let file = dir.join(path);
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(file, text).unwrap();
        }
        dir
    }

    #[test]
    fn a_loop_through_a_capabilitys_files_is_found_with_its_names() {
        let dir = write_crate(&[
            ("lib.rs", "pub mod error; pub mod requests; pub use error::AppError;"),
            ("error.rs", "use crate::requests::RequestStatus; pub struct AppError;"),
            ("requests/mod.rs", "pub mod status; pub use status::RequestStatus;"),
            ("requests/status.rs", "use crate::AppError; pub enum RequestStatus {}"),
        ]);
        let graph = read_crate(&dir.join("lib.rs")).unwrap();
        let loops = graph.loops();
        assert_eq!(loops.len(), 1, "{:?}", graph.edges);
        let lines = graph.describe_loop(&loops[0], &dir);
        assert!(lines.contains(&"error.rs -> requests/mod.rs: RequestStatus".to_string()), "{lines:?}");
        assert!(lines.contains(&"requests/status.rs -> error.rs: AppError".to_string()), "the root re-export is followed: {lines:?}");
    }

    #[test]
    fn tests_of_a_file_and_downward_imports_make_no_loop() {
        let dir = write_crate(&[
            ("lib.rs", "pub mod kernel; pub mod requests;"),
            ("kernel.rs", "#[macro_export] macro_rules! id_type { () => {} }"),
            ("requests/mod.rs", "use crate::{id_type, kernel::X}; pub mod store;"),
            ("requests/store.rs", "use super::Y; #[cfg(test)] mod tests { use super::*; }"),
        ]);
        let graph = read_crate(&dir.join("lib.rs")).unwrap();
        assert!(graph.loops().is_empty(), "{:?}", graph.edges);
        assert!(graph.edges.contains_key(&(dir.join("requests/mod.rs"), dir.join("kernel.rs"))));
        assert!(graph.edges.contains_key(&(dir.join("requests/store.rs"), dir.join("requests/mod.rs"))));
    }

    #[test]
    fn a_binary_root_holding_code_is_a_node_and_generated_modules_are_their_own() {
        let dir = write_crate(&[
            ("main.rs", "include!(concat!(env!(\"OUT_DIR\"), \"/i18n/mod.rs\"));\nmod world; use world::*; struct Seed;"),
            ("world.rs", "use super::*; use crate::i18n::Locale;"),
        ]);
        let graph = read_crate(&dir.join("main.rs")).unwrap();
        assert_eq!(graph.loops().len(), 1, "{:?}", graph.edges);
        assert!(graph.generated.contains("i18n"));
        assert!(graph.edges.contains_key(&(dir.join("world.rs"), PathBuf::from("<i18n>"))));
    }

    #[test]
    fn a_parent_calling_into_its_child_that_imports_the_parent_is_a_loop() {
        let dir = write_crate(&[
            ("main.rs", "mod policies;"),
            ("policies/mod.rs", "mod links; pub fn page() { links::of(); }"),
            ("policies/links.rs", "pub fn of() { super::page(); }"),
        ]);
        let graph = read_crate(&dir.join("main.rs")).unwrap();
        assert_eq!(graph.loops().len(), 1, "{:?}", graph.edges);
    }
}
