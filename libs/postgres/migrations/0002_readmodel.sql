-- Read models built by the projector from the event log (DESIGN.md invariants 2–5).
-- Everything here is derived: it can be dropped and rebuilt from offset 0. The checkpoint
-- (projection_offsets) lives in the same schema and is written in the same transaction as the
-- rows, so a rebuilt schema carries its own positions.
--
-- Rebuild-friendly on purpose: no sequences, domains, triggers or foreign keys, so that
-- `CREATE TABLE fresh.t (LIKE readmodel.t INCLUDING ALL)` reproduces every table (columns,
-- defaults, CHECKs, indexes, generated columns) in a fresh schema that can later be swapped in.
-- Counts are plain integers guarded by CHECK constraints: a projection bug that would drive one
-- negative, or make qualifications exceed their value, aborts the batch instead of drifting.
CREATE SCHEMA IF NOT EXISTS readmodel;
COMMENT ON SCHEMA readmodel IS 'Read models projected from the event log (writer: projector). Rebuildable.';

CREATE TABLE readmodel.projection_offsets (
  projection  text    NOT NULL,
  topic       text    NOT NULL,
  partition   integer NOT NULL CHECK (partition >= 0),
  next_offset bigint  NOT NULL CHECK (next_offset >= 0),
  PRIMARY KEY (projection, topic, partition)
);
COMMENT ON TABLE readmodel.projection_offsets IS
  'Checkpoint: next log offset to apply per (topic, partition), committed with the rows it reflects.';

CREATE TABLE readmodel.consultations (
  slug               text        PRIMARY KEY,
  question           text        NOT NULL,
  proposals_open_at  timestamptz NOT NULL,
  proposals_close_at timestamptz NOT NULL,
  votes_open_at      timestamptz NOT NULL,
  votes_close_at     timestamptz NOT NULL,
  thresholds         jsonb       NOT NULL,
  scheduled_by       text        NOT NULL,
  scheduled_at       timestamptz NOT NULL
);

CREATE TABLE readmodel.participants (
  participant_id          uuid        PRIMARY KEY,
  tier                    text        NOT NULL CHECK (tier IN ('rural', 'medium', 'large')),
  commune_code            text,
  commune_name            text,
  postal_code             text,
  departement             text        NOT NULL,
  region                  text        NOT NULL,
  population              integer     CHECK (population >= 0),
  territory_data_version  text        NOT NULL,
  -- Decrypted from the sealed personal data while the participant's key exists; NULL otherwise.
  first_name              text,
  age_range               text,
  -- absent: no personal data given; decrypted: first_name/age_range hold it;
  -- erased: sealed data present but the key is destroyed or missing (right to erasure);
  -- undecryptable: the key exists but does not open the data (a defect to investigate).
  personal_status         text        NOT NULL
    CHECK (personal_status IN ('absent', 'decrypted', 'erased', 'undecryptable')),
  registered_at           timestamptz NOT NULL,
  CHECK (personal_status = 'decrypted' OR (first_name IS NULL AND age_range IS NULL))
);
CREATE INDEX participants_departement_idx ON readmodel.participants (departement);

CREATE TABLE readmodel.proposals (
  proposal_id     uuid        PRIMARY KEY,
  consultation    text        NOT NULL,
  author_id       uuid        NOT NULL,
  author_tier     text        NOT NULL CHECK (author_tier IN ('rural', 'medium', 'large')),
  text            text        NOT NULL,
  status          text        NOT NULL CHECK (status IN ('pending', 'accepted', 'refused')),
  -- The quota (100 per author and consultation) keeps an author's first 100 submissions in the
  -- order (submitted_at, proposal_id): proposals are keyed by id, so one author's submissions
  -- are spread over partitions and only an order carried by the events is replay-stable.
  within_quota    boolean     NOT NULL,
  submitted_at    timestamptz NOT NULL,
  accepted_at     timestamptz,
  refused_at      timestamptz,
  moderator       text,
  refusal_reason  text,
  -- What readers filter on: only accepted proposals within the quota count in results; a
  -- refused proposal keeps its tallies and comes back if accepted again.
  in_results      boolean     GENERATED ALWAYS AS (status = 'accepted' AND within_quota) STORED
);
CREATE INDEX proposals_consultation_status_idx ON readmodel.proposals (consultation, status, submitted_at);
CREATE INDEX proposals_author_idx ON readmodel.proposals (consultation, author_id);

