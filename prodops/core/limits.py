"""How long free text people write may be. Models declare these as `max_length` (TextFields
too), so model forms, serializers and the admin refuse longer input naming the field; plain
forms and serializers that take free text use the same constants."""

TITLE = 200  # titles and one-line names
MARKDOWN = 20_000  # Markdown bodies: a request's or an objective's description
COMMENT = 10_000  # a comment or an answer to a needs-info question
NOTES = 5_000  # internal notes, review notes
REASON = 2_000  # reasons, rationales, summaries, short descriptions
SEARCH = 200  # what is typed into a search or filter box
