import { type paths } from './schema.gen';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * Every API operation the workspace calls, as the OpenAPI document names it (path templates with {param}).
 * The paths are checked against the generated schema when the workspace compiles, so a renamed or removed
 * endpoint fails the build; the web e2e test checks the live document too.
 */
export const ENDPOINTS = {
  login: { method: 'POST', path: '/api/v1/auth/login' },
  refresh: { method: 'POST', path: '/api/v1/auth/refresh' },
  changePassword: { method: 'POST', path: '/api/v1/auth/password' },
  enrol: { method: 'POST', path: '/api/v1/auth/enrol' },
  logout: { method: 'POST', path: '/api/v1/auth/logout' },
  me: { method: 'GET', path: '/api/v1/me' },
  appeals: { method: 'GET', path: '/api/v1/appeals' },
  appealStream: { method: 'GET', path: '/api/v1/appeals/stream' },
  appealStreamTicket: { method: 'POST', path: '/api/v1/appeals/stream/ticket' },
  appealCount: { method: 'GET', path: '/api/v1/appeals/count' },
  appeal: { method: 'GET', path: '/api/v1/appeals/{id}' },
  appealAnswers: { method: 'GET', path: '/api/v1/appeals/{id}/answers' },
  appealNotes: { method: 'GET', path: '/api/v1/appeals/{id}/notes' },
  addNote: { method: 'POST', path: '/api/v1/appeals/{id}/notes' },
  joinCandidates: { method: 'GET', path: '/api/v1/appeals/{id}/join-candidates' },
  joinPreview: { method: 'GET', path: '/api/v1/appeals/{id}/join-preview' },
  join: { method: 'POST', path: '/api/v1/appeals/{id}/join' },
  incidentCandidates: { method: 'GET', path: '/api/v1/appeals/{id}/incident-candidates' },
  excludeFromIncident: { method: 'POST', path: '/api/v1/appeals/{id}/exclude-from-incident' },
  addToIncident: { method: 'POST', path: '/api/v1/appeals/{id}/add-to-incident' },
  notifications: { method: 'GET', path: '/api/v1/notifications' },
  unreadNotifications: { method: 'GET', path: '/api/v1/notifications/unread-count' },
  notificationSummary: { method: 'GET', path: '/api/v1/notifications/summary' },
  readNotification: { method: 'POST', path: '/api/v1/notifications/{id}/read' },
  readAllNotifications: { method: 'POST', path: '/api/v1/notifications/read-all' },
  attachment: { method: 'GET', path: '/api/v1/appeals/{id}/attachments/{attachmentId}' },
  attachToAppeal: { method: 'POST', path: '/api/v1/appeals/{id}/attachments' },
  register: { method: 'POST', path: '/api/v1/appeals' },
  take: { method: 'POST', path: '/api/v1/appeals/{id}/take' },
  assign: { method: 'POST', path: '/api/v1/appeals/{id}/assign' },
  classify: { method: 'POST', path: '/api/v1/appeals/{id}/classify' },
  escalate: { method: 'POST', path: '/api/v1/appeals/{id}/escalate' },
  fastTrack: { method: 'POST', path: '/api/v1/appeals/{id}/fast-track' },
  returnMisrouted: { method: 'POST', path: '/api/v1/appeals/{id}/return' },
  redirect: { method: 'POST', path: '/api/v1/appeals/{id}/redirect' },
  extend: { method: 'POST', path: '/api/v1/appeals/{id}/extend' },
  extensionPreview: { method: 'GET', path: '/api/v1/appeals/{id}/extension' },
  draftAnswer: { method: 'POST', path: '/api/v1/appeals/{id}/answers' },
  approveAnswer: { method: 'POST', path: '/api/v1/appeals/{id}/answers/{answerId}/approve' },
  sendAnswer: { method: 'POST', path: '/api/v1/appeals/{id}/answers/{answerId}/send' },
  handedOver: { method: 'POST', path: '/api/v1/appeals/{id}/answers/{answerId}/handed-over' },
  editDraft: { method: 'PATCH', path: '/api/v1/appeals/{id}/answers/{answerId}' },
  discardDraft: { method: 'POST', path: '/api/v1/appeals/{id}/answers/{answerId}/discard' },
  sendBackDraft: { method: 'POST', path: '/api/v1/appeals/{id}/answers/{answerId}/send-back' },
  attachToAnswer: { method: 'POST', path: '/api/v1/appeals/{id}/answers/{answerId}/attachments' },
  answerFile: { method: 'GET', path: '/api/v1/appeals/{id}/answers/{answerId}/attachments/{fileId}' },
  detachFromAnswer: {
    method: 'DELETE',
    path: '/api/v1/appeals/{id}/answers/{answerId}/attachments/{fileId}',
  },
  close: { method: 'POST', path: '/api/v1/appeals/{id}/close' },
  rate: { method: 'POST', path: '/api/v1/appeals/{id}/ratings' },
  failedDeliveries: { method: 'GET', path: '/api/v1/deliveries/failed' },
  retryDelivery: { method: 'POST', path: '/api/v1/appeals/{id}/deliveries/{messageId}/retry' },
  markDeliveryDelivered: {
    method: 'POST',
    path: '/api/v1/appeals/{id}/deliveries/{messageId}/mark-delivered',
  },
  channelQuarantine: { method: 'GET', path: '/api/v1/channel-quarantine' },
  channelQuarantineEntry: { method: 'GET', path: '/api/v1/channel-quarantine/{source}/{id}' },
  templates: { method: 'GET', path: '/api/v1/answer-templates' },
  appealTemplates: { method: 'GET', path: '/api/v1/appeals/{id}/answer-templates' },
  createTemplate: { method: 'POST', path: '/api/v1/answer-templates' },
  updateTemplate: { method: 'PATCH', path: '/api/v1/answer-templates/{id}' },
  fastTrackRules: { method: 'GET', path: '/api/v1/fast-track-rules' },
  createFastTrackRule: { method: 'POST', path: '/api/v1/fast-track-rules' },
  updateFastTrackRule: { method: 'PUT', path: '/api/v1/fast-track-rules/{id}' },
  deleteFastTrackRule: { method: 'DELETE', path: '/api/v1/fast-track-rules/{id}' },
  classifierModels: { method: 'GET', path: '/api/v1/classification/models' },
  promoteModel: { method: 'POST', path: '/api/v1/classification/models/{id}/promote' },
  retrain: { method: 'POST', path: '/api/v1/classification/retrain' },
  retrainStatus: { method: 'GET', path: '/api/v1/classification/retrain/{jobId}' },
  trainingData: { method: 'GET', path: '/api/v1/classification/training-data' },
  uploadTrainingData: { method: 'POST', path: '/api/v1/classification/training-data' },
  deleteTrainingData: { method: 'DELETE', path: '/api/v1/classification/training-data/{batchId}' },
  classificationCorrections: { method: 'GET', path: '/api/v1/classification/corrections' },
  incidents: { method: 'GET', path: '/api/v1/incidents' },
  incident: { method: 'GET', path: '/api/v1/incidents/{id}' },
  draftIncident: { method: 'POST', path: '/api/v1/incidents/{id}/draft' },
  approveIncident: { method: 'POST', path: '/api/v1/incidents/{id}/approve' },
  confirmFlag: { method: 'POST', path: '/api/v1/appeals/{id}/flags/{flagId}/confirm' },
  dismissFlag: { method: 'POST', path: '/api/v1/appeals/{id}/flags/{flagId}/dismiss' },
  organisations: { method: 'GET', path: '/api/v1/organisations' },
  updateOrganisation: { method: 'PATCH', path: '/api/v1/organisations/{id}' },
  topics: { method: 'GET', path: '/api/v1/topics' },
  calendars: { method: 'GET', path: '/api/v1/calendars' },
  calendarYear: { method: 'GET', path: '/api/v1/calendars/{year}' },
  routingRules: { method: 'GET', path: '/api/v1/routing-rules' },
  createRoutingRule: { method: 'POST', path: '/api/v1/routing-rules' },
  updateRoutingRule: { method: 'PUT', path: '/api/v1/routing-rules/{id}' },
  deactivateRoutingRule: { method: 'POST', path: '/api/v1/routing-rules/{id}/deactivate' },
  deleteRoutingRule: { method: 'DELETE', path: '/api/v1/routing-rules/{id}' },
  suggestRoute: { method: 'POST', path: '/api/v1/routing/suggest' },
  channelAccounts: { method: 'GET', path: '/api/v1/channel-accounts' },
  channelKinds: { method: 'GET', path: '/api/v1/channel-accounts/kinds' },
  createChannelAccount: { method: 'POST', path: '/api/v1/channel-accounts' },
  updateChannelAccount: { method: 'PATCH', path: '/api/v1/channel-accounts/{id}' },
  disableChannelAccount: { method: 'POST', path: '/api/v1/channel-accounts/{id}/disable' },
  enableChannelAccount: { method: 'POST', path: '/api/v1/channel-accounts/{id}/enable' },
  users: { method: 'GET', path: '/api/v1/users' },
  createUser: { method: 'POST', path: '/api/v1/users' },
  updateUser: { method: 'PATCH', path: '/api/v1/users/{id}' },
  deactivateUser: { method: 'POST', path: '/api/v1/users/{id}/deactivate' },
  activateUser: { method: 'POST', path: '/api/v1/users/{id}/activate' },
  resetPassword: { method: 'POST', path: '/api/v1/users/{id}/password' },
  cancelEnrolment: { method: 'POST', path: '/api/v1/users/{id}/enrolment/cancel' },
  signInLockouts: { method: 'GET', path: '/api/v1/users/lockouts' },
  unlockUser: { method: 'POST', path: '/api/v1/users/{id}/unlock' },
  assignees: { method: 'GET', path: '/api/v1/users/assignees' },
  dashboard: { method: 'GET', path: '/api/v1/reports/dashboard' },
  handled: { method: 'GET', path: '/api/v1/reports/handled' },
  health: { method: 'GET', path: '/health' },
  eventOutbox: { method: 'GET', path: '/api/v1/event-outbox' },
  retryDeadEvents: { method: 'POST', path: '/api/v1/event-outbox/retry' },
  kbArticles: { method: 'GET', path: '/api/v1/knowledge/articles' },
  kbArticle: { method: 'GET', path: '/api/v1/knowledge/articles/{id}' },
  kbVersions: { method: 'GET', path: '/api/v1/knowledge/articles/{id}/versions' },
  kbRender: { method: 'POST', path: '/api/v1/knowledge/articles/{id}/render' },
  kbSearch: { method: 'GET', path: '/api/v1/knowledge/search' },
  kbSuggest: { method: 'POST', path: '/api/v1/knowledge/suggestions' },
  kbAppealSuggestions: { method: 'GET', path: '/api/v1/knowledge/appeals/{appealId}/suggestions' },
  kbAppealUses: { method: 'GET', path: '/api/v1/knowledge/appeals/{appealId}/uses' },
  kbAnsweredOnTheSpot: { method: 'POST', path: '/api/v1/knowledge/appeals/{appealId}/answered-on-the-spot' },
  kbWorthAdding: { method: 'POST', path: '/api/v1/knowledge/appeals/{appealId}/worth-adding' },
  kbRepeated: { method: 'GET', path: '/api/v1/knowledge/gaps/repeated' },
  kbRequests: { method: 'GET', path: '/api/v1/knowledge/requests' },
  kbCreateRequest: { method: 'POST', path: '/api/v1/knowledge/requests' },
  kbRequest: { method: 'GET', path: '/api/v1/knowledge/requests/{id}' },
  kbUpdateRequest: { method: 'PATCH', path: '/api/v1/knowledge/requests/{id}' },
  kbSendRequest: { method: 'POST', path: '/api/v1/knowledge/requests/{id}/send' },
  kbApproveRequest: { method: 'POST', path: '/api/v1/knowledge/requests/{id}/approve' },
  kbReturnRequest: { method: 'POST', path: '/api/v1/knowledge/requests/{id}/return' },
  kbPublishRequest: { method: 'POST', path: '/api/v1/knowledge/requests/{id}/publish' },
  kbCancelRequest: { method: 'POST', path: '/api/v1/knowledge/requests/{id}/cancel' },
  kbSections: { method: 'GET', path: '/api/v1/knowledge/sections' },
  kbCreateSection: { method: 'POST', path: '/api/v1/knowledge/sections' },
  kbSectionReviewed: { method: 'POST', path: '/api/v1/knowledge/sections/{id}/reviewed' },
  kbSettings: { method: 'GET', path: '/api/v1/knowledge/organisations/{id}/settings' },
  kbSaveSettings: { method: 'PUT', path: '/api/v1/knowledge/organisations/{id}/settings' },
  kbUpload: { method: 'POST', path: '/api/v1/knowledge/attachments' },
  kbAttachment: { method: 'GET', path: '/api/v1/knowledge/attachments/{id}' },
  kbDashboard: { method: 'GET', path: '/api/v1/knowledge/dashboard' },
} as const satisfies Record<string, { method: Method; path: keyof paths }>;

