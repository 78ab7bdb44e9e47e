import { randomUUID } from 'node:crypto';
import {
  Body,
  Headers,
  HttpCode,
  HttpStatus,
  Param,
  Post,
  Res,
  UploadedFiles,
  UseInterceptors,
} from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiProduces } from '@nestjs/swagger';
import { type Response } from 'express';
import { SYSTEM_SCOPE } from '@inbox/access';
import {
  AppealQueries,
  AppealRegistrar,
  AppealWorkflow,
  isRegistrationNumber,
  ratingReplyRu,
} from '@inbox/appeals';
import { AppConfig } from '@inbox/config';
import { conflictError, DomainError, invalidInput, notFoundError, rootLogger } from '@inbox/common';
import { InboundStore } from '@inbox/intake';
import { Channel, ConnectorError, ConnectorErrorCode, type InboundItem } from '@inbox/integrations/contract';
import { WebsiteFormConnector } from '@inbox/integrations/website';
import {
  PublicAccessCodeDto,
  PublicAppealCreatedDto,
  PublicAppealFormDto,
  PublicAppealStatusDto,
  PublicRatingOutcomeDto,
  PublicStatusRatingDto,
} from './public-appeal.dto';
import { DeclaredUploadSize, FormFilesInterceptor, MULTIPART_FILES } from './form-attachments.interceptor';
import { ClientAddress, RateLimited, RateLimitStore } from '../rate-limits/rate-limits';
import { allowedUpload } from '@inbox/common';
import { sendFile } from '../files/send-file';
import { PublicController } from '../public-controller';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const WEBSITE_ACCOUNT = { id: 'website-form', channel: Channel.Website, settings: {}, secrets: {} };
/** Multer stops reading beyond this many files; the connector reports the real limit in Russian. */
const UPLOAD_HARD_LIMIT = MULTIPART_FILES;
/**
 * A registration number's budget of wrong codes from all addresses together, in per-address budgets: 10 × 20 an
 * hour is 1.75 M guesses a year against 31^8 ≈ 8.5 · 10^11 codes.
 */
const NUMBER_GUESS_FACTOR = 10;
/** How long an address that showed a number's right code is exempt from the number's own budget. */
const KNOWN_SOURCE_SECONDS = 90 * 24 * 3600;
/** The anonymous upload budget of an address (AppConfig.anonymousUploadBytesPerDay), and its window. */
const uploadBudget = (address: string) => `upload:${address}`;
const UPLOAD_BUDGET_SECONDS = 24 * 3600;

@PublicController('api/v1/public/appeals', 'public')
export class PublicAppealsController {
  private readonly log = rootLogger.child('public-form');
  private readonly connector: WebsiteFormConnector;

  constructor(
    private readonly config: AppConfig,
    private readonly store: InboundStore,
    private readonly registrar: AppealRegistrar,
    private readonly queries: AppealQueries,
    private readonly workflow: AppealWorkflow,
    private readonly rateLimits: RateLimitStore,
  ) {
    this.connector = new WebsiteFormConnector({
      maxFileBytes: config.attachmentMaxBytes,
      maxFiles: config.attachmentMaxCount,
    });
  }

