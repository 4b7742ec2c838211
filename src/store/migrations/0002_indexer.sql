-- The local indexer's own tables (src/store/indexer.ts). Goldsky Mirror does not write them: a store filled by Mirror
-- has no checkpoint, and the postgres source then takes the head from the newest entity row.

-- Where the indexer stands: every page of entity rows commits in the same transaction as this row.
create table "reservebtc"."indexer_checkpoint" (
  id integer primary key check (id = 1),
  chain_id numeric not null,
  -- The Oracle of the deployment indexed (a redeployment on the same chain needs a new store).
  oracle text not null,
  -- Last block whose logs are all in the tables, its hash and timestamp.
  block_number bigint not null,
  block_hash text not null,
  block_timestamp bigint not null,
  updated_at timestamptz not null default now()
);

-- One row per committed page: its block range and the hash of its last block (reorg detection walks these back).
create table "reservebtc"."indexer_page" (
  from_block bigint primary key,
  to_block bigint not null,
  to_hash text not null,
  -- Whether the page's previous rows are in entity_journal (pages within the reorg window); a reorg can only roll
  -- back journaled pages.
  journaled boolean not null
);

-- The previous version of every mutable entity row a page changed (null: the row did not exist), kept for the
-- pages within the reorg window, so a reorg restores the tables as they were at the common ancestor.
create table "reservebtc"."entity_journal" (
  page_from bigint not null,
  entity text not null,
  id text not null,
  previous jsonb,
  primary key (page_from, entity, id)
);
