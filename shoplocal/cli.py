"""`shop`: the local stack's command line. `shop run` serves the whole stack on loopback."""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import socket
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

DEFAULT_PORT = 3000
DEFAULT_MACHINE_PORT = 3001  # the machine API: access tokens with scopes (apigateway/machine-api.yaml)
DEFAULT_MOTO_PORT = 5000
HOST = "127.0.0.1"


class _Stop(BaseException):
    """Ctrl-C or SIGTERM: leave the way a finished command does. A BaseException, like
    KeyboardInterrupt, so that no library's `except Exception` swallows it."""


def _raise_stop(signum: int, frame: Any) -> None:
    raise _Stop(signal.Signals(signum).name)


def _say(message: str) -> None:
    print(f"shop: {message}", file=sys.stderr, flush=True)


def _port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True


def _env_port(name: str) -> int | None:
    value = os.environ.get(name)
    return int(value) if value else None


def _server(config: Any, on_ready: Callable[[], None]) -> Any:
    """A uvicorn server that announces readiness once its socket listens."""
    import uvicorn

    class Server(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets)
            if self.started:
                on_ready()

    return Server(config)


def describe(
    api_url: str, emulator: Any, template: Any, stack: Any, machine_api_url: str | None = None
) -> dict[str, Any]:
    """Where everything of the local stack is."""
    from shoplocal.template import PROVISIONED_BY_API

    data = list(template.data_template()["Resources"])
    data += [name for name, resource in template.resources.items() if resource["Type"] in PROVISIONED_BY_API]
    return {
        "api": api_url,
        **({"machine_api": machine_api_url} if machine_api_url else {}),
        "ui": f"{api_url}/ui/",
        "spec": f"{api_url}/openapi.json",
        "health": f"{api_url}/health",
        "moto": emulator.url,
        "resources": {name: stack.physical_ids[name] for name in data if name in stack.physical_ids},
        "pid": os.getpid(),
    }


def _announce(info: dict[str, Any], ready_file: Path | None, admin_token: str | None = None) -> None:
    width = max(len(name) for name in info["resources"]) if info["resources"] else 0
    lines = [
        f"  API          {info['api']}",
        *([f"  Machine API  {info['machine_api']}   (access tokens: `shop token --machine --client ID`)"]
          if info.get("machine_api") else []),
        f"  Swagger UI   {info['ui']}   (Authorize: Bearer <token>)",
        f"  OpenAPI spec {info['spec']}",
        f"  moto server  {info['moto']}   (AWS_ENDPOINT_URL)",
        *(f"  {name:<{width}}  {value}" for name, value in info["resources"].items()),
    ]
    if info.get("concurrency"):
        limits = ", ".join(f"{name} {limit}" for name, limit in info["concurrency"].items())
        lines.append(f"  Processes    at most, per function: {limits}")
    if admin_token:
        lines += [
            "  Admin token  (valid 1 h; `shop token --admin` or `shop token --client ID` for more)",
            f"  {admin_token}",
        ]
    print("\n".join(lines), flush=True)
    if ready_file is not None:
        ready_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = ready_file.with_name(ready_file.name + ".tmp")
        tmp.write_text(json.dumps(info, indent=2))
        tmp.replace(ready_file)  # atomic: a reader never sees half a file
    print(f"shop: ready at {info['api']} (Ctrl-C to stop)", flush=True)


def _signing_key(path: Path, reuse: bool) -> Any:
    from shoplocal.auth import LocalIssuer, NoLocalKey

    if reuse and path.exists():
        try:
            return LocalIssuer.load(path)
        except NoLocalKey:
            pass  # unreadable: a new key, as on a fresh start
    issuer = LocalIssuer.generate()
    issuer.save(path)
    return issuer


def state_directory(args: argparse.Namespace) -> Path:
    """Where `shop run` keeps its data: `--state-dir`, else `state/` beside its ready file."""
    return args.state_dir or args.ready_file.parent / "state"


