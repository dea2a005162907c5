import { CanActivate, ExecutionContext, Injectable, createParamDecorator } from '@nestjs/common';
import { problem } from '@app/http';
import { ModeratorTokens } from '@app/auth';
import { ParticipantClaims, ParticipantTokens } from '@app/auth';
import { RequestWithCaller, bearerToken } from './caller';

const unauthorized = (detail: string) => problem(401, 'unauthorized', detail);

const missing = () => problem(401, 'unauthorized', 'Send `Authorization: Bearer <token>`.');

/** Most verified participant tokens remembered (about 300 bytes each). */
const VERIFIED_TOKENS = 100_000;

/**
 * Participant routes: a valid participant token, else 401; a moderator's token gets 403.
 *
 * A token that verified once is remembered until it expires, so a participant's next requests
 * skip the HMAC and the claims' decoding (the vote route's biggest cost after I/O). Only tokens
 * whose signature checked are remembered, under their exact text, and expiry is checked on every
 * request: the answers are those of a full verification.
 */
@Injectable()
export class ParticipantGuard implements CanActivate {
  private readonly verified = new Map<string, ParticipantClaims>();

  constructor(
    private readonly tokens: ParticipantTokens,
    private readonly moderators: ModeratorTokens,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    this.authenticate(context.switchToHttp().getRequest<RequestWithCaller>());
    return true;
  }

  /** Sets `request.caller` to the participant and returns its claims, or throws the 401/403 problem. */
  authenticate(request: RequestWithCaller): ParticipantClaims {
    const token = bearerToken(request);
    if (!token) throw missing();
    const claims = this.claimsOf(token);
    if (claims !== undefined) {
      request.caller = { kind: 'participant', claims };
      return claims;
    }
    if (this.moderators.identify(token)) throw problem(403, 'forbidden', 'This route is for participants, not moderators.');
    const check = this.tokens.verify(token, Math.floor(Date.now() / 1000));
    throw unauthorized(!check.ok && check.reason === 'expired' ? 'The token has expired; register again.' : 'The token is invalid.');
  }

  /** The claims of a valid, unexpired participant token (remembered as above), or undefined. Never throws. */
  claimsOf(token: string): ParticipantClaims | undefined {
    const now = Math.floor(Date.now() / 1000);
    const known = this.verified.get(token);
    if (known !== undefined && known.exp > now) return known;
    const check = this.tokens.verify(token, now);
    if (check.ok) {
      this.remember(token, check.claims);
      return check.claims;
    }
    if (known !== undefined) this.verified.delete(token);
    return undefined;
  }

  private remember(token: string, claims: ParticipantClaims): void {
    if (this.verified.size >= VERIFIED_TOKENS) {
      // Forget the oldest (Map keeps insertion order).
      this.verified.delete(this.verified.keys().next().value as string);
    }
    this.verified.set(token, claims);
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
