"""The web app: the JSON API, the pages, sign-in, security headers, and the scheduler of the
deadline sweeps and the outbox in the same process (`noncoop serve`)."""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.routing import BaseRoute

from noncoop import access
from noncoop.errors import BadInput, NoncoopError, NotFound
from noncoop.web import api, hygiene, pages
from noncoop.web.deps import error_response

STATIC = Path(__file__).parent / "static"
log = logging.getLogger("noncoop.web")

HEADERS = {
    # Everything the pages use is served from here: no CDN, no inline script.
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; "
                               "img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; "
                               "base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def secret_key() -> str:
    key = os.environ.get("NONCOOP_SECRET_KEY")
    if key:
        return key
    log.warning("NONCOOP_SECRET_KEY is not set: sessions end when the server stops, and two "
                "servers do not share them; set it to a long random string")
    return secrets.token_urlsafe(32)


PUBLIC_PATHS = ("/public", "/static")


def refused_at_the_door(request: Request, exc: NoncoopError) -> Response:
    """A request with bad bytes or too much of them: 4xx in the error format of its way in."""
    status = 413 if isinstance(exc, hygiene.TooLarge) else 400
    if request.url.path.startswith("/api/"):
        return JSONResponse(exc.to_json(), status_code=status)
    return Response(f"{exc.message}\n", status_code=status, media_type="text/plain; charset=utf-8")


def contract(app: FastAPI) -> dict[str, Any]:
    """/openapi.json: the document of the routes the app includes in it (not the pages)."""
    if app.openapi_schema is None:
        app.openapi_schema = document(app, app.routes)
    return app.openapi_schema


def document(app: FastAPI, routes: Sequence[BaseRoute]) -> dict[str, Any]:
    """The OpenAPI document as the app answers: a 422 is the error body of every other error
    (the `invalid` handler below), not FastAPI's HTTPValidationError; a 400 may come from the
    door (hygiene.py) before any route; an operation that asks for no sign-in says so
    (`security: []`), one that does names the bearer token and the session cookie
    (deps.BEARER, deps.SESSION)."""
    out = get_openapi(title=app.title, version=app.version, description=app.description,
                      routes=routes, servers=app.servers)
    schemas = out.setdefault("components", {}).setdefault("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    for operations in out["paths"].values():
        for operation in operations.values():
            if "422" in operation["responses"]:
                operation["responses"]["422"] = {
                    "description": "The request does not fit the operation's parameters or "
                                   "body: `message` names each field and what is wrong",
                    "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/ErrorBody"}}}}
            operation.setdefault("security", [])
            # Bad bytes stop at the door of every path, before a route (hygiene.py).
            operation["responses"].setdefault("400", {
                "description": "refused at the door: bad bytes or too many parameters",
                "content": {"text/plain": {"schema": {"type": "string"}}}})
    return out


def create_app(scheduler: bool = False) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        running = None
        if scheduler:
            from apscheduler.schedulers.background import BackgroundScheduler

            from noncoop.scheduler import configure

            running = configure(BackgroundScheduler(timezone=ZoneInfo("UTC")))
            running.start()
        yield
        if running is not None:
            running.shutdown(wait=False)

    app = FastAPI(title="noncoop", version="0.1.0", lifespan=lifespan,
                  # Relative: the document holds wherever the app is served (NONCOOP_BASE_URL).
                  servers=[{"url": "/", "description": "the server that serves this document"}],
                  description="Case tracker for the Assembly procedures relating to "
                              "non-cooperation (ICC-ASP/17/Res.5, Annex II)")
    app.add_middleware(SessionMiddleware, secret_key=secret_key(), session_cookie="noncoop",
                       same_site="strict", https_only=os.environ.get("NONCOOP_HTTPS") == "1",
                       max_age=8 * 3600)

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Response:
        # The way in, for the access log; the endpoint's thread inherits this context.
        access.WAY_IN.set("api" if request.url.path.startswith("/api/") else "web")
        try:
            hygiene.check_request(request.scope["path"], request.url.query,
                                  request.headers.get("content-type", ""),
                                  request.headers.get("content-length"))
            if request.method in ("POST", "PUT", "PATCH"):
                hygiene.check_body(await request.body(), request.headers.get("content-type", ""))
        except NoncoopError as exc:
            response = refused_at_the_door(request, exc)
        else:
            response = await call_next(request)
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if not request.url.path.startswith(PUBLIC_PATHS):
            # What a signed-in person sees may be restricted: no browser or proxy keeps it.
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.exception_handler(NoncoopError)
    async def noncoop_error(request: Request, exc: NoncoopError) -> Response:
        if request.url.path.startswith("/api/") or request.url.path in ("/login",) and \
                "application/json" in request.headers.get("accept", ""):
            return error_response(exc)
        return pages.error_page(request, exc)

    @app.exception_handler(pages.SignIn)
    async def sign_in(request: Request, exc: pages.SignIn) -> Response:
        return RedirectResponse("/login", status_code=303)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'][1:])}: "
                             f"{e['msg'].removeprefix('Value error, ')}" for e in exc.errors())
        if not request.url.path.startswith("/api/") and \
                "text/html" in request.headers.get("accept", ""):
            # A browser that sends a value a page cannot take (/tasks/abc) gets a page.
            return pages.error_page(request, BadInput(problems))
        return JSONResponse({"error": {"code": "bad_input", "message": problems}}, status_code=422)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        """An unknown path or method under /api/ answers as every other API error does; a
        browser asking for a page that is not there gets the error page."""
        if not request.url.path.startswith("/api/"):
            if exc.status_code == 404 and "text/html" in request.headers.get("accept", ""):
                # A browser that asks for a page that is not there gets a page that says so.
                return pages.error_page(request, NotFound(
                    f"no page {request.url.path}: the pages are in the menu at the top"))
            return await http_exception_handler(request, exc)
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            code, message = "method_not_allowed", (
                f"{request.method} is not allowed on {request.url.path}: use "
                f"{headers.get('Allow', 'another method')} (the paths are in /openapi.json)")
        elif exc.status_code == 404:
            code, message = "not_found", (f"no API path {request.url.path}: the paths are in "
                                          "/openapi.json")
        else:
            code, message = "http_error", str(exc.detail)
        return JSONResponse({"error": {"code": code, "message": message}},
                            status_code=exc.status_code, headers=headers)

    app.include_router(api.router)
    app.include_router(pages.router, include_in_schema=False)
    app.include_router(pages.documents)
    app.openapi = lambda: contract(app)  # type: ignore[method-assign]
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
