-- The latest iteration's compute passes per job (zbpp.jobs.Iteration with its passes, protobuf bytes), for the
-- dashboard's timeline; job_events keeps iteration events without their passes. Version 2.15 (issue 15's part
-- of version 2), so that another version-2 migration can sit beside it.
CREATE TABLE job_timelines (
  job_id    VARCHAR(64) PRIMARY KEY REFERENCES jobs(id),
  iteration VARBINARY(16777216) NOT NULL
);
