"""records — the record format itself: field tables and vocabularies (schema), typed records (model), partial
dates, the Problem every mistake becomes, "did you mean" hints and the one escaping function for data text.

Takes in: nothing but Python values. Gives out: the format as data and the types every other stage uses.
Never imports: anything of talkbase (it is the bottom of the pipeline), PyYAML or Rich.
"""
