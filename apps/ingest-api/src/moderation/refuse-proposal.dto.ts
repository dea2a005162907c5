import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { REFUSAL_REASON_CODES, RefusalReasonCode } from '@app/events';

export class RefuseProposalDto {
  @ApiProperty({ example: 'Contient des données personnelles', minLength: 3, maxLength: 500 })
  @IsString()
  @MaxLength(2000)
  reason!: string;

  @ApiPropertyOptional({
    enum: REFUSAL_REASON_CODES,
    description: 'Default `other`. `personal-data` erases the text from every read model for good (never served again, cannot be accepted again).',
  })
  @IsOptional()
  @IsIn(REFUSAL_REASON_CODES)
  reasonCode?: RefusalReasonCode;
}
