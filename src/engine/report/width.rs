//! How wide a text shows in a fixed-width grid (a terminal, a spreadsheet
//! column): CJK and full-width characters take two columns, others one.

/// Columns a text takes: 2 for CJK and full-width characters, else 1.
pub fn display_width(s: &str) -> usize {
    s.chars().map(|c| if is_wide(c) { 2 } else { 1 }).sum()
}

/// Whether `c` is a CJK or full-width character (two columns wide).
fn is_wide(c: char) -> bool {
    matches!(c, '\u{1100}'..='\u{115F}' | '\u{2E80}'..='\u{A4CF}' | '\u{AC00}'..='\u{D7A3}' | '\u{F900}'..='\u{FAFF}'
        | '\u{FE30}'..='\u{FE4F}' | '\u{FF00}'..='\u{FF60}' | '\u{FFE0}'..='\u{FFE6}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cjk_counts_double() {
        assert_eq!(display_width(""), 0);
        assert_eq!(display_width("C001"), 4);
        assert_eq!(display_width("客户ID"), 6);
        assert_eq!(display_width("ＡＢ，"), 6);
    }
}
