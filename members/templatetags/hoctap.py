from django import template
from django.utils.html import format_html

from members import submissions

register = template.Library()


@register.simple_tag
def once_field() -> str:
    """The one-time key of a form that creates something (members.submissions)."""
    return format_html(
        '<input type="hidden" name="{}" value="{}">', submissions.FIELD, submissions.new_key()
    )
