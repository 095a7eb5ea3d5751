// Translation keys for the network kinds, shared by the page and its form.
import type { NetworkKind } from '../bindings/NetworkKind';
import type { MessageKey } from '../lib/i18n';

export const KIND_LABEL: Record<NetworkKind, MessageKey> = {
  nat: 'net.kind.nat',
  routed: 'net.kind.routed',
  isolated: 'net.kind.isolated',
  open: 'net.kind.open',
  bridge: 'net.kind.bridge',
  sriov: 'net.kind.sriov',
  other: 'net.kind.other',
};
