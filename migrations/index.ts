import { InitialSchema1763840000000 } from './1763840000000-InitialSchema';
import { RegistrationNumberSequences1763840000001 } from './1763840000001-RegistrationNumberSequences';
import { StaffWorkflow1763840000002 } from './1763840000002-StaffWorkflow';
import { ChannelSync1763840000003 } from './1763840000003-ChannelSync';
import { MessengerDialogue1763840000004 } from './1763840000004-MessengerDialogue';
import { Classification1763840000006 } from './1763840000006-Classification';
import { FeedActions1763840000005 } from './1763840000005-FeedActions';
import { ClassificationLearning1763840000007 } from './1763840000007-ClassificationLearning';
import { KnowledgeBase1796166087650 } from './1796166087650-KnowledgeBase';
import { AppealParts1796168734368 } from './1796168734368-AppealParts';
import { StaffCollaboration1796172218557 } from './1796172218557-StaffCollaboration';
import { SearchTrigramIndexes1796175715343 } from './1796175715343-SearchTrigramIndexes';
import { IncidentAnswerDrafts1796179524990 } from './1796179524990-IncidentAnswerDrafts';
import { EventOutbox1796173451776 } from './1796173451776-EventOutbox';
import { SignInLockouts1796180000000 } from './1796180000000-SignInLockouts';
import { ClassifiedAt1796181000000 } from './1796181000000-ClassifiedAt';
import { DeliveryRetryRounds1796182500000 } from './1796182500000-DeliveryRetryRounds';
import { HealthIndexes1796183000000 } from './1796183000000-HealthIndexes';
import { InboundPersonalDataRemoval1796184000000 } from './1796184000000-InboundPersonalDataRemoval';
import { AnswerAttachments1796190000000 } from './1796190000000-AnswerAttachments';
import { PersonalDataRetention1796195000000 } from './1796195000000-PersonalDataRetention';
import { HistoryPersonalDataErasure1796196000000 } from './1796196000000-HistoryPersonalDataErasure';
import { PasswordChangeRequired1796197000000 } from './1796197000000-PasswordChangeRequired';
import { ChannelAccountsAsData1796198000000 } from './1796198000000-ChannelAccountsAsData';
import { CombinedAnswers1796198500000 } from './1796198500000-CombinedAnswers';
import { ClockSweepWatermark1796199000000 } from './1796199000000-ClockSweepWatermark';
import { SendClaims1796199100000 } from './1796199100000-SendClaims';
import { BotReplyRetryRounds1796199200000 } from './1796199200000-BotReplyRetryRounds';
import { ClockMarksKindIndex1796199900000 } from './1796199900000-ClockMarksKindIndex';
import { OrganisationRequisites1796200000000 } from './1796200000000-OrganisationRequisites';
import { AppealDailyCounts1796200500000 } from './1796200500000-AppealDailyCounts';
import { OverdueMarkedAppeals1796200600000 } from './1796200600000-OverdueMarkedAppeals';
import { RatingLinks1796200700000 } from './1796200700000-RatingLinks';
import { HealthBoundedCounts1796200850000 } from './1796200850000-HealthBoundedCounts';
import { DashboardOpenIndexes1796200900000 } from './1796200900000-DashboardOpenIndexes';
import { AppealSearchRecentIndex1796201300000 } from './1796201300000-AppealSearchRecentIndex';
import { OpenClockCounts1796201400000 } from './1796201400000-OpenClockCounts';
import { IncidentClusteringPass1796201500000 } from './1796201500000-IncidentClusteringPass';
import { AppealScopeCounts1796201620000 } from './1796201620000-AppealScopeCounts';
import { IncidentRegroupRequests1796201800000 } from './1796201800000-IncidentRegroupRequests';
import { AppealSearchScopeIndex1796201900000 } from './1796201900000-AppealSearchScopeIndex';
import { IncidentBandIndex1796202000000 } from './1796202000000-IncidentBandIndex';
import { OverdueScopeInIndex1796202100000 } from './1796202100000-OverdueScopeInIndex';
import { RegistrationTriggerCosts1796202600000 } from './1796202600000-RegistrationTriggerCosts';
import { AppealSearchPerOrganisation1796202800000 } from './1796202800000-AppealSearchPerOrganisation';
import { AppealScopeSearchLongWords1796202850000 } from './1796202850000-AppealScopeSearchLongWords';
import { SearchPersonStatistics1796202870000 } from './1796202870000-SearchPersonStatistics';
import { RoutingHistoryCounts1796202900000 } from './1796202900000-RoutingHistoryCounts';
import { LabelledAppealIndexes1796203000000 } from './1796203000000-LabelledAppealIndexes';
import { SearchWindowStatistics1796203100000 } from './1796203100000-SearchWindowStatistics';
import { AppealRowTriggerCosts1796203200000 } from './1796203200000-AppealRowTriggerCosts';
import { OutboxTriggerPlan1796203300000 } from './1796203300000-OutboxTriggerPlan';
import { UnreadAppealIndexes1796203400000 } from './1796203400000-UnreadAppealIndexes';
import { SearchTermsMaintenancePath1796203500000 } from './1796203500000-SearchTermsMaintenancePath';
import { AttachmentUniqueKey1796203610000 } from './1796203610000-AttachmentUniqueKey';
import { StaffSessionRevocation1796203700000 } from './1796203700000-StaffSessionRevocation';
import { OutboxClaimIndex1796203800000 } from './1796203800000-OutboxClaimIndex';
import { InterruptedSends1796204500000 } from './1796204500000-InterruptedSends';
import { OutboxTriggerCosts1796204600000 } from './1796204600000-OutboxTriggerCosts';
import { SearchTermsInlined1796204720000 } from './1796204720000-SearchTermsInlined';
import { PersonalDataRemovalInlined1796204730000 } from './1796204730000-PersonalDataRemovalInlined';
import { KnowledgeNotificationLinks1796204800000 } from './1796204800000-KnowledgeNotificationLinks';
import { DeferredInboundEvents1796204900000 } from './1796204900000-DeferredInboundEvents';
import { PartListedLooksFirst1796205000000 } from './1796205000000-PartListedLooksFirst';
import { QuarantinedInputKey1796205300000 } from './1796205300000-QuarantinedInputKey';
import { KnowledgeNotificationLinksBackfill1796205400000 } from './1796205400000-KnowledgeNotificationLinksBackfill';
import { AttachmentStoreRetries1796205500000 } from './1796205500000-AttachmentStoreRetries';
import { WithdrawnAppealIndex1796205560000 } from './1796205560000-WithdrawnAppealIndex';
import { InboundItemRetryRounds1796205600000 } from './1796205600000-InboundItemRetryRounds';
import { ChannelAccountState1796205800000 } from './1796205800000-ChannelAccountState';
import { OutboxFailingSince1796205900000 } from './1796205900000-OutboxFailingSince';
import { InboundEventClaimTime1796205910000 } from './1796205910000-InboundEventClaimTime';
import { AttachmentFailedRounds1796205920000 } from './1796205920000-AttachmentFailedRounds';
import { SignInLockoutsByAccount1796205950000 } from './1796205950000-SignInLockoutsByAccount';
import { ConsentSource1796205987000 } from './1796205987000-ConsentSource';
import { OutboxLeases1796205990000 } from './1796205990000-OutboxLeases';
import { RatingComment1796206100000 } from './1796206100000-RatingComment';
import { OutboxLeaseInPlace1796206200000 } from './1796206200000-OutboxLeaseInPlace';
import { SignInKnownSources1796206310000 } from './1796206310000-SignInKnownSources';
import { ClusterBandsWithoutAppealIndex1796206400000 } from './1796206400000-ClusterBandsWithoutAppealIndex';
import { ApplicantSnils1796206500000 } from './1796206500000-ApplicantSnils';
import { IncidentParts1796206600000 } from './1796206600000-IncidentParts';
import { AppealIncidentLinks1796206700000 } from './1796206700000-AppealIncidentLinks';
import { ClassificationWakeInProcess1796206800000 } from './1796206800000-ClassificationWakeInProcess';
import { UnkeyedAccessCodeIndex1796206900000 } from './1796206900000-UnkeyedAccessCodeIndex';
import { OpenEscalationDueIndex1796207000000 } from './1796207000000-OpenEscalationDueIndex';
import { AnswerFileLinks1796207100000 } from './1796207100000-AnswerFileLinks';
import { PublicAnswerLinks1796207200000 } from './1796207200000-PublicAnswerLinks';
import { OutboundMessageParts1796207250000 } from './1796207250000-OutboundMessageParts';
import { BotReplyParts1796207300000 } from './1796207300000-BotReplyParts';
import { DeliveryManualRetries1796207310000 } from './1796207310000-DeliveryManualRetries';
import { AppealJoins1796207400000 } from './1796207400000-AppealJoins';
import { IncidentMembershipChanges1796207600000 } from './1796207600000-IncidentMembershipChanges';
import { ClockDigestNotifications1796207730000 } from './1796207730000-ClockDigestNotifications';
import { IncidentStateFollowsMembers1796207800000 } from './1796207800000-IncidentStateFollowsMembers';
import { StaffEnrolmentCodes1796207831000 } from './1796207831000-StaffEnrolmentCodes';
import { DraftAnswersIndex1796205700000 } from './1796205700000-DraftAnswersIndex';

