"""write — changing a knowledge base and writing files: answers (a field's value checked as typed), prompts
(asking on a terminal), adding (placing a record and checking the knowledge base with it), writer (a record's
YAML spliced in without changing a byte around it) and atomic (the one atomic file writer, used by every command
that writes a file).

Takes in: records, a loaded knowledge base and what a curator types. Gives out: new file contents, written
atomically. Never imports: show or cli (a prompt's Rich console is handed in by the command line).
"""
