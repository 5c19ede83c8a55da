"""Shared steps for the tests that drive a real headless Chromium."""

from tests.factories import PASSWORD


def sign_in(browser, live_server, user, **context_options):
    """A new page in its own browser context, signed in as the user."""
    context = browser.new_context(**context_options)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("h1")
    return page
