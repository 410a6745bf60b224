-- A connection can turn the change feed off (session setting jobs.change_events = 'off'):
-- its inserts then send only the bare wake-up that workers need, without the created ids.
CREATE OR REPLACE FUNCTION "jobs_notify_inserted"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('jobs.change_events', true) IS NOT DISTINCT FROM 'off' THEN
    PERFORM pg_notify('jobs:' || TG_TABLE_SCHEMA, '{"type":"inserted"}');
    RETURN NULL;
  END IF;
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
