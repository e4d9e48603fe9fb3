"""The local AI provider: offline rules over the Markdown source, exact offsets, and the cues that fired."""

import json
import re
import statistics
import time
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from editorial import demo_content
from editorial.ai import contract
from editorial.ai.contract import ArticleInput, ProviderError
from editorial.ai.local import LocalProvider, lexicon
from editorial.ai.local.document import split_sentences

# The page the product must publish, kept beside the checkout.
SEED_PAGE = Path(__file__).resolve().parents[4] / "shared" / "seed" / "article-page.txt"
TOPICS = ["AI infrastructure", "Energy", "Media", "Chips", "Policy"]

NEWS = """\
# Chipmakers race to build near the grid

Nvidia said on Tuesday that revenue from data-centre chips rose 94% to $26.3 billion in the three months
to April, more than analysts had expected. "Demand is still outstripping supply," said Jensen Huang, the
company's chief executive, in a call with investors.

The International Energy Agency (IEA) estimates that electricity demand from data centres could double by
2026. The IEA said in a report that the United States accounted for 45% of the total in 2022.

In order to secure power, a number of developers have signed contracts with utilities in Virginia, and
the state's grid operator has been asked by regulators to publish a new queue of connection requests for
large loads before the end of the year, but officials have not yet said when that queue will open to
new applicants.

Capacity at the Ashburn campus was expanded by 40% last year. The PUE of the new halls is 1.2, according to
the operator. Dr. Anna Berg of the Technical University of Munich told Reuters that the U.S. figures were
"plausible" but incomplete.

I think regulators should move faster than 12 months. Should taxpayers foot the 5% bill? In our view, the
rules are arguably too lax.
"""

BARE_ACRONYM = """\
The IEA expects demand from data centres to double by 2030, the agency said in a report.

"We are doing this in order to keep the lights on," said Sara Okoye, a director at Grid Futures Group.
"""

MARKUP = """\
Intro with a [link to the IEA report](https://www.iea.org/reports/energy-and-ai?x=1.5%) and **bold 12%**
text, the agency said.

```
IEA said 50% of ABCD things in order to test.
```

- First item says revenue rose 20% in 2024, the company said.
- Second item has no figures.
"""

TABLE_ONLY = "| Year | Demand |\n|---|---|\n| 2024 | 415 TWh |\n| 2030 | 945 TWh |\n"


def article(body, title="A test article", dek="", topics=TOPICS):
    return ArticleInput(title=title, dek=dek, body=body, topics=list(topics))


def demo():
    return ArticleInput(
        title=demo_content.PUBLISHED_TITLE,
        dek=demo_content.PUBLISHED_DEK,
        body=demo_content.PUBLISHED_BODY,
        topics=["AI infrastructure", "Energy", "Media"],
    )


def run(kind, item):
    result = LocalProvider().run(kind, item, lambda p: None)
    assert contract.validate(kind, result.output) is result.output
    return result.output


def spans(kind, output):
    """Every (start, end, text-or-None) the output points at in the body."""
    if kind == "claims":
        return [(c["start"], c["end"], c["text"]) for c in output["claims"]]
    if kind == "entities":
        return [(m["start"], m["end"], None) for e in output["entities"] for m in e["mentions"]]
    if kind == "quality":
        return [(f["start"], f["end"], None) for f in output["flags"]]
    return []


def word_counts(text):
    return Counter(re.findall(r"[a-z0-9'$%]+", text.lower()))


def by_text(claims, needle):
    return next(c for c in claims if needle in c["text"])


def entity(output, name):
    return next(e for e in output["entities"] if e["name"] == name)


def flags(output, kind):
    return [f for f in output["flags"] if f["kind"] == kind]


# ------------------------------------------------------------------------------------------- claims


def test_it_finds_claims_with_figures_and_attributions_and_skips_opinions():
    claims = run("claims", article(NEWS))["claims"]
    texts = [c["text"] for c in claims]

    revenue = by_text(claims, "rose 94%")
    assert revenue["score"] >= 0.9
    assert {"percentage: 94%", "money: $26.3 billion", "attribution: said", "quantity word: rose"} <= set(
        revenue["cues"]
    )
    assert "date/year: on Tuesday" in revenue["cues"]
    share = by_text(claims, "accounted for 45%")
    assert {"percentage: 45%", "date/year: 2022", "attribution: said"} <= set(share["cues"])
    assert "according to" in by_text(claims, "PUE of the new halls")["cues"]
    assert "attribution: said" in by_text(claims, "Demand is still outstripping supply")["cues"]
    # Opinions, questions and prescriptions are skipped even with figures in them; so are headings.
    for skipped in ("I think", "Should taxpayers", "In our view", "Chipmakers race"):
        assert not any(skipped in t for t in texts), skipped
    assert [c["start"] for c in claims] == sorted(c["start"] for c in claims)


