"""The fact-check queue on other apps' pages: the article's workflow panel loads these."""

from django import template

from editorial import services

register = template.Library()


@register.simple_tag
def claims_out_of_gate(article) -> list[services.GateRelease]:
    """`{% claims_out_of_gate original as released %}`: pending claims lowered out of the publish gate."""
    return services.claims_out_of_gate(article)
