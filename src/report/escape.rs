//! Text that came from a target, made inert for where it is shown. HTML and
//! JUnit escape through their own writers; this covers Markdown (a heading,
//! a link or raw HTML must not be injectable through a name or a message)
//! and the terminal (no control sequences, no bidirectional overrides).

/// Whether `c` would act on a terminal or reorder text instead of showing:
/// control characters, and the Unicode bidirectional controls.
fn acts_instead_of_showing(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// One line of text for a terminal: every control character shown as an
/// escape (`\n`, `\u{1b}`), nothing else changed.
pub fn terminal(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if acts_instead_of_showing(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// Text that keeps its line structure (for HTML, whose own escaping handles
/// markup): control characters other than newline and tab, and the
/// bidirectional controls, shown as escapes.
pub fn keep_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if acts_instead_of_showing(c) && !matches!(c, '\n' | '\t') {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// Inline Markdown text: one line, and every character that could start
/// emphasis, a link, code, a table cell or raw HTML backslash-escaped
/// (CommonMark §2.4: any ASCII punctuation may be escaped).
pub fn markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in terminal(text).chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '&' | '!' | '#'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Text for inside a Markdown code span (`` `…` ``): one line, no backtick
/// to end the span early.
pub fn markdown_code(text: &str) -> String {
    terminal(text).replace('`', "'")
}

/// Lines for inside a fenced code block: each line made one line, and no
/// fence to end the block early.
pub fn markdown_block(lines: &[String]) -> String {
    lines
        .iter()
        .map(|line| terminal(line).replace("```", "'''"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_and_bidi_overrides_become_visible() {
        assert_eq!(
            terminal("a\nb\u{1b}[31m\u{202E}c"),
            "a\\nb\\u{1b}[31m\\u{202e}c"
        );
        assert_eq!(terminal("plain ünïcode"), "plain ünïcode");
    }

    #[test]
    fn markdown_cannot_open_a_heading_html_or_a_link() {
        let hostile = "x\n# CERTIFIED\n<script>alert(1)</script> [a](http://e) | *b*";
        let shown = markdown(hostile);
        assert!(!shown.contains('\n'));
        assert!(!shown.replace("\\<", "").contains('<'));
        assert!(shown.contains("\\<script\\>"));
        assert!(shown.contains("\\[a\\](http://e) \\| \\*b\\*"));
        assert_eq!(markdown_code("a`b\nc"), "a'b\\nc");
        assert_eq!(markdown_block(&["```".into(), "x\ry".into()]), "'''\nx\\ry");
    }
}
