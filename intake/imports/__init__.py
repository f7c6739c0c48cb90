"""CSV import of requests: upload, map columns, preview every row's fate, commit all or
nothing, undo the batch."""
