use super::*;

#[test]
fn the_same_address_gets_the_same_placeholder_in_any_case() {
    let mut p = Placeholders::default();
    assert_eq!(p.address("ann@customer.example"), "person1@example.invalid");
    assert_eq!(p.address("bob@customer.example"), "person2@example.invalid");
    assert_eq!(
        p.address(" Ann@Customer.Example "),
        "person1@example.invalid"
    );
}

#[test]
fn text_loses_addresses_and_known_names() {
    let mut p = Placeholders::default();
    assert_eq!(p.name("Ann Lee"), "Person 1");
    let out =
        p.text("From Ann Lee <ann@customer.example>: see bob@x.example, ann@customer.example");
    assert_eq!(
        out,
        "From Person 1 <person1@example.invalid>: see person2@example.invalid, person1@example.invalid"
    );
    assert_eq!(p.text(""), "");
    assert_eq!(p.text("no address @ here"), "no address @ here");
}

#[test]
fn a_mail_is_scrubbed_in_headers_and_body() {
    let raw = b"From: =?utf-8?q?J=C3=BCrgen_M=C3=BCller?= <jm@customer.example>\r\n\
To: Support <support@example.com>,\r\n carl@elsewhere.example\r\n\
Subject: printer\r\nMessage-ID: <m1@customer.example>\r\n\r\n\
Hello,\r\nJ\xc3\xbcrgen M\xc3\xbcller, jm@customer.example\r\n\xff\r\n";
    let mut p = Placeholders::default();
    let out = p.mail(raw);
    let text = String::from_utf8_lossy(&out);
    assert!(
        text.starts_with("From: Person 1 <person1@example.invalid>\r\n"),
        "{text}"
    );
    assert!(
        text.contains("To: Person 2 <person2@example.invalid>, person3@example.invalid\r\n"),
        "{text}"
    );
    assert!(text.contains("Subject: printer\r\n"), "{text}");
    assert!(
        text.contains("\r\n\r\nHello,\r\nPerson 1, person1@example.invalid\r\n"),
        "{text}"
    );
    for gone in ["customer.example", "example.com", "M\u{fc}ller", "carl@"] {
        assert!(!text.contains(gone), "{gone} in {text}");
    }
    assert!(
        out.ends_with(b"\xff\r\n"),
        "bytes that are not UTF-8 are kept"
    );
}

#[test]
fn a_mail_without_a_body_or_with_bare_newlines_is_scrubbed() {
    let mut p = Placeholders::default();
    assert_eq!(p.mail(b""), b"");
    let out = p.mail(b"From: a@b.example\nSubject: x\n");
    assert_eq!(out, b"From: person1@example.invalid\nSubject: x\n");
    let out = p.mail(b"Cc: undisclosed-recipients:;\n\nbody a@b.example\n");
    assert!(String::from_utf8_lossy(&out).ends_with("\n\nbody person1@example.invalid\n"));
}

#[test]
fn json_strings_and_keys_are_scrubbed() {
    let mut p = Placeholders::default();
    p.name("Ann Lee");
    let mut value = serde_json::json!({
        "from": "ann@customer.example",
        "lines": ["Ann Lee wrote", 3],
        "ann@customer.example": null
    });
    p.json(&mut value);
    assert_eq!(value["from"], "person1@example.invalid");
    assert_eq!(value["lines"][0], "Person 1 wrote");
    assert!(value.get("ann@customer.example").is_none());
    assert!(value.get("person1@example.invalid").is_some());
}
