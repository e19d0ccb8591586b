"""The chat widget on its demo page, driven in a real browser as a patient uses it (Playwright)."""

from __future__ import annotations

import json

from playwright.sync_api import Locator, Page, expect


class Widget:
    """The widget on the demo page, used as a patient would."""

    def __init__(self, page: Page, base_url: str):
        self.page, self.url = page, f"{base_url}/webhooks/widget/"
        self.launcher = page.get_by_role("button", name="Chat with us")
        self.dialog = page.get_by_role("dialog", name="Healthtigo assistant")
        self.log = page.get_by_role("log")
        self.input = page.get_by_label("Your message")
        self.users = self.log.locator(".ht-user")
        # The bot's messages after the patient's latest one.
        self.replies = self.log.locator(
            "xpath=./div[contains(@class, 'ht-user')][last()]/following-sibling::div[contains(@class, 'ht-bot')]"
        )

    def open(self) -> "Widget":
        """Load the demo page, open the chat and accept the notice."""
        self.page.goto(self.url)
        self.launcher.click()
        self.page.get_by_role("button", name="I understand").click()
        expect(self.input).to_be_focused()
        return self

    def send(self, text: str) -> None:
        """Type `text`, send it and wait until the bot has answered."""
        self.input.fill(text)
        self.input.press("Enter")
        expect(self.log).to_have_attribute("data-turn", "done")

    def say(self, text: str, answer: str) -> Locator:
        """Send `text`; return the bot's reply containing `answer`."""
        self.send(text)
        return self.reply(answer)

    def choose(self, title: str) -> None:
        """Click the quick reply `title` and wait until the bot has answered."""
        self.page.get_by_role("button", name=title, exact=True).click()
        expect(self.log).to_have_attribute("data-turn", "done")

    def reply(self, answer: str) -> Locator:
        found = self.replies.filter(has_text=answer).first
        expect(found).to_be_visible()
        return found

    def session_id(self) -> str:
        """The conversation's id, once the server has confirmed the session."""
        stored = self.page.wait_for_function("sessionStorage.getItem('healthtigo.chat')").json_value()
        return json.loads(stored)["session_id"]
