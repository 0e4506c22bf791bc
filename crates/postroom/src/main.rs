//! `postroom`: the mail room of a Jira site, in one binary.

use std::process::ExitCode;

use clap::Parser;
use postroom::cli;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("postroom: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(cli::run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("postroom: {e:#}");
            ExitCode::FAILURE
        }
    }
}
