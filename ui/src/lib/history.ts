// Pure helpers for the history view: how one recorded change reads in a table row.
import type { HistoryEntry } from '../bindings/HistoryEntry';
import { NO_VALUE } from './format';
import { localeTag, t, type Locale, type MessageKey } from './i18n';
import { ACCEL_LABEL, HISTORY_ACTION_LABEL, HISTORY_ACTOR_LABEL } from './labels';

/** How many entries the view asks for; older ones stay in the store (`vireo history` shows them). */
export const HISTORY_LIMIT = 200;

/** The table's key for `value`, ignoring inherited object keys such as `toString`. */
function lookup(table: Readonly<Record<string, MessageKey>>, value: string): MessageKey | undefined {
  return Object.prototype.hasOwnProperty.call(table, value) ? table[value] : undefined;
}

/** The translated action, or the raw value for actions this UI does not know yet. */
export function historyActionLabel(action: string): string {
  const key = lookup(HISTORY_ACTION_LABEL, action);
  return key ? t(key) : action;
}

export function historyActorLabel(actor: string): string {
  const key = lookup(HISTORY_ACTOR_LABEL, actor);
  return key ? t(key) : actor;
}

/** What the change was done to. `set_accel` records the new setting, which has a label. */
export function historyTarget(entry: Pick<HistoryEntry, 'action' | 'target'>): string {
  if (entry.action === 'set_accel') {
    const key = lookup(ACCEL_LABEL, entry.target);
    if (key) return t(key);
  }
  return entry.target;
}

// Building a formatter is costly next to using one, and a table formats up to HISTORY_LIMIT times.
const formatters = new Map<string, Intl.DateTimeFormat>();

/** Local date and time in the UI language, e.g. "Mar 4, 2025, 1:05:09 PM" / "2025年3月4日 13:05:09". */
export function formatHistoryTime(atMs: number, locale: Locale, timeZone?: string): string {
  if (!Number.isFinite(atMs)) return NO_VALUE;
  const id = `${locale}|${timeZone ?? ''}`;
  let format = formatters.get(id);
  if (!format) {
    format = new Intl.DateTimeFormat(localeTag(locale), { dateStyle: 'medium', timeStyle: 'medium', timeZone });
    formatters.set(id, format);
  }
  return format.format(atMs);
}

/** The machine-readable instant for `<time datetime>`, or null when the value is no date. */
export function isoTime(atMs: number): string | null {
  const date = new Date(atMs);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}
