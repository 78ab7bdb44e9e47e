import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  isUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateBy,
  ValidateIf,
} from 'class-validator';
import {
  DEFAULT_RULE_PRIORITY,
  MAX_RULE_ORGANISATIONS,
  MAX_RULE_PRIORITY,
  TERRITORY_CODE,
} from '@inbox/routing';

const TERRITORY_MESSAGE = 'Код территории — от 2 до 11 цифр по ОКТМО';
const TOPIC_OR_TERRITORY_MESSAGE = 'Укажите тему, территорию или и то и другое';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const emptyToNull = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.trim() || null : value === undefined ? undefined : value;

/**
 * A rule needs a topic, a territory or both: the one validator per field reports the missing pair (it runs
 * only when the other field is missing too, see ValidateIf) or a malformed value, in Russian.
 */
function TopicOrTerritory(kind: 'topic' | 'territory'): PropertyDecorator {
  return ValidateBy({
    name: 'topicOrTerritory',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'string' && (kind === 'topic' ? isUUID(value) : TERRITORY_CODE.test(value)),
      defaultMessage: (args) =>
        args?.value === undefined || args.value === null
          ? TOPIC_OR_TERRITORY_MESSAGE
          : kind === 'topic'
            ? 'Тема указана неверно: нужен идентификатор темы'
            : TERRITORY_MESSAGE,
    },
  });
}

export class RoutingRuleDto {
  @ApiProperty({ example: 'Ямы на дорогах г. Речного: администрация города и ГКУ «УАД»', maxLength: 200 })
  @Transform(trim)
  @IsString({ message: 'Укажите название правила' })
  @MinLength(1, { message: 'Укажите название правила' })
  @MaxLength(200, { message: 'Название правила — не длиннее 200 символов' })
  name!: string;

  @ApiPropertyOptional({
    default: DEFAULT_RULE_PRIORITY,
    minimum: 0,
    maximum: MAX_RULE_PRIORITY,
    description: 'Среди одинаково точных правил побеждает большее число',
  })
  @IsOptional()
  @IsInt({ message: `Приоритет — целое число от 0 до ${MAX_RULE_PRIORITY}` })
  @Min(0, { message: `Приоритет — целое число от 0 до ${MAX_RULE_PRIORITY}` })
  @Max(MAX_RULE_PRIORITY, { message: `Приоритет — целое число от 0 до ${MAX_RULE_PRIORITY}` })
  priority?: number;

  @ApiPropertyOptional({
    format: 'uuid',
    nullable: true,
    type: String,
    description: 'Тема или подтема рубрикатора; обязательна, если не указана территория',
  })
  @Transform(emptyToNull)
  @ValidateIf((o: RoutingRuleDto) => o.topicId != null || o.territoryCode == null)
  @TopicOrTerritory('topic')
  topicId?: string | null;

  @ApiPropertyOptional({
    example: '51604000',
    nullable: true,
    type: String,
    description:
      'Код ОКТМО или его начало; код района (…000) охватывает его поселения. Обязателен, если не указана тема',
  })
  @Transform(emptyToNull)
  @ValidateIf((o: RoutingRuleDto) => o.territoryCode != null || o.topicId == null)
  @TopicOrTerritory('territory')
  territoryCode?: string | null;

  @ApiProperty({
    type: [String],
    format: 'uuid',
    description:
      'Организации, куда направляется обращение (одна или несколько, в том числе подведомственные)',
  })
  @IsArray({ message: 'Укажите хотя бы одну организацию' })
  @ArrayMinSize(1, { message: 'Укажите хотя бы одну организацию' })
  @ArrayMaxSize(MAX_RULE_ORGANISATIONS, {
    message: `Не больше ${MAX_RULE_ORGANISATIONS} организаций в одном правиле`,
  })
  @IsUUID('all', { each: true, message: 'Организации указаны неверно: нужны их идентификаторы' })
  organisationIds!: string[];

  @ApiPropertyOptional({ default: true, description: 'Неактивное правило хранится, но не применяется' })
  @IsOptional()
  @IsBoolean({ message: 'Признак активности — true или false' })
  active?: boolean;
}

export class RouteSuggestDto {
  @ApiPropertyOptional({ type: String, nullable: true, format: 'uuid', description: 'Тема рубрикатора' })
  @Transform(emptyToNull)
  @IsOptional()
  @IsUUID('all', { message: 'Тема указана неверно: нужен идентификатор темы' })
  topicId?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, format: 'uuid', description: 'Подтема рубрикатора' })
  @Transform(emptyToNull)
  @IsOptional()
  @IsUUID('all', { message: 'Подтема указана неверно: нужен идентификатор подтемы' })
  subtopicId?: string | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: '51604151',
    description: 'Код ОКТМО места, о котором обращение',
  })
  @Transform(emptyToNull)
  @IsOptional()
  @IsString({ message: TERRITORY_MESSAGE })
  @Matches(TERRITORY_CODE, { message: TERRITORY_MESSAGE })
  territoryCode?: string | null;
}

// Responses, for the OpenAPI description.

export class RuleTopicDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() code!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) parentId!: string | null;
}

export class RuleOrganisationDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() code!: string;
  @ApiProperty() shortName!: string;
  @ApiProperty({ enum: ['region', 'management-centre', 'department', 'subordinate', 'municipality'] })
  kind!: string;
}

export class RoutingRuleResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() priority!: number;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) topicId!: string | null;
  @ApiProperty({ nullable: true, type: String }) territoryCode!: string | null;
  @ApiProperty({ type: [String], format: 'uuid' }) organisationIds!: string[];
  @ApiProperty() active!: boolean;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
  @ApiProperty({ type: RuleTopicDto, nullable: true }) topic!: RuleTopicDto | null;
  @ApiProperty({ type: [RuleOrganisationDto] }) organisations!: RuleOrganisationDto[];
}

export class SuggestedOrganisationDto extends RuleOrganisationDto {
  @ApiProperty() name!: string;
}

export class MatchedRuleDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() priority!: number;
}

export class RouteSuggestionDto {
  @ApiProperty({ type: [String], format: 'uuid' }) organisationIds!: string[];
  @ApiProperty({ type: [String], format: 'uuid' }) matchedRuleIds!: string[];
  @ApiProperty({
    enum: ['rule', 'topic-default', 'none'],
    description:
      'rule — по правилу; topic-default — орган по умолчанию для темы; none — направляет ЦУР вручную',
  })
  reason!: 'rule' | 'topic-default' | 'none';
  @ApiProperty({ example: 'По правилу маршрутизации' }) reasonText!: string;
  @ApiProperty({ type: [SuggestedOrganisationDto] }) organisations!: SuggestedOrganisationDto[];
  @ApiProperty({ type: [MatchedRuleDto] }) matchedRules!: MatchedRuleDto[];
}
