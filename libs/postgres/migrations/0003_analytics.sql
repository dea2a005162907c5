-- The analysts' window on the read models (docs/analysts.md): documented views only, readable by
-- the read-only role `analyst`, which can read nothing else and write nothing. Views run with
-- their owner's rights, so `analyst` needs no grant on readmodel itself.
-- Only proposals with readmodel.proposals.in_results (accepted, within the quota) count in
-- results: a refused proposal keeps its tallies in readmodel and leaves every view below.
CREATE SCHEMA IF NOT EXISTS analytics;
COMMENT ON SCHEMA analytics IS 'Documented, read-only views for analysts (see docs/analysts.md).';

CREATE VIEW analytics.consultations AS
SELECT slug, question, proposals_open_at, proposals_close_at, votes_open_at, votes_close_at,
       thresholds, scheduled_by, scheduled_at
FROM readmodel.consultations;
COMMENT ON VIEW analytics.consultations IS 'Consultations as scheduled, with their plébiscite thresholds.';
COMMENT ON COLUMN analytics.consultations.thresholds IS
  'JSON {minVotes, minAdhesion, minEngagement, minVotesPerTier, minVotesControversy}.';

CREATE VIEW analytics.proposals AS
SELECT proposal_id, consultation, text, author_tier, status, within_quota, in_results,
       submitted_at, accepted_at, refused_at, moderator, refusal_reason
FROM readmodel.proposals;
COMMENT ON VIEW analytics.proposals IS
  'Every submitted proposal and its moderation state (no author identity).';
COMMENT ON COLUMN analytics.proposals.within_quota IS
  'False for submissions beyond the author''s first 100 in the consultation (by submitted_at, proposal_id).';
COMMENT ON COLUMN analytics.proposals.in_results IS 'Accepted and within quota: counts in results.';

CREATE VIEW analytics.proposal_results AS
WITH per_tier AS (
  SELECT p.consultation, p.proposal_id, p.text, p.author_tier, t.tier,
         coalesce(x.total, 0) AS votes,
         coalesce(x.agree, 0) AS agree, coalesce(x.disagree, 0) AS disagree, coalesce(x.neutral, 0) AS neutral,
         coalesce(x.like_it, 0) AS like_it, coalesce(x.doable, 0) AS doable,
         coalesce(x.platitude_agree, 0) AS platitude_agree, coalesce(x.no_way, 0) AS no_way,
         coalesce(x.impossible, 0) AS impossible, coalesce(x.platitude_disagree, 0) AS platitude_disagree,
         coalesce(x.do_not_understand, 0) AS do_not_understand, coalesce(x.no_opinion, 0) AS no_opinion,
         coalesce(x.do_not_care, 0) AS do_not_care
  FROM readmodel.proposals p
  CROSS JOIN (VALUES ('rural'), ('medium'), ('large')) AS t (tier)
  LEFT JOIN readmodel.tallies x ON x.proposal_id = p.proposal_id AND x.tier = t.tier
  WHERE p.in_results
), with_overall AS (
  SELECT * FROM per_tier
  UNION ALL
  SELECT consultation, proposal_id, text, author_tier, 'all',
         sum(votes)::int, sum(agree)::int, sum(disagree)::int, sum(neutral)::int,
         sum(like_it)::int, sum(doable)::int, sum(platitude_agree)::int, sum(no_way)::int,
         sum(impossible)::int, sum(platitude_disagree)::int, sum(do_not_understand)::int,
         sum(no_opinion)::int, sum(do_not_care)::int
  FROM per_tier
  GROUP BY consultation, proposal_id, text, author_tier
), metrics AS (
  SELECT w.*,
         agree::float8 / NULLIF(votes, 0) AS adhesion,
         (like_it + doable - no_way - impossible - platitude_agree - platitude_disagree)::float8
           / NULLIF(votes, 0) AS engagement
  FROM with_overall w
)
SELECT m.*, adhesion + engagement AS score FROM metrics m;
COMMENT ON VIEW analytics.proposal_results IS
  'Current votes per proposal in results, one row per voter tier (rural, medium, large) and one for all tiers (tier = ''all'').';
COMMENT ON COLUMN analytics.proposal_results.tier IS 'Voter tier, or ''all'' for every voter.';
COMMENT ON COLUMN analytics.proposal_results.votes IS 'Current votes (agree + disagree + neutral).';
COMMENT ON COLUMN analytics.proposal_results.adhesion IS 'agree / votes; NULL with no votes.';
COMMENT ON COLUMN analytics.proposal_results.engagement IS
  '(like_it + doable - no_way - impossible - platitude_agree - platitude_disagree) / votes; NULL with no votes.';
COMMENT ON COLUMN analytics.proposal_results.score IS 'adhesion + engagement; NULL with no votes.';

CREATE VIEW analytics.plebiscites AS
SELECT r.consultation, r.tier, r.proposal_id, r.text, r.author_tier, r.votes, r.adhesion, r.engagement, r.score,
       rank() OVER (PARTITION BY r.consultation, r.tier ORDER BY r.score DESC, r.votes DESC, r.proposal_id) AS rank
FROM analytics.proposal_results r
JOIN readmodel.consultations c ON c.slug = r.consultation
WHERE r.votes >= CASE WHEN r.tier = 'all' THEN (c.thresholds ->> 'minVotes')::int
                      ELSE (c.thresholds ->> 'minVotesPerTier')::int END
  AND r.adhesion >= (c.thresholds ->> 'minAdhesion')::float8
  AND r.engagement >= (c.thresholds ->> 'minEngagement')::float8;
