//! PostgreSQL's own tools: `pg_dump` and `pg_restore` of the server's major version.
//!
//! A `pg_dump` older than the server refuses to dump it and a newer one writes archives an
//! older `pg_restore` cannot read, so only a tool of the server's major version is used:
//! Debian's `/usr/lib/postgresql/<major>/bin/` first, then the one on `PATH`.

use std::path::PathBuf;
use std::process::Stdio;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::process::Command;

use super::BackupError;
use super::frames::read_chunk;

/// A PostgreSQL client tool found on this machine.
#[derive(Debug, Clone)]
pub(crate) struct PgTool {
    path: PathBuf,
    /// As the tool reports it, e.g. `15.10`.
    pub version: String,
}

/// `tool` (`pg_dump` or `pg_restore`) of major version `major`, if installed.
pub(crate) async fn find(tool: &str, major: u32) -> Option<PgTool> {
    let candidates = [
        PathBuf::from(format!("/usr/lib/postgresql/{major}/bin/{tool}")),
        PathBuf::from(tool),
    ];
    for path in candidates {
        let Ok(output) = Command::new(&path).arg("--version").output().await else {
            continue;
        };
        let text = String::from_utf8_lossy(&output.stdout);
        // "pg_dump (PostgreSQL) 15.10 (Debian 15.10-0+deb12u1)"
        let Some(version) = text.split_whitespace().nth(2) else {
            continue;
        };
        if output.status.success() && major_of(version) == Some(major) {
            return Some(PgTool {
                path,
                version: version.to_owned(),
            });
        }
    }
    None
}

fn major_of(version: &str) -> Option<u32> {
    version.split(['.', 'b', 'r']).next()?.parse().ok()
}

/// Runs `pg_dump` in custom format and hands its output on in frame-sized pieces.
pub(crate) async fn dump<F, Fut>(tool: &PgTool, url: &str, mut each: F) -> Result<(), BackupError>
where
    F: FnMut(Vec<u8>) -> Fut,
    Fut: std::future::Future<Output = Result<(), BackupError>>,
{
    let mut child = Command::new(&tool.path)
        .args([
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            "--dbname",
        ])
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| failed("pg_dump", &e.to_string()))?;
    let mut stdout = child
        .stdout
        .take()
        .ok_or_else(|| failed("pg_dump", "no output pipe"))?;
    let stderr = child.stderr.take();
    let errors = tokio::spawn(read_all(stderr));
    loop {
        let chunk = read_chunk(&mut stdout)
            .await
            .map_err(|e| failed("pg_dump", &e.to_string()))?;
        if chunk.is_empty() {
            break;
        }
        each(chunk).await?;
    }
    let status = child
        .wait()
        .await
        .map_err(|e| failed("pg_dump", &e.to_string()))?;
    let message = errors.await.unwrap_or_default();
    if status.success() {
        Ok(())
    } else {
        Err(failed("pg_dump", &format!("{status}: {}", message.trim())))
    }
}

/// Runs `pg_restore` into `url`, feeding it the archive piece by piece from `next`.
pub(crate) async fn restore<F, Fut>(
    tool: &PgTool,
    url: &str,
    mut next: F,
) -> Result<(), BackupError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<Option<Vec<u8>>, BackupError>>,
{
    let mut child = Command::new(&tool.path)
        .args([
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            "--dbname",
        ])
        .arg(url)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| failed("pg_restore", &e.to_string()))?;
    let mut stdin = child
        .stdin
        .take()
        .ok_or_else(|| failed("pg_restore", "no input pipe"))?;
    let errors = tokio::spawn(read_all(child.stderr.take()));
    let fed = feed(&mut stdin, &mut next).await;
    drop(stdin);
    let status = child
        .wait()
        .await
        .map_err(|e| failed("pg_restore", &e.to_string()))?;
    let message = errors.await.unwrap_or_default();
    fed?;
    if status.success() {
        Ok(())
    } else {
        Err(failed(
            "pg_restore",
            &format!("{status}: {}", message.trim()),
        ))
    }
}

async fn feed<W, F, Fut>(stdin: &mut W, next: &mut F) -> Result<(), BackupError>
where
    W: AsyncWrite + Unpin,
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<Option<Vec<u8>>, BackupError>>,
{
    while let Some(chunk) = next().await? {
        stdin
            .write_all(&chunk)
            .await
            .map_err(|e| failed("pg_restore", &format!("it stopped reading: {e}")))?;
    }
    stdin
        .shutdown()
        .await
        .map_err(|e| failed("pg_restore", &e.to_string()))
}

async fn read_all<R: AsyncRead + Unpin>(input: Option<R>) -> String {
    let mut text = String::new();
    if let Some(mut input) = input {
        let _ = input.read_to_string(&mut text).await;
    }
    text
}

fn failed(tool: &str, message: &str) -> BackupError {
    BackupError::PgTool {
        tool: tool.to_owned(),
        message: message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::major_of;

    #[test]
    fn major_versions_are_read_from_what_the_tools_print() {
        assert_eq!(major_of("15.10"), Some(15));
        assert_eq!(major_of("17beta1"), Some(17));
        assert_eq!(major_of("16rc1"), Some(16));
        assert_eq!(major_of("x"), None);
    }
}
