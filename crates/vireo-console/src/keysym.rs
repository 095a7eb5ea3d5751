//! Browser key events to X11 keysyms, the key names the RFB protocol speaks.
//!
//! The viewer sends `KeyboardEvent.key` (what the key means with the current layout and
//! modifiers: `a`, `A`, `!`, `é`, `Enter`) and `.code` (where it is: `KeyA`, `ShiftLeft`,
//! `Numpad1`). Characters go by their meaning, so a shifted or non-US character is the
//! character the user typed; modifiers and the keypad go by position, since `key` does
//! not say which side or whether it is the keypad.

/// The keysym for a key event; `None` for keys that type nothing by themselves (dead keys
/// of a compose sequence, IME processing, unknown keys).
pub fn keysym(key: &str, code: &str) -> Option<u32> {
    if let Some(sym) = by_code(code, key) {
        return Some(sym);
    }
    if let Some(sym) = named(key) {
        return Some(sym);
    }
    let mut chars = key.chars();
    let c = chars.next()?;
    if chars.next().is_some() {
        return None;
    }
    Some(char_keysym(c))
}

/// A character's keysym: Latin-1 is its own code, the rest of Unicode 0x0100_0000 + code point.
pub fn char_keysym(c: char) -> u32 {
    match c as u32 {
        cp @ (0x20..=0x7e | 0xa0..=0xff) => cp,
        cp => 0x0100_0000 + cp,
    }
}

/// Keys that differ by position: left and right modifiers, the keypad.
fn by_code(code: &str, key: &str) -> Option<u32> {
    Some(match code {
        "ShiftLeft" => 0xffe1,
        "ShiftRight" => 0xffe2,
        "ControlLeft" => 0xffe3,
        "ControlRight" => 0xffe4,
        "AltLeft" => 0xffe9,
        // AltGr on layouts that have it: the third level, not Alt.
        "AltRight" if key == "AltGraph" => 0xfe03,
        "AltRight" => 0xffea,
        "MetaLeft" | "OSLeft" => 0xffeb,
        "MetaRight" | "OSRight" => 0xffec,
        "NumpadEnter" => 0xff8d,
        "NumpadAdd" => 0xffab,
        "NumpadSubtract" => 0xffad,
        "NumpadMultiply" => 0xffaa,
        "NumpadDivide" => 0xffaf,
        "NumpadDecimal" if key == "Delete" => 0xff9f,
        "NumpadDecimal" => 0xffae,
        c if c.starts_with("Numpad") => {
            // With NumLock on, `key` is the digit; off, it names the movement key.
            let d = c.strip_prefix("Numpad")?.parse::<u32>().ok().filter(|d| *d <= 9)?;
            match key.chars().next() {
                Some(k) if k.is_ascii_digit() => 0xffb0 + d,
                _ => keypad_movement(key)?,
            }
        }
        _ => return None,
    })
}

fn keypad_movement(key: &str) -> Option<u32> {
    Some(match key {
        "Home" => 0xff95,
        "ArrowLeft" => 0xff96,
        "ArrowUp" => 0xff97,
        "ArrowRight" => 0xff98,
        "ArrowDown" => 0xff99,
        "PageUp" => 0xff9a,
        "PageDown" => 0xff9b,
        "End" => 0xff9c,
        "Clear" => 0xff9d,
        "Insert" => 0xff9e,
        "Delete" => 0xff9f,
        _ => return None,
    })
}

fn named(key: &str) -> Option<u32> {
    if let Some(n) = key.strip_prefix('F').and_then(|n| n.parse::<u32>().ok()) {
        // F1 is 0xffbe; X11 names function keys up to F35.
        return (1..=35).contains(&n).then(|| 0xffbe + n - 1);
    }
    Some(match key {
        "Backspace" => 0xff08,
        "Tab" => 0xff09,
        "Enter" => 0xff0d,
        "Pause" => 0xff13,
        "ScrollLock" => 0xff14,
        "Escape" => 0xff1b,
        "Home" => 0xff50,
        "ArrowLeft" => 0xff51,
        "ArrowUp" => 0xff52,
        "ArrowRight" => 0xff53,
        "ArrowDown" => 0xff54,
        "PageUp" => 0xff55,
        "PageDown" => 0xff56,
        "End" => 0xff57,
        "PrintScreen" => 0xff61,
        "Insert" => 0xff63,
        "ContextMenu" => 0xff67,
        "NumLock" => 0xff7f,
        "CapsLock" => 0xffe5,
        "Delete" => 0xffff,
        "AltGraph" => 0xfe03,
        // Modifiers without a known side (synthetic events): the left one.
        "Shift" => 0xffe1,
        "Control" => 0xffe3,
        "Alt" => 0xffe9,
        "Meta" | "OS" => 0xffeb,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::keysym;

    #[test]
    fn characters_go_by_what_was_typed() {
        let cases = [
            ("a", "KeyA", 0x61),
            ("A", "KeyA", 0x41),
            ("!", "Digit1", 0x21),
            (" ", "Space", 0x20),
            (">", "Period", 0x3e),
            ("é", "Digit2", 0xe9),
            ("ß", "Minus", 0xdf),
            ("€", "KeyE", 0x0100_20ac),
            ("ж", "Semicolon", 0x0100_0436),
            ("中", "KeyZ", 0x0100_4e2d),
        ];
        for (key, code, want) in cases {
            assert_eq!(keysym(key, code), Some(want), "{key} {code}");
        }
    }

    #[test]
    fn named_keys_and_function_keys() {
        let cases = [
            ("Enter", "Enter", 0xff0d),
            ("Backspace", "Backspace", 0xff08),
            ("Tab", "Tab", 0xff09),
            ("Escape", "Escape", 0xff1b),
            ("ArrowUp", "ArrowUp", 0xff52),
            ("PageDown", "PageDown", 0xff56),
            ("Delete", "Delete", 0xffff),
            ("F1", "F1", 0xffbe),
            ("F12", "F12", 0xffc9),
            ("F24", "F24", 0xffd5),
            ("CapsLock", "CapsLock", 0xffe5),
            ("PrintScreen", "PrintScreen", 0xff61),
        ];
        for (key, code, want) in cases {
            assert_eq!(keysym(key, code), Some(want), "{key}");
        }
    }

    #[test]
    fn modifiers_and_the_keypad_go_by_position() {
        assert_eq!(keysym("Shift", "ShiftRight"), Some(0xffe2));
        assert_eq!(keysym("Control", "ControlLeft"), Some(0xffe3));
        assert_eq!(keysym("Alt", "AltRight"), Some(0xffea));
        assert_eq!(keysym("AltGraph", "AltRight"), Some(0xfe03));
        assert_eq!(keysym("Meta", "MetaLeft"), Some(0xffeb));
        assert_eq!(keysym("7", "Numpad7"), Some(0xffb7));
        assert_eq!(keysym("Home", "Numpad7"), Some(0xff95));
        assert_eq!(keysym("Enter", "NumpadEnter"), Some(0xff8d));
        assert_eq!(keysym("+", "NumpadAdd"), Some(0xffab));
        assert_eq!(keysym(",", "NumpadDecimal"), Some(0xffae));
    }

    #[test]
    fn keys_that_type_nothing_by_themselves_are_skipped() {
        for (key, code) in [("Dead", "BracketLeft"), ("Process", "KeyA"), ("Unidentified", ""), ("F36", "F36"), ("", "")] {
            assert_eq!(keysym(key, code), None, "{key}");
        }
    }
}
