/**
 * The reads that notices and chat posts make at the same time, gathered into one (shared/gathered.ts):
 * each read still starts after every notice it answers asked, so it sees every change committed
 * before that notice asked, as the notice's own read would.
 */
import { gathered } from '../shared/gathered';
import type { IncidentRecord } from './incident';
import type { DirectoryRepository, IncidentRepository, Organization } from './ports';

/** Organizations by id: one BatchGetItem for the notices asking at once. */
export function gatheredOrganizations(directory: Pick<DirectoryRepository, 'getOrganizations'>): (ids: readonly string[]) => Promise<Map<string, Organization>> {
  return gathered(async (ids) => new Map((await directory.getOrganizations(ids)).map((o) => [o.id, o] as const)));
}

/** An incident with its event count: a read alone is a GetItem as before, those asked at once one BatchGetItem. */
export function gatheredIncidents(repository: Pick<IncidentRepository, 'get' | 'getRecords'>): (id: string) => Promise<IncidentRecord | null> {
  const read = gathered(async (ids) => {
    const records = ids.length === 1 ? [await repository.get(ids[0]!)].filter((r): r is IncidentRecord => r !== null) : await repository.getRecords(ids);
    return new Map(records.map((r) => [r.incident.id, r] as const));
  });
  return async (id) => (await read([id])).get(id) ?? null;
}
