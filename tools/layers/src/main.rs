//! `fssc-layers [--edges] [REPO]`: fails on an import loop among the files of any crate of
//! the workspace, or on a module of `app` that imports from above its floor in
//! docs/architecture.md. `--edges` also prints every edge, to see the structure.

use layers::{floors, read_crate, shown, CrateGraph};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let print_edges = args.iter().any(|a| a == "--edges");
    let repo = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."));
    match run(&repo, print_edges) {
        Ok(0) => ExitCode::SUCCESS,
        Ok(_) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("fssc-layers: {error}");
            ExitCode::from(2)
        }
    }
}

/// The crates of the workspace: every library and binary root.
fn crate_roots(repo: &Path) -> std::io::Result<Vec<(String, PathBuf)>> {
    let mut roots = vec![
        ("app".to_string(), repo.join("app/src/lib.rs")),
        ("frontend".to_string(), repo.join("frontend/src/lib.rs")),
        ("server".to_string(), repo.join("server/src/lib.rs")),
        ("server (fssc-server)".to_string(), repo.join("server/src/main.rs")),
        ("tools".to_string(), repo.join("tools/src/lib.rs")),
        ("layers".to_string(), repo.join("tools/layers/src/lib.rs")),
        ("layers (fssc-layers)".to_string(), repo.join("tools/layers/src/main.rs")),
    ];
    let mut bins: Vec<_> = std::fs::read_dir(repo.join("tools/src/bin"))?.collect::<Result<_, _>>()?;
    bins.sort_by_key(|e| e.path());
    for entry in bins {
        let path = entry.path();
        let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_string();
        let root = if path.is_dir() { path.join("main.rs") } else { path };
        roots.push((format!("tools ({name})"), root));
    }
    Ok(roots)
}

fn run(repo: &Path, print_edges: bool) -> Result<usize, String> {
    let repo = repo.canonicalize().map_err(|e| format!("{}: {e}", repo.display()))?;
    let doc = repo.join("docs/architecture.md");
    let text = std::fs::read_to_string(&doc).map_err(|e| format!("{}: {e}", doc.display()))?;
    let app_floors = floors::parse(&text).map_err(|e| format!("{}: {e}", doc.display()))?;
    let mut failures = 0;
    for (name, root) in crate_roots(&repo).map_err(|e| e.to_string())? {
        let graph = read_crate(&root).map_err(|e| format!("{}: {e}", root.display()))?;
        if print_edges {
            print_all_edges(&graph, &repo);
        }
        let loops = graph.loops();
        println!(
            "{name}: {} files, {} imports between them, {} import loop{}",
            graph.modules.len(),
            graph.edges.len(),
            loops.len(),
            if loops.len() == 1 { "" } else { "s" }
        );
        for (n, files) in loops.iter().enumerate() {
            failures += 1;
            println!("  loop {} of {} files:", n + 1, files.len());
            for line in graph.describe_loop(files, &repo) {
                println!("    {line}");
            }
        }
        if name == "app" {
            let problems = app_floors.check(&graph, &repo);
            println!(
                "app: {} floors in docs/architecture.md, {} import{} from above",
                app_floors.floors.len(),
                problems.len(),
                if problems.len() == 1 { "" } else { "s" }
            );
            for problem in &problems {
                println!("  {problem}");
            }
            failures += problems.len();
        }
    }
    if failures > 0 {
        println!("fssc-layers: {failures} problem(s); docs/architecture.md says how the floors run");
    }
    Ok(failures)
}

fn print_all_edges(graph: &CrateGraph, repo: &Path) {
    for ((from, to), names) in &graph.edges {
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        println!("  {} -> {}: {}", shown(from, repo), shown(to, repo), names.join(", "));
    }
}
