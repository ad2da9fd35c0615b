"""Extension points ``alerts`` owns, for the apps above it (see ``keneya.core.hooks``).

``inbox_rows`` is called once per page of the alert inbox (``alerts.views.alert_inbox``) with
``(user, persons)``, the persons of the page's alerts; each receiver returns
``{person id: [French lines]}`` to show in their rows (social protection: the coverage), in a
fixed number of queries whatever the number of rows.
"""

from __future__ import annotations

from keneya.core.hooks import Hook

inbox_rows = Hook(
    "inbox_rows",
    "The alert inbox: (user, persons) -> {person id: [lines]} for the rows of one page.",
)
