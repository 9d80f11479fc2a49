"""Serve the dashboard's single page and its assets from the package (no CDN, works offline).

The page is plain ES modules (Preact + htm, uPlot for charts) shipped as package
data; the browser talks to tenlog only through the public REST API with the
API key the user pasted, so these routes need no authentication of their own.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

from aiohttp import web

STATIC_DIR = Path(__file__).resolve().parent / "static"
ASSET_PREFIX = "/ui"

_IMPORT_MAP = re.compile(r'<script type="importmap">(.*?)</script>', re.DOTALL)
_PRELOAD_MARK = re.compile(r"<!-- modulepreload:.*?-->\n")


def _with_module_preloads(index_html: str) -> str:
    """index.html with a modulepreload link for every module the page may import.

    The modules import each other a few levels deep; without these links the
    browser discovers each level only after the one above has loaded.
    """
    modules = sorted(
        path.relative_to(STATIC_DIR).as_posix()
        for path in STATIC_DIR.rglob("*")
        if path.suffix in {".js", ".mjs"} and not path.name.endswith(".iife.min.js")
    )
    links = "".join(
        f'<link rel="modulepreload" href="{ASSET_PREFIX}/{name}">\n' for name in modules if name != "app.js"
    )
    return _PRELOAD_MARK.sub(lambda _: links, index_html, count=1)


def _content_security_policy(index_html: str) -> str:
    """A CSP allowing only our own scripts, plus the inline import map by its hash.

    Logged completions are shown on these pages; the policy keeps any markup in
    them from running script or loading from elsewhere. Images may come from
    anywhere, as the logs API's media items are URLs or data URIs.
    """
    hashes = [
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
        for body in _IMPORT_MAP.findall(index_html)
    ]
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self' " + " ".join(hashes),
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob: http: https:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        ]
    )


def add_dashboard_routes(app: web.Application) -> None:
    """Add `GET /` (the page) and `GET /ui/...` (its assets) to the gateway's application.

    Call before the gateway's catch-all route, which would otherwise answer them.
    """
    index_html = _with_module_preloads((STATIC_DIR / "index.html").read_text(encoding="utf-8"))
    headers = {
        "Content-Security-Policy": _content_security_policy(index_html),
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-cache",
    }

    async def index(_: web.Request) -> web.Response:
        return web.Response(text=index_html, content_type="text/html", charset="utf-8", headers=headers)

    async def on_prepare(request: web.Request, response: web.StreamResponse) -> None:
        if request.path.startswith(ASSET_PREFIX + "/"):
            # Revalidate on every load: an upgraded server never serves a stale mix of modules.
            response.headers.setdefault("Cache-Control", "no-cache")
            response.headers.setdefault("X-Content-Type-Options", "nosniff")

    app.router.add_get("/", index)
    app.router.add_static(ASSET_PREFIX, STATIC_DIR, append_version=False)
    app.on_response_prepare.append(on_prepare)
