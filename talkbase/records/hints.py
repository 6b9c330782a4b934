"""'Did you mean' suggestions and small wording helpers, shared by the validator and the command line."""

from __future__ import annotations

from collections.abc import Iterable


def close_matches(word: str, candidates: Iterable[str], n: int = 3) -> list[str]:
    import difflib  # only when a suggestion is needed

    return difflib.get_close_matches(word, list(candidates), n=n, cutoff=0.6)


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """`did you mean `x`?` for the closest candidate, or an empty string when none is close."""
    import unicodedata

    candidates = list(candidates)
    plain = unicodedata.normalize("NFKC", word).lower()  # ids are lowercase ASCII: `P1` is `p1`, `ｅ1` is `e1`
    if plain != word and plain in candidates:
        return f"did you mean `{plain}`?"
    matches = close_matches(word, candidates, n=1)
    return f"did you mean `{matches[0]}`?" if matches else ""


def unusual_characters(text: str) -> str:
    """What a value that looks right holds that is not ASCII: "`е` is U+0435 CYRILLIC SMALL LETTER IE", or ''."""
    import unicodedata

    found = list(dict.fromkeys(c for c in text if not c.isascii()))[:2]
    named = [f"`{c}` is U+{ord(c):04X} {unicodedata.name(c, 'an unnamed character')}" for c in found]
    return "; ".join(named)


def with_article(noun: str) -> str:
    """`an actor`, `a position`."""
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"


def abbreviated(text: str, limit: int = 80) -> str:
    """`text`, or its first `limit` characters and how many more there are, for a message that quotes it."""
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text) - limit:,} more characters)"


# Typographic quotes and dashes, as text pasted from an article has them, read as the plain ones a keyboard types
# (one character for one, so that offsets into the text stay where they were): `Ukraine’s` is found by
# `Ukraine's`, `Ukraine–Russia` by `Ukraine-Russia`, and the other way round. site.js folds alike.
DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"  # hyphens, figure, en and em dash, bar, minus sign
PLAIN_PUNCTUATION = str.maketrans(
    {"’": "'", "‘": "'", "ʼ": "'", "′": "'", "“": '"', "”": '"', "„": '"', "″": '"'} | dict.fromkeys(DASHES, "-")
)


def strip_marks(text: str) -> str:
    """The text without its diacritics, case kept, its quotes and dashes plain: `Erdoğan` reads `Erdogan`."""
    import unicodedata

    plain = text.translate(PLAIN_PUNCTUATION)
    return "".join(c for c in unicodedata.normalize("NFKD", plain) if not unicodedata.combining(c))


def strip_marks_mapped(text: str) -> tuple[str, list[int]]:
    """`strip_marks` of the text (compatibility forms taken apart too: `ﬁ` reads `fi`), and for each of its
    characters the offset of the character of the text it comes from."""
    import unicodedata

    out: list[str] = []
    starts: list[int] = []
    for i, c in enumerate(text.translate(PLAIN_PUNCTUATION)):
        for part in unicodedata.normalize("NFKD", c):
            if not unicodedata.combining(part):
                out.append(part)
                starts.append(i)
    return "".join(out), starts


def fold(text: str) -> str:
    """Case- and diacritic-insensitive form of a name, its quotes and dashes plain: `Erdoğan` and `erdogan` fold
    alike, as `Ukraine–Russia` and `ukraine-russia`."""
    if text.isascii():  # nothing to decompose or take off (most names): asked in C, 20,000 sources in 10 ms
        return text.lower().strip()
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text.translate(PLAIN_PUNCTUATION).casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip()


def vocabulary_word(text: str, vocab: Iterable[str]) -> str | None:
    """A vocabulary word from itself in any case or from a prefix only it has (`Rej` -> `rejects`); None when
    the text is no word of it, or the start of several."""
    word = text.strip().casefold()
    words = list(vocab)
    if word in words:
        return word
    starting = [w for w in words if w.startswith(word)] if word else []
    return starting[0] if len(starting) == 1 else None


def choose_word(text: str, vocab: Iterable[str], what: str) -> str:
    """`vocabulary_word`, or a ValueError in talkbase's words: the words a prefix could be, or a did-you-mean
    and every choice (`unknown stance `maybe` (use one of supports, ...)`)."""
    words = list(vocab)
    chosen = vocabulary_word(fold(text), words)
    if chosen is not None:
        return chosen
    typed = fold(text)
    starting = [w for w in words if typed and w.startswith(typed)]
    if len(starting) > 1:
        raise ValueError(f"{what} `{text}` is ambiguous: it could be {', '.join(starting)}")
    close = close_matches(typed, words, n=1)
    hint = f"did you mean `{close[0]}`? " if close else ""
    raise ValueError(f"unknown {what} `{text}` ({hint}use one of {', '.join(words)})")
