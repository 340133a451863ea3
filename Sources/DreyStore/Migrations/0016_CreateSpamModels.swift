/// Each site's spam classifier once moderation has taught it; a site without a row uses the seed corpus model.
/// `version` grows with every save so other processes know to reload.
let m0016_createSpamModels = Migration(
    number: 16, name: "create_spam_models",
    sqlite: [
        """
        CREATE TABLE spam_models (
            site_id INTEGER PRIMARY KEY REFERENCES sites(id) ON DELETE CASCADE,
            version INTEGER NOT NULL DEFAULT 0,
            model BLOB,
            updated_at REAL NOT NULL
        )
        """
    ],
    postgres: [
        """
        CREATE TABLE spam_models (
            site_id BIGINT PRIMARY KEY REFERENCES sites(id) ON DELETE CASCADE,
            version BIGINT NOT NULL DEFAULT 0,
            model BYTEA,
            updated_at TIMESTAMPTZ NOT NULL
        )
        """
    ])
