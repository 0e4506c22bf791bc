use std::path::Path;

use super::*;

fn load_text(text: &str, env: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let dir = tempfile::tempdir().map_err(|source| ConfigError::Read {
        path: PathBuf::from("tempdir"),
        source,
    })?;
    let path = dir.path().join("postroom.toml");
    std::fs::write(&path, text).map_err(|source| ConfigError::Read {
        path: path.clone(),
        source,
    })?;
    let env = env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned()));
    Config::load(&path, true, env).map_err(|e| relabel(e, &path))
}

/// Error texts name the temporary path; tests compare against `postroom.toml`.
fn relabel(error: ConfigError, path: &Path) -> ConfigError {
    let shown = path.display().to_string();
    match error {
        ConfigError::Syntax {
            file,
            line,
            message,
        } => ConfigError::Syntax {
            file: file.replace(&shown, "postroom.toml"),
            line,
            message,
        },
        ConfigError::Invalid {
            origin,
            key,
            message,
        } => ConfigError::Invalid {
            origin: origin.replace(&shown, "postroom.toml"),
            key,
            message,
        },
        other => other,
    }
}

#[test]
fn no_file_at_the_default_path_means_embedded_defaults() {
    let config = Config::load(Path::new("/nonexistent/postroom.toml"), false, Vec::new());
    let config = config.map_err(|e| e.to_string());
    assert_eq!(
        config.map(|c| c.storage.url),
        Ok("sqlite:./data/postroom.db".to_owned())
    );
}

#[test]
fn an_explicit_file_that_is_missing_is_an_error() {
    let result = Config::load(Path::new("/nonexistent/postroom.toml"), true, Vec::new());
    assert!(matches!(result, Err(ConfigError::Read { .. })));
}

#[test]
fn unsupported_database_scheme_names_file_line_and_key() {
    let text = "# comment\n\n[http]\naddr = \"127.0.0.1:9000\"\n\n[storage]\nurl = \"mysql://db/postroom\"\n";
    let error = load_text(text, &[]).map(|_| ()).map_err(|e| e.to_string());
    assert_eq!(
        error,
        Err(
            "postroom.toml:7: storage.url: unsupported scheme \"mysql\", expected sqlite: or postgres:"
                .to_owned()
        )
    );
}

#[test]
fn unknown_key_is_reported_with_its_line() {
    let text = "[storage]\nurl = \"sqlite:x.db\"\nbogus = 1\n";
    match load_text(text, &[]) {
        Err(ConfigError::Syntax { line, message, .. }) => {
            assert_eq!(line, 3);
            assert!(message.contains("bogus"), "{message}");
        }
        other => panic!("expected a syntax error, got {other:?}"),
    }
}

#[test]
fn wrong_type_is_reported_with_its_line() {
    let text = "[http]\naddr = 8080\n";
    assert!(matches!(
        load_text(text, &[]),
        Err(ConfigError::Syntax { line: 2, .. })
    ));
}

#[test]
fn environment_overrides_the_file_and_is_named_in_errors() {
    let text = "[storage]\nurl = \"sqlite:file.db\"\n";
    let config = load_text(text, &[("POSTROOM_STORAGE__URL", "postgres://h/db")]);
    assert_eq!(
        config.map(|c| c.storage.url).map_err(|e| e.to_string()),
        Ok("postgres://h/db".to_owned())
    );
    let error = load_text(text, &[("POSTROOM_STORAGE__URL", "mysql://h/db")])
        .map(|_| ())
        .map_err(|e| e.to_string());
    assert_eq!(
        error,
        Err("POSTROOM_STORAGE__URL: storage.url: unsupported scheme \"mysql\", expected sqlite: or postgres:".to_owned())
    );
}

