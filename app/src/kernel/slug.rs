//! A policy page's address: the one text value several capabilities name (request types link
//! to pages by it). Its problems are the kernel's own; `error` turns them into a field's.

use serde::{Deserialize, Serialize};

/// A page's address under `/policies/`: lower-case ASCII letters, digits and single hyphens,
/// so it survives any mail client, chat tool or printed link.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Slug(String);

impl Slug {
    pub const MAX_LEN: usize = 80;

    pub fn parse(text: &str) -> Result<Slug, SlugProblem> {
        let text = text.trim();
        if text.is_empty() {
            return Err(SlugProblem::Required);
        }
        if text.len() > Self::MAX_LEN {
            return Err(SlugProblem::TooLong { max: Self::MAX_LEN as u32 });
        }
        let allowed = text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !allowed || text.starts_with('-') || text.ends_with('-') || text.contains("--") {
            return Err(SlugProblem::Invalid);
        }
        Ok(Slug(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Slug {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why a text is no page address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SlugProblem {
    Required,
    TooLong { max: u32 },
    /// Not lower-case letters, digits and single hyphens.
    Invalid,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_plain_addresses() {
        assert_eq!(Slug::parse(" travel-2026 ").map(|s| s.0), Ok("travel-2026".into()));
        for bad in ["has space", "../etc", "UPPER", "a--b", "-a", "a-", "差旅", "a/b", "a.b"] {
            assert_eq!(Slug::parse(bad), Err(SlugProblem::Invalid), "{bad}");
        }
        assert_eq!(Slug::parse(""), Err(SlugProblem::Required));
        assert!(matches!(Slug::parse(&"a".repeat(81)), Err(SlugProblem::TooLong { .. })));
    }
}
