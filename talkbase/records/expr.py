"""The query language's syntax: an expression read into a tree, and the tree written back (`--explain`).

    expression := or
    or         := and ("or" and)*
    and        := unary (["and"] unary)*          two terms side by side are joined by `and`
    unary      := "not" unary | "-" atom | atom
    atom       := "(" expression ")" | term
    term       := FIELD ":" value ("," value)*   actor:russia,peskov   date:2025-06..2025-08
                | WORD | "quoted phrase"          text, searched as grep searches it
                | /regex/                         a regular expression, as grep's PATTERN
                | @NAME                           a saved query (talkbase.yaml `queries:`)

`not` binds tightest, then `and`, then `or`: `a or b c` is `a or (b and c)`. Keywords are read in any case; a
word that is a keyword, or has a `:` that names no field, is searched as text when quoted (`"or"`, `"10:30"`).
Only the syntax lives here, with the record format (talkbase.yaml saves queries, and `check` reads them); what
a term means for a knowledge base is talkbase.ask.filter's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

FIELDS = (
    "actor", "topic", "source", "event", "stance", "status", "kind", "affiliation", "location", "date", "known", "id",
    "type",
)  # fmt: skip
KEYWORDS = ("and", "or", "not")


class ExprError(Exception):
    """An expression that cannot be read, with the column (1-based) of the offending character."""

    def __init__(self, message: str, column: int, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.column = column
        self.hint = hint

    def __str__(self) -> str:
        return with_column(self.message, self.column) + (f" ({self.hint})" if self.hint else "")


_HINT = re.compile(r" \([^()]*(?:\([^()]*\)[^()]*)*\)$")  # a message's closing hint: `... (did you mean ...?)`


def with_column(message: str, column: int) -> str:
    """`at column N` where it reads best: after what is wrong, before why or a hint (`unknown kind `x` at column
    6 (did you mean ...?)`, `impossible date `2025-13` at column 6: there is no month 13`)."""
    trailing = _HINT.search(message)
    head = message[: trailing.start()] if trailing else message
    split = min((at for at in (head.find(": "), head.find("; ")) if at >= 0), default=len(head))
    return f"{message[:split]} at column {column}{message[split:]}"


@dataclass(frozen=True)
class Field:
    """`name:value,value`: the record's field `name` is one of the values."""

    name: str
    values: tuple[str, ...]
    at: int = field(default=0, compare=False)  # the column of the term, for errors found when it is applied
    value_at: tuple[int, ...] = field(default=(), compare=False)  # the column of each value
    option: str = field(default="", compare=False)  # the command-line option it was given as (`--actor`), if any
    scope: str = field(default="", compare=False)  # an option's kind of record (`timeline --kind`: events), if any


@dataclass(frozen=True)
class Text:
    """A word or "quoted phrase" searched for in the record's text."""

    text: str
    at: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Regex:
    """/pattern/: a regular expression searched for in the record's text."""

    pattern: str
    at: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Saved:
    """@name: a query saved in the knowledge base's settings."""

    name: str
    at: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Not:
    """A term negated: `not x`, `-x`."""

    node: Node


@dataclass(frozen=True)
class And:
    """Terms that must all hold (written side by side, or with `and`)."""

    nodes: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    """Terms of which one must hold: `a or b`."""

    nodes: tuple[Node, ...]


Node = Field | Text | Regex | Saved | Not | And | Or


@dataclass(frozen=True)
class Token:
    """One piece of a query as written, with the column it starts at."""

    kind: str  # "(" ")" "-" "word" "phrase" "regex" "field" "saved" "and" "or" "not"
    text: str
    at: int  # column, 1-based
    values: tuple[tuple[str, int], ...] = ()  # a field's values with their columns


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_SAVED_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
# Every character str.isspace() holds true of, written out: finding them at import cost 2 ms of each command.
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680"
    "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_STOP = set(WHITESPACE) | {"(", ")"}  # what ends a bare word


