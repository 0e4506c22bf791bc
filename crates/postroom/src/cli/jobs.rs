//! `postroom jobs list [--dead] | show ID | retry ID`: the queue of the tenant in --tenant.
//!
//! Payloads are never printed (they may hold personal data); only their size.

use std::process::ExitCode;

use postroom_store::queue::JobRecord;

use super::Globals;
use crate::app;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: JobsCommand,
}

#[derive(Debug, clap::Subcommand)]
enum JobsCommand {
    /// List queued jobs (due, scheduled, leased) and dead ones, oldest first.
    List {
        /// Only dead jobs (failed permanently or too often).
        #[arg(long)]
        dead: bool,
        /// At most this many.
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
    /// Show one job with its last error.
    Show { id: i64 },
    /// Put a dead job back in the queue, due now, with a fresh attempt count.
    Retry { id: i64 },
}

pub async fn run(globals: &Globals, args: Args) -> anyhow::Result<ExitCode> {
    let config = app::load_config(globals)?;
    crate::telemetry::init(&config.log, globals.log_format);
    let store = app::open_store(&config).await?;
    let jobs = store
        .tenant(&app::tenant_id(&globals.tenant)?)
        .await?
        .jobs();
    match args.command {
        JobsCommand::List { dead, limit } => {
            println!("id\tkind\tstate\tattempts\trun_at_ms\tlast_error");
            for job in jobs.list(dead, limit).await? {
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    job.id,
                    job.kind,
                    job.state.as_str(),
                    job.attempts,
                    job.run_at_ms,
                    job.last_error.as_deref().unwrap_or("-")
                );
            }
        }
        JobsCommand::Show { id } => print!("{}", describe(&jobs.show(id).await?)),
        JobsCommand::Retry { id } => {
            jobs.retry(id, app::now_ms()).await?;
            println!("job {id} is queued again");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn describe(job: &JobRecord) -> String {
    format!(
        "id:              {}\nkind:            {}\nstate:           {}\nattempts:        {}\n\
         run at (ms):     {}\nleased until:    {}\ncreated (ms):    {}\n\
         idempotency key: {}\npayload:         {} bytes\nlast error:      {}\n",
        job.id,
        job.kind,
        job.state.as_str(),
        job.attempts,
        job.run_at_ms,
        job.locked_until_ms,
        job.created_at_ms,
        job.idempotency_key,
        job.payload_len,
        job.last_error.as_deref().unwrap_or("-"),
    )
}

#[cfg(test)]
mod tests {
    use postroom_store::queue::JobState;

    use super::*;

    #[test]
    fn a_job_is_described_without_its_payload() {
        let job = JobRecord {
            id: 7,
            kind: "mail.inbound".to_owned(),
            idempotency_key: "msg-1".to_owned(),
            state: JobState::Dead,
            attempts: 3,
            run_at_ms: 10,
            locked_until_ms: 0,
            last_error: Some("upstream 503".to_owned()),
            created_at_ms: 5,
            payload_len: 42,
        };
        let text = describe(&job);
        assert!(text.contains("state:           dead\n"));
        assert!(text.contains("payload:         42 bytes\n"));
        assert!(text.contains("last error:      upstream 503\n"));
    }
}
