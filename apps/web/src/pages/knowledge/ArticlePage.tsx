import { Accordion, Anchor, Badge, Button, Grid, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { call, send } from '../../api/client';
import { type KbArticle } from '../../api/types';
import { Countdown } from '../../components/common';
import { shownTemplate } from '../../lib/placeholders';
import { formatDateTime } from '../../lib/time';
import { Pending } from '../../components/tables';
import { draftOf } from './ArticleEditor';
import { KindBadge } from './KnowledgeBadges';
import { KnowledgeItemHead } from './KnowledgeNav';
import { requestNumber } from './knowledge-labels';
import { type RequestPreset, RequestModal } from './RequestModal';
import { save } from '../../lib/download';

/** One article: its text and parts, links, attachments, every published version, and "propose a change". */
export function ArticlePage() {
  const { id = '' } = useParams();
  const article = useQuery({
    queryKey: ['kb-article', id],
    queryFn: () => call('kbArticle', { params: { id } }),
  });
  const versions = useQuery({
    queryKey: ['kb-versions', id],
    queryFn: () => call('kbVersions', { params: { id } }),
  });
  const [preset, setPreset] = useState<RequestPreset | null>(null);

  if (!article.data) return <Pending query={article} label="Загрузка статьи" />;
  const a = article.data;
  const change = (archive = false) =>
    setPreset({
      organisationId: a.organisationId,
      sectionId: a.sectionId,
      articleId: a.id,
      articleTitle: a.title,
      subject: archive ? `Снять с публикации: ${a.title}` : '',
      draft: draftOf(a),
      archive,
    });

  return (
    <Stack gap="sm">
      <KnowledgeItemHead
        actions={
          <Group gap="xs">
            <Button size="sm" onClick={() => change(false)}>
              Предложить изменение
            </Button>
            {a.status === 'published' && (
              <Button size="sm" variant="default" onClick={() => change(true)}>
                Снять с публикации
              </Button>
            )}
          </Group>
        }
      >
        <Group gap="xs">
          <KindBadge kind={a.kind} />
          {a.status === 'archived' && (
            <Badge color="gray" variant="filled" style={{ textTransform: 'none' }}>
              Снята с публикации
            </Badge>
          )}
          {a.public && (
            <Badge color="teal" variant="outline" style={{ textTransform: 'none' }}>
              Для граждан
            </Badge>
          )}
        </Group>
        <Title order={1} fz={22} mt={4}>
          {a.title}
        </Title>
        <Text size="sm" c="dimmed">
          {a.organisationName} · раздел «{a.sectionTitle}»{a.topicName ? ` · ${a.topicName}` : ''} · версия{' '}
          {a.version} от {formatDateTime(a.publishedAt)}
        </Text>
      </KnowledgeItemHead>
      <Grid gutter="sm">
        <Grid.Col span={{ base: 12, md: 8 }}>
          <Paper withBorder p="md" radius="md" component="article" aria-label="Текст статьи">
            {a.question && (
              <Text fw={600} mb="xs">
                {a.question}
              </Text>
            )}
            <Text size="sm" className="appeal-text" data-testid="kb-article-body">
              {shownTemplate(a.body)}
            </Text>
            {a.parts.map((p, i) => (
              <div key={i}>
                <Text fw={600} size="sm" mt="sm">
                  {p.heading}
                </Text>
                <Text size="sm" className="appeal-text">
                  {p.text}
                </Text>
              </div>
            ))}
            {a.source && (
              <Text size="xs" c="dimmed" mt="sm">
                Источник: {a.source}
              </Text>
            )}
          </Paper>
          <Paper withBorder p="md" radius="md" mt="sm" component="section" aria-label="Версии">
            <Text fw={600} mb="xs">
              Версии ({versions.data?.length ?? 0})
            </Text>
            <Accordion variant="separated" data-testid="kb-versions">
              {(versions.data ?? []).map((v) => (
                <Accordion.Item key={v.version} value={String(v.version)}>
                  <Accordion.Control>
                    Версия {v.version} · {formatDateTime(v.publishedAt)}
                    {v.publishedByName ? ` · ${v.publishedByName}` : ''}
                    {v.requestNumber ? ` · по запросу ${requestNumber(v.requestNumber)}` : ''}
                    {v.content.archived ? ' · снята с публикации' : ''}
                  </Accordion.Control>
                  <Accordion.Panel>
                    <Text size="sm" fw={600}>
                      {v.content.title}
                    </Text>
                    <Text size="sm" className="appeal-text">
                      {shownTemplate(v.content.body)}
                    </Text>
                  </Accordion.Panel>
                </Accordion.Item>
              ))}
            </Accordion>
          </Paper>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 4 }}>
          <Stack gap="sm">
            <Paper withBorder p="md" radius="md">
              <Text size="sm">
                Пригодилась: {a.uses}, из них ответов на месте: {a.answeredOnTheSpot}
              </Text>
              <Text size="sm" mt={4}>
                Актуализация раздела: <Countdown due={a.sectionReviewDueAt} />
              </Text>
              {a.keywords.length > 0 && (
                <Group gap={4} mt="xs">
                  {a.keywords.map((k) => (
                    <Badge key={k} variant="light" color="gray" radius="sm" style={{ textTransform: 'none' }}>
                      {k}
                    </Badge>
                  ))}
                </Group>
              )}
            </Paper>
            <LinkList title="Связанные статьи" items={a.linked} />
            <LinkList title="Ссылаются на эту статью" items={a.linkedFrom} />
            {a.attachments.length > 0 && (
              <Paper withBorder p="md" radius="md">
                <Text fw={600} mb="xs">
                  Вложения
                </Text>
                <Stack gap={4}>
                  {a.attachments.map((f) => (
                    <AttachmentLink key={f.id} file={f} />
                  ))}
                </Stack>
              </Paper>
            )}
          </Stack>
        </Grid.Col>
      </Grid>
      <RequestModal opened={preset !== null} onClose={() => setPreset(null)} preset={preset ?? {}} />
    </Stack>
  );
}

function LinkList({ title, items }: { title: string; items: KbArticle['linked'] }) {
  if (items.length === 0) return null;
  return (
    <Paper withBorder p="md" radius="md">
      <Text fw={600} mb="xs">
        {title}
      </Text>
      <Stack gap={4}>
        {items.map((l) => (
          <Group key={l.id} gap={6} wrap="nowrap">
            <KindBadge kind={l.kind} />
            <Anchor component={Link} to={`/knowledge/articles/${l.id}`} size="sm">
              {l.title}
            </Anchor>
          </Group>
        ))}
      </Stack>
    </Paper>
  );
}

function AttachmentLink({ file }: { file: KbArticle['attachments'][number] }) {
  async function open() {
    const res = await send('kbAttachment', { params: { id: file.id } });
    save(await res.blob(), file.fileName);
  }
  return (
    <Anchor component="button" type="button" size="sm" onClick={() => void open()}>
      {file.fileName} ({Math.ceil(file.size / 1024)} КБ)
    </Anchor>
  );
}
