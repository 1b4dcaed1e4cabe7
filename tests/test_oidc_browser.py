"""OIDC sign-in with st.login, in Chromium, against a local OpenID Connect provider the test starts
(tests/oidc_provider.py): the sign-in page offers the company account, the provider signs the person in, and
they get the role of the account named by their e-mail address; signing out ends it."""
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from analytics import accounts, owner, store
from tests.oidc_provider import Provider, _free_port
from tests.test_browser import CHROMIUM, settle

pytestmark = pytest.mark.browser

EMAIL = "maria@example.com"


@pytest.fixture(scope="module")
def provider():
    with Provider(client_id="outlay", client_secret="s3cret", email=EMAIL) as running:
        yield running


@pytest.fixture(scope="module")
def server(demo_db, provider, tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium not installed: apt-get install chromium")
    folder = tmp_path_factory.mktemp("oidc")
    db = folder / "outlay.duckdb"
    shutil.copy(demo_db, db)
    con = store.connect(db)
    accounts.add(con, EMAIL, role="editor", password=None, actor="test")
    con.close()
    port = _free_port()
    secrets = folder / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        'cookie_secret = "a-test-cookie-secret-of-some-length"\n'
        f'client_id = "outlay"\nclient_secret = "s3cret"\n'
        f'server_metadata_url = "{provider.issuer}/.well-known/openid-configuration"\n')
    env = dict(os.environ, OUTLAY_SECRETS=str(secrets))
    proc = subprocess.Popen([sys.executable, "-m", "analytics", "serve", "--port", str(port), "--db", str(db)],
                            cwd=store.PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    for _ in range(240):
        if owner.running(db) is not None:
            break
        if proc.poll() is not None:
            pytest.fail("the server stopped: " + proc.stdout.read().decode()[-3000:])
        time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("the server did not start")
    yield f"http://127.0.0.1:{port}"
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        yield chromium
        chromium.close()


def test_company_account_sign_in_gets_the_accounts_role_and_sign_out_ends_it(server, provider, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(server)
    settle(page)
    assert page.locator("h1").first.inner_text() == "Sign in to Outlay"
    assert page.locator('[data-testid="stMetric"]').count() == 0
    page.get_by_role("button", name="Sign in with your company account").click()
    page.wait_for_url(f"{server}/**", timeout=60000)
    page.wait_for_selector("text=Signed in as", timeout=120000)
    settle(page)
    assert provider.authorized == 1
    assert page.locator("h1").first.inner_text() == "Overview"
    assert f"{EMAIL} (editor)" in page.locator('[data-testid="stSidebar"]').inner_text()
    assert page.locator('[data-testid="stException"]').count() == 0
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_selector("text=Sign in to Outlay", timeout=120000)
    page.goto(server)  # a new page load: the identity cookie is gone too
    settle(page)
    assert page.locator("h1").first.inner_text() == "Sign in to Outlay"
    page.close()
