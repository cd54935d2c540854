"""Full-text search over the stored courses: text extraction, folding, the learner's query.

The index lives in the store (``searchdoc`` and two FTS5 tables, see ``docs/search.md``); it is
written by ``player.search.index`` inside the transaction that stores a package, and queried by
``player.services.search``, which applies the access rules. Nothing here imports Qt.
"""
