"""The search page: a field for all courses (Ctrl+K), results grouped by course."""
