import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import en from '../locales/en.json';
import zh from '../locales/zh.json';
import { detectLocale, getLocale, hasKey, setLocale, t } from './i18n';
import * as labels from './labels';

// From the string form: jsdom replaces the global URL, which node's fileURLToPath rejects.
const SRC = dirname(dirname(fileURLToPath(import.meta.url)));

/** The app's own sources: what ships, not tests or the generated bindings. */
function sources(dir = SRC): { path: string; text: string }[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'bindings' ? [] : sources(path);
    if (!/\.(ts|svelte)$/.test(entry.name) || /\.test\.ts$/.test(entry.name)) return [];
    return [{ path: relative(SRC, path), text: readFileSync(path, 'utf8') }];
  });
}

const files = sources();
const enKeys = Object.keys(en).sort();
const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

afterEach(() => setLocale('en'));

describe('locale files', () => {
  it('have exactly the same keys', () => {
    expect(Object.keys(zh).sort()).toEqual(enKeys);
  });

  it('have no empty texts and the same placeholders per key', () => {
    for (const key of enKeys) {
      const e = en[key as keyof typeof en];
      const z = zh[key as keyof typeof zh];
      expect(e.trim(), key).not.toBe('');
      expect(z.trim(), key).not.toBe('');
      expect(placeholders(z), key).toEqual(placeholders(e));
    }
  });
});

describe('keys used in the sources', () => {
  it('scans a plausible set of files', () => {
    expect(files.some((f) => f.path.endsWith('.svelte'))).toBe(true);
    expect(files.length).toBeGreaterThan(10);
  });

  it('every t() key exists', () => {
    const missing: string[] = [];
    let calls = 0;
    for (const { path, text } of files) {
      for (const m of text.matchAll(/\bt\(\s*(['"])([^'"]+)\1/g)) {
        calls++;
        if (!hasKey(m[2])) missing.push(`${path}: ${m[2]}`);
      }
    }
    expect(missing).toEqual([]);
    expect(calls).toBeGreaterThan(20);
  });

  it('no t() call builds its key at run time (the scan could not check it)', () => {
    const dynamic = files.flatMap(({ path, text }) =>
      [...text.matchAll(/\bt\(\s*`[^`]*\$\{/g)].map(() => path),
    );
    expect(dynamic).toEqual([]);
  });

  it('every key in the label tables exists', () => {
    const tables = Object.values(labels) as Record<string, string>[];
    const missing = tables.flatMap((table) => Object.values(table).filter((key) => !hasKey(key)));
    expect(missing).toEqual([]);
  });

  it('every locale key is used somewhere (no stale translations)', () => {
    const all = files.map((f) => f.text).join('\n');
    const unused = enKeys.filter((key) => !all.includes(`'${key}'`) && !all.includes(`"${key}"`));
    expect(unused).toEqual([]);
  });
});

describe('t', () => {
  it('translates and fills placeholders', () => {
    setLocale('zh');
    expect(t('action.start')).toBe('启动');
    expect(t('confirm.destroy.title', { name: 'web' })).toBe('强制关闭“web”？');
    setLocale('en');
    expect(t('confirm.destroy.title', { name: 'web' })).toBe('Force off “web”?');
  });

  it('leaves unknown placeholders visible rather than dropping text', () => {
    expect(t('confirm.destroy.title')).toBe('Force off “{name}”?');
  });
});

describe('locale choice', () => {
  it('persists the choice and sets the document language', () => {
    setLocale('zh');
    expect(getLocale()).toBe('zh');
    expect(localStorage.getItem('vireo.locale')).toBe('zh');
    expect(document.documentElement.lang).toBe('zh-CN');
    expect(detectLocale()).toBe('zh');
  });

  it('falls back to the system language', () => {
    localStorage.removeItem('vireo.locale');
    const spy = Object.getOwnPropertyDescriptor(Navigator.prototype, 'language')!;
    try {
      Object.defineProperty(Navigator.prototype, 'language', { configurable: true, get: () => 'zh-TW' });
      expect(detectLocale()).toBe('zh');
      Object.defineProperty(Navigator.prototype, 'language', { configurable: true, get: () => 'de-DE' });
      expect(detectLocale()).toBe('en');
    } finally {
      Object.defineProperty(Navigator.prototype, 'language', spy);
    }
  });
});
