//! The one written rule for names Vireo itself gives to things it creates (VMs today;
//! volumes, networks and snapshots later), shared verbatim with the UI.
//!
//! A name Vireo creates is 1-64 characters: letters and digits of any script (`\p{L}`,
//! `\p{N}`), combining marks (`\p{M}`, so Devanagari or Thai names are whole), and
//! `.`, `_`, `-`; it starts with a letter or digit. That keeps it safe as a file name
//! (no `/`, no leading `.` or `-`), in XML (no `<`, `&`, quotes) and on a command line
//! (no spaces, quotes or shell metacharacters), while `web-01`, `名字` and `bench_2.old`
//! all pass. Names that other tools gave (`My VM`, `db+gpu`) are never refused when
//! Vireo looks a VM up: the rule is for what Vireo creates, not for what it can drive.
//!
//! The character classes below are regular-expression source that Rust's `regex` and
//! JavaScript's `RegExp(..., 'u')` read the same way; `bindings.rs` writes them to
//! `ui/src/bindings/rules.ts`, so the UI checks exactly this rule.

use std::sync::LazyLock;

use regex::Regex;

/// Longest name, in characters (Unicode scalar values, as JavaScript's `[...s].length`).
pub const NAME_MAX_CHARS: usize = 64;
/// What the first character may be.
pub const NAME_FIRST_CHAR: &str = r"[\p{L}\p{N}]";
/// What every other character may be.
pub const NAME_CHAR: &str = r"[\p{L}\p{N}\p{M}._\-]";

static FIRST: LazyLock<Regex> = LazyLock::new(|| Regex::new(&format!("^{NAME_FIRST_CHAR}$")).expect("valid class"));
static OTHER: LazyLock<Regex> = LazyLock::new(|| Regex::new(&format!("^{NAME_CHAR}$")).expect("valid class"));

/// Why `name` breaks the rule, or `None` if it keeps it. The reasons are the texts the
/// UI shows too (the UI mirrors them; `validation-cases.json` holds both to the same).
pub fn name_problem(name: &str) -> Option<String> {
    let mut chars = name.chars();
    let Some(first) = chars.next() else { return Some("it is empty".into()) };
    let count = name.chars().count();
    if count > NAME_MAX_CHARS {
        return Some(format!("it is {count} characters long; at most {NAME_MAX_CHARS} are allowed"));
    }
    let mut buf = [0u8; 4];
    if !FIRST.is_match(first.encode_utf8(&mut buf)) {
        return Some(format!("it starts with {}; start with a letter or digit", describe(first)));
    }
    if let Some(c) = chars.find(|c| !OTHER.is_match(c.encode_utf8(&mut buf))) {
        return Some(format!("it contains {}; use letters, digits, '.', '_' and '-'", describe(c)));
    }
    None
}

/// A character named so a person can see it, even when it is blank or invisible.
fn describe(c: char) -> String {
    if c == ' ' {
        "a space".into()
    } else if c.is_whitespace() || c.is_control() {
        format!("U+{:04X}", c as u32)
    } else {
        format!("'{c}'")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_and_digits_of_any_script_pass() {
        for n in ["web", "web-01", "a.b_c", "X", "名字", "сервер-1", "ウェブ", "नमस्ते", "7days"] {
            assert_eq!(name_problem(n), None, "{n}");
        }
    }

    #[test]
    fn what_breaks_files_xml_or_shells_is_refused_with_the_reason() {
        assert_eq!(name_problem("").unwrap(), "it is empty");
        assert!(name_problem("My VM").unwrap().contains("a space"));
        assert!(name_problem("db+gpu").unwrap().contains("'+'"));
        assert!(name_problem("-x").unwrap().contains("starts with '-'"));
        assert!(name_problem(".hidden").unwrap().contains("starts with '.'"));
        for bad in ["a/b", "a<b", "a&b", "a'b", "a\"b", "a$b", "a;b", "a`b", "a\tb", "a\\b", "a*b"] {
            assert!(name_problem(bad).is_some(), "{bad:?} must be refused");
        }
        assert!(name_problem("a\u{0}b").unwrap().contains("U+0000"));
        assert!(name_problem(&"名".repeat(64)).is_none());
        assert!(name_problem(&"名".repeat(65)).unwrap().contains("65 characters"));
    }
}
