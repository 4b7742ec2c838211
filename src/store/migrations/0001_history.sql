-- GENERATED from subgraph/schema.graphql by renderHistoryDdl (src/store/schema.ts): the tables Goldsky Mirror
-- writes from the subgraph's entities. Do not edit an applied migration: add a new one.
create schema if not exists "reservebtc";

-- User (mutable aggregate)
create table "reservebtc"."user" (
  "id" text primary key,
  "free_sats" numeric not null,
  "escrow_sats" numeric not null,
  "backed_sats" numeric not null,
  "wrbtc_sats" numeric not null,
  "uncovered_sats" numeric not null,
  "attested_sats" numeric not null,
  "fee_balance_wei" numeric not null,
  "sequence" numeric not null,
  "btc_height" numeric not null,
  "last_sync_block" numeric,
  "last_sync_timestamp" numeric,
  "last_sync_btc_block_hash" text,
  "deferred_sats" numeric not null,
  "last_sync" text,
  "last_top_up_request" text,
  "queued_sats" numeric not null,
  "queued_ready_at" numeric,
  "binding_count" integer not null,
  "sync_count" integer not null,
  "first_seen_block" numeric not null,
  "sync_frozen" boolean not null,
  "account_frozen" boolean not null,
  vid bigserial,
  block_range int4range
);

-- BitcoinAddress (mutable aggregate)
create table "reservebtc"."bitcoin_address" (
  "id" text primary key,
  "address" text not null,
  "user" text not null,
  "status" text not null,
  "proof_digest" text not null,
  "nonce" numeric not null,
  "bound_at_block" numeric not null,
  "bound_at_timestamp" numeric not null,
  "unbound_at_block" numeric,
  "bind_count" integer not null,
  vid bigserial,
  block_range int4range
);
create index "bitcoin_address_user_idx" on "reservebtc"."bitcoin_address" ("user");
create index "bitcoin_address_status_user_idx" on "reservebtc"."bitcoin_address" (status, "user", address);

-- Committee (mutable aggregate)
create table "reservebtc"."committee" (
  "id" text primary key,
  "epoch" numeric not null,
  "operators" text[] not null,
  "threshold" integer not null,
  "size" integer not null,
  "active" boolean not null,
  "created_at_block" numeric not null,
  "created_at_timestamp" numeric not null,
  "replaced_at_block" numeric,
  vid bigserial,
  block_range int4range
);

-- RoleMember (mutable aggregate)
create table "reservebtc"."role_member" (
  "id" text primary key,
  "contract" text not null,
  "contract_name" text not null,
  "role" text not null,
  "role_name" text not null,
  "account" text not null,
  "active" boolean not null,
  "updated_at_block" numeric not null,
  vid bigserial,
  block_range int4range
);

-- ReserveState (mutable aggregate)
create table "reservebtc"."reserve_state" (
  "id" text primary key,
  "rbtc_free_supply_sats" numeric not null,
  "rbtc_escrow_supply_sats" numeric not null,
  "rbtc_supply_sats" numeric not null,
  "wrbtc_supply_sats" numeric not null,
  "uncovered_sats" numeric not null,
  "total_retired_sats" numeric not null,
  "total_covered_sats" numeric not null,
  "total_attested_sats" numeric not null,
  "total_queued_sats" numeric not null,
  "total_deferred_sats" numeric not null,
  "total_minted_sats" numeric not null,
  "total_burned_sats" numeric not null,
  "total_slashed_sats" numeric not null,
  "fee_deposits_wei" numeric not null,
  "accrued_fees_wei" numeric not null,
  "total_fees_spent_wei" numeric not null,
  "total_fees_swept_wei" numeric not null,
  "treasury" text,
  "user_count" integer not null,
  "bound_address_count" integer not null,
  "sync_count" integer not null,
  "reorg_count" integer not null,
  "highest_btc_height" numeric not null,
  "last_sync_block" numeric,
  "last_sync_timestamp" numeric,
  "committee" text,
  "committee_epoch" numeric not null,
  "threshold" integer not null,
  "committee_size" integer not null,
  "min_confirmations" integer not null,
  "mint_window_seconds" numeric not null,
  "user_mint_cap_sats" numeric not null,
  "global_mint_cap_sats" numeric not null,
  "mint_delay_seconds" numeric not null,
  "max_report_validity_seconds" numeric not null,
  "max_btc_height_lag" numeric not null,
  "fee_bps" integer not null,
  "wei_per_sat" numeric not null,
  "fixed_fee_wei" numeric not null,
  "max_fee_wei" numeric not null,
  "oracle_paused" boolean not null,
  "wrbtc_paused" boolean not null,
  "rbtc" text,
  "wrbtc" text,
  "fee_vault" text,
  "fee_policy" text,
  "oracle" text,
  "dispute_manager" text,
  "proof_of_reserves" text,
  "balance_hook" text,
  "fee_grace_period_seconds" numeric not null,
  "emergency_burn_count" integer not null,
  "dispute_count" integer not null,
  "open_dispute_count" integer not null,
  "upheld_dispute_count" integer not null,
  "rejected_dispute_count" integer not null,
  "expired_dispute_count" integer not null,
  "max_round_age_seconds" numeric not null,
  "reserve_round" numeric,
  "reserve_merkle_root" text,
  "reserve_attested_sats" numeric not null,
  "reserve_btc_height" numeric,
  "updated_at_block" numeric not null,
  vid bigserial,
  block_range int4range
);

