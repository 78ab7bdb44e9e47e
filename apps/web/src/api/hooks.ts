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

/** The organisations the viewer works in: all of them for a viewer of the whole region. */
export function useOwnOrganisations() {
  const me = useMe();
  const orgs = useOrganisations();
  return (orgs.data ?? []).filter((o) => me.organisationIds === null || me.organisationIds.includes(o.id));
}

/** The time zone of the viewer's organisation: instants that belong to no appeal are read in it. */
export function useOrganisationZone(): string {
  const me = useMe();
  const orgs = useOrganisations();
  return orgs.data?.find((o) => o.id === me.organisationId)?.timeZone ?? 'Asia/Novosibirsk';
}

/** An appeal's answers (drafts, approved, sent): the card's answer and knowledge panels read the same list. */
export function useAppealAnswers(appealId: string) {
  return useQuery({
    queryKey: ['answers', appealId],
    queryFn: () => call('appealAnswers', { params: { id: appealId } }),
    // While an answer's message waits for its channel, the card follows it to delivered or failed.
    refetchInterval: (q) => (q.state.data?.some((a) => a.delivery?.status === 'queued') ? 3000 : false),
  });
}
