/// Lets a side effect be queued once however often it is asked for (a post saved twice).
let m0012_addJobDedupe = Migration(
    number: 12, name: "add_job_dedupe",
    sqlite: [
        "ALTER TABLE jobs ADD COLUMN dedupe_key TEXT",
        "CREATE UNIQUE INDEX jobs_dedupe ON jobs (dedupe_key) WHERE state = 'queued' AND dedupe_key IS NOT NULL",
        "CREATE INDEX jobs_listing ON jobs (state, updated_at)",
    ],
    postgres: [
        "ALTER TABLE jobs ADD COLUMN dedupe_key TEXT",
        "CREATE UNIQUE INDEX jobs_dedupe ON jobs (dedupe_key) WHERE state = 'queued' AND dedupe_key IS NOT NULL",
        "CREATE INDEX jobs_listing ON jobs (state, updated_at)",
    ])
