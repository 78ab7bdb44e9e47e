/** Shapes of the API's answers, as the workspace uses them. */
export type Role = 'operator' | 'clerk' | 'supervisor' | 'admin';

export type AppealStatus =
  | 'registered'
  | 'in_work'
  | 'escalated'
  | 'returned'
  | 'redirected'
  | 'extended'
  | 'answered'
  | 'closed'
  | 'reopened';

export interface Me {
  id: string;
  login: string;
  fullName: string;
  role: Role;
  roleName: string;
  organisationId: string;
  organisationName: string;
  organisationKind: string;
  organisationIds: string[] | null;
}

export interface LoginResult {
  accessToken: string;
  expiresAt: string;
  user: Omit<Me, 'organisationIds'>;
}

export interface AppealSummary {
  id: string;
  registrationNumber: string;
  registeredAt: string;
  regime: string;
  channel: string;
  subject: string | null;
  excerpt: string;
  status: AppealStatus;
  fastTrack: boolean;
  organisationId: string;
  organisationName: string;
  answerDueDate: string;
  answerDueAt: string;
}

export interface AppealPage {
  items: AppealSummary[];
  nextCursor: string | null;
}

export interface HistoryEvent {
  id: string;
  type: string;
  actor: string;
  occurredAt: string;
  data: Record<string, unknown>;
}

export interface AppealCard extends AppealSummary {
  text: string;
  address: string | null;
  territoryCode: string | null;
  externalId: string;
  receivedAt: string;
  timeZone: string;
  deadlines: {
    registrationDueAt: string;
    redirectDueAt: string;
    answerDueDate: string;
    answerDueAt: string;
    extended: boolean;
    warnings: unknown;
    calendarVersion: string;
  };
  topicId: string | null;
  subtopicId: string | null;
  typicalNeed: string | null;
  assigneeId: string | null;
  applicant: {
    surname: string | null;
    firstName: string | null;
    patronymic: string | null;
    displayName: string | null;
    email: string | null;
    phone: string | null;
    postalAddress: string | null;
  };
  organisations: { id: string; code: string; name: string; role: string; assigned_at: string }[];
  attachments: {
    id: string;
    fileName: string;
    contentType: string;
    size: number;
    status: string;
    rejectionReason: string | null;
  }[];
  history: HistoryEvent[];
}

export interface Answer {
  id: string;
  status: 'draft' | 'approved' | 'sent';
  text: string;
  organisationId: string;
  organisationName: string;
  authorId: string;
  authorName: string;
  approvedByName: string | null;
  approvedAt: string | null;
  sentAt: string | null;
  createdAt: string;
}

export interface Organisation {
  id: string;
  code: string;
  name: string;
  shortName: string;
  kind: string;
  parentId: string | null;
  timeZone: string;
  territoryCodes?: string[];
}

export interface Topic {
  id: string;
  code: string;
  name: string;
  parentId: string | null;
  defaultOrganisationId: string | null;
  defaultOrganisationName: string | null;
}

export interface Template {
  id: string;
  organisationId: string | null;
  topicId: string | null;
  title: string;
  body: string;
}

export interface StaffMember {
  id: string;
  login?: string;
  fullName: string;
  role: Role;
  roleName?: string;
  organisationId: string;
  organisationName?: string;
  active?: boolean;
  seesSubordinates?: boolean;
}

export interface RouteSuggestion {
  organisationIds: string[];
  reason: 'rule' | 'topic-default' | 'none';
  reasonText: string;
  organisations: { id: string; code: string; shortName: string; name: string; kind: string }[];
  matchedRules: { id: string; name: string; priority: number }[];
}

export interface RoutingRule {
  id: string;
  name: string;
  priority: number;
  topicId: string | null;
  territoryCode: string | null;
  organisationIds: string[];
  active: boolean;
  topic: { id: string; name: string } | null;
  organisations: { id: string; shortName: string }[];
}

export interface ClockRow {
  atRisk: number;
  overdue: number;
}

export interface Dashboard {
  generatedAt: string;
  totals: {
    open: number;
    fastTrackOpen: number;
    overdueOpen: number;
    unclassified: number;
    received24h: number;
    atRisk: number;
    overdueMarked: number;
  };
  fastTrack: {
    id: string;
    registrationNumber: string;
    subject: string | null;
    excerpt: string;
    status: AppealStatus;
    channel: string;
    organisationName: string;
    timeZone: string;
    registeredAt: string;
    answerDueAt: string;
    line2DueAt: string | null;
    escalationDueAt: string | null;
  }[];
  clocks: {
    byOrganisation: (ClockRow & { organisationId: string; organisationName: string })[];
    byTopic: (ClockRow & { topicId: string; topicName: string })[];
  };
  volume: { from: string; to: string; days: { date: string; channel: string; count: number }[] };
  ratings: {
    byKind: { kind: string; count: number; poor: number }[];
    poorByOrganisationTopic: {
      organisationId: string;
      organisationName: string;
      topicId: string;
      topicName: string;
      count: number;
      appealIds: string[];
      lastAt: string;
    }[];
  };
}

export interface HandledRow {
  key: string;
  label: string;
  received: number;
  answered: number;
  onTime: number;
  late: number;
  inProgress: number;
  overdueOpen: number;
  redirected: number;
  onTimeShare: number | null;
}

export interface HandledReport {
  from: string;
  to: string;
  groupBy: 'topic' | 'line' | 'organisation' | 'channel';
  rows: HandledRow[];
  totals: Omit<HandledRow, 'key' | 'label'>;
}

export interface CalendarYear {
  year: number;
  version: string;
  status: string;
  source: string;
  summary: {
    calendarDays: number;
    workingDays: number;
    nonWorkingDays: number;
    shortDays: number;
    workingHours40: number;
  };
  days: { date: string; kind: 'working' | 'short' | 'weekend' | 'holiday' | 'moved-working' }[];
}

export interface Health {
  status: string;
  postgres: { ok: boolean; latencyMs: number; error?: string };
  redis: { ok: boolean; latencyMs: number; error?: string };
  queues?: Record<string, Record<string, number>>;
  inboundItems: Record<string, number>;
  channels: {
    channel: string;
    name: string;
    enabled: boolean;
    syncStage: string;
    lastSuccessAt: string | null;
    lastError: string | null;
    lastErrorAt: string | null;
    consecutiveFailures: number;
    itemsReceived: number;
  }[];
}
