"""A real `drey serve` and a real headless Chromium for the browser tests."""
import os
import pathlib
import socket
import subprocess
import tempfile
import time
import urllib.request

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.support.ui import WebDriverWait

ROOT = pathlib.Path(__file__).resolve().parents[2]
DREY = ROOT / ".build" / "debug" / "drey"
ARTIFACTS = ROOT / "test-artifacts"
ADMIN = ("admin@drey.test", "admin-password-1")
PEOPLE = {"contributor": ("cora@drey.test", "cora-password-1"), "editor": ("ed@drey.test", "ed-password-1")}


def click_and_wait_for_page(browser, element, timeout=15):
    """Clicks something that loads a new page, and returns once that page has fully loaded.

    A click does not wait for the answer. Waiting for the old element to go stale was not enough: between the old
    document going and the new one arriving, ChromeDriver can answer "Node with given id does not belong to the
    document" to whatever is asked next. So the old document is marked, and the wait ends only when a document
    without the mark has finished loading; questions asked mid-navigation count as "not yet".
    """
    browser.execute_script("window.__dreyOldPage = true")
    element.click()

    def arrived(b):
        try:
            return b.execute_script("return window.__dreyOldPage !== true && document.readyState === 'complete'")
        except WebDriverException:
            return False

    WebDriverWait(browser, timeout, ignored_exceptions=(WebDriverException,)).until(arrived)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def blog():
    data = tempfile.mkdtemp(prefix="drey-browser-")
    env = dict(os.environ, DREY_ADMIN_EMAIL=ADMIN[0], DREY_ADMIN_PASSWORD=ADMIN[1])
    env.pop("DATABASE_URL", None)
    subprocess.run([str(DREY), "demo", "--data", data], check=True, env=env, capture_output=True)
    for role, (email, password) in PEOPLE.items():
        subprocess.run([str(DREY), "user", "add", "--data", data, "--email", email, "--name", role.capitalize(),
                        "--role", role, "--password", password], check=True, env=env, capture_output=True)
    port = free_port()
    log = open(os.path.join(data, "serve.log"), "w")
    server = subprocess.Popen([str(DREY), "serve", "--data", data, "--port", str(port)], env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(base + "/", timeout=1)
            break
        except Exception:
            time.sleep(0.05)
    yield {"base": base, "data": data}
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture
def browser(request):
    options = Options()
    for arg in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1000"]:
        options.add_argument(arg)
    if os.path.exists("/usr/bin/chromium"):
        options.binary_location = "/usr/bin/chromium"
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.implicitly_wait(2)
    yield driver
    ARTIFACTS.mkdir(exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / f"{request.node.name}.png"))
    driver.quit()
