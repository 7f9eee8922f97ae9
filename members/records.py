"""What a row holds: the records of other apps that point at it.

A lower app (study) must never import the apps above it (attendance, speakers), yet an edit of
a segment or a connection point must know what happened in it. The reverse relations Django
keeps on every model answer that without an import: each relation is counted, and a model
that records events may also say whether a change of the row it points at would contradict
them (a class method `change_conflict(row, change) -> str | None`).
"""

from django.db.models import Model
from django.db.models.fields.reverse_related import ForeignObjectRel


def _record_relations(model: type[Model]) -> list[ForeignObjectRel]:
    return [
        field
        for field in model._meta.get_fields(include_hidden=True)
        if field.auto_created and not field.concrete and (field.one_to_many or field.one_to_one)
    ]


def records_held(row: Model) -> list[tuple[str, int]]:
    """(plural name, count) of every kind of record pointing at the row, those with any."""
    held = []
    for relation in _record_relations(type(row)):
        count = relation.related_model._base_manager.filter(**{relation.field.name: row}).count()
        if count:
            held.append((str(relation.related_model._meta.verbose_name_plural), count))
    return held


def change_conflicts(row: Model, change: object) -> list[str]:
    """What the records pointing at the row say against the change (empty: nothing)."""
    reasons = []
    for relation in _record_relations(type(row)):
        check = getattr(relation.related_model, "change_conflict", None)
        if check is not None:
            reason = check(row, change)
            if reason:
                reasons.append(str(reason))
    return reasons
