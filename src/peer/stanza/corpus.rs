//! The golden corpus's expectation format (`vectors/stanza/NAME.json`) and
//! the check of one case against the peer's parser. The corpus itself is
//! written by `tools/stanza_corpus.py` and embedded for the scenarios.

use serde::Deserialize;

use super::error::Category;
use super::view::View;
use crate::catalog::profile::StanzaParams;

/// What one corpus case expects: exactly one of a view or a refusal.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expectation {
    /// The scenario group the case belongs to.
    pub group: String,
    pub description: String,
    /// The rule the case illustrates.
    pub source: String,
    #[serde(default)]
    pub view: Option<View>,
    #[serde(default)]
    pub refused: Option<Category>,
}

impl Expectation {
    pub fn from_json(text: &str) -> Result<Expectation, String> {
        let expectation: Expectation =
            serde_json::from_str(text).map_err(|e| format!("not a stanza expectation: {e}"))?;
        if expectation.view.is_some() == expectation.refused.is_some() {
            return Err("an expectation needs exactly one of view and refused".into());
        }
        Ok(expectation)
    }
}

/// Runs the peer's parser on `xml` and compares with `expectation`.
pub fn check_case(
    xml: &[u8],
    expectation: &Expectation,
    limits: &StanzaParams,
) -> Result<(), String> {
    let outcome = super::parse(xml, limits);
    match (&expectation.view, expectation.refused, outcome) {
        (Some(view), _, Ok(got)) if got == *view => Ok(()),
        (Some(view), _, Ok(got)) => Err(format!(
            "parsed to a different view:\n got      {}\n expected {}",
            serde_json::to_string(&got).unwrap_or_default(),
            serde_json::to_string(view).unwrap_or_default()
        )),
        (Some(_), _, Err(e)) => Err(format!("refused: {e}")),
        (None, Some(category), Err(e)) if e.category == category => Ok(()),
        (None, Some(category), Err(e)) => {
            Err(format!("refused as {e}, expected {}", category.name()))
        }
        (None, _, Ok(_)) => Err("accepted; the case expects a refusal".into()),
        (None, None, Err(e)) => Err(format!("invalid expectation; refused: {e}")),
    }
}
