// The one ordering for names people read (VMs, hosts): case-insensitive, accents and
// width ignored, digits compared as numbers ("bench-2" before "bench-10"), letters in the
// UI language's order (pinyin for zh). Plain `<` or a default sort would put "10" before
// "2" and "My VM" before "aaa".
import { localeTag, type Locale } from './i18n';

// Building a collator is costly next to using one, and a list sorts with it n log n times.
const collators = new Map<Locale, Intl.Collator>();

function collator(locale: Locale): Intl.Collator {
  let c = collators.get(locale);
  if (!c) {
    c = new Intl.Collator(localeTag(locale), { numeric: true, sensitivity: 'base' });
    collators.set(locale, c);
  }
  return c;
}

/** Orders two names as a person reads them; 0 when they differ only in case or accents. */
export function compareNames(a: string, b: string, locale: Locale): number {
  return collator(locale).compare(a, b);
}

/**
 * Like compareNames, but never 0 for different strings ("web" and "Web" are two libvirt
 * names): ties fall back to code-unit order, so rows keep one place between refreshes.
 */
export function compareNamesStrict(a: string, b: string, locale: Locale): number {
  return compareNames(a, b, locale) || (a < b ? -1 : a > b ? 1 : 0);
}
