import {
  Anchor,
  Button,
  Card,
  Group,
  Loader,
  Select,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { call } from '../../api/client';
import { useNames } from '../../api/hooks';
import { Excerpt, KindBadge } from './KnowledgeBadges';
import { KIND_LABEL, KINDS } from './knowledge-labels';
import { KnowledgeTitle } from './KnowledgeNav';
import { type RequestPreset, RequestModal } from './RequestModal';
import { LoadError } from '../../components/tables';
import { textOf, OrganisationSelect, topicOptions } from '../../components/forms';
import { type ParamChanges, paramSelect, withChanges } from '../../lib/search-params';

interface Row {
  id: string;
  kind: string;
  title: string;
  question: string | null;
  organisationName: string;
  topicName: string | null;
  uses: number;
  excerpt?: string;
  topicMatch?: string;
}

/** The knowledge base: Russian full-text search with the topic, or browsing by organisation, topic and kind. */
export function KnowledgePage() {
  const names = useNames();
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const topicId = params.get('topicId') ?? undefined;
  const organisationId = params.get('organisationId') ?? undefined;
  const kind = params.get('kind') ?? undefined;
  const [text, setText] = useState(q);
  const [preset, setPreset] = useState<RequestPreset | null>(null);
  const searching = !!q.trim();
  const results = useQuery({
    queryKey: ['kb-browse', q, topicId, organisationId, kind],
    queryFn: async (): Promise<Row[]> =>
      searching
        ? call('kbSearch', { query: { q, topicId, organisationId, kind, limit: 30 } })
        : call('kbArticles', { query: { topicId, organisationId, kind, limit: 300 } }),
  });
  const update = (changes: ParamChanges) => setParams(withChanges(params, changes), { replace: true });
  const byParam = (key: string) => paramSelect(params, update, key);

  return (
    <Stack gap="sm">
      <KnowledgeTitle
        subtitle="Шаблоны ответов, частые вопросы, скрипты, нормативные акты, услуги, графики приёма и контакты"
        request={{ label: 'Предложить статью', onClick: () => setPreset({}) }}
      />
      <form
        noValidate
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          update({ q: text.trim() || undefined });
        }}
      >
        <SimpleGrid cols={{ base: 1, md: 4 }} spacing="sm">
          <TextInput
            label="Поиск"
            placeholder="Вопрос заявителя своими словами"
            {...textOf(text, setText)}
            aria-label="Поиск по базе знаний"
            rightSectionWidth={80}
            rightSection={
              <Button size="compact-xs" type="submit">
                Найти
              </Button>
            }
          />
          <Select
            label="Тема"
            placeholder="Любая"
            data={topicOptions(names.topics)}
            {...byParam('topicId')}
            searchable
            clearable
          />
          <OrganisationSelect
            label="Организация"
            placeholder="Любая"
            {...byParam('organisationId')}
            searchable
            clearable
          />
          <Select
            label="Вид"
            placeholder="Любой"
            data={KINDS.map((k) => ({ value: k, label: KIND_LABEL[k] }))}
            {...byParam('kind')}
            clearable
          />
        </SimpleGrid>
      </form>
      {results.isLoading && (
        <Group justify="center" p="md">
          <Loader role="progressbar" aria-label="Загрузка статей" />
        </Group>
      )}
      <LoadError error={results.error} />
      {results.data && (
        <Text size="sm" c="dimmed" role="status">
          {searching
            ? results.data.length
              ? `Найдено: ${results.data.length}, самые подходящие — первыми`
              : 'Ничего не найдено. Если ответа нет, предложите статью.'
            : `Статей: ${results.data.length}`}
        </Text>
      )}
      <Stack gap={8} data-testid="kb-results">
        {(results.data ?? []).map((a) => (
          <Card key={a.id} withBorder padding="sm" radius="sm" data-testid="kb-article">
            <Group justify="space-between" wrap="nowrap" align="flex-start">
              <div style={{ minWidth: 0 }}>
                <Group gap={6} wrap="wrap">
                  <KindBadge kind={a.kind} />
                  <Anchor component={Link} to={`/knowledge/articles/${a.id}`} fw={600}>
                    {a.title}
                  </Anchor>
                </Group>
                {a.question && a.question !== a.title && (
                  <Text size="sm" mt={2}>
                    {a.question}
                  </Text>
                )}
                {a.excerpt && <Excerpt text={a.excerpt} />}
                <Text size="xs" c="dimmed" mt={2}>
                  {a.organisationName}
                  {a.topicName ? ` · ${a.topicName}` : ''}
                  {a.topicMatch === 'exact' ? ' · точно по теме' : ''}
                </Text>
              </div>
              <Text size="xs" c="dimmed" style={{ flexShrink: 0 }} title="Сколько раз статья пригодилась">
                {a.uses ? `пригодилась ${a.uses}` : ''}
              </Text>
            </Group>
          </Card>
        ))}
      </Stack>
      <RequestModal opened={preset !== null} onClose={() => setPreset(null)} preset={preset ?? {}} />
    </Stack>
  );
}
