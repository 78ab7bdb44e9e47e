import { Injectable } from '@nestjs/common';
import { conflictError, invalidInput, notFoundError } from '@inbox/common';
import { type ConnectorKind, isConnectorKind, KIND_CHANNEL } from '@inbox/integrations/contract';
import {
  ACCOUNT_SPECS,
  changedSecretBearingSettings,
  checkAccount,
  namedSecretHostProblem,
} from './account-specs';
import {
  type AccountHealth,
  ChannelAccountsRepository,
  type StoredAccount,
} from './channel-accounts.repository';
import { ChannelRegistry } from './channel-registry.service';
import { foldersOutsideProblem, internalTargetProblem } from './internal-targets';

/** A secret as an administrator sees it: whether it is set and where it comes from — never its value. */
export interface SecretView {
  key: string;
  label: string;
  required: boolean;
  set: boolean;
  /** 'store': encrypted in the database; 'env': named environment variable; null: not set. */
  from: 'store' | 'env' | null;
  envName: string | null;
}

export interface AccountView extends AccountHealth {
  id: string;
  kind: ConnectorKind;
  kindLabel: string;
  channel: string;
  name: string;
  organisationId: string | null;
  /** 'env': the kind's implicit account from environment variables (changed there, not here). */
  source: 'env' | 'admin';
  enabled: boolean;
  /** The kind's default account: what came through no known account is answered through it. */
  isDefault: boolean;
  /** Built and working in this process; else `offReason` says why. */
  working: boolean;
  offReason: string | null;
  settings: Record<string, unknown>;
  secrets: SecretView[];
  /** Where the channel posts to this account (push kinds), relative to the site. */
  webhookPath: string | null;
}

export interface AccountChange {
  name?: string;
  organisationId?: string | null;
  settings?: Record<string, unknown>;
  /** New secret values (stored encrypted); '' removes one. */
  secrets?: Record<string, string>;
  /** Secrets named by environment variable; '' removes one. */
  secretEnv?: Record<string, string>;
  enabled?: boolean;
}

const PUSH_KINDS: readonly ConnectorKind[] = ['telegram', 'vk', 'ok'];

/**
 * Channel accounts as an administrator keeps them: listed with their health, added, changed, disabled. Secrets
 * are write-only: stored sealed with CHANNEL_SECRETS_KEY (or named by environment variable) and shown back only
 * as set or not. The registry of this process is read again at once; workers read it within seconds.
 */
@Injectable()
export class ChannelAccountsAdmin {
  constructor(
    private readonly accounts: ChannelAccountsRepository,
    private readonly registry: ChannelRegistry,
  ) {}

  async list(): Promise<AccountView[]> {
    await this.registry.refresh();
    const rows = await this.accounts.withHealth();
    return rows.filter((r) => isConnectorKind(r.kind)).map((r) => this.view(r));
  }

  async one(id: string): Promise<AccountView> {
    const found = (await this.list()).find((a) => a.id === id);
    if (!found) throw notFoundError('Учётная запись канала не найдена');
    return found;
  }

  async create(input: AccountChange & { kind: string; name: string }): Promise<AccountView> {
    if (!isConnectorKind(input.kind))
      throw invalidInput(`Неизвестный канал «${input.kind}»: ${Object.keys(ACCOUNT_SPECS).join(', ')}`);
    const kind = input.kind;
    const secrets = input.secrets ?? {};
    const secretEnv = input.secretEnv ?? {};
    const { settings, problems } = checkAccount(kind, { settings: input.settings ?? {}, secrets, secretEnv });
    this.checkNamedSecretHosts(kind, settings, secretEnv, problems);
    await this.checkInside(kind, settings, problems);
    await this.checkCommon(input, problems);
    const sealed = this.seal(kind, secrets);
    const id = await this.accounts.create({
      kind,
      channel: KIND_CHANNEL[kind],
      name: input.name.trim(),
      organisationId: input.organisationId ?? null,
      settings,
      secretsEncrypted: sealed,
      secretEnv: withoutEmpty(secretEnv),
      enabled: input.enabled ?? true,
    });
    if (!id)
      throw conflictError(`У канала «${ACCOUNT_SPECS[kind].label}» уже есть учётная запись «${input.name}»`);
    await this.registry.refresh();
    return this.one(id);
  }