-- ReserveDaySnapshot (mutable aggregate)
create table "reservebtc"."reserve_day_snapshot" (
  "id" text primary key,
  "day" integer not null,
  "day_start_timestamp" numeric not null,
  "rbtc_supply_sats" numeric not null,
  "rbtc_escrow_supply_sats" numeric not null,
  "wrbtc_supply_sats" numeric not null,
  "uncovered_sats" numeric not null,
  "total_attested_sats" numeric not null,
  "fee_deposits_wei" numeric not null,
  "minted_sats" numeric not null,
  "burned_sats" numeric not null,
  "wrapped_sats" numeric not null,
  "redeemed_sats" numeric not null,
  "slashed_sats" numeric not null,
  "fees_spent_wei" numeric not null,
  "sync_count" integer not null,
  vid bigserial,
  block_range int4range
);

-- UserDaySnapshot (mutable aggregate)
create table "reservebtc"."user_day_snapshot" (
  "id" text primary key,
  "user" text not null,
  "day" integer not null,
  "free_sats" numeric not null,
  "escrow_sats" numeric not null,
  "wrbtc_sats" numeric not null,
  "attested_sats" numeric not null,
  "fee_balance_wei" numeric not null,
  vid bigserial,
  block_range int4range
);
create index "user_day_snapshot_user_idx" on "reservebtc"."user_day_snapshot" ("user");

-- Sync (immutable event record)
create table "reservebtc"."sync" (
  "id" text primary key,
  "user" text not null,
  "previous_sats" numeric not null,
  "new_total_sats" numeric not null,
  "delta_sats" numeric not null,
  "btc_height" numeric not null,
  "btc_block_hash" text not null,
  "sequence" numeric not null,
  "contract" text not null,
  "block_number" numeric not null,
  "block_timestamp" numeric not null,
  "transaction_hash" text not null,
  "log_index" numeric not null,
  vid bigserial,
  block_range int4range
);
create index "sync_user_block_idx" on "reservebtc"."sync" ("user", block_number desc, log_index desc);
create index "sync_block_idx" on "reservebtc"."sync" (block_number);
create index "sync_time_idx" on "reservebtc"."sync" (block_timestamp);

-- TopUpRequest (immutable event record)
create table "reservebtc"."top_up_request" (
  "id" text primary key,
  "user" text not null,
  "deferred_sats" numeric not null,
  "fee_wei" numeric not null,
  "balance_wei" numeric not null,
  "contract" text not null,
  "block_number" numeric not null,
  "block_timestamp" numeric not null,
  "transaction_hash" text not null,
  "log_index" numeric not null,
  vid bigserial,
  block_range int4range
);
create index "top_up_request_user_block_idx" on "reservebtc"."top_up_request" ("user", block_number desc, log_index desc);
create index "top_up_request_block_idx" on "reservebtc"."top_up_request" (block_number);
create index "top_up_request_time_idx" on "reservebtc"."top_up_request" (block_timestamp);

-- MintQueueEvent (immutable event record)
create table "reservebtc"."mint_queue_event" (
  "id" text primary key,
  "action" text not null,
  "user" text not null,
  "amount_sats" numeric not null,
  "ready_at" numeric,
  "guardian" text,
  "contract" text not null,
  "block_number" numeric not null,
  "block_timestamp" numeric not null,
  "transaction_hash" text not null,
  "log_index" numeric not null,
  vid bigserial,
  block_range int4range
);
create index "mint_queue_event_user_block_idx" on "reservebtc"."mint_queue_event" ("user", block_number desc, log_index desc);
create index "mint_queue_event_block_idx" on "reservebtc"."mint_queue_event" (block_number);
create index "mint_queue_event_time_idx" on "reservebtc"."mint_queue_event" (block_timestamp);

-- CommitteeChange (immutable event record)
create table "reservebtc"."committee_change" (
  "id" text primary key,
  "committee" text not null,
  "epoch" numeric not null,
  "operators" text[] not null,
  "threshold" integer not null,
  "contract" text not null,
  "block_number" numeric not null,
  "block_timestamp" numeric not null,
  "transaction_hash" text not null,
  "log_index" numeric not null,
  vid bigserial,
  block_range int4range
);
create index "committee_change_block_idx" on "reservebtc"."committee_change" (block_number);
create index "committee_change_time_idx" on "reservebtc"."committee_change" (block_timestamp);

