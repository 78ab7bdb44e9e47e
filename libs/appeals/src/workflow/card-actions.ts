import { type Actor } from './actor';
import { leadsAppeal, mayEscalate, mayRecordRating, worksAppeals } from './rules';

/** What of an appeal decides who may act on it (its status is the screen's to weigh, as the status model says). */
export interface CardFacts {
  /** The lead organisation. */
  organisationId: string;
  /** 'appeal' (59-ФЗ) or 'message' (a social network's or ПОС's message outside 59-ФЗ). */
  regime: string;
  /** The viewer's organisation returned its part or had it closed: it only reads. */
  readOnly: boolean;
  organisations: { id: string; line: number; state: string }[];
}

/** Each action of the card, whether the command behind it would let this staff member do it. */
export interface CardActions {
  mayChangeContacts: boolean;
  mayEscalate: boolean;
  mayRedirect: boolean;
  mayTake: boolean;
  mayAnswer: boolean;
  mayAssign: boolean;
  mayReturn: boolean;
  mayExtendAppeal: boolean;
  mayExtendLine2: boolean;
  mayClose: boolean;
  mayRate: boolean;
}

/**
 * The card's actions by the commands' own rules, so that the screen offers only what the api allows: a button
 * the command refuses (any of an administrator's, a 59-ФЗ extension of a message) is not drawn.
 */
export function cardActions(actor: Actor, card: CardFacts): CardActions {
  // An administrator runs the system, not appeals: every command refuses them casework (requireCaseworker).
  const writable = !card.readOnly && worksAppeals(actor);
  // Return and the line-2 term are the organisation's own active line-2 part's (ReturnCommand, ExtendCommand).
  const ownPart = card.organisations.some(
    (o) => o.id === actor.organisationId && o.line === 2 && o.state === 'active',
  );
  return {
    mayChangeContacts: writable && leadsAppeal(actor, card.organisationId),
    mayEscalate: writable && mayEscalate(actor),
    mayRedirect: writable && leadsAppeal(actor, card.organisationId),
    mayTake: writable,
    mayAnswer: writable,
    // POST /assign is open to every staff role but the administrator; whom one may assign is checked on the
    // chosen colleague.
    mayAssign: writable,
    mayReturn: writable && ownPart,
    // 59-ФЗ ст. 12 ч. 2 extends an appeal's term; a message outside 59-ФЗ has no such term to extend.
    mayExtendAppeal: writable && card.regime === 'appeal',
    mayExtendLine2: writable && ownPart,
    mayClose: writable,
    mayRate: writable && mayRecordRating(actor),
  };
}
