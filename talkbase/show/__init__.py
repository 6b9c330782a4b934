"""show — turning answers into output: views (what each command shows: columns, styles, machine form), formats
(one writer per --format), render (Rich consoles, literal text, problem listings, pictures), progress (the load's
progress bar), schema_json (the JSON Schema) and exports/. exports/ lives under show, not beside it: an export is
one more way of showing the records a query selected, and it reuses show's record dictionaries and escaping.

Takes in: records and answers from ask. Gives out: text, tables, documents and files (through write.atomic).
Never imports: load or cli; it computes no answers of its own.
"""