def tokens(text: str) -> list[Token]:
    """The expression's tokens, each with its column."""
    for at, c in enumerate(text):
        if "\ud800" <= c <= "\udfff":  # a byte the command line could not decode
            raise ExprError("the query is not valid UTF-8 text", at + 1)
    found: list[Token] = []
    i = 0
    while i < len(text):
        c = text[i]
        if c.isspace():
            i += 1
        elif c in "()":
            found.append(Token(c, c, i + 1))
            i += 1
        elif c == "-" and i + 1 < len(text) and not text[i + 1].isspace() and text[i + 1] not in ")-":
            found.append(Token("-", c, i + 1))
            i += 1
        elif c in _QUOTES:
            phrase, end = _quoted(text, i)
            found.append(Token("phrase", phrase, i + 1))
            i = end
        elif c == "/":
            end = _regex_end(text, i)
            pattern = text[i + 1 : end].replace("\\/", "/")
            flags = re.match(r"\w*", text[end + 1 :]).group()  # type: ignore[union-attr]
            if flags and flags != "i":
                raise ExprError(f"unknown regular expression flag `{flags}`", end + 2, "only `i`, ignore case, may "
                                "follow the closing `/`; a pattern without capitals ignores case already")  # fmt: skip
            found.append(Token("regex", f"(?i){pattern}" if flags else pattern, i + 1))
            i = end + 1 + len(flags)
        elif c == "@":
            match = _SAVED_NAME.match(text, i + 1)
            if not match:
                raise ExprError("`@` must be followed by a saved query's name", i + 1)
            found.append(Token("saved", match.group().casefold(), i + 1))  # names are lower-case: `@Russia-No`
            i = match.end()
        else:
            token, i = _word_or_field(text, i)
            found.append(token)
    return found


# A phrase is quoted with " or ', or with the typographic quotes a word processor writes (pasted: “…”, ‘…’, „…“,
# «…»), and closed by the quote that goes with the one it opened with.
_CLOSING = {'"': '"', "'": "'", "“": "”", "‘": "’", "„": "“", "«": "»"}
_QUOTES = "".join(_CLOSING)


def _quoted(text: str, i: int) -> tuple[str, int]:
    """The phrase inside the quote opening at `i` (the quote and `\\` escaped with a `\\`), and where reading
    goes on."""
    quote = _CLOSING[text[i]]
    out: list[str] = []
    j = i + 1
    while j < len(text):
        c = text[j]
        if c == "\\" and j + 1 < len(text) and text[j + 1] in (quote, "\\"):
            out.append(text[j + 1])
            j += 2
        elif c == quote:
            return "".join(out), j + 1
        else:
            out.append(c)
            j += 1
    raise ExprError(f"unclosed quote: a phrase needs its closing `{quote}`", i + 1)


def _regex_end(text: str, i: int) -> int:
    """Where the regex opening at `i` closes (a `/` not escaped)."""
    j = i + 1
    while j < len(text):
        if text[j] == "\\" and j + 1 < len(text):
            j += 2
            continue
        if text[j] == "/":
            if j == i + 1:
                raise ExprError("empty regular expression `//`", i + 1)
            return j
        j += 1
    raise ExprError("unclosed regular expression: it needs its closing `/`", i + 1)


def _word_or_field(text: str, i: int) -> tuple[Token, int]:
    """A bare word, a keyword, or `field:values`."""
    name = _NAME.match(text, i)
    if name and name.end() < len(text) and text[name.end()] == ":":
        return _field(text, i, name.group())
    j = i
    while j < len(text) and text[j] not in _STOP and text[j] != '"':
        j += 1
    word = text[i:j]
    if word.casefold() in KEYWORDS:
        return Token(word.casefold(), word, i + 1), j
    return Token("word", word, i + 1), j


def _field(text: str, i: int, name: str) -> tuple[Token, int]:
    """`name:value,"quoted value",...`."""
    lowered = name.casefold()
    if lowered not in FIELDS:
        from talkbase.records.hints import close_matches

        close = close_matches(lowered, FIELDS, n=1)
        hint = (
            f"did you mean '{close[0]}'?"
            if close
            else f"the fields are {', '.join(FIELDS)}; quote a text with a colon to search for it"
        )
        raise ExprError(f"unknown field '{name}'", i + 1, hint)
    values: list[tuple[str, int]] = []
    j = i + len(name) + 1
    while True:
        start = j
        if j < len(text) and text[j] in _QUOTES:
            value, j = _quoted(text, j)
        else:
            while j < len(text) and text[j] not in _STOP and text[j] not in ',"':
                j += 1
            value = text[start:j]
        if not value.strip():
            after = " after its comma" if values else ""
            raise ExprError(f"`{lowered}:` needs a value{after}", start + 1)
        values.append((value, start + 1))
        if j < len(text) and text[j] == ",":
            j += 1
            continue
        break
    return Token("field", lowered, i + 1, tuple(values)), j