-- AnchorReplacement (immutable event record)
create table "reservebtc"."anchor_replacement" (
  "id" text primary key,
  "btc_height" numeric not null,
  "previous_hash" text not null,
  "new_hash" text not null,
  "contract" text not null,
  "block_number" numeric not null,
  "block_timestamp" numeric not null,
  "transaction_hash" text not null,
  "log_index" numeric not null,
  vid bigserial,
  block_range int4range
);
create index "anchor_replacement_block_idx" on "reservebtc"."anchor_replacement" (block_number);
create index "anchor_replacement_time_idx" on "reservebtc"."anchor_replacement" (block_timestamp);

-- AddressBinding (immutable event record)
create table "reservebtc"."address_binding" (
  "id" text primary key,
  "action" text not null,
  "user" text not null,
  "btc_address" text not null,
  "address" text not null,
  "proof_digest" text,
  "nonce" numeric,
  "contract" text not null,
  "block_number" numeric not null,
  "block_timestamp" numeric not null,
  "transaction_hash" text not null,
  "log_index" numeric not null,
  vid bigserial,
  block_range int4range
);
create index "address_binding_user_block_idx" on "reservebtc"."address_binding" ("user", block_number desc, log_index desc);
create index "address_binding_block_idx" on "reservebtc"."address_binding" (block_number);
create index "address_binding_time_idx" on "reservebtc"."address_binding" (block_timestamp);

-- OracleConfigChange (immutable event record)
create table "reservebtc"."oracle_config_change" (
  "id" text primary key,
  "kind" text not null,
  "mint_window_seconds" numeric,
  "user_mint_cap_sats" numeric,
  "global_mint_cap_sats" numeric,
  "mint_delay_seconds" numeric,
  "max_report_validity_seconds" numeric,
  "max_btc_height_lag" numeric,
  "min_confirmations" integer,
  "fee_grace_period_seconds" numeric,
  "balance_hook" text,
  "max_round_age_seconds" numeric,
  "contract" text not null,
  "block_number" numeric not null,
  "block_timestamp" numeric not null,
  "transaction_hash" text not null,
  "log_index" numeric not null,
  vid bigserial,
  block_range int4range
);
create index "oracle_config_change_block_idx" on "reservebtc"."oracle_config_change" (block_number);
create index "oracle_config_change_time_idx" on "reservebtc"."oracle_config_change" (block_timestamp);

-- Mint (immutable event record)
create table "reservebtc"."mint" (
  "id" text primary key,
  "user" text not null,
  "amount_sats" numeric not null,
  "contract" text not null,
  "block_number" numeric not null,
  "block_timestamp" numeric not null,
  "transaction_hash" text not null,
  "log_index" numeric not null,
  vid bigserial,
  block_range int4range
);
create index "mint_user_block_idx" on "reservebtc"."mint" ("user", block_number desc, log_index desc);
create index "mint_block_idx" on "reservebtc"."mint" (block_number);
create index "mint_time_idx" on "reservebtc"."mint" (block_timestamp);

-- Burn (immutable event record)
create table "reservebtc"."burn" (
  "id" text primary key,
  "user" text not null,
  "free_sats" numeric not null,
  "escrow_sats" numeric not null,
  "total_sats" numeric not null,
  "contract" text not null,
  "block_number" numeric not null,
  "block_timestamp" numeric not null,
  "transaction_hash" text not null,
  "log_index" numeric not null,
  vid bigserial,
  block_range int4range
);
create index "burn_user_block_idx" on "reservebtc"."burn" ("user", block_number desc, log_index desc);
create index "burn_block_idx" on "reservebtc"."burn" (block_number);
create index "burn_time_idx" on "reservebtc"."burn" (block_timestamp);

-- EscrowMove (immutable event record)
create table "reservebtc"."escrow_move" (
  "id" text primary key,
  "user" text not null,
  "direction" text not null,
  "amount_sats" numeric not null,
  "contract" text not null,
  "block_number" numeric not null,
  "block_timestamp" numeric not null,
  "transaction_hash" text not null,
  "log_index" numeric not null,
  vid bigserial,
  block_range int4range
);
create index "escrow_move_user_block_idx" on "reservebtc"."escrow_move" ("user", block_number desc, log_index desc);
create index "escrow_move_block_idx" on "reservebtc"."escrow_move" (block_number);
create index "escrow_move_time_idx" on "reservebtc"."escrow_move" (block_timestamp);

-- TokenTransfer (immutable event record)
create table "reservebtc"."token_transfer" (
  "id" text primary key,
  "token" text not null,
  "from" text not null,
  "to" text not null,
  "value_sats" numeric not null,
  "contract" text not null,
  "block_number" numeric not null,
  "block_timestamp" numeric not null,
  "transaction_hash" text not null,
  "log_index" numeric not null,
  vid bigserial,
  block_range int4range
);
create index "token_transfer_block_idx" on "reservebtc"."token_transfer" (block_number);
create index "token_transfer_time_idx" on "reservebtc"."token_transfer" (block_timestamp);

