import {
  Badge,
  Checkbox,
  Group,
  Menu,
  PasswordInput,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { call } from '../../api/client';
import { type ChannelAccount, type ChannelKind } from '../../api/types';
import { formatDateTime } from '../../lib/time';
import { FormModal, useModalSave, OrganisationSelect } from '../../components/forms';
import {
  ACTIONS,
  ListHeader,
  ListTable,
  LoadError,
  RowMenu,
  useListNotice,
  useRowAction,
  useRowEditor,
} from '../../components/tables';
import { ErrorReason } from '../../components/ErrorReason';

type Field = ChannelKind['settings'][number];

/** A setting as the form edits it (text), and back as the API takes it. */
function toText(field: Field, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (field.type === 'string[]' && Array.isArray(value)) return value.join(', ');
  if (field.type === 'record' && typeof value === 'object')
    return Object.entries(value as Record<string, string>)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ');
  return String(value);
}

function fromText(field: Field, text: string): unknown {
  const t = text.trim();
  if (t === '') return undefined;
  if (field.type === 'number') return Number.isFinite(Number(t)) ? Number(t) : t;
  if (field.type === 'boolean') return t === 'true';
  if (field.type === 'string[]')
    return t
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  if (field.type === 'record')
    return Object.fromEntries(
      t
        .split(',')
        .map((p) => p.split('=').map((s) => s.trim()))
        .filter(([k, v]) => k && v),
    );
  return t;
}

function state(a: ChannelAccount): { color: string; text: string } {
  if (!a.enabled) return { color: 'gray', text: 'Отключена' };
  if (!a.working) return { color: 'red', text: `Не работает: ${a.offReason ?? 'причина неизвестна'}` };
  if (a.consecutiveFailures > 0) return { color: 'red', text: `Сбои: ${a.consecutiveFailures}` };
  return { color: 'teal', text: 'Работает' };
}

/**
 * Channel accounts as data (issue 13): many mailboxes, communities and bots per channel, each with its own
 * organisation and health. Secrets are write-only: the screen shows only whether each is set.
 */
export function ChannelAccountsTab() {
  const accounts = useQuery({ queryKey: ['channel-accounts'], queryFn: () => call('channelAccounts') });
  const kinds = useQuery({ queryKey: ['channel-kinds'], queryFn: () => call('channelKinds') });
  const list = useListNotice(['channel-accounts']);
  const editor = useRowEditor(accounts.data, list);
  const toggle = useRowAction(
    list,
    (a: ChannelAccount) =>
      call(a.enabled ? 'disableChannelAccount' : 'enableChannelAccount', { params: { id: a.id } }),
    (a) => `${a.name}: ${a.enabled ? 'включена' : 'отключена'}`,
  );

  return (
    <Stack gap="xs">
      <ListHeader
        hint="Ответ уходит через ту учётную запись, в которую написал гражданин. Секреты не показываются."
        add="Добавить учётную запись"
        onAdd={editor.add}
        addDisabled={!kinds.data}
      />
      <LoadError error={accounts.error ?? kinds.error} />
      {list.alert}
      <ListTable
        label="Учётные записи каналов"
        columns={[
          'Канал',
          'Учётная запись',
          'Источник',
          'Состояние',
          'Последний успешный обмен',
          { label: 'Получено', right: true },
          'Последняя ошибка',
          ACTIONS,
        ]}
        empty={accounts.data?.length === 0 && 'Учётные записи каналов не настроены'}
      >
        {(accounts.data ?? []).map((a) => {
          const s = state(a);
          return (
            <Table.Tr key={a.id} data-testid="channel-account-row" data-name={a.name}>
              <Table.Td>{a.kindLabel}</Table.Td>
              <Table.Td>
                {a.name}
                {a.isDefault && (
                  <Text span size="xs" c="dimmed">
                    {' '}
                    (по умолчанию)
                  </Text>
                )}
              </Table.Td>
              <Table.Td>{a.source === 'env' ? 'Переменные окружения' : 'Администратор'}</Table.Td>
              <Table.Td>
                <Badge variant="light" color={s.color} style={{ textTransform: 'none' }}>
                  {s.text}
                </Badge>
              </Table.Td>
              <Table.Td>{a.lastSuccessAt ? formatDateTime(a.lastSuccessAt) : '—'}</Table.Td>
              <Table.Td ta="right">{a.itemsReceived}</Table.Td>
              <Table.Td>
                <ErrorReason error={a.lastError} color="red.9" lineClamp={2} />
              </Table.Td>
              <Table.Td ta="right">
                {a.source === 'admin' && (
                  <RowMenu name={a.name}>
                    <Menu.Item onClick={() => editor.edit(a.id)}>Изменить</Menu.Item>
                    <Menu.Item color={a.enabled ? 'red' : undefined} onClick={() => toggle.mutate(a)}>
                      {a.enabled ? 'Отключить' : 'Включить'}
                    </Menu.Item>
                  </RowMenu>
                )}
              </Table.Td>
            </Table.Tr>
          );
        })}
      </ListTable>
      {kinds.data && <AccountModal key={editor.key} {...editor.modal} kinds={kinds.data} />}
    </Stack>
  );
}

function AccountModal(props: {
  opened: boolean;
  row: ChannelAccount | undefined;
  kinds: ChannelKind[];
  onClose: () => void;
  onSaved: (text: string) => Promise<void>;
}) {
  const a = props.row;
  const [kind, setKind] = useState(a?.kind ?? props.kinds[0].kind);
  const spec = props.kinds.find((k) => k.kind === kind) ?? props.kinds[0];
  const [name, setName] = useState(a?.name ?? '');
  const [organisationId, setOrganisationId] = useState<string | null>(a?.organisationId ?? null);
  const [settings, setSettings] = useState<Record<string, string>>(() =>
    Object.fromEntries(spec.settings.map((f) => [f.key, toText(f, a?.settings[f.key])])),
  );
  const [secrets, setSecrets] = useState<Record<string, string>>({});
  const [secretEnv, setSecretEnv] = useState<Record<string, string>>(() =>
    Object.fromEntries((a?.secrets ?? []).filter((s) => s.envName).map((s) => [s.key, s.envName!])),
  );
  const body = () => {
    const values = Object.fromEntries(
      spec.settings
        .map((f) => [f.key, fromText(f, settings[f.key] ?? '')] as const)
        .filter(([, v]) => v !== undefined),
    );
    const envChanged = Object.fromEntries(
      Object.entries(secretEnv).filter(
        ([k, v]) => v !== (a?.secrets.find((s) => s.key === k)?.envName ?? ''),
      ),
    );
    return {
      name,
      organisationId,
      settings: values,
      secrets: Object.fromEntries(Object.entries(secrets).filter(([, v]) => v !== '')),
      secretEnv: envChanged,
    };
  };
  const save = useModalSave(
    () =>
      a
        ? call('updateChannelAccount', { params: { id: a.id }, body: body() })
        : call('createChannelAccount', { body: { ...body(), kind } }),
    (saved) => props.onSaved(a ? `Изменена: ${saved.name}` : `Добавлена: ${saved.name}`),
  );
  return (
    <FormModal
      opened={props.opened}
      onClose={props.onClose}
      title={a ? 'Изменить учётную запись канала' : 'Новая учётная запись канала'}
      size="lg"
      {...save}
      submitLabel={a ? 'Сохранить' : 'Создать'}
    >
      <Select
        label="Канал"
        data={props.kinds.map((k) => ({ value: k.kind, label: k.label }))}
        value={kind}
        disabled={!!a}
        allowDeselect={false}
        onChange={(v) => {
          if (!v) return;
          setKind(v as typeof kind);
          setSettings({});
        }}
      />
      <TextInput label="Название" value={name} onChange={(e) => setName(e.currentTarget.value)} />
      <OrganisationSelect
        label="Организация"
        searchable
        clearable
        value={organisationId}
        onChange={setOrganisationId}
      />
      {spec.settings.map((f) =>
        f.type === 'boolean' ? (
          <Checkbox
            key={f.key}
            label={f.label}
            checked={(settings[f.key] || String(f.default ?? false)) === 'true'}
            onChange={(e) => setSettings({ ...settings, [f.key]: String(e.currentTarget.checked) })}
          />
        ) : (
          <TextInput
            key={f.key}
            label={f.label}
            withAsterisk={f.required}
            placeholder={f.default !== undefined ? toText(f, f.default) : undefined}
            description={
              f.options
                ? `Одно из: ${f.options.join(', ')}`
                : f.type === 'string[]'
                  ? 'Через запятую'
                  : f.type === 'record'
                    ? 'код=значение, через запятую'
                    : undefined
            }
            value={settings[f.key] ?? ''}
            onChange={(e) => setSettings({ ...settings, [f.key]: e.currentTarget.value })}
          />
        ),
      )}
      {spec.secrets.map((s) => {
        const stored = a?.secrets.find((x) => x.key === s.key);
        return (
          <Group key={s.key} grow align="flex-end">
            <PasswordInput
              label={s.label}
              withAsterisk={s.required}
              placeholder={stored?.set ? 'задан' : 'не задан'}
              description="Только запись: значение не показывается"
              value={secrets[s.key] ?? ''}
              onChange={(e) => setSecrets({ ...secrets, [s.key]: e.currentTarget.value })}
              autoComplete="new-password"
            />
            <TextInput
              label="или переменная окружения"
              placeholder="VK_DISTRICT_TOKEN"
              value={secretEnv[s.key] ?? ''}
              onChange={(e) => setSecretEnv({ ...secretEnv, [s.key]: e.currentTarget.value })}
            />
          </Group>
        );
      })}
      {(spec.together ?? []).map((g) => (
        <Text key={g.label} size="xs" c="dimmed" data-testid="channel-field-group">
          {g.label}:{' '}
          {[
            ...g.settings.map((k) => spec.settings.find((f) => f.key === k)?.label ?? k),
            ...g.secrets.map((k) => spec.secrets.find((f) => f.key === k)?.label ?? k),
          ]
            .map((label) => `«${label}»`)
            .join(', ')}{' '}
          — задаются все вместе или не задаются вовсе.
        </Text>
      ))}
      {a?.webhookPath && (
        <Text size="xs" c="dimmed">
          Адрес для уведомлений канала: <code>{a.webhookPath}</code>
        </Text>
      )}
    </FormModal>
  );
}
