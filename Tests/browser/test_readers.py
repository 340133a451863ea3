"""A reader in a real browser: signs in by email (the code read from the SMTP sink's folder), comments as themselves,
and sees the comment under their name."""
import email
import email.policy
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request

import pytest
from selenium.webdriver.common.by import By

from conftest import DREY, ROOT, click_and_wait_for_page, free_port


@pytest.fixture(scope="module")
def blog_with_mail():
    data = tempfile.mkdtemp(prefix="drey-readers-")
    outbox = os.path.join(data, "outbox")
    port_file = os.path.join(data, "smtp-port")
    sink = subprocess.Popen([sys.executable, str(ROOT / "Tests" / "python" / "mail_sink.py"), outbox, port_file])
    for _ in range(200):
        if os.path.exists(port_file) and open(port_file).read().strip():
            break
        time.sleep(0.05)
    smtp_port = open(port_file).read().strip()
    env = dict(os.environ, DREY_SMTP_URL=f"smtp://127.0.0.1:{smtp_port}", DREY_MAIL_FROM="blog@drey.test",
               DREY_ADMIN_EMAIL="admin@drey.test", DREY_ADMIN_PASSWORD="admin-password-1")
    env.pop("DATABASE_URL", None)
    subprocess.run([str(DREY), "demo", "--data", data], check=True, env=env, capture_output=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    subprocess.run([str(DREY), "site", "set", "home_url", base, "--data", data], check=True, env=env, capture_output=True)
    log = open(os.path.join(data, "serve.log"), "w")
    server = subprocess.Popen([str(DREY), "serve", "--data", data, "--port", str(port)], env=env, stdout=log, stderr=log)
    for _ in range(200):
        try:
            urllib.request.urlopen(base + "/", timeout=1)
            break
        except Exception:
            time.sleep(0.05)
    yield {"base": base, "data": data, "outbox": outbox}
    server.terminate()
    server.wait(timeout=10)
    sink.kill()
    sink.wait(timeout=10)


def code_sent_to(outbox, address, timeout=60):
    """The 6-digit code of the newest sign-in message to `address`, once the workers have sent it."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        names = sorted(n for n in os.listdir(outbox) if n.endswith(".eml")) if os.path.isdir(outbox) else []
        for name in reversed(names):
            with open(os.path.join(outbox, name), "rb") as f:
                message = email.message_from_binary_file(f, policy=email.policy.default)
            if address in str(message["To"]):
                body = message.get_body(preferencelist=("plain",)).get_content()
                found = re.search(r"enter this code on the sign-in page: (\d{6})", body)
                assert found, body
                return found.group(1)
        time.sleep(0.2)
    raise AssertionError(f"no sign-in message to {address} arrived")


def test_sign_in_by_email_and_comment_as_yourself(blog_with_mail, browser):
    base = blog_with_mail["base"]
    post = urllib.request.urlopen(base + "/?p=1").geturl()
    browser.get(post)
    click_and_wait_for_page(browser, browser.find_element(By.CSS_SELECTOR, "#commentform a.comment-signin"))
    assert "/signin?return_to=" in browser.current_url
    browser.find_element(By.ID, "signin-email").send_keys("reader@example.org")
    click_and_wait_for_page(browser, browser.find_element(By.CSS_SELECTOR, "form.signin-email button[type=submit]"))
    assert "We sent a message to reader@example.org" in browser.page_source

    code = code_sent_to(blog_with_mail["outbox"], "reader@example.org")
    browser.find_element(By.ID, "signin-code").send_keys(code)
    click_and_wait_for_page(browser, browser.find_element(By.CSS_SELECTOR, "form.signin-code button[type=submit]"))
    assert browser.current_url.split("#")[0] == post, browser.current_url
    identity = browser.find_element(By.CSS_SELECTOR, "#commentform .comment-identity").text
    assert "You are commenting using your email account (reader)." in identity
    assert not browser.find_elements(By.ID, "author")

    browser.find_element(By.ID, "comment").send_keys("Signed in, and commenting as myself.")
    click_and_wait_for_page(browser, browser.find_element(By.ID, "submit"))
    mine = [c for c in browser.find_elements(By.CSS_SELECTOR, ".comment-body")
            if "Signed in, and commenting as myself." in c.text]
    assert mine, browser.page_source[-3000:]
    assert mine[0].find_element(By.CSS_SELECTOR, ".fn").text == "reader"
