"""The SQL of an INSERT ... RETURNING the keys, as Django writes it, for a statement that does more
in the same round trip (PostgreSQL runs data-modifying WITH clauses as one statement)."""

from django.db import connection


def insert_returning(model, objs) -> tuple[str, list]:
    """``INSERT`` of ``objs`` (every column but the key, ``pre_save`` applied as ``save()`` does)
    ``RETURNING`` their keys in order, and its parameters."""
    from django.db.models.sql import InsertQuery

    query = InsertQuery(model)
    query.insert_values([f for f in model._meta.concrete_fields if not f.primary_key], objs)
    compiler = query.get_compiler(connection=connection)
    compiler.returning_fields = [model._meta.pk]
    ((sql, params),) = compiler.as_sql()
    return sql, list(params)


def stored(objs, keys) -> None:
    """Mark ``objs`` as saved with their new ``keys`` (rows of one key each)."""
    for obj, (pk,) in zip(objs, keys, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias
