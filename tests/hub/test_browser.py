"""In headless Chromium: users of different groups log in, see only their
choices, submit the form and get their server; a refused value shows an
error message and starts nothing."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from hub_support import EXAMPLE_POLICY, HUB_GROUPS, HUB_PASSWORD, Hub
from groupspawner import Policy


#: The deadline of wait_for (at least 120 s, docs/decisions.md).
POLL_DEADLINE_S = 180


def by_css(driver: Any, css: str) -> list:
    from selenium.webdriver.common.by import By

    return driver.find_elements(By.CSS_SELECTOR, css)


def wait_for(predicate, what: str) -> Any:
    """Poll the page until ``predicate`` holds.  A poll, not an event wait:
    WebDriver tells nothing when a page changes (a form submitted, the hub's
    spawn-pending page redirecting), and docs/decisions.md allows a bounded
    retry where no event exists, with a deadline far past what a loaded
    machine needs."""
    deadline = time.monotonic() + POLL_DEADLINE_S
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(f"no {what} within {POLL_DEADLINE_S} s")


def login(driver: Any, hub: Hub, user: str) -> None:
    # forget the previous user (cookies of every path)
    driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
    driver.get(f"{hub.url}/hub/login")
    wait_for(lambda: by_css(driver, "#username_input"), what="the login form")
    by_css(driver, "#username_input")[0].send_keys(user)
    by_css(driver, "#password_input")[0].send_keys(HUB_PASSWORD)
    by_css(driver, "#login_submit")[0].click()
    wait_for(lambda: "/hub/login" not in driver.current_url, what=f"{user} to log in")


def open_form(driver: Any, hub: Hub, query: str = "") -> None:
    driver.get(f"{hub.url}/hub/spawn{query}")
    wait_for(lambda: by_css(driver, "#spawn_form"), what="the spawn form")


def groups_of(user: str) -> list[str]:
    return [g for g, members in HUB_GROUPS.items() if user in members]


@pytest.mark.parametrize("user", ["alice", "gina", "mona"])
def test_form_shows_only_the_groups_choices(browser: Any, hub: Hub, user: str) -> None:
    limits = Policy.from_file(EXAMPLE_POLICY).limits_for(groups_of(user))
    login(browser, hub, user)
    open_form(browser, hub)
    images = [o.get_attribute("value") for o in by_css(browser, "#nbkit-image option")]
    assert images == limits.image_choices
    cpu = by_css(browser, "#nbkit-cpu")[0]
    assert cpu.get_attribute("max") == limits.cpu.as_strings()["max"]
    assert cpu.get_attribute("min") == "0.5"
    assert cpu.get_attribute("step") == "0.5"
    mem = by_css(browser, "#nbkit-memory")[0]
    assert mem.get_attribute("max") == limits.memory_gib.as_strings()["max"]
    # labels for screen readers
    assert by_css(browser, "label[for=nbkit-cpu]") and by_css(browser, "label[for=nbkit-memory]")
    gpu = by_css(browser, "#nbkit-gpu")
    pools = [o.get_attribute("value") for o in by_css(browser, "#nbkit-pool option")]
    if user == "gina":
        assert gpu and gpu[0].get_attribute("max") == "2"
        assert pools == ["shared", "gpu-a100"]
    else:
        assert not gpu, "users without GPU groups must not be offered GPUs"
        assert pools == [], "a single pool needs no choice"
        assert "do not include GPUs" in browser.page_source
    if user == "mona":
        assert "notebook:dev" in images
    else:
        assert "notebook:dev" not in images


def test_submit_the_form_and_get_the_server(browser: Any, hub: Hub) -> None:
    from selenium.webdriver.support.ui import Select

    user = "gina"
    login(browser, hub, user)
    open_form(browser, hub)
    Select(by_css(browser, "#nbkit-image")[0]).select_by_value("notebook:stable-old")
    for field, value in (("#nbkit-cpu", "8"), ("#nbkit-memory", "32"), ("#nbkit-gpu", "1")):
        element = by_css(browser, field)[0]
        element.clear()
        element.send_keys(value)
    Select(by_css(browser, "#nbkit-pool")[0]).select_by_value("gpu-a100")
    by_css(browser, "#spawn_form input[type=submit]")[0].click()
    wait_for(lambda: by_css(browser, "#CPU_LIMIT"), what="gina's server page")
    assert f"/user/{user}/" in browser.current_url
    expected = Policy.from_file(EXAMPLE_POLICY).resolve(
        groups_of(user), {"image": "notebook:stable-old", "cpu": "8", "memory": "32",
                          "gpu": "1", "pool": "gpu-a100"})
    assert by_css(browser, "#CPU_LIMIT")[0].text == str(expected.cpu_limit) == "8.0"
    assert by_css(browser, "#CPU_GUARANTEE")[0].text == str(expected.cpu_guarantee)
    assert by_css(browser, "#MEM_LIMIT")[0].text == str(32 * 2**30)
    assert by_css(browser, "#MEM_GUARANTEE")[0].text == str(32 * 2**30)
    # the hub saved the normalised options
    status, model = hub.api("GET", f"/users/{user}")
    assert model["servers"][""]["user_options"] == {
        "image": "notebook:stable-old", "cpu": "8", "memory": "32", "gpu": 1, "pool": "gpu-a100"}
    hub.stop_server(user)


def test_refused_value_shows_an_error_and_starts_nothing(browser: Any, hub: Hub) -> None:
    user = "alice"
    login(browser, hub, user)
    open_form(browser, hub)
    # bypass the browser's own min/max check: the server must refuse
    browser.execute_script("document.getElementById('spawn_form').noValidate = true;")
    cpu = by_css(browser, "#nbkit-cpu")[0]
    cpu.clear()
    cpu.send_keys("5")
    by_css(browser, "#spawn_form input[type=submit]")[0].click()
    error = wait_for(lambda: by_css(browser, ".spawn-error-msg"), what="the error message")
    assert "cpu: 5 is above the maximum" in error[0].text
    assert "allowed: 0.5 to 4 CPUs in steps of 0.5" in error[0].text
    # the form is shown again, still limited to alice's choices
    assert [o.get_attribute("value") for o in by_css(browser, "#nbkit-image option")] == [
        "notebook:stable", "notebook:stable-old"]
    assert hub.server_state(user) == {}
    assert not hub.pid_file(user).exists()


def test_refused_query_string_shows_an_error_and_starts_nothing(browser: Any, hub: Hub) -> None:
    user = "alice"
    login(browser, hub, user)
    open_form(browser, hub, "?image=notebook:dev&cpu=1")
    error = wait_for(lambda: by_css(browser, ".spawn-error-msg"), what="the error message")
    assert "image: 'notebook:dev' is not allowed for your groups" in error[0].text
    assert "allowed: notebook:stable, notebook:stable-old" in error[0].text
    assert hub.server_state(user) == {}
    assert not hub.pid_file(user).exists()
    assert not hub.env_file(user).exists()
    json.dumps(hub.server_state(user))
