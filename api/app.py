"""The FastAPI application: routers per resource, one error shape, the web page at /.
Nothing is loaded from the internet: the page's assets and the API docs' are served here."""
from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path
from typing import AsyncIterator

from fastapi import Depends, FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline

from policykb.api import admission, errors
from policykb.api import security
from policykb.api.routers import access, digest, documents, excerpts, metadata, search, system, verify, versions
from policykb import __version__
from policykb.config import Settings, load_settings
from policykb.service import KnowledgeBase

STATIC = Path(__file__).with_name("static")


def create_app(settings: Settings | None = None, kb: KnowledgeBase | None = None, *,
               background_worker: bool = True) -> FastAPI:
    settings = settings or load_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from policykb.libraries import Libraries

        knowledge = kb or KnowledgeBase(settings)
        app.state.kb = knowledge
        app.state.settings = settings
        # Other libraries open on first use (?kb=NAME), each with its own vector worker.
        app.state.libraries = Libraries(settings, knowledge,
                                        on_open=(lambda k: k.start_worker()) if background_worker else None)
        knowledge.recover_uploads()  # a server killed mid-upload leaves files behind
        if background_worker:
            from policykb.index import priority

            priority.LOWER_CHILDREN = True  # parse workers (OCR) yield to queries
            knowledge.start_worker()
        yield
        app.state.libraries.close()
        if kb is None:
            knowledge.close()
        app.state.access.close()

    # FastAPIOffline: /docs and /redoc served from packaged assets, not a CDN (intranets).
    app = FastAPIOffline(
        title="政策知识库 API",
        version=__version__,
        description="政策文件与讲话的检索、带引用问答与文档管理。",
        lifespan=lifespan,
    )
    errors.install(app)
    # Installed before security: middleware added later runs first, so refusals stay cheap.
    admission.install(app, settings.search_concurrency, settings.search_queue, settings.search_queue_wait)
    security.install(app, settings)
    # Every /api route passes security.authorize, which applies its rule (security.RULES).
    secured = [Depends(security.authorize)]
    app.include_router(access.router, prefix="/api", dependencies=secured)
    app.include_router(system.router, prefix="/api", dependencies=secured)
    app.include_router(search.router, prefix="/api", dependencies=secured)
    app.include_router(documents.router, prefix="/api", dependencies=secured)
    app.include_router(metadata.router, prefix="/api", dependencies=secured)
    app.include_router(digest.router, prefix="/api", dependencies=secured)
    app.include_router(excerpts.router, prefix="/api", dependencies=secured)
    app.include_router(verify.router, prefix="/api", dependencies=secured)
    app.include_router(versions.router, prefix="/api", dependencies=secured)

    if STATIC.is_dir():
        app.mount("/static", StaticFiles(directory=STATIC), name="static")

        @app.get("/", include_in_schema=False)
        def index() -> FileResponse:
            return FileResponse(STATIC / "index.html")

        @app.get("/login", include_in_schema=False)
        def login_page() -> FileResponse:
            return FileResponse(STATIC / "login.html")

    return app
