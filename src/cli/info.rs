//! `list` and `explain`: what a run would do, and what an id means.

use serde_json::json;

use crate::catalog::profile::Profile;
use crate::catalog::Catalog;
use crate::runner::plan::{build_plan, PlannedScenario};

use super::args::{ListArgs, ListFormat};
use super::{console, emit, usage_error, EXIT_CERTIFIED};

pub(super) fn list(args: ListArgs) -> u8 {
    let catalog = match args.select.catalog() {
        Ok(c) => c,
        Err(e) => return usage_error(e),
    };
    let profile = match Profile::load(&args.profile) {
        Ok(p) => p,
        Err(e) => return usage_error(e),
    };
    match build_plan(&catalog, &args.select.selection()) {
        Ok(plan) => {
            match args.format {
                ListFormat::Text => emit(&console::render_list(&catalog, &profile, &plan)),
                ListFormat::Json => emit(&format!("{}\n", list_json(&catalog, &profile, &plan))),
            }
            EXIT_CERTIFIED
        }
        Err(e) => usage_error(e),
    }
}

/// `list --format json`: the profile and every planned scenario with its
/// requirements, levels and whether its suite is required to certify.
fn list_json(catalog: &Catalog, profile: &Profile, plan: &[PlannedScenario]) -> String {
    let required = &profile.certification.required_suites;
    let scenarios: Vec<serde_json::Value> = plan
        .iter()
        .map(|p| {
            let requirements: Vec<serde_json::Value> = p
                .requirements
                .iter()
                .map(|id| {
                    json!({
                        "id": id,
                        "level": catalog.requirement(id).map(|(_, r)| r.level.to_string()),
                    })
                })
                .collect();
            json!({
                "id": p.id,
                "suite": p.suite,
                "title": p.title,
                "requirements": requirements,
                "suite_required": required.contains(&p.suite),
            })
        })
        .collect();
    let document = json!({
        "profile": {
            "name": profile.name,
            "required_suites": required,
            "min_cases": profile.certification.min_cases,
        },
        "scenarios": scenarios,
    });
    serde_json::to_string_pretty(&document).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

/// Prints the refusal coverage table (docs/coverage.md).
pub(super) fn print_coverage() -> u8 {
    match Catalog::builtin() {
        Ok(catalog) => {
            emit(&crate::catalog::coverage::render_markdown(&catalog));
            EXIT_CERTIFIED
        }
        Err(e) => usage_error(e),
    }
}

/// Prints the mutant table (docs/mutants.md).
pub(super) fn print_mutants() -> u8 {
    match Catalog::builtin() {
        Ok(catalog) => {
            emit(&crate::targets::mutants::render_markdown(&catalog));
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
            emit(&text);
            EXIT_CERTIFIED
        }
        None => usage_error(format!(
            "no scenario, requirement, mutant or variant is called {id:?}"
        )),
    }
}
