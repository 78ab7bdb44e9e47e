import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SYSTEM_SCOPE } from '@inbox/access';
import { DomainError } from '@inbox/common';
import { AppConfig } from '@inbox/config';
import { AnswersRepository } from './repositories/answers.repository';
import {
  type AnswerLinkPurpose,
  type PublicAnswerLinkRow,
  PublicAnswerLinksRepository,
} from './repositories/public-answer-links.repository';
import { type RatingInput } from './workflow/actor';
import { AppealWorkflow } from './workflow/appeal-workflow.service';
import {
  FILE_LINK_EXPIRED_RU,
  FILE_LINK_INVALID_RU,
  RATING_LINK_EXPIRED_RU,
  RATING_LINK_INVALID_RU,
  ratingReplyRu,
} from './applicant-texts';

/** A link minted for one answer of a letter: where it leads and until when. */
export interface MintedAnswerLink {
  answerId: string;
  organisation: string;
  url: string;
  expiresAt: Date;
  /** A link to files: the names of the answer's files it opens. */
  fileNames?: string[];
}

/** The files a link opens (one answer's, sent), nothing personal. */
export interface AnswerFilesView {
  registrationNumber: string;
  organisation: string;
  sentAt: Date;
  expiresAt: Date;
  timeZone: string;
  files: { id: string; fileName: string; contentType: string; size: number }[];
}

/** What the rating page shows before the citizen rates: which answer, nothing personal (no ids). */
export type RatingLinkView = Omit<PublicAnswerLinkRow, 'appealId' | 'answerId'>;

const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');
/** 32 random bytes, base64url: what a link carries. Anything else is not looked up at all. */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Personal links of an answer, minted as the message that brings it goes out; one way for two purposes. The citizen
 * answered by e-mail rates through the letter: each answer a letter brings gets a link (a random token; only its
 * SHA-256 is stored, in `public_answer_links`, with the answer and an expiry of RATING_LINK_DAYS) to the public
 * rating page. Following it proves the address the answer went to, as the access code does on the status page. The
 * rating itself is the one workflow command every way uses (once per answer, a poor one reopens the appeal at the
 * superior of the organisation that answered). The citizen of a channel that carries no files (OK) gets, the same
 * way, a link per answer with files to a page that serves that answer's files and no other file of the appeal
 * (`files`): they hold no access code for the status page. A key opens only what it was made for.
 */
@Injectable()
export class PublicAnswerLinks {
  constructor(
    private readonly dataSource: DataSource,
    private readonly links: PublicAnswerLinksRepository,
    private readonly workflow: AppealWorkflow,
    private readonly config: AppConfig,
    private readonly answerRows: AnswersRepository,
  ) {}

  /**
   * One link per answer the message brings (for `files`, per answer with files); the tokens go only into the
   * message as it is sent, never into its stored text.
   */
  async mint(
    message: { id: string; appealId: string },
    purpose: AnswerLinkPurpose = 'rating',
    now = new Date(),
  ): Promise<MintedAnswerLink[]> {
    let answers = await this.links.answersOfMessage(this.dataSource.manager, message.id);
    const files = purpose === 'files' ? await this.answerRows.filesOf(answers.map((a) => a.answerId)) : [];
    const namesOf = (answerId: string) => files.filter((f) => f.answerId === answerId).map((f) => f.fileName);
    if (purpose === 'files') answers = answers.filter((a) => namesOf(a.answerId).length > 0);
    const expiresAt = new Date(now.getTime() + this.config.ratingLinkDays * 86_400_000);
    const minted = answers.map((a) => ({ ...a, token: randomBytes(32).toString('base64url') }));
    await this.links.insert(
      this.dataSource.manager,
      purpose,
      minted.map((m) => ({
        tokenHash: hashOf(m.token),
        appealId: message.appealId,
        answerId: m.answerId,
        messageId: message.id,
        expiresAt,
      })),
    );
    return minted.map((m) => ({
      answerId: m.answerId,
      organisation: m.organisation,
      url: this.urlOf(purpose, m.token),
      expiresAt,
      ...(purpose === 'files' ? { fileNames: namesOf(m.answerId) } : {}),
    }));
  }

  /** The files a link opens: its answer's, nothing else of the appeal. */
  async files(token: string, now = new Date()): Promise<AnswerFilesView> {
    const link = await this.valid(token, now, 'files');
    const files = await this.answerRows.filesOf([link.answerId]);
    return {
      registrationNumber: link.registrationNumber,
      organisation: link.organisation,
      sentAt: link.sentAt,
      expiresAt: link.expiresAt,
      timeZone: link.timeZone,
      files: files.map((f) => ({ id: f.id, fileName: f.fileName, contentType: f.contentType, size: f.size })),
    };
  }

  /** One file of the link's answer (sent); undefined for a file of another answer or appeal. */
  async file(token: string, fileId: string, now = new Date()) {
    const link = await this.valid(token, now, 'files');
    return UUID.test(fileId)
      ? this.answerRows.fileContent(link.appealId, link.answerId, fileId, true)
      : undefined;
  }

  /** The answer a link rates; refused, in Russian, for a link we never made (or altered) and an expired one. */
  async read(token: string, now = new Date()): Promise<RatingLinkView> {
    const { appealId: _appeal, answerId: _answer, ...view } = await this.valid(token, now);
    return view;
  }

  /** The citizen's rating of the link's answer (both questions of S4 п. 27.3). */
  async rate(
    token: string,
    input: Pick<RatingInput, 'answered' | 'satisfaction'>,
    now = new Date(),
  ): Promise<{ accepted: boolean; reopened: boolean; message: string }> {
    const link = await this.valid(token, now);
    const outcome = await this.workflow.rate(
      link.appealId,
      {
        channel: 'email',
        // One rating per link: the same link again is a duplicate, another link of the same answer is refused
        // as the answer's second rating.
        externalId: `link:${hashOf(token)}`,
        via: 'link',
        answerId: link.answerId,
        answered: input.answered,
        satisfaction: input.satisfaction,
      },
      { userId: 'system', role: SYSTEM_SCOPE.role, organisationId: 'system', scope: SYSTEM_SCOPE },
      now,
    );
    return ratingReplyRu(outcome);
  }

  /**
   * The link of a token made for `purpose`. Refused, in Russian, for a link we never made (or altered, or made for
   * the other purpose): 404; an expired one: 410, whichever its purpose (it was, and is no more).
   */
  private async valid(token: string, now: Date, purpose: AnswerLinkPurpose = 'rating') {
    const link = TOKEN.test(token)
      ? await this.links.link(this.dataSource.manager, hashOf(token), purpose)
      : undefined;
    const rating = purpose === 'rating';
    if (!link) throw new DomainError('not-found', rating ? RATING_LINK_INVALID_RU : FILE_LINK_INVALID_RU);
    if (new Date(link.expiresAt).getTime() <= now.getTime())
      throw new DomainError('gone', rating ? RATING_LINK_EXPIRED_RU : FILE_LINK_EXPIRED_RU);
    return link;
  }

  /**
   * The key rides in the fragment, which a browser never sends: the page reads it and posts it. In the query it
   * went to the server with the page itself, and so into a proxy's access log, where whoever read the log could
   * rate the answer in the citizen's stead (a poor rating reopens the appeal), or take its files. The status link
   * does the same.
   */
  private urlOf(purpose: AnswerLinkPurpose, token: string): string {
    const url = new URL(purpose === 'files' ? '/answer-files.html' : '/rate.html', this.config.publicBaseUrl);
    url.hash = new URLSearchParams({ t: token }).toString();
    return url.toString();
  }
}
