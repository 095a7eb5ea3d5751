// Turning whatever a backend call rejected with into something to show.
import type { ErrorPayload } from '../bindings/ErrorPayload';
import { t } from './i18n';
import { ERROR_HINT, ERROR_TITLE } from './labels';

function isPayload(value: unknown): value is ErrorPayload {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.code === 'string' && typeof v.message === 'string';
}

/**
 * Commands reject with an ErrorPayload, but Tauri itself rejects with a plain string
 * (e.g. an unknown command) and a missing bridge throws an Error; all become payloads.
 */
export function toErrorPayload(error: unknown): ErrorPayload {
  if (isPayload(error)) return { code: error.code, message: error.message, hint: error.hint ?? null };
  if (error instanceof Error) return { code: 'unknown', message: error.message, hint: null };
  return { code: 'unknown', message: String(error), hint: null };
}

export interface ErrorView {
  title: string;
  /** The core's own message, kept under a translated title because it names the VM/host. */
  detail: string | null;
  hint: string | null;
}

export function describeError(error: ErrorPayload): ErrorView {
  const own = (table: Readonly<Record<string, string>>) => Object.prototype.hasOwnProperty.call(table, error.code);
  const titleKey = own(ERROR_TITLE) ? ERROR_TITLE[error.code] : undefined;
  const hintKey = own(ERROR_HINT) ? ERROR_HINT[error.code] : undefined;
  return {
    title: titleKey ? t(titleKey) : error.message,
    detail: titleKey ? error.message : null,
    hint: hintKey ? t(hintKey) : error.hint,
  };
}
