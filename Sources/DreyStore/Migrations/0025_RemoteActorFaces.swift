/// A remote actor's face, kept here: their icon fetched once through the safe fetcher, checked and re-encoded like a
/// reader's picture (`uploads/reader-faces`), and the icon address it was made from (a changed icon is fetched again).
/// Pages never point at another server's image.
let m0025_remoteActorFaces = Migration(
    number: 25, name: "remote_actor_faces",
    sqlite: [
        "ALTER TABLE fedi_remote_actors ADD COLUMN face TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE fedi_remote_actors ADD COLUMN face_icon TEXT NOT NULL DEFAULT ''",
    ],
    postgres: [
        "ALTER TABLE fedi_remote_actors ADD COLUMN face TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE fedi_remote_actors ADD COLUMN face_icon TEXT NOT NULL DEFAULT ''",
    ])
