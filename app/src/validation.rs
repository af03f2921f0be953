//! Input rules shared by the browser (to guide the user) and the server (to enforce them).

use crate::error::{AppError, Field, FieldError, Problem};
use serde::{Deserialize, Serialize};

/// An email address, trimmed and lower-cased so that one person has one account.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    pub const MAX_LEN: usize = 254;

    pub fn parse(raw: &str) -> Result<Email, FieldError> {
        let value = raw.trim().to_lowercase();
        let problem = if value.is_empty() {
            Some(Problem::Required)
        } else if value.chars().count() > Self::MAX_LEN {
            Some(Problem::TooLong { max: Self::MAX_LEN as u32 })
        } else if !looks_like_email(&value) {
            Some(Problem::InvalidEmail)
        } else {
            None
        };
        match problem {
            Some(problem) => Err(FieldError { field: Field::Email, problem }),
            None => Ok(Email(value)),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// An address mail servers will take: RFC 5322 syntax as checked by `email_address`, a bare
/// address (no display name, no IP literal, no quoted local part), a domain with at least two
/// labels, and ASCII only, since not every relay accepts internationalised addresses.
fn looks_like_email(value: &str) -> bool {
    let options = email_address::Options {
        minimum_sub_domains: 2,
        allow_domain_literal: false,
        allow_display_text: false,
    };
    value.is_ascii()
        && !value.contains(['"', '\\', '(', ')', '<', '>', '[', ']', ',', ';', ' '])
        && email_address::EmailAddress::parse_with_options(value, options).is_ok()
}

/// Checks a single-line text: required, at most `max` characters (not bytes: Chinese text is
/// three bytes a character), and free of control characters.
pub fn single_line(field: Field, raw: &str, max: usize) -> Result<String, FieldError> {
    let value = raw.trim();
    let problem = if value.is_empty() {
        Some(Problem::Required)
    } else if value.chars().count() > max {
        Some(Problem::TooLong { max: max as u32 })
    } else if value.chars().any(char::is_control) {
        Some(Problem::ControlCharacters)
    } else {
        None
    };
    match problem {
        Some(problem) => Err(FieldError { field, problem }),
        None => Ok(value.to_string()),
    }
}

/// Checks a multi-line text: optional unless `required`, at most `max` characters; line
/// breaks and tabs are allowed, other control characters are not.
pub fn multi_line(
    field: Field,
    raw: &str,
    max: usize,
    required: bool,
) -> Result<String, FieldError> {
    let value = raw.trim().replace("\r\n", "\n");
    let problem = if required && value.is_empty() {
        Some(Problem::Required)
    } else if value.chars().count() > max {
        Some(Problem::TooLong { max: max as u32 })
    } else if value.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        Some(Problem::ControlCharacters)
    } else {
        None
    };
    match problem {
        Some(problem) => Err(FieldError { field, problem }),
        None => Ok(value),
    }
}

pub const PASSWORD_MIN: usize = 10;
pub const PASSWORD_MAX: usize = 128;

/// A new password: long enough to resist guessing, short enough to hash cheaply.
pub fn new_password(field: Field, raw: &str) -> Result<String, FieldError> {
    let len = raw.chars().count();
    let problem = if raw.is_empty() {
        Some(Problem::Required)
    } else if len < PASSWORD_MIN {
        Some(Problem::TooShort { min: PASSWORD_MIN as u32 })
    } else if len > PASSWORD_MAX {
        Some(Problem::TooLong { max: PASSWORD_MAX as u32 })
    } else {
        None
    };
    match problem {
        Some(problem) => Err(FieldError { field, problem }),
        None => Ok(raw.to_string()),
    }
}

/// Collects the field errors of a whole form, so the user sees all of them at once.
#[derive(Default)]
pub struct Checks(Vec<FieldError>);

impl Checks {
    pub fn check<T>(&mut self, result: Result<T, FieldError>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                self.0.push(error);
                None
            }
        }
    }

    pub fn push(&mut self, error: FieldError) {
        self.0.push(error);
    }

    pub fn finish(self) -> Result<(), AppError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(AppError::Invalid(self.0))
        }
    }
}

/// The longest form key a browser may choose.
pub const IDEMPOTENCY_KEY_MAX: usize = 64;

/// A new-request form's key, as the browser chose it: it makes a retried submit one request,
/// and names the policy suggestions the form showed. Anything else is no form of this portal.
pub fn form_key(raw: &str) -> Result<&str, AppError> {
    let key = raw.trim();
    if key.is_empty() || key.len() > IDEMPOTENCY_KEY_MAX || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(AppError::Malformed);
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(Email::parse("  Li.Na@Example.COM ").unwrap().as_str(), "li.na@example.com");
        assert_eq!(Email::parse("").unwrap_err().problem, Problem::Required);
        for bad in [
            "no-at-sign", "a@b", "a@@b.cn", "a b@c.cn", "@c.cn", "a@.cn",
            // Markup, display names, quoting, IP literals and lookalikes no relay should see.
            "<img/src=x/onerror=alert(1)>@example.com", "Li Na <li@example.com>", "\"li na\"@example.com",
            "li@[127.0.0.1]", "li@example..com", "li.@example.com", "li@-example.com", "李娜@example.com",
        ] {
            assert_eq!(Email::parse(bad).unwrap_err().problem, Problem::InvalidEmail, "{bad}");
        }
        for good in ["li.na+fssc@example.com", "o'brien@sub.example.co.uk", "a_b-c@x-y.cn"] {
            assert!(Email::parse(good).is_ok(), "{good}");
        }
    }

    #[test]
    fn single_line_counts_characters_not_bytes() {
        let chinese = "报".repeat(200);
        assert!(single_line(Field::Title, &chinese, 200).is_ok());
        let too_long = "报".repeat(201);
        assert_eq!(
            single_line(Field::Title, &too_long, 200).unwrap_err().problem,
            Problem::TooLong { max: 200 }
        );
        assert_eq!(single_line(Field::Title, "   ", 200).unwrap_err().problem, Problem::Required);
        assert_eq!(
            single_line(Field::Title, "a\u{0}b", 200).unwrap_err().problem,
            Problem::ControlCharacters
        );
    }

    #[test]
    fn multi_line_keeps_line_breaks() {
        assert_eq!(multi_line(Field::Description, "a\r\nb", 10, false).unwrap(), "a\nb");
        assert!(multi_line(Field::Description, "", 10, false).is_ok());
        assert!(multi_line(Field::Description, "", 10, true).is_err());
    }

    #[test]
    fn passwords_have_a_minimum_length() {
        assert!(new_password(Field::NewPassword, "short").is_err());
        assert!(new_password(Field::NewPassword, "long enough pass").is_ok());
    }
}
