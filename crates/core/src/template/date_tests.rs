use super::*;

fn fmt(value: &str, format: &str) -> Result<String, DateError> {
    Stamp::parse(value)?.format(format)
}

#[test]
fn calendar_dates_follow_leap_year_rules() {
    assert!(CalendarDate::new(2024, 2, 29).is_ok());
    assert!(CalendarDate::new(2000, 2, 29).is_ok());
    assert!(CalendarDate::new(2023, 2, 29).is_err());
    assert!(CalendarDate::new(1900, 2, 29).is_err());
    assert!(CalendarDate::new(2026, 4, 31).is_err());
    assert!(CalendarDate::new(2026, 13, 1).is_err());
    assert!(CalendarDate::new(2026, 1, 0).is_err());
    assert!(CalendarDate::new(0, 1, 1).is_err());
    assert!(CalendarDate::new(10_000, 1, 1).is_err());
    assert_eq!(
        CalendarDate::new(2026, 11, 31).unwrap_err().to_string(),
        "no such calendar date: 2026-11-31"
    );
}

#[test]
fn parse_reads_only_iso_dates() {
    let date = CalendarDate::parse("2026-11-23").unwrap();
    assert_eq!((date.year(), date.month(), date.day()), (2026, 11, 23));
    assert_eq!(date.to_string(), "2026-11-23");
    for bad in [
        "",
        "2026-11-2",
        "2026/11/23",
        "26-11-2023",
        "2026-1a-23",
        "２０２６-11-23",
        "+026-11-23",
    ] {
        assert!(CalendarDate::parse(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn from_unix_seconds_applies_the_offset_and_handles_negatives() {
    let at = |secs, offset| {
        CalendarDate::from_unix_seconds(secs, offset)
            .unwrap()
            .to_string()
    };
    assert_eq!(at(0, 0), "1970-01-01");
    assert_eq!(at(-1, 0), "1969-12-31");
    // 2023-11-14T22:13:20Z
    assert_eq!(at(1_700_000_000, 0), "2023-11-14");
    assert_eq!(at(1_700_000_000, 3_600), "2023-11-14");
    assert_eq!(at(1_700_000_000, 7_200), "2023-11-15");
    assert_eq!(at(1_700_000_000, -23 * 3_600), "2023-11-13");
    assert_eq!(at(951_782_400, 0), "2000-02-29");
    assert!(CalendarDate::from_unix_seconds(i64::MAX, 0).is_err());
    assert!(CalendarDate::from_unix_seconds(i64::MIN, 0).is_err());
}

#[test]
fn weekdays_and_month_names() {
    assert_eq!(
        fmt("2026-11-23", "%A %a %B %b").unwrap(),
        "Monday Mon November Nov"
    );
    assert_eq!(fmt("2024-02-29", "%A").unwrap(), "Thursday");
    assert_eq!(fmt("2000-01-01", "%A").unwrap(), "Saturday");
    assert_eq!(fmt("1970-01-01", "%A").unwrap(), "Thursday");
    assert_eq!(fmt("1969-12-31", "%A").unwrap(), "Wednesday");
    assert_eq!(fmt("0001-01-01", "%A %Y").unwrap(), "Monday 0001");
}

#[test]
fn numeric_directives_pad_unless_told_not_to() {
    assert_eq!(fmt("2026-03-05", "%d.%m.%Y %y").unwrap(), "05.03.2026 26");
    assert_eq!(fmt("2026-03-05", "%-d/%-m").unwrap(), "5/3");
    assert_eq!(fmt("2026-03-05", "100%% on %d").unwrap(), "100% on 05");
    assert_eq!(fmt("2026-03-05", "no directives").unwrap(), "no directives");
    assert_eq!(fmt("2026-03-05", "").unwrap(), "");
}

#[test]
fn jira_date_times_keep_their_offset() {
    let jira = "2026-11-23T07:04:09.123+0100";
    assert_eq!(
        fmt(jira, "%Y-%m-%d %H:%M:%S %z").unwrap(),
        "2026-11-23 07:04:09 +0100"
    );
    assert_eq!(fmt(jira, "%-I:%M %p").unwrap(), "7:04 AM");
    assert_eq!(fmt("2026-11-23T00:30Z", "%I %p %z").unwrap(), "12 AM +0000");
    assert_eq!(
        fmt("2026-11-23T12:30:00-05:30", "%I %p %z").unwrap(),
        "12 PM -0530"
    );
    assert_eq!(
        fmt("2026-11-23 23:59:60+02", "%H:%M:%S %z").unwrap(),
        "23:59:60 +0200"
    );
    assert_eq!(fmt("2026-11-23T13:00", "%-H").unwrap(), "13");
    assert!(Stamp::parse("2026-11-23T13:00").unwrap().has_time());
    assert!(!Stamp::parse("2026-11-23").unwrap().has_time());
}

#[test]
fn malformed_times_are_refused() {
    for bad in [
        "2026-11-23T",
        "2026-11-23T7:04",
        "2026-11-23T24:00",
        "2026-11-23T10:60",
        "2026-11-23T10:00:61",
        "2026-11-23T10:00:00.",
        "2026-11-23T10:00:00.12a",
        "2026-11-23T10:00:00+1",
        "2026-11-23T10:00:00+24:00",
        "2026-11-23T10:00:00+01:60",
        "2026-11-23T10:00:00ZZ",
        "2026-11-23T10:00:00:00",
        "2026-11-23X10:00",
        "2026-11-23T10:00+aéb",
        "2026-11-23T10:00+é",
        "2026-11-23Té0:00",
        "2026-11-23T10:00:00.5é",
    ] {
        assert_eq!(Stamp::parse(bad), Err(DateError::NotADate), "{bad:?}");
    }
}

#[test]
fn format_errors_name_the_problem() {
    assert_eq!(
        fmt("2026-11-23", "%Q"),
        Err(DateError::UnknownDirective('Q'))
    );
    assert_eq!(fmt("2026-11-23", "%H:%M"), Err(DateError::NoTime('H')));
    assert_eq!(fmt("2026-11-23T10:00", "%z"), Err(DateError::NoOffset));
    assert_eq!(fmt("2026-11-23", "50%"), Err(DateError::TrailingPercent));
    assert_eq!(fmt("2026-11-23", "%-"), Err(DateError::TrailingPercent));
    assert!(fmt("2026-11-23", "%é").is_err());
}

proptest::proptest! {
    #[test]
    fn reading_and_formatting_never_panic(
        tail in "[0-9:+\\-TtZz. é]{0,16}",
        any in "\\PC{0,24}",
        format in "(%-?[a-zA-Z%é]|[a-z ]|%){0,8}",
    ) {
        for text in [format!("2026-11-23{tail}"), any] {
            if let Ok(stamp) = Stamp::parse(&text) {
                let _ = stamp.format(&format);
            }
        }
    }
}