CREATE TABLE readmodel.current_votes (
  participant_id    uuid        NOT NULL,
  proposal_id       uuid        NOT NULL,
  consultation      text        NOT NULL,
  voter_tier        text        NOT NULL CHECK (voter_tier IN ('rural', 'medium', 'large')),
  -- NULL once retracted (the row stays to remember the event ids already applied).
  value             text        CHECK (value IN ('agree', 'disagree', 'neutral')),
  qualifications    text[]      NOT NULL DEFAULT '{}',
  -- Last event ids applied to this pair (bounded window): a retry carrying one of them is dropped.
  recent_event_ids  uuid[]      NOT NULL,
  -- occurredAt of the event that gave the pair its current value (replay-stable).
  updated_at        timestamptz NOT NULL,
  PRIMARY KEY (participant_id, proposal_id),
  CHECK (value IS NOT NULL OR qualifications = '{}')
);
CREATE INDEX current_votes_proposal_idx ON readmodel.current_votes (proposal_id) WHERE value IS NOT NULL;

-- Sum of the current votes per proposal and voter tier, whatever the proposal's status.
CREATE TABLE readmodel.tallies (
  proposal_id         uuid    NOT NULL,
  tier                text    NOT NULL CHECK (tier IN ('rural', 'medium', 'large')),
  total               integer NOT NULL DEFAULT 0 CHECK (total >= 0),
  agree               integer NOT NULL DEFAULT 0 CHECK (agree >= 0),
  disagree            integer NOT NULL DEFAULT 0 CHECK (disagree >= 0),
  neutral             integer NOT NULL DEFAULT 0 CHECK (neutral >= 0),
  like_it             integer NOT NULL DEFAULT 0 CHECK (like_it >= 0),
  doable              integer NOT NULL DEFAULT 0 CHECK (doable >= 0),
  platitude_agree     integer NOT NULL DEFAULT 0 CHECK (platitude_agree >= 0),
  no_way              integer NOT NULL DEFAULT 0 CHECK (no_way >= 0),
  impossible          integer NOT NULL DEFAULT 0 CHECK (impossible >= 0),
  platitude_disagree  integer NOT NULL DEFAULT 0 CHECK (platitude_disagree >= 0),
  do_not_understand   integer NOT NULL DEFAULT 0 CHECK (do_not_understand >= 0),
  no_opinion          integer NOT NULL DEFAULT 0 CHECK (no_opinion >= 0),
  do_not_care         integer NOT NULL DEFAULT 0 CHECK (do_not_care >= 0),
  PRIMARY KEY (proposal_id, tier),
  CHECK (total = agree + disagree + neutral),
  CHECK (like_it <= agree AND doable <= agree AND platitude_agree <= agree),
  CHECK (no_way <= disagree AND impossible <= disagree AND platitude_disagree <= disagree),
  CHECK (do_not_understand <= neutral AND no_opinion <= neutral AND do_not_care <= neutral)
);

-- Who took part in a consultation: proposed (within quota) or cast a vote, once per person.
CREATE TABLE readmodel.consultation_participants (
  consultation   text NOT NULL,
  participant_id uuid NOT NULL,
  tier           text NOT NULL CHECK (tier IN ('rural', 'medium', 'large')),
  PRIMARY KEY (consultation, participant_id)
);

CREATE TABLE readmodel.consultation_counters (
  consultation         text    NOT NULL,
  tier                 text    NOT NULL CHECK (tier IN ('rural', 'medium', 'large')),
  participants         integer NOT NULL DEFAULT 0 CHECK (participants >= 0),
  proposals_submitted  integer NOT NULL DEFAULT 0 CHECK (proposals_submitted >= 0),
  proposals_accepted   integer NOT NULL DEFAULT 0 CHECK (proposals_accepted >= 0),
  proposals_refused    integer NOT NULL DEFAULT 0 CHECK (proposals_refused >= 0),
  -- Current votes of this tier on any proposal of the consultation (accepted or not).
  votes                integer NOT NULL DEFAULT 0 CHECK (votes >= 0),
  PRIMARY KEY (consultation, tier),
  CHECK (proposals_accepted + proposals_refused <= proposals_submitted)
);
