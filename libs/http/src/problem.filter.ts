import { ArgumentsHost, Catch, ExceptionFilter, HttpException, LoggerService } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { dependencyUnavailable } from './dependency-unavailable';
import { Problem, ProblemError, problem } from './problem';

interface FastifyLikeError {
  code?: string;
  statusCode?: number;
  message?: string;
}

/** Fastify's own errors, raised before a handler runs, mapped to the contract's codes. */
const fromFastify = (error: FastifyLikeError): ProblemError | undefined => {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return problem(413, 'body-too-large', 'The request body is larger than 16 KiB.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return problem(415, 'unsupported-media-type', 'Send the body as application/json.');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return problem(400, 'malformed-json', 'The body is empty but the content type says JSON.');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return problem(400, 'malformed-json', 'The body is not valid JSON.');
    default:
      if (error instanceof SyntaxError || error.statusCode === 400) {
        return problem(400, 'malformed-json', 'The body is not valid JSON.');
      }
      return undefined;
  }
};

const fromHttpException = (error: HttpException): ProblemError => {
  const status = error.getStatus();
  // Fastify's body-parsing errors reach the filter wrapped as HttpExceptions.
  if (status === 400 && /JSON/i.test(error.message)) return problem(400, 'malformed-json', 'The body is not valid JSON.');
  const slugs: Record<number, string> = {
    400: 'bad-request',
    401: 'unauthorized',
    403: 'forbidden',
    404: 'not-found',
    405: 'method-not-allowed',
    413: 'body-too-large',
    415: 'unsupported-media-type',
    429: 'rate-limited',
  };
  return problem(status, slugs[status] ?? 'http-error', error.message);
};

const errorText = (error: unknown): string => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

/**
 * Every error leaves as application/problem+json. A Postgres or Redis outage is a 503 with
 * Retry-After (dependency-unavailable), not a 500. Anything unexpected is a 500 whose detail
 * says nothing about internals; the log line has the stack.
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  constructor(private readonly logger: LoggerService) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const known =
      exception instanceof ProblemError
        ? exception
        : exception instanceof HttpException
          ? fromHttpException(exception)
          : (fromFastify(exception as FastifyLikeError) ?? dependencyUnavailable(exception));
    const error = known ?? problem(500, 'internal-error', 'An unexpected error occurred; it has been logged.');
    if (!known) this.logger.error(exception instanceof Error ? exception : String(exception), 'ProblemFilter');
    else if (known.problem.type === 'dependency-unavailable') this.logger.warn(`answered 503: ${errorText(exception)}`, 'ProblemFilter');
    for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
    const body: Problem = error.problem;
    reply.status(body.status).header('content-type', 'application/problem+json; charset=utf-8').send(body);
  }
}
