"""The login page in a real browser: Chinese by default, logs a user in and out.

The test asks to come back to the login page after logging in (`?next=`), so it checks the
accounts pages and the layout's navigation bar without depending on the workbench.
"""

from urllib.parse import quote

import pytest
from django.urls import reverse

from tests.browser.fixtures import screenshot
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_page_is_chinese_and_logs_a_user_in_and_out(live_server, browser_page):
    UserFactory(username="zhangwei", full_name="张伟")
    page = browser_page
    login_url = reverse("accounts:login")

    page.goto(f"{live_server.url}{login_url}?next={quote(login_url)}")
    assert page.title() == "登录 · 帮办代办服务平台"
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator(".navbar-brand").inner_text() == "帮办代办服务平台"
    screenshot(page, "login-page")

    page.get_by_label("用户名").fill("zhangwei")
    page.get_by_label("密码").fill("pass-1234-word")
    page.get_by_role("button", name="登录").click()

    page.locator(".bb-user").wait_for()
    assert page.locator(".bb-user").inner_text() == "张伟"
    screenshot(page, "login-page-logged-in")

    page.get_by_role("button", name="退出登录").click()
    page.locator(".bb-user").wait_for(state="detached")
    assert page.url.startswith(f"{live_server.url}{login_url}")


def test_a_wrong_password_is_refused_with_a_message(live_server, browser_page):
    UserFactory(username="lisi")
    page = browser_page

    page.goto(live_server.url + reverse("accounts:login"))
    page.get_by_label("用户名").fill("lisi")
    page.get_by_label("密码").fill("wrong-password")
    page.get_by_role("button", name="登录").click()

    page.locator(".alert-danger").wait_for()
    assert page.url == live_server.url + reverse("accounts:login")
    assert page.locator(".bb-user").count() == 0
