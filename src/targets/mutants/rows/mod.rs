//! The one place each mutant is described, one file per suite. Every
//! mutant has exactly one row (checked at compile time in the parent).

use super::Mutant;

mod adapter;
mod e2ee;
mod enlistment;
mod handshake;
mod stanza;

/// Name, requirements violated, inspiration, defect.
pub(super) type Row = (
    &'static str,
    &'static [&'static str],
    &'static str,
    &'static str,
);

/// Every suite's row of `m`, with the suite: at most one is `Some`.
pub(super) const fn rows(m: Mutant) -> [(&'static str, Option<Row>); 5] {
    [
        ("adapter", adapter::row(m)),
        ("stanza", stanza::row(m)),
        ("handshake", handshake::row(m)),
        ("enlistment", enlistment::row(m)),
        ("e2ee", e2ee::row(m)),
    ]
}
