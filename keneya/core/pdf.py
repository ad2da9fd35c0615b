"""Printed papers: a Django template rendered to PDF by WeasyPrint, and QR codes (segno).

Pages that people print (the letter to the mayor, a checklist, an ordonnance, a report) are
ordinary templates extending ``print_base.html`` (A4 or A5, French); ``pdf_response`` renders
them with the fonts Debian ships (DejaVu) and no network access: WeasyPrint may only read our
own static files.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import segno
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string


def qr_svg(text: str, *, scale: int = 3) -> str:
    """An inline SVG QR code (no file, no network)."""
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="svg", scale=scale, border=2, xmldecl=False, svgns=True)
    return buffer.getvalue().decode("utf-8")


def _static_fetcher() -> Any:
    """WeasyPrint's fetcher, limited to our static files: no outside request from a PDF."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnly(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            prefix = "file://static/"
            if not url.startswith(prefix):
                raise ValueError("only static files are read when printing")
            found = finders.find(url[len(prefix) :])
            if not found:
                raise ValueError("static file not found")
            path = Path(found if isinstance(found, str) else found[0])
            return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": _mime(path)})

    return StaticOnly()


def _mime(path: Path) -> str:
    return {".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png"}.get(
        path.suffix, "application/octet-stream"
    )


def render_pdf(template: str, context: dict[str, Any], request: HttpRequest | None = None) -> bytes:
    from weasyprint import HTML  # heavy import: only when a PDF is asked for

    html = render_to_string(template, context, request=request)
    return HTML(string=html, base_url="file://static/", url_fetcher=_static_fetcher()).write_pdf()


def pdf_response(
    template: str, context: dict[str, Any], request: HttpRequest, *, filename: str
) -> HttpResponse:
    response = HttpResponse(render_pdf(template, context, request), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


__all__ = ["pdf_response", "qr_svg", "render_pdf"]
