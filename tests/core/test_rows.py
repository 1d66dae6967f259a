"""attkit.core.rows: instances read by hand-written SQL are the instances the ORM would give, on both databases."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.forms.models import model_to_dict

from attkit.accounts import services as accounts
from attkit.accounts.models import ApiToken, User
from attkit.core import rows
from attkit.core.permissions import Role

pytestmark = pytest.mark.django_db


def _fetch(sql: str, params: list[Any]) -> tuple[Any, ...]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    assert row is not None
    return tuple(row)


def _fields(instance: Any) -> dict[str, Any]:
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


def test_every_column_is_converted_as_the_orm_converts_it(make_user):
    """UUID key, datetimes, booleans, nullable columns: SQLite hands back text and integers for these."""
    user = make_user("MX", Role.EUC_VERIFIER)
    token, _text = accounts.create_token(user=user, role=Role.EUC_VERIFIER, name="rows", by=user)
    columns = rows.Columns.of(ApiToken, "t")
    users = rows.Columns.of(User, "u")
    row = _fetch(
        f"SELECT {columns.sql()}, {users.sql()} FROM {rows.table(ApiToken)} t "
        f"JOIN {rows.table(User)} u ON u.id = t.user_id WHERE t.key_id = %s",
        [token.key_id],
    )
    built = columns.build(row)
    built_user = users.build(row, columns.width)

    expected = ApiToken.objects.get(pk=token.pk)
    assert _fields(built) == _fields(expected)
    assert type(built.pk) is type(expected.pk)
    assert built.expires_at.tzinfo is not None
    assert _fields(built_user) == _fields(User.objects.get(pk=user.pk))
    assert built_user.is_active is True
    # loaded from the database: a save updates the row instead of inserting another
    assert built._state.adding is False and built._state.db == "default"
    built.name = "renamed"
    built.save(update_fields=["name"])
    assert ApiToken.objects.get(pk=token.pk).name == "renamed"
    assert model_to_dict(built_user)["username"] == user.username


def test_named_fields_only_leave_the_others_deferred(make_user):
    user = make_user("MX", Role.EUC_VERIFIER)
    columns = rows.Columns.of(User, "u", "id", "username", "last_login")
    row = _fetch(f"SELECT {columns.sql()} FROM {rows.table(User)} u WHERE u.username = %s", [user.username])
    built = columns.build(row)
    assert (built.pk, built.username, built.last_login) == (user.pk, user.username, None)
    assert built.get_deferred_fields() >= {"email", "authority_id"}
    assert built.email == user.email  # a deferred field is still read on demand


def test_names_that_are_not_columns_are_refused():
    with pytest.raises(ValueError, match="not concrete"):
        rows.Columns.of(User, "u", "id", "role_grants")


def _prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [statement for (statement,) in cursor.fetchall()]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are a PostgreSQL matter")
def test_hot_reads_are_prepared_on_postgresql_and_only_they(make_user, settings):
    user = make_user("MX", Role.EUC_VERIFIER)
    sql = f"SELECT username FROM {rows.table(User)} WHERE username = %s AND 1 = 1"
    for _ in range(6):
        assert rows.fetch(sql, [user.username]) == [(user.username,)]
    assert any("WHERE username = $1 AND 1 = 1" in s for s in _prepared_statements())
    for _ in range(6):  # the ORM's queries are bound on the client and never prepared
        list(User.objects.filter(username=user.username, is_active=True))
    assert not any("is_active" in s for s in _prepared_statements())

    settings.DB_PREPARED_STATEMENTS = False
    other = sql.replace("1 = 1", "2 = 2")
    for _ in range(6):
        assert rows.fetch(other, [user.username]) == [(user.username,)]
    assert not any("2 = 2" in s for s in _prepared_statements())


def test_fetch_answers_alike_on_both_paths(make_user, settings):
    user = make_user("MX", Role.EUC_VERIFIER)
    sql = f"SELECT username, is_active FROM {rows.table(User)} WHERE username = %s"
    first = rows.fetch(sql, [user.username])
    settings.DB_PREPARED_STATEMENTS = not settings.DB_PREPARED_STATEMENTS
    assert rows.fetch(sql, [user.username]) == first
    assert rows.fetch(sql, ["nobody"]) == []
