import { Provider, Type } from '@nestjs/common';
import type { Pool } from 'pg';
import { IngestConfig } from '../ingest.config';
import { PG_POOL } from '../infrastructure/tokens';
import { NetworkIds } from '../participants/network-id';
import { AbuseFlags } from './abuse-flags';
import { ChangeStandingHandler } from './change-standing.handler';
import { ParticipantStandingController } from './participant-standing.controller';

/**
 * The abuse-remedy feature's wiring (docs/abuse.md): moderator routes, the standing command, the
 * flags store, and the network ids registrations carry. The network-id secret defaults to one
 * derived from the token secret(s); set NETWORK_ID_SECRET so that rotating token keys does not
 * change the network ids (a burst spanning the rotation would be split).
 */
export const participantStandingFeature = (config: IngestConfig): { controllers: Type[]; providers: Provider[] } => ({
  controllers: [ParticipantStandingController],
  providers: [
    ChangeStandingHandler,
    { provide: AbuseFlags, inject: [PG_POOL], useFactory: (pool: Pool) => new AbuseFlags(pool, config.READMODEL_SCHEMA) },
    { provide: NetworkIds, useFactory: () => new NetworkIds(networkIdSecret(config)) },
  ],
});

/** NETWORK_ID_SECRET, else derived from TOKEN_SECRET and the rotation keys TOKEN_SECRETS (when the config has them). */
const networkIdSecret = (config: IngestConfig): string => {
  if (config.NETWORK_ID_SECRET !== '') return config.NETWORK_ID_SECRET;
  const rotation = (config as { readonly TOKEN_SECRETS?: readonly string[] }).TOKEN_SECRETS ?? [];
  return `network-id:${[config.TOKEN_SECRET, ...rotation].filter((secret) => secret !== '').join(',')}`;
};