/** Every migration, in order. Listed explicitly so the build, the CLI and the tests see the same set. */
export const MIGRATIONS = [
  InitialSchema1763840000000,
  RegistrationNumberSequences1763840000001,
  StaffWorkflow1763840000002,
  ChannelSync1763840000003,
  MessengerDialogue1763840000004,
  Classification1763840000006,
  FeedActions1763840000005,
  ClassificationLearning1763840000007,
  KnowledgeBase1796166087650,
  AppealParts1796168734368,
  StaffCollaboration1796172218557,
  EventOutbox1796173451776,
  SearchTrigramIndexes1796175715343,
  IncidentAnswerDrafts1796179524990,
  SignInLockouts1796180000000,
  ClassifiedAt1796181000000,
  DeliveryRetryRounds1796182500000,
  HealthIndexes1796183000000,
  InboundPersonalDataRemoval1796184000000,
  AnswerAttachments1796190000000,
  PersonalDataRetention1796195000000,
  HistoryPersonalDataErasure1796196000000,
  PasswordChangeRequired1796197000000,
  ChannelAccountsAsData1796198000000,
  CombinedAnswers1796198500000,
  ClockSweepWatermark1796199000000,
  SendClaims1796199100000,
  BotReplyRetryRounds1796199200000,
  ClockMarksKindIndex1796199900000,
  OrganisationRequisites1796200000000,
  AppealDailyCounts1796200500000,
  OverdueMarkedAppeals1796200600000,
  RatingLinks1796200700000,
  HealthBoundedCounts1796200850000,
  DashboardOpenIndexes1796200900000,
  AppealSearchRecentIndex1796201300000,
  OpenClockCounts1796201400000,
  IncidentClusteringPass1796201500000,
  AppealScopeCounts1796201620000,
  IncidentRegroupRequests1796201800000,
  AppealSearchScopeIndex1796201900000,
  IncidentBandIndex1796202000000,
  OverdueScopeInIndex1796202100000,
  RegistrationTriggerCosts1796202600000,
  AppealSearchPerOrganisation1796202800000,
  AppealScopeSearchLongWords1796202850000,
  SearchPersonStatistics1796202870000,
  RoutingHistoryCounts1796202900000,
  LabelledAppealIndexes1796203000000,
  SearchWindowStatistics1796203100000,
  AppealRowTriggerCosts1796203200000,
  OutboxTriggerPlan1796203300000,
  UnreadAppealIndexes1796203400000,
  SearchTermsMaintenancePath1796203500000,
  AttachmentUniqueKey1796203610000,
  StaffSessionRevocation1796203700000,
  OutboxClaimIndex1796203800000,
  InterruptedSends1796204500000,
  OutboxTriggerCosts1796204600000,
  SearchTermsInlined1796204720000,
  PersonalDataRemovalInlined1796204730000,
  KnowledgeNotificationLinks1796204800000,
  DeferredInboundEvents1796204900000,
  PartListedLooksFirst1796205000000,
  QuarantinedInputKey1796205300000,
  KnowledgeNotificationLinksBackfill1796205400000,
  AttachmentStoreRetries1796205500000,
  WithdrawnAppealIndex1796205560000,
  InboundItemRetryRounds1796205600000,
  DraftAnswersIndex1796205700000,
  ChannelAccountState1796205800000,
  OutboxFailingSince1796205900000,
  InboundEventClaimTime1796205910000,
  AttachmentFailedRounds1796205920000,
  SignInLockoutsByAccount1796205950000,
  ConsentSource1796205987000,
  OutboxLeases1796205990000,
  RatingComment1796206100000,
  OutboxLeaseInPlace1796206200000,
  SignInKnownSources1796206310000,
  ClusterBandsWithoutAppealIndex1796206400000,
  ApplicantSnils1796206500000,
  IncidentParts1796206600000,
  AppealIncidentLinks1796206700000,
  ClassificationWakeInProcess1796206800000,
  UnkeyedAccessCodeIndex1796206900000,
  OpenEscalationDueIndex1796207000000,
  AnswerFileLinks1796207100000,
  PublicAnswerLinks1796207200000,
  OutboundMessageParts1796207250000,
  BotReplyParts1796207300000,
  DeliveryManualRetries1796207310000,
  AppealJoins1796207400000,
  IncidentMembershipChanges1796207600000,
  ClockDigestNotifications1796207730000,
  IncidentStateFollowsMembers1796207800000,
  StaffEnrolmentCodes1796207831000,
];
