import {
  ActionIcon,
  Badge,
  Button,
  Checkbox,
  FileButton,
  Group,
  MultiSelect,
  Select,
  SimpleGrid,
  Stack,
  TagsInput,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { buildUrl, call, getToken } from '../../api/client';
import { useTopics } from '../../api/hooks';
import { type KbArticleContent } from '../../api/types';
import { topicOptions } from '../../components/forms';
import { TemplateBodyInput } from '../../components/TemplateBody';
import { KIND_LABEL, KINDS } from './knowledge-labels';

/** What the editor edits: an article version as the API takes it. */
export type ArticleDraft = KbArticleContent;

export const EMPTY_DRAFT: ArticleDraft = { kind: 'faq', title: '', body: '', public: false };

/**
 * The content of an article: kind, title, question (FAQ), text with placeholders (template), parts, topic,
 * keywords, links to other articles of the organisation, attachments, source (legal act), public flag.
 */
export function ArticleEditor({
  value,
  onChange,
  organisationId,
  errors = {},
}: {
  value: ArticleDraft;
  onChange: (next: ArticleDraft) => void;
  organisationId: string | null;
  errors?: Record<string, string>;
}) {
  const topics = useTopics();
  const [uploading, setUploading] = useState(false);
  const [uploadError, setUploadError] = useState<string | null>(null);
  const [files, setFiles] = useState<Record<string, string>>({});
  const siblings = useQuery({
    queryKey: ['kb-articles', organisationId],
    queryFn: () => call('kbArticles', { query: { organisationId, limit: 500 } }),
    enabled: !!organisationId,
  });
  const set = (patch: Partial<ArticleDraft>) => onChange({ ...value, ...patch });
  const parts = value.parts ?? [];
  const isTemplate = value.kind === 'template';

  async function upload(file: File | null) {
    if (!file) return;
    setUploading(true);
    setUploadError(null);
    try {
      const form = new FormData();
      form.append('file', file);
      if (organisationId) form.append('organisationId', organisationId);
      const res = await fetch(buildUrl('kbUpload'), {
        method: 'POST',
        headers: { authorization: `Bearer ${getToken() ?? ''}` },
        body: form,
      });
      const body = (await res.json()) as { id?: string; fileName?: string; message?: string };
      if (!res.ok || !body.id) throw new Error(body.message ?? `Ошибка ${res.status}`);
      setFiles((f) => ({ ...f, [body.id!]: body.fileName ?? file.name }));
      set({ attachmentIds: [...(value.attachmentIds ?? []), body.id] });
    } catch (error) {
      setUploadError(error instanceof Error ? error.message : 'Файл не загружен');
    } finally {
      setUploading(false);
    }
  }

  return (
    <Stack gap="sm">
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
        <Select
          label="Вид материала"
          data={KINDS.map((k) => ({ value: k, label: KIND_LABEL[k] }))}
          value={value.kind}
          onChange={(k) =>
            k && set({ kind: k as ArticleDraft['kind'], public: k === 'faq' ? value.public : false })
          }
          allowDeselect={false}
          error={errors.kind}
        />
        <Select
          label="Тема рубрикатора"
          placeholder="Без темы (общий материал)"
          data={topicOptions(topics.data ?? [])}
          value={value.topicId ?? null}
          onChange={(t) => set({ topicId: t ?? undefined })}
          searchable
          clearable
          error={errors.topicId}
        />
      </SimpleGrid>
      <TextInput
        label="Заголовок"
        value={value.title}
        onChange={(e) => set({ title: e.currentTarget.value })}
        error={errors.title}
        required
      />
      {value.kind === 'faq' && (
        <TextInput
          label="Вопрос"
          description="Как его задают граждане"
          value={value.question ?? ''}
          onChange={(e) => set({ question: e.currentTarget.value })}
          error={errors.question}
          required
        />
      )}
      {isTemplate ? (
        <TemplateBodyInput
          label="Текст шаблона"
          minRows={5}
          maxRows={16}
          value={value.body}
          onChange={(body) => set({ body })}
          error={errors.body}
        />
      ) : (
        <Textarea
          label={value.kind === 'faq' ? 'Ответ' : value.kind === 'legal-act' ? 'Выдержки' : 'Текст'}
          autosize
          minRows={5}
          maxRows={16}
          value={value.body}
          onChange={(e) => set({ body: e.currentTarget.value })}
          error={errors.body}
          required
        />
      )}
      <Stack gap={6}>
        <Text size="sm" fw={500}>
          Разделы статьи
        </Text>
        {parts.map((p, i) => (
          <Group key={i} align="flex-start" gap="xs" wrap="nowrap">
            <TextInput
              aria-label={`Заголовок раздела ${i + 1}`}
              placeholder="Заголовок"
              value={p.heading}
              onChange={(e) =>
                set({ parts: parts.map((x, j) => (j === i ? { ...x, heading: e.currentTarget.value } : x)) })
              }
              w={200}
            />
            <Textarea
              aria-label={`Текст раздела ${i + 1}`}
              placeholder="Текст"
              autosize
              minRows={1}
              style={{ flex: 1 }}
              value={p.text}
              onChange={(e) =>
                set({ parts: parts.map((x, j) => (j === i ? { ...x, text: e.currentTarget.value } : x)) })
              }
            />
            <ActionIcon
              variant="subtle"
              color="gray"
              aria-label={`Удалить раздел ${i + 1}`}
              onClick={() => set({ parts: parts.filter((_, j) => j !== i) })}
            >
              ×
            </ActionIcon>
          </Group>
        ))}
        {errors.parts && (
          <Text size="xs" c="red.9">
            {errors.parts}
          </Text>
        )}
        <Group>
          <Button
            size="xs"
            variant="subtle"
            onClick={() => set({ parts: [...parts, { heading: '', text: '' }] })}
          >
            + Раздел
          </Button>
        </Group>
      </Stack>
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
        <TagsInput
          label="Ключевые слова"
          description="Как спрашивают: «батареи», «холодно»…"
          value={value.keywords ?? []}
          onChange={(k) => set({ keywords: k })}
          error={errors.keywords}
        />
        <MultiSelect
          label="Связанные статьи"
          data={(siblings.data ?? []).map((a) => ({ value: a.id, label: a.title }))}
          value={value.links ?? []}
          onChange={(l) => set({ links: l })}
          searchable
          error={errors.links}
        />
      </SimpleGrid>
      {(value.kind === 'legal-act' || value.source) && (
        <TextInput
          label="Реквизиты акта или источник"
          value={value.source ?? ''}
          onChange={(e) => set({ source: e.currentTarget.value })}
        />
      )}
      <Group gap="sm" align="center">
        <FileButton onChange={(f) => void upload(f)} accept=".pdf,.doc,.docx,.xls,.xlsx,.rtf,.txt,image/*">
          {(props) => (
            <Button {...props} size="xs" variant="default" loading={uploading}>
              Приложить файл
            </Button>
          )}
        </FileButton>
        {(value.attachmentIds ?? []).map((id) => (
          <Badge
            key={id}
            variant="light"
            color="gray"
            radius="sm"
            style={{ textTransform: 'none' }}
            rightSection={
              <span
                role="button"
                aria-label="Убрать вложение"
                style={{ cursor: 'pointer' }}
                onClick={() => set({ attachmentIds: (value.attachmentIds ?? []).filter((x) => x !== id) })}
              >
                ×
              </span>
            }
          >
            {files[id] ?? 'вложение'}
          </Badge>
        ))}
        {uploadError && (
          <Text size="xs" c="red.9">
            {uploadError}
          </Text>
        )}
      </Group>
      {value.kind === 'faq' && (
        <Checkbox
          label="Показывать гражданам (страница «Частые вопросы» и бот), если организация это разрешила"
          checked={value.public === true}
          onChange={(e) => set({ public: e.currentTarget.checked })}
        />
      )}
    </Stack>
  );
}

/** The editor's value from an article (its current version) or a request's proposal. */
export function draftOf(a: {
  kind: string;
  title: string;
  question?: string | null;
  body: string;
  parts?: { heading: string; text: string }[];
  keywords?: string[];
  links?: string[];
  attachmentIds?: string[];
  source?: string | null;
  topicId?: string | null;
  public?: boolean;
}): ArticleDraft {
  return {
    kind: a.kind as ArticleDraft['kind'],
    title: a.title,
    question: a.question ?? undefined,
    body: a.body,
    parts: a.parts ?? [],
    keywords: a.keywords ?? [],
    links: a.links ?? [],
    attachmentIds: a.attachmentIds ?? [],
    source: a.source ?? undefined,
    topicId: a.topicId ?? undefined,
    public: a.public ?? false,
  };
}
