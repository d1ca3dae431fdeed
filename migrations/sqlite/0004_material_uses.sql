-- How often each library file was posted, so a post takes the least-used matching file.
CREATE TABLE material_uses (
    path      TEXT PRIMARY KEY,       -- relative to <data-dir>/materials, with / separators
    uses      INTEGER NOT NULL,
    last_used TEXT    NOT NULL
) WITHOUT ROWID;
