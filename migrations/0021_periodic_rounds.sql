-- One round of periodic work an interval, however many processes run it (src/cli/periodic.ts).
CREATE TABLE periodic_rounds (
  name           text PRIMARY KEY,
  last_round_at  timestamptz NOT NULL
);
