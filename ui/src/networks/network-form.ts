// The Networks page's forms: a new network, a DHCP range, a static host. Checked here in
// the UI language for what needs no host (a name, a field left empty, the shape of a MAC);
// the core checks everything again, with the host's other networks, routes and addresses,
// and its refusal is shown.
import type { DhcpHost } from '../bindings/DhcpHost';
import type { IpRange } from '../bindings/IpRange';
import type { NetworkIp } from '../bindings/NetworkIp';
import type { NetworkKind } from '../bindings/NetworkKind';
import type { NewNetwork } from '../bindings/NewNetwork';
import type { MessageKey } from '../lib/i18n';
import { vmNameProblem } from '../lib/names';
import { v4Span } from './fake-networks';

/** The kinds Vireo makes, in the order the form offers them. */
export const KINDS: NetworkKind[] = ['nat', 'routed', 'isolated', 'open', 'bridge', 'sriov'];

export type DhcpChoice = 'auto' | 'range' | 'none';

export interface NetworkForm {
  name: string;
  kind: NetworkKind;
  cidr4: string;
  gateway4: string;
  dhcp4: DhcpChoice;
  start4: string;
  end4: string;
  cidr6: string;
  bridge: string;
  /** For a bridge network: make the bridge on the host first, with this NIC (may be empty) on it. */
  makeBridge: boolean;
  bridgeNic: string;
  device: string;
  autostart: boolean;
}

export function emptyNetworkForm(): NetworkForm {
  return { name: '', kind: 'nat', cidr4: '', gateway4: '', dhcp4: 'auto', start4: '', end4: '', cidr6: '', bridge: '', makeBridge: false, bridgeNic: '', device: '', autostart: true };
}

/** Whether the kind has its own subnet (libvirt runs DHCP for it on the host). */
export function hasSubnet(kind: NetworkKind): boolean {
  return kind === 'nat' || kind === 'routed' || kind === 'isolated' || kind === 'open';
}

export type NetworkProblems = Partial<Record<'name' | 'cidr4' | 'range4' | 'bridge' | 'device', MessageKey>>;

export function networkProblems(form: NetworkForm): NetworkProblems {
  const p: NetworkProblems = {};
  if (vmNameProblem(form.name.trim()) !== null) p.name = 'net.problem.name';
  if (form.kind === 'nat' && form.cidr4.trim() === '') p.cidr4 = 'net.problem.natNeedsV4';
  if (form.kind === 'routed' && form.cidr4.trim() === '' && form.cidr6.trim() === '') p.cidr4 = 'net.problem.routedNeedsSubnet';
  if (hasSubnet(form.kind) && form.dhcp4 === 'range' && (form.start4.trim() === '' || form.end4.trim() === '')) p.range4 = 'net.problem.range';
  if (form.kind === 'bridge' && form.bridge.trim() === '') p.bridge = 'net.problem.bridge';
  if (form.kind === 'sriov' && form.device.trim() === '') p.device = 'net.problem.device';
  return p;
}

const orNull = (s: string) => (s.trim() === '' ? null : s.trim());

/** The range `auto` stands for in an IPv4 subnet: after the gateway to the last host (as the core's CLI does). */
export function autoRange(cidr: string): IpRange | null {
  const span = v4Span(cidr);
  if (!span || span[1] - span[0] < 7) return null;
  const show = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
  return { start: show(span[0] + 2), end: show(span[1] - 1) };
}

export function toNewNetwork(form: NetworkForm): NewNetwork {
  const subnet = hasSubnet(form.kind);
  const dhcp4 = form.dhcp4 === 'none' ? null : form.dhcp4 === 'auto' ? autoRange(form.cidr4) : { start: form.start4.trim(), end: form.end4.trim() };
  const ipv4: NetworkIp | null = subnet && form.cidr4.trim() !== '' ? { cidr: form.cidr4.trim(), gateway: orNull(form.gateway4), dhcp: dhcp4, hosts: [] } : null;
  const ipv6: NetworkIp | null = subnet && form.cidr6.trim() !== '' ? { cidr: form.cidr6.trim(), gateway: null, dhcp: null, hosts: [] } : null;
  return {
    name: form.name.trim(),
    kind: form.kind,
    bridge: orNull(form.bridge),
    device: form.kind === 'isolated' || form.kind === 'open' || form.kind === 'bridge' ? null : orNull(form.device),
    ipv4,
    ipv6,
    autostart: form.autostart,
  };
}

export interface HostForm {
  ip: string;
  mac: string;
  name: string;
}

export function emptyHostForm(): HostForm {
  return { ip: '', mac: '', name: '' };
}

export function hostProblems(form: HostForm): Partial<Record<'ip' | 'mac', MessageKey>> {
  const p: Partial<Record<'ip' | 'mac', MessageKey>> = {};
  if (form.ip.trim() === '') p.ip = 'net.problem.hostIp';
  const mac = form.mac.trim();
  if (mac !== '' && !/^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/.test(mac)) p.mac = 'net.problem.mac';
  if (mac === '' && !form.ip.includes(':')) p.mac = 'net.problem.macNeeded';
  return p;
}

export function toDhcpHost(form: HostForm): DhcpHost {
  return { ip: form.ip.trim(), mac: orNull(form.mac)?.toLowerCase() ?? null, name: orNull(form.name) };
}

/** How many addresses a DHCP range holds (IPv4 only; null for IPv6 or a range not understood). */
export function rangeSize(range: IpRange | null): number | null {
  if (!range) return null;
  const a = v4Span(`${range.start}/32`);
  const b = v4Span(`${range.end}/32`);
  return a && b && b[0] >= a[0] ? b[0] - a[0] + 1 : null;
}
