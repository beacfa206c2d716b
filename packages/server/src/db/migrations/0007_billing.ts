import { sql, type Kysely } from 'kysely';

// Append-only: once committed, a migration is never edited; later changes get a new file.
//
// The ledger's tables name projects without a foreign key on purpose: a project may be
// deleted (once its balance is zero), but the money that passed through its wallet stays
// in the journal for ever.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- Accounts of the double-entry journal: one wallet per project (what the customer holds)
    -- and the platform's own accounts, which the money of each wallet comes from or goes to.
    CREATE TABLE ledger_accounts (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      kind text NOT NULL
        CHECK (kind IN ('wallet', 'promotions', 'compute_revenue', 'ip_revenue', 'adjustments')),
      project_id uuid,
      created_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((kind = 'wallet') = (project_id IS NOT NULL))
    );
    CREATE UNIQUE INDEX ledger_accounts_project_key ON ledger_accounts (project_id);
    CREATE UNIQUE INDEX ledger_accounts_platform_key ON ledger_accounts (kind)
      WHERE project_id IS NULL;
    INSERT INTO ledger_accounts (kind) VALUES
      ('promotions'), ('compute_revenue'), ('ip_revenue'), ('adjustments');

    -- One business event that moves money. Never updated nor deleted: a mistake is undone
    -- by a reversing entry (reverses_entry_id), at most one per entry.
    CREATE TABLE journal_entries (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      idempotency_key text NOT NULL UNIQUE,
      kind text NOT NULL
        CHECK (kind IN ('usage', 'coupon', 'adjustment', 'reversal')),
      project_id uuid NOT NULL,
      memo text NOT NULL DEFAULT '',
      actor_user_id uuid REFERENCES users (id) ON DELETE SET NULL,
      reverses_entry_id uuid UNIQUE REFERENCES journal_entries (id),
      created_at timestamptz NOT NULL
    );
    CREATE INDEX journal_entries_project_idx ON journal_entries (project_id, created_at);
    CREATE INDEX journal_entries_actor_user_id_idx ON journal_entries (actor_user_id);

    -- The entry's lines: a signed amount of ngwee on one account. Positive adds to the
    -- account (a wallet's money), negative takes from it; an entry's lines sum to zero.
    CREATE TABLE journal_postings (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      entry_id uuid NOT NULL REFERENCES journal_entries (id),
      account_id uuid NOT NULL REFERENCES ledger_accounts (id),
      amount_ngwee bigint NOT NULL CHECK (amount_ngwee <> 0)
    );
    CREATE INDEX journal_postings_entry_id_idx ON journal_postings (entry_id);
    CREATE INDEX journal_postings_account_id_idx ON journal_postings (account_id);

    -- The journal is append-only, enforced by the database itself.
    CREATE FUNCTION journal_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'the journal is append-only: correct % by a reversing entry', TG_TABLE_NAME;
    END $$;
    CREATE TRIGGER journal_entries_append_only BEFORE UPDATE OR DELETE ON journal_entries
      FOR EACH ROW EXECUTE FUNCTION journal_is_append_only();
    CREATE TRIGGER journal_postings_append_only BEFORE UPDATE OR DELETE ON journal_postings
      FOR EACH ROW EXECUTE FUNCTION journal_is_append_only();

    -- One row per billable resource and started UTC hour: the key that makes metering
    -- exactly-once. month_hour is the hour's ordinal in the resource's calendar month
    -- (1 for its first hour in that month); see docs/billing.md for the rule. The meter
    -- writes some 100 000 rows an hour at scale, so entry_id names its journal entry
    -- without a foreign key (the rows are written in the entry's own statement, and
    -- npm run billing:check compares them with the journal).
    CREATE TABLE usage_charges (
      vm_id uuid NOT NULL REFERENCES vms (id),
      resource_type text NOT NULL CHECK (resource_type IN ('vm', 'public_ip')),
      hour timestamptz NOT NULL,
      project_id uuid NOT NULL,
      month_hour integer NOT NULL CHECK (month_hour BETWEEN 1 AND 744),
      hourly_price_micro_ngwee bigint NOT NULL,
      monthly_cap_ngwee bigint,
      amount_ngwee bigint NOT NULL CHECK (amount_ngwee >= 0),
      entry_id uuid,
      PRIMARY KEY (vm_id, resource_type, hour)
    );
    CREATE INDEX usage_charges_project_hour_idx ON usage_charges (project_id, hour);

    -- Where the meter got to: its runs start an hour before the previous run's start.
    CREATE TABLE meter_state (
      id integer PRIMARY KEY CHECK (id = 1),
      last_run_at timestamptz NOT NULL
    );

    CREATE TABLE coupons (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      code text NOT NULL,
      amount_ngwee bigint NOT NULL CHECK (amount_ngwee > 0),
      max_redemptions integer CHECK (max_redemptions > 0),
      redemptions integer NOT NULL DEFAULT 0,
      valid_from timestamptz,
      valid_until timestamptz,
      active boolean NOT NULL DEFAULT true,
      new_projects_only boolean NOT NULL DEFAULT false,
      created_by uuid REFERENCES users (id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      CHECK (max_redemptions IS NULL OR redemptions <= max_redemptions)
    );
    CREATE UNIQUE INDEX coupons_code_key ON coupons (lower(code));
    CREATE INDEX coupons_created_by_idx ON coupons (created_by);

    -- Credits to a project's wallet, as the customer sees them in the payment history.
    CREATE TABLE payments (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      -- The order of writing: newest first even within one clock tick.
      seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
      project_id uuid NOT NULL,
      amount_ngwee bigint NOT NULL CHECK (amount_ngwee > 0),
      method text NOT NULL CHECK (method IN ('coupon', 'admin_credit', 'mobile_money')),
      reference text NOT NULL,
      status text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
      entry_id uuid REFERENCES journal_entries (id),
      created_at timestamptz NOT NULL
    );
    CREATE INDEX payments_project_seq_idx ON payments (project_id, seq);
    CREATE INDEX payments_entry_id_idx ON payments (entry_id);

    CREATE TABLE coupon_redemptions (
      coupon_id uuid NOT NULL REFERENCES coupons (id),
      project_id uuid NOT NULL,
      user_id uuid REFERENCES users (id) ON DELETE SET NULL,
      payment_id uuid NOT NULL REFERENCES payments (id),
      created_at timestamptz NOT NULL,
      PRIMARY KEY (coupon_id, project_id)
    );
    CREATE INDEX coupon_redemptions_project_id_idx ON coupon_redemptions (project_id);
    CREATE INDEX coupon_redemptions_user_id_idx ON coupon_redemptions (user_id);
    CREATE INDEX coupon_redemptions_payment_id_idx ON coupon_redemptions (payment_id);

    -- What the zero-balance policy knows of each project that ever ran low.
    CREATE TABLE project_billing (
      project_id uuid PRIMARY KEY REFERENCES projects (id) ON DELETE CASCADE,
      -- The lowest low-balance threshold (hours) already announced; re-armed by a top-up.
      low_balance_notified_hours integer,
      -- When the balance last reached zero or below (the grace period runs from here).
      zero_since timestamptz,
      suspended_at timestamptz
    );
    CREATE INDEX project_billing_zero_since_idx ON project_billing (zero_since)
      WHERE zero_since IS NOT NULL AND suspended_at IS NULL;

    CREATE TABLE billing_events (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
      project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
      type text NOT NULL
        CHECK (type IN ('low_balance', 'grace_started', 'suspended', 'suspension_lifted')),
      threshold_hours integer,
      balance_ngwee bigint NOT NULL,
      hours_remaining integer,
      created_at timestamptz NOT NULL
    );
    CREATE INDEX billing_events_project_seq_idx ON billing_events (project_id, seq);

    -- Top-up attempts per user and per project in a fixed window (coupon guessing).
    CREATE TABLE topup_throttle (
      key text PRIMARY KEY,
      attempts integer NOT NULL,
      window_started_at timestamptz NOT NULL
    );
  `.execute(db);
}
