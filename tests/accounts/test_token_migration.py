"""Tokens moved from the questions app to accounts keep their rows, and the moves run both ways."""
import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("questions", "0003_references_are_http_links")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor


@pytest.mark.django_db(transaction=True)
def test_tokens_issued_before_the_move_still_exist_after_it():
    executor = migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    user = old.get_model("auth", "User").objects.create(username="ada")
    old.get_model("questions", "ApiToken").objects.create(user=user, key_hash="a" * 64, prefix="aaaaaaaa")
    assert "accounts_apitoken" not in connection.introspection.table_names()

    executor = migrate(executor.loader.graph.leaf_nodes())
    new = executor.loader.project_state(executor.loader.graph.leaf_nodes()).apps
    token = new.get_model("accounts", "ApiToken").objects.get()
    assert (token.user.username, token.key_hash) == ("ada", "a" * 64)
    tables = connection.introspection.table_names()
    assert "accounts_apitoken" in tables and "questions_apitoken" not in tables

    # And back: the row returns to the questions app's table.
    executor = migrate(BEFORE)
    assert executor.loader.project_state(BEFORE).apps.get_model("questions", "ApiToken").objects.get().prefix == "aaaaaaaa"
    migrate(executor.loader.graph.leaf_nodes())
