// Translations. Every visible string goes through `t`; the locale files are flat
// `"area.item": "text"` maps with `{param}` placeholders. `t` is reactive: it reads the
// language from a Svelte state cell (locale-state.svelte.ts), so Svelte re-renders whatever
// called it when the language changes.
import en from '../locales/en.json';
import zh from '../locales/zh.json';
import { localeCell } from './locale-state.svelte';

export type MessageKey = keyof typeof en;
export type Locale = 'en' | 'zh';
export type Params = Record<string, string | number>;

// Typed against the English keys so a key missing from zh.json fails type-checking too.
const MESSAGES: Record<Locale, Record<MessageKey, string>> = { en, zh };

export const LOCALES: readonly Locale[] = ['en', 'zh'];

const STORAGE_KEY = 'vireo.locale';

function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

/** The saved choice, else the system language (any Chinese variant gets zh), else English. */
export function detectLocale(): Locale {
  try {
    const saved = globalThis.localStorage?.getItem(STORAGE_KEY);
    if (isLocale(saved)) return saved;
  } catch {
    // Storage can be unavailable (privacy settings); fall through to the system language.
  }
  const lang = globalThis.navigator?.language?.toLowerCase() ?? '';
  return lang.startsWith('zh') ? 'zh' : 'en';
}

// Reading the cell is what makes a template or effect follow the language.
localeCell.current = detectLocale();

export function getLocale(): Locale {
  return localeCell.current;
}

export function setLocale(locale: Locale): void {
  localeCell.current = locale;
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, locale);
  } catch {
    // Not persisted; the choice still holds for this session.
  }
  syncDocumentLang();
}

/** The BCP 47 tag of a locale, for the page language and for `Intl` formatting. */
export function localeTag(locale: Locale): string {
  return locale === 'zh' ? 'zh-CN' : 'en';
}

/** Tells the webview the page language, which picks CJK fonts and line breaking for zh. */
export function syncDocumentLang(): void {
  if (typeof document !== 'undefined') document.documentElement.lang = localeTag(localeCell.current);
}

export function hasKey(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(en, key);
}

export function t(key: MessageKey, params?: Params): string {
  const template = MESSAGES[localeCell.current][key] ?? MESSAGES.en[key] ?? key;
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole,
  );
}
