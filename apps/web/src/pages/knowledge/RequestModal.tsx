import {
  Alert,
  Button,
  Group,
  Modal,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Textarea,
  TextInput,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { ApiError, call, errorText } from '../../api/client';
import { useOrganisations } from '../../api/hooks';
import { useMe } from '../../auth';
import { type ArticleDraft, ArticleEditor, EMPTY_DRAFT } from './ArticleEditor';
import { requestNumber } from './knowledge-labels';
import { OrganisationSelect, textOf } from '../../components/forms';

/** What the modal starts from: a new article, a change of one, or a gap with appeals linked. */
export interface RequestPreset {
  organisationId?: string;
  sectionId?: string;
  articleId?: string;
  articleTitle?: string;
  subject?: string;
  details?: string;
  appealIds?: string[];
  fromAppealsStream?: boolean;
  draft?: ArticleDraft;
  archive?: boolean;
}

/** Topic lines: «Тема» or «Родительская тема > Подтема». */
function parseTopics(text: string): { name: string; parentName?: string }[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const [parent, child] = l.split('>').map((x) => x.trim());
      return child ? { name: child, parentName: parent } : { name: parent };
    });
}

/**
 * A request to change the knowledge base (S0 annex 2): the subject, why, and the proposed text of the article
 * (or a topic set for the classifier). Sent to the organisation's responsible person at once.
 */
export function RequestModal({
  opened,
  onClose,
  preset,
}: {
  opened: boolean;
  onClose: () => void;
  preset: RequestPreset;
}) {
  const me = useMe();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const orgs = useOrganisations();
  const [kind, setKind] = useState<'content' | 'topic-set'>('content');
  const [organisationId, setOrganisationId] = useState<string | null>(null);
  const [sectionId, setSectionId] = useState<string | null>(null);
  const [subject, setSubject] = useState('');
  const [details, setDetails] = useState('');
  const [draft, setDraft] = useState<ArticleDraft>(EMPTY_DRAFT);
  const [withText, setWithText] = useState(true);
  const [topics, setTopics] = useState('');
  const [error, setError] = useState<ApiError | Error | null>(null);
  useEffect(() => {
    if (!opened) return;
    setKind('content');
    setOrganisationId(preset.organisationId ?? (me.organisationIds === null ? null : me.organisationId));
    setSectionId(preset.sectionId ?? null);
    setSubject(preset.subject ?? '');
    setDetails(preset.details ?? '');
    setDraft(preset.draft ?? EMPTY_DRAFT);
    setWithText(!(preset.appealIds?.length && !preset.draft));
    setTopics('');
    setError(null);
  }, [opened, preset, me.organisationId, me.organisationIds]);
  const sections = useQuery({
    queryKey: ['kb-sections', organisationId],
    queryFn: () => call('kbSections', { query: { organisationId } }),
    enabled: opened && !!organisationId,
  });
  const create = useMutation({
    mutationFn: () =>
      call('kbCreateRequest', {
        body: {
          kind,
          organisationId: organisationId ?? undefined,
          sectionId: sectionId ?? undefined,
          articleId: preset.articleId,
          subject,
          details: details.trim() || undefined,
          appealIds: preset.appealIds,
          fromAppealsStream: preset.fromAppealsStream,
          ...(kind === 'topic-set'
            ? { topics: parseTopics(topics) }
            : withText
              ? { proposed: { ...draft, ...(preset.archive ? { archive: true } : {}) } }
              : {}),
        },
      }),
    onSuccess: async (r) => {
      // The appeals it names leave the repeated questions (a group stayed listed, ready for a second request).
      for (const key of ['kb-requests', 'kb-repeated', 'kb-dashboard'])
        await queryClient.invalidateQueries({ queryKey: [key] });
      onClose();
      navigate(`/knowledge/requests/${r.id}`);
    },
    onError: (e) => setError(e),
  });
  const fields = error instanceof ApiError ? error.fields : {};
  const proposedErrors = Object.fromEntries(
    Object.entries(fields).map(([k, v]) => [k.replace(/^proposed\./, ''), v]),
  );
  const owners = (orgs.data ?? []).filter(
    (o) =>
      me.organisationIds === null ||
      me.organisationIds.includes(o.id) ||
      me.organisationKind === 'management-centre',
  );

  return (
    <Modal
      opened={opened}
      onClose={onClose}
      size="xl"
      title={
        preset.articleId
          ? `${preset.archive ? 'Снять с публикации' : 'Изменить статью'}: ${preset.articleTitle ?? ''}`
          : 'Запрос на изменение базы знаний'
      }
    >
      <Stack gap="sm">
        {!preset.articleId && !preset.appealIds?.length && (
          <SegmentedControl
            value={kind}
            onChange={(v) => setKind(v as 'content' | 'topic-set')}
            data={[
              { value: 'content', label: 'Новая статья' },
              { value: 'topic-set', label: 'Перечень тем классификатора' },
            ]}
          />
        )}
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
          <OrganisationSelect
            label="Организация-владелец"
            among={owners}
            value={organisationId}
            onChange={(v) => {
              setOrganisationId(v);
              setSectionId(null);
            }}
            searchable
            disabled={!!preset.articleId}
            error={fields.organisationId}
          />
          {kind === 'content' && (
            <Select
              label="Раздел"
              placeholder={organisationId ? 'Выберите раздел' : 'Сначала организация'}
              data={(sections.data ?? []).map((s) => ({ value: s.id, label: s.title }))}
              value={sectionId}
              onChange={setSectionId}
              disabled={!!preset.articleId || !organisationId}
              error={fields.sectionId}
            />
          )}
        </SimpleGrid>
        <TextInput
          label="Предмет изменений"
          description="Что меняется: справочные телефоны, тематика обращений, порядок услуги…"
          {...textOf(subject, setSubject)}
          error={fields.subject}
          required
        />
        <Textarea
          label="Пояснение"
          description="Почему: изменение законодательства, новые вопросы граждан"
          autosize
          minRows={2}
          {...textOf(details, setDetails)}
        />
        {kind === 'topic-set' ? (
          <Textarea
            label="Темы классификатора"
            description="По одной в строке; подтема — «Тема > Подтема». Согласование — 5 рабочих дней, внесение — 5."
            autosize
            minRows={5}
            {...textOf(topics, setTopics)}
            error={fields.topics}
          />
        ) : preset.archive ? null : withText ? (
          <ArticleEditor
            value={draft}
            onChange={setDraft}
            organisationId={organisationId}
            errors={proposedErrors}
          />
        ) : (
          <Alert color="gray" variant="light">
            Текст статьи подготовит организация при согласовании.{' '}
            <Button size="compact-xs" variant="subtle" onClick={() => setWithText(true)}>
              Написать сейчас
            </Button>
          </Alert>
        )}
        {error && (
          <Alert color="red" role="alert">
            {errorText(error)}
          </Alert>
        )}
        <Group justify="space-between">
          <Alert color="blue" variant="light" p={6} style={{ flex: 1 }}>
            Запрос уйдёт ответственному лицу организации сегодня; согласование — 3 рабочих дня, внесение в
            базу знаний — 2 рабочих дня после согласования.
          </Alert>
          <Button variant="default" onClick={onClose}>
            Отмена
          </Button>
          <Button loading={create.isPending} onClick={() => create.mutate()} disabled={!subject.trim()}>
            Направить на согласование
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

export { requestNumber };
