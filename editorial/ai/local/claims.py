"""Claims: check-worthy sentences and clauses, scored from the cues that fired (figures, dates, sources)."""

from __future__ import annotations

import re

from editorial.ai.local.document import MAX_TEXT, Doc, Sentence, clip, squash, trim

CLAIM_THRESHOLD = 0.3

_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_PERCENT = re.compile(rf"(?<![\w.,])(?:{_NUM})(?:\s?%|\s(?:per\s?cent|percent|percentage points?)\b)")
_MONEY = re.compile(
    rf"(?:(?<!\w)(?:US\$|[$€£¥]|(?:USD|EUR|GBP)\s?)\s?(?:{_NUM})(?:\s?(?:bn|billion|mn|million|m|trillion|tn|k)\b)?"
    rf"|(?<![\w.,])(?:{_NUM})\s?(?:(?:bn|billion|million|trillion)\s)?(?:dollars|euros|pounds|yuan|yen)\b)"
)
_NUMBER = re.compile(rf"(?<![\w.,])(?:{_NUM})(?![\w])")
_YEAR = re.compile(r"^(?:19|20)\d\d$")
_NUMBER_WORD = re.compile(
    r"\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|"
    r"sixty|seventy|eighty|ninety|hundreds?|thousands?|millions?|billions?|trillions?|dozens?|"
    r"half|a third|a quarter|two-thirds|three-quarters)\b",
    re.IGNORECASE,
)
_MONTH_DATE = re.compile(
    r"\b(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan\.|Feb\.|Mar\.|Apr\.|Jun\.|Jul\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\.)(?=\s+\d|\s+(?:19|20)\d\d)"
    r"|\b(?:in|on|since|until|by|from|last|next|early|late|mid|of|through|before|after)\s+"
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December)\b"
    r"|\b(?:on\s+)?(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
    r"|\b(?:this|last|next|earlier this|later this)\s+(?:year|month|week|quarter|decade|spring|summer|autumn|"
    r"fall|winter)\b|\b(?:yesterday|tomorrow)\b"
)
_ATTRIBUTION = re.compile(
    r"\b(?:said|says|say|told|tells|reported|reports|announced|announces|estimated|estimates|stated|wrote|"
    r"writes|added|noted|confirmed|claimed|found|showed|shows|published|predicted|predicts|forecast|"
    r"forecasts|projected|projects|expects|expected|warned|warns)\b"
)
_PASSIVE_BEFORE = re.compile(r"\b(?:am|is|are|was|were|be|been|being)\s+(?:\w+ly\s+)?$", re.IGNORECASE)
_ACCORDING = re.compile(r"\baccording\s+to\b", re.IGNORECASE)
_SOURCE = re.compile(
    r"\b(?:a|the|its|their|an)\s+(?:\w+\s+)?(?:report|study|survey|analysis|filing|statement)\b"
    r"|\b(?:data|figures|statistics|estimates)\s+(?:from|by|published)\b",
    re.IGNORECASE,
)
_COMPARATIVE = re.compile(
    r"\b(?:(?:more|less|fewer|greater|higher|lower|larger|smaller|bigger|faster|slower|cheaper|better|worse)"
    r"\s+than|at\s+least|at\s+most|up\s+to|as\s+(?:much|many)\s+as|compared\s+(?:with|to)|up\s+from|"
    r"down\s+from|twice|(?:two|three|four|five|ten)\s+times)\b",
    re.IGNORECASE,
)
_SUPERLATIVE = re.compile(
    r"\b(?:the|its|their|his|her|world's|world’s|country's|country’s)\s+(?:(?:largest|biggest|smallest|"
    r"highest|lowest|fastest|slowest|greatest|cheapest|strongest|weakest|busiest|oldest|newest|best|worst|"
    r"first|only|most\s+\w+|least\s+\w+)(?:-\w+)?)\b|\b(?:a\s+)?record\b|\ball-time\s+(?:high|low)\b",
    re.IGNORECASE,
)
_QUANTITY = re.compile(
    r"\b(?:doubl(?:e|ed|es|ing)|tripl(?:e|ed|es|ing)|quadrupl(?:e|ed|es|ing)|halv(?:e|ed|es|ing)|rose|risen|"
    r"fell|fallen|grew|grown|increased|decreased|declined|surged|soared|plunged|plummeted|jumped|climbed|"
    r"dropped|slumped|tumbled|shrank|shrunk|expanded|contracted)\b",
    re.IGNORECASE,
)
_OPINION = re.compile(
    r"\b(?:I|we)\s+(?:think|believe|feel|reckon|suspect)\b|\bin\s+(?:my|our)\s+(?:view|opinion)\b|"
    r"\barguably\b|\bit\s+seems\b|\bseemingly\b|\bfrankly\b|\bin\s+fairness\b|\bto\s+be\s+fair\b",
    re.IGNORECASE,
)
_PRESCRIPTIVE = re.compile(r"\b(?:should|shouldn[’']t|must|mustn[’']t|ought\s+to)\b", re.IGNORECASE)
WEIGHTS = {
    "percentage": 0.5,
    "money": 0.5,
    "number": 0.35,
    "date/year": 0.3,
    "attribution": 0.3,
    "according to": 0.35,
    "source": 0.25,
    "quantity word": 0.3,
    "number word": 0.2,
    "superlative": 0.2,
    "comparative": 0.15,
}
FIGURES = ("percentage", "money", "number")
ATTRIBUTIONS = ("attribution", "according to", "source")


