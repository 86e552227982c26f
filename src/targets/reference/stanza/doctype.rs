//! What the reference does with a DOCTYPE: refuse it (RFC 6120 §11.1). The
//! three DOCTYPE mutants live here, each the realistic shortcut of a parser
//! with DTD support left on.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use super::Refusal;
use crate::adapter::proto::ErrorCategory;
use crate::targets::mutants::Mutant;
use crate::targets::reference::build::Build;

/// Entities a DOCTYPE declared (only ever non-empty for the expanding mutant).
pub type Entities = HashMap<String, String>;

/// Largest expansion the entity-expanding mutant produces before it gives up.
const MUTANT_EXPANSION_CAP: usize = 1 << 20;

pub fn handle(content: &str, build: Build) -> Result<Entities, Refusal> {
    match build.mutant() {
        Some(Mutant::StanzaAcceptsDoctype) => Ok(Entities::new()),
        Some(Mutant::StanzaExpandsEntities) => Ok(internal_entities(content)),
        Some(Mutant::StanzaFetchesExternalEntities) => {
            for url in system_identifiers(content) {
                fetch_loopback(&url);
            }
            Err(forbidden())
        }
        _ => Err(forbidden()),
    }
}

fn forbidden() -> Refusal {
    Refusal::new(
        ErrorCategory::ForbiddenConstruct,
        "a DOCTYPE is not allowed in a stanza",
    )
}

/// `<!ENTITY name "value">` declarations (the expanding mutant's parser).
fn internal_entities(content: &str) -> Entities {
    let mut entities = Entities::new();
    let mut rest = content;
    while let Some(at) = rest.find("<!ENTITY") {
        rest = &rest[at + 8..];
        let decl = rest.split('>').next().unwrap_or("");
        let mut parts = decl.trim().splitn(2, char::is_whitespace);
        let (Some(name), Some(value)) = (parts.next(), parts.next()) else {
            continue;
        };
        let value = value.trim();
        if let Some(inner) = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
            entities.insert(name.to_string(), inner.to_string());
        }
    }
    entities
}

/// Expands `&name;` in an entity's replacement text (the expanding mutant),
/// bounded so the harness machine survives a billion laughs.
pub fn expand(name: &str, entities: &Entities) -> Result<String, Refusal> {
    let mut out = String::new();
    // Text still to expand, in reverse order of appearance.
    let mut pending = vec![format!("&{name};")];
    while let Some(chunk) = pending.pop() {
        let Some(amp) = chunk.find('&') else {
            out.push_str(&chunk);
            continue;
        };
        out.push_str(&chunk[..amp]);
        let end = chunk[amp..].find(';').map_or(chunk.len(), |e| amp + e);
        let key = chunk.get(amp + 1..end).unwrap_or("");
        let value = entities.get(key).ok_or_else(|| {
            Refusal::new(
                ErrorCategory::MalformedInput,
                format!("undeclared entity {key}"),
            )
        })?;
        pending.push(chunk.get(end + 1..).unwrap_or("").to_string());
        pending.push(value.clone());
        if out.len() > MUTANT_EXPANSION_CAP || pending.len() > MUTANT_EXPANSION_CAP {
            return Err(Refusal::new(
                ErrorCategory::LimitExceeded,
                "entity expansion too large",
            ));
        }
    }
    Ok(out)
}

fn system_identifiers(content: &str) -> Vec<String> {
    let mut urls = Vec::new();
    let mut rest = content;
    while let Some(at) = rest.find("SYSTEM") {
        rest = rest[at + 6..].trim_start();
        let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            continue;
        };
        if let Some(end) = rest[1..].find(quote) {
            urls.push(rest[1..1 + end].to_string());
            rest = &rest[1 + end..];
        }
    }
    urls
}

/// The fetching mutant's resolver. It only ever connects to 127.0.0.1 (the
/// harness's probe): a mutant must not reach anything else.
fn fetch_loopback(url: &str) {
    let Some(rest) = url.strip_prefix("http://127.0.0.1:") else {
        return;
    };
    let (port, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let Ok(port) = port.parse::<u16>() else {
        return;
    };
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    if let Ok(mut stream) = TcpStream::connect_timeout(&address, Duration::from_secs(1)) {
        let _ = stream.set_read_timeout(Some(Duration::from_secs(1)));
        let path = if path.is_empty() { "/" } else { path };
        let _ = write!(
            stream,
            "GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n"
        );
        let mut sink = [0u8; 512];
        let _ = stream.read(&mut sink);
    }
}
