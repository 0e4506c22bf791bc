//! Dates for templates: the `today` value the caller hands in, and the parsing and
//! strftime-like formatting behind the `date` filter.
//!
//! Written here rather than taken from a date crate because templates need a small, fixed
//! subset: Jira sends dates as `2026-11-30` (due date) and date-times as
//! `2026-11-23T10:43:49.123+0000` (created, updated), and authors want a day, a month name,
//! a year, a weekday and a clock time. A time is shown in the UTC offset it carries:
//! converting it to a reader's zone needs a time-zone database, which core does not have.

use std::fmt::Write as _;

/// Why a date could not be read, built or formatted. Messages never quote the value, which
/// may be any field's text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    /// The value is not `YYYY-MM-DD`, optionally followed by a time and an offset.
    #[error(
        "the value is not an ISO 8601 date or date-time (e.g. 2026-11-30 or 2026-11-30T14:05:00+01:00)"
    )]
    NotADate,
    /// A year outside 1..=9999, a month outside 1..=12 or a day the month does not have.
    #[error("no such calendar date: {year:04}-{month:02}-{day:02}")]
    NoSuchDate {
        /// Year.
        year: i64,
        /// Month.
        month: u32,
        /// Day.
        day: u32,
    },
    /// A `%x` directive this formatter does not know.
    #[error(
        "unknown date format directive %{0} (known: %Y %y %m %d %B %b %A %a %H %I %M %S %p %z %%, with %-d style for no padding)"
    )]
    UnknownDirective(char),
    /// A time directive applied to a date without a time of day.
    #[error("date format directive %{0} needs a time of day, but the value is a date only")]
    NoTime(char),
    /// `%z` applied to a time without a UTC offset.
    #[error("date format directive %z needs a UTC offset, but the value has none")]
    NoOffset,
    /// The format string ends in `%` or `%-`.
    #[error("the date format string ends with an unfinished % directive")]
    TrailingPercent,
}

/// A calendar date (proleptic Gregorian, years 1 to 9999): the type of `today`, which the
/// caller computes in the reader's time zone because core reads no clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CalendarDate {
    year: i32,
    month: u8,
    day: u8,
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

impl CalendarDate {
    /// The date `year-month-day`, checked against the calendar.
    pub fn new(year: i64, month: u32, day: u32) -> Result<Self, DateError> {
        let invalid = DateError::NoSuchDate { year, month, day };
        if !(1..=9999).contains(&year) || !(1..=12).contains(&month) || day == 0 {
            return Err(invalid);
        }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let days_in_month = match month {
            2 if leap => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        if day > days_in_month {
            return Err(invalid);
        }
        Ok(Self {
            year: i32::try_from(year).map_err(|_| invalid.clone())?,
            month: u8::try_from(month).map_err(|_| invalid.clone())?,
            day: u8::try_from(day).map_err(|_| invalid)?,
        })
    }

    /// Reads `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Result<Self, DateError> {
        let bytes = text.as_bytes();
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return Err(DateError::NotADate);
        }
        let year = digits(&text[..4]).ok_or(DateError::NotADate)?;
        let month = digits(&text[5..7]).ok_or(DateError::NotADate)?;
        let day = digits(&text[8..]).ok_or(DateError::NotADate)?;
        Self::new(i64::from(year), month, day)
    }

    /// The date at `unix_seconds` in a zone `utc_offset_seconds` east of UTC, so that the
    /// engine can turn its clock's reading into the reader's `today`.
    pub fn from_unix_seconds(
        unix_seconds: i64,
        utc_offset_seconds: i32,
    ) -> Result<Self, DateError> {
        let local = unix_seconds.saturating_add(i64::from(utc_offset_seconds));
        let (year, month, day) = civil_from_days(local.div_euclid(86_400));
        Self::new(year, month, day)
    }

    /// The year.
    pub fn year(&self) -> i32 {
        self.year
    }

    /// The month, 1 to 12.
    pub fn month(&self) -> u8 {
        self.month
    }

    /// The day of the month, 1 to 31.
    pub fn day(&self) -> u8 {
        self.day
    }

    /// 0 for Monday to 6 for Sunday.
    fn weekday(&self) -> usize {
        let days = days_from_civil(i64::from(self.year), self.month.into(), self.day.into());
        // 1970-01-01 was a Thursday (index 3).
        usize::try_from((days + 3).rem_euclid(7)).unwrap_or(0)
    }
}

impl std::fmt::Display for CalendarDate {
    /// ISO 8601, `YYYY-MM-DD`: the form `today` has in a template.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// A parsed date or date-time, as the `date` filter reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stamp {
    date: CalendarDate,
    time: Option<ClockTime>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ClockTime {
    hour: u32,
    minute: u32,
    second: u32,
    /// Minutes east of UTC, when the value says.
    offset_minutes: Option<i32>,
}

impl Stamp {
    /// Reads `YYYY-MM-DD`, optionally followed by `T` or a space, `HH:MM`, optional `:SS`
    /// and fraction, and an optional `Z`, `±HH:MM`, `±HHMM` or `±HH`.
    pub(crate) fn parse(text: &str) -> Result<Self, DateError> {
        let text = text.trim();
        let date = CalendarDate::parse(text.get(..10).ok_or(DateError::NotADate)?)?;
        let rest = &text[10..];
        if rest.is_empty() {
            return Ok(Self { date, time: None });
        }
        let rest = rest
            .strip_prefix(['T', 't', ' '])
            .ok_or(DateError::NotADate)?;
        Ok(Self {
            date,
            time: Some(parse_time(rest)?),
        })
    }

