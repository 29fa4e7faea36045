"""`followthrough webhooks …`: deliver outgoing webhooks from cron or a worker."""

import json
import time
from typing import Annotated

import typer

from app.core.db import create_sessionmaker, open_engine
from app.core.settings import get_settings

webhooks_cli = typer.Typer(help="Outgoing webhooks.", no_args_is_help=True)


@webhooks_cli.command("deliver")
def deliver(
    loop: Annotated[bool, typer.Option(help="Keep delivering until interrupted")] = False,
    interval: Annotated[
        float | None, typer.Option(help="Seconds between rounds (default WEBHOOKS_POLL_SECONDS)")
    ] = None,
) -> None:
    """Send the webhook messages that are due (once, or in a loop)."""
    from app.webhooks.runner import http_client, run_once

    settings = get_settings()
    engine = open_engine()
    factory = create_sessionmaker(engine)
    try:
        with http_client(settings) as client:
            while True:
                report = run_once(factory, settings=settings, client=client)
                typer.echo(
                    json.dumps(
                        {
                            "claimed": report.claimed,
                            "delivered": report.delivered,
                            "retrying": report.retrying,
                            "failed": report.failed,
                            "disabled": report.disabled,
                        }
                    )
                )
                if not loop:
                    break
                time.sleep(interval or settings.webhooks_poll_seconds)
    except KeyboardInterrupt:
        pass
    finally:
        engine.dispose()
