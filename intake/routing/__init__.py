"""Routing rules: which team a request belongs to, suggested from its category and
department. The rule is in `rules`, writes in `services`, reads in `selectors`."""
