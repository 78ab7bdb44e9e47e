import { Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { AuditLog, Role, Staff, type StaffContext } from '@inbox/access';
import { AppealQueries, cardActions } from '@inbox/appeals';
import { maskPersonNames, notFoundError, redactStrings } from '@inbox/common';
import { actorOf } from './actor-of';
import { AppealListQueryDto } from './appeal-list-query.dto';
import { AppealCardDto, AppealCountDto, AppealPageDto } from './appeal.responses';
import { StaffController } from '../staff-controller';
import { staffAction, staffDenied } from '../staff-action';

@StaffController('api/v1/appeals', 'appeals')
export class AppealsController {
  constructor(
    private readonly queries: AppealQueries,
    private readonly audit: AuditLog,
  ) {}

  @Get()
  @ApiOperation({
    summary:
      'Список обращений с фильтрами и постраничным выводом по курсору; q — поиск по номеру (и его части), фамилии, телефону, e-mail и тексту (записывается в журнал)',
  })
  @ApiOkResponse({ type: AppealPageDto })
  async list(@Query() query: AppealListQueryDto, @Staff() staff: StaffContext) {
    const outside =
      query.organisationId &&
      staff.scope.organisationIds &&
      !staff.scope.organisationIds.includes(query.organisationId);
    if (outside) {
      // Asking for another organisation's inbox: nothing to show, and the attempt is on record.
      await this.audit.record(
        staffDenied(staff, 'list-appeals', 'organisation', query.organisationId ?? null),
      );
    }
    const isAdmin = staff.user.role === Role.Admin;
    const page = await this.queries.list(isAdmin ? { ...query, numberSearchOnly: true } : query, staff.scope);
    if (query.ids?.length && !page.nextCursor) {
      // Asked by id: each one not given (out of scope, or no such appeal) is a refusal on record.
      const found = new Set(page.items.map((i) => i.id));
      for (const id of query.ids.filter((i) => !found.has(i))) {
        await this.audit.record(staffDenied(staff, 'list-appeals', 'appeal', id));
      }
    }
    if (query.topicId && !query.q?.trim()) {
      await this.audit.record(
        staffAction(staff, 'list-appeals', 'topic', query.topicId === 'none' ? null : query.topicId, {
          found: page.items.map((i) => i.id),
        }),
      );
    }
    if (query.q?.trim()) {
      // A search matches surnames, phones and e-mails: a read of personal data, on record with what it found.
      await this.audit.record({
        userId: staff.user.id,
        action: 'search-appeals',
        entityType: 'appeal',
        details: {
          ...(isAdmin ? { numberOnly: true } : { personalData: ['applicant'] }),
          found: page.items.map((i) => i.id),
          ...(query.topicId ? { topicId: query.topicId } : {}),
        },
      });
    }
    if (!isAdmin) return page;
    // An administrator's rows (and so their exports) show the subject and text with phones, e-mails and the
    // applicant's names masked.
    const names = await this.queries.applicantNames(page.items.map((i) => i.id));
    return {
      ...page,
      items: page.items.map((item) => redactStrings(maskPersonNames(item, names.get(item.id) ?? {}))),
    };
  }

  @Get('count')
  @ApiOperation({ summary: 'Сколько обращений выбирает фильтр списка (счётчики очередей, объём выгрузки)' })
  @ApiOkResponse({ type: AppealCountDto })
  async count(@Query() query: AppealListQueryDto, @Staff() staff: StaffContext) {
    const isAdmin = staff.user.role === Role.Admin;
    const { total, capped } = await this.queries.count(
      isAdmin ? { ...query, numberSearchOnly: true } : query,
      staff.scope,
    );
    if (query.q?.trim()) {
      // Counting by surname or phone reads personal data as much as listing does.
      await this.audit.record({
        userId: staff.user.id,
        action: 'search-appeals',
        entityType: 'appeal',
        details: { ...(isAdmin ? { numberOnly: true } : { personalData: ['applicant'] }), counted: total },
      });
    }
    return { total, capped };
  }

  @Get(':id')
  @ApiOperation({
    summary: 'Карточка обращения с историей (чтение персональных данных записывается в журнал)',
  })
  @ApiOkResponse({ type: AppealCardDto })
  async card(
    @Param('id', new ParseUUIDPipe({ errorHttpStatusCode: 404 })) id: string,
    @Staff() staff: StaffContext,
  ) {
    const found = await this.queries.card(id, staff.scope);
    // What the viewer may do, said by the api so the screen offers only that: contacts by the rule of the command.
    const card = found && {
      ...found,
      access: {
        ...found.access,
        ...cardActions(actorOf(staff), { ...found, readOnly: found.access.readOnly }),
      },
    };
    // Administrators run the system, not appeals: they never get the applicant's personal data.
    // Nor does an organisation that returned its part or whose part was closed (it reads the appeal only).
    const showsPersonalData = staff.user.role !== Role.Admin && !!card && !card.access.readOnly;
    await this.audit.record({
      userId: staff.user.id,
      action: 'read-appeal-card',
      entityType: 'appeal',
      entityId: id,
      outcome: card ? 'ok' : 'denied',
      details: card && showsPersonalData ? { personalData: ['applicant'] } : {},
    });
    // Out of scope and non-existent look the same: a clerk cannot probe other organisations' appeals.
    if (!card) throw notFoundError('Обращение не найдено');
    if (showsPersonalData) return card;
    // The address is where the applicant lives or was: it goes with the applicant.
    if (staff.user.role !== Role.Admin) return { ...card, applicant: null, address: null };
    // An administrator gets no applicant, no address, no files, and no phones, e-mails or the applicant's names
    // typed in anywhere: the subject, the text, the citizen's later words kept in the history (a follow-up, a
    // correction of the subject).
    const masked = maskPersonNames(
      { ...card, applicant: null, address: null, attachments: [] },
      card.applicant,
    );
    return redactStrings(masked);
  }
}
