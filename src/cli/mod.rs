//! The `custlens` command: the engine on the command line, one subcommand
//! per module file. Errors become a message naming the file, row and column,
//! and a non-zero exit code.

// First: its `say!` macro is used by the subcommands below.
#[macro_use]
mod output;

mod activity;
mod channels;
mod clean;
mod cohorts;
mod compare;
mod crosstab;
mod disclosure;
mod funnel;
mod input;
mod keygen;
mod mask;
mod pareto;
mod profile;
mod profiles;
mod rfm;
mod sample;
mod satisfaction;
mod tags;
mod unify;
mod vault;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// CustLens (客镜): customer-data analysis, the same engine as the browser app.
#[derive(Parser, Debug)]
#[command(name = "custlens", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// RFM scores and segments per customer from an orders file.
    Rfm(Box<rfm::Args>),
    /// Revenue concentration from an orders file: top-20 % share, customers for 80 %, Gini, curve.
    Pareto(pareto::Args),
    /// Cross-tab of two columns with Pearson's chi-square test of independence.
    Crosstab(crosstab::Args),
    /// Distribution of columns: counts by value, or numeric summary, histogram and age bands.
    Profile(profile::Args),
    /// Customer profiles: shares by age band, gender, region, city tier, level, channel, device…; numeric summaries; active hours.
    Profiles(profiles::Args),
    /// Cohorts by first purchase from an orders file: retention matrix, repurchase, monthly churn.
    Cohorts(cohorts::Args),
    /// Satisfaction from surveys (CSAT, NPS, CES by month) and tickets (types, resolution, SLA).
    Satisfaction(satisfaction::Args),
    /// Funnel of event steps within a window: conversion, drop-off, time per step, who dropped.
    Funnel(funnel::Args),
    /// Activity classes from events (active, regular, silent, churned) and their monthly trend.
    Activity(activity::Args),
    /// Channels: uv, clicks, orders, cost, CTR, conversion, revenue, ROI, CAC; attribution from touchpoints.
    Channels(channels::Args),
    /// Rule-based customer tags over the unified customers: coverage, overlap, each customer's tags.
    Tags(tags::Args),
    /// Clean a table by a recipe: clean rows, rows set aside, change log, quality report.
    Clean(clean::Args),
    /// Join several sources into one customer table (identity resolution, orphans, merges).
    Unify(unify::Args),
    /// Write the deterministic sample data (orders, and optionally customers).
    Sample(sample::Args),
    /// Mask personal columns (names, phones, ID numbers, e-mails, cards, addresses) or replace them by pseudonyms.
    Mask(mask::Args),
    /// Create a random 32-byte pseudonym key file.
    Keygen(keygen::Args),
    /// Encrypt or decrypt a file in the workspace container format.
    Vault(vault::Args),
    /// A metric month-on-month or year-on-year (by month or ISO week), or before/after a date with a t-test.
    Compare(compare::Args),
}

/// Runs the command line; the binary's `main` calls this.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Rfm(a) => rfm::run(*a),
        Command::Pareto(a) => pareto::run(a),
        Command::Crosstab(a) => crosstab::run(a),
        Command::Profile(a) => profile::run(a),
        Command::Profiles(a) => profiles::run(a),
        Command::Cohorts(a) => cohorts::run(a),
        Command::Satisfaction(a) => satisfaction::run(a),
        Command::Funnel(a) => funnel::run(a),
        Command::Activity(a) => activity::run(a),
        Command::Channels(a) => channels::run(a),
        Command::Tags(a) => tags::run(a),
        Command::Clean(a) => clean::run(a),
        Command::Unify(a) => unify::run(a),
        Command::Sample(a) => sample::run(a),
        Command::Mask(a) => mask::run(a),
        Command::Keygen(a) => keygen::run(a),
        Command::Vault(a) => vault::run(a),
        Command::Compare(a) => compare::run(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if let Some(io) = e.downcast_ref::<std::io::Error>() {
                if io.kind() == std::io::ErrorKind::BrokenPipe {
                    return ExitCode::SUCCESS;
                }
            }
            eprintln!("custlens: error: {e:#}");
            ExitCode::from(2)
        }
    }
}
