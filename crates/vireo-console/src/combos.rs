//! Key combinations the viewer cannot pass on from the user's keyboard (the desktop or
//! the webview would act on them first), as keysyms pressed in order and released in
//! reverse.

use vireo_core::KeyCombo;

const CONTROL_L: u32 = 0xffe3;
const ALT_L: u32 = 0xffe9;
const DELETE: u32 = 0xffff;
const BACKSPACE: u32 = 0xff08;
const PRINT: u32 = 0xff61;
const F1: u32 = 0xffbe;

/// The key events of a combination: `(keysym, down)` in the order to send them.
pub fn key_events(combo: KeyCombo) -> Vec<(u32, bool)> {
    let keys: Vec<u32> = match combo {
        KeyCombo::CtrlAltDel => vec![CONTROL_L, ALT_L, DELETE],
        KeyCombo::CtrlAltF { n } => vec![CONTROL_L, ALT_L, F1 + u32::from(n.clamp(1, 12)) - 1],
        KeyCombo::CtrlAltBackspace => vec![CONTROL_L, ALT_L, BACKSPACE],
        KeyCombo::PrintScreen => vec![PRINT],
    };
    keys.iter().map(|k| (*k, true)).chain(keys.iter().rev().map(|k| (*k, false))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pressed_in_order_released_in_reverse() {
        assert_eq!(
            key_events(KeyCombo::CtrlAltDel),
            [(CONTROL_L, true), (ALT_L, true), (DELETE, true), (DELETE, false), (ALT_L, false), (CONTROL_L, false)]
        );
        assert_eq!(key_events(KeyCombo::CtrlAltF { n: 2 })[2], (0xffbf, true));
        assert_eq!(key_events(KeyCombo::CtrlAltF { n: 12 })[2], (0xffc9, true));
        assert_eq!(key_events(KeyCombo::PrintScreen), [(PRINT, true), (PRINT, false)]);
    }
}
