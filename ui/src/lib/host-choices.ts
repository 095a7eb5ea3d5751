// What the Create VM wizard reads of a host when it opens: limits, networks, pools, the
// ISO library and the volumes that can be templates or imported.
import type { Api } from './api';
import { usablePools, type HostChoices } from './vm-form';

export async function loadChoices(api: Api, hostId: string): Promise<HostChoices> {
  // The library first: listing it makes its pool on first use, which the pools then show.
  const isos = await api.listIsos(hostId);
  const [limits, networks, pools] = await Promise.all([api.hostLimits(hostId), api.listNetworkNames(hostId), api.listPools(hostId)]);
  // A pool that fails to list leaves its volumes out; the rest are still offered.
  const lists = await Promise.all(usablePools(pools).map((p) => api.listVolumes(hostId, p.name).catch(() => [])));
  return { limits, networks, pools, isos, volumes: lists.flat() };
}
