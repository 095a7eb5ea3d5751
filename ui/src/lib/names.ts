// The name rules of the core, checked in the UI before anything is sent. The VM name rule is
// not written here: its character classes and length come from crates/vireo-core/src/rules.rs
// through the generated bindings/rules.ts. names.test.ts runs every case of
// bindings/validation-cases.json, so a verdict that differs from Rust's fails the build.
import { NAME_CHAR, NAME_FIRST_CHAR, NAME_MAX_CHARS } from '../bindings/rules';

const FIRST = new RegExp(`^${NAME_FIRST_CHAR}$`, 'u');
const OTHER = new RegExp(`^${NAME_CHAR}$`, 'u');
// Rust's `char::is_control` (category Cc) and `str::trim` (the White_Space property). JS's own
// String#trim differs: it strips U+FEFF and keeps U+0085.
const CONTROL = /\p{Cc}/u;
const INVISIBLE = /^[\p{White_Space}\p{Cc}]$/u;
const EDGE_SPACE = /^\p{White_Space}+|\p{White_Space}+$/gu;

/** Why a name is refused, in parts the UI translates (names.ts has no words of its own). */
export type NameProblem =
  | { kind: 'empty' }
  | { kind: 'too_long'; length: number; max: number }
  | { kind: 'bad_start'; char: string }
  | { kind: 'bad_char'; char: string }
  | { kind: 'control' };

/** Length as Rust counts it: Unicode scalar values, not UTF-16 units ("名" is 1, an emoji 1). */
function charCount(s: string): number {
  return [...s].length;
}

/** A VM name Vireo creates (Rust: `validate::vm_name`, `rules::name_problem`); null when it is fine. */
export function vmNameProblem(name: string): NameProblem | null {
  const chars = [...name];
  if (chars.length === 0) return { kind: 'empty' };
  if (chars.length > NAME_MAX_CHARS) return { kind: 'too_long', length: chars.length, max: NAME_MAX_CHARS };
  if (!FIRST.test(chars[0])) return { kind: 'bad_start', char: chars[0] };
  const bad = chars.slice(1).find((c) => !OTHER.test(c));
  return bad === undefined ? null : { kind: 'bad_char', char: bad };
}

/** Text as the core keeps it: surrounding white space dropped (Rust's `str::trim`). */
export function trimWhiteSpace(name: string): string {
  return name.replace(EDGE_SPACE, '');
}

/**
 * A saved host's display name (Rust: `validate::host_name`): any text but control
 * characters, trimmed, of the same length limit as the names Vireo creates.
 */
export function hostNameProblem(name: string): NameProblem | null {
  const trimmed = trimWhiteSpace(name);
  if (trimmed === '') return { kind: 'empty' };
  const length = charCount(trimmed);
  if (length > NAME_MAX_CHARS) return { kind: 'too_long', length, max: NAME_MAX_CHARS };
  if (CONTROL.test(trimmed)) return { kind: 'control' };
  return null;
}

/**
 * How a refused character is shown, as the core shows it: invisible ones by code point
 * (U+0009), a space by the caller's word for it, others quoted.
 */
export function showChar(char: string, space: string): string {
  if (char === ' ') return space;
  if (INVISIBLE.test(char)) return `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
  return `'${char}'`;
}
