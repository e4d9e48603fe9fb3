"""Finding a phrase in an article's text as readers read it: the one matcher for quotes, claims and names.

Both the phrase and the text are folded the same way before they are compared: whitespace runs become
one space, typographic quotes, dashes and ellipses their plain forms, letters are casefolded, and the
inline Markdown a reader never sees is dropped (emphasis markers, backticks, link and image syntax,
list and heading markers, escapes, entities). So words copied from the rendered page match the
Markdown source, and every match is reported as a span of the original text, to mark or anchor.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

Span = tuple[int, int]

# Characters read as another (or as nothing) wherever they stand. The backtick is typed for code,
# never as a quote mark, so it goes with the emphasis markers.
_CHARS = {
    **dict.fromkeys("“”„‟″«»", '"'),
    **dict.fromkeys("‘’‚‛′´", "'"),
    **dict.fromkeys("‐‑‒–—―−", "-"),
    "…": "...",
    "|": " ",  # table cells read as separate words
    **dict.fromkeys("*_`\u200b\u200c\u200d\u2060\ufeff\u00ad", ""),
}

# Markdown that the rendered page shows differently. Each alternative is named after how it folds.
_LINK_TARGET = r"(?:\((?:[^()\n]|\([^()\n]*\))*\)|\[[^\]\n]*\])"
_LINK_DEFINITION = (
    r"^[ \t]{0,3}\[(?!\^)[^\]\n]+\]:[ \t]*\S+"  # [label]: destination
    r"""(?:[ \t]+(?:"[^"\n]*"|'[^'\n]*'|\([^)\n]*\)))?[ \t]*$"""  # and perhaps a title
)
_MARKUP = re.compile(
    rf"""
    (?P<block>
        {_LINK_DEFINITION}                               # a link reference definition
      | ^[ \t]*(?:>[ \t]*)*(?:\#{{1,6}}|[-+*])[ \t]+      # a heading or bullet (and quote) marker
      | ^[ \t]*(?:>[ \t]*)+                             # a block quote marker
      | ^[ \t]*(?:[-*_=][ \t]*){{3,}}$                    # a rule or a heading underline
    )
    | (?P<drop>
        !\[[^\]\n]*\]\((?:[^()\n]|\([^()\n]*\))*\)      # an image: not part of the words
      | \[(?=[^\]\n]*\]{_LINK_TARGET})                 # a link's opening bracket
      | \]{_LINK_TARGET}                                 # a link's target
      | \\(?=[!-/:-@\[-`{{-~\n])                        # an escape
      | ~~                                              # strike-through
    )
    | (?P<number>^[ \t]*(?:>[ \t]*)*(?P<n>\d{{1,9}})[.)][ \t]+)  # perhaps a numbered item's marker
    | (?P<autolink><(?:https?|mailto):[^>\s]+>)
    | (?P<entity>&(?:\#[0-9]{{1,7}}|\#[xX][0-9a-fA-F]{{1,6}}|[A-Za-z][A-Za-z0-9]{{1,31}});)
    | (?P<symbol>\([cC]\)|\([rR]\)|\([tT][mM]\)|\+-)
    """,
    re.VERBOSE | re.MULTILINE,
)
_NUMBERED = re.compile(r"[ \t]*(?:>[ \t]*)*\d{1,9}[.)][ \t]")
_SYMBOLS = {"(c)": "©", "(r)": "®", "(tm)": "™", "+-": "±"}
_WORD = re.compile(r"\w")


@dataclass(frozen=True)
class Folded:
    """A text folded for matching, with where each folded character came from in the original:
    text[i] stands for original[starts[i]:ends[i]]."""

    text: str
    starts: list[int]
    ends: list[int]

    def find(self, phrase: str, *, whole_word: bool = False) -> Span | None:
        """Where the phrase first stands, as (start, end) in the original text; None if nowhere.
        With whole_word, a match must not begin or end inside a word ("Ada" is not in "Adam")."""
        needle = fold(phrase, starts_block=False).text.strip()
        if not needle:
            return None
        at = self.text.find(needle)
        while at >= 0:
            end = at + len(needle)
            if not whole_word or not (self._word_at(at - 1) or self._word_at(end)):
                return self.starts[at], self.ends[end - 1]
            at = self.text.find(needle, at + 1)
        return None

    def contains(self, phrase: str, *, whole_word: bool = False) -> bool:
        return self.find(phrase, whole_word=whole_word) is not None

    def _word_at(self, index: int) -> bool:
        return 0 <= index < len(self.text) and _WORD.match(self.text[index]) is not None


class _Folder:
    def __init__(self) -> None:
        self.chars: list[str] = []
        self.starts: list[int] = []
        self.ends: list[int] = []

    def put(self, chars: str, start: int, end: int) -> None:
        """Append chars that stand for original[start:end], folding each and merging runs of spaces
        (and of hyphens: `--` and `---` render as dashes) into one."""
        for char in chars:
            for plain in _CHARS.get(char, char):
                plain = " " if plain.isspace() else plain
                if plain in " -" and self.chars and self.chars[-1] == plain:
                    self.ends[-1] = end
                    continue
                for letter in plain.casefold():
                    self.chars.append(letter)
                    self.starts.append(start)
                    self.ends.append(end)

    def put_plain(self, text: str, start: int, end: int) -> None:
        for index in range(start, end):
            self.put(text[index], index, index + 1)


def fold(text: str, *, starts_block: bool = True) -> Folded:
    """The text folded for matching (see the module's docstring), with its map back to the original.
    A whole text starts a Markdown block; a phrase cut from one (starts_block=False) does not."""
    folder = _Folder()
    done = 0
    for markup in _MARKUP.finditer(text):
        folder.put_plain(text, done, markup.start())
        if _reads_as_words(markup, text, starts_block=starts_block):
            folder.put_plain(text, markup.start(), markup.end())
        elif markup.lastgroup == "autolink":
            folder.put_plain(text, markup.start() + 1, markup.end() - 1)
        elif markup.lastgroup == "entity":
            folder.put(html.unescape(markup.group()), markup.start(), markup.end())
        elif markup.lastgroup == "symbol":
            folder.put(_SYMBOLS[markup.group().lower()], markup.start(), markup.end())
        done = markup.end()
    folder.put_plain(text, done, len(text))
    return Folded("".join(folder.chars), folder.starts, folder.ends)


def _reads_as_words(markup: re.Match, text: str, *, starts_block: bool) -> bool:
    """Is this line-start marker part of the words after all? At the start of a phrase cut from a text
    it is: a phrase that begins "2019. Then" or "- 3" keeps its first words. So is a number that only
    continues a wrapped paragraph ("since\n2019. Then"): CommonMark opens a numbered item after a
    blank line or another item, or with 1."""
    if markup.lastgroup not in ("block", "number"):
        return False
    if markup.start() == 0:
        return not starts_block
    if markup.lastgroup == "block" or markup.group("n") == "1":
        return False
    line = text[text.rfind("\n", 0, markup.start() - 1) + 1 : markup.start() - 1]
    return bool(line.strip()) and _NUMBERED.match(line) is None


def find(phrase: str, text: str, *, whole_word: bool = False) -> Span | None:
    """Where the phrase first stands in the text, as (start, end) of the original; None if nowhere.
    To look for several phrases in one text, fold it once and call Folded.find."""
    return fold(text).find(phrase, whole_word=whole_word)


def contains(phrase: str, text: str, *, whole_word: bool = False) -> bool:
    """Does the phrase stand in the text, as a reader would read both? An empty phrase never does."""
    return find(phrase, text, whole_word=whole_word) is not None