    /// Formats with strftime-like directives (see [`DateError::UnknownDirective`]); `%-d`,
    /// `%-m`, `%-H`, `%-I` drop the leading zero.
    pub(crate) fn format(&self, format: &str) -> Result<String, DateError> {
        let mut out = String::with_capacity(format.len() + 16);
        let mut chars = format.chars();
        while let Some(c) = chars.next() {
            if c != '%' {
                out.push(c);
                continue;
            }
            let mut directive = chars.next().ok_or(DateError::TrailingPercent)?;
            let pad = directive != '-';
            if !pad {
                directive = chars.next().ok_or(DateError::TrailingPercent)?;
            }
            self.directive(directive, pad, &mut out)?;
        }
        Ok(out)
    }

    fn directive(&self, d: char, pad: bool, out: &mut String) -> Result<(), DateError> {
        let date = &self.date;
        let number = |out: &mut String, n: u32| {
            let _ = if pad {
                write!(out, "{n:02}")
            } else {
                write!(out, "{n}")
            };
        };
        let month_name = MONTHS[usize::from(date.month - 1)];
        let weekday_name = WEEKDAYS[date.weekday()];
        match d {
            'Y' => {
                let _ = write!(out, "{:04}", date.year);
            }
            'y' => number(out, date.year.unsigned_abs() % 100),
            'm' => number(out, date.month.into()),
            'd' => number(out, date.day.into()),
            'B' => out.push_str(month_name),
            'b' => out.push_str(&month_name[..3]),
            'A' => out.push_str(weekday_name),
            'a' => out.push_str(&weekday_name[..3]),
            '%' => out.push('%'),
            'H' | 'I' | 'M' | 'S' | 'p' | 'z' => {
                let time = self.time.ok_or(DateError::NoTime(d))?;
                match d {
                    'H' => number(out, time.hour),
                    'I' => number(out, (time.hour + 11) % 12 + 1),
                    'M' => number(out, time.minute),
                    'S' => number(out, time.second),
                    'p' => out.push_str(if time.hour < 12 { "AM" } else { "PM" }),
                    _ => {
                        let offset = time.offset_minutes.ok_or(DateError::NoOffset)?;
                        let sign = if offset < 0 { '-' } else { '+' };
                        let abs = offset.unsigned_abs();
                        let _ = write!(out, "{sign}{:02}{:02}", abs / 60, abs % 60);
                    }
                }
            }
            other => return Err(DateError::UnknownDirective(other)),
        }
        Ok(())
    }

    /// True when the value carries a time of day.
    pub(crate) fn has_time(&self) -> bool {
        self.time.is_some()
    }
}

fn parse_time(text: &str) -> Result<ClockTime, DateError> {
    let bad = || DateError::NotADate;
    let zone_at = text.find(['Z', 'z', '+', '-']).unwrap_or(text.len());
    let (clock, zone) = text.split_at(zone_at);
    let clock = match clock.split_once('.') {
        Some((whole, fraction))
            if !fraction.is_empty() && fraction.bytes().all(|b| b.is_ascii_digit()) =>
        {
            whole
        }
        Some(_) => return Err(bad()),
        None => clock,
    };
    let mut parts = clock.split(':');
    let hour = parts.next().and_then(two_digits).ok_or_else(bad)?;
    let minute = parts.next().and_then(two_digits).ok_or_else(bad)?;
    let second = match parts.next() {
        Some(s) => two_digits(s).ok_or_else(bad)?,
        None => 0,
    };
    if parts.next().is_some() || hour > 23 || minute > 59 || second > 60 {
        return Err(bad());
    }
    Ok(ClockTime {
        hour,
        minute,
        second,
        offset_minutes: parse_offset(zone)?,
    })
}

fn parse_offset(zone: &str) -> Result<Option<i32>, DateError> {
    let bad = || DateError::NotADate;
    let (sign, digits_part) = match zone.chars().next() {
        None => return Ok(None),
        Some('Z' | 'z') if zone.len() == 1 => return Ok(Some(0)),
        Some('+') => (1, &zone[1..]),
        Some('-') => (-1, &zone[1..]),
        Some(_) => return Err(bad()),
    };
    let compact = digits_part.replacen(':', "", 1);
    if !compact.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let (hours, minutes) = match compact.len() {
        2 => (two_digits(&compact), Some(0)),
        4 => (two_digits(&compact[..2]), two_digits(&compact[2..])),
        _ => return Err(bad()),
    };
    match (hours, minutes) {
        (Some(h), Some(m)) if h <= 23 && m <= 59 => {
            Ok(Some(sign * i32::try_from(h * 60 + m).map_err(|_| bad())?))
        }
        _ => Err(bad()),
    }
}

fn digits(text: &str) -> Option<u32> {
    if text.is_empty() || text.len() > 9 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn two_digits(text: &str) -> Option<u32> {
    if text.len() == 2 { digits(text) } else { None }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y.rem_euclid(400);
    let shifted_month = (month + 9) % 12;
    let day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The inverse of [`days_from_civil`].
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days.saturating_add(719_468);
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (
        year,
        u32::try_from(month).unwrap_or(0),
        u32::try_from(day).unwrap_or(0),
    )
}

#[cfg(test)]
#[path = "date_tests.rs"]
mod tests;
