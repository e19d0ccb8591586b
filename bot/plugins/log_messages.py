"""The log messages of Rasa, rasa-sdk, Sanic (and Sanic-CORS) and asyncio that carry conversation data in their text.

Each is written as the library writes it (an f-string), each value it puts in named for what it
is (privacy/logs/messages.py): a conversation id shows as a pseudonym, names and counts as they
are, a request as its method and path, Rasa's own formatted traceback as one without messages;
the rest (what was said, slot names and values from outside the domain, events, error messages)
is withheld. tests/unit/test_log_messages.py checks that each is still in its library's source.
"""

from __future__ import annotations

from privacy.logs import Template

LOCKS = "rasa.core.lock_store"
PROCESSOR = "rasa.core.processor"
TRACKER_STORE = "rasa.core.tracker_store"
SERVER = "rasa.server"

TEMPLATES = (
    Template(LOCKS, "Issuing ticket for conversation '{conversation}'."),
    Template(LOCKS, "Acquiring lock for conversation '{conversation}'."),
    Template(LOCKS, "Acquired lock for conversation '{conversation}'."),
    Template(
        LOCKS,
        "Failed to acquire lock for conversation ID '{conversation}' because {count} other item(s) for this "
        "conversation ID have to be finished processing first. Retrying in {count} seconds ...",
    ),
    Template(LOCKS, "Deleted lock for conversation '{conversation}'."),
    Template(LOCKS, "Could not delete lock for conversation '{conversation}'."),
    Template(PROCESSOR, "Starting a new session for conversation ID '{conversation}'."),
    Template(PROCESSOR, "The latest session for conversation ID '{conversation}' has expired."),
    Template(PROCESSOR, "Circuit breaker tripped. Stopped predicting more actions for sender '{conversation}'."),
    Template(PROCESSOR, "Canceled reminder because it is outdated ({event})."),
    Template(TRACKER_STORE, "Could not find tracker for conversation ID '{conversation}'."),
    Template(TRACKER_STORE, "Recreating tracker for id '{conversation}'"),
    Template(TRACKER_STORE, "Recreating tracker from sender id '{conversation}'"),
    Template(
        TRACKER_STORE,
        "Can't retrieve tracker matching sender id '{conversation}' from SQL storage. Returning `None` instead.",
    ),
    Template(TRACKER_STORE, "Tracker with sender_id '{conversation}' stored to database"),
    *(
        Template(
            TRACKER_STORE,
            f"Error happened when trying to {doing} '{{name}}'. Falling back to use the '{{name}}'. "
            "Please investigate the following error: {error}.",
        )
        for doing in ("save conversation tracker to", "retrieve conversation tracker from")
    ),
    Template(
        "rasa.core.actions.action",
        "Failed to execute custom action '{name}' as a result of error '{error}'. The default action "
        "'{name}' failed to fill slots with custom mappings.",
    ),
    Template("rasa.core.actions.forms", "The execution of '{name}' resulted in these events: {events}."),
    Template("rasa.shared.core.trackers", "Tried to access non existent slot '{slot}'"),
    Template(
        "rasa.shared.core.trackers",
        "Tried to set non existent slot '{slot}'. Make sure you added all your slots to your domain file.",
    ),
    Template(
        "rasa.shared.core.events",
        "Event from parameters called with parameters for multiple events. This is not supported, "
        "only the first event will be returned. Parameters: {parameters}",
    ),
    Template(SERVER, "Traceback (most recent call last):{traceback}"),
    Template(SERVER, "An unexpected error occurred. Error: {error}"),
    Template(
        SERVER,
        "Failed to validate the events format. For more information about the format visit the docs. Error: {error}",
    ),
    Template(SERVER, "Supplied events are not valid. {error}"),
    Template(SERVER, "The intent {intent} does not exist in the domain."),
    Template(SERVER, "Fetched trackers for {count} conversation sessions for conversation ID {conversation}."),
    Template("rasa_sdk.executor", "Contents of ignored event: '{event}'"),
    Template("rasa_sdk.interfaces", "Tried to access non existent slot '{slot}'."),
    Template("sanic.root", "Request: {request} stopped. Transport is closed."),
    Template("sanic.root", "Sanic-CORS: Request to '{url}' matches CORS resource '{name}'. Using options: {options}"),
    Template("sanic.error", "Exception occurred while handling uri: '{url}'"),
    Template("asyncio", "{name} exception was never retrieved\n{context}"),
    Template("asyncio", "Task was destroyed but it is pending!\n{context}"),
    Template("asyncio", "Exception in callback {callback}"),
)