-- Wrap (immutable event record)
create table "reservebtc"."wrap" (
  "id" text primary key,
  "user" text not null,
  "amount_sats" numeric not null,
  "contract" text not null,
  "block_number" numeric not null,
  "block_timestamp" numeric not null,
  "transaction_hash" text not null,
  "log_index" numeric not null,
  vid bigserial,
  block_range int4range
);
create index "wrap_user_block_idx" on "reservebtc"."wrap" ("user", block_number desc, log_index desc);
create index "wrap_block_idx" on "reservebtc"."wrap" (block_number);
create index "wrap_time_idx" on "reservebtc"."wrap" (block_timestamp);

-- Redeem (immutable event record)
create table "reservebtc"."redeem" (
  "id" text primary key,
  "user" text not null,
  "amount_sats" numeric not null,
  "contract" text not null,
  "block_number" numeric not null,
  "block_timestamp" numeric not null,
  "transaction_hash" text not null,
  "log_index" numeric not null,
  vid bigserial,
  block_range int4range
);
create index "redeem_user_block_idx" on "reservebtc"."redeem" ("user", block_number desc, log_index desc);
create index "redeem_block_idx" on "reservebtc"."redeem" (block_number);
create index "redeem_time_idx" on "reservebtc"."redeem" (block_timestamp);

-- DeficitReduction (immutable event record)
create table "reservebtc"."deficit_reduction" (
  "id" text primary key,
  "kind" text not null,
  "caller" text not null,
  "user" text not null,
  "amount_sats" numeric not null,
  "contract" text not null,
  "block_number" numeric not null,
  "block_timestamp" numeric not null,
  "transaction_hash" text not null,
  "log_index" numeric not null,
  vid bigserial,
  block_range int4range
);
create index "deficit_reduction_user_block_idx" on "reservebtc"."deficit_reduction" ("user", block_number desc, log_index desc);
create index "deficit_reduction_block_idx" on "reservebtc"."deficit_reduction" (block_number);
create index "deficit_reduction_time_idx" on "reservebtc"."deficit_reduction" (block_timestamp);

-- Slash (immutable event record)
create table "reservebtc"."slash" (
  "id" text primary key,
  "user" text not null,
  "requested_sats" numeric not null,
  "slashed_sats" numeric not null,
  "uncovered_sats" numeric not null,
  "contract" text not null,
  "block_number" numeric not null,
  "block_timestamp" numeric not null,
  "transaction_hash" text not null,
  "log_index" numeric not null,
  vid bigserial,
  block_range int4range
);
create index "slash_user_block_idx" on "reservebtc"."slash" ("user", block_number desc, log_index desc);
create index "slash_block_idx" on "reservebtc"."slash" (block_number);
create index "slash_time_idx" on "reservebtc"."slash" (block_timestamp);

-- TokenApproval (immutable event record)
create table "reservebtc"."token_approval" (
  "id" text primary key,
  "owner" text not null,
  "spender" text not null,
  "value" numeric not null,
  "contract" text not null,
  "block_number" numeric not null,
  "block_timestamp" numeric not null,
  "transaction_hash" text not null,
  "log_index" numeric not null,
  vid bigserial,
  block_range int4range
);
create index "token_approval_block_idx" on "reservebtc"."token_approval" (block_number);
create index "token_approval_time_idx" on "reservebtc"."token_approval" (block_timestamp);

-- FeeDeposit (immutable event record)
create table "reservebtc"."fee_deposit" (
  "id" text primary key,
  "user" text not null,
  "from" text not null,
  "amount_wei" numeric not null,
  "contract" text not null,
  "block_number" numeric not null,
  "block_timestamp" numeric not null,
  "transaction_hash" text not null,
  "log_index" numeric not null,
  vid bigserial,
  block_range int4range
);
create index "fee_deposit_user_block_idx" on "reservebtc"."fee_deposit" ("user", block_number desc, log_index desc);
create index "fee_deposit_block_idx" on "reservebtc"."fee_deposit" (block_number);
create index "fee_deposit_time_idx" on "reservebtc"."fee_deposit" (block_timestamp);

-- FeeWithdrawal (immutable event record)
create table "reservebtc"."fee_withdrawal" (
  "id" text primary key,
  "user" text not null,
  "amount_wei" numeric not null,
  "contract" text not null,
  "block_number" numeric not null,
  "block_timestamp" numeric not null,
  "transaction_hash" text not null,
  "log_index" numeric not null,
  vid bigserial,
  block_range int4range
);
create index "fee_withdrawal_user_block_idx" on "reservebtc"."fee_withdrawal" ("user", block_number desc, log_index desc);
create index "fee_withdrawal_block_idx" on "reservebtc"."fee_withdrawal" (block_number);
create index "fee_withdrawal_time_idx" on "reservebtc"."fee_withdrawal" (block_timestamp);

