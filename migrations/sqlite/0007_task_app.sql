-- The app a task runs on (docs/instagram.md): tiktok or instagram. Tasks created before it were TikTok's.

ALTER TABLE tasks ADD COLUMN app TEXT NOT NULL DEFAULT 'tiktok';
