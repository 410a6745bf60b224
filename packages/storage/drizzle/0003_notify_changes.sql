-- Inserts now tell listeners which jobs were created and in which state, still in one
-- notification per statement (one per 250 ids, to stay under the 8000-byte payload limit).
-- Workers read it as the same "inserted" wake-up as before.
CREATE OR REPLACE FUNCTION "jobs_notify_inserted"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify(
    'jobs:' || TG_TABLE_SCHEMA,
    json_build_object('type', 'inserted', 'states', json_object_agg(grouped.state, grouped.ids))::text
  )
  FROM (
    SELECT numbered.chunk, numbered.state, json_agg(numbered.id::text) AS ids
    FROM (
      SELECT r.id, r.state, (row_number() OVER () - 1) / 250 AS chunk FROM "inserted_rows" r
    ) numbered
    GROUP BY numbered.chunk, numbered.state
  ) grouped
  GROUP BY grouped.chunk;
  RETURN NULL;
END
$$;
--> statement-breakpoint
DROP TRIGGER "jobs_notify_inserted" ON "jobs";
--> statement-breakpoint
CREATE TRIGGER "jobs_notify_inserted" AFTER INSERT ON "jobs"
  REFERENCING NEW TABLE AS "inserted_rows"
  FOR EACH STATEMENT EXECUTE FUNCTION "jobs_notify_inserted"();
