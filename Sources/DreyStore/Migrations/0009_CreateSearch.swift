/// Full-text search: FTS5 kept in step by triggers on SQLite, a weighted tsvector on PostgreSQL.
let m0009_createSearch = Migration(
    number: 9, name: "create_search",
    sqlite: [
        "CREATE VIRTUAL TABLE posts_fts USING fts5(title, body, content='posts', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
        """
        CREATE TRIGGER posts_fts_insert AFTER INSERT ON posts BEGIN
            INSERT INTO posts_fts(rowid, title, body) VALUES (new.id, new.title, new.content_text);
        END
        """,
        """
        CREATE TRIGGER posts_fts_delete AFTER DELETE ON posts BEGIN
            INSERT INTO posts_fts(posts_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.content_text);
        END
        """,
        """
        CREATE TRIGGER posts_fts_update AFTER UPDATE OF title, content_text ON posts BEGIN
            INSERT INTO posts_fts(posts_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.content_text);
            INSERT INTO posts_fts(rowid, title, body) VALUES (new.id, new.title, new.content_text);
        END
        """,
    ],
    postgres: [
        """
        ALTER TABLE posts ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
            setweight(to_tsvector('english', coalesce(title, '')), 'A') ||
            setweight(to_tsvector('english', coalesce(content_text, '')), 'B')
        ) STORED
        """,
        "CREATE INDEX posts_search ON posts USING GIN (search_vector)",
    ])
