// The question a host asks before it connects, on its own: what each kind shows, the answer
// each button sends, and a refusal shown beside the question.
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { HostPrompt } from '../bindings/HostPrompt';
import type { PromptAnswer } from '../bindings/PromptAnswer';
import { setLocale } from '../lib/i18n';
import { host, sshSpec } from '../lib/testing';
import HostPromptDialog from './HostPromptDialog.svelte';

const FINGERPRINT = 'SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8';
const lab = host({ id: '4', name: 'lab', kind: 'ssh', uri: 'ssh://root@lab.example.org:2222', ssh: sshSpec({ host: 'lab.example.org', port: 2222 }) });

const byTestId = <T extends HTMLElement = HTMLElement>(id: string) => screen.getByTestId(id) as T;
let onanswer: ReturnType<typeof vi.fn<(answer: PromptAnswer) => Promise<void>>>;
let onputoff: ReturnType<typeof vi.fn<() => void>>;

function ask(prompt: HostPrompt) {
  render(HostPromptDialog, { props: { host: lab, prompt, onanswer, onputoff } });
}

beforeEach(() => {
  setLocale('en');
  onanswer = vi.fn(async () => {});
  onputoff = vi.fn();
});

afterEach(() => setLocale('en'));

describe('an unknown host key', () => {
  const prompt: HostPrompt = { kind: 'host_key', key_type: 'ssh-ed25519', fingerprint: FINGERPRINT };

  it('explains the question and shows the server, key type and whole fingerprint, selectable', () => {
    ask(prompt);
    const dialog = screen.getByRole('alertdialog');
    expect(dialog.querySelector('h2')?.textContent).toBe('Trust the server of “lab”?');
    expect(dialog.textContent).toContain("has not seen this server's key before");
    expect(dialog.textContent).toContain('root@lab.example.org:2222');
    expect(dialog.textContent).toContain('ssh-ed25519');
    const fingerprint = byTestId('host-key-fingerprint');
    expect(fingerprint.textContent).toBe(FINGERPRINT);
    // A <code>: monospace and selectable by the app's shared styles.
    expect(fingerprint.tagName).toBe('CODE');
    // Focus on the safe choice.
    expect(document.activeElement?.textContent?.trim()).toBe('Cancel');
  });

  it('accepts exactly the fingerprint shown', async () => {
    ask(prompt);
    await fireEvent.click(byTestId('host-key-accept'));
    expect(onanswer).toHaveBeenCalledWith({ kind: 'accept_host_key', fingerprint: FINGERPRINT });
  });

  it('refuses, or answers "not now" with Cancel', async () => {
    ask(prompt);
    await fireEvent.click(byTestId('host-key-refuse'));
    expect(onanswer).toHaveBeenLastCalledWith({ kind: 'refuse_host_key' });
    await fireEvent.click(screen.getByText('Cancel'));
    expect(onanswer).toHaveBeenLastCalledWith({ kind: 'cancel' });
    expect(onputoff).not.toHaveBeenCalled();
  });

  it('is only put off by Escape and the backdrop, answering nothing', async () => {
    ask(prompt);
    await fireEvent.keyDown(window, { key: 'Escape' });
    const backdrop = screen.getByRole('alertdialog').parentElement!;
    await fireEvent.mouseDown(backdrop);
    await fireEvent.click(backdrop);
    expect(onputoff).toHaveBeenCalledTimes(2);
    expect(onanswer).not.toHaveBeenCalled();
  });

  it('shows the core\'s refusal beside the question, which stays', async () => {
    onanswer.mockRejectedValueOnce({
      code: 'invalid_input',
      message: `invalid host key: the fingerprint given (SHA256:x) is not the server's (${FINGERPRINT})`,
      hint: 'Correct the value and try again.',
    });
    ask(prompt);
    await fireEvent.click(byTestId('host-key-accept'));
    const error = await screen.findByTestId('host-prompt-error');
    expect(error.textContent).toContain('The input is not valid.');
    expect(error.textContent).toContain("is not the server's");
    expect(byTestId<HTMLButtonElement>('host-key-accept').disabled).toBe(false);
  });

  it('asks in Chinese too', () => {
    setLocale('zh');
    ask(prompt);
    expect(screen.getByRole('alertdialog').querySelector('h2')?.textContent).toBe('信任“lab”的服务器？');
    expect(byTestId('host-key-accept').textContent?.trim()).toBe('接受');
  });
});

describe('a password', () => {
  const secret = () => byTestId<HTMLInputElement>('host-secret');
  const submit = () => byTestId<HTMLButtonElement>('host-secret-submit');

  it('is typed into a password field that keeps nothing, and sent on Sign in', async () => {
    ask({ kind: 'password', retry: false });
    expect(screen.getByRole('dialog').querySelector('h2')?.textContent).toBe('Sign in to “lab”');
    expect(secret().type).toBe('password');
    expect(secret().getAttribute('autocomplete')).toBe('off');
    expect(document.activeElement).toBe(secret());
    expect(submit().disabled).toBe(true);
    expect(screen.queryByTestId('host-secret-retry')).toBeNull();

    await fireEvent.input(secret(), { target: { value: 'hunter2' } });
    expect(submit().disabled).toBe(false);
    await fireEvent.click(submit());
    expect(onanswer).toHaveBeenCalledWith({ kind: 'secret', secret: 'hunter2' });
    expect(secret().value).toBe('');
    expect(submit().disabled).toBe(true);
  });

  it('is sent with Enter too, and not when empty', async () => {
    ask({ kind: 'password', retry: false });
    await fireEvent.submit(secret().form!);
    expect(onanswer).not.toHaveBeenCalled();
    await fireEvent.input(secret(), { target: { value: 'pw' } });
    await fireEvent.submit(secret().form!);
    expect(onanswer).toHaveBeenCalledWith({ kind: 'secret', secret: 'pw' });
  });

  it('says when the last one was refused', () => {
    ask({ kind: 'password', retry: true });
    expect(byTestId('host-secret-retry').textContent).toBe('That password was not accepted. Try again.');
    expect(secret().getAttribute('aria-invalid')).toBe('true');
  });

  it('can be declined', async () => {
    ask({ kind: 'password', retry: false });
    await fireEvent.click(screen.getByText('Cancel'));
    expect(onanswer).toHaveBeenCalledWith({ kind: 'cancel' });
  });
});

describe('a key passphrase', () => {
  it('names the key and says when the last one was wrong', async () => {
    ask({ kind: 'passphrase', path: '~/.ssh/id_ed25519', retry: true });
    const dialog = screen.getByRole('dialog');
    expect(dialog.querySelector('h2')?.textContent).toBe('Unlock the key for “lab”');
    expect(dialog.textContent).toContain('The passphrase of the key ~/.ssh/id_ed25519.');
    expect(byTestId('host-secret-retry').textContent).toBe('That passphrase is wrong. Try again.');
    await fireEvent.input(byTestId('host-secret'), { target: { value: 'open sesame' } });
    await fireEvent.click(byTestId('host-secret-submit'));
    await waitFor(() => expect(onanswer).toHaveBeenCalledWith({ kind: 'secret', secret: 'open sesame' }));
    expect(byTestId<HTMLInputElement>('host-secret').value).toBe('');
  });
});
