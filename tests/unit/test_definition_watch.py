"""A running stack reports a change to template.yaml or openapi.yaml, with what to do (shoplocal/watch.py)."""

import os
import threading

from shoplocal.watch import DefinitionWatcher


def test_a_changed_definition_is_reported_once_with_what_to_do(tmp_path):
    template, spec = tmp_path / "template.yaml", tmp_path / "openapi.yaml"
    template.write_text("Resources: {}\n")
    spec.write_text("openapi: 3.0.3\n")
    said: list[str] = []
    watcher = DefinitionWatcher([template, spec], threading.Event(), report=said.append)
    assert watcher.check() == [] and said == []

    template.write_text("Resources: {Table: {}}\n")
    mtime = template.stat().st_mtime_ns + 1_000_000_000
    os.utime(template, ns=(mtime, mtime))
    assert watcher.check() == [template]
    assert said == [
        "template.yaml changed: the running stack still uses the version it started with; "
        "stop it (Ctrl-C) and start `make run` again to apply the change"
    ]
    assert watcher.check() == []  # reported once per change


def test_the_watcher_runs_until_stopped(tmp_path):
    spec = tmp_path / "openapi.yaml"
    spec.write_text("openapi: 3.0.3\n")
    said: list[str] = []
    stop = threading.Event()
    watcher = DefinitionWatcher([spec], stop, interval=0.01, report=said.append)
    watcher.start()
    mtime = spec.stat().st_mtime_ns + 1_000_000_000
    os.utime(spec, ns=(mtime, mtime))
    for _ in range(500):
        if said:
            break
        stop.wait(0.01)
    stop.set()
    watcher.join(2)
    assert not watcher.is_alive() and len(said) == 1 and said[0].startswith("openapi.yaml changed")
