// The UI's name checks against the core's own verdicts: every case Rust wrote into
// bindings/validation-cases.json must get the same accept/refuse answer here, and a refusal
// must name what the core names.
import { afterEach, describe, expect, it } from 'vitest';
import cases from '../bindings/validation-cases.json';
import { NAME_MAX_CHARS } from '../bindings/rules';
import { setLocale } from './i18n';
import { nameProblemText } from './name-messages';
import { hostNameProblem, showChar, trimWhiteSpace, vmNameProblem, type NameProblem } from './names';

afterEach(() => setLocale('en'));

/** What the problem names, as the core words it, which its message must contain. */
function named(problem: NameProblem): string {
  switch (problem.kind) {
    case 'empty':
      return 'it is empty';
    case 'too_long':
      // Both rules' messages give the limit (only the VM one also gives the length).
      return String(problem.max);
    case 'bad_start':
    case 'bad_char':
      return showChar(problem.char, 'a space');
    case 'control':
      return 'control characters';
  }
}

const validators = { vm_name: vmNameProblem, host_name: hostNameProblem } as const;

for (const [field, check] of Object.entries(validators) as [keyof typeof validators, typeof vmNameProblem][]) {
  describe(`${field} agrees with the core`, () => {
    it('has cases to run', () => {
      expect(cases[field].length).toBeGreaterThan(5);
      expect(cases[field].some((c) => c.error === null)).toBe(true);
      expect(cases[field].some((c) => c.error !== null)).toBe(true);
    });

    for (const { input, error } of cases[field]) {
      it(`${error ? 'refuses' : 'accepts'} ${JSON.stringify(input)}`, () => {
        const problem = check(input);
        expect(problem === null, error?.message ?? 'accepted by the core').toBe(error === null);
        if (problem && error) {
          expect(error.code).toBe('invalid_input');
          expect(error.message).toContain(named(problem));
          expect(nameProblemText(problem)).toContain(named(problem).replace('it is empty', 'empty'));
        }
      });
    }
  });
}

describe('vmNameProblem', () => {
  it('counts characters, not UTF-16 units', () => {
    expect(vmNameProblem('名'.repeat(NAME_MAX_CHARS))).toBeNull();
    // Outside the BMP: two UTF-16 units, one character.
    expect(vmNameProblem('𝒳'.repeat(NAME_MAX_CHARS))).toBeNull();
    expect(vmNameProblem('名'.repeat(NAME_MAX_CHARS + 1))).toEqual({ kind: 'too_long', length: 65, max: 64 });
  });

  it('reports the first offending character', () => {
    expect(vmNameProblem('a+b c')).toEqual({ kind: 'bad_char', char: '+' });
    expect(vmNameProblem('_x')).toEqual({ kind: 'bad_start', char: '_' });
  });
});

describe('hostNameProblem', () => {
  it('trims white space as Rust does', () => {
    expect(trimWhiteSpace('\u00a0 Lab\u3000')).toBe('Lab');
    expect(hostNameProblem('\u0085')).toEqual({ kind: 'empty' });
    // U+FEFF is no white space to Rust (JS's own trim would drop it).
    expect(trimWhiteSpace('\ufeffLab')).toBe('\ufeffLab');
  });
});

describe('nameProblemText', () => {
  it('names the problem in the UI language', () => {
    expect(nameProblemText({ kind: 'bad_char', char: ' ' })).toBe("The name contains a space; use only letters, digits, '.', '_' and '-'.");
    expect(nameProblemText({ kind: 'bad_start', char: '\t' })).toContain('U+0009');
    setLocale('zh');
    expect(nameProblemText({ kind: 'bad_char', char: ' ' })).toContain('空格');
    expect(nameProblemText({ kind: 'too_long', length: 65, max: 64 })).toContain('65');
    expect(nameProblemText({ kind: 'empty' })).toBe('名称为空。');
  });
});
