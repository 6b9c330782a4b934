"""load — finding, parsing, validating and caching a knowledge base: kb (which data, and load → validate →
model in one call), loader (files and records), nodes (located YAML values), parser (PyYAML, imported only on a
cache miss), validate (problems as values), cache (the parse cache) and xdg (where talkbase's own files go).

Takes in: a data directory of YAML files. Gives out: a KnowledgeBase of typed records, or problems as values.
Never imports: ask, write, show or cli, nor Rich; it never prints.
"""
