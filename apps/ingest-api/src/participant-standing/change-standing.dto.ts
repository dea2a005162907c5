import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';

export class ChangeStandingDto {
  @ApiProperty({ example: 'Inscriptions en rafale depuis un même réseau, votes identiques', maxLength: 2000 })
  @IsString()
  @MaxLength(2000)
  @Matches(/\S/, { message: 'reason must not be blank' })
  reason!: string;

  @ApiPropertyOptional({ description: 'Ids of the abuse flags the decision is based on (GET /v1/moderation/flags)', maxItems: 100 })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsUUID('all', { each: true })
  flagIds?: string[];
}

export class ReviewFlagDto {
  @ApiPropertyOptional({ example: 'Même box familiale, votes différents', maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  note?: string;
}
