"""One search for everything: ranked PostgreSQL full-text plus trigram matching, with escaped
highlighted snippets. Feature apps register what they make searchable (`engine.register`)."""
