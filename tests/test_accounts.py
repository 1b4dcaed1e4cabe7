"""Accounts: password and token hashing, the role ladder, cost-center scope, the activity log, safe addresses."""
import pytest

from analytics import accounts, activity, serving


@pytest.fixture
def books(con):
    """An empty store with two cost centers known from spend lines."""
    con.execute("insert into import_batches (batch_id, dataset, file_name, sha256, row_count, imported_at) "
                "values (1, 'spend', 'f.csv', 'x', 2, current_timestamp)")
    con.execute("insert into spend (batch_id, row_no, date, vendor, amount, currency, cost_center, category) values "
                "(1, 1, '2026-01-05', 'V', 10, 'USD', 'Ops', 'Software'), "
                "(1, 2, '2026-01-06', 'V', 20, 'USD', 'Sales', 'Software')")
    return con


def test_password_is_stored_as_an_argon2id_hash_that_verifies(books):
    accounts.add(books, "ann", role="editor", password="correct horse", actor="t")
    stored = books.execute("select password_hash from users where name = 'ann'").fetchone()[0]
    assert stored.startswith("$argon2id$") and "correct horse" not in stored
    assert accounts.sign_in(books, "ann", "correct horse") == accounts.User("ann", "editor")
    assert accounts.sign_in(books, "ann", "wrong horse") is None
    assert accounts.sign_in(books, "nobody", "correct horse") is None


def test_token_is_stored_hashed_and_a_new_one_replaces_the_old(books):
    accounts.add(books, "bot", role="viewer", password=None, actor="t")
    first = accounts.issue_token(books, "bot", actor="t")
    stored = [r[0] for r in books.execute("select token_hash from api_tokens").fetchall()]
    assert first not in stored and stored == [accounts.token_hash(first)]
    assert accounts.by_token(books, first).name == "bot"
    second = accounts.issue_token(books, "bot", actor="t")
    assert accounts.by_token(books, first) is None
    assert accounts.by_token(books, second).name == "bot"


def test_removing_an_account_revokes_its_token(books):
    accounts.add(books, "bot", role="viewer", password=None, actor="t")
    token = accounts.issue_token(books, "bot", actor="t")
    accounts.remove(books, "bot", actor="t")
    assert accounts.by_token(books, token) is None
    assert accounts.listing(books) == []


@pytest.mark.parametrize("role,allowed", [
    ("viewer", {"read"}),
    ("analyst", {"read", "scenario", "review", "budget_draft"}),
    ("editor", {"read", "scenario", "review", "budget_draft", "import", "undo", "budget_edit", "contracts"}),
    ("admin", set(accounts.ACTIONS)),
])
def test_each_role_may_do_what_the_one_before_it_may_and_more(role, allowed):
    assert {a for a in accounts.ACTIONS if accounts.can(role, a)} == allowed


@pytest.mark.parametrize("kwargs,message", [
    ({"name": "ann", "role": "owner", "password": "long enough"}, "not a role"),
    ({"name": "ann", "role": "viewer", "password": "short"}, "at least 8"),
    ({"name": "a b", "role": "viewer", "password": "long enough"}, "not an account name"),
    ({"name": "ann", "role": "viewer", "password": "long enough", "cost_centers": ("Nowhere",)},
     "unknown cost center"),
])
def test_invalid_accounts_are_refused_with_a_reason(books, kwargs, message):
    with pytest.raises(accounts.AccountError, match=message):
        accounts.add(books, actor="t", **kwargs)


def test_a_name_in_use_is_refused(books):
    accounts.add(books, "ann", role="viewer", password="long enough", actor="t")
    with pytest.raises(accounts.AccountError, match="exists already"):
        accounts.add(books, "ann", role="admin", password="long enough", actor="t")


@pytest.mark.parametrize("centers,asked,expected", [
    ((), None, None), ((), "Sales", "Sales"),
    (("Ops",), None, "Ops"), (("Ops",), "Ops", "Ops"),
    (("Ops", "Sales"), "Sales", "Sales"),
])
def test_scope_gives_the_cost_center_a_question_runs_with(centers, asked, expected):
    assert accounts.scope_cost_center(accounts.User("u", "viewer", centers), asked) == expected


@pytest.mark.parametrize("centers,asked,message", [
    (("Ops",), "Sales", "only, not 'Sales'"), (("Ops", "Sales"), None, "name one"),
])
def test_scope_refuses_questions_outside_it(centers, asked, message):
    with pytest.raises(accounts.ScopeError, match=message):
        accounts.scope_cost_center(accounts.User("u", "viewer", centers), asked)


def test_account_changes_are_in_the_activity_log_with_who(books):
    accounts.add(books, "ann", role="analyst", password="long enough", cost_centers=("Ops",), actor="boss")
    accounts.remove(books, "ann", actor="boss")
    log = activity.recent(books)
    assert log[["actor", "action", "detail"]].values.tolist() == [
        ["boss", "users", "removed ann"], ["boss", "users", "added ann (analyst, cost centers Ops)"]]


def test_account_changes_do_not_change_the_data_version(books):
    from analytics import store
    before = store.data_version(books)
    accounts.add(books, "ann", role="viewer", password="long enough", actor="t")
    assert store.data_version(books) == before


@pytest.mark.parametrize("address,loopback", [
    ("127.0.0.1", True), ("127.0.0.2", True), ("::1", True), ("localhost", True),
    ("0.0.0.0", False), ("::", False), ("", False), (None, False), ("10.1.2.3", False),
])
def test_loopback_addresses(address, loopback):
    assert serving.is_loopback(address) is loopback


