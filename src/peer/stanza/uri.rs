//! RFC 3986 URI references, for namespace names. Namespaces in XML 1.0
//! (Third Edition) §3: a namespace declaration's "normalized value MUST be
//! either a URI reference — the namespace name identifying the namespace —
//! or an empty string"; §8: a processor "is not REQUIRED to check that
//! namespace names are URI references". So a target may take any value as
//! the namespace name, or refuse a stanza declaring one that is not a URI
//! reference (expat since 2.4.5 refuses some: CVE-2022-25236). The suite
//! uses [`is_uri_reference`] to know when that refusal is allowed.

/// `unreserved` (RFC 3986 §2.3).
fn is_unreserved(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"-._~".contains(&c)
}

/// `sub-delims` (RFC 3986 §2.2).
fn is_sub_delim(c: u8) -> bool {
    b"!$&'()*+,;=".contains(&c)
}

/// Every byte unreserved, a sub-delim, one of `extra`, or part of a
/// `pct-encoded` triplet (RFC 3986 §2.1: "%" HEXDIG HEXDIG).
fn component(s: &str, extra: &[u8]) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'%' {
            let hex = |j: usize| b.get(j).is_some_and(u8::is_ascii_hexdigit);
            if !(hex(i + 1) && hex(i + 2)) {
                return false;
            }
            i += 3;
        } else if is_unreserved(c) || is_sub_delim(c) || extra.contains(&c) {
            i += 1;
        } else {
            return false;
        }
    }
    true
}

/// `scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )` (RFC 3986 §3.1).
fn is_scheme(s: &str) -> bool {
    let mut bytes = s.bytes();
    bytes.next().is_some_and(|c| c.is_ascii_alphabetic())
        && bytes.all(|c| c.is_ascii_alphanumeric() || b"+-.".contains(&c))
}

/// `authority = [ userinfo "@" ] host [ ":" port ]` (RFC 3986 §3.2).
fn is_authority(a: &str) -> bool {
    let (userinfo, hostport) = match a.rsplit_once('@') {
        Some((u, h)) => (u, h),
        None => ("", a),
    };
    if !component(userinfo, b":") {
        return false;
    }
    let (host_ok, port) = if let Some(literal) = hostport.strip_prefix('[') {
        // IP-literal (§3.2.2): an IPv6 address or IPvFuture, only their
        // characters checked.
        match literal.split_once(']') {
            Some((inside, after)) => (
                !inside.is_empty()
                    && inside
                        .bytes()
                        .all(|c| c.is_ascii_hexdigit() || b":.vV".contains(&c)),
                after,
            ),
            None => return false,
        }
    } else {
        match hostport.split_once(':') {
            // reg-name or IPv4address (§3.2.2), then ":" port.
            Some((host, port)) => (component(host, b""), port),
            None => (component(hostport, b""), ""),
        }
    };
    let port = port.strip_prefix(':').unwrap_or(port);
    host_ok && port.bytes().all(|c| c.is_ascii_digit())
}

/// `URI-reference = URI / relative-ref` (RFC 3986 §4.1, grammar of
/// Appendix A). ASCII only: an IRI with other characters is no URI
/// reference (RFC 3987 §2 maps it to one).
pub fn is_uri_reference(s: &str) -> bool {
    let (rest, fragment) = s.split_once('#').unwrap_or((s, ""));
    let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
    // query and fragment: *( pchar / "/" / "?" ) (§3.4, §3.5).
    if !component(fragment, b":@/?") || !component(query, b":@/?") {
        return false;
    }
    // A colon before any slash ends a scheme (§3.1); a relative reference's
    // first segment has none (path-noscheme, §4.2).
    let rest = match rest.split_once(':') {
        Some((scheme, after)) if !scheme.contains('/') => {
            if !is_scheme(scheme) {
                return false;
            }
            after
        }
        _ => rest,
    };
    // hier-part / relative-part (§3, §4.2), paths of pchar and "/" (§3.3).
    match rest.strip_prefix("//") {
        Some(after) => {
            let (authority, path) = after.split_at(after.find('/').unwrap_or(after.len()));
            is_authority(authority) && component(path, b":@/")
        }
        None => component(rest, b":@/"),
    }
}

#[cfg(test)]
mod tests {
    use super::is_uri_reference;

    #[test]
    fn the_profile_s_namespaces_and_other_uri_references_are_accepted() {
        for ok in [
            "jabber:client",
            "urn:x-interspec:ext",
            "http://www.w3.org/XML/1998/namespace",
            "http://user:pw@[::1]:8080/a%20b?q=1#frag",
            "relative/path",
            "",
            "#only-a-fragment",
            "mailto:a@example.org",
        ] {
            assert!(is_uri_reference(ok), "{ok:?}");
        }
    }

    #[test]
    fn characters_and_shapes_outside_the_grammar_are_not() {
        for bad in [
            " urn:x",
            "urn:}x",
            "urn:x y",
            "urn:{x}",
            "urn:a|b",
            "urn:%zz",
            "urn:%4",
            "urn:é",
            "a#b#c",
            "1x:y",
            ":x",
            "http://[::1/x",
            "http://host:80a/",
            "http://ho st/",
            "urn:x\"",
            "urn:x\\y",
        ] {
            assert!(!is_uri_reference(bad), "{bad:?}");
        }
    }
}