export type EndpointName = keyof typeof ENDPOINTS;

type Operation<N extends EndpointName> = paths[(typeof ENDPOINTS)[N]['path']][Lowercase<
  (typeof ENDPOINTS)[N]['method']
>];

type JsonOf<R> = R extends { content: { 'application/json': infer J } } ? J : undefined;

/** What an endpoint answers (its 200, 201 or 202 JSON body), as the server's OpenAPI document declares it. */
export type ResponseOf<N extends EndpointName> =
  Operation<N> extends { responses: infer R }
    ? R extends { 200: infer Ok }
      ? JsonOf<Ok>
      : R extends { 201: infer Created }
        ? JsonOf<Created>
        : R extends { 202: infer Accepted }
          ? JsonOf<Accepted>
          : undefined
    : never;

/** The JSON body an endpoint takes, as declared by its DTO. */
export type BodyOf<N extends EndpointName> =
  Operation<N> extends { requestBody: infer B }
    ? B extends { content: { 'application/json': infer J } }
      ? J
      : B extends { content?: { 'application/json': infer J } }
        ? J
        : never
    : Operation<N> extends { requestBody?: infer B }
      ? B extends { content: { 'application/json': infer J } }
        ? J
        : never
      : never;

/** '/api/v1/appeals/{id}' + { id: 'x' } → '/api/v1/appeals/x' (each value URL-encoded). */
export function fillPath(path: string, params: Record<string, string | number> = {}): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`missing path parameter ${name}`);
    return encodeURIComponent(String(value));
  });
}
