// A refused name, said in the UI language. The core's own message is English; this one
// names the same problem (the same character, the same count) for the person typing.
import { t } from './i18n';
import { showChar, type NameProblem } from './names';

export function nameProblemText(problem: NameProblem): string {
  switch (problem.kind) {
    case 'empty':
      return t('name.empty');
    case 'too_long':
      return t('name.tooLong', { length: problem.length, max: problem.max });
    case 'bad_start':
      return t('name.badStart', { char: showChar(problem.char, t('name.space')) });
    case 'bad_char':
      return t('name.badChar', { char: showChar(problem.char, t('name.space')) });
    case 'control':
      return t('name.control');
  }
}