def find_cues(text: str) -> dict[str, list[str]]:
    """Claim cues in a masked sentence or clause: category -> the matched texts."""
    found: dict[str, list[str]] = {}

    def add(category: str, value: str) -> None:
        found.setdefault(category, [])
        value = squash(value)
        if value not in found[category]:
            found[category].append(value)

    taken: list[tuple[int, int]] = []
    for m in _PERCENT.finditer(text):
        add("percentage", m.group())
        taken.append(m.span())
    for m in _MONEY.finditer(text):
        add("money", m.group().strip())
        taken.append(m.span())
    for m in _NUMBER.finditer(text):
        if any(a <= m.start() < b for a, b in taken):
            continue
        value = m.group()
        if _YEAR.match(value):
            add("date/year", value)
        else:
            add("number", value)
    for m in _MONTH_DATE.finditer(text):
        add("date/year", m.group())
    for m in _NUMBER_WORD.finditer(text):
        if not any(a <= m.start() < b for a, b in taken):  # "billion" in "$26.3 billion" is money
            add("number word", m.group().lower())
    for m in _ACCORDING.finditer(text):
        add("according to", m.group().lower())
    for m in _ATTRIBUTION.finditer(text):
        if not _PASSIVE_BEFORE.search(text, 0, m.start()):  # "was told through chips" is not a source
            add("attribution", m.group())
    for m in _SOURCE.finditer(text):
        add("source", m.group())
    for m in _COMPARATIVE.finditer(text):
        add("comparative", m.group().lower())
    for m in _SUPERLATIVE.finditer(text):
        add("superlative", m.group().lower())
    for m in _QUANTITY.finditer(text):
        add("quantity word", m.group().lower())
    return found


def _cue_list(found: dict[str, list[str]]) -> list[str]:
    cues = []
    for category in WEIGHTS:
        for value in found.get(category, []):
            cues.append(clip(category if value == category else f"{category}: {value}"))
    return cues[:20]


def _score(found: dict[str, list[str]]) -> float:
    miss = 1.0
    for category, values in found.items():
        weight = WEIGHTS[category]
        if len(values) > 1 and category in FIGURES:
            weight = min(0.6, weight + 0.1)  # several figures: more to check
        miss *= 1 - weight
    return round(min(0.99, 1 - miss), 2)


def is_question(text: str) -> bool:
    return text.rstrip().rstrip("\"'”’)]*_ ").endswith("?")


# ------------------------------------------------------------------------------------------ claims


def _clauses(doc: Doc, sentence: Sentence) -> list[tuple[int, int]]:
    """A sentence's semicolon-separated clauses (the sentence itself when it has no semicolon)."""
    parts, start = [], sentence.start
    for m in re.finditer(r";", doc.masked[sentence.start : sentence.end]):
        at = sentence.start + m.start()
        parts.append((start, at))
        start = at + 1
    parts.append((start, sentence.end))
    return [span for a, b in parts if (span := trim(doc.masked, a, b))]


def skip_reason(text: str, found: dict) -> str | None:
    if is_question(text):
        return "question"
    if _OPINION.search(text):
        return "opinion"
    has_figure = any(c in found for c in FIGURES)
    if _PRESCRIPTIVE.search(text) and not (has_figure and any(c in found for c in ATTRIBUTIONS)):
        return "prescriptive"
    return None


def analyse(doc: Doc) -> dict:
    claims = []
    for sentence in doc.sentences:
        if sentence.kind in ("heading", "table_row"):
            continue
        full = doc.masked[sentence.start : sentence.end]
        if skip_reason(full, find_cues(full)):
            continue
        for start, end in _clauses(doc, sentence):
            found = find_cues(doc.masked[start:end])
            score = _score(found)
            if score >= CLAIM_THRESHOLD:
                claims.append((start, end, score, _cue_list(found)))
    seen_rows = set()
    for unit_index, unit in enumerate(doc.units):
        if unit.kind != "table_row" or unit_index in seen_rows:
            continue
        seen_rows.add(unit_index)
        texts = [doc.masked[a:b] for a, b in unit.cells if not is_question(doc.masked[a:b])]
        found = find_cues(" ; ".join(texts))
        if not any(c in found for c in (*FIGURES, "date/year")):
            continue
        score = _score(found)
        if score >= CLAIM_THRESHOLD:
            claims.append((unit.start, unit.end, score, ["table row", *_cue_list(found)][:20]))
    out = []
    for start, end, score, cues in sorted(claims):
        if end - start > MAX_TEXT:
            end = start + MAX_TEXT
        out.append({"text": doc.body[start:end], "start": start, "end": end, "score": score, "cues": cues})
    return {"claims": out[:200]}
