import { Body, Controller, HttpCode, Post, Req, UseGuards, UseInterceptors } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Moderator, ModeratorGuard } from '../auth/guards';
import { IdempotencyInterceptor, IdempotentRequest } from '../idempotency/idempotency.interceptor';
import { requestContext } from '../infrastructure/request-context';
import { ScheduleConsultationCommand } from './schedule-consultation.command';
import { ScheduleConsultationDto } from './schedule-consultation.dto';
import { ScheduledAnswer } from './schedule-consultation.handler';

type Request = IdempotentRequest & { method: string; url: string };

@ApiTags('consultations')
@ApiBearerAuth()
@Controller('v1/consultations')
@UseGuards(ModeratorGuard)
@UseInterceptors(IdempotencyInterceptor)
export class ConsultationsController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @HttpCode(201)
  schedule(@Body() body: ScheduleConsultationDto, @Moderator() admin: string, @Req() request: Request): Promise<ScheduledAnswer> {
    return this.commands.execute(new ScheduleConsultationCommand(body, admin, requestContext(request)));
  }
}
