//! The parsed value types of an item's fields (SPEC §2): once a value has its type it is valid.
//!
//! Each type has one `parse` constructor from text (or a number) returning the rule it broke;
//! callers add the field's name ([`super::FieldError`]). No I/O and no wire format here.

use chrono::{DateTime, Datelike, TimeZone, Utc};
use uuid::Uuid;

/// A UUID: item ids, project ids, parent and related ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectId(Uuid);

impl ObjectId {
    pub fn parse(text: &str) -> Result<Self, String> {
        // Only the hyphenated form: the one every response uses.
        if text.len() != 36 {
            return Err("must be a UUID such as 550e8400-e29b-41d4-a716-446655440000".into());
        }
        Uuid::try_parse(text)
            .map(ObjectId)
            .map_err(|_| "must be a UUID such as 550e8400-e29b-41d4-a716-446655440000".into())
    }

    /// A new time-ordered id (UUIDv7) for the given creation instant.
    pub fn new_v7(at: Timestamp) -> Self {
        let millis = at.0.timestamp_millis().max(0) as u64;
        let ts = uuid::Timestamp::from_unix(
            uuid::NoContext,
            millis / 1000,
            ((millis % 1000) * 1_000_000) as u32,
        );
        ObjectId(Uuid::new_v7(ts))
    }

    pub fn from_uuid(uuid: Uuid) -> Self {
        ObjectId(uuid)
    }

    pub fn as_uuid(&self) -> Uuid {
        self.0
    }
}

impl std::fmt::Display for ObjectId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

/// The status of a dial attempt: 1–100 characters after trimming, stored trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status(String);

impl Status {
    pub const MAX_CHARS: usize = 100;

