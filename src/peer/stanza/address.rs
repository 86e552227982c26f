//! Addresses: `[user[:device]@]domain[/resource]` (docs/stanza.md
//! §Addresses; a simplified, ASCII-only form of RFC 7622's JIDs).

use super::view::Address;

pub const MAX_USER: usize = 64;
/// RFC 1035 §2.3.4 bounds a name to 255 octets on the wire: 253 bytes of text.
pub const MAX_DOMAIN: usize = 253;
pub const MAX_RESOURCE: usize = 256;

pub fn parse(text: &str) -> Result<Address, String> {
    let (bare, resource) = match text.split_once('/') {
        Some((bare, resource)) => (bare, Some(resource)),
        None => (text, None),
    };
    let (user_part, domain) = match bare.split_once('@') {
        Some((user, domain)) => (Some(user), domain),
        None => (None, bare),
    };
    if !is_domain(domain) {
        return Err(format!("{domain:?} is not a domain"));
    }
    let mut address = Address {
        domain: domain.to_string(),
        ..Address::default()
    };
    if let Some(user_part) = user_part {
        let (user, device) = match user_part.split_once(':') {
            Some((user, device)) => (user, Some(device)),
            None => (user_part, None),
        };
        if !is_user(user) {
            return Err(format!("{user:?} is not a user part"));
        }
        address.user = user.to_string();
        if let Some(device) = device {
            address.device = Some(parse_device(device)?);
        }
    }
    if let Some(resource) = resource {
        if resource.is_empty()
            || resource.len() > MAX_RESOURCE
            || !resource.bytes().all(|b| (0x21..=0x7e).contains(&b))
        {
            return Err(format!("{resource:?} is not a resource"));
        }
        address.resource = Some(resource.to_string());
    }
    Ok(address)
}

pub fn format(address: &Address) -> String {
    let mut out = String::new();
    if !address.user.is_empty() {
        out.push_str(&address.user);
        if let Some(device) = address.device {
            out.push_str(&format!(":{device}"));
        }
        out.push('@');
    }
    out.push_str(&address.domain);
    if let Some(resource) = &address.resource {
        out.push('/');
        out.push_str(resource);
    }
    out
}

fn is_user(user: &str) -> bool {
    !user.is_empty()
        && user.len() <= MAX_USER
        && user
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'+'))
}

/// Canonical decimal 0..=65535: no sign, no leading zero.
fn parse_device(text: &str) -> Result<u32, String> {
    let canonical = !text.is_empty()
        && text.len() <= 5
        && text.bytes().all(|b| b.is_ascii_digit())
        && (text == "0" || !text.starts_with('0'));
    match text.parse::<u32>() {
        Ok(device) if canonical && device <= 65535 => Ok(device),
        _ => Err(format!("{text:?} is not a device number")),
    }
}

/// Lower-case LDH labels (RFC 1035 §2.3.1), dot-separated.
fn is_domain(domain: &str) -> bool {
    !domain.is_empty()
        && domain.len() <= MAX_DOMAIN
        && domain.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_addresses_round_trip() {
        for text in [
            "alice@example.org",
            "alice:3@example.org",
            "alice:0@s.example/phone",
            "example.org",
            "example.org/r/x@y",
            "a.b_c-d+e@x-1.example",
        ] {
            let parsed = parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(format(&parsed), text);
        }
        assert_eq!(parse("bob:12@e.org").unwrap().device, Some(12));
    }

    #[test]
    fn bad_addresses_are_refused() {
        for text in [
            "",
            "@example.org",
            "alice@",
            "alice@@example.org",
            "alice@Example.org",
            "alice:@e.org",
            "alice:01@e.org",
            "alice:65536@e.org",
            "alice@e..org",
            "alice@-e.org",
            "al ice@e.org",
            "alice@e.org/",
            "alice@e.org/a b",
            "alice:1:2@e.org",
            "alice@e.org:5",
        ] {
            assert!(parse(text).is_err(), "{text:?}");
        }
    }
}
