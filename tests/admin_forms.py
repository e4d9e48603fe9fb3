"""What a browser posts with an admin change form besides its fields: the management form of each inline.

`no_inline_changes(*prefixes)` says "no rows shown, none added"; like Django's own inline saving, the
article's admin leaves rows the post does not carry as they are."""

ARTICLE_INLINES = ("article_entities",)


def no_inline_changes(*prefixes: str) -> dict[str, str]:
    data = {}
    for prefix in prefixes or ARTICLE_INLINES:
        data |= {
            f"{prefix}-TOTAL_FORMS": "0",
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }
    return data
