from django import template

register = template.Library()


@register.filter
def warnings_of(found: dict, key: int) -> list:
    """The standing warnings of a member (or of a cell, on a member's own year)."""
    return found.get(key, []) if found else []
