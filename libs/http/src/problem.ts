/** RFC 9457 Problem Details; `type` is a stable slug per error kind (API.md "Errors"). */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly [extension: string]: unknown;
}

export interface FieldError {
  /** JSON pointer into the request body, e.g. `/qualifications/1`. */
  readonly pointer: string;
  readonly detail: string;
}

/** Thrown by handlers and guards; the problem filter writes it as application/problem+json. */
export class ProblemError extends Error {
  constructor(
    readonly problem: Problem,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(`${problem.type}: ${problem.detail}`);
    this.name = 'ProblemError';
  }
}

const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export const problem = (
  status: number,
  type: string,
  detail: string,
  extensions: Record<string, unknown> = {},
  headers: Readonly<Record<string, string>> = {},
): ProblemError => new ProblemError({ type, title: TITLES[status] ?? 'Error', status, detail, ...extensions }, headers);

export const validationFailed = (errors: readonly FieldError[]): ProblemError =>
  new ProblemError({
    type: 'validation-failed',
    title: 'The request breaks a rule',
    status: 422,
    detail: errors.map((e) => `${e.pointer || '/'}: ${e.detail}`).join('; '),
    errors,
  });
