//! The committed generated vectors, embedded so that scenarios can feed
//! them to targets without reading files at run time.

use super::model::{parse, Transcript, VectorBody};

/// Name of the generated vector with the transcript parties' safety number.
pub const TRANSCRIPT_SAFETY_NUMBER: &str = "safety number of the transcript parties";

/// The committed safety number of the transcript parties (embedded).
pub fn builtin_safety_number() -> Result<String, String> {
    let file = parse(include_str!(
        "../../../vectors/signal/interspec-generated.json"
    ))?;
    file.vectors
        .into_iter()
        .find_map(|v| match v.body {
            VectorBody::NumericFingerprint { displayable, .. }
                if v.name == TRANSCRIPT_SAFETY_NUMBER =>
            {
                Some(displayable)
            }
            _ => None,
        })
        .ok_or_else(|| format!("no vector named {TRANSCRIPT_SAFETY_NUMBER:?}"))
}

/// The committed session transcripts (embedded, so scenarios can feed them
/// to targets without reading files at run time).
pub fn builtin_transcripts() -> Result<Vec<(String, Transcript)>, String> {
    let file = parse(include_str!(
        "../../../vectors/signal/interspec-generated.json"
    ))?;
    Ok(file
        .vectors
        .into_iter()
        .filter_map(|v| match v.body {
            VectorBody::SessionTranscript(t) => Some((v.name, *t)),
            _ => None,
        })
        .collect())
}
