//! The deepest stanza and payload limits a profile may set are ones the
//! harness can drive: under a profile at `MAX_STANZA_DEPTH` and
//! `MAX_PAYLOAD_DEPTH` every frame of the stanza suite stays inside the
//! protobuf runtimes' recursion limit of 100 (docs/stanza.md §7), so the
//! reference passes the whole suite; one level more is refused when the
//! profile is loaded, with a message naming the key and its range.

mod common;

use std::time::Duration;

use interspec::catalog::profile::{Profile, MAX_PAYLOAD_DEPTH, MAX_STANZA_DEPTH};
use interspec::catalog::Catalog;
use interspec::runner::plan::{build_plan, Selection};
use interspec::scenario::outcome::OutcomeKind;
use interspec::targets::TargetSpec;

/// Loads the default profile with the two depth limits changed, from a
/// file as `--profile` would.
fn load(depth: u32, payload_depth: u32) -> Result<Profile, String> {
    let text = include_str!("../suites/profiles/default.toml");
    for key in ["max_depth = 16", "max_payload_depth = 8"] {
        assert!(text.contains(key), "{key}");
    }
    let text = text
        .replace("name = \"default\"", "name = \"stanza-deepest\"")
        .replace("max_depth = 16", &format!("max_depth = {depth}"))
        .replace(
            "max_payload_depth = 8",
            &format!("max_payload_depth = {payload_depth}"),
        );
    let path = std::env::temp_dir().join(format!(
        "interspec-stanza-deepest-{}-{depth}-{payload_depth}.toml",
        std::process::id()
    ));
    std::fs::write(&path, text).expect("write profile");
    let loaded = Profile::load(&path.to_string_lossy());
    let _ = std::fs::remove_file(&path);
    loaded
}

#[test]
fn the_reference_passes_the_stanza_suite_at_the_deepest_allowed_limits() {
    let profile =
        load(MAX_STANZA_DEPTH, MAX_PAYLOAD_DEPTH).expect("the deepest allowed profile loads");
    assert_eq!(profile.stanza.max_depth, 90);
    assert_eq!(profile.stanza.max_payload_depth, 45);
    let catalog = Catalog::builtin().expect("catalog");
    let selection = Selection {
        suites: vec!["stanza".into()],
        ..Selection::default()
    };
    let plan = build_plan(&catalog, &selection).expect("plan");
    let mut config = common::config(
        TargetSpec::Builtin { mutant: None },
        Duration::from_secs(20),
    );
    config.profile = profile;
    config.cases = 16;
    let outcomes = interspec::runner::run(&plan, &config, &mut |_| {})
        .expect("run")
        .outcomes;
    let not_passed: Vec<_> = outcomes
        .iter()
        .filter(|o| o.kind != OutcomeKind::Pass)
        .map(|o| (o.id.as_str(), o.kind, o.message.as_str()))
        .collect();
    assert!(not_passed.is_empty(), "{not_passed:#?}");
    for (id, shows) in [
        ("stanza/limit-depth", "90"),
        (
            "stanza/payload-depth-limit",
            "nesting 45 decoded, 46 refused",
        ),
    ] {
        let outcome = outcomes.iter().find(|o| o.id == id).expect(id);
        assert!(outcome.message.contains(shows), "{id}: {}", outcome.message);
    }
}

#[test]
fn one_level_deeper_is_refused_when_the_profile_loads() {
    for (loaded, says) in [
        (
            load(MAX_STANZA_DEPTH + 1, MAX_PAYLOAD_DEPTH),
            "stanza.max_depth = 91 is outside its allowed range 3..=90",
        ),
        (
            load(MAX_STANZA_DEPTH, MAX_PAYLOAD_DEPTH + 1),
            "stanza.max_payload_depth = 46 is outside its allowed range 2..=45",
        ),
    ] {
        let err = loaded.expect_err(says);
        assert!(err.contains(says), "{err}");
        assert!(err.contains("docs/stanza.md §7"), "{err}");
    }
}