#[test]
fn a_key_unset_by_default_is_read_from_the_environment_as_its_declared_type() {
    let config = load_text(
        "",
        &[
            ("POSTROOM_JIRA__REQUESTS_PER_SEC", "200"),
            ("POSTROOM_RETENTION__MAX_DAYS__REPORTS", "30"),
        ],
    )
    .unwrap();
    assert_eq!(config.jira.requests_per_sec, Some(200.0));
    assert_eq!(config.retention.max_days.reports, Some(30));
    let error = load_text("", &[("POSTROOM_JIRA__REQUESTS_PER_SEC", "fast")])
        .map(|_| ())
        .map_err(|e| e.to_string());
    assert!(
        error
            .as_ref()
            .is_err_and(|e| e.contains("POSTROOM_JIRA__REQUESTS_PER_SEC")),
        "{error:?}"
    );
}

#[test]
fn tooling_variables_without_a_section_separator_are_not_configuration() {
    let config = load_text(
        "",
        &[
            ("POSTROOM_TEST_PG", "postgres://x"),
            ("POSTROOM_SHARED_DIR", "/x"),
        ],
    );
    assert!(config.is_ok());
}

#[test]
fn unknown_section_in_the_environment_is_an_error() {
    let error = load_text("", &[("POSTROOM_NOPE__X", "1")]);
    assert!(
        matches!(error, Err(ConfigError::UnknownVariable { ref variable, .. }) if variable == "POSTROOM_NOPE__X")
    );
}

#[test]
fn secret_file_is_read_and_never_printed() {
    let dir = tempfile::tempdir().map_err(|e| e.to_string());
    let Ok(dir) = dir else {
        panic!("tempdir");
    };
    let token = dir.path().join("token");
    assert!(std::fs::write(&token, "s3cr3t\n").is_ok());
    let text = format!("[jira]\nurl = \"https://x.atlassian.net\"\ntoken_file = {token:?}\n");
    let config = load_text(&text, &[]).map_err(|e| e.to_string());
    let Ok(config) = config else {
        panic!("{config:?}");
    };
    assert_eq!(
        config.jira.token.as_ref().map(Secret::expose),
        Some("s3cr3t")
    );
    assert!(!format!("{config:?}").contains("s3cr3t"));
}

#[test]
fn missing_secret_file_names_the_key_and_line() {
    let text = "[jira]\nurl = \"https://x.atlassian.net\"\ntoken_file = \"/nonexistent/token\"\n";
    let error = load_text(text, &[]).map(|_| ()).map_err(|e| e.to_string());
    let Err(message) = error else {
        panic!("expected an error");
    };
    assert!(
        message.starts_with("postroom.toml:3: jira.token_file: cannot read /nonexistent/token"),
        "{message}"
    );
}

#[test]
fn starter_file_written_by_init_is_valid() {
    let config = load_text(crate::cli::init::STARTER, &[]);
    assert!(config.is_ok(), "{config:?}");
}

#[test]
fn starter_with_a_data_dir_keeps_the_local_state_there() {
    let text = crate::cli::init::starter(Some("/var/lib/postroom/"));
    let config = load_text(&text, &[]).expect("the starter with a data dir loads");
    assert_eq!(config.storage.url, "sqlite:/var/lib/postroom/postroom.db");
    assert_eq!(config.storage.data_dir, Path::new("/var/lib/postroom"));
    assert!(!text.contains("./data"), "{text}");
}

#[test]
fn key_settings_that_contradict_each_other_are_refused_with_their_place() {
    let both = "[keys]\nmaster_key = \"00\"\nmaster_key_file = \"/k\"\n";
    let error = load_text(both, &[]).map(|_| ()).map_err(|e| e.to_string());
    assert!(
        error
            .as_ref()
            .is_err_and(|e| e.starts_with("postroom.toml:3: keys.master_key_file:")),
        "{error:?}"
    );
    let previous_alone = load_text("", &[("POSTROOM_KEYS__PREVIOUS_MASTER_KEY", "00")])
        .map(|_| ())
        .map_err(|e| e.to_string());
    assert!(
        previous_alone.as_ref().is_err_and(
            |e| e.starts_with("POSTROOM_KEYS__PREVIOUS_MASTER_KEY: keys.previous_master_key:")
        ),
        "{previous_alone:?}"
    );
    let value = load_text("", &[("POSTROOM_KEYS__MASTER_KEY", "ab")]).unwrap();
    assert_eq!(
        value.keys.master_key.map(|k| k.expose().to_owned()),
        Some("ab".to_owned())
    );
}

