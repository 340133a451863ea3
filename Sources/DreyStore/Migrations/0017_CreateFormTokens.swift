/// Nonces of comment-form tokens already used, so a form is accepted once; rows go when the token would have expired.
let m0017_createFormTokens = Migration(
    number: 17, name: "create_form_tokens",
    sqlite: [
        """
        CREATE TABLE form_tokens (
            site_id INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
            nonce TEXT NOT NULL,
            expires_at REAL NOT NULL,
            PRIMARY KEY (site_id, nonce)
        )
        """,
        "CREATE INDEX form_tokens_expiry ON form_tokens (expires_at)",
    ],
    postgres: [
        """
        CREATE TABLE form_tokens (
            site_id BIGINT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
            nonce TEXT NOT NULL,
            expires_at TIMESTAMPTZ NOT NULL,
            PRIMARY KEY (site_id, nonce)
        )
        """,
        "CREATE INDEX form_tokens_expiry ON form_tokens (expires_at)",
    ])
