-- What the sentiment model made of each comment: the language it detected, and why a comment was
-- left unscored (a language the model cannot score is never called neutral). Thread depth from
-- the rebuilt reply tree.
ALTER TABLE social_comments ADD COLUMN language VARCHAR(16);
ALTER TABLE social_comments ADD COLUMN sentiment_note VARCHAR(255);
ALTER TABLE social_comments ADD COLUMN thread_depth INTEGER CHECK (thread_depth >= 0);
