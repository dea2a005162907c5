import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { AGE_RANGES, AgeRange } from '@app/events';

/** Types and sizes; territory and first-name rules are checked by the handler with pointers. */
export class RegisterParticipantDto {
  @ApiPropertyOptional({ example: '75101', description: 'INSEE commune code (arrondissements, 2A/2B and overseas accepted)' })
  @IsOptional()
  @IsString()
  @MaxLength(10)
  communeCode?: string;

  @ApiPropertyOptional({ example: '01500', description: 'Used when it names one tier and one département' })
  @IsOptional()
  @IsString()
  @MaxLength(10)
  postalCode?: string;

  @ApiPropertyOptional({ maxLength: 50 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  firstName?: string;

  @ApiPropertyOptional({ enum: AGE_RANGES })
  @IsOptional()
  @IsIn(AGE_RANGES)
  ageRange?: AgeRange;
}
