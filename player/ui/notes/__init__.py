"""The "Notes & bookmarks" view: the learner's notes and bookmarks across courses."""
