from datetime import date, datetime

from django import template

register = template.Library()


@register.filter(expects_localtime=True)
def html_datetime(value: date | datetime | None) -> str:
    """A `<time datetime>` value: ISO 8601 to the second. HTML allows at most three fractional digits,
    and `date:"c"` writes Python's six."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return ""
