//! The command line, and the fixed shape of the data set it asks for.

pub(crate) const DEFAULT_DATABASE_URL: &str = "sqlite://data/bench.db";
/// The first subsidiary's code; its presence means the data set is there.
pub(crate) const FIRST_ORG_CODE: &str = "SUB-0001";
pub(crate) const EMAIL_DOMAIN: &str = "bench.example.com";
/// Timelines of exactly this length exist so the benchmark can open a long request page.
pub(crate) const LONG_TIMELINE: usize = 30;
/// Requests written per transaction: large enough that commits cost nothing, small enough that
/// a batch with its events and files stays in the tens of megabytes.
pub(crate) const BATCH_REQUESTS: usize = 5_000;
pub(crate) const ADMINS: usize = 5;
pub(crate) const ORGS_PER_MANAGER: usize = 10;

#[derive(Debug, Clone, Copy)]
pub(crate) struct Options {
    pub(crate) users: usize,
    pub(crate) orgs: usize,
    pub(crate) requests: usize,
    pub(crate) years: u32,
}

pub(crate) fn parse_args() -> Result<Options, String> {
    let mut options = Options { users: 5_000, orgs: 200, requests: 200_000, years: 2 };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "-h" || arg == "--help" {
            return Err(String::new());
        }
        let value = args.next().ok_or(format!("{arg} needs a value"))?;
        let number = || value.replace('_', "").parse::<usize>().map_err(|_| format!("{arg}: not a number: {value}"));
        match arg.as_str() {
            "--users" => options.users = number()?,
            "--orgs" => options.orgs = number()?,
            "--requests" => options.requests = number()?,
            "--years" => options.years = number()? as u32,
            other => return Err(format!("unknown option {other}")),
        }
    }
    if options.orgs == 0 || options.years == 0 {
        return Err("--orgs and --years must be at least 1".into());
    }
    Ok(options)
}

pub(crate) const USAGE: &str = "usage: fssc-seed [--users 5000] [--orgs 200] [--requests 200000] [--years 2]\n\
    Seeds the database named by DATABASE_URL (default sqlite://data/bench.db).";