def test_it_finds_the_demo_articles_checked_claims():
    claims = run("claims", demo())["claims"]
    body = demo_content.PUBLISHED_BODY
    # The fact-checker's three claims (line breaks aside) each lie inside one found claim.
    for text, *_ in demo_content.CLAIMS:
        found = re.search(r"\s+".join(map(re.escape, text.split())), body)
        assert any(c["start"] <= found.start() and found.end() <= c["end"] for c in claims), text
    # A semicolon splits clauses: the claim is the clause with the date, as the fact-checker wrote it.
    assert " ".join(demo_content.CLAIMS[2][0].split()) in [" ".join(c["text"].split()) for c in claims]
    iea = by_text(claims, "1.5%")
    assert {"percentage: 1.5%", "number: 415", "date/year: 2024", "according to"} <= set(iea["cues"])
    assert iea["score"] > 0.9
    # The pull quote, the reader table (no figures) and the headings are not claims.
    assert not any("worth more than a purchase order" in c["text"] for c in claims)
    assert not any("Reader question" in c["text"] or "What to watch" in c["text"] for c in claims)


def test_it_keeps_every_offset_exact():
    items = [demo(), article(NEWS), article(BARE_ACRONYM), article(MARKUP), article(TABLE_ONLY)]
    items.append(article(demo_content.DRAFT_BODY, title=demo_content.DRAFT_TITLE))
    for item in items:
        for kind in ("claims", "entities", "quality"):
            output = run(kind, item)
            for start, end, text in spans(kind, output):
                assert 0 <= start < end <= len(item.body)
                if text is not None:
                    assert item.body[start:end] == text
        for entity_ in run("entities", item)["entities"]:
            names = {entity_["name"].lower(), *(a.lower() for a in entity_["aliases"])}
            for m in entity_["mentions"]:
                assert " ".join(item.body[m["start"] : m["end"]].split()).lower() in names
        for suggestion in run("suggest", item)["suggestions"]:
            assert suggestion["original"] in item.body


def test_it_counts_table_rows_with_figures_as_claims():
    claims = run("claims", article(TABLE_ONLY))["claims"]
    assert [c["text"] for c in claims] == ["2024 | 415 TWh", "2030 | 945 TWh"]
    assert all("table row" in c["cues"] and "number: 415" in claims[0]["cues"] for c in claims)


def test_it_ignores_code_link_targets_and_markup():
    item = article(MARKUP)
    claims = run("claims", item)["claims"]
    fence = (MARKUP.index("```"), MARKUP.rindex("```"))
    for kind in ("claims", "entities", "quality"):
        for start, _end, _text in spans(kind, run(kind, item)):
            assert not fence[0] <= start <= fence[1], kind
            assert not MARKUP.index("(https") <= start < MARKUP.index(") and")
    assert by_text(claims, "First item")["text"].startswith("First item says revenue rose 20%")
    assert by_text(claims, "bold 12%")["start"] == 0
    iea = entity(run("entities", item), "International Energy Agency")
    assert [MARKUP[m["start"] : m["end"]] for m in iea["mentions"]] == ["IEA"]


# ----------------------------------------------------------------------------------------- entities


def test_it_types_and_clusters_entities():
    output = run("entities", article(NEWS))
    us = entity(output, "United States")
    assert (us["type"], us["cluster"]) == ("place", "Places and governments")
    assert [NEWS[m["start"] : m["end"]] for m in us["mentions"]] == ["United States", "U.S."]
    iea = entity(output, "International Energy Agency")
    assert (iea["type"], iea["cluster"]) == ("organisation", "Companies and institutions")
    assert "IEA" in iea["aliases"]
    assert [NEWS[m["start"] : m["end"]] for m in iea["mentions"]] == [
        "International Energy Agency",
        "IEA",
        "IEA",
    ]
    huang = entity(output, "Jensen Huang")
    assert (huang["type"], huang["cluster"]) == ("person", "People")
    assert huang["description"] == "Person quoted in the article: the company's chief executive"
    assert entity(output, "Anna Berg")["type"] == "person"
    assert entity(output, "Technical University of Munich")["type"] == "organisation"
    assert entity(output, "Nvidia")["type"] == "organisation"
    # Clusters: exactly the ones used, each described.
    used = {e["cluster"] for e in output["entities"]}
    assert {c["name"] for c in output["clusters"]} == used
    assert all(c["description"] for c in output["clusters"])


