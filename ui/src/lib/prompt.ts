// What each part of the host prompt dialog is given: one host's question of one kind, the
// state of the answer sent, and where answers go. The dialog (HostPromptDialog.svelte) owns
// the answer's progress; its parts only show the question and say what was chosen.
import type { ErrorPayload } from '../bindings/ErrorPayload';
import type { HostPrompt } from '../bindings/HostPrompt';
import type { HostSummary } from '../bindings/HostSummary';
import type { PromptAnswer } from '../bindings/PromptAnswer';

export interface PromptPartProps<K extends HostPrompt['kind']> {
  /** The dialog's id prefix: the part's title and body are the dialog's label and description. */
  uid: string;
  host: HostSummary;
  prompt: Extract<HostPrompt, { kind: K }>;
  /** An answer is on its way. */
  busy: boolean;
  /** The core's refusal of the last answer. */
  error: ErrorPayload | null;
  onanswer: (answer: PromptAnswer) => void;
  /** "Not now". */
  oncancel: () => void;
}
