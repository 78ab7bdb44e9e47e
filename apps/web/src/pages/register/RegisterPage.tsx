import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  CloseButton,
  FileButton,
  Grid,
  Group,
  Paper,
  Radio,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useMemo, useRef, useState } from 'react';
import { Link } from 'react-router-dom';
import { call, errorText } from '../../api/client';
import { useNames } from '../../api/hooks';
import { type AppealSummary, type KbSuggestion, type Me } from '../../api/types';
import { PageTitle, StatusAlert, StatusBadge } from '../../components/common';
import { ClipIcon } from '../../components/icons';
import { EscalateModal } from '../../components/EscalateModal';
import { fieldsOf } from '../../components/forms';
import { APPEAL_FILE_TYPES } from '../appeal/AttachmentsPanel';
import { formatDateTime, formatLocalDate } from '../../lib/time';

/**
 * Who the api lets register an appeal (POST /appeals): line 1 and supervisors. A head, and an administrator (who
 * keeps accounts and settings, not appeals), were offered the form and refused on submitting it.
 */
export function registersAppeals(me: Pick<Me, 'role'>): boolean {
  return me.role === 'operator' || me.role === 'supervisor';
}

type Medium = 'phone' | 'reception' | 'post';

type Outcome = 'answered' | 'escalate' | 'register';

const MEDIUM_LABEL: Record<Medium, string> = {
  phone: 'Звонок',
  reception: 'Личный приём',
  post: 'Письмо',
};

interface Form {
  phone: string;
  surname: string;
  firstName: string;
  patronymic: string;
  email: string;
  postalAddress: string;
  topicId: string | null;
  subject: string;
  text: string;
  address: string;
}

/** The applicant's fields after the phone: which, as labelled, and whether the register asks for it. */
const APPLICANT_FIELDS: [Exclude<keyof Form, 'topicId'>, string, boolean?][] = [
  ['surname', 'Фамилия', true],
  ['firstName', 'Имя', true],
  ['patronymic', 'Отчество'],
  ['email', 'Эл. почта'],
  ['postalAddress', 'Почтовый адрес для ответа'],
];

const EMPTY: Form = {
  phone: '',
  surname: '',
  firstName: '',
  patronymic: '',
  email: '',
  postalAddress: '',
  topicId: null,
  subject: '',
  text: '',
  address: '',
};

/** What the applicant looks up by: enough digits of a phone, or a surname of three letters and more. */
function lookupQuery(form: Form): string | null {
  const digits = form.phone.replace(/\D/g, '');
  if (digits.length >= 6) return form.phone.trim();
  if (form.surname.trim().length >= 3) return form.surname.trim();
  return null;
}

/**
 * Line 1's main screen (S0, S2, S4): register a call, a personal visit or a letter, keyboard first. The
 * phone is the first field: earlier appeals of the same applicant appear as it is typed, and their data can
 * be taken over; the topic comes from the rubricator with search; the knowledge base suggests articles and
 * call scripts for the text and topic. For a call the outcome closes the loop: answered on the spot from an
 * article (closed at once, counted as line 1), or escalated to line 2.
 */
