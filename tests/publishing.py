"""Putting a version of an article before readers, as the newsroom does: save it, submit, approve, publish."""

from articles import services


def publish(article, *, author, editor, **relations):
    """Save the working copy with `relations` (topics=…, entities=[EntityLine…]) as a version if given,
    then submit, approve and publish it: what readers see is that version."""
    if relations:
        services.article_save(article, by=editor, reason="Filed", **relations)
    services.article_submit(article, by=author)
    services.article_approve(article, by=editor)
    return services.article_publish(article, by=editor)