-- FeeSpend (immutable event record)
create table "reservebtc"."fee_spend" (
  "id" text primary key,
  "user" text not null,
  "amount_wei" numeric not null,
  "contract" text not null,
  "block_number" numeric not null,
  "block_timestamp" numeric not null,
  "transaction_hash" text not null,
  "log_index" numeric not null,
  vid bigserial,
  block_range int4range
);
create index "fee_spend_user_block_idx" on "reservebtc"."fee_spend" ("user", block_number desc, log_index desc);
create index "fee_spend_block_idx" on "reservebtc"."fee_spend" (block_number);
create index "fee_spend_time_idx" on "reservebtc"."fee_spend" (block_timestamp);

-- FeeSweep (immutable event record)
create table "reservebtc"."fee_sweep" (
  "id" text primary key,
  "treasury" text not null,
  "amount_wei" numeric not null,
  "contract" text not null,
  "block_number" numeric not null,
  "block_timestamp" numeric not null,
  "transaction_hash" text not null,
  "log_index" numeric not null,
  vid bigserial,
  block_range int4range
);
create index "fee_sweep_block_idx" on "reservebtc"."fee_sweep" (block_number);
create index "fee_sweep_time_idx" on "reservebtc"."fee_sweep" (block_timestamp);

-- TreasuryChange (immutable event record)
create table "reservebtc"."treasury_change" (
  "id" text primary key,
  "previous_treasury" text not null,
  "new_treasury" text not null,
  "contract" text not null,
  "block_number" numeric not null,
  "block_timestamp" numeric not null,
  "transaction_hash" text not null,
  "log_index" numeric not null,
  vid bigserial,
  block_range int4range
);
create index "treasury_change_block_idx" on "reservebtc"."treasury_change" (block_number);
create index "treasury_change_time_idx" on "reservebtc"."treasury_change" (block_timestamp);

-- FeePolicyChange (immutable event record)
create table "reservebtc"."fee_policy_change" (
  "id" text primary key,
  "fee_bps" integer not null,
  "wei_per_sat" numeric not null,
  "fixed_fee_wei" numeric not null,
  "max_fee_wei" numeric not null,
  "contract" text not null,
  "block_number" numeric not null,
  "block_timestamp" numeric not null,
  "transaction_hash" text not null,
  "log_index" numeric not null,
  vid bigserial,
  block_range int4range
);
create index "fee_policy_change_block_idx" on "reservebtc"."fee_policy_change" (block_number);
create index "fee_policy_change_time_idx" on "reservebtc"."fee_policy_change" (block_timestamp);

-- Wiring (immutable event record)
create table "reservebtc"."wiring" (
  "id" text primary key,
  "kind" text not null,
  "oracle" text,
  "reserves" text,
  "dispute_manager" text,
  "vault" text,
  "contract" text not null,
  "block_number" numeric not null,
  "block_timestamp" numeric not null,
  "transaction_hash" text not null,
  "log_index" numeric not null,
  vid bigserial,
  block_range int4range
);
create index "wiring_block_idx" on "reservebtc"."wiring" (block_number);
create index "wiring_time_idx" on "reservebtc"."wiring" (block_timestamp);

-- RoleChange (immutable event record)
create table "reservebtc"."role_change" (
  "id" text primary key,
  "kind" text not null,
  "contract_name" text not null,
  "role" text not null,
  "role_name" text not null,
  "account" text,
  "sender" text,
  "previous_admin_role" text,
  "new_admin_role" text,
  "contract" text not null,
  "block_number" numeric not null,
  "block_timestamp" numeric not null,
  "transaction_hash" text not null,
  "log_index" numeric not null,
  vid bigserial,
  block_range int4range
);
create index "role_change_block_idx" on "reservebtc"."role_change" (block_number);
create index "role_change_time_idx" on "reservebtc"."role_change" (block_timestamp);

-- DefaultAdminChange (immutable event record)
create table "reservebtc"."default_admin_change" (
  "id" text primary key,
  "kind" text not null,
  "contract_name" text not null,
  "new_admin" text,
  "accept_schedule" numeric,
  "new_delay_seconds" numeric,
  "effect_schedule" numeric,
  "contract" text not null,
  "block_number" numeric not null,
  "block_timestamp" numeric not null,
  "transaction_hash" text not null,
  "log_index" numeric not null,
  vid bigserial,
  block_range int4range
);
create index "default_admin_change_block_idx" on "reservebtc"."default_admin_change" (block_number);
create index "default_admin_change_time_idx" on "reservebtc"."default_admin_change" (block_timestamp);

