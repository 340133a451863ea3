/// Uploaded images: their pixel size, the copies made of them, whether they are ready, and a post's
/// featured image.
let m0020_addMediaImages = Migration(
    number: 20, name: "add_media_images",
    sqlite: [
        "ALTER TABLE media ADD COLUMN width INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE media ADD COLUMN height INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE media ADD COLUMN renditions TEXT NOT NULL DEFAULT '[]'",
        "ALTER TABLE media ADD COLUMN state TEXT NOT NULL DEFAULT 'ready' CHECK (state IN ('processing','ready','failed'))",
        "ALTER TABLE media ADD COLUMN state_message TEXT NOT NULL DEFAULT ''",
        "CREATE INDEX media_published ON media (site_id, published_at)",
        "ALTER TABLE posts ADD COLUMN featured_media_id INTEGER REFERENCES media(id) ON DELETE SET NULL",
    ],
    postgres: [
        "ALTER TABLE media ADD COLUMN width INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE media ADD COLUMN height INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE media ADD COLUMN renditions TEXT NOT NULL DEFAULT '[]'",
        "ALTER TABLE media ADD COLUMN state TEXT NOT NULL DEFAULT 'ready' CHECK (state IN ('processing','ready','failed'))",
        "ALTER TABLE media ADD COLUMN state_message TEXT NOT NULL DEFAULT ''",
        "CREATE INDEX media_published ON media (site_id, published_at)",
        "ALTER TABLE posts ADD COLUMN featured_media_id BIGINT REFERENCES media(id) ON DELETE SET NULL",
    ])