COMMENT ON VIEW analytics.plebiscites IS
  'Proposals meeting the consultation''s plébiscite thresholds: overall (tier = ''all'', votes >= minVotes) and per voter tier (votes >= minVotesPerTier); adhesion >= minAdhesion and engagement >= minEngagement in both.';
COMMENT ON COLUMN analytics.plebiscites.rank IS 'Rank within (consultation, tier) by score, then votes.';

CREATE VIEW analytics.participation_by_tier AS
SELECT c.consultation, c.tier, c.participants,
       c.participants::float8 / NULLIF(sum(c.participants) OVER (PARTITION BY c.consultation), 0) AS participants_share,
       c.proposals_submitted, c.proposals_accepted, c.proposals_refused,
       c.votes AS current_votes,
       coalesce(v.votes_in_results, 0)::int AS votes_in_results
FROM readmodel.consultation_counters c
LEFT JOIN (
  SELECT p.consultation, t.tier, sum(t.total) AS votes_in_results
  FROM readmodel.tallies t JOIN readmodel.proposals p ON p.proposal_id = t.proposal_id
  WHERE p.in_results
  GROUP BY p.consultation, t.tier
) v ON v.consultation = c.consultation AND v.tier = c.tier;
COMMENT ON VIEW analytics.participation_by_tier IS 'Per consultation and tier: who took part and what they did.';
COMMENT ON COLUMN analytics.participation_by_tier.participants IS
  'People of this tier who submitted a proposal (within quota) or cast a vote in the consultation, counted once.';
COMMENT ON COLUMN analytics.participation_by_tier.proposals_submitted IS 'Submissions within the quota (authors of this tier).';
COMMENT ON COLUMN analytics.participation_by_tier.proposals_accepted IS 'Of those, currently accepted.';
COMMENT ON COLUMN analytics.participation_by_tier.proposals_refused IS 'Of those, currently refused.';
COMMENT ON COLUMN analytics.participation_by_tier.current_votes IS 'Current votes of this tier on any proposal, accepted or not.';
COMMENT ON COLUMN analytics.participation_by_tier.votes_in_results IS 'Current votes of this tier on proposals in results.';

CREATE VIEW analytics.participation_by_departement AS
WITH people AS (
  SELECT cp.consultation, p.departement, p.region, cp.tier, count(*) AS participants
  FROM readmodel.consultation_participants cp
  JOIN readmodel.participants p ON p.participant_id = cp.participant_id
  GROUP BY cp.consultation, p.departement, p.region, cp.tier
), votes AS (
  SELECT v.consultation, p.departement, p.region, v.voter_tier AS tier, count(*) AS votes
  FROM readmodel.current_votes v
  JOIN readmodel.participants p ON p.participant_id = v.participant_id
  JOIN readmodel.proposals pr ON pr.proposal_id = v.proposal_id
  WHERE v.value IS NOT NULL AND pr.in_results
  GROUP BY v.consultation, p.departement, p.region, v.voter_tier
)
SELECT consultation, departement, region, tier,
       coalesce(people.participants, 0)::int AS participants,
       coalesce(votes.votes, 0)::int AS votes_in_results
FROM people FULL JOIN votes USING (consultation, departement, region, tier);
COMMENT ON VIEW analytics.participation_by_departement IS
  'Per consultation, département (INSEE code) and tier: participants and their current votes on proposals in results. A participant whose registration is not projected yet is not counted.';

CREATE VIEW analytics.participation_by_region AS
SELECT consultation, region, tier, sum(participants)::int AS participants, sum(votes_in_results)::int AS votes_in_results
FROM analytics.participation_by_departement
GROUP BY consultation, region, tier;
COMMENT ON VIEW analytics.participation_by_region IS
  'Per consultation, région (INSEE code) and tier: participants and their current votes on proposals in results.';

CREATE VIEW analytics.registrations_by_departement AS
SELECT departement, region, tier, count(*)::int AS participants,
       count(*) FILTER (WHERE personal_status = 'erased')::int AS erased
FROM readmodel.participants
GROUP BY departement, region, tier;
COMMENT ON VIEW analytics.registrations_by_departement IS
  'Registered participants per département, région and tier, whether or not they took part yet.';

CREATE VIEW analytics.votes_by_hour AS
SELECT v.consultation, date_trunc('hour', v.updated_at, 'UTC') AS hour, v.voter_tier AS tier, count(*)::int AS votes
FROM readmodel.current_votes v
JOIN readmodel.proposals p ON p.proposal_id = v.proposal_id
WHERE v.value IS NOT NULL AND p.in_results
GROUP BY v.consultation, date_trunc('hour', v.updated_at, 'UTC'), v.voter_tier;
COMMENT ON VIEW analytics.votes_by_hour IS
  'Current votes on proposals in results, by the UTC hour their current value was cast (a changed vote moves to the hour of the change; a retracted one disappears).';

CREATE VIEW analytics.log_positions AS
SELECT projection, topic, partition, next_offset FROM readmodel.projection_offsets;
COMMENT ON VIEW analytics.log_positions IS
  'The log positions every figure reflects: all events below next_offset in (topic, partition) are applied.';

-- The role is created by the infrastructure; create it (without login) where it is missing so
-- the grants below always hold.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'analyst') THEN
    CREATE ROLE analyst NOLOGIN;
  END IF;
END
$$;

REVOKE ALL ON SCHEMA readmodel FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA readmodel FROM PUBLIC;
REVOKE ALL ON SCHEMA analytics FROM PUBLIC;
GRANT USAGE ON SCHEMA analytics TO analyst;
GRANT SELECT ON ALL TABLES IN SCHEMA analytics TO analyst;
