/**
 * The embedded store's schema, one entry per version: `PRAGMA user_version` holds how many have
 * been applied. Never edit a shipped entry; append a new one. Dates are INTEGER epoch ms; JSON
 * columns hold values these stores wrote themselves.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: the first schema.
  `
  CREATE TABLE state (
    key   TEXT PRIMARY KEY,
    etag  TEXT NOT NULL,
    value TEXT NOT NULL -- JSON object without its eTag
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE conversations (
    id         TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL,
    channel    TEXT NOT NULL,
    locale     TEXT NOT NULL,
    created_at INTEGER NOT NULL
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE transcript_entries (
    conversation_id TEXT NOT NULL,
    seq             INTEGER NOT NULL,
    activity        TEXT NOT NULL, -- JSON
    PRIMARY KEY (conversation_id, seq)
  ) STRICT, WITHOUT ROWID;

  -- A rowid table on purpose: rowid breaks ties between cases created in the same millisecond.
  CREATE TABLE cases (
    id              TEXT PRIMARY KEY,
    order_id        TEXT NOT NULL,
    customer_id     TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    channel         TEXT NOT NULL,
    locale          TEXT NOT NULL,
    category        TEXT NOT NULL,
    items           TEXT NOT NULL, -- JSON array of SKUs
    reason_text     TEXT NOT NULL,
    evidence        TEXT NOT NULL, -- JSON array of EvidenceRef
    decision        TEXT NOT NULL, -- JSON CaseDecision
    status          TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX cases_by_order ON cases (order_id, created_at);
  CREATE INDEX cases_by_customer ON cases (customer_id, created_at);
  CREATE INDEX cases_by_conversation ON cases (conversation_id, created_at);

  -- The audit trail is append-only: the triggers refuse any change, whoever asks.
  CREATE TABLE audit_events (
    case_id    TEXT NOT NULL REFERENCES cases (id),
    seq        INTEGER NOT NULL,
    at         INTEGER NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id   TEXT,
    type       TEXT NOT NULL,
    data       TEXT NOT NULL, -- JSON object
    PRIMARY KEY (case_id, seq)
  ) STRICT, WITHOUT ROWID;
  CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
  BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
  CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
  BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;

  -- No foreign key to cases: an escalation may come before (or without) any case.
  CREATE TABLE escalations (
    id              TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL,
    case_id         TEXT,
    order_id        TEXT,
    reason          TEXT NOT NULL,
    locale          TEXT NOT NULL,
    at              INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX escalations_by_conversation ON escalations (conversation_id, at);

  -- The bytes live in DATA_DIR/evidence/<2 hex>/<sha256>; this is their index.
  CREATE TABLE evidence (
    id              TEXT PRIMARY KEY, -- SHA-256 hex of the bytes
    content_type    TEXT NOT NULL,
    size            INTEGER NOT NULL,
    name            TEXT NOT NULL,    -- sanitised name of the first upload
    conversation_id TEXT NOT NULL,    -- conversation of the first upload
    created_at      INTEGER NOT NULL
  ) STRICT, WITHOUT ROWID;
  `,

  // 2: conversation expiry, idempotency keys, rate limits.
  `
  -- When each conversation was last active (created, appended to, a turn committed). A table of
  -- its own rather than a column of conversations: channels whose conversations are never
  -- created through the API still get their transcript and state expired.
  CREATE TABLE conversation_activity (
    conversation_id TEXT PRIMARY KEY,
    last_active_at  INTEGER NOT NULL
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX conversation_activity_by_time ON conversation_activity (last_active_at);
  -- Existing conversations count as active at the upgrade, so it never deletes one at once.
  INSERT INTO conversation_activity (conversation_id, last_active_at)
    SELECT id, CAST(strftime('%s', 'now') AS INTEGER) * 1000 FROM conversations
    UNION
    SELECT DISTINCT conversation_id, CAST(strftime('%s', 'now') AS INTEGER) * 1000 FROM transcript_entries;

  -- The conversation whose turns wrote a state item; it is deleted when that conversation expires.
  ALTER TABLE state ADD COLUMN conversation_id TEXT;
  CREATE INDEX state_by_conversation ON state (conversation_id) WHERE conversation_id IS NOT NULL;

  CREATE TABLE idempotency_keys (
    key        TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX idempotency_keys_by_expiry ON idempotency_keys (expires_at);

  CREATE TABLE rate_limits (
    key       TEXT PRIMARY KEY,
    count     INTEGER NOT NULL,
    resets_at INTEGER NOT NULL
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX rate_limits_by_reset ON rate_limits (resets_at);
  `,

  // 3: the agent desk's index (conversations with people, and their card/thread on the desk).
  `
  CREATE TABLE desk_open (
    conversation_id TEXT PRIMARY KEY,
    entry           TEXT NOT NULL, -- JSON handoff
    opened_at       INTEGER NOT NULL
  ) STRICT, WITHOUT ROWID;
  CREATE TABLE desk_threads (
    conversation_id TEXT PRIMARY KEY,
    channel         TEXT NOT NULL,
    ts              TEXT NOT NULL
  ) STRICT, WITHOUT ROWID;
  CREATE UNIQUE INDEX desk_threads_by_thread ON desk_threads (channel, ts);
  `,

  // 4: a channel's own id of the customer, for channels that message customers proactively.
  `
  ALTER TABLE conversations ADD COLUMN external_id TEXT;
  `,

  // 5: small values shared by every process on this database (SharedValueStore).
  `
  CREATE TABLE shared_values (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX shared_values_by_expiry ON shared_values (expires_at);
  `,

  // 6: the refund outbox: approved cases waiting to be sent to the merchant's refund webhook,
  // written in the same transaction as the approval (RefundOutbox in ports.ts).
  `
  CREATE TABLE refund_outbox (
    case_id   TEXT PRIMARY KEY REFERENCES cases (id),
    due_at    INTEGER NOT NULL, -- next attempt; while leased, when the lease lapses
    attempts  INTEGER NOT NULL, -- attempts started so far (counted when leased)
    lease     TEXT,             -- token of the current lease, NULL when not leased
    queued_at INTEGER NOT NULL  -- when the case was (last) approved
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX refund_outbox_by_due ON refund_outbox (due_at, case_id);
  `,

  // 7: the merchant's figures (src/insight/): reads by period, and conversation summaries that
  // outlive the conversations (written in each turn's transaction, swept after the retention).
  `
  CREATE INDEX cases_by_created ON cases (created_at, id);
  -- Only the kinds listed by period (PERIOD_AUDIT_TYPES in ports.ts).
  CREATE INDEX audit_events_by_time ON audit_events (at, case_id, seq)
    WHERE type IN ('status_changed', 'escalated', 'note');
  CREATE INDEX escalations_by_time ON escalations (at, id);
  -- The conversation's channel, for escalations by channel (NULL on older rows).
  ALTER TABLE escalations ADD COLUMN channel TEXT;

  CREATE TABLE conversation_summaries (
    conversation_id  TEXT NOT NULL,
    started_at       INTEGER NOT NULL,
    channel          TEXT NOT NULL,
    locale           TEXT NOT NULL,
    last_active_at   INTEGER NOT NULL,
    customer_turns   INTEGER NOT NULL,
    awaiting         TEXT,             -- NULL: the latest reply asked nothing
    handed_to_people INTEGER NOT NULL, -- 0 or 1
    has_case         INTEGER NOT NULL, -- 0 or 1
    PRIMARY KEY (conversation_id, started_at)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX conversation_summaries_by_start ON conversation_summaries (started_at, conversation_id);
  `,

  // 8: privacy (issue 10 §5, src/privacy/): which conversations a customer's turns tied to them,
  // each upload of a proof file (a file goes with the last conversation that uploaded it), and
  // the one rewrite the append-only audit trail allows: its anonymisation on erasure.
  `
  CREATE TABLE customer_conversations (
    customer_id     TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    linked_at       INTEGER NOT NULL,
    PRIMARY KEY (customer_id, conversation_id)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX customer_conversations_by_conversation ON customer_conversations (conversation_id);

  CREATE TABLE evidence_uploads (
    conversation_id TEXT NOT NULL,
    evidence_id     TEXT NOT NULL REFERENCES evidence (id),
    name            TEXT NOT NULL, -- this upload's sanitised name
    uploaded_at     INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, evidence_id)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX evidence_uploads_by_evidence ON evidence_uploads (evidence_id);
  -- Files stored before count as uploaded by their first conversation, active at the upgrade,
  -- so the upgrade deletes none at once.
  INSERT INTO evidence_uploads (conversation_id, evidence_id, name, uploaded_at)
    SELECT conversation_id, id, name, created_at FROM evidence;
  INSERT INTO conversation_activity (conversation_id, last_active_at)
    SELECT DISTINCT conversation_id, CAST(strftime('%s', 'now') AS INTEGER) * 1000 FROM evidence WHERE true
    ON CONFLICT (conversation_id) DO NOTHING;

  -- An audit event may be rewritten only into its anonymised form: same case, seq, time, actor
  -- and kind, data marked erased. Deleting stays refused.
  DROP TRIGGER audit_events_no_update;
  CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
  WHEN NEW.case_id IS NOT OLD.case_id OR NEW.seq IS NOT OLD.seq OR NEW.at IS NOT OLD.at
    OR NEW.actor_kind IS NOT OLD.actor_kind OR NEW.actor_id IS NOT OLD.actor_id OR NEW.type IS NOT OLD.type
    OR json_extract(NEW.data, '$.erased') IS NOT 1
  BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
  `,
];