def run(args: argparse.Namespace) -> int:
    """Embedded moto, resources from template.yaml, functions, SQS pollers, and the gateway on HOST:port."""
    from shoplocal.persistence import StateError, StateInUse

    signal.signal(signal.SIGINT, _raise_stop)
    signal.signal(signal.SIGTERM, _raise_stop)
    emulator = None
    stop_polling = None
    runner = None
    pollers = []
    machine_server = machine_thread = None
    machine_ready = threading.Event()
    try:
        # Imported after the handlers are set, so an early Ctrl-C also stops cleanly.
        import uvicorn

        from shoplocal.auth import JwtAuthorizer, MachineJwtAuthorizer, key_file
        from shoplocal.emulator import Emulator, free_port
        from shoplocal.gateway import MACHINE_API_PATH, create_app, load_spec
        from shoplocal.lambdas import FunctionRunner
        from shoplocal.machine import TokenEndpoint
        from shoplocal.pollers import start_pollers
        from shoplocal.provision import provision
        from shoplocal.template import OPENAPI_PATH, TEMPLATE_PATH, Template
        from shoplocal.watch import DefinitionWatcher

        from shoplocal import persistence

        state_dir = None if args.in_memory else state_directory(args)
        if state_dir is not None and args.fresh:
            persistence.reset(state_dir)
        moto_port = args.moto_port or (DEFAULT_MOTO_PORT if _port_is_free(DEFAULT_MOTO_PORT) else free_port())
        emulator = Emulator(moto_port, state_dir=state_dir).start()
        if emulator.journal is not None and emulator.journal.replayed:
            print(f"shop: restored {emulator.journal.replayed} journaled changes from {state_dir}", flush=True)
        emulator.export()
        template = Template()
        stack = provision(emulator.url, template, state_dir=state_dir)
        runner = FunctionRunner.from_stack(template, stack)
        pollers, stop_polling = start_pollers(runner, template, stack)
        DefinitionWatcher([TEMPLATE_PATH, OPENAPI_PATH], stop_polling, report=_say).start()
        # The stack's own user pool: its signing key, kept next to the stack file for `shop token`. A durable
        # stack keeps its key across restarts (tokens stay valid until they expire, as a user pool's do).
        issuer = _signing_key(key_file(args.ready_file), reuse=state_dir is not None and not args.fresh)
        spec = load_spec()
        app = create_app(
            runner,
            validate_responses=args.validate_responses,
            stage=stack.parameters.get("Stage", "local"),
            authorizer=JwtAuthorizer(issuer.verifier(), spec),
            spec=spec,
        )
        # The machine API, as MachineApi on AWS: the same functions behind a second gateway, whose authorizer
        # takes access tokens with the scopes of each operation (apigateway/machine-api.yaml).
        machine_spec = load_spec(MACHINE_API_PATH)
        machine_app = create_app(
            runner,
            validate_responses=args.validate_responses,
            stage=stack.parameters.get("Stage", "local"),
            authorizer=MachineJwtAuthorizer(issuer.verifier(), machine_spec),
            spec=machine_spec,
        )
        # ... with the token endpoint in front (POST /oauth2/token: client credentials, through PreTokenFunction).
        machine_app = TokenEndpoint(machine_app, issuer, runner)
        machine_server = _server(
            uvicorn.Config(machine_app, host=HOST, port=args.machine_port, log_level=args.log_level),
            on_ready=machine_ready.set,
        )
        # In a thread: uvicorn installs its signal handlers only on the main thread, where the people's API runs.
        machine_thread = threading.Thread(target=machine_server.run, name="machine-api", daemon=True)
        machine_thread.start()
        if not machine_ready.wait(30):
            print(f"shop: the machine API did not start on port {args.machine_port}", file=sys.stderr, flush=True)
            return 1
        info = describe(
            f"http://{HOST}:{args.port}", emulator, template, stack, f"http://{HOST}:{args.machine_port}"
        )
        info["concurrency"] = dict(runner.limits)
        config = uvicorn.Config(app, host=HOST, port=args.port, log_level=args.log_level)
        server = _server(config, on_ready=lambda: _announce(info, args.ready_file, issuer.admin_token()))
        # uvicorn takes SIGINT/SIGTERM while serving, then gives them back to _raise_stop.
        server.run()
        return 0 if server.started else 1
    except _Stop:
        return 0
    except (StateInUse, StateError) as error:
        print(f"shop: {error}", file=sys.stderr, flush=True)
        return 1
    finally:
        if machine_server is not None:
            machine_server.should_exit = True
            if machine_thread is not None:
                machine_thread.join(10)
        if stop_polling is not None:
            stop_polling.set()
            for poller in pollers:
                poller.join(5)
        if runner is not None:
            runner.close()
        if emulator is not None:
            emulator.stop()
        print("shop: stopped", flush=True)


