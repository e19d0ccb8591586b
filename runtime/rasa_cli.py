"""Runs a rasa command with telemetry and error reporting off, logs redacted and our start-up patches applied.

Rasa sends usage telemetry and reports errors to Sentry by default (the
error-reporting key ships inside the package, and is used even when telemetry
is disabled); either could carry health data out. Every rasa command of this
project goes through here: python -m runtime.rasa_cli <rasa arguments>.
"""

from __future__ import annotations

import os
import sys
import warnings

# Read by SQLAlchemy when it is first imported: Rasa's own 1.4-style code warns at every start.
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")


def import_dependencies_quietly() -> None:
    """Import the dependencies that warn about their own deprecated calls, with warnings off.

    They warn at every start of a server; none of it is ours to act on.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import matplotlib.font_manager  # noqa: F401
        import pkg_resources  # noqa: F401


def prepare() -> None:
    """Switch off telemetry and error reporting, redact logs, apply the start-up patches."""
    import_dependencies_quietly()
    os.environ["RASA_TELEMETRY_ENABLED"] = "false"
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import rasa.telemetry

    rasa.telemetry.initialize_error_reporting = lambda: None

    from bot.plugins import action_failure, action_validation, structured_logs, tracker_store
    from bot.plugins.log_messages import TEMPLATES
    from privacy import logs

    logs.install(TEMPLATES)
    structured_logs.install()
    action_failure.install()
    action_validation.install()
    tracker_store.install()


def main(argv: list[str]) -> None:
    """Run `rasa <argv>` as the rasa command line would."""
    prepare()
    import rasa.__main__

    sys.argv = ["rasa", *argv]
    rasa.__main__.main()


if __name__ == "__main__":
    main(sys.argv[1:])