def test_it_finds_the_quoted_analyst_and_her_organisation_in_the_demo():
    output = run("entities", demo())
    names = {e["name"]: e for e in output["entities"]}
    lindqvist = names["Maria Lindqvist"]
    assert lindqvist["type"] == "person"
    assert lindqvist["description"].startswith("Person quoted in the article")
    assert "energy analyst at Nordic Grid Research" in lindqvist["description"]
    assert names["Nordic Grid Research"]["type"] == "organisation"
    assert names["Nordic Grid Research"]["description"] == "Organisation named in the article"
    for place in ("Virginia", "Ireland", "Netherlands", "United States", "Europe"):
        assert names[place]["type"] == "place", place
    # Section headings and sentence-initial words are not names.
    for word in ("What", "Where", "Efficiency", "Grid", "Utilities", "Companies", "Reader", "Inference"):
        assert word not in names, word


def test_it_adds_a_surname_alone_to_its_person():
    body = (
        '"We will build three plants," said Lena Marsh, the chief executive of Ostwind Power.\n\n'
        "Marsh added that construction would start in 2027."
    )
    marsh = entity(run("entities", article(body)), "Lena Marsh")
    assert marsh["aliases"] == ["Marsh"]
    assert [body[m["start"] : m["end"]] for m in marsh["mentions"]] == ["Lena Marsh", "Marsh"]


# ----------------------------------------------------------------------------------------- metadata


def test_it_writes_metadata_from_the_text():
    output = run("metadata", demo())
    assert output["topics"] == ["AI infrastructure", "Energy"]  # "Media" is not in the text
    assert output["dek"].startswith("For three years the story of artificial intelligence infrastructure")
    assert len(output["dek"]) <= 200 and "\n" not in output["dek"]
    assert len(output["seo_description"]) <= 160
    assert 1 <= len(output["keywords"]) <= 10
    assert {"chips", "power", "grid"} <= set(output["keywords"])
    assert not set(output["keywords"]) & {"the", "said", "more", "large"}


def test_it_chooses_topics_only_from_the_newsrooms_list():
    output = run("metadata", article(NEWS, topics=["Energy", "Chips", "Media", "Policy", "Elections"]))
    assert set(output["topics"]) <= {"Energy", "Chips", "Media", "Policy", "Elections"}
    assert "Chips" in output["topics"] and "Elections" not in output["topics"]
    assert run("metadata", article(NEWS, topics=[]))["topics"] == []


def test_it_cuts_a_long_lede_at_whole_words():
    lede = " ".join(["Operators"] + ["connect"] * 80) + "."
    output = run("metadata", article(lede, dek=""))
    for field, limit in (("dek", 200), ("seo_description", 160)):
        text = output[field]
        assert len(text) <= limit and text.endswith("…")
        assert lede.startswith(text[:-1]) and lede[len(text) - 1] == " "


# ------------------------------------------------------------------------------------------ quality


def test_it_flags_quality_problems_with_their_cues():
    output = run("quality", article(NEWS))
    assert output["readability"]["sentences"] >= 10 and output["readability"]["words"] > 150
    assert 5 < output["readability"]["grade"] < 20

    long = flags(output, "long_sentence")
    assert len(long) == 1 and NEWS[long[0]["start"] :].startswith("In order to secure power")
    assert long[0]["cues"][0].endswith("words")
    passives = {NEWS[f["start"] : f["end"]]: f for f in flags(output, "passive_voice")}
    assert "agent: by regulators" in passives["been asked"]["cues"]
    assert "was expanded" in passives
    acronyms = {NEWS[f["start"] : f["end"]] for f in flags(output, "undefined_acronym")}
    assert acronyms == {"PUE"}  # IEA is defined as "(IEA)"; U.S. is allowed
    phrases = [NEWS[f["start"] : f["end"]] for f in flags(output, "style_phrase")]
    assert phrases == ["In order to", "a number of"]
    unattributed = flags(output, "unattributed_claim")
    assert [NEWS[f["start"] : f["end"]] for f in unattributed] == [
        "Capacity at the Ashburn campus was expanded by 40% last year."
    ]
    assert "percentage: 40%" in unattributed[0]["cues"]
    assert all(f["message"] and f["cues"] for f in output["flags"])


