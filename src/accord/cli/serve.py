"""`accord serve`: the mission's server (API, OGC API - Features, dashboard)."""

from __future__ import annotations

from typing import Annotated

import typer

from accord.cli.common import DatabaseOption, console, user_errors


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    database: DatabaseOption = None,
) -> None:
    """Serve the HTTP API, OGC API - Features and the dashboard (settings: ACCORD_*)."""
    import uvicorn

    from accord.service.app import create_app
    from accord.service.settings import ServiceSettings

    with user_errors():
        settings = ServiceSettings()
        if database is not None:
            settings = settings.model_copy(update={"database_url": database})
        app = create_app(settings)
    console.print(f"accord serving on http://{host}:{port}/ (dashboard at /dashboard/)")
    uvicorn.run(app, host=host, port=port, log_level="info")