-- PauseChange (immutable event record)
create table "reservebtc"."pause_change" (
  "id" text primary key,
  "contract_name" text not null,
  "paused" boolean not null,
  "account" text not null,
  "contract" text not null,
  "block_number" numeric not null,
  "block_timestamp" numeric not null,
  "transaction_hash" text not null,
  "log_index" numeric not null,
  vid bigserial,
  block_range int4range
);
create index "pause_change_block_idx" on "reservebtc"."pause_change" (block_number);
create index "pause_change_time_idx" on "reservebtc"."pause_change" (block_timestamp);

-- DomainChange (immutable event record)
create table "reservebtc"."domain_change" (
  "id" text primary key,
  "contract_name" text not null,
  "contract" text not null,
  "block_number" numeric not null,
  "block_timestamp" numeric not null,
  "transaction_hash" text not null,
  "log_index" numeric not null,
  vid bigserial,
  block_range int4range
);
create index "domain_change_block_idx" on "reservebtc"."domain_change" (block_number);
create index "domain_change_time_idx" on "reservebtc"."domain_change" (block_timestamp);

-- EmergencyBurn (immutable event record)
create table "reservebtc"."emergency_burn" (
  "id" text primary key,
  "user" text not null,
  "amount_sats" numeric not null,
  "reason" text not null,
  "contract" text not null,
  "block_number" numeric not null,
  "block_timestamp" numeric not null,
  "transaction_hash" text not null,
  "log_index" numeric not null,
  vid bigserial,
  block_range int4range
);
create index "emergency_burn_user_block_idx" on "reservebtc"."emergency_burn" ("user", block_number desc, log_index desc);
create index "emergency_burn_block_idx" on "reservebtc"."emergency_burn" (block_number);
create index "emergency_burn_time_idx" on "reservebtc"."emergency_burn" (block_timestamp);

-- ReportSkip (immutable event record)
create table "reservebtc"."report_skip" (
  "id" text primary key,
  "user" text not null,
  "sequence" numeric not null,
  "reason" integer not null,
  "reason_name" text not null,
  "contract" text not null,
  "block_number" numeric not null,
  "block_timestamp" numeric not null,
  "transaction_hash" text not null,
  "log_index" numeric not null,
  vid bigserial,
  block_range int4range
);
create index "report_skip_user_block_idx" on "reservebtc"."report_skip" ("user", block_number desc, log_index desc);
create index "report_skip_block_idx" on "reservebtc"."report_skip" (block_number);
create index "report_skip_time_idx" on "reservebtc"."report_skip" (block_timestamp);

-- OracleUserNotice (immutable event record)
create table "reservebtc"."oracle_user_notice" (
  "id" text primary key,
  "user" text not null,
  "kind" text not null,
  "previous_sats" numeric,
  "resolved_sats" numeric,
  "contract" text not null,
  "block_number" numeric not null,
  "block_timestamp" numeric not null,
  "transaction_hash" text not null,
  "log_index" numeric not null,
  vid bigserial,
  block_range int4range
);
create index "oracle_user_notice_user_block_idx" on "reservebtc"."oracle_user_notice" ("user", block_number desc, log_index desc);
create index "oracle_user_notice_block_idx" on "reservebtc"."oracle_user_notice" (block_number);
create index "oracle_user_notice_time_idx" on "reservebtc"."oracle_user_notice" (block_timestamp);

-- PositionResetEvent (immutable event record)
create table "reservebtc"."position_reset_event" (
  "id" text primary key,
  "user" text not null,
  "previous_sats" numeric not null,
  "new_total_sats" numeric not null,
  "dropped_queued_sats" numeric not null,
  "dropped_deferred_sats" numeric not null,
  "reason" text not null,
  "contract" text not null,
  "block_number" numeric not null,
  "block_timestamp" numeric not null,
  "transaction_hash" text not null,
  "log_index" numeric not null,
  vid bigserial,
  block_range int4range
);
create index "position_reset_event_user_block_idx" on "reservebtc"."position_reset_event" ("user", block_number desc, log_index desc);
create index "position_reset_event_block_idx" on "reservebtc"."position_reset_event" (block_number);
create index "position_reset_event_time_idx" on "reservebtc"."position_reset_event" (block_timestamp);

-- SequenceConsumption (immutable event record)
create table "reservebtc"."sequence_consumption" (
  "id" text primary key,
  "user" text not null,
  "sequence" numeric not null,
  "cause" text not null,
  "contract" text not null,
  "block_number" numeric not null,
  "block_timestamp" numeric not null,
  "transaction_hash" text not null,
  "log_index" numeric not null,
  vid bigserial,
  block_range int4range
);
create index "sequence_consumption_user_block_idx" on "reservebtc"."sequence_consumption" ("user", block_number desc, log_index desc);
create index "sequence_consumption_block_idx" on "reservebtc"."sequence_consumption" (block_number);
create index "sequence_consumption_time_idx" on "reservebtc"."sequence_consumption" (block_timestamp);

