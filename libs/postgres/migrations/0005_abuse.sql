-- Abuse detection and remedy (docs/abuse.md).
--
-- readmodel.participant_standing and readmodel.registration_networks are projections of the
-- participants topic (ParticipantDisqualified / ParticipantRequalified, ParticipantRegistered v2
-- networkId): rebuildable like every readmodel table. abuse.flags is NOT derived from the log: it
-- is the output of the detection scan (npm run abuse:scan) and the moderators' review of it; it
-- survives rebuilds and is recomputed by the next scan if lost.

-- Participants a moderator disqualified (and their last change). While `disqualified`, the
-- participant's current votes are kept in readmodel.current_votes (they keep changing with the
-- log) but counted in no tally, no counter and no result; requalification counts them again.
CREATE TABLE readmodel.participant_standing (
  participant_id  uuid        PRIMARY KEY,
  disqualified    boolean     NOT NULL,
  -- The decision that set the current standing (audit trail; the full history is the log).
  moderator       text        NOT NULL,
  reason          text        NOT NULL,
  flag_ids        uuid[]      NOT NULL DEFAULT '{}',
  changed_at      timestamptz NOT NULL
);
COMMENT ON TABLE readmodel.participant_standing IS
  'Participants disqualified (or requalified) by a moderator; a disqualified participant''s votes count nowhere.';
CREATE INDEX participant_standing_disqualified_idx ON readmodel.participant_standing (participant_id) WHERE disqualified;

-- Pseudonymous network of each registration (HMAC of the /24 or /48 prefix): what the
-- registration-burst rule groups by. Never an address.
CREATE TABLE readmodel.registration_networks (
  participant_id  uuid        PRIMARY KEY,
  network_id      text        NOT NULL,
  registered_at   timestamptz NOT NULL
);
CREATE INDEX registration_networks_network_idx ON readmodel.registration_networks (network_id, registered_at);

-- A disqualification finds the participant's memberships without scanning the table.
CREATE INDEX consultation_participants_participant_idx ON readmodel.consultation_participants (participant_id);

CREATE SCHEMA IF NOT EXISTS abuse;
COMMENT ON SCHEMA abuse IS 'Abuse detection output and its review by moderators (writer: npm run abuse:scan, ingest-api).';

-- One flag per (participant, rule): a rescan refreshes the evidence of an existing flag and never
-- reopens one a moderator dismissed.
CREATE TABLE abuse.flags (
  flag_id         uuid        PRIMARY KEY,
  participant_id  uuid        NOT NULL,
  rule            text        NOT NULL CHECK (rule IN ('registration-burst', 'identical-votes', 'inhuman-vote-rate')),
  -- What the rule saw (network id and burst size, size of the identical group, votes per window…).
  evidence        jsonb       NOT NULL,
  -- Shared by the participants flagged together (same burst, same vote vector): review them as one.
  group_key       text        NOT NULL,
  first_seen_at   timestamptz NOT NULL,
  last_seen_at    timestamptz NOT NULL,
  status          text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'dismissed', 'actioned')),
  reviewed_by     text,
  reviewed_at     timestamptz,
  review_note     text,
  UNIQUE (participant_id, rule)
);
CREATE INDEX flags_status_idx ON abuse.flags (status, first_seen_at, flag_id);
CREATE INDEX flags_group_idx ON abuse.flags (group_key);

-- Analysts see excluded votes only as counts (docs/analysts.md): what the results leave out.
CREATE VIEW analytics.excluded_votes AS
SELECT v.consultation, v.voter_tier AS tier,
       count(DISTINCT v.participant_id)::int AS disqualified_participants,
       count(*)::int AS excluded_current_votes
FROM readmodel.current_votes v
JOIN readmodel.participant_standing s ON s.participant_id = v.participant_id AND s.disqualified
WHERE v.value IS NOT NULL
GROUP BY v.consultation, v.voter_tier;
COMMENT ON VIEW analytics.excluded_votes IS
  'Current votes of disqualified participants, per consultation and voter tier: kept in the log and in readmodel, counted in no tally, counter or result.';

-- The views reading individual votes or participants leave disqualified participants out, like
-- the tallies do (same column lists as 0003, so the grants and dependent views stay).
CREATE OR REPLACE VIEW analytics.participation_by_departement AS
WITH people AS (
  SELECT cp.consultation, p.departement, p.region, cp.tier, count(*) AS participants
  FROM readmodel.consultation_participants cp
  JOIN readmodel.participants p ON p.participant_id = cp.participant_id
  WHERE NOT EXISTS (SELECT 1 FROM readmodel.participant_standing s WHERE s.participant_id = cp.participant_id AND s.disqualified)
  GROUP BY cp.consultation, p.departement, p.region, cp.tier
), votes AS (
  SELECT v.consultation, p.departement, p.region, v.voter_tier AS tier, count(*) AS votes
  FROM readmodel.current_votes v
  JOIN readmodel.participants p ON p.participant_id = v.participant_id
  JOIN readmodel.proposals pr ON pr.proposal_id = v.proposal_id
  WHERE v.value IS NOT NULL AND pr.in_results
    AND NOT EXISTS (SELECT 1 FROM readmodel.participant_standing s WHERE s.participant_id = v.participant_id AND s.disqualified)
  GROUP BY v.consultation, p.departement, p.region, v.voter_tier
)
SELECT consultation, departement, region, tier,
       coalesce(people.participants, 0)::int AS participants,
       coalesce(votes.votes, 0)::int AS votes_in_results
FROM people FULL JOIN votes USING (consultation, departement, region, tier);

CREATE OR REPLACE VIEW analytics.votes_by_hour AS
SELECT v.consultation, date_trunc('hour', v.updated_at, 'UTC') AS hour, v.voter_tier AS tier, count(*)::int AS votes
FROM readmodel.current_votes v
JOIN readmodel.proposals p ON p.proposal_id = v.proposal_id
WHERE v.value IS NOT NULL AND p.in_results
  AND NOT EXISTS (SELECT 1 FROM readmodel.participant_standing s WHERE s.participant_id = v.participant_id AND s.disqualified)
GROUP BY v.consultation, date_trunc('hour', v.updated_at, 'UTC'), v.voter_tier;

REVOKE ALL ON SCHEMA abuse FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA readmodel FROM PUBLIC;
GRANT SELECT ON analytics.excluded_votes TO analyst;
