import { randomUUID } from 'node:crypto';
import { InjectQueue } from '@nestjs/bull';
import {
  Body,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  Res,
  UploadedFile,
  UseInterceptors,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiConsumes,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
} from '@nestjs/swagger';
import { type Queue } from 'bull';
import { type Response } from 'express';
import { AuditLog, Role, Roles, Staff, type StaffContext } from '@inbox/access';
import { ClassificationCorrectionsRepository, ModelRegistry, TrainingExamples } from '@inbox/classification';
import { notFoundError } from '@inbox/common';
import { JobName, JobProducer, QueueName } from '@inbox/queue';
import { CorrectionListQueryDto, CsvUploadDto } from './classification.dto';
import {
  ClassifierModelDto,
  CorrectionPageDto,
  RetrainStartedDto,
  RetrainStatusDto,
  TrainingBatchDto,
  TrainingImportDto,
} from './classification.responses';
import { uploadedCsv } from './csv-upload';
import { StaffController } from '../staff-controller';
import { staffAction } from '../staff-action';
import { AnswerFileInterceptor } from '../staff/answer-file.interceptor';

const ID = new ParseUUIDPipe({ errorHttpStatusCode: 404 });

@StaffController('api/v1/classification', 'classification', { forbidden: true })
export class ClassificationController {
  constructor(
    private readonly registry: ModelRegistry,
    private readonly examples: TrainingExamples,
    private readonly jobs: JobProducer,
    private readonly correctionsRepository: ClassificationCorrectionsRepository,
    private readonly audit: AuditLog,
    @InjectQueue(QueueName.Classification) private readonly queue: Queue,
  ) {}

  @Get('models')
  @Roles(Role.Admin, Role.Supervisor)
  @ApiOperation({ summary: 'Модели классификатора: действующая, кандидаты, отклонённые — с оценками' })
  @ApiOkResponse({ type: [ClassifierModelDto] })
  models() {
    return this.registry.list();
  }

  @Post('models/:id/promote')
  @HttpCode(200)
  @Roles(Role.Admin)
  @ApiOperation({
    summary:
      'Сделать модель действующей (администратор): продвинуть кандидата или откатиться на прежнюю; текущая уходит в архив',
  })
  @ApiOkResponse({ type: [ClassifierModelDto] })
  async promote(@Param('id', ID) id: string, @Staff() staff: StaffContext) {
    const models = await this.registry.list();
    if (!models.some((m) => m.id === id)) throw notFoundError('Модель не найдена');
    await this.registry.promote(id);
    await this.audit.record(staffAction(staff, 'promote-classifier-model', 'classifier-model', id));
    return this.registry.list();
  }

  @Get('models/:id/file')
  @Roles(Role.Admin)
  @ApiOperation({ summary: 'Файл модели (.json.gz) для npm run classifier -- eval' })
  async modelFile(@Param('id', ID) id: string, @Res() res: Response) {
    const file = await this.registry.file(id);
    if (!file) throw notFoundError('Модель не найдена');
    res.setHeader('Content-Type', 'application/gzip');
    res.setHeader('Content-Disposition', `attachment; filename="topic-model-${id}.json.gz"`);
    res.send(file);
  }

  @Post('retrain')
  @Roles(Role.Admin)
  @HttpCode(202)
  @ApiAcceptedResponse({ type: RetrainStartedDto })
  @ApiOperation({
    summary:
      'Переобучить классификатор на истории и исправлениях; новая модель вводится, только если на отложенной выборке не хуже',
  })
  async retrain(@Staff() staff: StaffContext) {
    const jobId = `retrain:${randomUUID()}`;
    await this.jobs.add(
      JobName.RetrainClassifier,
      { reason: 'manual', requestedBy: staff.user.id },
      { jobId, attempts: 1, removeOnComplete: 100, removeOnFail: 100 },
    );
    await this.audit.record(staffAction(staff, 'classification.retrain', 'classifier', jobId));
    return { jobId, status: 'queued' } satisfies RetrainStartedDto;
  }

  @Get('retrain/:jobId')
  @Roles(Role.Admin, Role.Supervisor)
  @ApiOperation({ summary: 'Ход переобучения: очередь, выполняется, результат' })
  @ApiOkResponse({ type: RetrainStatusDto })
  async retrainStatus(@Param('jobId') jobId: string): Promise<RetrainStatusDto> {
    const job = jobId.startsWith('retrain:') ? await this.queue.getJob(jobId) : null;
    if (!job) throw notFoundError('Задание переобучения не найдено');
    const state = await job.getState();
    // The job read above may predate its finish: read it again once its state says it is over, or a finished
    // job was reported 'completed' with no result (seen in the classification e2e).
    const read =
      state === 'completed' || state === 'failed' ? ((await this.queue.getJob(jobId)) ?? job) : job;
    return {
      jobId,
      state,
      progress: typeof read.progress() === 'number' ? (read.progress() as number) : null,
      result: (read.returnvalue as Record<string, unknown> | null | undefined) ?? null,
      failedReason: read.failedReason ?? null,
    };
  }

  @Post('training-data')
  @Roles(Role.Admin)
  @UseInterceptors(AnswerFileInterceptor)
  @ApiConsumes('multipart/form-data', 'application/json')
  @ApiOperation({
    summary:
      'Загрузить размеченную историю из CSV (text, topic_code, subtopic_code, …): годные строки сохраняются, ошибочные — по номерам',
  })
  @ApiCreatedResponse({ type: TrainingImportDto })
  importTrainingData(
    @UploadedFile() file: Express.Multer.File | undefined,
    @Body() body: CsvUploadDto,
    @Staff() staff: StaffContext,
  ) {
    return this.examples.importCsv(uploadedCsv(file, body.csv), { userId: staff.user.id });
  }

  @Get('training-data')
  @Roles(Role.Admin)
  @ApiOperation({ summary: 'Загруженные наборы обучающих данных' })
  @ApiOkResponse({ type: [TrainingBatchDto] })
  trainingData() {
    return this.examples.batches();
  }

  @Delete('training-data/:batchId')
  @Roles(Role.Admin)
  @HttpCode(204)
  @ApiOperation({ summary: 'Удалить набор обучающих данных' })
  async deleteTrainingData(@Param('batchId', ID) batchId: string, @Staff() staff: StaffContext) {
    await this.examples.deleteBatch(batchId, { userId: staff.user.id });
  }

  @Get('corrections')
  @Roles(Role.Admin, Role.Supervisor)
  @ApiOperation({
    summary:
      'Исправления сотрудников (тема, маршрут), из которых учится классификатор: новые первыми, по странице',
  })
  @ApiOkResponse({ type: CorrectionPageDto })
  corrections(@Query() query: CorrectionListQueryDto, @Staff() staff: StaffContext) {
    return this.correctionsRepository.page(query, staff.scope);
  }
}
