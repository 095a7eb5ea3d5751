// The send-keys menu: the combinations a guest needs that the workstation would keep for
// itself (Ctrl+Alt+Del, switching virtual terminals, killing X, PrintScreen).
import type { KeyCombo } from '../../bindings/KeyCombo';
import type { MessageKey } from '../i18n';

export interface ComboItem {
  combo: KeyCombo;
  /** data-testid suffix: console-combo-<id>. */
  id: string;
  label: MessageKey;
  params?: Record<string, number>;
}

export const COMBOS: readonly ComboItem[] = [
  { combo: { kind: 'ctrl_alt_del' }, id: 'ctrl-alt-del', label: 'console.comboCtrlAltDel' },
  { combo: { kind: 'ctrl_alt_backspace' }, id: 'ctrl-alt-backspace', label: 'console.comboCtrlAltBackspace' },
  { combo: { kind: 'print_screen' }, id: 'print-screen', label: 'console.comboPrintScreen' },
  ...Array.from({ length: 12 }, (_, i) => ({
    combo: { kind: 'ctrl_alt_f', n: i + 1 } as KeyCombo,
    id: `ctrl-alt-f${i + 1}`,
    label: 'console.comboCtrlAltF' as MessageKey,
    params: { n: i + 1 },
  })),
];
