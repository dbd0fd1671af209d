-- xpost service schema, version 1. Plain SQL, run once, in one transaction, by src/service/db/migrate.ts.
-- Every CHECK (... IN (...)) below is the exact text src/service/states.ts builds with checkIn() from
-- its constants; test/service/db/states.test.ts fails when they drift apart.
-- Times the workers compare (run_at, locked_until, reset_at, expires_at) are written from the
-- application's clock, so tests can drive them; created_at/updated_at default to the database's.

CREATE SCHEMA IF NOT EXISTS xpost;

-- API keys: shown once at creation, stored as the SHA-256 of the whole key (hex).
CREATE TABLE xpost.api_keys (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL,
  prefix text NOT NULL,
  hash text NOT NULL UNIQUE CONSTRAINT api_keys_hash_check CHECK (hash ~ '^[0-9a-f]{64}$'),
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);

-- Connected X accounts. Token columns hold ciphertext only (AES-256-GCM, the secrets module).
-- OAuth 2.0: access_token + refresh_token + expires_at. OAuth 1.0a: access_token + token_secret.
CREATE TABLE xpost.accounts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  provider text NOT NULL DEFAULT 'x' CONSTRAINT accounts_provider_check CHECK (provider = 'x'),
  x_user_id text NOT NULL,
  username text NOT NULL,
  auth_kind text NOT NULL CONSTRAINT accounts_auth_kind_check CHECK (auth_kind IN ('oauth2', 'oauth1')),
  access_token bytea NOT NULL,
  refresh_token bytea,
  token_secret bytea,
  scopes text[] NOT NULL DEFAULT '{}',
  expires_at timestamptz,
  needs_reconnect boolean NOT NULL DEFAULT false,
  reconnect_reason text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  CONSTRAINT accounts_oauth1_secret CHECK (auth_kind <> 'oauth1' OR token_secret IS NOT NULL),
  CONSTRAINT accounts_reason_when_reconnect CHECK (needs_reconnect OR reconnect_reason IS NULL)
);
-- One live row per X user; a deleted (forgotten) account may be connected again.
CREATE UNIQUE INDEX accounts_live_x_user ON xpost.accounts (provider, x_user_id) WHERE deleted_at IS NULL;

-- A post as requested: `request` is the normalised request (items of the thread, media, x options).
-- `state` is derived from the targets (states.ts, derivePostState) and written with them.
CREATE TABLE xpost.posts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  api_key_id uuid REFERENCES xpost.api_keys (id) ON DELETE SET NULL,
  body text NOT NULL,
  scheduled_at timestamptz,
  draft boolean NOT NULL DEFAULT false,
  state text NOT NULL CONSTRAINT posts_state_check CHECK (state IN ('draft', 'scheduled', 'processing', 'published', 'partially_published', 'failed', 'cancelled')),
  request jsonb NOT NULL,
  idempotency_key text,
  request_hash text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX posts_list ON xpost.posts (created_at DESC, id DESC);
CREATE INDEX posts_state ON xpost.posts (state, created_at DESC);

-- One post on one account: the unit a worker claims and publishes.
-- Invariant: x_post_ids holds the X ids of thread items 0 .. next_item-1, in order.
-- A worker holds an uploading/publishing target under a lease (locked_by, locked_until); routes
-- change an unheld target with an optimistic check on `version`. Every update bumps `version`.
CREATE TABLE xpost.post_targets (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  post_id uuid NOT NULL REFERENCES xpost.posts (id) ON DELETE CASCADE,
  account_id uuid NOT NULL REFERENCES xpost.accounts (id),
  state text NOT NULL CONSTRAINT post_targets_state_check CHECK (state IN ('draft', 'scheduled', 'queued', 'uploading', 'publishing', 'published', 'failed', 'cancelled')),
  run_at timestamptz NOT NULL,
  media_pending boolean NOT NULL DEFAULT false,
  x_post_ids text[] NOT NULL DEFAULT '{}',
  next_item integer NOT NULL DEFAULT 0,
  attempts integer NOT NULL DEFAULT 0 CONSTRAINT post_targets_attempts_check CHECK (attempts >= 0),
  error_code text,
  error_detail text,
  error_retryable boolean,
  published_at timestamptz,
  x_deleted_at timestamptz,
  locked_by text,
  locked_until timestamptz,
  version integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT post_targets_one_per_account UNIQUE (post_id, account_id),
  CONSTRAINT post_targets_items CHECK (next_item = cardinality(x_post_ids)),
  CONSTRAINT post_targets_published_at CHECK (state <> 'published' OR (published_at IS NOT NULL AND next_item > 0)),
  CONSTRAINT post_targets_lease CHECK ((locked_by IS NULL) = (locked_until IS NULL))
);
-- Due work: scheduled/queued targets by run_at, and expired leases of held ones.
CREATE INDEX post_targets_due ON xpost.post_targets (run_at, id) WHERE state IN ('scheduled', 'queued');
CREATE INDEX post_targets_leases ON xpost.post_targets (locked_until) WHERE state IN ('uploading', 'publishing');
CREATE INDEX post_targets_account ON xpost.post_targets (account_id, state);
CREATE INDEX post_targets_post ON xpost.post_targets (post_id);

