//! The command line, and the fixed settings of a run.

pub(crate) const DEFAULT_DATABASE_URL: &str = "sqlite://data/policy-bench.db";
/// The goal every scenario should meet at the 95th percentile.
pub(crate) const GOAL_MS: f64 = 30.0;
/// Results the new-request form suggests while its title is typed.
pub(crate) const SUGGESTIONS: usize = 5;
/// A typical new request's title, for the suggestions.
pub(crate) const SUGGESTION_TITLE: &str = "出差住宿费报销";
/// A limit above any page count, to count every match.
pub(crate) const EVERY_MATCH: usize = 1_000_000;

pub(crate) type BoxError = Box<dyn std::error::Error>;

#[derive(Debug, Clone, Copy)]
pub(crate) struct Options {
    pub(crate) pages: usize,
    pub(crate) versions: usize,
    pub(crate) iterations: usize,
    pub(crate) warmup: usize,
}

pub(crate) fn parse_args() -> Result<Options, String> {
    let mut options = Options { pages: 4_000, versions: 5, iterations: 200, warmup: 20 };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "-h" || arg == "--help" {
            return Err(String::new());
        }
        let value = args.next().ok_or(format!("{arg} needs a value"))?;
        let number = value.replace('_', "").parse::<usize>().map_err(|_| format!("{arg}: not a number: {value}"))?;
        match arg.as_str() {
            "--pages" => options.pages = number,
            "--versions" => options.versions = number,
            "--iterations" => options.iterations = number.max(1),
            "--warmup" => options.warmup = number,
            other => return Err(format!("unknown option {other}")),
        }
    }
    if options.pages == 0 || options.versions == 0 {
        return Err("--pages and --versions must be at least 1".into());
    }
    Ok(options)
}

pub(crate) const USAGE: &str = "usage: fssc-policy-bench [--pages 4000] [--versions 5] [--iterations 200] [--warmup 20]\n\
    Seeds (once) and times the database named by DATABASE_URL (default sqlite://data/policy-bench.db).";
