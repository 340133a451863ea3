/// Blatant spam (honeypot, replayed form) is not stored, only counted per site, day and reason.
let m0018_createSpamDiscards = Migration(
    number: 18, name: "create_spam_discards",
    sqlite: [
        """
        CREATE TABLE spam_discards (
            site_id INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
            day TEXT NOT NULL,
            reason TEXT NOT NULL,
            count INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (site_id, day, reason)
        )
        """
    ],
    postgres: [
        """
        CREATE TABLE spam_discards (
            site_id BIGINT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
            day TEXT NOT NULL,
            reason TEXT NOT NULL,
            count BIGINT NOT NULL DEFAULT 0,
            PRIMARY KEY (site_id, day, reason)
        )
        """
    ])
