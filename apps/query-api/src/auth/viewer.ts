import { CanActivate, ExecutionContext, Injectable, createParamDecorator } from '@nestjs/common';
import { problem } from '@app/http';
// Shared with the ingest (same TOKEN_SECRET, same token format); to move to a lib.
import { ModeratorTokens } from '@app/auth';
import { ParticipantClaims, ParticipantTokens } from '@app/auth';
import { TokenRevocations } from '@app/redis';

/** Who is reading: the public (no token or a participant's on a public route), a moderator, or a participant. */
export type Viewer = { kind: 'public' } | { kind: 'moderator'; name: string } | { kind: 'participant'; claims: ParticipantClaims };

interface RequestWithViewer {
  headers: Record<string, string | string[] | undefined>;
  viewer?: Viewer;
}

const bearer = (request: RequestWithViewer): string | undefined => {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return undefined;
  return /^Bearer +(\S+)$/i.exec(header)?.[1];
};

const identify = (request: RequestWithViewer, participants: ParticipantTokens, moderators: ModeratorTokens): Viewer | 'invalid' | 'expired' | 'absent' => {
  if (request.headers.authorization === undefined) return 'absent';
  const token = bearer(request);
  if (!token) return 'invalid';
  const name = moderators.identify(token);
  if (name) return { kind: 'moderator', name };
  const check = participants.verify(token, Math.floor(Date.now() / 1000));
  if (check.ok) return { kind: 'participant', claims: check.claims };
  return check.reason === 'expired' ? 'expired' : 'invalid';
};

const rejected = (outcome: 'invalid' | 'expired') =>
  problem(401, 'unauthorized', outcome === 'expired' ? 'The token has expired; register again.' : 'The token is invalid.');

/**
 * A revoked participant token (docs/security.md "Revocation") is refused like at the ingest. One
 * Redis EXISTS per participant request; if Redis does not answer, the read goes on (reads of a
 * revoked token are not worth refusing every participant's reads during an outage).
 */
const refuseIfRevoked = async (viewer: Viewer | 'absent', revocations: TokenRevocations): Promise<void> => {
  if (viewer === 'absent' || viewer.kind !== 'participant') return;
  if (await revocations.isRevoked(viewer.claims.participantId).catch(() => false)) {
    throw problem(401, 'token-revoked', 'This token has been revoked; it is no longer accepted.');
  }
};

/**
 * Public routes: anyone may read; a moderator token unlocks moderator views. A token that is
 * sent but invalid is refused (401) rather than silently ignored.
 */
@Injectable()
export class ViewerGuard implements CanActivate {
  constructor(
    private readonly participants: ParticipantTokens,
    private readonly moderators: ModeratorTokens,
    private readonly revocations: TokenRevocations,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<RequestWithViewer>();
    const outcome = identify(request, this.participants, this.moderators);
    if (outcome === 'invalid' || outcome === 'expired') throw rejected(outcome);
    await refuseIfRevoked(outcome, this.revocations);
    request.viewer = outcome === 'absent' ? { kind: 'public' } : outcome;
    return true;
  }
}

/** Participant routes: a valid participant token, else 401; a moderator token gets 403. */
@Injectable()
export class ParticipantGuard implements CanActivate {
  constructor(
    private readonly participants: ParticipantTokens,
    private readonly moderators: ModeratorTokens,
    private readonly revocations: TokenRevocations,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<RequestWithViewer>();
    const outcome = identify(request, this.participants, this.moderators);
    if (outcome === 'absent') throw problem(401, 'unauthorized', 'Send `Authorization: Bearer <token>`.');
    if (outcome === 'invalid' || outcome === 'expired') throw rejected(outcome);
    if (outcome.kind === 'moderator') throw problem(403, 'forbidden', 'This route is for participants, not moderators.');
    await refuseIfRevoked(outcome, this.revocations);
    request.viewer = outcome;
    return true;
  }
}

export const CurrentViewer = createParamDecorator((_: unknown, context: ExecutionContext): Viewer => {
  const viewer = context.switchToHttp().getRequest<RequestWithViewer>().viewer;
  if (!viewer) throw new Error('CurrentViewer used on a route without ViewerGuard or ParticipantGuard');
  return viewer;
});

export const CurrentParticipant = createParamDecorator((_: unknown, context: ExecutionContext): ParticipantClaims => {
  const viewer = context.switchToHttp().getRequest<RequestWithViewer>().viewer;
  if (viewer?.kind !== 'participant') throw new Error('CurrentParticipant used on a route without ParticipantGuard');
  return viewer.claims;
});

/** Moderator-only views of a public route: 401 without a token, 403 with a participant's. */
export const requireModerator = (viewer: Viewer, what: string): void => {
  if (viewer.kind === 'moderator') return;
  if (viewer.kind === 'participant') throw problem(403, 'forbidden', `${what} is for moderators only.`);
  throw problem(401, 'unauthorized', `${what} is for moderators only: send a moderator token.`);
};
