// The core's verdicts on sample inputs, exactly as Rust gave them (its bindings test writes
// bindings/validation-cases.json). The fake backend answers with these, so tests that
// use it see the core's real rejections rather than a copy of its wording.
import type { ErrorPayload } from '../bindings/ErrorPayload';
import cases from '../bindings/validation-cases.json';

export type CaseField = keyof typeof cases;

/**
 * Rust's answer for this input: the rejection, or null when accepted; undefined when the
 * input is not one of the listed cases.
 */
export function coreVerdict(field: CaseField, input: string): ErrorPayload | null | undefined {
  const found = cases[field].find((c) => c.input === input);
  if (found === undefined) return undefined;
  return found.error === null ? null : { ...found.error };
}
