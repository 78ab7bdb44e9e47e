import { useQuery } from '@tanstack/react-query';
import { useMe } from '../auth';
import { call } from './client';

export function useOrganisations() {
  return useQuery({
    queryKey: ['organisations'],
    queryFn: () => call('organisations'),
    staleTime: 10 * 60_000,
  });
}

export function useTopics() {
  return useQuery({ queryKey: ['topics'], queryFn: () => call('topics'), staleTime: 10 * 60_000 });
}

/** id → name maps for the directory, for labels in tables. */
export function useNames() {
  const orgs = useOrganisations();
  const topics = useTopics();
  return {
    organisation: (id: string | null | undefined) =>
      (id && orgs.data?.find((o) => o.id === id)?.shortName) || '—',
    topic: (id: string | null | undefined) => (id && topics.data?.find((t) => t.id === id)?.name) || '—',
    organisations: orgs.data ?? [],
    topics: topics.data ?? [],
  };
}

/** The time zone of the viewer's organisation: instants that belong to no appeal are read in it. */
export function useOrganisationZone(): string {
  const me = useMe();
  const orgs = useOrganisations();
  return orgs.data?.find((o) => o.id === me.organisationId)?.timeZone ?? 'Asia/Novosibirsk';
}
