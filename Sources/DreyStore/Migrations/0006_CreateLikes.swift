/// Likes of a post by account holders.
let m0006_createLikes = Migration(
    number: 6, name: "create_likes",
    sqlite: [
        """
        CREATE TABLE likes (
            post_id INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            created_at REAL NOT NULL,
            PRIMARY KEY (post_id, user_id)
        )
        """
    ],
    postgres: [
        """
        CREATE TABLE likes (
            post_id BIGINT NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
            user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            created_at TIMESTAMPTZ NOT NULL,
            PRIMARY KEY (post_id, user_id)
        )
        """
    ])
