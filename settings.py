"""The one place settings come from: the environment, over .env in development.

Every process (rasa server, action server, staff console, the vault's command line) reads its
settings here. `make run` writes .env (runtime/envfile.py); .env.example documents every
variable. The vault's keys and databases are parsed into privacy.config.VaultConfig.
"""

from __future__ import annotations

import os
from pathlib import Path

from dotenv import load_dotenv

PROJECT_ROOT = Path(__file__).resolve().parent
# ENV_FILE lets the test suite run with its own settings instead of a developer's .env.
ENV_FILE = Path(os.environ.get("ENV_FILE", PROJECT_ROOT / ".env"))
load_dotenv(ENV_FILE)
# Local state of the embedded profile: SQLite databases, the outbox, reports.
VAR = PROJECT_ROOT / "var"

HOST = os.environ.get("BIND_HOST", "127.0.0.1")
RASA_PORT = int(os.environ.get("RASA_PORT", "5005"))
ACTION_SERVER_PORT = int(os.environ.get("ACTION_SERVER_PORT", "5055"))
CONSOLE_PORT = int(os.environ.get("CONSOLE_PORT", "5010"))
# Where the rasa server calls the action server (in production: the load balancer's address for the replicas).
ACTION_SERVER_URL = os.environ.get("ACTION_SERVER_URL") or f"http://{HOST}:{ACTION_SERVER_PORT}/webhook"
# Shared secret the rasa server sends to the action server (X-Action-Token header).
ACTION_SERVER_TOKEN = os.environ.get("ACTION_SERVER_TOKEN", "")
# Seals the verified patient in a conversation (bot/identity_seal.py). Only the action server
# holds it: the rasa server and the console run without it (runtime/launch.py).
IDENTITY_SEAL_KEY = os.environ.get("IDENTITY_SEAL_KEY", "")
# How long, in seconds, a verification lasts at most (a session ends sooner, after 30 idle minutes).
IDENTITY_LIFETIME = int(os.environ.get("IDENTITY_LIFETIME", str(4 * 3600)))
# Rasa's HTTP API (the conversations; channels/api_paths.py) is enabled only when this is set:
# the secret that signs the JWTs its clients send in the Authorization header.
RASA_API_TOKEN = os.environ.get("RASA_API_TOKEN", "")
# The largest request body the rasa server (and nginx in front of it) reads, in bytes: a message
# of 1,600 characters, Twilio's fields or a socket.io packet need far less.
REQUEST_MAX_SIZE = int(os.environ.get("REQUEST_MAX_SIZE", "65536"))
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
# Where patients reach the rasa server from outside (download links in the chat use it).
PUBLIC_URL = os.environ.get("PUBLIC_URL", f"http://127.0.0.1:{RASA_PORT}").rstrip("/")
# Browser origins allowed to call the rasa server; never "*".
CORS_ORIGINS = (
    os.environ.get("CORS_ORIGINS") or f"{PUBLIC_URL} {PUBLIC_URL.replace('127.0.0.1', 'localhost')}"
).split()
# Where the staff console reaches the rasa server's HTTP API (in production: the load balancer).
RASA_URL = (os.environ.get("RASA_URL") or f"http://{HOST}:{RASA_PORT}").rstrip("/")
# Which endpoints file the rasa server reads (the benchmarks compare tracker stores with it).
ENDPOINTS_FILE = Path(os.environ.get("ENDPOINTS_FILE", PROJECT_ROOT / "endpoints.yml"))
MODELS_DIR = PROJECT_ROOT / "models"

# --- REST channel and rate limits ---
# The REST channel's clients (the terminal chat, the tests, the benchmarks) send it as
# "Authorization: Bearer <token>". `make run` generates one; the production profile refuses to
# start without it, and with it unset the channel refuses every request.
REST_CLIENT_TOKEN = os.environ.get("REST_CLIENT_TOKEN", "")
# Each sender's burst of messages and messages a minute after it, on every channel.
RATE_LIMIT_BURST = int(os.environ.get("RATE_LIMIT_BURST", "10"))
RATE_LIMIT_PER_MINUTE = int(os.environ.get("RATE_LIMIT_PER_MINUTE", "20"))
# The same for a REST sender (by default the same limits).
REST_RATE_LIMIT_BURST = int(os.environ.get("REST_RATE_LIMIT_BURST") or RATE_LIMIT_BURST)
REST_RATE_LIMIT_PER_MINUTE = int(os.environ.get("REST_RATE_LIMIT_PER_MINUTE") or RATE_LIMIT_PER_MINUTE)
# Each client address's, on the REST channel (many patients may share one address).
ADDRESS_RATE_LIMIT_BURST = int(os.environ.get("ADDRESS_RATE_LIMIT_BURST", "60"))
ADDRESS_RATE_LIMIT_PER_MINUTE = int(os.environ.get("ADDRESS_RATE_LIMIT_PER_MINUTE", "120"))
# Proxies in front of the rasa server whose X-Forwarded-For is believed (1 behind nginx).
TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))

# --- Several replicas (production profile) ---
# Redis, shared by the replicas: Rasa's lock store (one replica at a time per conversation)
# and the widget's socket.io messages. Unset: one process, in-memory locks.
REDIS_URL = os.environ.get("REDIS_URL", "")
# Redis's password (requirepass), sent by every client apart from REDIS_URL, which holds none.
REDIS_PASSWORD = os.environ.get("REDIS_PASSWORD", "")
# Letters and digits put before every Redis key, so that several deployments can share one Redis.
REDIS_KEY_PREFIX = os.environ.get("REDIS_KEY_PREFIX", "healthtigo")

# --- SMS (Twilio) ---
# Where a new patient's phone may be, to be texted a code (two-letter regions, separated by spaces).
SMS_REGIONS = os.environ.get("SMS_REGIONS", "US CA").split()
# Signs Twilio's webhook requests; without it the SMS webhook refuses every request.
TWILIO_AUTH_TOKEN = os.environ.get("TWILIO_AUTH_TOKEN", "")
# With an account and a sending number, replies go through Twilio; otherwise to the local outbox.
TWILIO_ACCOUNT_SID = os.environ.get("TWILIO_ACCOUNT_SID", "")
TWILIO_FROM_NUMBER = os.environ.get("TWILIO_FROM_NUMBER", "")
# Twilio's REST API (a local stand-in in the tests).
TWILIO_API_URL = os.environ.get("TWILIO_API_URL") or "https://api.twilio.com"
# The URL Twilio calls, as Twilio sees it (signatures cover it; behind a proxy it differs from Rasa's).
SMS_WEBHOOK_URL = os.environ.get("SMS_WEBHOOK_URL") or f"{PUBLIC_URL}/webhooks/sms/webhook"

# --- Web chat widget ---
# Key of the session tokens that bind a browser to its conversation.
WIDGET_SECRET = os.environ.get("WIDGET_SECRET", "")
# Where patients are sent to continue in the secure web chat (health questions are not asked by SMS).
WEB_CHAT_URL = os.environ.get("WEB_CHAT_URL") or f"{PUBLIC_URL}/webhooks/widget/"
