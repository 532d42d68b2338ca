"""End to end in real headless Chromium (Debian's chromium + chromium-driver, driven by Selenium): sign in,
register an appeal from the billing directory, pick a template, fill a variable, check the letter on
screen, fetch the DOCX and read it, attach it to the sandbox case. Screenshots go to out/test-artifacts/.

Without Chromium the test is skipped locally and fails under CI=true, where .ci/run installs it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from print_service.billing import import_csv
from print_service.db import Database
from print_service.server import ServiceThread
from sync.sandbox import SandboxServer
from tests.helpers import REPO
from tests.letter.docx_text import read_letter
from tests.service.conftest import STAFF_LOGIN, STAFF_PASSWORD

CHROMIUM, CHROMEDRIVER = shutil.which("chromium") or "/usr/bin/chromium", "/usr/bin/chromedriver"
ARTIFACTS = REPO / "out" / "test-artifacts"
BILLING = ("account;full_name;address;email;phone\n"
           "0000000002;Петрова Мария Ивановна;г. Самара, ул. Примерная, д. 2, кв. 5;petrova@example.com;+79000000002\n")


def _browser_missing() -> str | None:
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not Path(p).exists()]
    return f"{', '.join(missing)} not installed (apt-get install chromium chromium-driver)" if missing else None


@pytest.fixture
def browser() -> Iterator[Any]:
    reason = _browser_missing()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"the browser test must run in CI: {reason}")
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="omnidesk-chromium-")
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                 "--window-size=1366,768", "--lang=ru-RU", f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def test_the_counter_path_in_a_real_browser(browser: Any, app: Starlette, data_dir: Path, sandbox: SandboxServer,
                                            tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.select import Select
    from selenium.webdriver.support.wait import WebDriverWait

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (tmp_path / "billing.csv").write_text(BILLING, encoding="utf-8")
    import_csv(Database(data_dir), tmp_path / "billing.csv")
    wait = WebDriverWait(browser, 15)
    with ServiceThread(app) as service:
        # sign in with the keyboard
        browser.get(f"{service.url}/")
        browser.find_element(By.NAME, "username").send_keys(STAFF_LOGIN, Keys.TAB)
        browser.switch_to.active_element.send_keys(STAFF_PASSWORD, Keys.ENTER)
        wait.until(ec.presence_of_element_located((By.CLASS_NAME, "bookmarklet")))

        # a new in-person appeal: the account number fills the rest from the billing directory
        browser.get(f"{service.url}/cases/new")
        browser.find_element(By.NAME, "account").send_keys("0000000002", Keys.ENTER)
        wait.until(lambda d: d.find_element(By.NAME, "full_name").get_attribute("value"))
        assert browser.find_element(By.NAME, "address").get_attribute("value") == "г. Самара, ул. Примерная, д. 2, кв. 5"
        Select(browser.find_element(By.NAME, "appeal_type")).select_by_visible_text("Поверка ИПУ")
        browser.find_element(By.CSS_SELECTOR, "#intake button.primary").click()
        wait.until(ec.url_contains("/cases/664-"))
        number = browser.current_url.split("/cases/", 1)[1].split("?", 1)[0]

        # the case page: its type preselected, a template, a fill-in variable
        assert Select(browser.find_element(By.ID, "type")).first_selected_option.text == "Поверка ИПУ"
        Select(browser.find_element(By.ID, "template")).select_by_value("verification-due")
        browser.find_element(By.CSS_SELECTOR, "#choose button").click()
        field = wait.until(ec.presence_of_element_located((By.NAME, "fill.verification_month")))
        browser.execute_script("arguments[0].value = ''", field)
        field.send_keys("12.2026" if field.get_attribute("type") == "text" else "")
        if not field.get_attribute("value"):  # <input type=month>: Chromium's own editor, typed month then year
            field.click()
            field.send_keys("декабрь", Keys.TAB, "2026")
        if field.get_attribute("value") != "2026-12":
            browser.execute_script("arguments[0].value = '2026-12'; arguments[0].dispatchEvent(new Event('input'))",
                                   field)
        assert field.get_attribute("value") == "2026-12"
        wait.until(lambda d: d.find_element(By.CSS_SELECTOR, ".problem[data-for=verification_month]").text == "")
        browser.save_screenshot(str(ARTIFACTS / "case-page.png"))
        browser.find_element(By.CSS_SELECTOR, "#fill button.primary").click()

        # the letter on the letterhead
        letter = wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "article.letter")))
        text = letter.text
        assert "Петрова Мария Ивановна" in text and "Уважаемая Мария Ивановна!" in text
        assert f"На Ваше обращение № {number} от " in text
        assert "декабр" in text and "Кузнецова О.С." in text
        outgoing = browser.find_element(By.CSS_SELECTOR, "article.letter .number").text
        assert outgoing.startswith("№ СКС-")
        browser.save_screenshot(str(ARTIFACTS / "letter.png"))

        # the DOCX says the same
        docx_url = browser.find_element(By.PARTIAL_LINK_TEXT, "DOCX").get_attribute("href")
        cookies = {c["name"]: c["value"] for c in browser.get_cookies()}
        docx = httpx.get(docx_url, cookies=cookies)
        assert docx.status_code == 200
        read = read_letter(docx.content)
        assert read.paragraphs[0] == outgoing
        assert "ФИО: Петрова Мария Ивановна" in read.paragraphs

        # attach to the sandbox case
        browser.find_element(By.XPATH, "//button[contains(., 'Прикрепить к обращению')]").click()
        wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, ".notice")))
        browser.save_screenshot(str(ARTIFACTS / "attached.png"))
    messages = httpx.get(f"{sandbox.url}/api/cases/{number}/messages.json",
                         auth=("admin@sandbox.local", "sandbox-key")).json()
    files = [a["file_name"] for item in messages.values() if isinstance(item, dict)
             for a in item["message"].get("attachments", [])]
    assert any(name.startswith("letter-") and name.endswith(".docx") for name in files)
