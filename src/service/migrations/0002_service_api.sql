-- xpost service schema, version 2: what the HTTP API, the worker and /metrics need beyond version 1.

-- OAuth 2.0 connect (GET /connect/x): the PKCE verifier and the state stay on the server, sealed,
-- single use (deleted when the callback consumes them), and expire after ten minutes.
CREATE TABLE xpost.oauth_states (
  state text PRIMARY KEY,
  code_verifier bytea NOT NULL,
  api_key_id uuid REFERENCES xpost.api_keys (id) ON DELETE CASCADE,
  redirect_to text,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX oauth_states_expiry ON xpost.oauth_states (expires_at);

-- OAuth 1.0a accounts (POST /api/accounts) sign with their app's consumer key and secret: sealed here.
-- post_length_limit: the weighted length X allows this account (280, or 25,000 with Premium), read
-- from users/me when the account is connected. sandbox: connected to the in-process emulator.
ALTER TABLE xpost.accounts
  ADD COLUMN consumer_key bytea,
  ADD COLUMN consumer_secret bytea,
  ADD COLUMN post_length_limit integer NOT NULL DEFAULT 280 CONSTRAINT accounts_post_length_check CHECK (post_length_limit > 0),
  ADD COLUMN sandbox boolean NOT NULL DEFAULT false;

-- Counters every process adds to (X API calls by endpoint and status, upload bytes, publish latency
-- buckets), so /metrics on any `xpost serve` reports the work of all the workers.
-- labels: the Prometheus label set as text, `endpoint="POST /2/tweets",status="201"` ('' for none).
CREATE TABLE xpost.metric_counters (
  name text NOT NULL,
  labels text NOT NULL DEFAULT '',
  value double precision NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (name, labels)
);

-- Media fetched or uploaded: content_type holds the type read from the bytes (never a header or a
-- file name); media_category is X's category for it (tweet_image, tweet_gif, tweet_video).
ALTER TABLE xpost.media ADD COLUMN media_category text;
