"""ask — questions over the model as pure functions: query (filters, listings, names, --known-at, grep),
pattern (grep's patterns, compiled by RE2) and analysis (matrix, history, disputes). What each command then
shows of an answer lives in talkbase.show.views: it builds Rich text, which this stage never touches.

Takes in: a KnowledgeBase and filters. Gives out: records and plain values (lists, dataclasses), never text.
Never imports: load (it works on the model, wherever it came from), write, show or cli, nor Rich or PyYAML.
"""
