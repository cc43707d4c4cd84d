//! Analyses over the unified customer data. Each module owns one analysis:
//! its parameters, its computation and its result types.

pub mod activity;
pub mod bins;
pub mod channels;
pub mod cohort;
pub mod compare;
pub mod crosstab;
pub mod customers;
pub mod distinct;
pub mod distribution;
pub mod filter;
pub mod funnel;
pub mod members;
pub mod migration;
pub mod pareto;
pub mod period;
pub mod profiles;
pub mod quantile;
pub mod rfm;
pub mod rows;
pub mod satisfaction;
pub mod segment;
pub mod suite;
pub mod tags;
