"""One UPDATE for many rows that each get values of their own.

A wave of writes from many connections (acks, status reports) changes many rows at once,
each differently (its own ms, its own uptime). One UPDATE per row costs a round trip each
in the fleet's one database thread; one UPDATE for the lot, with a CASE on the rows for the
fields whose values differ, costs one.
"""

from django.db.models import Case, F, Value, When

# Rows in one such UPDATE, at most: each adds two parameters per differing field, and
# SQLite before 3.32 takes at most 999 in one statement.
CHUNK = 50


def per_row(model, changes, fields=None):
    """The values of one UPDATE for ``[(row condition, {field: value})]``, every change with
    the same fields: a field (of ``fields``, default every one) whose value is not the same
    for every row (an expression never counts as the same) becomes a CASE on the rows; the
    others take the first change's value."""
    def is_expression(value):  # F(), F() + n, Coalesce(...): anything the ORM resolves
        return hasattr(value, "resolve_expression")

    merged = dict(changes[0][1])
    for field in merged if fields is None else fields:
        if field not in merged:
            continue
        values = [change[field] for _, change in changes]
        # By equality, not hashing: a JSON field's values are dicts.
        if len(values) == 1 or (
            not any(is_expression(value) for value in values) and all(value == values[0] for value in values[1:])
        ):
            continue
        model_field = model._meta.get_field(field)
        merged[field] = Case(
            *(
                When(row, then=value if is_expression(value) else Value(value, output_field=model_field))
                for (row, _), value in zip(changes, values)
            ),
            default=F(field),
            output_field=model_field,
        )
    return merged


def chunks(items, size=CHUNK):
    for start in range(0, len(items), size):
        yield items[start:start + size]
