import { CanActivate, ExecutionContext, Injectable, createParamDecorator } from '@nestjs/common';
import { problem } from '@app/http';
import { ModeratorTokens } from '@app/auth';
import { ParticipantClaims, ParticipantTokens } from '@app/auth';
import { RequestWithCaller, bearerToken } from './caller';

const unauthorized = (detail: string) => problem(401, 'unauthorized', detail);

const missing = () => problem(401, 'unauthorized', 'Send `Authorization: Bearer <token>`.');

/** Participant routes: a valid participant token, else 401; a moderator's token gets 403. */
@Injectable()
export class ParticipantGuard implements CanActivate {
  constructor(
    private readonly tokens: ParticipantTokens,
    private readonly moderators: ModeratorTokens,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<RequestWithCaller>();
    const token = bearerToken(request);
    if (!token) throw missing();
    const check = this.tokens.verify(token, Math.floor(Date.now() / 1000));
    if (check.ok) {
      request.caller = { kind: 'participant', claims: check.claims };
      return true;
    }
    if (this.moderators.identify(token)) throw problem(403, 'forbidden', 'This route is for participants, not moderators.');
    throw unauthorized(check.reason === 'expired' ? 'The token has expired; register again.' : 'The token is invalid.');
  }
}

/** Moderator/admin routes: a token from MODERATOR_TOKENS, else 401; a participant's token gets 403. */
@Injectable()
export class ModeratorGuard implements CanActivate {
  constructor(
    private readonly tokens: ParticipantTokens,
    private readonly moderators: ModeratorTokens,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<RequestWithCaller>();
    const token = bearerToken(request);
    if (!token) throw missing();
    const name = this.moderators.identify(token);
    if (name) {
      request.caller = { kind: 'moderator', name };
      return true;
    }
    if (this.tokens.verify(token, Math.floor(Date.now() / 1000)).ok) {
      throw problem(403, 'forbidden', 'This route is for moderators.');
    }
    throw problem(401, 'unauthorized', 'The token is not a moderator token.');
  }
}

export const Participant = createParamDecorator((_: unknown, context: ExecutionContext): ParticipantClaims => {
  const caller = context.switchToHttp().getRequest<RequestWithCaller>().caller;
  if (caller?.kind !== 'participant') throw new Error('Participant used on a route without ParticipantGuard');
  return caller.claims;
});

export const Moderator = createParamDecorator((_: unknown, context: ExecutionContext): string => {
  const caller = context.switchToHttp().getRequest<RequestWithCaller>().caller;
  if (caller?.kind !== 'moderator') throw new Error('Moderator used on a route without ModeratorGuard');
  return caller.name;
});
