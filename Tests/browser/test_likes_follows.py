"""Likes and following by email in a real browser (issue 13): a signed-in reader likes a post and takes it back, a
guest's Like leads to sign-in and back; a guest follows the blog from the form under a post, confirms from the
message in the SMTP sink's folder, gets the next post by mail with List-Unsubscribe, and leaves from its link.
axe-core checks every page these flows show."""
import email
import email.policy
import json
import os
import re
import subprocess
import time
import urllib.parse
import urllib.request

from selenium.webdriver.common.by import By

from conftest import DREY, click_and_wait_for_page
from test_public import axe_violations
from test_readers import blog_with_mail, code_sent_to  # noqa: F401 (blog_with_mail is a fixture)


def assert_accessible(browser, name):
    found = axe_violations(browser)
    assert not found, f"{name}: " + json.dumps(found, indent=1)


def messages_to(outbox, address):
    names = sorted(n for n in os.listdir(outbox) if n.endswith(".eml")) if os.path.isdir(outbox) else []
    for name in names:
        with open(os.path.join(outbox, name), "rb") as f:
            message = email.message_from_binary_file(f, policy=email.policy.default)
        if address in str(message["To"]):
            yield message


def message_to(outbox, address, subject_contains, timeout=60):
    """The first message to `address` whose subject holds `subject_contains`, once the workers have sent it."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        for message in messages_to(outbox, address):
            if subject_contains in str(message["Subject"]):
                return message
        time.sleep(0.2)
    raise AssertionError(f"no message to {address} about {subject_contains!r} arrived")


def body_of(message):
    return message.get_body(preferencelist=("plain",)).get_content()


def sign_in_by_email(browser, outbox, address):
    """From the sign-in page the browser is on: the address, then the code from the sink."""
    assert "/signin" in browser.current_url, browser.current_url
    browser.find_element(By.ID, "signin-email").send_keys(address)
    click_and_wait_for_page(browser, browser.find_element(By.CSS_SELECTOR, "form.signin-email button[type=submit]"))
    assert f"We sent a message to {address}" in browser.page_source
    browser.find_element(By.ID, "signin-code").send_keys(code_sent_to(outbox, address))
    click_and_wait_for_page(browser, browser.find_element(By.CSS_SELECTOR, "form.signin-code button[type=submit]"))


def a_post(base, n):
    return urllib.request.urlopen(f"{base}/?p={n}").geturl()


def like_button(browser):
    return browser.find_element(By.CSS_SELECTOR, "#likes form.like-form button.like-button")


def test_a_reader_likes_a_post_and_takes_it_back(blog_with_mail, browser):
    base, outbox = blog_with_mail["base"], blog_with_mail["outbox"]
    post = a_post(base, 1)
    browser.get(base + "/signin?return_to=" + urllib.parse.quote(post[len(base):], safe=""))
    sign_in_by_email(browser, outbox, "liker@example.org")
    assert browser.current_url.split("#")[0] == post, browser.current_url
    assert not browser.find_elements(By.CSS_SELECTOR, "#likes .likes-title")

    button = like_button(browser)
    assert button.text == "Like" and button.get_attribute("aria-pressed") == "false"
    click_and_wait_for_page(browser, button)
    assert browser.current_url.split("#")[0] == post and browser.current_url.endswith("#likes"), browser.current_url
    assert browser.find_element(By.CSS_SELECTOR, "#likes .likes-title").text == "One blogger likes this."
    faces = browser.find_elements(By.CSS_SELECTOR, "#likes ul.faces li.face img.avatar")
    assert [f.get_attribute("alt") for f in faces] == ["liker"]
    assert faces[0].get_attribute("src")
    button = like_button(browser)
    assert button.text == "Liked" and button.get_attribute("aria-pressed") == "true"
    assert_accessible(browser, "post liked by the reader")

    click_and_wait_for_page(browser, button)
    assert browser.current_url.split("#")[0] == post, browser.current_url
    assert not browser.find_elements(By.CSS_SELECTOR, "#likes .likes-title")
    assert not browser.find_elements(By.CSS_SELECTOR, "#likes ul.faces")
    button = like_button(browser)
    assert button.text == "Like" and button.get_attribute("aria-pressed") == "false"


def test_a_guest_pressing_like_signs_in_and_comes_back(blog_with_mail, browser):
    base, outbox = blog_with_mail["base"], blog_with_mail["outbox"]
    post = a_post(base, 2)  # not the post the other test likes
    browser.get(post)
    assert_accessible(browser, "post as a guest sees it")
    click_and_wait_for_page(browser, like_button(browser))
    assert "/signin?return_to=" in browser.current_url, browser.current_url
    assert_accessible(browser, "sign-in page")
    sign_in_by_email(browser, outbox, "guest-liker@example.org")
    assert browser.current_url.split("#")[0] == post, browser.current_url
    # Signed in now: the button carries the reader's form token and likes.
    click_and_wait_for_page(browser, like_button(browser))
    assert browser.find_element(By.CSS_SELECTOR, "#likes .likes-title").text == "One blogger likes this."
    assert like_button(browser).text == "Liked"
    click_and_wait_for_page(browser, like_button(browser))
    assert not browser.find_elements(By.CSS_SELECTOR, "#likes .likes-title")


def test_a_guest_follows_the_blog_gets_the_next_post_and_unsubscribes(blog_with_mail, browser):
    base, outbox, data = blog_with_mail["base"], blog_with_mail["outbox"], blog_with_mail["data"]
    address = "follower@example.org"
    browser.get(a_post(base, 1))
    browser.find_element(By.ID, "follow-email").send_keys(address)
    click_and_wait_for_page(browser, browser.find_element(By.CSS_SELECTOR, "form.follow-blog button[value=blog]"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Check your inbox"
    assert_accessible(browser, "follow: check your inbox")

    confirmation = message_to(outbox, address, "Please confirm")
    found = re.search(r"open this link and press the button on the page:\s+(\S+)", body_of(confirmation))
    assert found, body_of(confirmation)
    assert found.group(1).startswith(base + "/follow/confirm?t="), found.group(1)
    browser.get(found.group(1))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Confirm: follow by email"
    assert_accessible(browser, "follow: confirm")
    click_and_wait_for_page(browser, browser.find_element(By.CSS_SELECTOR, "form.follow-action button[type=submit]"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Thank you"
    assert f"{address} now follows" in browser.find_element(By.CSS_SELECTOR, ".follow-message").text
    assert_accessible(browser, "follow: thank you")

    # A post published from the command line, against the data folder the server runs on.
    title = "A Letter To The Followers"
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    subprocess.run([str(DREY), "post", "new", "--data", data, "--title", title, "--file", "-"], input=b"Sent by mail.\n",
                   check=True, env=env, capture_output=True)
    letter = message_to(outbox, address, title)
    assert str(letter["Subject"]) == f"[Notes From The Quiet Orchard] {title}", letter["Subject"]
    body = body_of(letter)
    stop = re.search(r"To stop, open (\S+)", body)
    assert stop, body
    assert stop.group(1).startswith(base + "/unsubscribe?t="), stop.group(1)
    assert letter["List-Unsubscribe"] == f"<{stop.group(1)}>", letter["List-Unsubscribe"]
    assert letter["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    read = re.search(r"Read it: (\S+)", body)
    assert read and read.group(1).startswith(base + "/"), body

    browser.get(stop.group(1))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Unsubscribe"
    assert_accessible(browser, "unsubscribe")
    click_and_wait_for_page(browser, browser.find_element(By.CSS_SELECTOR, "form.follow-action button[type=submit]"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Unsubscribed"
    assert_accessible(browser, "unsubscribed")

