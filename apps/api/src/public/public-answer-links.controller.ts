import { Body, HttpCode, Post, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';
import { type Response } from 'express';
import { PublicAnswerLinks } from '@inbox/appeals';
import { notFoundError } from '@inbox/common';
import { sendFile } from '../files/send-file';
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
 * the path, so it stays out of request logs; a link we never made (or altered) is a 404, an expired one a 410,
 * each with its Russian message.
 */
@PublicController('api/v1/public/rating-links', 'public')
export class PublicRatingLinksController {
  constructor(private readonly links: PublicAnswerLinks) {}

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

export class AnswerFileLinkDto {
  @ApiProperty({ description: 'Ключ из ссылки на файлы ответа в сообщении с ответом' })
  @IsString({ message: 'Нет ключа ссылки на файлы ответа' })
  @MaxLength(100, { message: 'Ссылка на файлы ответа недействительна' })
  token!: string;
}

export class AnswerFileRequestDto extends AnswerFileLinkDto {
  @ApiProperty({ description: 'Файл ответа из списка, который дала ссылка' })
  @IsString({ message: 'Не указан файл' })
  @MaxLength(100, { message: 'Файл не найден' })
  fileId!: string;
}

export class AnswerLinkFileDto {
  @ApiProperty() id!: string;
  @ApiProperty() fileName!: string;
  @ApiProperty() contentType!: string;
  @ApiProperty() size!: number;
}

export class AnswerFilesViewDto {
  @ApiProperty() registrationNumber!: string;
  @ApiProperty({ description: 'Организация, давшая ответ' }) organisation!: string;
  @ApiProperty() sentAt!: string;
  @ApiProperty({ description: 'До какого времени действует ссылка' }) expiresAt!: string;
  @ApiProperty({ example: 'Asia/Novosibirsk', description: 'Часовой пояс обращения (IANA)' })
  timeZone!: string;
  @ApiProperty({ type: [AnswerLinkFileDto] }) files!: AnswerLinkFileDto[];
}

/**
 * The files page behind the link under an answer sent to a channel that carries no files (OK; answer-files.html):
 * the files of that one answer, without an access code. The token travels in the body, as the rating link's; a link
 * we never made (or altered, or made to rate) is a 404, an expired one a 410, each with its Russian message; a file
 * of another answer or appeal is a 404.
 */
@PublicController('api/v1/public/answer-files', 'public')
export class PublicAnswerFilesController {
  constructor(private readonly links: PublicAnswerLinks) {}

  @Post('read')
  @RateLimited('status')
  @HttpCode(200)
  @ApiOperation({ summary: 'Файлы ответа по личной ссылке из сообщения с ответом' })
  @ApiOkResponse({ type: AnswerFilesViewDto })
  async read(@Body() body: AnswerFileLinkDto): Promise<AnswerFilesViewDto> {
    const view = await this.links.files(body.token);
    return {
      registrationNumber: view.registrationNumber,
      organisation: view.organisation,
      sentAt: new Date(view.sentAt).toISOString(),
      expiresAt: new Date(view.expiresAt).toISOString(),
      timeZone: view.timeZone,
      files: view.files,
    };
  }

  @Post('file')
  @RateLimited('status')
  @HttpCode(200)
  @ApiOperation({ summary: 'Один файл ответа по личной ссылке (ключ и файл — в теле запроса)' })
  @ApiProduces('application/octet-stream')
  async file(@Body() body: AnswerFileRequestDto, @Res() res: Response): Promise<void> {
    const file = await this.links.file(body.token, body.fileId);
    if (!file) throw notFoundError('Файл не найден');
    await sendFile(res, file);
  }
}
