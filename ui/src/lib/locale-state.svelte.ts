// The UI language as a reactive cell. `t` and `getLocale` (i18n.ts) read it, so whatever
// called them re-runs when it changes. A plain signal read: a table row calling `t` a dozen
// times subscribes to one cell and creates nothing per call.
import type { Locale } from './i18n';

export const localeCell = $state<{ current: Locale }>({ current: 'en' });