def test_it_flags_demo_passives_jargon_and_the_unsourced_figure():
    output = run("quality", demo())
    body = demo_content.PUBLISHED_BODY
    passives = [" ".join(body[f["start"] : f["end"]].split()) for f in flags(output, "passive_voice")]
    assert {"was told", "were planned", "is trained"} <= set(passives)
    assert [body[f["start"] : f["end"]] for f in flags(output, "unattributed_claim")] == [
        "A single large training cluster can draw more than 100 megawatts, about as much as a city of 80,000"
        "\nhomes."
    ]
    assert "power purchase agreements" in [body[f["start"] : f["end"]] for f in flags(output, "jargon")]
    assert not flags(output, "undefined_acronym")  # AI is on the allowlist


def test_it_flags_an_acronym_used_before_its_definition():
    body = "The GW figure matters. Capacity is measured in gigawatts (GW) by grid operators."
    (flag,) = flags(run("quality", article(body)), "undefined_acronym")
    assert body[flag["start"] : flag["end"]] == "GW"
    assert "used before it is defined" in flag["message"]


# ------------------------------------------------------------------------------------------ suggest


def test_it_suggests_plain_phrases_and_splits_a_long_sentence():
    (suggestion,) = run("suggest", article(NEWS))["suggestions"]
    assert suggestion["original"].startswith("In order to secure power, a number of developers")
    assert suggestion["original"] in NEWS
    rewrite = suggestion["rewrite"]
    assert rewrite.startswith(
        "To secure power, several developers have signed contracts with utilities in Virginia."
    )
    assert "\nThe state's grid operator has been asked" in rewrite
    assert "end of the year. But officials have not yet said" in rewrite  # the contrast stays
    assert (
        "'In order to' → 'to'" in suggestion["reason"] and "split a 57-word sentence" in suggestion["reason"]
    )
    # Nothing is invented: the rewrite only drops the wordy phrases' words and the joining "and".
    original = word_counts(suggestion["original"])
    assert original - word_counts(rewrite) == Counter(["in", "order", "a", "number", "of", "and"])
    assert word_counts(rewrite) - original == Counter(["several"])


def test_it_spells_out_a_known_acronym_and_leaves_quotes_alone():
    item = article(BARE_ACRONYM)
    (suggestion,) = run("suggest", item)["suggestions"]
    assert (
        suggestion["original"]
        == "The IEA expects demand from data centres to double by 2030, the agency said in a report."
    )
    assert suggestion["rewrite"].startswith("The International Energy Agency (IEA) expects demand")
    assert "spell out IEA" in suggestion["reason"]
    quality = run("quality", item)
    (phrase,) = flags(quality, "style_phrase")
    assert "inside a quotation: keep the speaker's words" in phrase["cues"]
    (acronym,) = flags(quality, "undefined_acronym")
    assert "gazetteer: International Energy Agency" in acronym["cues"]
    people = run("entities", item)
    assert entity(people, "Sara Okoye")["type"] == "person"
    assert entity(people, "Grid Futures Group")["type"] == "organisation"


def test_it_deletes_an_empty_phrase_and_recapitalises():
    body = "It goes without saying that prices rose 3% in 2025, the regulator said."
    (suggestion,) = run("suggest", article(body))["suggestions"]
    assert suggestion["rewrite"] == "Prices rose 3% in 2025, the regulator said."


# ------------------------------------------------------------------------------------ edge and shape


@pytest.mark.parametrize("body", ["", "   \n\n", TABLE_ONLY, "```\ncode only\n```\n", "# Only a heading\n"])
def test_it_handles_bodies_without_prose(body):
    for kind in contract.KINDS:
        output = run(kind, article(body))
        assert output is not None
    quality = run("quality", article(body))
    assert quality["readability"]["sentences"] == 0 and quality["readability"]["grade"] == 0.0
    assert len(run("metadata", article(body, title="Only a title"))["dek"]) <= 200


def test_it_reports_progress_and_sends_nothing():
    seen = []
    result = LocalProvider().run("claims", demo(), seen.append)
    assert seen[0] == 0 and seen[-1] == 100 and seen == sorted(seen) and len(seen) >= 3
    assert (result.tokens_in, result.tokens_out, result.bytes_sent) == (None, None, 0)
    provider = LocalProvider()
    assert provider.name == "local" and provider.model.startswith("rules-")


def test_it_rejects_an_unknown_kind():
    with pytest.raises(ProviderError):
        LocalProvider().run("poetry", demo(), lambda p: None)


def test_it_is_fast_on_the_demo_article():
    item, provider = demo(), LocalProvider()
    for kind in contract.KINDS:
        provider.run(kind, item, lambda p: None)
        times = []
        for _ in range(7):
            started = time.perf_counter()
            provider.run(kind, item, lambda p: None)
            times.append(time.perf_counter() - started)
        assert statistics.median(times) < 0.1, kind  # ~5-10 ms here; generous for slow CI machines


