/// The spam filter's combined score on each comment, and the commenter's website host for its memory.
/// Rows from before this migration keep an empty host: the memory of websites starts here.
let m0015_addCommentSpamColumns = Migration(
    number: 15, name: "add_comment_spam_columns",
    sqlite: [
        "ALTER TABLE comments ADD COLUMN spam_score REAL",
        "ALTER TABLE comments ADD COLUMN author_domain TEXT NOT NULL DEFAULT ''",
        "CREATE INDEX comments_domain ON comments (site_id, author_domain, status)",
        "CREATE INDEX comments_email_time ON comments (site_id, author_email, created_at)",
        "CREATE INDEX comments_status_time ON comments (status, created_at)",
    ],
    postgres: [
        "ALTER TABLE comments ADD COLUMN spam_score DOUBLE PRECISION",
        "ALTER TABLE comments ADD COLUMN author_domain TEXT NOT NULL DEFAULT ''",
        "CREATE INDEX comments_domain ON comments (site_id, author_domain, status)",
        "CREATE INDEX comments_email_time ON comments (site_id, author_email, created_at)",
        "CREATE INDEX comments_status_time ON comments (status, created_at)",
    ])