-- AccountFreezeChange (immutable event record)
create table "reservebtc"."account_freeze_change" (
  "id" text primary key,
  "user" text not null,
  "frozen" boolean not null,
  "contract" text not null,
  "block_number" numeric not null,
  "block_timestamp" numeric not null,
  "transaction_hash" text not null,
  "log_index" numeric not null,
  vid bigserial,
  block_range int4range
);
create index "account_freeze_change_user_block_idx" on "reservebtc"."account_freeze_change" ("user", block_number desc, log_index desc);
create index "account_freeze_change_block_idx" on "reservebtc"."account_freeze_change" (block_number);
create index "account_freeze_change_time_idx" on "reservebtc"."account_freeze_change" (block_timestamp);

-- ReserveHistoryPoint (mutable aggregate)
create table "reservebtc"."reserve_history_point" (
  "id" text primary key,
  "block_number" numeric not null,
  "block_timestamp" numeric not null,
  "attested_sats" numeric not null,
  "claims_sats" numeric not null,
  "rbtc_supply_sats" numeric not null,
  "wrbtc_supply_sats" numeric not null,
  "uncovered_sats" numeric not null,
  "round" numeric,
  "events" text[] not null,
  vid bigserial,
  block_range int4range
);
create index "reserve_history_point_block_idx" on "reservebtc"."reserve_history_point" (block_number);
create index "reserve_history_point_time_idx" on "reservebtc"."reserve_history_point" (block_timestamp);

-- Dispute (mutable aggregate)
create table "reservebtc"."dispute" (
  "id" text primary key,
  "dispute_id" numeric not null,
  "user" text not null,
  "challenger" text not null,
  "claimed_sats" numeric not null,
  "attested_sats" numeric not null,
  "resolved_sats" numeric,
  "bond_wei" numeric not null,
  "reward_wei" numeric,
  "evidence_uri" text not null,
  "status" text not null,
  "deadline" numeric not null,
  "resolver" text,
  "opened_at_block" numeric not null,
  "opened_at_timestamp" numeric not null,
  "closed_at_block" numeric,
  vid bigserial,
  block_range int4range
);
create index "dispute_user_idx" on "reservebtc"."dispute" ("user");
create index "dispute_status_idx" on "reservebtc"."dispute" (status, dispute_id desc);

-- DisputeTransition (immutable event record)
create table "reservebtc"."dispute_transition" (
  "id" text primary key,
  "dispute" text not null,
  "status" text not null,
  "actor" text not null,
  "contract" text not null,
  "block_number" numeric not null,
  "block_timestamp" numeric not null,
  "transaction_hash" text not null,
  "log_index" numeric not null,
  vid bigserial,
  block_range int4range
);
create index "dispute_transition_block_idx" on "reservebtc"."dispute_transition" (block_number);
create index "dispute_transition_time_idx" on "reservebtc"."dispute_transition" (block_timestamp);
create index "dispute_transition_dispute_idx" on "reservebtc"."dispute_transition" (dispute);

-- DisputeFundsMove (immutable event record)
create table "reservebtc"."dispute_funds_move" (
  "id" text primary key,
  "kind" text not null,
  "account" text not null,
  "amount_wei" numeric not null,
  "contract" text not null,
  "block_number" numeric not null,
  "block_timestamp" numeric not null,
  "transaction_hash" text not null,
  "log_index" numeric not null,
  vid bigserial,
  block_range int4range
);
create index "dispute_funds_move_block_idx" on "reservebtc"."dispute_funds_move" (block_number);
create index "dispute_funds_move_time_idx" on "reservebtc"."dispute_funds_move" (block_timestamp);

-- DisputeConfigChange (immutable event record)
create table "reservebtc"."dispute_config_change" (
  "id" text primary key,
  "challenge_window_seconds" numeric,
  "resolution_deadline_seconds" numeric,
  "min_bond_wei" numeric,
  "reward_wei" numeric,
  "treasury" text,
  "contract" text not null,
  "block_number" numeric not null,
  "block_timestamp" numeric not null,
  "transaction_hash" text not null,
  "log_index" numeric not null,
  vid bigserial,
  block_range int4range
);
create index "dispute_config_change_block_idx" on "reservebtc"."dispute_config_change" (block_number);
create index "dispute_config_change_time_idx" on "reservebtc"."dispute_config_change" (block_timestamp);

-- ReserveRound (immutable event record)
create table "reservebtc"."reserve_round" (
  "id" text primary key,
  "round_id" numeric not null,
  "merkle_root" text not null,
  "attested_sats" numeric not null,
  "btc_height" numeric not null,
  "rbtc_supply_sats" numeric not null,
  "uncovered_sats" numeric not null,
  "contract" text not null,
  "block_number" numeric not null,
  "block_timestamp" numeric not null,
  "transaction_hash" text not null,
  "log_index" numeric not null,
  vid bigserial,
  block_range int4range
);
create index "reserve_round_block_idx" on "reservebtc"."reserve_round" (block_number);
create index "reserve_round_time_idx" on "reservebtc"."reserve_round" (block_timestamp);
create index "reserve_round_round_idx" on "reservebtc"."reserve_round" (round_id desc);

