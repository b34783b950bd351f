//! The integration tests, one binary (Typst is linked once): each module
//! tests one side of yusuan through its library API and its command line.

mod common;

mod batch;
mod browser;
mod cli;
mod directories;
mod golden;
mod layers;
mod layout;
mod ledger;
mod narrative;
mod profiles;
mod projects;
mod regions;
mod render;
mod rules;
mod serve;
mod shapes;
mod web;
mod workbook;
