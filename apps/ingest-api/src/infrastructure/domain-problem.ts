import { DomainError, HTTP_STATUS_OF, TITLE_OF } from '@app/domain';
import { ProblemError } from '@app/http';

/**
 * The one mapping from a domain refusal to Problem Details (status from HTTP_STATUS_OF). The
 * error's other fields become extension members; a domain field named `status` (a proposal's
 * moderation status) is renamed so it cannot shadow the HTTP status.
 */
export const domainProblem = (error: DomainError): ProblemError => {
  const { type, detail, ...fields } = error;
  const extensions: Record<string, unknown> = { ...fields };
  if ('status' in extensions) {
    extensions.proposalStatus = extensions.status;
    delete extensions.status;
  }
  return new ProblemError({ ...extensions, type, title: TITLE_OF[type], status: HTTP_STATUS_OF[type], detail });
};
