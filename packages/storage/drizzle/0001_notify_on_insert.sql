-- Wakes idle workers when jobs are inserted: one notification per statement, not per row.
-- The channel carries the schema so that installations sharing a database stay apart.
CREATE OR REPLACE FUNCTION "jobs_notify_inserted"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('jobs:' || TG_TABLE_SCHEMA, '{"type":"inserted"}');
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "jobs_notify_inserted" AFTER INSERT ON "jobs"
  FOR EACH STATEMENT EXECUTE FUNCTION "jobs_notify_inserted"();
