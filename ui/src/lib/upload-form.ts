// The ISO upload form's checks, in the UI language before sending (the core checks again).
import type { MessageKey } from './i18n';
import { vmNameProblem } from './names';

export function uploadProblems(path: string, name: string, sha: string): { path?: MessageKey; name?: MessageKey; sha?: MessageKey } {
  const p: { path?: MessageKey; name?: MessageKey; sha?: MessageKey } = {};
  const file = path.trim();
  if (!file.startsWith('/')) p.path = 'isos.problem.path';
  const n = name.trim();
  if (n !== '' && vmNameProblem(n) !== null) p.name = 'isos.problem.name';
  const s = sha.trim();
  if (s !== '' && !/^[0-9a-fA-F]{64}$/.test(s)) p.sha = 'isos.problem.sha';
  return p;
}
