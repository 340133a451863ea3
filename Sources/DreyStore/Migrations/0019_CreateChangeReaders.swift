/// Which change each serving instance has read, so the change log can be pruned below what all have seen.
let m0019_createChangeReaders = Migration(
    number: 19, name: "create_change_readers",
    sqlite: [
        """
        CREATE TABLE change_readers (
            instance TEXT PRIMARY KEY,
            sequence INTEGER NOT NULL,
            seen_at REAL NOT NULL
        )
        """
    ],
    postgres: [
        """
        CREATE TABLE change_readers (
            instance TEXT PRIMARY KEY,
            sequence BIGINT NOT NULL,
            seen_at TIMESTAMPTZ NOT NULL
        )
        """
    ])
