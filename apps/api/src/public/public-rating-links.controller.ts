import { Body, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';
import { RatingLinks } from '@inbox/appeals';
import { RateLimited } from '../rate-limits/rate-limits';
import { PublicRatingDto } from './public-appeal.dto';
import { PublicController } from '../public-controller';

export class RatingLinkDto {
  @ApiProperty({ description: 'Ключ из ссылки для оценки в письме с ответом' })
  @IsString({ message: 'Нет ключа ссылки для оценки' })
  @MaxLength(100, { message: 'Ссылка для оценки недействительна' })
  token!: string;
}

export class RatingLinkRatingDto extends PublicRatingDto {
  @ApiProperty({ description: 'Ключ из ссылки для оценки в письме с ответом' })
  @IsString({ message: 'Нет ключа ссылки для оценки' })
  @MaxLength(100, { message: 'Ссылка для оценки недействительна' })
  token!: string;
}

export class RatingLinkViewDto {
  @ApiProperty() registrationNumber!: string;
  @ApiProperty({ description: 'Организация, давшая ответ' }) organisation!: string;
  @ApiProperty() sentAt!: string;
  @ApiProperty({ description: 'До какого времени действует ссылка' }) expiresAt!: string;
  @ApiProperty({ description: 'Ответ уже оценён' }) rated!: boolean;
  @ApiProperty({
    example: 'Asia/Novosibirsk',
    description: 'Часовой пояс обращения (IANA): дата ответа показывается в нём, не в поясе браузера',
  })
  timeZone!: string;
}

export class RatingLinkOutcomeDto {
  @ApiProperty() accepted!: boolean;
  @ApiProperty({ description: 'Обращение направлено на повторное рассмотрение' }) reopened!: boolean;
  @ApiProperty() message!: string;
}

/**
 * The rating page behind the link in an answer sent by e-mail (rate.html). The token travels in the body, not
 * the path, so it stays out of request logs; a link we never made (or altered) is a 404, an expired one a 403,
 * each with its Russian message.
 */
@PublicController('api/v1/public/rating-links', 'public')
export class PublicRatingLinksController {
  constructor(private readonly links: RatingLinks) {}

  @Post('read')
  @RateLimited('status')
  @HttpCode(200)
  @ApiOperation({ summary: 'Какой ответ оценивается по ссылке из письма' })
  @ApiOkResponse({ type: RatingLinkViewDto })
  async read(@Body() body: RatingLinkDto): Promise<RatingLinkViewDto> {
    const view = await this.links.read(body.token);
    return {
      registrationNumber: view.registrationNumber,
      organisation: view.organisation,
      sentAt: new Date(view.sentAt).toISOString(),
      expiresAt: new Date(view.expiresAt).toISOString(),
      rated: view.rated,
      timeZone: view.timeZone,
    };
  }

  @Post('rating')
  @RateLimited('status')
  @HttpCode(200)
  @ApiOperation({ summary: 'Оценка ответа по ссылке из письма: получен ли ответ и удовлетворены ли вы им' })
  @ApiOkResponse({ type: RatingLinkOutcomeDto })
  rate(@Body() body: RatingLinkRatingDto): Promise<RatingLinkOutcomeDto> {
    return this.links.rate(body.token, { answered: body.answered, satisfaction: body.satisfaction });
  }
}