-- YieldPool (mutable aggregate)
create table "reservebtc"."yield_pool" (
  "id" text primary key,
  "base_rate_bps" numeric not null,
  "supply_sats" numeric not null,
  "peak_supply_sats" numeric not null,
  "holders" integer not null,
  "liquidity_providers" integer not null,
  "total_staked_sats" numeric not null,
  "total_liquidity" numeric not null,
  "total_funded" numeric not null,
  "total_claimed" numeric not null,
  "reward_reserve" numeric not null,
  "exhausted_committed_rewards" numeric,
  "sat_price_wad" numeric not null,
  "liquidity_price_wad" numeric not null,
  "paused" boolean not null,
  "updated_at_block" numeric not null,
  vid bigserial,
  block_range int4range
);

-- YieldParticipant (mutable aggregate)
create table "reservebtc"."yield_participant" (
  "id" text primary key,
  "state" text not null,
  "tier" text not null,
  "backed_sats" numeric not null,
  "staked_sats" numeric not null,
  "since_timestamp" numeric not null,
  "liquidity" numeric not null,
  "claimed" numeric not null,
  "updated_at_block" numeric not null,
  vid bigserial,
  block_range int4range
);

-- YieldClaim (immutable event record)
create table "reservebtc"."yield_claim" (
  "id" text primary key,
  "participant" text not null,
  "amount" numeric not null,
  "contract" text not null,
  "block_number" numeric not null,
  "block_timestamp" numeric not null,
  "transaction_hash" text not null,
  "log_index" numeric not null,
  vid bigserial,
  block_range int4range
);
create index "yield_claim_block_idx" on "reservebtc"."yield_claim" (block_number);
create index "yield_claim_time_idx" on "reservebtc"."yield_claim" (block_timestamp);
create index "yield_claim_participant_idx" on "reservebtc"."yield_claim" (participant);

-- YieldFunding (immutable event record)
create table "reservebtc"."yield_funding" (
  "id" text primary key,
  "funder" text not null,
  "amount" numeric not null,
  "contract" text not null,
  "block_number" numeric not null,
  "block_timestamp" numeric not null,
  "transaction_hash" text not null,
  "log_index" numeric not null,
  vid bigserial,
  block_range int4range
);
create index "yield_funding_block_idx" on "reservebtc"."yield_funding" (block_number);
create index "yield_funding_time_idx" on "reservebtc"."yield_funding" (block_timestamp);

-- YieldScaleChange (immutable event record)
create table "reservebtc"."yield_scale_change" (
  "id" text primary key,
  "supply_sats" numeric not null,
  "peak_supply_sats" numeric not null,
  "contract" text not null,
  "block_number" numeric not null,
  "block_timestamp" numeric not null,
  "transaction_hash" text not null,
  "log_index" numeric not null,
  vid bigserial,
  block_range int4range
);
create index "yield_scale_change_block_idx" on "reservebtc"."yield_scale_change" (block_number);
create index "yield_scale_change_time_idx" on "reservebtc"."yield_scale_change" (block_timestamp);

-- YieldRateChange (immutable event record)
create table "reservebtc"."yield_rate_change" (
  "id" text primary key,
  "kind" text not null,
  "old_base_rate_bps" numeric,
  "new_base_rate_bps" numeric,
  "sat_price_wad" numeric,
  "liquidity_price_wad" numeric,
  "committed_rewards" numeric,
  "contract" text not null,
  "block_number" numeric not null,
  "block_timestamp" numeric not null,
  "transaction_hash" text not null,
  "log_index" numeric not null,
  vid bigserial,
  block_range int4range
);
create index "yield_rate_change_block_idx" on "reservebtc"."yield_rate_change" (block_number);
create index "yield_rate_change_time_idx" on "reservebtc"."yield_rate_change" (block_timestamp);

-- YieldPositionChange (immutable event record)
create table "reservebtc"."yield_position_change" (
  "id" text primary key,
  "kind" text not null,
  "participant" text not null,
  "amount" numeric,
  "tier" text,
  "reason" integer,
  "contract" text not null,
  "block_number" numeric not null,
  "block_timestamp" numeric not null,
  "transaction_hash" text not null,
  "log_index" numeric not null,
  vid bigserial,
  block_range int4range
);
create index "yield_position_change_block_idx" on "reservebtc"."yield_position_change" (block_number);
create index "yield_position_change_time_idx" on "reservebtc"."yield_position_change" (block_timestamp);
create index "yield_position_change_participant_idx" on "reservebtc"."yield_position_change" (participant);
