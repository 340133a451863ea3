"""Pictures in posts, as a writer adds them: the editor's file button, then the published post."""
import os
import struct
import tempfile
import zlib

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import ADMIN, click_and_wait_for_page
from test_admin import new_post, sign_in


def make_png(path, width, height):
    """A gradient PNG written with zlib alone, so the test needs no imaging library of its own."""
    rows = b"".join(
        b"\0" + bytes(v for x in range(width) for v in (x * 255 // width, y * 255 // height, 128)) for y in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)))
        f.write(chunk(b"IDAT", zlib.compress(rows, 6)))
        f.write(chunk(b"IEND", b""))


def test_upload_by_the_file_button_and_see_it_published(blog, browser):
    base = blog["base"]
    folder = tempfile.mkdtemp(prefix="drey-browser-media-")
    picture = os.path.join(folder, "Tide Pools.png")
    make_png(picture, 1200, 800)

    sign_in(browser, base, ADMIN)
    new_post(browser, base, "Tide pools", "Low water this morning.\n")
    browser.find_element(By.ID, "editor-upload-alt").send_keys("Rock pools at low water")
    browser.find_element(By.ID, "editor-upload").send_keys(picture)
    source = browser.find_element(By.ID, "source")
    WebDriverWait(browser, 20).until(lambda b: "/wp-content/uploads/" in source.get_attribute("value"))
    assert "Added 1 image" in browser.find_element(By.ID, "upload-status").text
    assert "![Rock pools at low water](/wp-content/uploads/" in source.get_attribute("value")
    Select(browser.find_element(By.ID, "status")).select_by_value("publish")
    click_and_wait_for_page(browser, browser.find_element(By.ID, "save"))
    WebDriverWait(browser, 10).until(EC.presence_of_element_located((By.CSS_SELECTOR, ".notice")))

    # The server's job workers make the sizes within moments; the published post then carries them.
    def shown(b):
        b.get(base + "/")
        click_and_wait_for_page(b, b.find_element(By.LINK_TEXT, "Tide pools"))
        images = b.find_elements(By.CSS_SELECTOR, ".entry-content img")
        return images and images[0].get_attribute("srcset") and b.execute_script(
            "return arguments[0].complete && arguments[0].naturalWidth > 0", images[0]) and images[0]

    image = WebDriverWait(browser, 30).until(shown)
    assert image.get_dom_attribute("width") == "1200" and image.get_dom_attribute("height") == "800"
    assert "tide-pools" in image.get_attribute("src")
    assert image.get_dom_attribute("alt") == "Rock pools at low water"
    assert "1024w" in image.get_attribute("srcset")
    # The browser picked a copy it can show (WebP from the <picture>, or the PNG).
    assert browser.execute_script("return arguments[0].currentSrc", image).split("/wp-content/uploads/")[1]
