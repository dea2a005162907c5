import { createHash } from 'node:crypto';

/**
 * The abuse detection rules (docs/abuse.md), pure: rows in, flags out. The scan (abuse-scan.ts)
 * feeds them from the Postgres read models and stores the flags for moderators to review. A flag
 * is a suspicion, never a sanction: only a moderator's ParticipantDisqualified changes results.
 */
export type Rule = 'registration-burst' | 'identical-votes' | 'inhuman-vote-rate';

export interface DetectionSettings {
  /** registration-burst: at least `burstMinRegistrations` registrations from one network within `burstWindowMs`. */
  readonly burstWindowMs: number;
  readonly burstMinRegistrations: number;
  /** identical-votes: at least `identicalMinParticipants` people with the same vote vector of at least `identicalMinVotes` votes. */
  readonly identicalMinVotes: number;
  readonly identicalMinParticipants: number;
  /** inhuman-vote-rate: at least `rateMaxVotes` current votes cast within `rateWindowMs`. */
  readonly rateWindowMs: number;
  readonly rateMaxVotes: number;
}

export const DEFAULT_DETECTION: DetectionSettings = {
  burstWindowMs: 10 * 60_000,
  burstMinRegistrations: 20,
  identicalMinVotes: 8,
  identicalMinParticipants: 5,
  rateWindowMs: 60_000,
  rateMaxVotes: 30,
};

export interface Flag {
  readonly participantId: string;
  readonly rule: Rule;
  /** Shared by the participants flagged together, so a moderator reviews them as one case. */
  readonly groupKey: string;
  readonly evidence: Readonly<Record<string, unknown>>;
}

export interface Registration {
  readonly participantId: string;
  readonly networkId: string;
  readonly registeredAtMs: number;
}

/**
 * Every participant registered inside a window of `burstWindowMs` that holds at least
 * `burstMinRegistrations` registrations of the same network. One flag per participant, with the
 * largest burst they belong to.
 */
export const registrationBursts = (rows: readonly Registration[], settings: DetectionSettings): Flag[] => {
  const byNetwork = new Map<string, Registration[]>();
  for (const row of rows) byNetwork.set(row.networkId, [...(byNetwork.get(row.networkId) ?? []), row]);
  const flags: Flag[] = [];
  for (const [networkId, list] of byNetwork) {
    if (list.length < settings.burstMinRegistrations) continue;
    list.sort((a, b) => a.registeredAtMs - b.registeredAtMs || (a.participantId < b.participantId ? -1 : 1));
    const largest = new Map<string, { size: number; from: number; to: number }>();
    let start = 0;
    for (let end = 0; end < list.length; end++) {
      while (list[end].registeredAtMs - list[start].registeredAtMs >= settings.burstWindowMs) start++;
      const size = end - start + 1;
      if (size < settings.burstMinRegistrations) continue;
      for (let i = start; i <= end; i++) {
        const known = largest.get(list[i].participantId);
        if (!known || known.size < size) largest.set(list[i].participantId, { size, from: list[start].registeredAtMs, to: list[end].registeredAtMs });
      }
    }
    for (const [participantId, burst] of largest) {
      flags.push({
        participantId,
        rule: 'registration-burst',
        groupKey: `registration-burst:${networkId}`,
        evidence: {
          networkId,
          registrationsInWindow: burst.size,
          windowSeconds: settings.burstWindowMs / 1000,
          from: new Date(burst.from).toISOString(),
          to: new Date(burst.to).toISOString(),
        },
      });
    }
  }
  return flags;
};

export interface VoteVector {
  readonly participantId: string;
  readonly consultation: string;
  /** A digest of the participant's current votes in the consultation (proposal, value, qualifications). */
  readonly vector: string;
  readonly votes: number;
}

/** Participants sharing one vote vector with enough others; one flag per participant (largest group). */
export const identicalVotes = (rows: readonly VoteVector[], settings: DetectionSettings): Flag[] => {
  const groups = new Map<string, VoteVector[]>();
  for (const row of rows) {
    if (row.votes < settings.identicalMinVotes) continue;
    const key = `${row.consultation}\u0000${row.vector}`;
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  const best = new Map<string, Flag & { size: number }>();
  for (const members of groups.values()) {
    if (members.length < settings.identicalMinParticipants) continue;
    const { consultation, vector, votes } = members[0];
    const groupKey = `identical-votes:${consultation}:${createHash('sha256').update(vector).digest('hex').slice(0, 16)}`;
    for (const m of members) {
      const known = best.get(m.participantId);
      if (known && known.size >= members.length) continue;
      best.set(m.participantId, {
        participantId: m.participantId,
        rule: 'identical-votes',
        groupKey,
        size: members.length,
        evidence: { consultation, participantsWithThisVector: members.length, votesInVector: votes },
      });
    }
  }
  return [...best.values()].map(({ size: _size, ...flag }) => flag);
};

export interface VoteTimes {
  readonly participantId: string;
  /** When each current vote got its value (epoch ms), any order. */
  readonly votedAtMs: readonly number[];
}

/** Participants with at least `rateMaxVotes` votes inside one window of `rateWindowMs`. */
export const inhumanVoteRates = (rows: readonly VoteTimes[], settings: DetectionSettings): Flag[] => {
  const flags: Flag[] = [];
  for (const row of rows) {
    if (row.votedAtMs.length < settings.rateMaxVotes) continue;
    const times = [...row.votedAtMs].sort((a, b) => a - b);
    let most = 0;
    let at = 0;
    let start = 0;
    for (let end = 0; end < times.length; end++) {
      while (times[end] - times[start] >= settings.rateWindowMs) start++;
      if (end - start + 1 > most) {
        most = end - start + 1;
        at = times[start];
      }
    }
    if (most < settings.rateMaxVotes) continue;
    flags.push({
      participantId: row.participantId,
      rule: 'inhuman-vote-rate',
      groupKey: `inhuman-vote-rate:${row.participantId}`,
      evidence: { votesInWindow: most, windowSeconds: settings.rateWindowMs / 1000, from: new Date(at).toISOString() },
    });
  }
  return flags;
};
