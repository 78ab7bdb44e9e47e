import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type Repository } from 'typeorm';
import { OrganisationEntity } from './organisation.entity';

/**
 * Read side of the organisation directory. Organisations change rarely and are read on every
 * registration, so lookups are cached for a short while per process.
 */
@Injectable()
export class OrganisationDirectory {
  private cache = new Map<string, { org: OrganisationEntity; at: number }>();
  private static readonly TTL_MS = 30_000;

  constructor(
    @InjectRepository(OrganisationEntity) private readonly organisations: Repository<OrganisationEntity>,
  ) {}

  async byCode(code: string): Promise<OrganisationEntity> {
    const hit = this.cache.get(`code:${code}`);
    if (hit && Date.now() - hit.at < OrganisationDirectory.TTL_MS) return hit.org;
    const org = await this.organisations.findOne({ where: { code } });
    if (!org) throw new NotFoundException(`Organisation "${code}" is not in the directory`);
    this.cache.set(`code:${code}`, { org, at: Date.now() });
    return org;
  }

  async byId(id: string): Promise<OrganisationEntity | null> {
    return this.organisations.findOne({ where: { id } });
  }

  async all(): Promise<OrganisationEntity[]> {
    return this.organisations.find({ order: { name: 'ASC' } });
  }
}