-- One POST /2/tweets, committed BEFORE the request is sent (exactly-once, DESIGN). outcome NULL
-- means in flight, or the worker died during it; NULL and 'unknown' must be reconciled with the
-- account's posts on X before anything is sent again, which the first unique index enforces.
CREATE TABLE xpost.publish_attempts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  target_id uuid NOT NULL REFERENCES xpost.post_targets (id) ON DELETE CASCADE,
  item_index integer NOT NULL CONSTRAINT publish_attempts_item_check CHECK (item_index >= 0),
  text_sent text NOT NULL,
  worker_id text,
  started_at timestamptz NOT NULL,
  finished_at timestamptz,
  outcome text CONSTRAINT publish_attempts_outcome_check CHECK (outcome IN ('sent', 'failed', 'unknown', 'reconciled')),
  x_post_id text,
  error_code text,
  error_detail text,
  CONSTRAINT publish_attempts_finished CHECK ((outcome IS NULL) = (finished_at IS NULL)),
  CONSTRAINT publish_attempts_post_id CHECK (outcome NOT IN ('sent', 'reconciled') OR x_post_id IS NOT NULL)
);
CREATE UNIQUE INDEX publish_attempts_one_open ON xpost.publish_attempts (target_id)
  WHERE outcome IS NULL OR outcome = 'unknown';
CREATE UNIQUE INDEX publish_attempts_item_once ON xpost.publish_attempts (target_id, item_index)
  WHERE outcome IN ('sent', 'reconciled');
CREATE INDEX publish_attempts_target ON xpost.publish_attempts (target_id, started_at);

-- Media given to the service: fetched from a URL or uploaded (POST /api/media) to a local path.
CREATE TABLE xpost.media (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  api_key_id uuid REFERENCES xpost.api_keys (id) ON DELETE SET NULL,
  source_url text,
  local_path text,
  content_type text,
  size_bytes bigint CONSTRAINT media_size_check CHECK (size_bytes >= 0),
  sha256 text CONSTRAINT media_sha256_check CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  alt_text text,
  state text NOT NULL DEFAULT 'pending' CONSTRAINT media_state_check CHECK (state IN ('pending', 'fetching', 'ready', 'failed')),
  error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT media_source CHECK (source_url IS NOT NULL OR local_path IS NOT NULL)
);

-- The X media id of a media item, per account (media ids belong to the uploading user and expire).
CREATE TABLE xpost.media_uploads (
  media_id uuid NOT NULL REFERENCES xpost.media (id) ON DELETE CASCADE,
  account_id uuid NOT NULL REFERENCES xpost.accounts (id) ON DELETE CASCADE,
  x_media_id text NOT NULL,
  expires_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (media_id, account_id)
);

-- The SDK's UploadJournal, shared by workers so one can resume another's upload.
CREATE TABLE xpost.upload_journals (
  key text PRIMARY KEY,
  entry jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Rate limits last seen, per subject ('app', or an account id) and endpoint ('POST /2/tweets').
CREATE TABLE xpost.rate_limits (
  subject text NOT NULL,
  endpoint text NOT NULL,
  request_limit integer,
  remaining integer,
  reset_at timestamptz,
  daily_limit integer,
  daily_remaining integer,
  daily_reset_at timestamptz,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (subject, endpoint)
);

CREATE TABLE xpost.webhooks (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  api_key_id uuid REFERENCES xpost.api_keys (id) ON DELETE SET NULL,
  url text NOT NULL,
  secret bytea NOT NULL,
  events text[] NOT NULL CONSTRAINT webhooks_events_check CHECK (cardinality(events) > 0 AND events <@ ARRAY['post.published', 'post.failed', 'post.retrying']::text[]),
  created_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz
);

CREATE TABLE xpost.webhook_deliveries (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  webhook_id uuid NOT NULL REFERENCES xpost.webhooks (id) ON DELETE CASCADE,
  event text NOT NULL CONSTRAINT webhook_deliveries_event_check CHECK (event IN ('post.published', 'post.failed', 'post.retrying')),
  payload jsonb NOT NULL,
  attempt integer NOT NULL DEFAULT 0,
  status text NOT NULL DEFAULT 'pending' CONSTRAINT webhook_deliveries_status_check CHECK (status IN ('pending', 'delivered', 'failed')),
  response_code integer,
  error text,
  next_attempt_at timestamptz,
  delivered_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT webhook_deliveries_due CHECK (status <> 'pending' OR next_attempt_at IS NOT NULL)
);
CREATE INDEX webhook_deliveries_due ON xpost.webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_list ON xpost.webhook_deliveries (webhook_id, created_at DESC);

-- Idempotency-Key: the first request with a key owns it (owner_token) until it stores its response;
-- the same key and body within 24 h replays it, another body is a conflict. Unique per API key.
CREATE TABLE xpost.idempotency_keys (
  api_key_id uuid NOT NULL REFERENCES xpost.api_keys (id) ON DELETE CASCADE,
  key text NOT NULL,
  request_hash text NOT NULL,
  owner_token text NOT NULL,
  response_status integer,
  response_body jsonb,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (api_key_id, key)
);
CREATE INDEX idempotency_keys_expiry ON xpost.idempotency_keys (expires_at);
