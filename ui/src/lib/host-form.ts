// What the add / edit host dialog holds, and the HostTarget it sends. Pure, so the target of
// each kind of connection is tested without rendering. The core checks every field (and says
// which one it refuses); the only check here is the port's range, because a number outside
// u16 could not even be sent.
import type { HostSummary } from '../bindings/HostSummary';
import type { HostTarget } from '../bindings/HostTarget';
import type { SshAuth } from '../bindings/SshAuth';

/** This computer's libvirtd, Vireo's own SSH session, or any libvirt URI (the expert's way). */
export type ConnectionKind = 'local' | 'ssh' | 'uri';
export const CONNECTION_KINDS: readonly ConnectionKind[] = ['local', 'ssh', 'uri'];

/** The two daemons of this computer: the whole machine's, and the user's own. */
export const LOCAL_URIS = ['qemu:///system', 'qemu:///session'] as const;
export type LocalUri = (typeof LOCAL_URIS)[number];

export const SSH_AUTHS: readonly SshAuth[] = ['agent', 'key', 'password'];
export const DEFAULT_SSH_PORT = 22;

/** The SSH fields as typed (the port too, so a half-typed one is not lost). */
export interface SshFields {
  user: string;
  host: string;
  port: string;
  auth: SshAuth;
  keyPath: string;
  readOnly: boolean;
}

export interface HostForm {
  name: string;
  kind: ConnectionKind;
  local: LocalUri;
  ssh: SshFields;
  uri: string;
}

function isLocalUri(uri: string): uri is LocalUri {
  return (LOCAL_URIS as readonly string[]).includes(uri);
}

/**
 * The fields for a new host (an SSH one: the usual reason to add a host, this computer's is
 * there already), or prefilled from a saved host being edited.
 */
export function hostForm(host: HostSummary | null = null): HostForm {
  const form: HostForm = {
    name: host?.name ?? '',
    kind: 'ssh',
    local: 'qemu:///system',
    ssh: { user: '', host: '', port: String(DEFAULT_SSH_PORT), auth: 'agent', keyPath: '', readOnly: false },
    uri: '',
  };
  if (host === null) return form;
  if (host.ssh) {
    const { user, host: address, port, auth, key_path, read_only } = host.ssh;
    form.ssh = { user, host: address, port: String(port), auth, keyPath: key_path ?? '', readOnly: read_only };
  } else if (isLocalUri(host.uri)) {
    form.kind = 'local';
    form.local = host.uri;
  } else {
    form.kind = 'uri';
    form.uri = host.uri;
  }
  return form;
}

/** The port as a number, or null when the text is not one from 1 to 65535. */
export function parsePort(text: string): number | null {
  const trimmed = text.trim();
  if (!/^\d{1,5}$/.test(trimmed)) return null;
  const port = Number(trimmed);
  return port >= 1 && port <= 65535 ? port : null;
}

/** Whether everything the chosen kind needs is filled in (and the port is one). */
export function formReady(form: HostForm): boolean {
  if (form.name.trim() === '') return false;
  switch (form.kind) {
    case 'local':
      return true;
    case 'uri':
      return form.uri.trim() !== '';
    case 'ssh': {
      const { user, host, port, auth, keyPath } = form.ssh;
      const filled = user.trim() !== '' && host.trim() !== '' && (auth !== 'key' || keyPath.trim() !== '');
      return filled && parsePort(port) !== null;
    }
  }
}

/** What the dialog sends for a ready form. Fields of the other kinds are not sent. */
export function formTarget(form: HostForm): HostTarget {
  switch (form.kind) {
    case 'local':
      return { type: 'uri', uri: form.local };
    case 'uri':
      return { type: 'uri', uri: form.uri.trim() };
    case 'ssh': {
      const { user, host, port, auth, keyPath, readOnly } = form.ssh;
      return {
        type: 'ssh',
        spec: {
          user: user.trim(),
          host: host.trim(),
          port: parsePort(port) ?? DEFAULT_SSH_PORT,
          auth,
          // A path typed before switching to another method is not the host's key.
          key_path: auth === 'key' ? keyPath.trim() : null,
          read_only: readOnly,
        },
      };
    }
  }
}
