-- Privacy (docs/privacy.md): erasure bookkeeping in the key store, the moderation audit trail and
-- proposal texts refused for personal data.

-- Erasure: the key is destroyed (key NULL, destroyed_at set) BEFORE ParticipantErased is appended;
-- erasure_logged_at is set once the log acknowledged it. A row destroyed but not logged is an
-- erasure interrupted by a crash: the ingest appends its ParticipantErased again (ErasureSweeper).
-- A participant erased without ever having had a key gets a tombstone row (key NULL), so a late
-- registration retry cannot create one.
ALTER TABLE keystore.participant_keys
  ADD COLUMN erased_by         text,
  ADD COLUMN erasure_logged_at timestamptz;
CREATE INDEX participant_keys_unlogged_erasures_idx ON keystore.participant_keys (destroyed_at)
  WHERE destroyed_at IS NOT NULL AND erasure_logged_at IS NULL;
COMMENT ON COLUMN keystore.participant_keys.erased_by IS
  '`participant` or `moderator:<label>`: who asked for the erasure.';
COMMENT ON COLUMN keystore.participant_keys.erasure_logged_at IS
  'When ParticipantErased was acknowledged by the log; NULL with destroyed_at set = to append again.';

-- Moderation audit trail: one row per moderation event (accept, refuse, erasure by a moderator),
-- naming the moderator. Projected from the log like every read model (rebuildable).
CREATE TABLE readmodel.moderation_actions (
  event_id        uuid        PRIMARY KEY,
  action          text        NOT NULL CHECK (action IN ('accept', 'refuse', 'erase-personal-data')),
  moderator       text        NOT NULL,
  consultation    text,
  proposal_id     uuid,
  participant_id  uuid,
  reason_code     text,
  reason          text,
  occurred_at     timestamptz NOT NULL,
  CHECK ((proposal_id IS NULL) = (action = 'erase-personal-data')),
  CHECK ((participant_id IS NULL) = (action <> 'erase-personal-data'))
);
CREATE INDEX moderation_actions_moderator_idx ON readmodel.moderation_actions (moderator, occurred_at);
CREATE INDEX moderation_actions_proposal_idx ON readmodel.moderation_actions (proposal_id);
COMMENT ON TABLE readmodel.moderation_actions IS
  'Audit trail: every moderation event with its moderator (from the event log).';

-- A proposal refused with the reason code `personal-data` has its text emptied for good: the
-- read models never serve it again (the text stays in the proposals topic, see docs/privacy.md).
ALTER TABLE readmodel.proposals ADD COLUMN text_erased boolean NOT NULL DEFAULT false;
COMMENT ON COLUMN readmodel.proposals.text_erased IS
  'Refused for personal data: text is the empty string and is never served again.';

CREATE VIEW analytics.moderation_actions AS
SELECT event_id, occurred_at, action, moderator, consultation, proposal_id, reason_code, reason
FROM readmodel.moderation_actions;
COMMENT ON VIEW analytics.moderation_actions IS
  'Audit trail of moderation: who accepted, refused (with reason code) or erased, and when.';
COMMENT ON COLUMN analytics.moderation_actions.moderator IS
  'The moderator''s label from MODERATOR_TOKENS (name:token), never a token.';
GRANT SELECT ON analytics.moderation_actions TO analyst;
