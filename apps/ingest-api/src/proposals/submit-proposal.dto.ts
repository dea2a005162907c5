import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';

export class SubmitProposalDto {
  /** Length and wording rules (12–140 code points after normalisation, "Il faut", no markup) are domain rules. */
  @ApiProperty({ example: 'Il faut rouvrir les petites lignes de train dans les territoires ruraux', maxLength: 140 })
  @IsString()
  @MaxLength(2000)
  text!: string;
}
