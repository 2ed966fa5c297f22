import type { Migration } from "./index.ts";

export const createTasks: Migration = {
  version: 1,
  name: "create tasks",
  sql: `
create table tasks (
  id uuid primary key,
  title text not null,
  description text,
  status text not null default 'created'
    constraint tasks_status_check check (status in ('created', 'running', 'completed', 'failed')),
  attempts integer not null default 0,
  result jsonb,
  error text,
  lease_owner text,
  lease_until timestamptz,
  -- a failed attempt waiting for its retry is not claimable before this time
  run_after timestamptz,
  -- millisecond precision so that the ISO strings the API returns (and cursors carry) are exact
  created_at timestamptz not null default date_trunc('milliseconds', clock_timestamp()),
  updated_at timestamptz not null default date_trunc('milliseconds', clock_timestamp())
);

-- listing, newest first, with and without a status filter (keyset on created_at, id)
create index tasks_list_idx on tasks (created_at desc, id desc);
create index tasks_status_list_idx on tasks (status, created_at desc, id desc);
-- claiming, oldest first: created tasks and running tasks whose lease may have expired
create index tasks_claim_idx on tasks (created_at, id) where status in ('created', 'running');

-- every change reaches the processes listening on agent_tasks, whichever process made it
create function tasks_notify() returns trigger language plpgsql as $$
declare
  payload text := row_to_json(new)::text;
begin
  -- NOTIFY payloads must stay under 8000 bytes: send the id only, listeners read the row
  if octet_length(payload) > 7900 then
    payload := json_build_object('id', new.id, 'truncated', true)::text;
  end if;
  perform pg_notify('agent_tasks', payload);
  return null;
end
$$;

create trigger tasks_notify_insert after insert on tasks
  for each row execute function tasks_notify();

-- lease renewals alone are not changes a client cares about
create trigger tasks_notify_update after update on tasks
  for each row
  when (
    old.status is distinct from new.status
    or old.attempts is distinct from new.attempts
    or old.error is distinct from new.error
    or old.result is distinct from new.result
    or old.title is distinct from new.title
    or old.description is distinct from new.description
  )
  execute function tasks_notify();
`,
};