export function RegisterPage() {
  const names = useNames();
  const queryClient = useQueryClient();
  const [medium, setMedium] = useState<Medium>('phone');
  const [form, setForm] = useState<Form>(EMPTY);
  const [outcome, setOutcome] = useState<Outcome>('answered');
  const [articleId, setArticleId] = useState<string | null>(null);
  const [files, setFiles] = useState<File[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<{ id: string; number: string; text: string } | null>(null);
  const [escalating, setEscalating] = useState<{ id: string; number: string } | null>(null);
  const [escalateError, setEscalateError] = useState<string | null>(null);
  const phoneRef = useRef<HTMLInputElement>(null);
  const set = (patch: Partial<Form>) => setForm((f) => ({ ...f, ...patch }));
  const field = fieldsOf(form, set);

  useEffect(() => phoneRef.current?.focus(), []);

  // Earlier appeals of this applicant: the list's search by phone or surname (audited as a search).
  const [lookup] = useDebouncedValue(lookupQuery(form), 400);
  const earlier = useQuery({
    queryKey: ['appeals', 'applicant-lookup', lookup],
    queryFn: () => call('appeals', { query: { q: lookup!, limit: 5 } }),
    enabled: lookup !== null,
  });
  const takeOver = useMutation({
    mutationFn: (id: string) => call('appeal', { params: { id } }),
    onSuccess: (card) => {
      const p = card.applicant;
      if (!p) return;
      set({
        surname: p.surname ?? '',
        firstName: p.firstName ?? '',
        patronymic: p.patronymic ?? '',
        phone: p.phone ?? form.phone,
        email: p.email ?? '',
        postalAddress: p.postalAddress ?? '',
      });
    },
    onError: (e) => setError(errorText(e)),
  });

  // Knowledge base: articles and scripts for what is said and the topic, as it is typed.
  const [kbText] = useDebouncedValue(`${form.subject} ${form.text}`.trim(), 500);
  const suggestions = useQuery({
    queryKey: ['kb-suggestions', kbText, form.topicId],
    queryFn: () =>
      call('kbSuggest', { body: { text: kbText, topicId: form.topicId ?? undefined, limit: 6 } }),
    enabled: kbText.length >= 3 || form.topicId !== null,
    placeholderData: (previous) => previous,
  });
  const articles = suggestions.data?.articles ?? [];
  const scripts = suggestions.data?.scripts ?? [];
  const chosen = articles.find((a) => a.id === articleId) ?? null;

  const topicOptions = useMemo(() => {
    const byId = new Map(names.topics.map((t) => [t.id, t]));
    return names.topics
      .map((t) => ({
        value: t.id,
        label: t.parentId ? `${byId.get(t.parentId)?.name ?? ''} / ${t.name}` : t.name,
      }))
      .sort((a, b) => a.label.localeCompare(b.label, 'ru'));
  }, [names.topics]);

  const register = useMutation({
    mutationFn: async () => {
      const created = await call('register', {
        body: {
          medium,
          surname: form.surname.trim(),
          firstName: form.firstName.trim(),
          patronymic: form.patronymic.trim() || undefined,
          phone: form.phone.trim() || undefined,
          email: form.email.trim() || undefined,
          postalAddress: form.postalAddress.trim() || undefined,
          address: form.address.trim() || undefined,
          topicId: form.topicId ?? undefined,
          subject: form.subject.trim(),
          text: form.text.trim(),
        },
      });
      // The files (a scanned letter) one request each, after the appeal exists: a refused one is named in
      // the outcome, the appeal and the other files stay.
      const refused: string[] = [];
      for (const file of files) {
        const upload = new FormData();
        upload.append('file', file);
        try {
          await call('attachToAppeal', { params: { id: created.id }, form: upload });
        } catch (e) {
          refused.push(`«${file.name}»: ${errorText(e)}`);
        }
      }
      const answered = medium !== 'post' && outcome === 'answered';
      if (answered && articleId) {
        await call('kbAnsweredOnTheSpot', { params: { appealId: created.id }, body: { articleId } });
      }
      return { created, answered: answered && !!articleId, attached: files.length - refused.length, refused };
    },
    onSuccess: async ({ created, answered, attached, refused }) => {
      setError(refused.length ? `Не приложены файлы: ${refused.join('; ')}` : null);
      await queryClient.invalidateQueries({ queryKey: ['appeals'] });
      if (medium !== 'post' && outcome === 'escalate') {
        setEscalating({ id: created.id, number: created.registrationNumber });
        return;
      }
      setDone({
        id: created.id,
        number: created.registrationNumber,
        text: answered
          ? `Звонок № ${created.registrationNumber} закрыт: ответ дан на месте по статье «${chosen?.title ?? ''}» (1-я линия).`
          : `Обращение № ${created.registrationNumber} зарегистрировано. Срок ответа — ${formatLocalDate(created.answerDueDate)}.${attached ? ` Приложено файлов: ${attached}.` : ''}`,
      });
      reset();
    },
    onError: (e) => setError(errorText(e)),
  });

  const reset = () => {
    setForm(EMPTY);
    setArticleId(null);
    setFiles([]);
    setOutcome('answered');
    phoneRef.current?.focus();
  };

  const missing: string[] = [];
  if (!form.surname.trim()) missing.push('фамилия');
  if (!form.firstName.trim()) missing.push('имя');
  if (form.subject.trim().length < 3) missing.push('суть вопроса');
  if (form.text.trim().length < 3) missing.push('содержание');
  if (medium !== 'post' && outcome === 'answered' && !articleId) missing.push('статья, по которой дан ответ');

  const submit = (e?: FormEvent) => {
    e?.preventDefault();
    setDone(null);
    if (missing.length) {
      setError(`Заполните: ${missing.join(', ')}`);
      return;
    }
    register.mutate();
  };

  return (
    <Stack gap="sm">
      <PageTitle
        title="Регистрация обращения"
        subtitle="Звонок, личный приём или письмо: заявитель, тема, суть и результат — с клавиатуры"
      />
      {done && (
        <StatusAlert color="teal" variant="light" withCloseButton onClose={() => setDone(null)}>
          {done.text}{' '}
          <Anchor component={Link} to={`/appeals/${done.id}`}>
            Открыть карточку
          </Anchor>
        </StatusAlert>
      )}
      {/* What is missing is said by the page, in Russian (not by the browser, in its language). */}
      <form onSubmit={submit} aria-label="Регистрация обращения" noValidate>
        <Grid gutter="sm">
          <Grid.Col span={{ base: 12, lg: 7 }}>
            <Stack gap="sm">
              <Paper withBorder p="md" radius="md" component="section" aria-label="Канал и заявитель">
                <Group justify="space-between" mb="xs" wrap="wrap" gap="xs">
                  <Title order={2} fz="md">
                    Заявитель
                  </Title>
                  <SegmentedControl
                    aria-label="Как поступило"
                    value={medium}
                    onChange={(v) => setMedium(v as Medium)}
                    data={(Object.keys(MEDIUM_LABEL) as Medium[]).map((m) => ({
                      value: m,
                      label: MEDIUM_LABEL[m],
                    }))}
                  />
                </Group>
                <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs">
                  <TextInput
                    ref={phoneRef}
                    label="Телефон"
                    placeholder="+7 900 000-00-00"
                    {...field.text('phone')}
                    autoComplete="off"
                  />
                  {APPLICANT_FIELDS.map(([key, label, required]) => (
                    <TextInput
                      key={key}
                      label={label}
                      required={required}
                      {...field.text(key)}
                      autoComplete="off"
                    />
                  ))}
                </SimpleGrid>
                <EarlierAppeals
                  query={lookup}
                  items={earlier.data?.items ?? []}
                  loading={earlier.isFetching}
                  onTakeOver={(id) => takeOver.mutate(id)}
                  takingOver={takeOver.isPending}
                />
              </Paper>

              <Paper withBorder p="md" radius="md" component="section" aria-label="Суть обращения">
                <Title order={2} fz="md" mb="xs">
                  Обращение
                </Title>
                <Stack gap="xs">
                  <Select
                    label="Тема по рубрикатору"
                    placeholder="Начните вводить тему"
                    searchable
                    clearable
                    data={topicOptions}
                    value={form.topicId}
                    onChange={(v) => set({ topicId: v })}
                    nothingFoundMessage="Такой темы нет"
                    maxDropdownHeight={280}
                  />
                  <TextInput label="Суть вопроса" required {...field.text('subject')} autoComplete="off" />
                  <Textarea
                    label="Содержание"
                    required
                    autosize
                    minRows={4}
                    maxRows={12}
                    {...field.text('text')}
                  />
                  <TextInput label="Адрес проблемы" {...field.text('address')} autoComplete="off" />
                  <Stack gap={4} data-testid="register-files">
                    <Group gap="xs">
                      <FileButton
                        multiple
                        accept={APPEAL_FILE_TYPES}
                        onChange={(chosen) => setFiles((f) => [...f, ...chosen])}
                      >
                        {(props) => (
                          <Button {...props} size="xs" variant="default" leftSection={<ClipIcon />}>
                            {medium === 'post' ? 'Приложить скан письма' : 'Приложить файлы'}
                          </Button>
                        )}
                      </FileButton>
                      <Text size="xs" c="dimmed">
                        PDF, DOC, DOCX, ODT, RTF, TXT, JPG или PNG
                      </Text>
                    </Group>
                    {files.map((f, i) => (
                      <Group key={`${f.name}-${i}`} gap={6} wrap="nowrap" data-testid="register-file">
                        <ClipIcon />
                        <Text size="sm">{f.name}</Text>
                        <CloseButton
                          size="sm"
                          aria-label={`Убрать файл «${f.name}»`}
                          onClick={() => setFiles((list) => list.filter((_, j) => j !== i))}
                        />
                      </Group>
                    ))}
                  </Stack>
                </Stack>
              </Paper>

              {medium !== 'post' && (
                <Paper withBorder p="md" radius="md" component="section" aria-label="Результат">
                  <Radio.Group
                    label="Результат"
                    value={outcome}
                    onChange={(v) => setOutcome(v as Outcome)}
                    name="outcome"
                  >
                    <Stack gap={6} mt={6}>
                      <Radio
                        value="answered"
                        label="Ответ дан на месте по базе знаний — закрыть (1-я линия)"
                      />
                      <Radio value="escalate" label="Передать на 2-ю линию" />
                      <Radio value="register" label="Только зарегистрировать" />
                    </Stack>
                  </Radio.Group>
                  {outcome === 'answered' && (
                    <Text size="sm" mt="xs" data-testid="chosen-article">
                      {chosen ? (
                        <>
                          Статья: <b>{chosen.title}</b>
                        </>
                      ) : (
                        'Выберите справа статью, по которой дан ответ.'
                      )}
                    </Text>
                  )}
                </Paper>
              )}

              {error && (
                <Alert color="red" variant="light" role="alert" data-testid="register-error">
                  {error}
                </Alert>
              )}
              <Group justify="flex-end" gap="xs">
                <Button variant="default" onClick={reset} type="button">
                  Очистить
                </Button>
                <Button type="submit" loading={register.isPending}>
                  {medium === 'post' || outcome === 'register'
                    ? 'Зарегистрировать'
                    : outcome === 'answered'
                      ? 'Зарегистрировать и закрыть'
                      : 'Зарегистрировать и передать'}
                </Button>
              </Group>
            </Stack>
          </Grid.Col>
          <Grid.Col span={{ base: 12, lg: 5 }}>
            <KnowledgePanel
              articles={articles}
              scripts={scripts}
              loading={suggestions.isFetching}
              asked={kbText.length >= 3 || form.topicId !== null}
              chosenId={articleId}
              canChoose={medium !== 'post'}
              onChoose={(id) => {
                setArticleId(id);
                setOutcome('answered');
              }}
            />
          </Grid.Col>
        </Grid>
      </form>
      <EscalateModal
        opened={escalating !== null}
        error={escalateError}
        onClose={() => {
          if (escalating)
            setDone({
              id: escalating.id,
              number: escalating.number,
              text: `Обращение № ${escalating.number} зарегистрировано и ждёт передачи на 2-ю линию.`,
            });
          setEscalating(null);
          setEscalateError(null);
          reset();
        }}
        onSubmit={async (organisationIds) => {
          if (!escalating) return;
          try {
            await call('escalate', { params: { id: escalating.id }, body: { organisationIds } });
            await queryClient.invalidateQueries({ queryKey: ['appeals'] });
            setDone({
              id: escalating.id,
              number: escalating.number,
              text: `Обращение № ${escalating.number} зарегистрировано и передано на 2-ю линию.`,
            });
            setEscalating(null);
            setEscalateError(null);
            reset();
          } catch (e) {
            setEscalateError(errorText(e));
          }
        }}
      />
    </Stack>
  );
}

function EarlierAppeals(props: {
  query: string | null;
  items: AppealSummary[];
  loading: boolean;
  takingOver: boolean;
  onTakeOver: (id: string) => void;
}) {
  // The heading line is there before the lookup too, so the form below does not jump down by a line while the
  // operator is already choosing the outcome.
  return (
    <Stack gap={6} mt="sm" data-testid="earlier-appeals" aria-live="polite">
      <Text size="sm" fw={600} c={props.query ? undefined : 'dimmed'}>
        {!props.query
          ? 'Прежние обращения найдутся по телефону или фамилии'
          : props.items.length
            ? `Ранее обращался: ${props.items.length === 5 ? '5 и более' : props.items.length}`
            : props.loading
              ? 'Поиск прежних обращений…'
              : 'Прежних обращений не найдено'}
      </Text>
      {props.items.map((a) => (
        <Card key={a.id} withBorder padding={8} radius="sm" data-testid="earlier-appeal">
          <Group justify="space-between" gap={6} wrap="nowrap" align="flex-start">
            <div style={{ minWidth: 0 }}>
              <Anchor component={Link} to={`/appeals/${a.id}`} size="sm" fw={600}>
                № {a.registrationNumber}
              </Anchor>{' '}
              <Text span size="xs" c="dimmed">
                {formatDateTime(a.registeredAt, a.timeZone)}
              </Text>
              <Text size="sm" lineClamp={1}>
                {a.subject ?? a.excerpt}
              </Text>
            </div>
            <Stack gap={4} align="flex-end">
              <StatusBadge status={a.status} />
              <Button
                size="compact-xs"
                variant="light"
                loading={props.takingOver}
                onClick={() => props.onTakeOver(a.id)}
              >
                Подставить данные заявителя
              </Button>
            </Stack>
          </Group>
        </Card>
      ))}
    </Stack>
  );
}

function KnowledgePanel(props: {
  articles: KbSuggestion[];
  scripts: KbSuggestion[];
  loading: boolean;
  asked: boolean;
  chosenId: string | null;
  canChoose: boolean;
  onChoose: (id: string) => void;
}) {
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-label="База знаний">
      <Group justify="space-between" mb="xs">
        <Title order={2} fz="md">
          База знаний
        </Title>
        {props.loading && (
          <Text size="xs" c="dimmed">
            поиск…
          </Text>
        )}
      </Group>
      {!props.asked && (
        <Text size="sm" c="dimmed">
          Статьи и скрипты появятся по мере ввода сути, содержания или выбора темы.
        </Text>
      )}
      {props.scripts.length > 0 && (
        <Stack gap={4} mb="sm">
          <Text size="xs" fw={600} tt="uppercase" c="dimmed">
            Скрипты разговора
          </Text>
          {props.scripts.slice(0, 3).map((s) => (
            <details key={s.id}>
              <summary style={{ cursor: 'pointer', fontSize: 14 }}>{s.title}</summary>
              <Text size="sm" className="appeal-text" mt={4}>
                {s.body}
              </Text>
            </details>
          ))}
        </Stack>
      )}
      {props.asked && props.articles.length === 0 && !props.loading && (
        <Text size="sm" c="dimmed">
          Подходящих статей нет: передайте обращение на 2-ю линию.
        </Text>
      )}
      <Stack gap="xs">
        {props.articles.map((a) => {
          const chosen = a.id === props.chosenId;
          return (
            <Card
              key={a.id}
              withBorder
              padding="sm"
              radius="sm"
              data-testid="kb-article"
              data-chosen={chosen}
              style={chosen ? { borderColor: 'var(--mantine-color-blue-8)', borderWidth: 2 } : undefined}
            >
              <Group justify="space-between" gap={6} wrap="nowrap" align="flex-start">
                <Text size="sm" fw={600}>
                  {a.title}
                </Text>
                <Badge variant="light" color="gray" style={{ textTransform: 'none', flexShrink: 0 }}>
                  {a.kindName}
                </Badge>
              </Group>
              <Text size="xs" c="dimmed">
                {a.organisationName}
                {a.topicName ? ` · ${a.topicName}` : ''}
              </Text>
              {a.question && (
                <Text size="sm" mt={4} fs="italic">
                  {a.question}
                </Text>
              )}
              <Text size="sm" mt={4} className="appeal-text" lineClamp={chosen ? undefined : 4}>
                {a.body}
              </Text>
              {props.canChoose && (
                <Group justify="flex-end" mt={6}>
                  <Button
                    size="xs"
                    variant={chosen ? 'filled' : 'light'}
                    onClick={() => props.onChoose(a.id)}
                    aria-pressed={chosen}
                  >
                    {chosen ? 'Ответ дан по этой статье' : 'Ответить по этой статье'}
                  </Button>
                </Group>
              )}
            </Card>
          );
        })}
      </Stack>
    </Paper>
  );
}
