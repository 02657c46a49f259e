-- The programme's liability and budgets (docs/accrual.md "Budgets", docs/features.md).

-- A payment that would have earned credit after its city's budget for the month was reached earns
-- nothing (outcome budget_reached, in the ingestion's answer); like a payer past the day's ten, it is
-- not stored: decided again it gives the same answer, a budget's room only shrinks.

-- A city's budget for a calendar month of business days: the credit its merchants may be granted for
-- payments of that month. The ingestion batch locks the rows of its cities (after its merchants, in
-- budget_id order) and adds what it granted; the database refuses a total past the limit.
CREATE TABLE city_budgets (
  budget_id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  city           text NOT NULL CHECK (char_length(city) BETWEEN 1 AND 32 AND city = btrim(city)),
  period         text NOT NULL CHECK (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
  limit_fen      bigint NOT NULL CHECK (limit_fen BETWEEN 1 AND 10000000000000),
  granted_fen    bigint NOT NULL DEFAULT 0 CHECK (granted_fen >= 0 AND granted_fen <= limit_fen),
  -- the shares of the limit (percent) at which operators are alerted, once each
  alert_percents smallint[] NOT NULL DEFAULT '{80,100}'
                 CHECK (cardinality(alert_percents) BETWEEN 1 AND 5 AND 1 <= ALL (alert_percents) AND 100 >= ALL (alert_percents)),
  -- the first moment a credit did not fit: from then on the month earns nothing in the city
  reached_at     timestamptz,
  created_at     timestamptz NOT NULL DEFAULT now(),
  created_by     text NOT NULL,
  CONSTRAINT city_budgets_one_per_period UNIQUE (city, period)
);

-- The liability by city and business day, kept by the periodic work (budgets/rollup.ts): the credit
-- outstanding when the day's row was last refreshed, and the day's flows. The console reads these
-- rows and never the ledger: a refresh reads every merchant's two credit accounts once, a console
-- load reads a few hundred rows.
CREATE TABLE liability_days (
  business_day   date NOT NULL,
  city           text NOT NULL,
  pending_fen    bigint NOT NULL CHECK (pending_fen >= 0),
  available_fen  bigint NOT NULL CHECK (available_fen >= 0),
  reserved_fen   bigint NOT NULL CHECK (reserved_fen >= 0),
  granted_fen    bigint NOT NULL CHECK (granted_fen >= 0),
  claimed_fen    bigint NOT NULL CHECK (claimed_fen >= 0),
  lost_fen       bigint NOT NULL CHECK (lost_fen >= 0),
  refreshed_at   timestamptz NOT NULL,
  PRIMARY KEY (business_day, city)
);
