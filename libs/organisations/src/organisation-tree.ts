import { Inject, Injectable } from '@nestjs/common';
import { CachedLoad } from '@inbox/common';
import { type OrganisationKind } from './organisation.entity';
import { type OrganisationNode, OrganisationsRepository } from './organisations.repository';

export type OrganisationTreeNode = OrganisationNode & { children: OrganisationTreeNode[] };

const KIND_ORDER: Record<OrganisationKind, number> = {
  region: 0,
  'management-centre': 1,
  department: 2,
  subordinate: 3,
  municipality: 4,
};

function byKindThenName(a: OrganisationNode, b: OrganisationNode): number {
  return KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || a.shortName.localeCompare(b.shortName, 'ru');
}

/**
 * The organisation directory as a tree (region → departments → their subordinate bodies, municipalities).
 * Immutable once built; a parent that is not in the directory makes its child a root, and a cycle in bad
 * data never loops.
 */
export class OrganisationTree {
  private readonly byId = new Map<string, OrganisationNode>();
  private readonly childrenOf = new Map<string, OrganisationNode[]>();

  constructor(organisations: readonly OrganisationNode[]) {
    for (const org of organisations) this.byId.set(org.id, org);
    for (const org of [...organisations].sort(byKindThenName)) {
      if (!org.parentId || !this.byId.has(org.parentId)) continue;
      const siblings = this.childrenOf.get(org.parentId) ?? [];
      siblings.push(org);
      this.childrenOf.set(org.parentId, siblings);
    }
  }

  get(id: string): OrganisationNode | undefined {
    return this.byId.get(id);
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** Every organisation, superiors before their subordinates, siblings by kind then name. */
  all(): OrganisationNode[] {
    const out: OrganisationNode[] = [];
    const visit = (node: OrganisationNode, seen: Set<string>) => {
      if (seen.has(node.id)) return;
      seen.add(node.id);
      out.push(node);
      for (const child of this.childrenOf.get(node.id) ?? []) visit(child, seen);
    };
    const seen = new Set<string>();
    for (const root of this.roots()) visit(root, seen);
    // Members of a parent cycle have no root above them: list them too.
    for (const org of [...this.byId.values()].sort(byKindThenName)) visit(org, seen);
    return out;
  }

  roots(): OrganisationNode[] {
    return [...this.byId.values()]
      .filter((o) => !o.parentId || !this.byId.has(o.parentId))
      .sort(byKindThenName);
  }

  /** The body directly above (for re-routing a poorly rated answer upward); undefined at the top. */
  superiorOf(id: string): OrganisationNode | undefined {
    const parentId = this.byId.get(id)?.parentId;
    return parentId && parentId !== id ? this.byId.get(parentId) : undefined;
  }

  /** Every superior from the direct one up to the top. */
  superiorsOf(id: string): OrganisationNode[] {
    const out: OrganisationNode[] = [];
    const seen = new Set([id]);
    for (let node = this.superiorOf(id); node && !seen.has(node.id); node = this.superiorOf(node.id)) {
      seen.add(node.id);
      out.push(node);
    }
    return out;
  }

  /** Direct subordinates only. */
  childrenOfNode(id: string): OrganisationNode[] {
    return [...(this.childrenOf.get(id) ?? [])];
  }

  /** Every body below, recursively (children before grandchildren), without the organisation itself. */
  subordinatesOf(id: string): OrganisationNode[] {
    const out: OrganisationNode[] = [];
    const seen = new Set([id]);
    let level = this.childrenOfNode(id);
    while (level.length > 0) {
      const next: OrganisationNode[] = [];
      for (const node of level) {
        if (seen.has(node.id)) continue;
        seen.add(node.id);
        out.push(node);
        next.push(...this.childrenOfNode(node.id));
      }
      level = next;
    }
    return out;
  }

  /** Nested form for the API: each node with its children. */
  toNested(): OrganisationTreeNode[] {
    const build = (node: OrganisationNode, path: Set<string>): OrganisationTreeNode => ({
      ...node,
      children: this.childrenOfNode(node.id)
        .filter((c) => !path.has(c.id))
        .map((c) => build(c, new Set([...path, c.id]))),
    });
    return this.roots().map((r) => build(r, new Set([r.id])));
  }
}

/** Loads the directory as a tree; organisations change rarely, so the tree is cached briefly per process. */
@Injectable()
export class OrganisationTreeService {
  static readonly TTL_MS = 30_000;
  private readonly cache = new CachedLoad(OrganisationTreeService.TTL_MS, () => this.load());

  constructor(@Inject(OrganisationsRepository) private readonly organisations: OrganisationsRepository) {}

  tree(): Promise<OrganisationTree> {
    return this.cache.get();
  }

  invalidate(): void {
    this.cache.invalidate();
  }

  async superiorOf(id: string): Promise<OrganisationNode | undefined> {
    return (await this.tree()).superiorOf(id);
  }

  async subordinatesOf(id: string): Promise<OrganisationNode[]> {
    return (await this.tree()).subordinatesOf(id);
  }

  private async load(): Promise<OrganisationTree> {
    return new OrganisationTree(await this.organisations.nodes());
  }
}
