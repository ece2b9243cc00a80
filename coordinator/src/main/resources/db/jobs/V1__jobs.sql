-- The job API's records (docs/jobs.md). Versioned by Flyway: never edit a released migration, add V2__... .

-- One row per submitted job; seq is the submission order (List pages by it).
CREATE TABLE jobs (
  id               VARCHAR(64)   PRIMARY KEY,
  seq              BIGINT        NOT NULL UNIQUE,
  name             VARCHAR(1000) NOT NULL,
  owner            VARCHAR(200)  NOT NULL,
  state            VARCHAR(16)   NOT NULL,
  spec             VARBINARY(1048576) NOT NULL,  -- zbpp.jobs.JobSpec, protobuf bytes
  submitted_millis BIGINT        NOT NULL,
  started_millis   BIGINT        NOT NULL DEFAULT 0,
  finished_millis  BIGINT        NOT NULL DEFAULT 0,
  iterations_done  INT           NOT NULL DEFAULT 0,
  reason           VARCHAR(4000) NOT NULL DEFAULT ''
);

-- Every state a job entered, in order.
CREATE TABLE job_transitions (
  job_id    VARCHAR(64)   NOT NULL REFERENCES jobs(id),
  seq       INT           NOT NULL,
  state     VARCHAR(16)   NOT NULL,
  at_millis BIGINT        NOT NULL,
  reason    VARCHAR(4000) NOT NULL,
  PRIMARY KEY (job_id, seq)
);

-- Every event Watch streams, in order (zbpp.jobs.JobEvent, protobuf bytes).
CREATE TABLE job_events (
  job_id   VARCHAR(64) NOT NULL REFERENCES jobs(id),
  sequence BIGINT      NOT NULL,
  event    VARBINARY(1048576) NOT NULL,
  PRIMARY KEY (job_id, sequence)
);

-- Per-iteration metrics.
CREATE TABLE job_iterations (
  job_id                VARCHAR(64) NOT NULL REFERENCES jobs(id),
  iteration             INT         NOT NULL,
  loss                  DOUBLE PRECISION NOT NULL,
  millis                DOUBLE PRECISION NOT NULL,
  predicted_bubble_rate DOUBLE PRECISION NOT NULL,
  realized_bubble_rate  DOUBLE PRECISION NOT NULL,
  rollbacks             INT         NOT NULL,
  PRIMARY KEY (job_id, iteration)
);

-- The result of a succeeded job (zbpp.jobs.JobResult, protobuf bytes).
CREATE TABLE job_results (
  job_id        VARCHAR(64) PRIMARY KEY REFERENCES jobs(id),
  params_sha256 VARCHAR(64) NOT NULL,
  result        VARBINARY(16777216) NOT NULL
);
