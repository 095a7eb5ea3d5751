import { describe, expect, it } from 'vitest';
import { compareNames, compareNamesStrict } from './collate';

const sorted = (names: string[], locale: 'en' | 'zh' = 'en') =>
  [...names].sort((a, b) => compareNamesStrict(a, b, locale));

describe('compareNames', () => {
  it('puts numbers in numeric order', () => {
    expect(sorted(['bench-10', 'bench-2', 'bench-1'])).toEqual(['bench-1', 'bench-2', 'bench-10']);
    expect(sorted(['10', '2', '1'])).toEqual(['1', '2', '10']);
  });

  it('ignores case, so capitals do not jump ahead', () => {
    expect(sorted(['My VM', 'aaa', 'Zeta', 'beta'])).toEqual(['aaa', 'beta', 'My VM', 'Zeta']);
    expect(compareNames('WEB', 'web', 'en')).toBe(0);
  });

  it('ignores accents at the first level', () => {
    expect(compareNames('café', 'cafe', 'en')).toBe(0);
  });

  it('still orders names that differ only in case, the same way every time', () => {
    expect(sorted(['web', 'Web'])).toEqual(sorted(['Web', 'web']));
    expect(compareNamesStrict('web', 'Web', 'en')).not.toBe(0);
  });

  it('sorts Chinese names by pinyin in zh', () => {
    // 北 (bei) before 上 (shang) before 中 (zhong).
    expect(sorted(['中', '上', '北'], 'zh')).toEqual(['北', '上', '中']);
  });
});