def test_it_splits_sentences_around_abbreviations_initials_and_decimals():
    text = (
        "Dr. Smith met Mr. Jones at 3 p.m. on Jan. 5 in the U.S. capital. Costs rose 1.5 times, e.g. "
        "at Acme Inc. and No. 5 Ltd. It said J. R. Tolkien wrote books. Prices rose in the U.S. "
        "The rest followed. "
        'Is it over? "No," she said. Done!'
    )
    assert [text[a:b] for a, b in split_sentences(text)] == [
        "Dr. Smith met Mr. Jones at 3 p.m. on Jan. 5 in the U.S. capital.",
        "Costs rose 1.5 times, e.g. at Acme Inc. and No. 5 Ltd.",
        "It said J. R. Tolkien wrote books.",
        "Prices rose in the U.S.",
        "The rest followed.",
        "Is it over?",
        '"No," she said.',
        "Done!",
    ]


def test_it_loads_editable_data_files():
    root = lexicon.DATA_DIR
    style = json.loads((root / "style.json").read_text())
    assert style["style_phrases"]["in order to"] == "to"
    assert {"US", "UK", "EU", "AI"} <= set(style["acronym_allowlist"]) and style["jargon"]
    words = json.loads((root / "words.json").read_text())
    assert "the" in words["stopwords"] and "Dr" in words["titles"] and "Inc" in words["org_suffixes"]
    gazetteer = json.loads((root / "gazetteer.json").read_text())
    types = {"person", "organisation", "place", "technology", "product", "event", "other"}
    assert len(gazetteer["entities"]) >= 30
    for entry in gazetteer["entities"]:
        assert entry["type"] in types and entry["cluster"] in gazetteer["clusters"] and entry["description"]


_fragments = st.sampled_from(
    [
        "# Heading\n",
        "\n\n",
        "\n",
        "> ",
        "- ",
        "| a | 5% |\n",
        "|---|---|\n",
        "```\n",
        "`x`",
        "**",
        "[l](http://x.y/z)",
        "The IEA said",
        " 1.5% ",
        " in 2024",
        ", and ",
        "; ",
        ". ",
        "? ",
        "Mr. ",
        "U.S. ",
        "Maria Lindqvist",
        " said ",
        "in order to",
        " was built by ",
        "ABC ",
        "(ABC)",
        "\u201cquoted\u201d",
        '"',
        "é",
        " ",
        "word",
    ]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_fragments, max_size=40).map("".join))
def test_it_never_breaks_on_odd_markdown(body):
    item = article(body)
    for kind in contract.KINDS:
        output = run(kind, item)
        for start, end, text in spans(kind, output):
            assert 0 <= start < end <= len(body)
            if text is not None:
                assert body[start:end] == text
        if kind == "suggest":
            assert all(s["original"] in body for s in output["suggestions"])


# ------------------------------------------------------------------------------- a real published page


@pytest.mark.skipif(not SEED_PAGE.exists(), reason=f"needs {SEED_PAGE} (outside the repository)")
def test_it_reads_a_real_published_page_without_inventing_entities():
    title, _, rest = SEED_PAGE.read_text(encoding="utf-8").partition("\n")
    # The article's text ends where the page's entity box begins; the box names entities the text never does.
    body = rest.split("Entities In This Article")[0]
    item = ArticleInput(title=title, dek="", body=body, topics=["AI infrastructure", "Energy", "Media"])
    outputs = {kind: run(kind, item) for kind in contract.KINDS}
    names = {e["name"] for e in outputs["entities"]["entities"]}
    for listed in ("China", "United States", "AI chips"):
        assert (listed in names) == (listed in body), listed
    assert {"FlashAttention", "CUDA", "MMLU", "HumanEval"} <= names
    acronyms = {body[f["start"] : f["end"]] for f in flags(outputs["quality"], "undefined_acronym")}
    assert {"FP8", "FP4", "MMLU"} <= acronyms
    assert not acronyms & {"FLOPs", "FLOPS", "SGD", "SFT", "RLHF", "CUDA", "AI"}  # defined, known or allowed
    headings = ("Compute Is the Strategic Chokepoint", "Models Travel Differently", "Security Moves Into")
    assert not any(h in c["text"] for c in outputs["claims"]["claims"] for h in headings)
    assert outputs["quality"]["readability"]["grade"] > 14  # dense technical prose
    for kind in ("claims", "entities", "quality"):
        for start, end, text in spans(kind, outputs[kind]):
            assert text is None or body[start:end] == text