def _add_run(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("run", help="serve the local stack (moto, functions, API gateway)")
    parser.add_argument(
        "--port", type=int, default=_env_port("PORT") or DEFAULT_PORT, help="gateway port (env PORT, default 3000)"
    )
    parser.add_argument(
        "--machine-port",
        type=int,
        default=_env_port("MACHINE_PORT") or DEFAULT_MACHINE_PORT,
        help="the machine API's port: access tokens with scopes (env MACHINE_PORT, default 3001)",
    )
    parser.add_argument(
        "--moto-port",
        type=int,
        default=_env_port("MOTO_PORT"),
        help="moto server port (env MOTO_PORT, default 5000 when free, else any free port)",
    )
    parser.add_argument(
        "--validate-responses",
        action="store_true",
        default=os.environ.get("VALIDATE_RESPONSES", "").lower() in {"1", "true", "yes"},
        help="check every response against openapi.yaml too (env VALIDATE_RESPONSES=1)",
    )
    from shoplocal.ops import STACK_FILE

    parser.add_argument(
        "--ready-file",
        type=Path,
        default=STACK_FILE,
        help="write the stack's addresses here as JSON once it serves (default .shop/stack.json, read by "
        "`shop orders` and `shop dlq`); its signing key goes beside it (stack.key.json, for `shop token`)",
    )
    parser.add_argument(
        "--state-dir",
        type=Path,
        default=None,
        help="keep the table's items, the bucket's objects and the queued messages here, and carry on from "
        "them at the next start (default: state/ beside the ready file, .shop/state)",
    )
    durability = parser.add_mutually_exclusive_group()
    durability.add_argument(
        "--fresh", action="store_true", help="start from nothing: delete what the state directory kept first"
    )
    durability.add_argument(
        "--in-memory", action="store_true", help="keep nothing: no state directory, everything lost at stop"
    )
    parser.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"])
    parser.set_defaults(handler=run)


def _add_token_options(parser: argparse.ArgumentParser) -> None:
    """How a command that calls the API authenticates: a token, or an admin token it signs itself with the
    key `shop run` keeps beside its stack file."""
    from shoplocal.ops import STACK_FILE

    parser.add_argument(
        "--token",
        default=None,
        help="the token to send (default: env SHOP_TOKEN, else an admin token signed with the running "
        "stack's key)",
    )
    parser.add_argument(
        "--stack-file",
        type=Path,
        default=STACK_FILE,
        metavar="PATH",
        help="the ready file of the running `shop run`, whose key signs the token (default .shop/stack.json)",
    )


def _add_token(subparsers: argparse._SubParsersAction) -> None:
    from shoplocal.ops import STACK_FILE

    parser = subparsers.add_parser(
        "token",
        help="print an ID token (a person's) or, with --machine, an access token (a customer's system's) for the "
        "running local stack, as Cognito would issue it",
    )
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--admin", action="store_true", help="a back-office token: every operation")
    who.add_argument("--client", metavar="CLIENT_ID", help="a token of this client: its own data only")
    parser.add_argument(
        "--machine",
        action="store_true",
        help="an access token of the client credentials grant, for the machine API (port 3001): the app client of "
        "--client (made on first use, as `shop machine-client create` does) or, with --admin, a back-office one; "
        "the pre-token trigger's code adds the client claim",
    )
    parser.add_argument(
        "--scopes",
        nargs="+",
        metavar="SCOPE",
        help="with --machine: the scopes granted (default: shop/profile shop/orders.read shop/orders.write for a "
        "client, shop/backoffice with --admin)",
    )
    parser.add_argument(
        "--stack-file",
        type=Path,
        default=STACK_FILE,
        metavar="PATH",
        help="the ready file of the running `shop run`, whose key signs the token (default .shop/stack.json)",
    )
    parser.add_argument("--subject", help="the token's `sub` (default: one per admin, one per client)")
    parser.add_argument(
        "--expires-in", type=int, default=3600, metavar="SECONDS", help="lifetime in seconds (default 3600)"
    )

    def handler(args: argparse.Namespace) -> int:
        from shoplocal.auth import ADMIN, CLIENT, LocalIssuer, NoLocalKey, key_file

        try:
            issuer = LocalIssuer.load(key_file(args.stack_file))
            role, client_id = (ADMIN, None) if args.admin else (CLIENT, args.client)
            if args.machine:
                print(_machine_token(args, issuer, client_id), flush=True)
            elif args.scopes:
                raise ValueError("--scopes goes with --machine: an ID token carries a role, not scopes")
            else:
                print(issuer.token(role, client_id, subject=args.subject, seconds=args.expires_in), flush=True)
        except (NoLocalKey, ValueError) as error:
            print(f"shop token: {error}", file=sys.stderr)
            return 2
        return 0

    parser.set_defaults(handler=handler)


def _machine_token(args: argparse.Namespace, issuer: Any, client_id: str | None) -> str:
    from shoplocal.machine import BACK_OFFICE_SCOPE, local_machine_token
    from shoplocal.ops import StackUnavailable, load_stack

    for name in ("botocore", "pynamodb"):
        logging.getLogger(name).setLevel(logging.WARNING)
    default = [BACK_OFFICE_SCOPE] if client_id is None else ["shop/profile", "shop/orders.read", "shop/orders.write"]
    try:
        stack = load_stack(args.stack_file)
    except StackUnavailable as error:
        raise ValueError(str(error)) from None
    return local_machine_token(stack, issuer, client_id, args.scopes or default, seconds=args.expires_in)


def _add_machine_client(subparsers: argparse._SubParsersAction) -> None:
    from shoplocal.ops import add_stack_options

    parser = subparsers.add_parser(
        "machine-client",
        help="the back office's app clients for customers' systems (OAuth 2.0 client credentials)",
    )
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    create = actions.add_parser(
        "create",
        help="make the app client of one customer system, acting for one client id (or, with --back-office, of a "
        "back-office system); prints its id and, on a deployed stack, its secret (shown once)",
    )
    who = create.add_mutually_exclusive_group(required=True)
    who.add_argument("--client-id", metavar="CLIENT_ID", help="the one client its tokens act for")
    who.add_argument("--back-office", action="store_true", help="a back-office system: scope shop/backoffice")
    create.add_argument(
        "--scopes",
        nargs="+",
        metavar="SCOPE",
        help="what it may do (default: shop/profile shop/orders.read shop/orders.write; shop/backoffice with "
        "--back-office)",
    )
    create.add_argument("--name", default="", help="the app client's name in Cognito (default machine-<client id>)")
    add_stack_options(create)

    def handler(args: argparse.Namespace) -> int:
        from shoplocal.machine import BACK_OFFICE_SCOPE, MachineClientError, create_machine_client
        from shoplocal.ops import _command

        def run(args: argparse.Namespace, stack: Any) -> int:
            scopes = args.scopes or (
                [BACK_OFFICE_SCOPE] if args.back_office else ["shop/profile", "shop/orders.read", "shop/orders.write"]
            )
            issuer, token_url = None, None
            if stack.local:  # the local app client's secret derives from the running stack's key, when found
                from shoplocal.auth import LocalIssuer, NoLocalKey, key_file
                from shoplocal.ops import STACK_FILE

                ready_file = args.stack_file or STACK_FILE
                try:
                    issuer = LocalIssuer.load(key_file(ready_file))
                    token_url = json.loads(ready_file.read_text()).get("machine_api", "") + "/oauth2/token"
                except (NoLocalKey, OSError, ValueError):
                    issuer = None
            try:
                made = create_machine_client(
                    stack,
                    args.client_id,
                    scopes,
                    user_pool_id=stack.outputs.get("UserPoolId"),
                    name=args.name,
                    issuer=issuer,
                )
            except MachineClientError as error:
                print(f"shop machine-client: {error}", file=sys.stderr)
                return 2
            result = {"appClientId": made.app_client_id, "clientId": made.client_id, "scopes": list(made.scopes)}
            if made.secret:
                result["appClientSecret"] = made.secret
            if stack.outputs.get("TokenUrl"):
                result["tokenUrl"] = stack.outputs["TokenUrl"]
            elif made.secret and token_url:
                result["tokenUrl"] = token_url
            print(json.dumps(result, indent=2), flush=True)
            return 0

        return _command(run)(args)

    create.set_defaults(handler=handler)


def _add_demo(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo", help="against a running local stack: a client, orders, their invoice PDFs and a summary"
    )
    parser.add_argument(
        "--url",
        default=f"http://{HOST}:{_env_port('PORT') or DEFAULT_PORT}",
        help="the local stack's API (default http://127.0.0.1:$PORT, or port 3000)",
    )
    parser.add_argument(
        "--out", type=Path, default=Path("demo-invoices"), help="folder for the invoice PDFs (default ./demo-invoices)"
    )
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for the orders (default 60)")
    _add_token_options(parser)

    def handler(args: argparse.Namespace) -> int:
        from shoplocal.demo import main as demo

        return demo(args)

    parser.set_defaults(handler=handler)


def _add_load(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "load", help="against a running local stack: a bounded load test that checks the invariants (docs/architecture.md §8)"
    )
    parser.add_argument(
        "--url",
        default=f"http://{HOST}:{_env_port('PORT') or DEFAULT_PORT}",
        help="the local stack's API, on loopback (default http://127.0.0.1:$PORT, or port 3000)",
    )
    parser.add_argument("--orders", type=int, default=500, help="orders to place in all (default 500)")
    parser.add_argument("--clients", type=int, default=20, help="clients to spread them over (default 20)")
    parser.add_argument("--concurrency", type=int, default=20, help="orders in flight at once (default 20)")
    parser.add_argument(
        "--timeout", type=float, default=300.0, help="seconds from the first order to the last terminal (default 300)"
    )
    parser.add_argument(
        "--out", type=Path, default=Path("bench/load-results.json"), help="results (default bench/load-results.json)"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the generated orders (default 0)")
    _add_token_options(parser)

    def handler(args: argparse.Namespace) -> int:
        from shoplocal.load import main as load

        return load(args)

    parser.set_defaults(handler=handler)


def _add_orders(subparsers: argparse._SubParsersAction) -> None:
    from shoplocal import ops

    parser = subparsers.add_parser("orders", help="against a running stack (local, or deployed: --stack): orders")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    redrive = actions.add_parser(
        "redrive", help="re-send the queue message of orders left PENDING or APPROVED for too long"
    )
    redrive.add_argument(
        "--older-than",
        type=ops.seconds,
        metavar="SECONDS",
        help="orders not updated for this long (default: template.yaml's STUCK_ORDER_AGE_SECONDS)",
    )
    redrive.add_argument("--dry-run", action="store_true", help="list what would be re-sent; send nothing")
    ops.add_confirm_option(redrive)
    ops.add_stack_options(redrive)
    redrive.set_defaults(handler=ops.orders_redrive)
    get = actions.add_parser(
        "get", help="one order's status, timestamps, invoice id and rejection reason (ids only)"
    )
    get.add_argument("client_id", metavar="CLIENT_ID")
    get.add_argument("order_id", metavar="ORDER_ID")
    ops.add_stack_options(get)
    get.set_defaults(handler=ops.orders_get)


def _add_dlq(subparsers: argparse._SubParsersAction) -> None:
    from shoplocal import ops

    parser = subparsers.add_parser(
        "dlq", help="against a running stack (local, or deployed: --stack): inspect DLQs, move messages back"
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="show the messages of a DLQ without consuming them")
    listing.add_argument("--queue", choices=list(ops.QUEUES), help="the DLQ of this queue (default: every DLQ)")
    listing.add_argument("--limit", type=ops.positive_int, default=10, help="messages shown per DLQ (default 10)")
    listing.add_argument(
        "--preview",
        action="store_true",
        help="show the first characters (escaped) of a body that is not an order reference",
    )
    ops.add_stack_options(listing)
    listing.set_defaults(handler=ops.dlq_list)
    redrive = actions.add_parser("redrive", help="move the messages of a DLQ back to its source queue")
    redrive.add_argument("--queue", choices=list(ops.QUEUES), help="the DLQ of this queue (default: every DLQ)")
    redrive.add_argument(
        "--limit", type=ops.positive_int, help="move at most this many per DLQ (default: all it holds)"
    )
    ops.add_confirm_option(redrive)
    ops.add_stack_options(redrive)
    redrive.set_defaults(handler=ops.dlq_redrive)


def _add_migrate(subparsers: argparse._SubParsersAction) -> None:
    from shoplocal import migrate, ops

    parser = subparsers.add_parser("migrate", help="one-off data migrations of a table (local or deployed)")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    open_orders = actions.add_parser(
        "open-orders", help="move each client's open-orders count off its profile into its #OPEN item"
    )
    open_orders.add_argument(
        "--table", help="a deployed table (the stack's TableName output), with the AWS credentials of the shell"
    )
    ops.add_confirm_option(open_orders)
    ops.add_stack_options(open_orders)
    open_orders.set_defaults(handler=migrate.main)


def _add_bench(subparsers: argparse._SubParsersAction) -> None:
    from shoplocal.bench.runner import DEFAULT_OUTPUT, SECTIONS

    parser = subparsers.add_parser(
        "bench", help="benchmark on a local stack of its own: cold start, warm overhead, AWS calls, throughput..."
    )
    parser.add_argument(
        "--only", metavar="SECTION[,SECTION]", help=f"run only these sections (of {', '.join(SECTIONS)})"
    )
    parser.add_argument("--smoke", action="store_true", help="few repetitions and small sizes: checks that it runs")
    parser.add_argument(
        "--repetitions", type=int, default=None, metavar="N", help="samples per figure (default 10; 2 with --smoke)"
    )
    parser.add_argument(
        "--output", type=Path, default=DEFAULT_OUTPUT, help=f"results file (default {DEFAULT_OUTPUT})"
    )
    parser.add_argument(
        "--stack-dir", type=Path, default=None, help="where the stack's ready file and log go (default: a temp dir)"
    )
    parser.add_argument(
        "--in-memory",
        action="store_true",
        help="bench a stack that keeps nothing (`shop run --in-memory`) instead of a durable one, as `shop run` is",
    )
    parser.add_argument(
        "--markdown",
        type=Path,
        default=None,
        metavar="RESULTS",
        help="run nothing: print a results file's table as Markdown (BENCHMARKS.md's 'Latest results')",
    )

    def handler(args: argparse.Namespace) -> int:
        from shoplocal.bench.runner import main as bench

        return bench(args)

    parser.set_defaults(handler=handler)


# One entry per subcommand: name -> function that adds its parser.
SUBCOMMANDS: dict[str, Callable[[argparse._SubParsersAction], None]] = {
    "run": _add_run,
    "token": _add_token,
    "demo": _add_demo,
    "load": _add_load,
    "orders": _add_orders,
    "dlq": _add_dlq,
    "bench": _add_bench,
    "migrate": _add_migrate,
    "machine-client": _add_machine_client,
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="shop", description="The shop's local stack.")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add in SUBCOMMANDS.values():
        add(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
