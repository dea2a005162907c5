import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';

export class RefuseProposalDto {
  @ApiProperty({ example: 'Contient des données personnelles', minLength: 3, maxLength: 500 })
  @IsString()
  @MaxLength(2000)
  reason!: string;
}
