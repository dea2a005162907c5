import { ParseUUIDPipe } from '@nestjs/common';
import { problem } from '@app/http';

/** A path id that is not a UUID cannot name anything: 404 with the same type as an unknown one. */
export const uuidParam = (name: string): ParseUUIDPipe =>
  new ParseUUIDPipe({
    exceptionFactory: () =>
      name === 'proposalId'
        ? problem(404, 'proposal-not-found', 'No proposal has this id (it is not even a UUID).', { proposalId: null })
        : problem(404, 'not-found', `${name} is not a UUID.`),
  });
