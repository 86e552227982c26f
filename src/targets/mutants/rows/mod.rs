//! The one place each mutant is described, one file per suite. Every
//! mutant has exactly one row (checked at compile time in the parent).

use super::Mutant;

mod adapter;
mod e2ee;
mod enlistment;
mod handshake;
mod media;
mod olm;
mod stanza;

/// Name, requirements violated, inspiration, defect.
pub(super) type Row = (
    &'static str,
    &'static [&'static str],
    &'static str,
    &'static str,
);

/// Every suite's row of `m`, with the suite: at most one is `Some`. The
/// last is `builtin:olm`'s ([`OLM_ROWS`]).
/// `builtin:olm`'s mutants are the e2ee suite's too (see [`super::Base`]).
pub(super) const fn rows(m: Mutant) -> [(&'static str, Option<Row>); 7] {
    [
        ("adapter", adapter::row(m)),
        ("stanza", stanza::row(m)),
        ("handshake", handshake::row(m)),
        ("enlistment", enlistment::row(m)),
        ("e2ee", e2ee::row(m)),
        ("media", media::row(m)),
        ("e2ee", olm::row(m)),
    ]
}

/// The index in [`rows`] of `builtin:olm`'s mutants.
pub(super) const OLM_ROWS: usize = 6;