  @Post()
  @RateLimited('form')
  @ApiOperation({ summary: 'Подать обращение через форму сайта' })
  @ApiConsumes('multipart/form-data', 'application/json')
  @ApiBody({ type: PublicAppealFormDto })
  @ApiOkResponse({
    type: PublicAppealCreatedDto,
    description: '201 — зарегистрировано; 200 — повторная отправка',
  })
  @UseInterceptors(DeclaredUploadSize, FormFilesInterceptor('attachments', UPLOAD_HARD_LIMIT))
  async submit(
    @Body() body: unknown,
    @UploadedFiles() files: Express.Multer.File[] | undefined,
    @Headers() headers: Record<string, string>,
    @ClientAddress() address: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<PublicAppealCreatedDto> {
    let parsed;
    try {
      parsed = await this.connector.parseInbound(WEBSITE_ACCOUNT, {
        headers,
        body,
        files: (files ?? []).map((f) => ({
          fieldName: f.fieldname,
          // Multer reads the multipart file name as latin1; browsers send UTF-8.
          fileName: Buffer.from(f.originalname, 'latin1').toString('utf8'),
          contentType: f.mimetype,
          buffer: f.buffer,
        })),
      });
    } catch (error) {
      if (error instanceof ConnectorError && error.code === ConnectorErrorCode.InvalidPayload) {
        const code = error.details.status === 413 ? 'too-large' : 'invalid-input';
        throw new DomainError(code, 'Проверьте правильность заполнения формы', error.details.fields ?? {});
      }
      throw error;
    }
    if (parsed.kind !== 'items') throw invalidInput('Неожиданный ответ обработчика формы');
    // The day's budget counts the files of a submission once: not those of a try that failed (the database away,
    // a 503 the browser retries), nor of a repeat under the same Idempotency-Key once one try has registered it.
    // Before, a citizen's retries through a minute's outage spent the day's 50 MB on one scan, and the retry
    // after it was refused until the next day (429).
    const paid = `upload-paid:${address}:${parsed.items[0].externalId}`;
    const charged = await this.checkUploads(parsed.items, address, (await this.rateLimits.spent(paid)) > 0);
    let counted = false;
    try {
      const created = await this.register(parsed.items, res);
      counted = created.registered;
      if (counted && charged > 0) await this.rateLimits.spend(paid, 1, UPLOAD_BUDGET_SECONDS);
      return created.reply;
    } finally {
      if (charged > 0 && !counted) await this.refundUploads(address, charged);
    }
  }

  private async register(
    items: InboundItem[],
    res: Response,
  ): Promise<{ registered: boolean; reply: PublicAppealCreatedDto }> {
    const [stored] = await this.store.store(items, { enqueue: false });
    // The codes these contents give (AppealRegistrar.accessCodes): an Idempotency-Key already used for other
    // contents gives another, and is refused below, whether the first submission's appeal is registered now (it
    // was stored, not yet registered) or was before; it tells nothing of that appeal.
    const codes = this.registrar.accessCodes(items[0]);
    const outcome = await this.registrar.registerInboundItem(stored.inboundItemId);
    if (outcome.kind === 'registered' && codes.includes(outcome.accessCode)) {
      this.log.info('appeal registered from the website form', { appealId: outcome.appealId });
      res.status(HttpStatus.CREATED);
      return {
        registered: true,
        reply: {
          registrationNumber: outcome.registrationNumber,
          accessCode: outcome.accessCode,
          registeredAt: outcome.registeredAt.toISOString(),
          answerDueDate: outcome.deadlines.answerDueDate,
          timeZone: outcome.timeZone,
          statusUrl: this.statusUrl(outcome.registrationNumber, outcome.accessCode),
        },
      };
    }
    if (outcome.kind === 'already-processed' || outcome.kind === 'follow-up') {
      // The same Idempotency-Key again (a retry after the answer was lost on the way): the same appeal and the
      // same code, which only the same contents give.
      const number = outcome.registrationNumber;
      let same: string | undefined;
      for (const code of codes) {
        if (await this.queries.publicAppealId(number, code)) {
          same = code;
          break;
        }
      }
      if (!same) throw this.keyUsedForOtherContents();
      const card = await this.queries.card(outcome.appealId, SYSTEM_SCOPE);
      this.log.info('website form submitted again', { appealId: outcome.appealId });
      res.status(HttpStatus.OK);
      return {
        registered: false,
        reply: {
          registrationNumber: number,
          accessCode: same,
          registeredAt: card!.registeredAt.toISOString(),
          answerDueDate: card!.answerDueDate,
          timeZone: card!.timeZone,
          statusUrl: this.statusUrl(number, same),
        },
      };
    }
    if (outcome.kind === 'registered') throw this.keyUsedForOtherContents();
    throw invalidInput('Обращение не может быть зарегистрировано', {});
  }

  /**
   * Anonymous files are what their bytes say (sniffed against the allow-list: an executable or a web page named
   * .pdf is refused) and within a budget: per request, and per address and day (Redis, across api processes).
   * Returns the bytes counted against the day's budget; none when `paid` (a repeat of a registered submission).
   */
  private async checkUploads(items: InboundItem[], address: string, paid: boolean): Promise<number> {
    const attachments = items.flatMap((item) => item.attachments ?? []);
    let total = 0;
    for (const attachment of attachments) {
      const content = Buffer.from(attachment.contentBase64 ?? '', 'base64');
      const type = await allowedUpload(attachment.fileName, content);
      if (!type) {
        const message = `Файл «${attachment.fileName}» не является документом или изображением указанного типа`;
        throw new DomainError('unsupported-media-type', message, { attachments: message });
      }
      attachment.contentType = type;
      total += content.length;
    }
    if (total > this.config.anonymousUploadBytesPerRequest) {
      const message = `Вложения вместе больше ${Math.round(this.config.anonymousUploadBytesPerRequest / 1048576)} МБ`;
      throw new DomainError('too-large', message, { attachments: message });
    }
    if (total === 0 || paid) return 0;
    const spent = await this.rateLimits.spend(uploadBudget(address), total, UPLOAD_BUDGET_SECONDS);
    if (spent.total > this.config.anonymousUploadBytesPerDay) {
      // Refused, so not taken: the budget keeps only what was.
      await this.refundUploads(address, total);
      const message =
        'Превышен суточный объём вложений. Попробуйте завтра или отправьте обращение без файлов';
      throw new DomainError('rate-limited', message, { attachments: message }, spent.resetsIn);
    }
    return total;
  }

  /** Gives bytes counted by checkUploads back; a Redis away now leaves them spent rather than fail the answer. */
  private async refundUploads(address: string, bytes: number): Promise<void> {
    await this.rateLimits.spend(uploadBudget(address), -bytes, UPLOAD_BUDGET_SECONDS).catch(() => undefined);
  }

  @Post(':registrationNumber/status')
  @RateLimited('status')
  @ApiOperation({
    summary: 'Статус обращения по номеру и коду доступа',
    description:
      'Код доступа передаётся в теле запроса, не в адресе. Неверные коды считаются по номеру с адреса и по адресу: ' +
      'после RATE_LIMIT_STATUS_GUESSES неверных попыток — 429 до конца окна; по номеру со всех адресов — ' +
      'вдесятеро больше, и этот предел не касается адреса, с которого уже был показан верный код.',
  })
  @ApiOkResponse({ type: PublicAppealStatusDto })
  @HttpCode(200)
  async status(
    @Param('registrationNumber') registrationNumber: string,
    @Body() body: PublicAccessCodeDto,
    @ClientAddress() address: string,
  ): Promise<PublicAppealStatusDto> {
    if (!isRegistrationNumber(registrationNumber)) {
      const message = 'Номер обращения указывается в формате 2026-000123';
      throw invalidInput(message, { registrationNumber: message });
    }
    if (body.code.trim().length < 4) {
      const message = 'Укажите код доступа, выданный при регистрации';
      throw invalidInput(message, { code: message });
    }
    const status = await this.guarded(registrationNumber, address, () =>
      this.queries.publicStatus(registrationNumber, body.code),
    );
    // The same answer for "no such number" and "wrong code", so numbers cannot be probed.
    if (!status) throw notFoundError('Обращение не найдено');
    return {
      ...status,
      registeredAt: status.registeredAt.toISOString(),
      history: status.history.map((h) => ({ at: new Date(h.at).toISOString(), text: h.text })),
      answers: status.answers.map((a) => ({
        id: a.id,
        organisation: a.organisation,
        text: a.text,
        sentAt: new Date(a.sentAt).toISOString(),
        rated: a.rated,
        attachments: a.attachments.map((f) => ({
          id: f.id,
          fileName: f.fileName,
          contentType: f.contentType,
          size: f.size,
          url: `/api/v1/public/appeals/${registrationNumber}/answers/${a.id}/attachments/${f.id}`,
        })),
      })),
    };
  }

  @Post(':registrationNumber/answers/:answerId/attachments/:fileId')
  @RateLimited('status')
  @HttpCode(200)
  @ApiOperation({ summary: 'Файл, приложенный к ответу, по номеру и коду доступа (код — в теле запроса)' })
  @ApiProduces('application/octet-stream')
  async answerFile(
    @Param('registrationNumber') registrationNumber: string,
    @Param('answerId') answerId: string,
    @Param('fileId') fileId: string,
    @Body() body: PublicAccessCodeDto,
    @ClientAddress() address: string,
    @Res() res: Response,
  ): Promise<void> {
    const file =
      isRegistrationNumber(registrationNumber) && UUID.test(answerId) && UUID.test(fileId)
        ? await this.guarded(registrationNumber, address, () =>
            this.queries.publicAnswerFile(registrationNumber, body.code, answerId, fileId),
          )
        : undefined;
    // The same answer for a wrong number, code or file, so nothing can be probed.
    if (!file) throw notFoundError('Файл не найден');
    await sendFile(res, file);
  }

  @Post(':registrationNumber/rating')
  @RateLimited('status')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Оценка ответа заявителем: получен ли ответ и удовлетворены ли вы им',
    description:
      'Оценивается ответ answerId (по умолчанию — последний). Каждый ответ — один раз; неудовлетворительная ' +
      'оценка направляет обращение на повторное рассмотрение в вышестоящую организацию; до ответа — 409. ' +
      'Код доступа — в теле запроса.',
  })
  @ApiOkResponse({ type: PublicRatingOutcomeDto })
  async rate(
    @Param('registrationNumber') registrationNumber: string,
    @Body() body: PublicStatusRatingDto,
    @ClientAddress() address: string,
  ): Promise<PublicRatingOutcomeDto> {
    const { code, ...rating } = body;
    const id = isRegistrationNumber(registrationNumber)
      ? await this.guarded(registrationNumber, address, () =>
          this.queries.publicAppealId(registrationNumber, code),
        )
      : undefined;
    if (!id) throw notFoundError('Обращение не найдено');
    // The access code proves the applicant; one rating per answer (a second press is told so).
    const result = await this.workflow.rate(
      id,
      { channel: 'website', externalId: `public:${randomUUID()}`, via: 'status-page', ...rating },
      { userId: 'system', role: SYSTEM_SCOPE.role, organisationId: 'system', scope: SYSTEM_SCOPE },
    );
    return ratingReplyRu(result);
  }

  /**
   * A look-up by access code, within the budget of wrong codes (AppConfig.statusCodeGuesses), counted three ways:
   * for this number from this address (one guesser at one applicant), for the address (one address trying many
   * numbers), and for the number from everywhere, NUMBER_GUESS_FACTOR times as many (guesses spread over many
   * addresses). Once a budget is spent every look-up through it is refused until the window ends, the right code
   * too, so a guess that happens to be right tells nothing. The number's budget does not refuse an address that
   * has shown the right code for it before (KNOWN_SOURCE_SECONDS): before, a guesser's wrong codes from anywhere
   * locked the applicant's own status page for the hour. A miss (undefined) spends one of each.
   */
  private async guarded<T>(
    registrationNumber: string,
    address: string,
    lookup: () => Promise<T | undefined>,
  ): Promise<T | undefined> {
    const limit = this.config.statusCodeGuesses;
    if (!limit) return lookup();
    const known = `status-known:${registrationNumber}:${address}`;
    const budgets = [
      { name: `status-guess:number:${registrationNumber}:address:${address}`, limit: limit.limit },
      { name: `status-guess:address:${address}`, limit: limit.limit },
      {
        name: `status-guess:number:${registrationNumber}`,
        limit: limit.limit * NUMBER_GUESS_FACTOR,
        waived: async () => (await this.rateLimits.spent(known)) > 0,
      },
    ];
    const spend = (amount: number) =>
      Promise.all(
        budgets.map(async (b) => ({
          ...b,
          ...(await this.rateLimits.spend(b.name, amount, limit.windowSeconds)),
        })),
      );
    const refuse = async (spent: Awaited<ReturnType<typeof spend>>) => {
      const over: typeof spent = [];
      for (const s of spent) if (s.total >= s.limit && !(await s.waived?.())) over.push(s);
      if (over.length === 0) return;
      throw new DomainError(
        'rate-limited',
        'Слишком много попыток с неверным кодом доступа. Попробуйте позже',
        undefined,
        Math.max(...over.map((s) => s.resetsIn)),
      );
    };
    await refuse(await spend(0));
    const found = await lookup();
    if (found === undefined) await spend(1);
    else await this.rateLimits.spend(known, 1, KNOWN_SOURCE_SECONDS);
    return found;
  }

  private keyUsedForOtherContents(): DomainError {
    this.log.warn('website form: an Idempotency-Key sent again with other contents');
    return conflictError(
      'Эта отправка формы уже была принята с другим содержанием. Обновите страницу и отправьте обращение заново',
    );
  }

  private statusUrl(number: string, code?: string): string {
    // The code rides in the fragment, which the browser never sends: the page reads it and posts it.
    const url = new URL('/status.html', this.config.publicBaseUrl);
    url.searchParams.set('number', number);
    if (code) url.hash = new URLSearchParams({ code }).toString();
    return url.toString();
  }
}
