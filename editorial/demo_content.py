"""The demo newsroom's text: an article in the shape of a real published page (sections, a pull quote,
a three-column reader table) and a draft. Used by `manage.py seed_demo`."""

PUBLISHED_TITLE = "The Grid Is the New Bottleneck for AI"
PUBLISHED_SLUG = "grid-is-the-new-bottleneck-for-ai"
PUBLISHED_DEK = (
    "Chips get the headlines, but electricity and transmission lines now decide where, and how fast, "
    "large models can be trained."
)
PUBLISHED_BODY = """\
For three years the story of artificial intelligence infrastructure was told through chips: who could
buy accelerators, who could make them, and who was allowed to export them. That story is not over, but
operators now say the scarcer input is power. According to the International Energy Agency, data
centres used about 415 terawatt-hours of electricity in 2024, roughly 1.5% of global demand, and the
agency expects that figure to more than double by 2030.

A single large training cluster can draw more than 100 megawatts, about as much as a city of 80,000
homes. Utilities in Virginia, Ireland and the Netherlands have told developers that new connections
may take five years or longer, because substations and transmission lines were planned for a slower
world.

## Where the constraint bites

The delay does not fall evenly. Companies that signed long-term power purchase agreements before 2023
can expand on existing sites; newcomers queue. "Interconnection is now the critical path for every
project we look at," said Maria Lindqvist, an energy analyst at Nordic Grid Research, in an interview.
That favours incumbents and pushes new capacity toward places with spare hydro, nuclear or gas
capacity, even when those places are far from users.

Inference is less demanding than training, and it can move closer to readers and customers. Training
cannot: it needs tens of thousands of accelerators in one building, fed continuously for weeks.

## What readers are asking

| Reader question | What matters now | Editorial answer |
|---|---|---|
| Is the chip shortage over? | Power and permits | Chips are easier to buy than megawatts. |
| Who gains? | Sites with firm power | Operators that locked in supply early. |
| What should regulators watch? | Grid queues | Connection rules now shape the AI market. |

> In this build-out, a transmission line is worth more than a purchase order for chips.

## Efficiency is the other lever

Engineers respond by wringing more work from every watt. Lower-precision arithmetic, better cooling and
scheduling jobs to follow cheap renewable supply can cut the energy per training run, though rarely by
enough to offset growth in model size. Some operators now publish the energy used for each model they
release; most still do not, which makes independent comparison difficult.

## What to watch

Grid operators in the United States and Europe are rewriting connection rules for large loads this
year. Those rules, more than any single chip launch, will decide where the next generation of models is
trained, and who can afford to train them.
"""

DRAFT_TITLE = "Why Newsrooms Should Log Every AI Suggestion"
DRAFT_SLUG = "why-newsrooms-should-log-every-ai-suggestion"
DRAFT_DEK = "A record of machine help is the cheapest trust signal a publisher can offer."
DRAFT_BODY = """\
Readers increasingly ask whether a story was written by a person. The more useful question is which
steps a machine helped with, and who checked its work.

## The case for a ledger

A ledger of AI assistance records what was asked, which model answered, and who accepted the result.
It turns a vague promise into something an editor can audit.
"""

