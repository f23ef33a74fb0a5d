"""What a running stack cannot take up by itself: a change to template.yaml (resources, functions, their
environment) or openapi.yaml (routes, validation) needs the stack restarted. Python code needs nothing:
the runtime reloads a function's changed modules on its next invocation (shoplocal/lambdas.py)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

logger = logging.getLogger(__name__)

WATCH_INTERVAL_S = 1.0


def restart_message(path: Path) -> str:
    return (
        f"{path.name} changed: the running stack still uses the version it started with; "
        f"stop it (Ctrl-C) and start `make run` again to apply the change"
    )


def _mtime(path: Path) -> int | None:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return None


class DefinitionWatcher(threading.Thread):
    """Reports (once per change) each of `paths` that changed since the stack started."""

    def __init__(
        self,
        paths: Iterable[Path],
        stop: threading.Event,
        *,
        interval: float = WATCH_INTERVAL_S,
        report: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__(name="definition-watcher", daemon=True)
        self.stop = stop
        self.interval = interval
        self.report = report or (lambda message: logger.warning("%s", message))
        self.seen = {Path(path): _mtime(Path(path)) for path in paths}

    def check(self) -> list[Path]:
        """The paths that changed since the last check (reported)."""
        changed = []
        for path, seen in self.seen.items():
            now = _mtime(path)
            if now != seen:
                self.seen[path] = now
                changed.append(path)
                self.report(restart_message(path))
        return changed

    def run(self) -> None:
        while not self.stop.wait(self.interval):
            self.check()
