import { Injectable } from '@nestjs/common';
import { notFoundError } from '@inbox/common';
import { type Db } from '@inbox/database';
import {
  type AnswerDelivery,
  type OrganisationEntity,
  type OrganisationRequisites,
} from './organisation.entity';
import {
  type OrganisationSummary,
  OrganisationsRepository,
  type TopicDirectoryEntry,
} from './organisations.repository';

/**
 * Read side of the organisation directory. Organisations change rarely and are read on every
 * registration, so lookups by code are cached for a short while per process.
 */
@Injectable()
export class OrganisationDirectory {
  private cache = new Map<string, { org: OrganisationEntity; at: number }>();
  private static readonly TTL_MS = 30_000;

  constructor(private readonly organisations: OrganisationsRepository) {}

  /** `not-found` when no organisation has the code. `db`: the caller's transaction, when it holds one. */
  async byCode(code: string, db?: Db): Promise<OrganisationEntity> {
    const hit = this.cache.get(`code:${code}`);
    if (hit && Date.now() - hit.at < OrganisationDirectory.TTL_MS) return hit.org;
    const org = await this.organisations.byCode(code, db);
    if (!org) throw notFoundError(`Организации с кодом «${code}» нет в справочнике`);
    this.cache.set(`code:${code}`, { org, at: Date.now() });
    return org;
  }

  async byId(id: string): Promise<OrganisationEntity | null> {
    return (await this.organisations.byId(id)) ?? null;
  }

  all(): Promise<OrganisationEntity[]> {
    return this.organisations.all();
  }

  /**
   * How the citizen gets the answers to appeals the organisation is responsible for (`each` / `combined`);
   * `not-found` when no organisation has the id.
   */
  async setAnswerDelivery(id: string, answerDelivery: AnswerDelivery): Promise<void> {
    if (!(await this.organisations.setAnswerDelivery(id, answerDelivery))) {
      throw notFoundError('Организация не найдена');
    }
    this.cache.clear();
  }

  /** The organisations with these ids, in the order given; ids not in the directory are left out. */
  summariesInOrder(ids: string[]): Promise<OrganisationSummary[]> {
    return ids.length ? this.organisations.summariesInOrder(ids) : Promise.resolve([]);
  }

  /** The ids among these that are not in the directory. */
  async missingIds(ids: string[], db?: Db): Promise<string[]> {
    const found = new Set(await this.organisations.existingIds(ids, db));
    return ids.filter((id) => !found.has(id));
  }

  /** Ids of the organisations with these codes, in the order given; unknown codes are left out. */
  idsByCodes(codes: string[], db?: Db): Promise<string[]> {
    return this.organisations.idsByCodesInOrder(codes, db);
  }

  /**
   * An organisation's requisites as a channel sent them (ПОС's organizationInfo): ИНН, КПП, ОГРН, ОКТМО, address,
   * kept in the directory with the source and the instant; fields the channel did not send stay as they were.
   */
  async recordRequisites(
    id: string,
    requisites: Omit<OrganisationRequisites, 'source' | 'updatedAt'>,
    source: string,
  ): Promise<boolean> {
    const known = Object.fromEntries(
      (['inn', 'kpp', 'ogrn', 'oktmo', 'address'] as const)
        .filter((k) => typeof requisites[k] === 'string' && requisites[k] !== '')
        .map((k) => [k, requisites[k]]),
    );
    if (Object.keys(known).length === 0) return false;
    this.cache.clear();
    return this.organisations.setRequisites(id, { ...known, source, updatedAt: new Date().toISOString() });
  }

  /** Topics with the organisation each goes to by default (reference data for the workspace). */
  topicDirectory(): Promise<TopicDirectoryEntry[]> {
    return this.organisations.topicDirectory();
  }
}
