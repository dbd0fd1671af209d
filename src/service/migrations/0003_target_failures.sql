-- xpost service schema, version 3: retryable failures are counted apart from attempts.
--
-- post_targets.attempts counts every POST /2/tweets (one per thread item, successes included), so it
-- cannot bound retries: a thread longer than XPOST_MAX_ATTEMPTS failed on its first 5xx, and the
-- backoff grew with the thread's length. failures counts the runs that ended in a retryable failure
-- (network errors, 5xx, failed uploads); the attempt limit and the backoff are measured by it.
ALTER TABLE xpost.post_targets
  ADD COLUMN failures integer NOT NULL DEFAULT 0 CONSTRAINT post_targets_failures_check CHECK (failures >= 0);