  async update(id: string, change: AccountChange): Promise<AccountView> {
    const row = await this.accounts.account(id);
    if (!row || !isConnectorKind(row.kind)) throw notFoundError('Учётная запись канала не найдена');
    if (row.source === 'env')
      throw conflictError(
        'Эта учётная запись задана переменными окружения: её меняют там, а здесь можно добавить другую',
      );
    const kind = row.kind;
    const stored = this.openStored(row);
    const secrets = change.secrets ?? {};
    const secretEnv = change.secretEnv ?? {};
    const { settings, problems } = checkAccount(
      kind,
      { settings: change.settings ?? row.settings, secrets, secretEnv },
      { secretKeys: [...Object.keys(stored), ...Object.keys(row.secretEnv ?? {})] },
    );
    const name = change.name ?? row.name;
    // A secret given one way replaces the other way of it.
    const nextStored = { ...stored, ...secrets };
    const nextEnv = { ...(row.secretEnv ?? {}), ...secretEnv };
    for (const key of Object.keys(secretEnv)) if (secretEnv[key]) delete nextStored[key];
    for (const key of Object.keys(secrets)) if (secrets[key]) delete nextEnv[key];
    // A stored secret was entered for the address the account had; a new address must be given it again.
    const moved = changedSecretBearingSettings(kind, row.settings, settings);
    const kept = Object.keys(withoutEmpty(stored)).filter((key) => !secrets[key] && nextStored[key]);
    if (moved.length > 0 && kept.length > 0) {
      const labels = ACCOUNT_SPECS[kind].secrets
        .filter((f) => kept.includes(f.key))
        .map((f) => `«${f.label}»`);
      problems.push(
        `Изменён адрес (${moved.map((f) => `«${f.label}»`).join(', ')}): сохранённые секреты на новый адрес не ` +
          `отправляются — введите заново ${labels.join(', ')}`,
      );
    }
    this.checkNamedSecretHosts(kind, settings, nextEnv, problems);
    await this.checkInside(kind, settings, problems);
    await this.checkCommon({ name, organisationId: change.organisationId }, problems);
    const updated = await this.accounts.update(id, {
      name: name.trim(),
      organisationId: change.organisationId === undefined ? row.organisationId : change.organisationId,
      settings,
      secretsEncrypted: this.seal(kind, nextStored),
      secretEnv: withoutEmpty(nextEnv),
      enabled: change.enabled ?? row.enabled,
    });
    if (!updated) throw conflictError(`У канала уже есть учётная запись «${name}»`);
    await this.registry.refresh();
    return this.one(id);
  }

  private checkNamedSecretHosts(
    kind: ConnectorKind,
    settings: Record<string, unknown>,
    secretEnv: Record<string, string>,
    problems: string[],
  ): void {
    const refused = namedSecretHostProblem(kind, settings, secretEnv, this.registry.namedSecretHosts());
    if (refused) problems.push(refused);
  }

  private async checkInside(
    kind: ConnectorKind,
    settings: Record<string, unknown>,
    problems: string[],
  ): Promise<void> {
    const inside = await internalTargetProblem(kind, settings, this.registry.internalHosts());
    if (inside) problems.push(inside);
    const outside = await foldersOutsideProblem(kind, settings, this.registry.medoRoots());
    if (outside) problems.push(outside);
  }

  private async checkCommon(
    input: { name?: string; organisationId?: string | null },
    problems: string[],
  ): Promise<void> {
    const name = input.name?.trim() ?? '';
    if (name.length < 2 || name.length > 100) problems.push('Название — от 2 до 100 символов');
    if (input.organisationId && !(await this.accounts.organisationExists(input.organisationId)))
      problems.push('Организация не найдена');
    if (problems.length > 0) throw invalidInput(problems.join('; '));
  }

  /** The secrets to store, sealed; none when there are none. Without a key only variable names may be given. */
  private seal(kind: ConnectorKind, secrets: Record<string, string>): string | null {
    const values = withoutEmpty(secrets);
    if (Object.keys(values).length === 0) return null;
    const box = this.registry.secretBox();
    if (!box)
      throw invalidInput(
        `Хранилище секретов не настроено (CHANNEL_SECRETS_KEY): укажите для секретов канала «${ACCOUNT_SPECS[kind].label}» имена переменных окружения`,
      );
    return box.seal(values);
  }

  private openStored(row: StoredAccount): Record<string, string> {
    if (!row.secretsEncrypted) return {};
    const box = this.registry.secretBox();
    try {
      return box ? box.open(row.secretsEncrypted) : {};
    } catch {
      return {};
    }
  }

  private view(row: StoredAccount & AccountHealth): AccountView {
    const kind = row.kind as ConnectorKind;
    const spec = ACCOUNT_SPECS[kind];
    const entry = this.registry.byId(row.id);
    const off = this.registry.off().find((o) => o.accountId === row.id);
    const stored = row.source === 'admin' ? this.openStored(row) : {};
    const secrets: SecretView[] = spec.secrets.map((s) => {
      const envName = row.secretEnv?.[s.key] ?? null;
      const set =
        row.source === 'env' ? Boolean(entry?.account.secrets[s.key]) : Boolean(stored[s.key] || envName);
      return {
        key: s.key,
        label: s.label,
        required: Boolean(s.required),
        set,
        from: !set ? null : row.source === 'env' || envName ? 'env' : 'store',
        envName,
      };
    });
    const { secretsEncrypted: _sealed, secretEnv: _env, ...rest } = row;
    return {
      ...rest,
      kind,
      kindLabel: spec.label,
      isDefault: this.registry.get(kind)?.account.id === row.id,
      working: Boolean(entry),
      offReason: entry ? null : (off?.reason ?? (row.enabled ? null : 'отключена')),
      secrets,
      webhookPath: PUSH_KINDS.includes(kind) ? `/api/v1/webhooks/${kind}/${row.id}` : null,
    };
  }
}

function withoutEmpty(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== ''));
}
