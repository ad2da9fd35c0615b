"""Error pages in French, with the site navigation (issue 11 §3).

403, 404 and 500 use Django's default handlers with the templates in ``keneya/templates``; the
CSRF failure page needs a view (``CSRF_FAILURE_VIEW``) so that it renders with the request (the
navigation, the user's name, the language switcher).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    # ``reason`` is Django's English diagnosis; it is not shown (nor logged: it may echo a URL).
    return render(request, "403_csrf.html", status=403)
