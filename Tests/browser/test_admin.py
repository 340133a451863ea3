"""The admin driven as a person would, in headless Chromium."""
import datetime
import subprocess
import time
import urllib.request

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import ADMIN, DREY, PEOPLE, click_and_wait_for_page


def sign_in(browser, base, who):
    browser.delete_all_cookies()
    browser.get(base + "/admin/login")
    browser.find_element(By.ID, "email").send_keys(who[0])
    browser.find_element(By.ID, "password").send_keys(who[1])
    click_and_wait(browser, browser.find_element(By.ID, "signin"))
    WebDriverWait(browser, 10).until(EC.presence_of_element_located((By.CSS_SELECTOR, ".admin-bar")))


def new_post(browser, base, title, body):
    browser.get(base + "/admin/posts/new?type=post")
    browser.find_element(By.ID, "title").send_keys(title)
    browser.find_element(By.ID, "source").send_keys(body)


def check_category(browser, name):
    for label in browser.find_elements(By.CSS_SELECTOR, ".category-picker label"):
        if label.text.strip() == name:
            box = label.find_element(By.TAG_NAME, "input")
            if not box.is_selected():
                box.click()
            return
    raise AssertionError(f"category {name} not in the picker")


def test_write_preview_publish_and_read(blog, browser):
    base = blog["base"]
    sign_in(browser, base, ADMIN)
    new_post(browser, base, "Browser written post", "# Heading\n\nSome *emphasis* and **strength**.")
    # The live preview is rendered by the server.
    WebDriverWait(browser, 10).until(lambda b: "<em>emphasis</em>" in b.find_element(By.ID, "preview").get_attribute("innerHTML"))
    check_category(browser, "Gardens")
    check_category(browser, "Kitchen")
    browser.find_element(By.ID, "tags").send_keys("selenium")
    Select(browser.find_element(By.ID, "status")).select_by_value("publish")
    click_and_wait(browser, browser.find_element(By.ID, "save"))
    WebDriverWait(browser, 10).until(EC.presence_of_element_located((By.CSS_SELECTOR, ".notice")))
    assert "Published." in browser.find_element(By.CSS_SELECTOR, ".notice").text
    browser.get(base + "/")
    link = browser.find_element(By.LINK_TEXT, "Browser written post")
    click_and_wait(browser, link)
    body = browser.find_element(By.CSS_SELECTOR, ".entry-content")
    assert body.find_element(By.TAG_NAME, "em").text == "emphasis"
    terms = browser.find_element(By.CSS_SELECTOR, ".entry-terms").text
    assert "Gardens" in terms and "Kitchen" in terms and "selenium" in terms


def test_contributor_submits_editor_publishes(blog, browser):
    base = blog["base"]
    sign_in(browser, base, PEOPLE["contributor"])
    new_post(browser, base, "Contributed piece", "Words for review.")
    options = [o.get_attribute("value") for o in Select(browser.find_element(By.ID, "status")).options]
    assert "publish" not in options and "pending" in options
    Select(browser.find_element(By.ID, "status")).select_by_value("pending")
    click_and_wait(browser, browser.find_element(By.ID, "save"))
    assert "Submitted for review." in browser.find_element(By.CSS_SELECTOR, ".notice").text
    post_url = browser.current_url.split("?")[0]
    # Forcing a publish from the browser is refused by the server.
    browser.execute_script("var s=document.getElementById('status'); var o=document.createElement('option'); o.value='publish'; s.appendChild(o); s.value='publish';")
    click_and_wait(browser, browser.find_element(By.ID, "save"))
    assert "not allowed to publish" in browser.find_element(By.CSS_SELECTOR, ".message").text
    sign_in(browser, base, PEOPLE["editor"])
    browser.get(post_url)
    Select(browser.find_element(By.ID, "status")).select_by_value("publish")
    click_and_wait(browser, browser.find_element(By.ID, "save"))
    assert "Published." in browser.find_element(By.CSS_SELECTOR, ".notice").text
    browser.get(base + "/")
    assert "Contributed piece" in browser.page_source


def post_guest_comment(browser, url, name, text):
    browser.delete_all_cookies()
    browser.get(url)
    browser.find_element(By.ID, "comment").send_keys(text)
    browser.find_element(By.ID, "author").send_keys(name)
    browser.find_element(By.ID, "email").send_keys(name.lower().replace(" ", ".") + "@guest.test")
    submit_and_wait(browser)