#[test]
fn an_s3_section_needs_a_bucket_and_a_credentials_file() {
    let no_file = "[storage.s3]\nbucket = \"b\"\n";
    let error = load_text(no_file, &[])
        .map(|_| ())
        .map_err(|e| e.to_string());
    assert!(
        error
            .as_ref()
            .is_err_and(|e| e.contains("storage.s3.credentials_file")),
        "{error:?}"
    );
    let ok = "[storage.s3]\nbucket = \"b\"\ncredentials_file = \"/etc/s3\"\nendpoint = \"http://127.0.0.1:5055\"\n";
    let config = load_text(ok, &[]).unwrap();
    assert_eq!(config.storage.s3.map(|s| s.bucket), Some("b".to_owned()));
}

#[test]
fn kms_keys_need_a_region_and_a_credentials_file_and_take_the_inline_form() {
    for (text, key) in [
        (
            "[keys.kms]\ncredentials_file = \"/etc/kms\"\n",
            "keys.kms.region",
        ),
        (
            "[keys.kms]\nregion = \"eu-west-1\"\n",
            "keys.kms.credentials_file",
        ),
    ] {
        let error = load_text(text, &[]).map(|_| ()).map_err(|e| e.to_string());
        assert!(error.as_ref().is_err_and(|e| e.contains(key)), "{error:?}");
    }
    let inline = "[keys]\nkms = { region = \"eu-west-1\", credentials_file = \"/etc/kms\" }\n";
    let config = load_text(inline, &[]).unwrap();
    let kms = config.keys.kms.unwrap();
    assert_eq!(kms.region, "eu-west-1");
    assert_eq!(kms.endpoint, None);
}

#[test]
fn secrets_are_given_inline_or_read_from_files_and_a_missing_file_names_its_key() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("imap-billing");
    std::fs::write(&file, "from-file\n").unwrap();
    let text = format!(
        "[secrets]\nimap-support = \"inline\"\nimap-billing = {{ file = \"{}\" }}\n",
        file.display()
    );
    let config = load_text(&text, &[]).unwrap();
    let value = |name| config.secrets.get(name).map(|s| s.expose().to_owned());
    assert_eq!(value("imap-support").as_deref(), Some("inline"));
    assert_eq!(value("imap-billing").as_deref(), Some("from-file"));
    assert_eq!(value("imap-other"), None);
    assert!(!format!("{config:?}").contains("inline"), "never printed");

    let missing = "[secrets]\nimap-x = { file = \"/nonexistent/x\" }\n";
    let error = load_text(missing, &[])
        .map(|_| ())
        .map_err(|e| e.to_string());
    assert!(
        error
            .as_ref()
            .is_err_and(|e| e.contains("secrets.imap-x: cannot read /nonexistent/x")),
        "{error:?}"
    );
}

#[test]
fn trusted_relays_are_networks_from_the_file_or_a_comma_separated_variable() {
    let config = load_text(
        "[smtp]\ntrusted_relays = [\"192.0.2.7\", \"10.0.0.0/8\"]\n",
        &[],
    );
    let relays = config.unwrap().smtp.trusted_relays;
    assert_eq!(relays.len(), 2);
    assert!(relays[1].contains("10.9.8.7".parse().unwrap()));

    let env = [("POSTROOM_SMTP__TRUSTED_RELAYS", "127.0.0.4, ::1")];
    assert_eq!(load_text("", &env).unwrap().smtp.trusted_relays.len(), 2);

    let bad = load_text("[smtp]\ntrusted_relays = [\"mx.example\"]\n", &[]);
    let message = bad.unwrap_err().to_string();
    assert!(message.contains("mx.example"), "{message}");
}

#[test]
fn a_metrics_address_must_be_loopback() {
    let open = load_text("[http]\nmetrics_addr = \"0.0.0.0:9464\"\n", &[]);
    let message = open.unwrap_err().to_string();
    assert!(message.contains("http.metrics_addr"), "{message}");
    assert!(load_text("[http]\nmetrics_addr = \"127.0.0.1:9464\"\n", &[]).is_ok());
}
