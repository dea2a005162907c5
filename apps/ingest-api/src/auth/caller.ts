import { ParticipantClaims } from '@app/auth';

/** Who sent the request, set by the guards for handlers and the idempotency store. */
export type Caller = { kind: 'participant'; claims: ParticipantClaims } | { kind: 'moderator'; name: string } | { kind: 'anonymous' };

export interface RequestWithCaller {
  headers: Record<string, string | string[] | undefined>;
  caller?: Caller;
}

/** Stable scope of a caller for idempotency keys and derived ids. */
export const callerScope = (caller: Caller | undefined): string => {
  switch (caller?.kind) {
    case 'participant':
      return `participant:${caller.claims.participantId}`;
    case 'moderator':
      return `moderator:${caller.name}`;
    default:
      return 'anonymous';
  }
};

export const bearerToken = (request: RequestWithCaller): string | undefined => {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer +(\S+)$/i.exec(header);
  return match?.[1];
};