def submit_and_wait(browser):
    click_and_wait(browser, browser.find_element(By.ID, "submit"))


def click_and_wait(browser, element):
    click_and_wait_for_page(browser, element)


def set_flood(blog, seconds):
    subprocess.run([str(DREY), "site", "set", "--data", blog["data"], "comment_flood_seconds", seconds], check=True, capture_output=True)


def test_moderate_guest_comments(blog, browser):
    base = blog["base"]
    url = urllib.request.urlopen(base + "/?p=2").geturl()
    # A flood interval longer than this test, so page loads that wait on unreachable avatar hosts cannot outlast it.
    set_flood(blog, "3600")
    post_guest_comment(browser, url, "First Guest", "A held comment worth keeping.")
    assert "awaiting moderation" in browser.page_source
    post_guest_comment(browser, url, "Spammy Guest", "Cheap offers every day.")
    # Same address seconds later: flood control refuses it, and the form comes back with the text typed.
    assert "posting comments too quickly" in browser.page_source
    assert browser.find_element(By.ID, "comment").get_attribute("value") == "Cheap offers every day."
    # The operator turns flood control off from the command line; the serving process sees it at once.
    set_flood(blog, "0")
    submit_and_wait(browser)
    assert "posting comments too quickly" not in browser.page_source
    browser.delete_all_cookies()
    browser.get(url)
    assert "A held comment worth keeping." not in browser.page_source
    sign_in(browser, base, ADMIN)
    browser.get(base + "/admin/comments?status=pending")
    rows = {r.find_element(By.CSS_SELECTOR, ".who b").text: r for r in browser.find_elements(By.CSS_SELECTOR, "tr.comment-row")}
    click_and_wait(browser, rows["First Guest"].find_element(By.CSS_SELECTOR, "button.approve"))
    rows = {r.find_element(By.CSS_SELECTOR, ".who b").text: r for r in browser.find_elements(By.CSS_SELECTOR, "tr.comment-row")}
    click_and_wait(browser, rows["Spammy Guest"].find_element(By.CSS_SELECTOR, "button.spam"))
    browser.delete_all_cookies()
    browser.get(url)
    assert "A held comment worth keeping." in browser.page_source
    assert "Cheap offers every day." not in browser.page_source


def test_font_size_setting_changes_computed_size(blog, browser):
    base = blog["base"]
    url = urllib.request.urlopen(base + "/?p=1").geturl()
    browser.get(url)
    before = browser.execute_script("return getComputedStyle(document.querySelector('.entry-content p')).fontSize")
    sign_in(browser, base, ADMIN)
    browser.get(base + "/admin/settings/appearance")
    size = browser.find_element(By.ID, "font_size")
    size.clear()
    size.send_keys("26")
    # The preview follows before saving.
    assert browser.execute_script("return document.getElementById('typography-sample').style.fontSize") == "26px"
    click_and_wait(browser, browser.find_element(By.ID, "save-settings"))
    assert "Settings saved." in browser.find_element(By.CSS_SELECTOR, ".notice").text
    browser.delete_all_cookies()
    browser.get(url)
    after = browser.execute_script("return getComputedStyle(document.querySelector('.entry-content p')).fontSize")
    assert before != after and after == "26px", (before, after)


def test_schedule_a_minute_ahead(blog, browser):
    base = blog["base"]
    sign_in(browser, base, ADMIN)
    new_post(browser, base, "Scheduled from the browser", "Appears on time.")
    # Two minutes on, cut to the minute: at least 61 s ahead, so a save landing on the next minute is still in the future.
    when = (datetime.datetime.utcnow() + datetime.timedelta(minutes=2)).strftime("%Y-%m-%dT%H:%M")
    browser.execute_script("document.getElementById('date').value = arguments[0]", when)
    Select(browser.find_element(By.ID, "status")).select_by_value("future")
    click_and_wait(browser, browser.find_element(By.ID, "save"))
    assert "Scheduled." in browser.find_element(By.CSS_SELECTOR, ".notice").text
    browser.delete_all_cookies()
    browser.get(base + "/")
    assert "Scheduled from the browser" not in browser.page_source
    deadline = time.time() + 200
    while time.time() < deadline:
        browser.get(base + "/")
        if "Scheduled from the browser" in browser.page_source:
            break
        time.sleep(5)
    assert "Scheduled from the browser" in browser.page_source
