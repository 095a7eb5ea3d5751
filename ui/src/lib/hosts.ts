// Pure operations on the host list shown in the sidebar.
import type { HostEvent } from '../bindings/HostEvent';
import type { HostPrompt } from '../bindings/HostPrompt';
import type { HostSummary } from '../bindings/HostSummary';
import type { SshSpec } from '../bindings/SshSpec';
import { compareNames, compareNamesStrict } from './collate';
import type { Locale } from './i18n';

export type HostStatusEvent = Extract<HostEvent, { kind: 'host_status' }>;

export interface HostStatusResult {
  hosts: HostSummary[];
  /** False when the event names a host we have not listed (added meanwhile): re-list hosts. */
  known: boolean;
}

export function applyHostStatus(hosts: readonly HostSummary[], ev: HostStatusEvent): HostStatusResult {
  let known = false;
  const next = hosts.map((host) => {
    if (host.id !== ev.host_id) return host;
    known = true;
    return { ...host, status: ev.status, error: ev.error, prompt: ev.prompt, retrying: ev.retrying };
  });
  return { hosts: next, known };
}

/**
 * Sidebar order: by name as people read them, ties (names differing only in case) by id as
 * a number ("2" before "10"; ids are the store's row numbers, sent as text).
 */
export function sortHosts<H extends Pick<HostSummary, 'id' | 'name'>>(hosts: readonly H[], locale: Locale): H[] {
  return [...hosts].sort((a, b) => compareNames(a.name, b.name, locale) || compareNamesStrict(a.id, b.id, locale));
}

/**
 * Whether what we last heard from the host may be out of date: only a connected host sends
 * the events that keep its VM list current (any other status means its VMs' states are unknown).
 */
export function isLive(host: Pick<HostSummary, 'status'>): boolean {
  return host.status === 'connected';
}

/** Whether the host's own message is a warning beside a working connection, not the reason it is down. */
/**
 * What the panel says about a host that is not connected: connecting, retrying by itself,
 * waiting for an answer (a host key, a password), or waiting to be connected by hand
 * (disconnected on purpose, a changed host key).
 */
export function statusNotice(
  host: Pick<HostSummary, 'status' | 'prompt' | 'retrying'>,
): 'host.connectingNotice' | 'host.disconnectedNotice' | 'host.waitingNotice' | 'host.heldNotice' {
  if (host.status === 'connecting') return 'host.connectingNotice';
  if (host.prompt !== null) return 'host.waitingNotice';
  return host.retrying ? 'host.disconnectedNotice' : 'host.heldNotice';
}

export function hostNotice(host: Pick<HostSummary, 'status' | 'error'>): 'error' | 'warning' | null {
  if (!isLive(host)) return host.status === 'disconnected' || host.error ? 'error' : null;
  return host.error ? 'warning' : null;
}

/** `user@host:port` (an IPv6 address in brackets), as an SSH host is shown. */
export function sshAddress(spec: Pick<SshSpec, 'user' | 'host' | 'port'>): string {
  const host = spec.host.includes(':') ? `[${spec.host}]` : spec.host;
  return `${spec.user}@${host}:${spec.port}`;
}

/** Where the host is, as people read it: `user@host:port` for an SSH host, else its URI. */
export function hostAddress(host: Pick<HostSummary, 'uri' | 'ssh'>): string {
  return host.ssh ? sshAddress(host.ssh) : host.uri;
}

export type PromptingHost = HostSummary & { prompt: HostPrompt };

function isPrompting(host: HostSummary): host is PromptingHost {
  return host.prompt !== null;
}

/** One question of one host: a new question (another kind, a retry) is another key. */
export function promptKey(host: Pick<HostSummary, 'id' | 'prompt'>): string {
  return `${host.id} ${JSON.stringify(host.prompt)}`;
}

/**
 * The host whose question is shown: the one the user picked (its "needs you" badge), else the
 * first asking one in sidebar order; questions the user put off (`promptKey`) wait for their
 * badge. One at a time, so answering never means telling two dialogs apart.
 */
export function promptingHost(
  hosts: readonly HostSummary[],
  pickedId: string | null,
  putOff: ReadonlySet<string>,
  locale: Locale,
): PromptingHost | null {
  const waiting = hosts.filter(isPrompting).filter((h) => !putOff.has(promptKey(h)));
  return waiting.find((h) => h.id === pickedId) ?? sortHosts(waiting, locale)[0] ?? null;
}
