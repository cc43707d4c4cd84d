//! `custlens satisfaction`: CSAT, NPS and CES from a survey table (overall
//! and by month) and, from a ticket table, counts by type, resolution times
//! against the SLA and the ticket rating.

use super::input::{parse_maps_for, read_table};
use super::output::{display_width, pad, write_to};
use crate::engine::analyze::satisfaction::{
    survey_scores, ticket_summary, Satisfaction, SatisfactionParams, Scale, ScoreSummary,
};
use crate::engine::ingest::fields::SourceKind;
use anyhow::{anyhow, bail, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Arguments of `custlens satisfaction`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Survey answers: CSV (any encoding and delimiter) or Excel, with NPS / CSAT / CES columns.
    #[arg(long, required_unless_present = "tickets")]
    surveys: Option<PathBuf>,
    /// Service tickets: CSV or Excel, with type, resolution hours and satisfaction columns.
    #[arg(long)]
    tickets: Option<PathBuf>,
    /// Column for a survey field, overriding the automatic mapping: canonical=header
    /// (e.g. nps=推荐意愿). Repeatable.
    #[arg(long = "survey-map", value_name = "FIELD=HEADER")]
    survey_maps: Vec<String>,
    /// Column for a ticket field (e.g. resolution_hours=处理时长). Repeatable.
    #[arg(long = "ticket-map", value_name = "FIELD=HEADER")]
    ticket_maps: Vec<String>,
    /// A ticket resolved in at most this many hours meets the SLA.
    #[arg(long = "sla-hours", default_value_t = SatisfactionParams::default().sla_hours)]
    sla_hours: f64,
    /// Resolution-time histogram edges in hours (increasing; the last bin is open), e.g. 0,4,24,72.
    #[arg(long = "hours-edges", value_name = "E1,E2,…")]
    hours_edges: Option<String>,
    /// Print the result as one JSON object instead of a summary.
    #[arg(long)]
    json: bool,
}

/// Runs `custlens satisfaction`.
pub fn run(a: Args) -> Result<()> {
    if !(a.sla_hours.is_finite() && a.sla_hours >= 0.0) {
        bail!("--sla-hours {}: expected a number of hours ≥ 0", a.sla_hours);
    }
    let mut params = SatisfactionParams { sla_hours: a.sla_hours, ..SatisfactionParams::default() };
    if let Some(e) = &a.hours_edges {
        let parsed: Result<Vec<f64>, _> = e.split(',').map(|x| x.trim().parse::<f64>()).collect();
        params.resolution_edges_hours =
            parsed.map_err(|_| anyhow!("--hours-edges {e}: expected increasing numbers separated by commas"))?;
    }
    let mut result = Satisfaction::default();
    if let Some(path) = &a.surveys {
        let maps = parse_maps_for(SourceKind::Surveys, &a.survey_maps)?;
        let (probe, mapping, table) = read_table(path, Some(SourceKind::Surveys), &maps, None)?;
        let s = survey_scores(&table, &mapping).map_err(|e| anyhow!("{}: {e}", probe.file))?;
        eprintln!("{}: {} survey rows", probe.file, s.rows_in);
        result.surveys = Some(s);
    }
    if let Some(path) = &a.tickets {
        let maps = parse_maps_for(SourceKind::Tickets, &a.ticket_maps)?;
        let (probe, mapping, table) = read_table(path, Some(SourceKind::Tickets), &maps, None)?;
        let t = ticket_summary(&table, &mapping, &params).map_err(|e| anyhow!("{}: {e}", probe.file))?;
        eprintln!("{}: {} tickets", probe.file, t.rows_in);
        result.tickets = Some(t);
    }
    if a.json {
        let json = serde_json::to_string(&result)?;
        return write_to(Path::new("-"), |w| writeln!(w, "{json}"));
    }
    write_to(Path::new("-"), |w| print_summary(w, &result))
}

fn figure(s: &ScoreSummary, v: Option<f64>) -> String {
    match (s.scale, v) {
        (_, None) => "–".to_string(),
        (Scale::Csat, Some(x)) => format!("{:.1}%", x * 100.0),
        (Scale::Nps, Some(x)) => format!("{x:+.1}"),
        (Scale::Ces | Scale::Rating, Some(x)) => format!("{x:.2}"),
    }
}

fn print_score(w: &mut dyn Write, name: &str, s: &ScoreSummary) -> std::io::Result<()> {
    writeln!(
        w,
        "{name} ({}): {}  — {} answers, {} blank, {} invalid (excluded)",
        s.column,
        figure(s, s.value),
        s.answers,
        s.blank,
        s.invalid
    )?;
    let trend: Vec<String> = s.trend.iter().map(|m| format!("{} {}", m.month, figure(s, m.value))).collect();
    if !trend.is_empty() {
        writeln!(w, "  by month: {}", trend.join(", "))?;
    }
    Ok(())
}

fn print_summary(w: &mut dyn Write, r: &Satisfaction) -> std::io::Result<()> {
    if let Some(s) = &r.surveys {
        for (name, score) in [("CSAT", &s.csat), ("NPS", &s.nps), ("CES", &s.ces)] {
            if let Some(score) = score {
                print_score(w, name, score)?;
            }
        }
    }
    if let Some(t) = &r.tickets {
        writeln!(w, "tickets {}", t.rows_in)?;
        let width = t.types.iter().map(|v| display_width(&v.value)).max().unwrap_or(0);
        for v in &t.types {
            writeln!(w, "  {}  {:>7}  {:>5.1}%", pad(&v.value, width, false), v.count, v.share * 100.0)?;
        }
        if t.blank_type > 0 {
            writeln!(w, "  (no type: {})", t.blank_type)?;
        }
        if let Some(res) = &t.resolution {
            let h = |x: Option<f64>| x.map_or_else(|| "–".to_string(), |x| format!("{x:.1}"));
            writeln!(
                w,
                "resolution hours ({}): {} tickets, mean {}, median {}, p90 {}; within {} h: {}",
                res.column,
                res.count,
                h(res.mean),
                h(res.median),
                h(res.p90),
                res.sla_hours,
                res.within_sla_share.map_or_else(|| "–".to_string(), |x| format!("{:.1}%", x * 100.0))
            )?;
            for b in &res.histogram {
                writeln!(w, "  {}  {:>7}", pad(&b.label, 10, false), b.count)?;
            }
        }
        if let Some(s) = &t.satisfaction {
            print_score(w, "ticket rating", s)?;
        }
    }
    Ok(())
}