MAX_DEPTH = 100  # parentheses and `not` nested deeper than any question needs are refused, not recursed into


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokens(text)
        self.i = 0
        self.depth = 0

    def deeper(self, token: Token) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExprError(f"parentheses and `not` nested more than {MAX_DEPTH} deep", token.at)

    def peek(self) -> Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def end_column(self) -> int:
        return len(self.text.rstrip()) + 1

    def expression(self) -> Node:
        nodes = [self.conjunction()]
        while (token := self.peek()) is not None and token.kind == "or":
            self.take()
            nodes.append(self.conjunction())
        return nodes[0] if len(nodes) == 1 else Or(tuple(nodes))

    def conjunction(self) -> Node:
        nodes = [self.unary()]
        while (token := self.peek()) is not None and token.kind not in ("or", ")"):
            if token.kind == "and":
                self.take()
            nodes.append(self.unary())
        return nodes[0] if len(nodes) == 1 else And(tuple(nodes))

    def unary(self) -> Node:
        token = self.peek()
        if token is None:
            raise ExprError("the expression ends where a term was expected", self.end_column())
        if token.kind in ("not", "-"):
            self.take()
            self.deeper(token)
            node = Not(self.unary() if token.kind == "not" else self.atom())
            self.depth -= 1
            return node
        return self.atom()

    def atom(self) -> Node:
        token = self.peek()
        if token is None:
            raise ExprError("the expression ends where a term was expected", self.end_column())
        self.take()
        if token.kind == "(":
            following = self.peek()
            if following is not None and following.kind == ")":
                raise ExprError("empty parentheses `()`: put a term in them, or leave them out", token.at)
            self.deeper(token)
            inner = self.expression()
            self.depth -= 1
            closing = self.peek()
            if closing is None or closing.kind != ")":
                raise ExprError("unclosed `(`: it needs its `)`", token.at)
            self.take()
            return inner
        if token.kind == "field":
            return Field(token.text, tuple(v for v, _ in token.values), token.at, tuple(at for _, at in token.values))
        if token.kind in ("word", "phrase"):
            return Text(token.text, token.at)
        if token.kind == "regex":
            return Regex(token.text, token.at)
        if token.kind == "saved":
            return Saved(token.text, token.at)
        if token.kind == ")":
            raise ExprError("`)` without its `(`", token.at)
        raise ExprError(f"`{token.text}` where a term was expected", token.at, "quote it to search for the word")


def parse(text: str) -> Node | None:
    """The expression's tree; None for an empty expression (everything matches)."""
    parser = _Parser(text)
    if not parser.tokens:
        return None
    node = parser.expression()
    extra = parser.peek()
    if extra is not None:
        raise ExprError("`)` without its `(`", extra.at)
    return node


def join_words(words: list[str] | tuple[str, ...]) -> str:
    """The expression the command line's words make. A word of several terms (`'actor:russia or actor:peskov'`,
    quoted for the shell) is a group of its own, as it looks: it is put in parentheses, so that `or` inside it
    never reaches the words beside it."""
    if len(words) < 2:
        return " ".join(words)
    return " ".join(f"({word})" if _a_group(word) else word for word in words)


def _a_group(word: str) -> bool:
    """Whether a word is an expression of several terms on its own (`'(a' 'or b)'` are halves of one, not two)."""
    try:
        return len(tokens(word)) > 1 and parse(word) is not None
    except ExprError:
        return False


def explain(node: Node | None) -> str:
    """The tree written back as an expression that reads as the same tree: each `and` and `or` in parentheses
    where it stands inside another operator, every operator spelled out."""
    if node is None:
        return ""
    return _written(node, top=True)


def _written(node: Node, top: bool = False) -> str:
    if isinstance(node, Field):
        return f"{node.name}:{','.join(_value(v) for v in node.values)}"
    if isinstance(node, Text):
        return _phrase(node.text) if _needs_quotes(node.text) else node.text
    if isinstance(node, Regex):
        return "/" + node.pattern.replace("/", "\\/") + "/"
    if isinstance(node, Saved):
        return f"@{node.name}"
    if isinstance(node, Not):
        return f"not {_written(node.node)}"
    joiner = " and " if isinstance(node, And) else " or "
    inner = joiner.join(_written(n) for n in node.nodes)
    return inner if top else f"({inner})"


def _phrase(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _needs_quotes(word: str) -> bool:
    """Whether a word would read as something else bare: a keyword, a field, an operator, a regex, a name."""
    if not word or word.casefold() in KEYWORDS or word[0] in "-/@'\"" or any(c in _STOP or c == '"' for c in word):
        return True
    name = _NAME.match(word)
    return bool(name and name.end() < len(word) and word[name.end()] == ":")


def _value(value: str) -> str:
    return _phrase(value) if not value or value[0] == "'" or any(c in _STOP or c in ',"' for c in value) else value


def saved_names(node: Node | None) -> list[str]:
    """The saved queries a tree names (`@name`), in order."""
    if node is None:
        return []
    if isinstance(node, Saved):
        return [node.name]
    if isinstance(node, Not):
        return saved_names(node.node)
    if isinstance(node, (And, Or)):
        return [name for n in node.nodes for name in saved_names(n)]
    return []
