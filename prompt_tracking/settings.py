"""The user's settings for the plugin, kept in `settings.json` in the data dir (mode 0600).

Today it holds the training-export opt-in (with when and where it was given) and the
auto-export state. Writes replace the file atomically, so a crash never leaves half a file,
and a missing or unreadable file reads as "no settings" rather than an error.
"""
from __future__ import annotations

import json
import logging
import os
import threading
import time
from pathlib import Path
from typing import Any

from prompt_tracking._storage import paths

log = logging.getLogger(__name__)

SETTINGS_NAME = "settings.json"
CONSENT_KEY = "training_export_consent"
_lock = threading.Lock()  # one read-modify-write at a time within this process


def settings_path(data_dir: str | Path) -> Path:
    return Path(data_dir) / SETTINGS_NAME


def load_settings(data_dir: str | Path) -> dict[str, Any]:
    """The settings dict; empty when the file is missing or unreadable."""
    try:
        with open(settings_path(data_dir), encoding="utf-8") as handle:
            data = json.load(handle)
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        log.warning("prompt-tracking: cannot read %s (%s); using defaults",
                    settings_path(data_dir), exc)
        return {}
    return data if isinstance(data, dict) else {}


def update_settings(data_dir: str | Path, **changes: Any) -> dict[str, Any]:
    """Merge `changes` into the settings file (a value of None removes the key).

    Returns:
        The settings as written.

    Raises:
        OSError: the data dir cannot be written.
    """
    directory = Path(data_dir)
    with _lock:
        settings = load_settings(directory)
        for key, value in changes.items():
            if value is None:
                settings.pop(key, None)
            else:
                settings[key] = value
        paths.ensure_private_dir(directory)
        target = settings_path(directory)
        temporary = target.with_name(f".{SETTINGS_NAME}.{os.getpid()}.{threading.get_ident()}.tmp")
        fd = os.open(temporary, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(settings, handle, indent=2, sort_keys=True)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, target)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
    return settings


def export_consent(data_dir: str | Path) -> dict[str, Any] | None:
    """The stored opt-in (`{"granted": True, "at": epoch, "at_iso": ..., "via": ...}`) or None."""
    consent = load_settings(data_dir).get(CONSENT_KEY)
    return consent if isinstance(consent, dict) and consent.get("granted") is True else None


def has_export_consent(data_dir: str | Path) -> bool:
    """True when the user has opted in to training export."""
    return export_consent(data_dir) is not None


def grant_export_consent(data_dir: str | Path, *, via: str = "api") -> dict[str, Any]:
    """Store the user's opt-in with a timestamp and where it was given ("gui", "cli", "api")."""
    now = time.time()
    consent = {"granted": True, "at": now,
               "at_iso": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now)), "via": via}
    update_settings(data_dir, **{CONSENT_KEY: consent})
    return consent


def revoke_export_consent(data_dir: str | Path) -> None:
    """Withdraw the opt-in; later exports raise `ConsentRequiredError` until it is given again."""
    update_settings(data_dir, **{CONSENT_KEY: None})
