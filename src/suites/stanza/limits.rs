//! Limits built from the profile in use (exactly at a limit is accepted,
//! one past it is `LIMIT_EXCEEDED`), and every forbidden character, raw and
//! by reference, refused as not well-formed.

use rand::seq::SliceRandom;

use super::target::{base_stanza, expect_refused, expect_view, limits};
use crate::catalog::profile::StanzaParams;
use crate::peer::stanza::hostile::{build, Hostile};
use crate::peer::stanza::{parse as peer_parse, Category};
use crate::scenario::outcome::{Check, Finding};
use crate::scenario::ScenarioCtx;

/// A limit of the profile, checked exactly at it and one past it.
#[derive(Debug, Clone, Copy)]
pub enum Limit {
    Depth,
    Attributes,
    AttributeLength,
    Children,
    Size,
}

impl Limit {
    /// The limit's name in messages.
    fn what(self) -> &'static str {
        match self {
            Limit::Depth => "depth",
            Limit::Attributes => "attribute-count",
            Limit::AttributeLength => "attribute-length",
            Limit::Children => "children",
            Limit::Size => "size",
        }
    }

    /// A stanza exactly at the limit, and one past it.
    fn at_and_over(self, limits: &StanzaParams) -> (Hostile, Hostile) {
        match self {
            Limit::Depth => (
                Hostile::Depth(limits.max_depth),
                Hostile::Depth(limits.max_depth + 1),
            ),
            Limit::Attributes => (
                Hostile::Attributes(limits.max_attributes),
                Hostile::Attributes(limits.max_attributes + 1),
            ),
            Limit::AttributeLength => (
                Hostile::AttributeBytes(limits.max_attribute_bytes),
                Hostile::AttributeBytes(limits.max_attribute_bytes + 1),
            ),
            Limit::Children => (
                Hostile::Children(limits.max_children),
                Hostile::Children(limits.max_children + 1),
            ),
            Limit::Size => (
                Hostile::Size(limits.max_stanza_bytes),
                Hostile::Size(limits.max_stanza_bytes + 1),
            ),
        }
    }
}

/// One profile limit: a stanza at it is accepted, one past it refused.
pub fn at_and_over(ctx: &mut ScenarioCtx, &limit: &Limit) -> Check {
    let (at, over) = limit.at_and_over(&limits(ctx));
    stanzas_at_and_over(ctx, at, over, limit.what())
}

/// `at` must parse to the peer's view, `over` must be refused.
fn stanzas_at_and_over(ctx: &mut ScenarioCtx, at: Hostile, over: Hostile, what: &str) -> Check {
    let limits = limits(ctx);
    let extra = match &at {
        Hostile::AttributeBytes(_) | Hostile::ExtraAttribute(_) => 1,
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

/// Text of exactly `bytes` UTF-8 bytes in as few characters as it takes:
/// four-byte characters, then one shorter one for the rest.
fn multibyte_text(bytes: usize) -> String {
    let mut text = "\u{1F600}".repeat(bytes / 4);
    text.push_str(match bytes % 4 {
        3 => "\u{20AC}",
        2 => "\u{E9}",
        1 => "a",
        _ => "",
    });
    text
}

/// docs/stanza.md §7: `max_attribute_bytes` counts "bytes of one attribute
/// value after normalization", not characters. A multi-byte value of
/// exactly the limit in bytes is accepted; one byte more (still far fewer
/// characters than the limit) is refused, and so is a value of exactly the
/// limit in characters whose last one is three bytes wide.
pub fn attribute_length_multibyte(ctx: &mut ScenarioCtx) -> Check {
    let max = limits(ctx).max_attribute_bytes as usize;
    let at = Hostile::ExtraAttribute(multibyte_text(max));
    let over = Hostile::ExtraAttribute(multibyte_text(max + 1));
    stanzas_at_and_over(ctx, at, over, "attribute-length (in UTF-8 bytes)")?;
    let straddle = format!("{}\u{20AC}", "a".repeat(max.saturating_sub(1)));
    let bytes = build(&base_stanza(ctx, 1), &Hostile::ExtraAttribute(straddle));
    expect_refused(
        ctx,
        &bytes,
        Category::Limit,
        &format!(
            "an attribute value of {max} characters and {} bytes",
            max + 2
        ),
    )?;
    Ok(format!(
        "{max} bytes of multi-byte text accepted, {} bytes refused, {max} characters in {} bytes refused",
        max + 1,
        max + 2
    ))
}

/// docs/stanza.md §7: the attribute length is measured after normalization
/// (XML 1.0 §3.3.3: references resolved), so a value spelt with `&amp;` is
/// as long as the characters it stands for: exactly the limit is accepted
/// though its raw spelling is five times longer, one more refused.
pub fn attribute_length_references(ctx: &mut ScenarioCtx) -> Check {
    let max = limits(ctx).max_attribute_bytes as usize;
    let at = Hostile::ExtraAttribute("&amp;".repeat(max));
    let over = Hostile::ExtraAttribute("&amp;".repeat(max + 1));
    stanzas_at_and_over(ctx, at, over, "attribute-length (after references)")
}

/// docs/stanza.md §7: `max_stanza_bytes` counts "bytes of the input as
/// received": a stanza of exactly the limit whose text is four-byte
/// characters is accepted, one byte more refused (it has far fewer
/// characters than the limit).
pub fn size_multibyte(ctx: &mut ScenarioCtx) -> Check {
    let max = limits(ctx).max_stanza_bytes;
    let fill = '\u{1F600}';
    stanzas_at_and_over(
        ctx,
        Hostile::SizeFilled { size: max, fill },
        Hostile::SizeFilled {
            size: max + 1,
            fill,
        },
        "size (in bytes, multi-byte text)",
    )
}

/// Code points XML 1.0 §2.2 [2] excludes that a Rust `char` can hold.
fn forbidden_chars() -> Vec<char> {
    (0u32..0x20)
        .filter(|c| !matches!(c, 0x9 | 0xA | 0xD))
        .chain([0xFFFE, 0xFFFF])
        .filter_map(char::from_u32)
        .collect()
}

pub fn raw_characters(ctx: &mut ScenarioCtx) -> Check {
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

pub fn character_references(ctx: &mut ScenarioCtx) -> Check {
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
