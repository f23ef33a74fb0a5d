"""Lambda SnapStart (template.yaml's `SnapStart` parameter): what an execution environment must not share with
the others restored from the same snapshot.

With SnapStart, Lambda runs an entry module's init once, when a version is published, snapshots the memory of
that environment, and resumes every new environment of the version from the snapshot instead of running the
init again. Whatever the init left in memory is then the same in all of them, for as long as the version lives:

- the `random` module's state (the jittered backoffs of datamodel/transaction.py and invoices.py): reseeded
  from the OS after a restore, so that restored environments that collided do not pause in step and collide
  again. The ids need nothing: python-ulid asks the kernel (`os.urandom`) for each id's 80 random bits (within
  one millisecond it increments the previous id's, a state each environment builds after its restore), and
  domain/ids.py imports it on the first id, so the init leaves no generator state in the snapshot. That
  relies on the kernel's generator not being the snapshot's in a restored microVM: AWS's uniqueness guidance
  is about the user-space state made at init (ids, seeds), which is what this module renews;
- the botocore session, its credentials and the SDK clients built at init (datamodel.base.connect and the
  module-level clients of `aws_client`): closed before the snapshot (no socket in the image) and rebuilt after
  a restore, so that each environment signs with credentials resolved after its restore (the role's session
  may have expired in the days between publishing and restoring) and opens connections of its own.

`register()` ends an entry module's init. Only when Lambda initialises for a snapshot
(`AWS_LAMBDA_INITIALIZATION_TYPE=snap-start`) does it import `snapshot_restore_py` (part of Lambda's Python
runtime; a dev dependency here, for the test) and register `before_snapshot` and `after_restore`; elsewhere,
the local stack included, it does nothing and imports nothing. A module that keeps a client of its own marks
the function that rebuilds it with `@on_restore`; those run in the order they were registered (the data
layer's first: every other client is built on its session), after the data layer has reconnected.
tests/functional/test_snapstart.py runs the hooks as Lambda would, in two environments forked from one
snapshot.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable

INITIALIZATION_TYPE = "AWS_LAMBDA_INITIALIZATION_TYPE"
SNAP_START = "snap-start"

Hook = Callable[[], None]

_snapshot: list[Hook] = []
_restore: list[Hook] = []
_registered = False


def on_snapshot(hook: Hook) -> Hook:
    """Run `hook` before the snapshot is taken (decorator). Registering costs a list append."""
    _snapshot.append(hook)
    return hook


def on_restore(hook: Hook) -> Hook:
    """Run `hook` after the environment is restored from a snapshot (decorator)."""
    _restore.append(hook)
    return hook


def enabled() -> bool:
    """Whether this environment is being initialised for a SnapStart snapshot."""
    return os.environ.get(INITIALIZATION_TYPE) == SNAP_START


def register() -> None:
    """End of an entry module's init: hand the hooks to Lambda's runtime when a snapshot will be taken."""
    global _registered
    if _registered or not enabled():
        return
    from snapshot_restore_py import register_after_restore, register_before_snapshot

    register_before_snapshot(before_snapshot)
    register_after_restore(after_restore)
    _registered = True


def before_snapshot() -> None:
    for hook in reversed(_snapshot):  # the last registered (closest to the handler) first, as Lambda does
        hook()


def after_restore() -> None:
    random.seed()  # from os.urandom: this environment's own sequence
    for hook in _restore:
        hook()
