//! `[backup]`: where `serve` keeps its scheduled backups, how often it makes one and how
//! many it keeps.

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// `[backup]`: encrypted snapshots of the database and the blob store (`postroom backup`).
/// `serve` makes one every `schedule` and keeps the newest `keep`; with several instances
/// on one database exactly one of them makes each. The master key and the key vault are
/// never part of a backup: keep them apart from it (docs/operations.md, "Backups").
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BackupConfig {
    /// Where backups go: a directory, or `s3://BUCKET/PREFIX`. Unset: `DATA_DIR/backups`,
    /// which is on the same disk as the data; name another disk or a bucket.
    pub to: Option<String>,
    /// How often `serve` makes a backup: `weekly`, `daily`, a duration such as `12h` or
    /// `3days`, or `off`.
    pub schedule: String,
    /// How many of the newest complete backups `serve` keeps at `to` after each one it
    /// makes; older ones are deleted.
    pub keep: u32,
    /// For an `s3://` target: the S3-compatible endpoint; unset: `[storage.s3] endpoint`
    /// (or AWS itself).
    pub s3_endpoint: Option<String>,
    /// For an `s3://` target: the bucket's region; unset: `[storage.s3] region`, else
    /// `us-east-1`.
    pub s3_region: Option<String>,
    /// For an `s3://` target: a file of `access_key_id = …` and `secret_access_key = …`
    /// lines (mode 0600); unset: `[storage.s3] credentials_file`.
    pub s3_credentials_file: Option<PathBuf>,
}

impl Default for BackupConfig {
    fn default() -> Self {
        Self {
            to: None,
            schedule: "weekly".to_owned(),
            keep: 8,
            s3_endpoint: None,
            s3_region: None,
            s3_credentials_file: None,
        }
    }
}

impl BackupConfig {
    /// The period between scheduled backups; `None` when `schedule = "off"`.
    pub fn period(&self) -> Result<Option<Duration>, String> {
        parse_schedule(&self.schedule)
    }

    pub(super) fn validate(&self) -> Result<(), (String, String)> {
        self.period()
            .map_err(|e| ("backup.schedule".to_owned(), e))?;
        if self.keep == 0 {
            return Err((
                "backup.keep".to_owned(),
                "must be at least 1 (set schedule = \"off\" to make none)".to_owned(),
            ));
        }
        if let Some(to) = &self.to
            && let Err(e) = Target::parse(to)
        {
            return Err(("backup.to".to_owned(), e));
        }
        Ok(())
    }
}

/// A backup target as written in `--to` or `[backup] to`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Directory(PathBuf),
    S3 { bucket: String, prefix: String },
}

impl Target {
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("is empty: name a directory or s3://BUCKET/PREFIX".to_owned());
        }
        match text.strip_prefix("s3://") {
            Some(rest) => {
                let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
                if bucket.is_empty() {
                    return Err(format!("{text:?} names no bucket (s3://BUCKET/PREFIX)"));
                }
                Ok(Target::S3 {
                    bucket: bucket.to_owned(),
                    prefix: prefix.trim_matches('/').to_owned(),
                })
            }
            None if text.contains("://") => Err(format!(
                "{text:?}: only a directory or s3://BUCKET/PREFIX is supported"
            )),
            None => Ok(Target::Directory(PathBuf::from(text))),
        }
    }
}

fn parse_schedule(text: &str) -> Result<Option<Duration>, String> {
    const HOUR: u64 = 3600;
    let period = match text.trim() {
        "off" => return Ok(None),
        "daily" => Duration::from_secs(24 * HOUR),
        "weekly" => Duration::from_secs(7 * 24 * HOUR),
        other => humantime::parse_duration(other).map_err(|e| {
            format!("{other:?} is not `weekly`, `daily`, `off` or a duration like 12h: {e}")
        })?,
    };
    if period < Duration::from_secs(HOUR) {
        return Err(format!(
            "{text:?} is shorter than an hour: each backup copies every blob"
        ));
    }
    Ok(Some(period))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules_are_named_periods_or_durations_of_an_hour_or_more() {
        let day = Duration::from_secs(86_400);
        assert_eq!(parse_schedule("weekly"), Ok(Some(day * 7)));
        assert_eq!(parse_schedule("daily"), Ok(Some(day)));
        assert_eq!(parse_schedule("3days"), Ok(Some(day * 3)));
        assert_eq!(parse_schedule("off"), Ok(None));
        for bad in ["", "monthly", "10m", "-1h"] {
            assert!(parse_schedule(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn targets_are_directories_or_s3_prefixes() {
        assert_eq!(
            Target::parse("/var/backups/postroom"),
            Ok(Target::Directory("/var/backups/postroom".into()))
        );
        assert_eq!(
            Target::parse("s3://bk/postroom/weekly/"),
            Ok(Target::S3 {
                bucket: "bk".into(),
                prefix: "postroom/weekly".into()
            })
        );
        assert_eq!(
            Target::parse("s3://bk"),
            Ok(Target::S3 {
                bucket: "bk".into(),
                prefix: String::new()
            })
        );
        for bad in ["", "s3://", "s3:///x", "https://example.com/x"] {
            assert!(Target::parse(bad).is_err(), "{bad}");
        }
    }
}
