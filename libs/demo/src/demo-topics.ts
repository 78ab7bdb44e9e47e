import TOPIC_GROUPS from './demo-topics.json';

/**
 * Two-level rubricator of the demo region. `defaultOrganisationCode` is the competent body (a code from
 * DEMO_ORGANISATIONS) the ЦУР routes to by default; `fastTrackKeywords` are phrases that mark an item as
 * urgent (lower-case, matched case-insensitively against the text).
 */
export interface DemoTopic {
  code: string;
  name: string;
  parentCode?: string;
  defaultOrganisationCode?: string;
  fastTrackKeywords?: string[];
}

interface TopicGroup extends Omit<DemoTopic, 'parentCode' | 'fastTrackKeywords'> {
  subtopics: Omit<DemoTopic, 'parentCode'>[];
}

/** The rubricator as data (demo-topics.json): each topic with its subtopics, flattened here in that order. */
export const DEMO_TOPICS: DemoTopic[] = (TOPIC_GROUPS as TopicGroup[]).flatMap(({ subtopics, ...topic }) => [
  topic,
  ...subtopics.map(({ code, name, defaultOrganisationCode, fastTrackKeywords }) => ({
    code,
    name,
    parentCode: topic.code,
    defaultOrganisationCode,
    ...(fastTrackKeywords ? { fastTrackKeywords } : {}),
  })),
]);

export function findDemoTopic(code: string): DemoTopic | undefined {
  return DEMO_TOPICS.find((t) => t.code === code);
}
