"""A local stand-in for Twilio: its REST API's Messages resource (reached by the real twilio
client through TWILIO_API_URL), and signed webhook requests as Twilio sends them."""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Optional
from urllib.parse import parse_qsl, urlencode

import requests
from twilio.request_validator import RequestValidator


@dataclass
class TwilioStandIn:
    auth_token: str
    account_sid: str = field(default_factory=lambda: "AC" + secrets.token_hex(16))
    from_number: str = "+14694212600"
    messages: list[dict] = field(default_factory=list)
    failures: list[int] = field(default_factory=list)  # statuses to answer the next sends with
    _server: Optional[ThreadingHTTPServer] = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def start(self) -> "TwilioStandIn":
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the http.server interface
                expected = "Basic " + base64.b64encode(f"{standin.account_sid}:{standin.auth_token}".encode()).decode()
                if not self.path.endswith(f"/Accounts/{standin.account_sid}/Messages.json"):
                    return self._answer(404, {"code": 20404, "message": "Not found", "status": 404})
                if self.headers.get("Authorization") != expected:
                    return self._answer(401, {"code": 20003, "message": "Authenticate", "status": 401})
                form = dict(parse_qsl(self.rfile.read(int(self.headers["Content-Length"])).decode()))
                if standin.failures:
                    status = standin.failures.pop(0)
                    return self._answer(status, {"code": 20500, "message": "Internal error", "status": status})
                sid = "SM" + secrets.token_hex(16)
                standin.messages.append(
                    {
                        "sid": sid,
                        "to": form.get("To"),
                        "from": form.get("From"),
                        "body": form.get("Body"),
                        "at": time.time(),
                    }
                )
                self._answer(
                    201,
                    {
                        "sid": sid,
                        "account_sid": standin.account_sid,
                        "to": form.get("To"),
                        "from": form.get("From"),
                        "body": form.get("Body"),
                        "status": "queued",
                    },
                )

            def _answer(self, status: int, payload: dict) -> None:
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    def to(self, phone: str) -> list[str]:
        """The bodies sent to `phone`, in order."""
        return [m["body"] for m in list(self.messages) if m["to"] == phone]

    def wait_for(self, phone: str, count: int, timeout: float = 60) -> list[str]:
        """The bodies sent to `phone` once there are at least `count` (raises after `timeout`)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            sent = self.to(phone)
            if len(sent) >= count:
                return sent
            time.sleep(0.05)
        raise AssertionError(f"{len(self.to(phone))} of {count} messages to {phone} after {timeout}s: {self.to(phone)}")

    def quiet(self, phone: str, seconds: float = 1.5) -> list[str]:
        """What is sent to `phone` once nothing more arrives for `seconds`."""
        seen, since = len(self.to(phone)), time.monotonic()
        while time.monotonic() - since < seconds:
            time.sleep(0.05)
            if len(self.to(phone)) != seen:
                seen, since = len(self.to(phone)), time.monotonic()
        return self.to(phone)


def inbound(phone: str, body: str = "", sid: Optional[str] = None, **extra: str) -> list[tuple[str, str]]:
    """The form fields of an incoming SMS, as Twilio posts them (blank ones included)."""
    sid = sid or "SM" + secrets.token_hex(16)
    fields = {
        "ToCountry": "US",
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "MessageSid": sid,
        "Body": body,
        "From": phone,
        "To": "+14694212600",
        "FromCity": "",
        "ApiVersion": "2010-04-01",
        **extra,
    }
    return list(fields.items())


def post_signed(
    webhook: str, public_url: str, token: str, fields: list[tuple[str, str]], signature: Optional[str] = None
) -> requests.Response:
    """POST `fields` to `webhook` signed as Twilio signs them for `public_url`."""
    if signature is None:
        signature = RequestValidator(token).compute_signature(public_url, _multi(fields))
    return requests.post(
        webhook,
        data=urlencode(fields),
        timeout=30,
        headers={"X-Twilio-Signature": signature, "Content-Type": "application/x-www-form-urlencoded"},
    )


class _multi(dict):
    """Form fields with repeated names, as RequestValidator reads them."""

    def __init__(self, fields: list[tuple[str, str]]):
        super().__init__()
        for name, value in fields:
            self.setdefault(name, []).append(value)

    def getall(self, name: str) -> list[str]:
        return self[name]
