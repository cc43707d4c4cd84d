//! Cleaning again after an edit of the recipe: the standardise phase (the
//! costly one: every value of every standardised column) is kept and reused
//! while its steps, the mapping and the table stay the same, so editing a
//! row rule or a fill method re-runs only the row and fill phases.

use super::recipe::{Phase, Recipe, Step};
use super::run::{finish, standardise, Cleaned, Standardised};
use super::table::TextTable;
use crate::engine::ingest::fields::Mapping;
use xxhash_rust::xxh3::Xxh3;

/// Cleans a table again and again as its recipe changes, reusing the
/// standardise phase when the recipe's standardise steps, the mapping and
/// the table are those of the last run. Gives exactly what
/// [`super::run::clean`] gives.
#[derive(Debug, Default)]
pub struct Cleaner {
    cached: Option<(u128, Standardised)>,
    reused: bool,
}

impl Cleaner {
    /// Cleans `table` (mapped as `mapping`) with `recipe`.
    pub fn run(&mut self, table: &TextTable, mapping: &Mapping, recipe: &Recipe) -> Cleaned {
        let key = standardise_key(table, mapping, recipe);
        self.reused = self.cached.as_ref().is_some_and(|(k, _)| *k == key);
        let standardised = match &self.cached {
            Some((_, s)) if self.reused => s.clone(),
            _ => {
                let s = standardise(table, mapping, recipe);
                self.cached = Some((key, s.clone()));
                s
            }
        };
        finish(table, mapping, recipe, standardised)
    }

    /// Whether the last run reused the standardise phase of the run before.
    pub fn reused_standardise(&self) -> bool {
        self.reused
    }
}

/// What the standardise phase depends on: its steps (in order), the mapping
/// and the table.
fn standardise_key(table: &TextTable, mapping: &Mapping, recipe: &Recipe) -> u128 {
    let steps: Vec<&Step> = recipe.steps.iter().filter(|s| s.phase() == Phase::Standardise).collect();
    let mut h = Xxh3::new();
    // Serialising plain data cannot fail; an empty text would only make a cache miss less likely to be noticed.
    h.update(serde_json::to_string(&steps).unwrap_or_default().as_bytes());
    h.update(&[0xFF]);
    h.update(serde_json::to_string(mapping).unwrap_or_default().as_bytes());
    h.update(&[0xFF]);
    h.update(&table.content_hash().to_le_bytes());
    h.digest128()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::clean::recipe::{Action, Op, Step};
    use crate::engine::clean::run::clean;
    use crate::engine::ingest::fields::{auto_map, Field, SourceKind};

    #[test]
    fn row_rule_edits_reuse_the_standardise_phase() {
        let t = TextTable::from_rows(
            &["客户ID", "手机号", "年龄"],
            &[&["C1", "+86 138 0000 0001", "30"], &["C2", "12", ""], &["C3", "13800000003", "40"]],
        );
        let m = auto_map(SourceKind::Customers, &t.headers);
        let a = Recipe::default_for(SourceKind::Customers, &m);
        let mut b = a.clone();
        b.steps.push(Step::Rule {
            column: Field::Age.into(),
            op: Op::Gt,
            value: 35.0.into(),
            name: "over_35".into(),
            action: Action::SetAside,
        });
        let mut cleaner = Cleaner::default();
        assert_eq!(cleaner.run(&t, &m, &a), clean(&t, &m, &a));
        assert!(!cleaner.reused_standardise());
        assert_eq!(cleaner.run(&t, &m, &b), clean(&t, &m, &b));
        assert!(cleaner.reused_standardise());
        // A standardise step changed: done again.
        let mut c = b.clone();
        c.steps.retain(|s| !matches!(s, Step::Phones { .. }));
        assert_eq!(cleaner.run(&t, &m, &c), clean(&t, &m, &c));
        assert!(!cleaner.reused_standardise());
        // Another table with the same shape: done again.
        let t2 = TextTable::from_rows(&["客户ID", "手机号", "年龄"], &[&["C1", "13800000001", "30"]]);
        cleaner.run(&t2, &m, &c);
        assert!(!cleaner.reused_standardise());
    }
}
