//! The satisfaction figures, as the product defines them (DOMAIN.md, "CSAT"). Every page and
//! report that shows one of them computes it here, so that they cannot disagree.
//!
//! - **CSAT average**: the mean score of the ratings given.
//! - **% satisfied**: ratings of 4 or 5 ÷ all ratings.
//! - **Response rate**: ratings ÷ resolutions; a request reopened and resolved again counts
//!   two resolutions.
//! - **Low score**: a rating of 1 or 2.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Csat {
    pub ratings: i64,
    pub resolutions: i64,
    pub low_scores: i64,
    /// `None` without ratings: no figure is better than a zero.
    pub average: Option<f64>,
    pub satisfied_share: Option<f64>,
    pub response_rate: Option<f64>,
}

/// The figures of a period: the scores given in it and the resolutions that fell in it.
pub fn csat(scores: &[i64], resolutions: i64) -> Csat {
    let ratings = scores.len() as i64;
    let sum: i64 = scores.iter().sum();
    let satisfied = scores.iter().filter(|s| **s >= 4).count() as i64;
    let low_scores = scores.iter().filter(|s| **s <= 2).count() as i64;
    let share = |part: i64, whole: i64| (whole > 0).then(|| part as f64 / whole as f64);
    Csat {
        ratings,
        resolutions,
        low_scores,
        average: share(sum, ratings),
        satisfied_share: share(satisfied, ratings),
        // More ratings than resolutions cannot happen in one period's data; should a rating
        // fall just after its period's boundary, the rate is capped rather than shown above 100 %.
        response_rate: share(ratings.min(resolutions), resolutions),
    }
}

/// A share as a whole percentage, rounded half up, for display.
pub fn percent(share: f64) -> i64 {
    (share * 100.0 + 0.5).floor() as i64
}

/// An average to one decimal, for display.
pub fn one_decimal(value: f64) -> String {
    format!("{:.1}", (value * 10.0).round() / 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ten resolutions, eight rated: 5, 5, 4, 4, 4, 3, 2, 1.
    /// Average = 28 / 8 = 3.5; satisfied = 5 / 8 = 62.5 %; response rate = 8 / 10 = 80 %;
    /// low scores = 2.
    #[test]
    fn a_fixed_month_computed_by_hand() {
        let month = csat(&[5, 5, 4, 4, 4, 3, 2, 1], 10);
        assert_eq!(month.ratings, 8);
        assert_eq!(month.average, Some(3.5));
        assert_eq!(month.satisfied_share, Some(0.625));
        assert_eq!(month.response_rate, Some(0.8));
        assert_eq!(month.low_scores, 2);
        assert_eq!(percent(0.625), 63);
        assert_eq!(one_decimal(3.5), "3.5");
    }

    /// Three resolutions, one rated 2: average 2.0, nobody satisfied, a third responded.
    #[test]
    fn one_unhappy_rating() {
        let c = csat(&[2], 3);
        assert_eq!((c.average, c.satisfied_share, c.low_scores), (Some(2.0), Some(0.0), 1));
        assert_eq!(c.response_rate.map(percent), Some(33));
        assert_eq!(one_decimal(11.0 / 3.0), "3.7");
    }

    #[test]
    fn no_ratings_means_no_figures_rather_than_zeros() {
        let quiet = csat(&[], 4);
        assert_eq!((quiet.average, quiet.satisfied_share, quiet.response_rate), (None, None, Some(0.0)));
        let empty = csat(&[], 0);
        assert_eq!(empty.response_rate, None);
    }
}
