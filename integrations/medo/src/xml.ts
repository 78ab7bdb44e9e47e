import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { PackageRejected } from './errors';

/** An element as parsed: attributes under '@name' (namespace prefixes removed), children as arrays. */
export type XmlNode = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  // Gateways write `xdms:` prefixes, other prefixes, or a default namespace; we match on local names.
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  htmlEntities: true,
  isArray: (_name, _path, _leaf, isAttribute) => !isAttribute,
});

/** Parses a whole document and returns its root element's local name and node. */
export function parseXml(text: string, what = 'XML'): { rootName: string; root: XmlNode } {
  // No DTDs: a МЭДО passport never has one, and entity expansion is an attack surface.
  if (/<!DOCTYPE/i.test(text)) {
    throw new PackageRejected(
      'bad-xml',
      `${what} contains a DOCTYPE, which is not allowed`,
      `${what} содержит DOCTYPE, что недопустимо`,
    );
  }
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    const { msg, line, col } = valid.err;
    throw new PackageRejected(
      'bad-xml',
      `${what} is not well-formed XML (line ${line}, column ${col}: ${msg})`,
      `${what} не является корректным XML (строка ${line}, позиция ${col})`,
    );
  }
  const parsed = parser.parse(text) as Record<string, unknown>;
  const roots = Object.keys(parsed).filter((key) => !key.startsWith('?') && !key.startsWith('#'));
  const rootName = roots[0];
  const rootValue = rootName ? (parsed[rootName] as unknown[]) : undefined;
  if (roots.length !== 1 || !Array.isArray(rootValue) || rootValue.length !== 1) {
    throw new PackageRejected(
      'bad-xml',
      `${what} has no single root element`,
      `${what} не имеет корневого элемента`,
    );
  }
  return { rootName, root: asNode(rootValue[0]) };
}

function asNode(value: unknown): XmlNode {
  if (value && typeof value === 'object') return value as XmlNode;
  return { '#text': value === undefined || value === null ? '' : String(value) };
}

/** Child elements by local name, case-insensitively (gateways deviate). */
export function children(node: XmlNode | undefined, name: string): XmlNode[] {
  if (!node) return [];
  const wanted = name.toLowerCase();
  const out: XmlNode[] = [];
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith('@') || key === '#text' || key.toLowerCase() !== wanted) continue;
    for (const item of Array.isArray(value) ? value : [value]) out.push(asNode(item));
  }
  return out;
}

export function child(node: XmlNode | undefined, ...path: string[]): XmlNode | undefined {
  let current = node;
  for (const name of path) current = children(current, name)[0];
  return current;
}

/** Names of the element children, in no particular order. */
export function childNames(node: XmlNode | undefined): string[] {
  return node ? Object.keys(node).filter((key) => !key.startsWith('@') && key !== '#text') : [];
}

/** Text content, trimmed, with characters XML forbids removed; undefined when empty. */
export function textOf(node: XmlNode | undefined): string | undefined {
  if (!node) return undefined;
  const raw = node['#text'];
  if (raw === undefined || raw === null) return undefined;
  const text = cleanText(String(raw)).trim();
  return text === '' ? undefined : text;
}

export function childText(node: XmlNode | undefined, ...path: string[]): string | undefined {
  return textOf(child(node, ...path));
}

/** An attribute by local name, case-insensitively. */
export function attr(node: XmlNode | undefined, name: string): string | undefined {
  if (!node) return undefined;
  const wanted = `@${name.toLowerCase()}`;
  for (const [key, value] of Object.entries(node)) {
    if (key.toLowerCase() === wanted && value !== undefined && value !== null) {
      const text = cleanText(String(value)).trim();
      return text === '' ? undefined : text;
    }
  }
  return undefined;
}

/** Every element below `node` (itself included) that has the attribute, depth first. */
export function findWithAttribute(
  node: XmlNode,
  attribute: string,
  path: string[] = [],
): { node: XmlNode; path: string[] }[] {
  const out: { node: XmlNode; path: string[] }[] = [];
  if (attr(node, attribute) !== undefined) out.push({ node, path });
  for (const name of childNames(node)) {
    for (const inner of children(node, name))
      out.push(...findWithAttribute(inner, attribute, [...path, name]));
  }
  return out;
}

/** Removes characters XML 1.0 forbids (a `&#0;` reference parses into one). */
export function cleanText(text: string): string {
  let out = '';
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    const allowed =
      c === 0x09 ||
      c === 0x0a ||
      c === 0x0d ||
      (c >= 0x20 && c <= 0xd7ff) ||
      (c >= 0xe000 && c <= 0xfffd) ||
      c >= 0x10000;
    if (allowed) out += ch;
  }
  return out;
}

export function escapeText(text: string): string {
  return cleanText(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function escapeAttribute(text: string): string {
  return escapeText(text)
    .replace(/"/g, '&quot;')
    .replace(/\r/g, '&#13;')
    .replace(/\n/g, '&#10;')
    .replace(/\t/g, '&#9;');
}