def test_a_network_address_is_refused_until_an_account_exists(books, monkeypatch, tmp_path):
    monkeypatch.setattr(serving, "SECRETS", tmp_path / "secrets.toml")
    serving.check_address(books, "127.0.0.1")
    with pytest.raises(serving.ServeError, match="refusing to serve on 0.0.0.0"):
        serving.check_address(books, "0.0.0.0")
    accounts.add(books, "ann", role="admin", password="long enough", actor="t")
    serving.check_address(books, "0.0.0.0")


@pytest.mark.parametrize("text,configured", [
    ("", False),
    ("[auth]\nredirect_uri = 'http://localhost:8501/oauth2callback'\n", False),
    ("[auth]\nclient_id = 'outlay'\nclient_secret = 's'\n", True),
    ("[auth.keycloak]\nclient_id = 'outlay'\n", True),
    ("not toml [", False),
])
def test_oidc_is_configured_by_a_client_id_in_secrets(tmp_path, text, configured):
    path = tmp_path / "secrets.toml"
    path.write_text(text)
    assert serving.oidc_configured(path) is configured


def test_the_last_admin_stays_while_other_accounts_exist(books):
    accounts.add(books, "boss", role="admin", password="long enough", actor="t")
    accounts.add(books, "vera", role="viewer", password="long enough", actor="t")
    with pytest.raises(accounts.AccountError, match="last admin"):
        accounts.remove(books, "boss", actor="t")
    accounts.remove(books, "vera", actor="t")
    accounts.remove(books, "boss", actor="t")
    assert accounts.listing(books) == []


def test_a_loopback_visitor_of_a_dual_stack_server_is_local():
    """Bound to every interface, the server sees 127.0.0.1 as ::ffff:127.0.0.1: still this machine."""
    from analytics import serving
    assert serving.is_loopback("::ffff:127.0.0.1") and serving.is_loopback("::1")
    assert not serving.is_loopback("::ffff:192.0.2.2") and not serving.is_loopback("0.0.0.0")


def test_status_for_a_limited_user_counts_their_lines_and_batches_only(books):
    from analytics.commands.status import scoped_status
    books.execute("insert into import_batches (batch_id, dataset, file_name, sha256, row_count, imported_at, "
                  "imported_by) values (2, 'spend', 'sales-only.csv', 'y', 1, timestamp '2026-02-01 10:00', 'ed')")
    books.execute("insert into spend (batch_id, row_no, date, vendor, amount, currency, cost_center, category) values "
                  "(2, 1, '2026-01-07', 'V', 5, 'USD', 'Sales', 'Software')")
    result = scoped_status(books, ("Ops",))
    assert result["cost_centers"] == ["Ops"]
    assert result["datasets"] == {"spend": 1, "budget": 0}  # contracts, SLAs ... are company-wide: left out
    assert [(b["batch_id"], b["file"], b["rows"]) for b in result["batches"]] == [(1, "f.csv", 1)]
    assert scoped_status(books, ("Ops", "Sales"))["datasets"] == {"spend": 3, "budget": 0}


def test_a_persons_own_language_is_kept_with_the_account_and_read_before_the_companys(books):
    from analytics import i18n, settings
    settings.set_value(books, "language", "sv")
    accounts.add(books, "greta", role="viewer", password="long enough", actor="t")
    accounts.add(books, "jan", role="viewer", password="long enough", actor="t", language="PL")
    assert accounts.get(books, "jan") == accounts.User("jan", "viewer", (), "pl")
    assert i18n.language_for(books, accounts.get(books, "jan")) == "pl"
    assert i18n.language_for(books, accounts.get(books, "greta")) == "sv"  # none of her own: the company's
    changed = accounts.set_language(books, "greta", "de", actor="greta")
    assert changed.language == "de" and i18n.language_for(books, accounts.sign_in(books, "greta", "long enough")) == "de"
    assert accounts.set_language(books, "greta", "company", actor="greta").language is None
    assert [(p["name"], p["language"]) for p in accounts.listing(books)] == [("greta", None), ("jan", "pl")]
    assert activity.recent(books)["detail"].iloc[0] == "language of greta: the company setting"


@pytest.mark.parametrize("call", [
    lambda con: accounts.add(con, "x", role="viewer", password=None, actor="t", language="xx"),
    lambda con: accounts.set_language(con, "nobody", "de", actor="t"),
    lambda con: accounts.set_language(con, "ann", "klingon", actor="t"),
])
def test_an_unknown_language_or_account_is_refused(books, call):
    accounts.add(books, "ann", role="viewer", password=None, actor="t")
    with pytest.raises(accounts.AccountError, match="not a language|no account"):
        call(books)
    assert accounts.get(books, "ann").language is None


def test_the_cli_adds_sets_and_lists_a_persons_language(tmp_path, capsys):
    from analytics import cli
    db = str(tmp_path / "people.duckdb")
    assert cli.main(["users", "add", "jan", "--role", "viewer", "--language", "de", "--db", db]) == 0
    assert cli.main(["users", "set", "jan", "--language", "pl", "--db", db]) == 0
    assert "jan: language pl" in capsys.readouterr().out
    assert cli.main(["users", "list", "--db", db]) == 0
    assert capsys.readouterr().out.split() == ["jan", "viewer", "every", "cost", "center", "pl", "no", "sign-in"]
    assert cli.main(["users", "set", "jan", "--language", "xx", "--db", db]) == 1
    assert "not a language" in capsys.readouterr().err
