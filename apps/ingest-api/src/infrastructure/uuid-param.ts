import { ArgumentMetadata, Injectable, ParseUUIDPipe, PipeTransform } from '@nestjs/common';
import { problem } from '@app/http';

/**
 * A path id must be a UUID; it is lower-cased so that an upper-case spelling names the same
 * proposal (events and read models store ids in lower case). Anything else cannot name
 * anything: 404 with the same problem type as an unknown id.
 */
@Injectable()
class UuidParamPipe implements PipeTransform<string, Promise<string>> {
  private readonly parse: ParseUUIDPipe;

  constructor(name: string) {
    this.parse = new ParseUUIDPipe({
      exceptionFactory: () =>
        name === 'proposalId'
          ? problem(404, 'proposal-not-found', 'No proposal has this id (it is not even a UUID).', { proposalId: null })
          : problem(404, 'not-found', `${name} is not a UUID.`),
    });
  }

  async transform(value: string, metadata: ArgumentMetadata): Promise<string> {
    return (await this.parse.transform(value, metadata)).toLowerCase();
  }
}

export const uuidParam = (name: string): PipeTransform => new UuidParamPipe(name);
