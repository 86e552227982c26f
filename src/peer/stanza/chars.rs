//! Character classes of XML 1.0 (Fifth Edition).

/// `Char` (XML 1.0 §2.2 [2]): the characters a document may contain.
pub fn is_xml_char(c: char) -> bool {
    matches!(c,
        '\u{9}' | '\u{A}' | '\u{D}'
        | '\u{20}'..='\u{D7FF}'
        | '\u{E000}'..='\u{FFFD}'
        | '\u{10000}'..='\u{10FFFF}')
}

/// `S` (XML 1.0 §2.3 [3]).
pub fn is_xml_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// `NameStartChar` (XML 1.0 §2.3 [4]).
pub fn is_name_start(c: char) -> bool {
    matches!(c,
        ':' | 'A'..='Z' | '_' | 'a'..='z'
        | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{2FF}'
        | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}' | '\u{200C}'..='\u{200D}'
        | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}' | '\u{3001}'..='\u{D7FF}'
        | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}' | '\u{10000}'..='\u{EFFFF}')
}

/// `NameChar` (XML 1.0 §2.3 [4a]).
pub fn is_name_char(c: char) -> bool {
    is_name_start(c)
        || matches!(c,
            '-' | '.' | '0'..='9' | '\u{B7}'
            | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
}

/// `Name` (XML 1.0 §2.3 [5]).
pub fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(is_name_start) && chars.all(is_name_char)
}

/// `NCName` (Namespaces in XML 1.0 §3 [4]): a Name without colons.
pub fn is_ncname(s: &str) -> bool {
    !s.contains(':') && is_name(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes() {
        assert!(!is_xml_char('\0') && !is_xml_char('\u{FFFE}') && !is_xml_char('\u{1}'));
        assert!(is_xml_char('\t') && is_xml_char('é') && is_xml_char('\u{1F600}'));
        assert!(is_name("a:b") && is_ncname("enc") && !is_ncname("a:b"));
        assert!(!is_name("1a") && !is_name("") && !is_name("-x"));
    }
}
