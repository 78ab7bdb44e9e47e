import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsEnum, IsIn, IsOptional, IsUUID, Matches } from 'class-validator';
import { AppealStatus, RATING_KINDS, type RatingKind } from '@inbox/appeals';
import { Channel } from '@inbox/integrations/contract';
import { OptionalBool, OptionalDate, OptionalText, PageCursor, PageLimit, toList } from '../query-fields';

export class AppealListQueryDto {
  @ApiPropertyOptional({ enum: AppealStatus, isArray: true, description: 'Через запятую' })
  @IsOptional()
  @Transform(toList)
  @IsEnum(AppealStatus, { each: true, message: 'Неизвестный статус' })
  status?: AppealStatus[];

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all', { message: 'organisationId должен быть UUID' })
  organisationId?: string;

  @OptionalBool(
    'true — только где поручение организации organisationId не завершено (не возвращено, не отвечено, не закрыто)',
  )
  holding?: boolean;

  @ApiPropertyOptional({ enum: Channel })
  @IsOptional()
  @IsEnum(Channel, { message: 'Неизвестный канал' })
  channel?: Channel;

  @ApiPropertyOptional({
    enum: [1, 2],
    description: '1 — на 1-й линии (ЦУР), 2 — на 2-й линии (органы власти)',
  })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === '1' ? 1 : value === '2' ? 2 : value))
  @IsIn([1, 2], { message: 'line: 1 или 2' })
  line?: 1 | 2;

  @OptionalBool() fastTrack?: boolean;
  @OptionalBool('true — только отозванные (заявитель удалил сообщение или канал снял его), false — без них')
  withdrawn?: boolean;
  @ApiPropertyOptional({
    enum: ['mine'],
    description: 'mine — есть проект ответа, который я могу согласовать (не свой)',
  })
  @IsOptional()
  @IsIn(['mine'], { message: 'approval: mine' })
  approval?: 'mine';

  @OptionalDate('Срок ответа раньше (ISO 8601)') dueBefore?: Date;
  @OptionalDate('Срок ответа не раньше (ISO 8601)') dueAfter?: Date;

  @OptionalText(200, {
    description: 'Полнотекстовый поиск (русский язык)',
    tooLong: 'Поисковый запрос не длиннее 200 символов',
  })
  q?: string;

  @ApiPropertyOptional({ description: 'Исполнитель: UUID сотрудника или me — я' })
  @IsOptional()
  @Matches(/^(me|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i, {
    message: 'assigneeId: UUID сотрудника или me',
  })
  assigneeId?: string;

  @ApiPropertyOptional({ description: 'Тема или подтема (UUID); none — без темы (ручная классификация)' })
  @IsOptional()
  @Matches(/^(none|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i, {
    message: 'topicId: UUID темы или none',
  })
  topicId?: string;

  @ApiPropertyOptional({
    enum: ['at-risk', 'overdue'],
    description: 'Отметки сроков: просрочено или под угрозой (в организации organisationId, если указана)',
  })
  @IsOptional()
  @IsIn(['at-risk', 'overdue'], { message: 'clock: at-risk или overdue' })
  clock?: 'at-risk' | 'overdue';

  @ApiPropertyOptional({
    enum: ['pending', 'auto', 'manual', 'confirmed'],
    description: 'Классификация: manual — очередь ручной классификации, auto — тема определена автоматически',
  })
  @IsOptional()
  @IsIn(['pending', 'auto', 'manual', 'confirmed'], {
    message: 'classification: pending, auto, manual или confirmed',
  })
  classification?: 'pending' | 'auto' | 'manual' | 'confirmed';

  @OptionalDate('Зарегистрировано не раньше (ISO 8601)') registeredAfter?: Date;
  @OptionalDate('Зарегистрировано раньше (ISO 8601)') registeredBefore?: Date;

  @ApiPropertyOptional({ type: [String], description: 'Только эти обращения (UUID через запятую, до 200)' })
  @IsOptional()
  @Transform(toList)
  @IsUUID('all', { each: true, message: 'ids: UUID обращений' })
  @ArrayMaxSize(200, { message: 'ids: не более 200' })
  ids?: string[];

  @ApiPropertyOptional({
    enum: RATING_KINDS,
    description: 'Оценка заявителя: not-answered — ответа на вопрос нет, score — по шкале канала',
  })
  @IsOptional()
  @IsIn(RATING_KINDS, { message: `rating: ${RATING_KINDS.join(', ')}` })
  rating?: RatingKind;

  @OptionalDate('Оценка получена не раньше (ISO 8601)') ratedAfter?: Date;

  @ApiPropertyOptional({ enum: ['registered', 'due'] })
  @IsOptional()
  @IsIn(['registered', 'due'], { message: 'sort: registered или due' })
  sort?: 'registered' | 'due';

  @PageLimit() limit?: number;
  @PageCursor() cursor?: string;
}
