//! Limits built from the profile in use (exactly at a limit is accepted,
//! one past it is `LIMIT_EXCEEDED`), and every forbidden character, raw and
//! by reference, refused as not well-formed.

use rand::seq::SliceRandom;

use super::target::{base_stanza, expect_refused, expect_view, limits};
use crate::peer::stanza::hostile::{build, Hostile};
use crate::peer::stanza::{parse as peer_parse, Category};
use crate::scenario::outcome::{Check, Finding};
use crate::scenario::ScenarioCtx;
use crate::suites::ScenarioImpl;

pub fn scenarios() -> Vec<ScenarioImpl> {
    vec![
        ScenarioImpl {
            id: "stanza/limit-depth",
            run: depth,
        },
        ScenarioImpl {
            id: "stanza/limit-attributes",
            run: attributes,
        },
        ScenarioImpl {
            id: "stanza/limit-attribute-length",
            run: attribute_length,
        },
        ScenarioImpl {
            id: "stanza/limit-children",
            run: children,
        },
        ScenarioImpl {
            id: "stanza/limit-size",
            run: size,
        },
        ScenarioImpl {
            id: "stanza/forbidden-characters-raw",
            run: raw_characters,
        },
        ScenarioImpl {
            id: "stanza/forbidden-character-references",
            run: character_references,
        },
    ]
}

/// `at` must parse to the peer's view, `over` must be refused.
fn at_and_over(ctx: &mut ScenarioCtx, at: Hostile, over: Hostile, what: &str) -> Check {
    let limits = limits(ctx);
    let extra = match &at {
        Hostile::AttributeBytes(_) => 1,
        _ => 0,
    };
    let base = base_stanza(ctx, extra);
    let at_bytes = build(&base, &at);
    let expected = match peer_parse(&at_bytes, &limits) {
        Ok(view) => view,
        // E.g. max_children so large that the stanza passes max_stanza_bytes.
        Err(e) if e.category == Category::Limit => {
            return Err(Finding::not_applicable(format!(
                "under this profile a stanza at the {what} limit exceeds another limit ({e})"
            )))
        }
        Err(e) => {
            return Err(Finding::error(format!(
                "the peer refused its own {at:?} stanza: {e}"
            )))
        }
    };
    expect_view(
        ctx,
        &at_bytes,
        &expected,
        &format!("a stanza exactly at the {what} limit"),
    )?;
    let over_bytes = build(&base, &over);
    expect_refused(
        ctx,
        &over_bytes,
        Category::Limit,
        &format!("a stanza one past the {what} limit"),
    )?;
    Ok(format!("{at:?} accepted, {over:?} refused"))
}

fn depth(ctx: &mut ScenarioCtx) -> Check {
    let max = limits(ctx).max_depth;
    at_and_over(ctx, Hostile::Depth(max), Hostile::Depth(max + 1), "depth")
}

fn attributes(ctx: &mut ScenarioCtx) -> Check {
    let max = limits(ctx).max_attributes;
    at_and_over(
        ctx,
        Hostile::Attributes(max),
        Hostile::Attributes(max + 1),
        "attribute-count",
    )
}

fn attribute_length(ctx: &mut ScenarioCtx) -> Check {
    let max = limits(ctx).max_attribute_bytes;
    at_and_over(
        ctx,
        Hostile::AttributeBytes(max),
        Hostile::AttributeBytes(max + 1),
        "attribute-length",
    )
}

fn children(ctx: &mut ScenarioCtx) -> Check {
    let max = limits(ctx).max_children;
    at_and_over(
        ctx,
        Hostile::Children(max),
        Hostile::Children(max + 1),
        "children",
    )
}

fn size(ctx: &mut ScenarioCtx) -> Check {
    let max = limits(ctx).max_stanza_bytes;
    at_and_over(ctx, Hostile::Size(max), Hostile::Size(max + 1), "size")
}

/// Code points XML 1.0 §2.2 [2] excludes that a Rust `char` can hold.
fn forbidden_chars() -> Vec<char> {
    (0u32..0x20)
        .filter(|c| !matches!(c, 0x9 | 0xA | 0xD))
        .chain([0xFFFE, 0xFFFF])
        .filter_map(char::from_u32)
        .collect()
}

fn raw_characters(ctx: &mut ScenarioCtx) -> Check {
    let mut chars = forbidden_chars();
    chars.shuffle(&mut ctx.rng);
    let base = base_stanza(ctx, 0);
    for &c in &chars {
        let bytes = build(&base, &Hostile::RawChar(c));
        expect_refused(
            ctx,
            &bytes,
            Category::Malformed,
            &format!("a stanza with a raw U+{:04X} in text", c as u32),
        )?;
    }
    Ok(format!("{} forbidden characters refused", chars.len()))
}

fn character_references(ctx: &mut ScenarioCtx) -> Check {
    let mut codes: Vec<u32> = forbidden_chars().into_iter().map(|c| c as u32).collect();
    // Surrogates and beyond Unicode cannot be characters at all.
    codes.extend([0xD800, 0xDFFF, 0x110000]);
    codes.shuffle(&mut ctx.rng);
    let base = base_stanza(ctx, 0);
    for &code in &codes {
        let bytes = build(&base, &Hostile::CharRef(code));
        expect_refused(
            ctx,
            &bytes,
            Category::Malformed,
            &format!("a stanza with &#x{code:X}; in text"),
        )?;
    }
    Ok(format!(
        "{} illegal character references refused",
        codes.len()
    ))
}
