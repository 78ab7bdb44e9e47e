import { OrganisationTree } from './organisation-tree';
import { type OrganisationNode } from './organisations.repository';

function org(
  id: string,
  kind: OrganisationNode['kind'],
  parentId: string | null,
  shortName = id,
): OrganisationNode {
  return {
    id,
    code: id,
    name: shortName,
    shortName,
    kind,
    parentId,
    timeZone: 'Asia/Novosibirsk',
    workingHours: {},
    contacts: {},
    territoryCodes: [],
    answerDelivery: 'each',
    requisites: {},
  };
}

const tree = new OrganisationTree([
  org('uad', 'subordinate', 'mintrans', 'ГКУ «УАД»'),
  org('gov', 'region', null, 'Правительство'),
  org('mintrans', 'department', 'gov', 'Минтранс'),
  org('minjkh', 'department', 'gov', 'Минжкх'),
  org('uad-north', 'subordinate', 'uad', 'Северный участок УАД'),
  org('cur', 'management-centre', 'gov', 'ЦУР'),
  org('rechnoy', 'municipality', 'gov', 'Администрация г. Речного'),
]);

describe('OrganisationTree', () => {
  it('knows the superior of a body and the chain up to the top', () => {
    expect(tree.superiorOf('uad')?.id).toBe('mintrans');
    expect(tree.superiorOf('mintrans')?.id).toBe('gov');
    expect(tree.superiorOf('gov')).toBeUndefined();
    expect(tree.superiorOf('unknown')).toBeUndefined();
    expect(tree.superiorsOf('uad-north').map((o) => o.id)).toEqual(['uad', 'mintrans', 'gov']);
  });

  it('lists subordinates recursively, children before grandchildren', () => {
    expect(tree.subordinatesOf('mintrans').map((o) => o.id)).toEqual(['uad', 'uad-north']);
    expect(tree.subordinatesOf('gov').map((o) => o.id)).toEqual([
      'cur',
      'minjkh',
      'mintrans',
      'rechnoy',
      'uad',
      'uad-north',
    ]);
    expect(tree.subordinatesOf('uad-north')).toEqual([]);
  });

  it('nests the directory from the region down, siblings by kind then name', () => {
    const [root] = tree.toNested();
    expect(root.id).toBe('gov');
    expect(root.children.map((c) => c.id)).toEqual(['cur', 'minjkh', 'mintrans', 'rechnoy']);
    expect(root.children[2].children[0].children[0].id).toBe('uad-north');
    expect(tree.all().map((o) => o.id)).toEqual([
      'gov',
      'cur',
      'minjkh',
      'mintrans',
      'uad',
      'uad-north',
      'rechnoy',
    ]);
  });

  it('survives a parent cycle in bad data', () => {
    const broken = new OrganisationTree([org('a', 'department', 'b'), org('b', 'department', 'a')]);
    expect(broken.subordinatesOf('a').map((o) => o.id)).toEqual(['b']);
    expect(broken.superiorsOf('a').map((o) => o.id)).toEqual(['b']);
    expect(broken.all()).toHaveLength(2);
    expect(broken.toNested()).toEqual([]);
  });
});
