//! Which reference runs: the plain one, one mutant or one variant. Every
//! suite module of the reference is given its `Build` when it is created
//! and asks it at the one place a defect or an allowed behaviour lives.

use crate::targets::mutants::Mutant;
use crate::targets::variants::Variant;

/// The mutant and the variant this reference runs as (none: the plain
/// reference).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Build {
    mutant: Option<Mutant>,
    variant: Option<Variant>,
}

impl Build {
    pub fn new(mutant: Option<Mutant>, variant: Option<Variant>) -> Build {
        Build { mutant, variant }
    }

    /// Whether this build carries `defect`.
    pub fn has(self, defect: Mutant) -> bool {
        self.mutant == Some(defect)
    }

    /// Whether this build uses the allowed `behaviour`.
    pub fn is(self, behaviour: Variant) -> bool {
        self.variant == Some(behaviour)
    }

    /// The mutant, for a module that chooses among several.
    pub fn mutant(self) -> Option<Mutant> {
        self.mutant
    }

    /// The variant, for a module that chooses among several.
    pub fn variant(self) -> Option<Variant> {
        self.variant
    }
}
