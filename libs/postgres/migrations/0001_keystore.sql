-- Per-participant keys for crypto-shredding (DESIGN.md "Events"): personal data travels sealed
-- in ParticipantRegistered; destroying a key here erases it everywhere a rebuild could bring it
-- back from, without rewriting Kafka. This table is part of the record: back it up with the log.
CREATE SCHEMA IF NOT EXISTS keystore;

CREATE TABLE IF NOT EXISTS keystore.participant_keys (
  participant_id uuid PRIMARY KEY,
  key            bytea,
  created_at     timestamptz NOT NULL DEFAULT now(),
  destroyed_at   timestamptz,
  CONSTRAINT key_present_until_destroyed CHECK ((key IS NULL) = (destroyed_at IS NOT NULL))
);

COMMENT ON TABLE keystore.participant_keys IS
  'AES-256-GCM key per participant sealing their personal data in the event log; NULL key = erased.';