    pub fn parse(text: &str) -> Result<Self, String> {
        let trimmed = text.trim();
        let chars = trimmed.chars().count();
        if chars == 0 || chars > Self::MAX_CHARS {
            return Err(format!(
                "must be 1 to {} characters after trimming",
                Self::MAX_CHARS
            ));
        }
        Ok(Status(trimmed.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Additional status information: at most 500 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusMessage(String);

impl StatusMessage {
    pub const MAX_CHARS: usize = 500;

    pub fn parse(text: &str) -> Result<Self, String> {
        if text.chars().count() > Self::MAX_CHARS {
            return Err(format!("must be at most {} characters", Self::MAX_CHARS));
        }
        Ok(StatusMessage(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A dialable phone number: optional `+`, digit groups separated by one space, `-` or `.`,
/// a group may sit in parentheses; 7–15 digits; at most 30 characters; stored trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    pub const MAX_CHARS: usize = 30;
    pub const RULE: &'static str = "must be a phone number such as +1 555-123-4567: an optional +, \
         digit groups separated by single spaces, '-', '.' or '()', 7 to 15 digits, at most 30 characters";

    pub fn parse(text: &str) -> Result<Self, String> {
        let trimmed = text.trim();
        if trimmed.chars().count() > Self::MAX_CHARS || !Self::is_well_formed(trimmed) {
            return Err(Self::RULE.into());
        }
        Ok(PhoneNumber(trimmed.to_string()))
    }

    fn is_well_formed(text: &str) -> bool {
        let body = text.strip_prefix('+').unwrap_or(text);
        let mut digits = 0;
        let mut in_parens = false;
        // What the previous character was: a digit, a separator, or an opening/closing paren.
        let mut previous: Option<char> = None;
        for c in body.chars() {
            match c {
                '0'..='9' => digits += 1,
                ' ' | '-' | '.' => {
                    if in_parens || !matches!(previous, Some('0'..='9') | Some(')')) {
                        return false;
                    }
                }
                '(' => {
                    if in_parens || previous == Some(')') {
                        return false;
                    }
                    in_parens = true;
                }
                ')' => {
                    if !in_parens || !matches!(previous, Some('0'..='9')) {
                        return false;
                    }
                    in_parens = false;
                }
                _ => return false,
            }
            previous = Some(c);
        }
        !in_parens && matches!(previous, Some('0'..='9') | Some(')')) && (7..=15).contains(&digits)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A whole number 0 … 2147483647 (durations in seconds, costs in cents).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct WholeNumber(i64);

impl WholeNumber {
    pub const MAX: i64 = 2_147_483_647;

    pub fn parse(number: i64) -> Result<Self, String> {
        Self::new(number).ok_or_else(Self::rule)
    }

    /// The rule, for any value that is not a whole number in range.
    pub fn rule() -> String {
        format!("must be a whole number from 0 to {}", Self::MAX)
    }

    pub fn new(number: i64) -> Option<Self> {
        (0..=Self::MAX)
            .contains(&number)
            .then_some(WholeNumber(number))
    }

    pub fn get(&self) -> i64 {
        self.0
    }
}

/// An instant, kept to the millisecond, in UTC. Input: RFC 3339 / ISO 8601 with an offset.
/// Output: `2026-11-27T18:24:15.123Z`, whose text order is its time order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(DateTime<Utc>);

impl Timestamp {
    pub fn parse(text: &str) -> Result<Self, String> {
        let date = DateTime::parse_from_rfc3339(text.trim())
            .map(|date| date.with_timezone(&Utc))
            .map_err(|_| {
                "must be an ISO 8601 date with a time zone, such as 2026-11-27T18:24:15.123Z"
                    .to_string()
            })?;
        // Only four-digit UTC years keep the stored text fixed-width (text order = time order).
        if !(1..=9999).contains(&date.year()) {
            return Err("must fall between the years 0001 and 9999 in UTC".into());
        }
        Ok(Self::from_datetime(date))
    }

    pub fn now() -> Self {
        Self::from_datetime(Utc::now())
    }

    /// This instant plus whole days (saturating far in the future).
    pub fn plus_days(self, days: u32) -> Self {
        Timestamp(self.0 + chrono::Duration::days(i64::from(days)))
    }

    /// Milliseconds since the Unix epoch.
    pub fn epoch_millis(self) -> i64 {
        self.0.timestamp_millis()
    }

    /// This instant moved by `millis` milliseconds (either way).
    pub fn plus_millis(self, millis: i64) -> Self {
        Timestamp(self.0 + chrono::Duration::milliseconds(millis))
    }

    fn from_datetime(date: DateTime<Utc>) -> Self {
        let millis = date.timestamp_millis();
        Timestamp(Utc.timestamp_millis_opt(millis).single().unwrap_or(date))
    }

    pub fn to_iso(&self) -> String {
        self.to_string()
    }
}

/// `2026-11-27T18:24:15.123Z`.
impl std::fmt::Display for Timestamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.format("%Y-%m-%dT%H:%M:%S%.3fZ").fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_ids_must_be_hyphenated_uuids() {
        assert!(ObjectId::parse("550e8400-e29b-41d4-a716-446655440000").is_ok());
        assert!(ObjectId::parse("550e8400e29b41d4a716446655440000").is_err());
        assert!(ObjectId::parse("not-a-uuid").is_err());
        assert!(ObjectId::parse("").is_err());
    }

    #[test]
    fn v7_ids_sort_by_creation_time() {
        let earlier = ObjectId::new_v7(Timestamp::parse("2026-01-01T00:00:00Z").unwrap());
        let later = ObjectId::new_v7(Timestamp::parse("2026-01-01T00:00:00.001Z").unwrap());
        assert!(earlier.to_string() < later.to_string());
    }

    #[test]
    fn a_status_is_trimmed() {
        assert_eq!(Status::parse("  Ringing ").unwrap().as_str(), "Ringing");
    }

    #[test]
    fn a_blank_status_is_rejected() {
        assert!(Status::parse("   ").is_err());
    }

    #[test]
    fn a_status_of_101_characters_is_rejected() {
        assert!(Status::parse(&"x".repeat(100)).is_ok());
        assert!(Status::parse(&"x".repeat(101)).is_err());
    }

    #[test]
    fn a_status_message_longer_than_500_characters_is_rejected() {
        assert!(StatusMessage::parse(&"é".repeat(500)).is_ok());
        assert!(StatusMessage::parse(&"é".repeat(501)).is_err());
    }

    #[test]
    fn well_formed_phone_numbers_are_accepted_as_given() {
        for number in [
            "+1 555-123-4567",
            "+15551234567",
            "(555) 123-4567",
            "555.123.4567",
            "+44 (20) 7946 0958",
            "1234567",
            "(555)123-4567",
        ] {
            let parsed = PhoneNumber::parse(number).unwrap_or_else(|e| panic!("{number}: {e}"));
            assert_eq!(parsed.as_str(), number);
        }
        assert_eq!(
            PhoneNumber::parse(" +15551234567 ").unwrap().as_str(),
            "+15551234567"
        );
    }

    #[test]
    fn malformed_phone_numbers_are_rejected() {
        for number in [
            "123456",             // 6 digits
            "1234567890123456",   // 16 digits
            "+1  555 1234567",    // double space
            "+1 555--1234567",    // double separator
            "-15551234567",       // leading separator
            "15551234567-",       // trailing separator
            "+1 (555 123-4567",   // unclosed paren
            "+1 555) 123-4567",   // stray paren
            "+1 ((555)) 1234567", // nested parens
            "++15551234567",
            "call 5551234567",
            "",
            "+",
        ] {
            assert!(
                PhoneNumber::parse(number).is_err(),
                "{number} should be rejected"
            );
        }
        // Well formed, but longer than 30 characters.
        assert!(PhoneNumber::parse("(12) (34) (56) (78) (90) (12) (3)").is_err());
        assert!(PhoneNumber::parse("1 2 3 4 5 6 7 8 9 1 2 3 4 5 6").is_ok());
    }

    #[test]
    fn whole_numbers_from_0_to_2147483647_are_accepted() {
        assert_eq!(WholeNumber::parse(0).unwrap().get(), 0);
        assert_eq!(WholeNumber::parse(100).unwrap().get(), 100);
        assert_eq!(
            WholeNumber::parse(2_147_483_647).unwrap().get(),
            2_147_483_647
        );
    }

    #[test]
    fn whole_numbers_out_of_range_are_rejected_with_the_range() {
        for number in [-1, 2_147_483_648, i64::MIN, i64::MAX] {
            let rule = WholeNumber::parse(number).unwrap_err();
            assert!(rule.contains("0 to 2147483647"), "{number}: {rule}");
        }
    }

    #[test]
    fn dates_are_read_with_an_offset_and_written_in_utc_millis() {
        let date = Timestamp::parse("2026-11-27T19:24:15.123456+01:00").unwrap();
        assert_eq!(date.to_iso(), "2026-11-27T18:24:15.123Z");
    }

    #[test]
    fn dates_outside_four_digit_utc_years_are_rejected() {
        assert!(Timestamp::parse("9999-12-31T23:30:00-01:00").is_err());
        assert!(Timestamp::parse("0000-01-01T00:00:00+01:00").is_err());
        assert!(Timestamp::parse("9999-12-31T23:59:59.999Z").is_ok());
        assert!(Timestamp::parse("0001-01-01T00:00:00Z").is_ok());
    }

    #[test]
    fn dates_without_an_offset_are_rejected() {
        assert!(Timestamp::parse("2026-11-27T18:24:15").is_err());
        assert!(Timestamp::parse("yesterday").is_err());
    }
}
