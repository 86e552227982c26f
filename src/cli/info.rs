//! `list` and `explain`: what a run would do, and what an id means.

use crate::catalog::Catalog;
use crate::runner::plan::build_plan;

use super::args::ListArgs;
use super::{console, usage_error, EXIT_CERTIFIED};

pub(super) fn list(args: ListArgs) -> u8 {
    let catalog = match args.select.catalog() {
        Ok(c) => c,
        Err(e) => return usage_error(e),
    };
    match build_plan(&catalog, &args.select.selection()) {
        Ok(plan) => {
            print!("{}", console::render_list(&catalog, &plan));
            EXIT_CERTIFIED
        }
        Err(e) => usage_error(e),
    }
}

/// Prints the refusal coverage table (docs/coverage.md).
pub(super) fn print_coverage() -> u8 {
    match Catalog::builtin() {
        Ok(catalog) => {
            print!("{}", crate::catalog::coverage::render_markdown(&catalog));
            EXIT_CERTIFIED
        }
        Err(e) => usage_error(e),
    }
}

/// Prints the mutant table (docs/mutants.md).
pub(super) fn print_mutants() -> u8 {
    match Catalog::builtin() {
        Ok(catalog) => {
            print!("{}", crate::targets::mutants::render_markdown(&catalog));
            EXIT_CERTIFIED
        }
        Err(e) => usage_error(e),
    }
}

pub(super) fn explain(id: &str) -> u8 {
    let catalog = match Catalog::builtin() {
        Ok(c) => c,
        Err(e) => return usage_error(e),
    };
    match console::render_explain(&catalog, id) {
        Some(text) => {
            print!("{text}");
            EXIT_CERTIFIED
        }
        None => usage_error(format!(
            "no scenario, requirement, mutant or variant is called {id:?}"
        )),
    }
}
