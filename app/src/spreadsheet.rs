//! CSV for spreadsheets, as every download of the portal writes it: a UTF-8 byte order mark
//! (without it Excel shows Chinese as mojibake), CRLF lines, and cells a spreadsheet would run
//! as a formula kept as text.

/// One CSV cell, quoted when needed. A cell starting with `=`, `+`, `-`, `@`, a tab or a
/// carriage return gets a leading apostrophe, so `=HYPERLINK(...)` in a name stays text; a
/// plain negative amount such as `-80.00` is a number, not a formula, and stays one.
pub fn cell(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) && !is_negative_number(text) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if text.contains([',', '"', '\n', '\r']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text }
}

/// `-` followed by digits, with at most one decimal point between digits.
fn is_negative_number(text: &str) -> bool {
    let Some(rest) = text.strip_prefix('-') else { return false };
    let (whole, fraction) = rest.split_once('.').unwrap_or((rest, "0"));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    digits(whole) && digits(fraction)
}

/// A CSV document under construction.
pub struct Csv(String);

impl Default for Csv {
    fn default() -> Self {
        Csv(String::from("\u{feff}"))
    }
}

impl Csv {
    pub fn line<S: AsRef<str>>(&mut self, cells: &[S]) {
        self.0.push_str(&cells.iter().map(|c| cell(c.as_ref())).collect::<Vec<_>>().join(","));
        self.0.push_str("\r\n");
    }

    pub fn finish(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_stay_text_and_commas_are_quoted() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("+86 21"), "'+86 21");
        assert_eq!(cell("-5"), "-5", "a negative amount is a number");
        assert_eq!(cell("-80.00"), "-80.00");
        assert_eq!(cell("-5+A1"), "'-5+A1");
        assert_eq!(cell("-"), "'-");
        assert_eq!(cell("-.5"), "'-.5");
        assert_eq!(cell("-1.2.3"), "'-1.2.3");
        assert_eq!(cell("@SUM"), "'@SUM");
        assert_eq!(cell("\tx"), "'\tx");
        assert_eq!(cell("华东, 上海"), "\"华东, 上海\"");
        assert_eq!(cell("42"), "42");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        let mut csv = Csv::default();
        csv.line(&["a", "b"]);
        assert_eq!(csv.finish(), "\u{feff}a,b\r\n");
    }
}
