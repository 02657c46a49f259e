-- The hospital registry the claim checks match invoices against (DESIGN.md: claims). Reference data,
-- not merchant-owned: seeded from seed/hospitals.csv by the first process that reads it empty, then
-- kept by console admins (grade, ownership and type; CSV imports upsert by id). Hospitals are never
-- deleted: a claim decided against one keeps naming it.

CREATE TABLE hospitals (
  hospital_id  text PRIMARY KEY CHECK (hospital_id ~ '^[A-Za-z0-9_-]{1,32}$'),
  name         text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
  aliases      text[] NOT NULL DEFAULT '{}' CHECK (cardinality(aliases) <= 20 AND array_position(aliases, NULL) IS NULL),
  province     text NOT NULL CHECK (char_length(province) BETWEEN 1 AND 32),
  city         text NOT NULL CHECK (char_length(city) BETWEEN 1 AND 32),
  grade        text NOT NULL CHECK (grade IN ('3A', '3B', '3C', '2A', '2B', '2C', '1A', '1B', '1C', 'unrated')),
  ownership    text NOT NULL CHECK (ownership IN ('public', 'private')),
  type         text NOT NULL CHECK (type IN ('general', 'tcm', 'maternity', 'dental', 'children', 'cosmetic', 'community', 'specialty')),
  updated_at   timestamptz NOT NULL DEFAULT now()
);

-- One row, bumped by every transaction that changes the registry: a process holding a copy (the
-- claim workers, the API) learns with one cheap read whether its copy is stale, and taking this row's
-- lock first serialises changes (two imports, or a seed racing another process's seed).
CREATE TABLE hospital_registry_version (
  singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  version    bigint NOT NULL CHECK (version >= 0)
);
INSERT INTO hospital_registry_version (version) VALUES (0);
