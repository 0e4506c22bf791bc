use super::*;

fn valid_json() -> &'static str {
    r#"{
        "//": "a comment",
        "own": {"addresses": ["support@example.com"], "domains": ["help.example.com"]},
        "rules": [
            {"name": "vip", "match": {"sender": ["*@vip.example"]}, "then": {"priority": "High"}}
        ],
        "default": {"project": "SUP", "issue_type": "Task"}
    }"#
}

fn errors(json: &str) -> Vec<String> {
    let profile = Profile::from_json(json).unwrap();
    match profile.check() {
        Ok(_) => Vec::new(),
        Err(e) => e.0.iter().map(ToString::to_string).collect(),
    }
}

#[test]
fn a_valid_profile_checks_and_rules_inherit_the_default() {
    let checked = Profile::from_json(valid_json()).unwrap().check().unwrap();
    let rule = &checked.rules[0];
    assert_eq!(rule.name, "vip");
    assert_eq!(rule.then.project.as_deref(), Some("SUP"));
    assert_eq!(rule.then.priority.as_deref(), Some("High"));
}

#[test]
fn every_error_is_reported_with_its_json_path() {
    let got = errors(
        r#"{
        "own": {"addresses": ["not an address"], "domains": ["a@b"]},
        "rules": [
            {"match": {}},
            {"name": "x", "match": {"subject": "(unclosed", "sender": ["re:["],
              "classification": ["robot"], "authenticity": "maybe",
              "headers": {"X-Prio": "*"}}},
            {"name": "x"}
        ],
        "default": {"project": "lower", "issue_type": "Task"},
        "directives": {"allowed_senders": [""], "aliases": {"p": "nonsense"}},
        "threading": {"order": ["subject", "subject", "foreign_key"], "key_pattern": "("},
        "thresholds": {"flood_max_per_sender": 5}
    }"#,
    );
    let paths: Vec<&str> = got.iter().map(|e| e.split(':').next().unwrap()).collect();
    for want in [
        "own.addresses[0]",
        "own.domains[0]",
        "rules[1].match.sender[0]",
        "rules[1].match.subject",
        "rules[1].match.headers.X-Prio",
        "rules[1].match.classification[0]",
        "rules[1].match.authenticity",
        "rules[2].name",
        "default.project",
        "directives.allowed_senders[0]",
        "directives.aliases.p",
        "threading.order[1]",
        "threading.key_pattern",
        "thresholds",
    ] {
        assert!(paths.contains(&want), "no error at {want} in {got:#?}");
    }
    assert!(
        got.iter()
            .any(|e| e.starts_with("rules[1].match.subject: invalid regex: "))
    );
}

#[test]
fn processing_without_a_project_is_an_error_at_the_rule_and_the_default() {
    let got = errors(r#"{"own": {"domains": ["x.example"]}, "rules": [{"match": {}}]}"#);
    assert!(
        got.iter()
            .any(|e| e.starts_with("rules[0].then.project: required"))
    );
    assert!(
        got.iter()
            .any(|e| e.starts_with("default.project: required"))
    );
    assert!(
        got.iter()
            .any(|e| e.starts_with("default.issue_type: required"))
    );
}

#[test]
fn a_profile_needs_own_addresses_unless_it_accepts_any_recipient() {
    let got = errors(r#"{"default": {"action": "ignore"}}"#);
    assert_eq!(
        got,
        ["own: list at least one address or domain that is postroom's own"]
    );
    assert!(Profile::builtin().check().is_ok());
}

#[test]
fn type_errors_and_unknown_keys_name_the_json_path() {
    let err = Profile::from_json(r#"{"rules": [{"match": {"sender": "x"}}]}"#).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("profile JSON at rules[0].match.sender: "),
        "{err}"
    );
    let err = Profile::from_json(r#"{"own": {"adresses": []}}"#).unwrap_err();
    assert!(
        err.to_string().contains("unknown field `adresses`"),
        "{err}"
    );
    assert!(Profile::from_json("").is_err());
}

#[test]
fn toml_reads_the_same_schema() {
    let toml = r#"
        # a comment
        own.addresses = ["support@example.com"]
        own.domains = ["help.example.com"]
        default = { project = "SUP", issue_type = "Task" }
        [[rules]]
        name = "vip"
        match.sender = ["*@vip.example"]
        then.priority = "High"
    "#;
    let from_toml = Profile::from_text(toml).unwrap();
    let mut from_json = Profile::from_text(valid_json()).unwrap();
    from_json.comment = None;
    assert_eq!(from_toml, from_json);
    assert!(matches!(
        Profile::from_toml("rules = 3"),
        Err(ProfileError::Toml(_))
    ));
}

#[test]
fn the_shipped_examples_are_valid_and_agree() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/");
    let json = std::fs::read_to_string(format!("{root}profile.json")).unwrap();
    let toml = std::fs::read_to_string(format!("{root}profile.toml")).unwrap();
    let json = Profile::from_text(&json).unwrap();
    let toml = Profile::from_text(&toml).unwrap();
    let strip = |p: &Profile| {
        p.rules
            .iter()
            .map(|r| (r.name.clone(), r.matches.clone(), r.then.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(strip(&json), strip(&toml));
    let mut directives = json.directives.clone();
    directives.comment = None;
    assert_eq!(directives, toml.directives);
    let mut default = json.default.clone();
    default.comment = None;
    assert_eq!(default, toml.default);
    json.check().unwrap();
}

#[test]
fn internal_strangers_need_a_comment_visibility_wherever_a_reply_can_comment() {
    let internal = |default: &str, rules: &str| {
        errors(&format!(
            r#"{{"own": {{"addresses": ["support@example.com"]}},
                "people": {{"strangers": "internal"}},
                "rules": {rules},
                "default": {{"project": "SUP", "issue_type": "Task"{default}}}}}"#
        ))
    };
    let got = internal(
        "",
        r#"[{"match": {}}, {"match": {}, "then": {"action": "ignore"}}]"#,
    );
    let paths: Vec<&str> = got.iter().map(|e| e.split(':').next().unwrap()).collect();
    assert_eq!(
        paths,
        [
            "rules[0].then.comment_visibility",
            "default.comment_visibility"
        ],
        "{got:#?}"
    );
    assert!(
        internal(
            r#", "comment_visibility": "Service Desk Team""#,
            r#"[{"match": {}}]"#
        )
        .is_empty()
    );
    let lenient = r#"{"own": {"addresses": ["support@example.com"]},
        "people": {"strangers": "comment"}, "default": {"project": "SUP", "issue_type": "Task"}}"#;
    assert!(errors(lenient).is_empty(), "only internal needs it");
}
