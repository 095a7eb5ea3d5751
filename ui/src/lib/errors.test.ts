import { afterEach, describe, expect, it } from 'vitest';
import { describeError, toErrorPayload } from './errors';
import { setLocale } from './i18n';

afterEach(() => setLocale('en'));

describe('toErrorPayload', () => {
  it('passes payloads through', () => {
    const p = { code: 'timeout', message: 'slow', hint: null };
    expect(toErrorPayload(p)).toEqual(p);
  });

  it('wraps strings and Errors', () => {
    expect(toErrorPayload('command list_vms not found')).toEqual({
      code: 'unknown',
      message: 'command list_vms not found',
      hint: null,
    });
    expect(toErrorPayload(new TypeError('no bridge'))).toMatchObject({ code: 'unknown', message: 'no bridge' });
  });
});

describe('describeError', () => {
  const invalidState = {
    code: 'invalid_state',
    message: "cannot start 'web': it is running",
    hint: 'Wait for the VM to reach a state where this action applies.',
  };

  it('translates known codes and keeps the core message as detail', () => {
    setLocale('zh');
    expect(describeError(invalidState)).toEqual({
      title: '此操作不适用于虚拟机的当前状态。',
      detail: "cannot start 'web': it is running",
      hint: '请等待虚拟机进入适用此操作的状态。',
    });
  });

  it('keeps the core hint when there is no translated one', () => {
    const view = describeError({ code: 'libvirt', message: 'libvirt refused to start: boom', hint: 'try later' });
    expect(view).toEqual({ title: 'libvirt refused the request.', detail: 'libvirt refused to start: boom', hint: 'try later' });
  });

  it('shows the message itself for unknown codes', () => {
    expect(describeError({ code: 'weird', message: 'Something odd', hint: null })).toEqual({
      title: 'Something odd',
      detail: null,
      hint: null,
    });
  });

  it('does not treat inherited object keys as codes', () => {
    expect(describeError({ code: 'toString', message: 'x', hint: null }).title).toBe('x');
  });
});
