"""STOP, START and HELP, and their synonyms: the keywords carriers and Twilio act on, as a whole
message (case and punctuation aside). STOP and START are recorded as the number's SMS consent in
the vault; each is answered as carriers expect, even to a number that opted out."""

from __future__ import annotations

import asyncio
import re
from typing import Optional

from channels.sms.output import SmsOutput
from privacy import shared_vault

STOPPED = (
    "Healthtigo: you're unsubscribed and will get no more texts from us. Reply START to text with us "
    "again. Emergencies: call 911."
)
STARTED = "Healthtigo: you can text with us again. Reply HELP for help, STOP to unsubscribe."
HELP = (
    "Healthtigo assistant: appointments and support. Help: (469) 421-2618 or support@healthtigo.com. "
    "Msg&data rates may apply. Reply STOP to opt out. Emergency: 911"
)
WORDS = {
    "stop": {"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "optout", "revoke"},
    "start": {"start", "unstop", "yes"},  # "yes" only re-subscribes a number that opted out
    "help": {"help", "info"},
}


def keyword(text: str) -> Optional[str]:
    """ "stop", "start" or "help" when the whole message is one of their keywords, else None."""
    word = re.sub(r"[\s.!]+", "", text.lower())
    for name, words in WORDS.items():
        if word in words:
            return name
    return None


async def act(output: SmsOutput, sender_id: str, text: str) -> bool:
    """STOP, START or HELP: act and answer; True when the message was one."""
    word = keyword(text)
    sms = shared_vault().sms
    if word == "start" and text.strip().lower().startswith("yes"):
        word = "start" if await asyncio.to_thread(sms.opted_out, sender_id) else None
    if word == "stop":
        await asyncio.to_thread(sms.stop, sender_id, STOPPED)
        await output.send(sender_id, STOPPED, always=True)
    elif word == "start":
        await asyncio.to_thread(sms.start, sender_id, STARTED)
        await output.send(sender_id, STARTED, always=True)
    elif word == "help":
        await output.send(sender_id, HELP, always=True)
    return word is not None
