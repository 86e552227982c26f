//! Why the stanza codec refused an input: one of the adapter protocol's
//! error categories, so the peer and a target can be compared directly.

use serde::{Deserialize, Serialize};

use crate::adapter::proto::ErrorCategory;

/// The refusal categories the stanza profile uses (docs/stanza.md §Refusals).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Category {
    /// Not well-formed XML, or a value that does not parse as what it claims.
    #[serde(rename = "MALFORMED_INPUT")]
    Malformed,
    /// Well-formed XML using a construct the profile forbids (a DOCTYPE…).
    #[serde(rename = "FORBIDDEN_CONSTRUCT")]
    Forbidden,
    /// A size, depth or count limit of the profile was exceeded.
    #[serde(rename = "LIMIT_EXCEEDED")]
    Limit,
    /// Well-formed, but not a stanza of the profile (missing attribute…).
    #[serde(rename = "SCHEMA_VIOLATION")]
    Schema,
}

impl Category {
    pub const ALL: [Category; 4] = [
        Category::Malformed,
        Category::Forbidden,
        Category::Limit,
        Category::Schema,
    ];

    pub fn to_proto(self) -> ErrorCategory {
        match self {
            Category::Malformed => ErrorCategory::MalformedInput,
            Category::Forbidden => ErrorCategory::ForbiddenConstruct,
            Category::Limit => ErrorCategory::LimitExceeded,
            Category::Schema => ErrorCategory::SchemaViolation,
        }
    }

    pub fn name(self) -> &'static str {
        self.to_proto().as_str_name()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} at byte {offset}: {detail}", category.name())]
pub struct StanzaError {
    pub category: Category,
    /// Byte offset into the input (after a BOM) where the problem was seen.
    pub offset: usize,
    pub detail: String,
}

impl StanzaError {
    pub fn new(category: Category, offset: usize, detail: impl Into<String>) -> StanzaError {
        StanzaError {
            category,
            offset,
            detail: detail.into(),
        }
    }
}

pub fn malformed(offset: usize, detail: impl Into<String>) -> StanzaError {
    StanzaError::new(Category::Malformed, offset, detail)
}

pub fn forbidden(offset: usize, detail: impl Into<String>) -> StanzaError {
    StanzaError::new(Category::Forbidden, offset, detail)
}

pub fn limit(offset: usize, detail: impl Into<String>) -> StanzaError {
    StanzaError::new(Category::Limit, offset, detail)
}

pub fn schema(detail: impl Into<String>) -> StanzaError {
    StanzaError::new(Category::Schema, 0, detail)
}