PEOPLE = {
    "author": {
        "name": "Ada Okafor",
        "slug": "ada-okafor",
        "title": "Technology correspondent",
        "group": "Author",
        "background": (
            "Ada has reported on semiconductors and energy infrastructure for nine years, first at a trade "
            "weekly and then as a correspondent in Brussels. She studied electrical engineering."
        ),
        "responsibilities": (
            "Covers AI infrastructure: compute, power and the policy around them. Writes and updates her "
            "own articles; every article she writes is reviewed by a named editor before publication."
        ),
        "disclosure": (
            "employment",
            "Worked as a communications intern at a European grid operator in 2014.",
        ),
    },
    "editor": {
        "name": "Tomás Rivera",
        "slug": "tomas-rivera",
        "title": "Technology editor",
        "group": "Editor",
        "background": "Tomás led the business desk for six years before editing the technology section.",
        "responsibilities": (
            "Responsible for the publication quality, sourcing, updates and corrections of the technology "
            "section's articles, and for approving AI-assisted work before it is published."
        ),
        "disclosure": ("financial", "Holds a broad index fund that includes shares in listed chipmakers."),
    },
    "checker": {
        "name": "Mei Chen",
        "slug": "mei-chen",
        "title": "Fact-checker",
        "group": "Fact-checker",
        "background": "Mei checked figures for a statistics agency before joining the research desk.",
        "responsibilities": "Verifies check-worthy claims and the sources behind them before publication.",
        "disclosure": ("other", "Volunteers with a non-profit that teaches data literacy."),
    },
    "desk": {
        "name": "Jonas Weber",
        "slug": "jonas-weber",
        "title": "Standards editor",
        "group": "Corrections desk",
        "background": "Jonas has handled readers' complaints and corrections for a regional daily.",
        "responsibilities": "Triages reader corrections and writes the public correction notes.",
        "disclosure": ("relationship", "His partner works in communications for a telecoms company."),
    },
}

# A reader's report the desk accepted: the demo's one public correction.
CORRECTION_QUOTE = "Grid operators in the United States and Europe are rewriting connection rules"
CORRECTION_OLD = (
    "Grid operators in the United States and Europe are rewriting connection rules for large loads"
)
CORRECTION_NEW = (
    "Grid operators in several US states and some European countries are rewriting rules for large loads"
)
CORRECTION_EXPLANATION = (
    "Not every operator is changing its rules: the changes are under way in some US states and a few "
    "European countries."
)
CORRECTION_NOTE = (
    "An earlier version said grid operators in the United States and Europe were rewriting connection "
    "rules. The changes are under way in several US states and some European countries, not everywhere."
)

# The published article's check-worthy claims, each checked by the fact-checker before publication:
# (claim as it stands in the text, check-worthiness, verdict note, evidence or None).
CLAIMS = [
    (
        "roughly 1.5% of global demand, and the\nagency expects that figure to more than double by 2030",
        0.95,
        "Matches the agency's Energy and AI report (2025), executive summary.",
        ("https://www.iea.org/reports/energy-and-ai", "IEA, Energy and AI (2025)", True),
    ),
    (
        "new connections\nmay take five years or longer",
        0.8,
        "Confirmed with two utilities' published connection guidance; the range varies by region.",
        None,
    ),
    (
        "Companies that signed long-term power purchase\nagreements before 2023 can expand on existing sites",
        0.6,
        "Attributed to operators in the reporting notes; no single public source.",
        None,
    ),
]

# A second published article, put live by the editor over the publish gate while one check-worthy claim
# still waited for a verdict: what the transparency box says of such a publication.
OVERRIDDEN_TITLE = "Local Papers Turn to a Shared Fact-Checking Desk"
OVERRIDDEN_SLUG = "local-papers-turn-to-a-shared-fact-checking-desk"
OVERRIDDEN_DEK = (
    "Regional titles are pooling checkers to keep up with election season, and say openly what they "
    "could not check in time."
)
OVERRIDDEN_BODY = """\
Twelve regional newspapers in the north of England now share one fact-checking desk of six people.
The desk started in March and checks the claims each paper marks as most important before publication.

Editors say the arrangement costs less than a checker per title. "We could not have covered the
council elections otherwise," said Priya Nair, who edits one of the papers. The desk also keeps a public
list of the claims it has not yet been able to check.

## What is still open

The group says the desk checked about 900 claims in its first three months. That figure comes from the
group itself.
"""
OVERRIDDEN_REASON = (
    "Election-week explainer: the 900-claims figure is attributed to the group in the text and is being "
    "checked with its annual report."
)
# (claim, check-worthiness, verdict or None for still pending, note, evidence or None)
OVERRIDDEN_CLAIMS = [
    (
        "Twelve regional newspapers in the north of England now share one fact-checking desk of six people",
        0.9,
        "verified",
        "Confirmed with the group's announcement and a call to its managing editor.",
        ("https://example.org/shared-desk", "The group's announcement of the shared desk", True),
    ),
    ("the desk checked about 900 claims in its first three months", 0.8, None, "", None),
]
