"""The SMS texts Kènèya sends, in French, one registry with a code each.

Texts are rendered when the message is enqueued, in French whatever the sender's interface
language (the reader is a family, a relais or a clinician in Mali). They aim at one SMS: 160
characters of the GSM 03.38 alphabet. A single character outside it (an en dash, "ç", "ï" as in
Keïta) makes the whole text UCS-2, where one SMS holds only 70 characters, so ``to_gsm7``
transliterates the rendered text.
"""

from __future__ import annotations

import re
import string
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.utils import timezone

from keneya.core.phones import format_phone

SMS_SINGLE_LENGTH = 160  # GSM 03.38 characters in one SMS (3GPP TS 23.038)

# GSM 03.38 basic character set (3GPP TS 23.038 §6.2.1), without the escape character.
GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# The extension table: each costs two characters (escape + character).
GSM7_EXTENSION = "^{}\\[~]|€"
_SPACES = re.compile(r" {2,}")
_SPACE_BEFORE_PUNCTUATION = re.compile(r" +([.,)])")
_REPLACEMENTS = {
    "–": "-",
    "—": "-",
    "‑": "-",
    "’": "'",
    "‘": "'",
    "«": '"',
    "»": '"',
    "“": '"',
    "”": '"',
    "…": "...",
    "\u00a0": " ",
    "\u202f": " ",
    "œ": "oe",
    "Œ": "OE",
    "ç": "c",
}


@dataclass(frozen=True)
class SmsTemplate:
    code: str
    text: str
    purpose: str

    @property
    def fields(self) -> list[str]:
        return [name for _, name, _, _ in string.Formatter().parse(self.text) if name]


TEMPLATES: dict[str, SmsTemplate] = {
    t.code: t
    for t in [
        SmsTemplate(
            "urgent_alert",
            "Kènèya URGENT : {child} ({age}) - {reason}. Relais {chw} {chw_phone}.",
            "Urgent alert from a home visit, to each clinician of the CSCom.",
        ),
        SmsTemplate(
            "convocation",
            # {facility} is the full name, which already says "CSCom …" or "CSRef …".
            "Kènèya : {name} est convoqué(e) au {facility} le {date}.",
            "Convocation of a person to the health facility, to the family and to the relais.",
        ),
        SmsTemplate(
            "referral_outcome",
            "Kènèya : retour de référence de {name} ({facility}) : {note}",
            "Outcome of a referral (counter-referral note), to the relais who follows the person.",
        ),
        SmsTemplate(
            "escalation",
            "Kènèya ESCALADE : alerte urgente pour {child} ({reason}) sans prise en charge depuis {hours} h.",
            "Urgent alert nobody acknowledged in time, to the facility manager (DTC).",
        ),
        SmsTemplate(
            "social_documents_missing",
            "Kènèya : dossier {scheme} {reference}. Pièces à apporter au service social : {documents}.",
            "Social protection: the documents a household's dossier still misses, when the social "
            "worker clicks 'Rappeler les pièces'.",
        ),
        SmsTemplate(
            "social_card_ready",
            "Kènèya : la carte {scheme} de la famille {family} est prête (dossier {reference}). "
            "Venez la retirer au service social.",
            "Social protection: the card was issued (the dossier reached card_issued), to the household.",
        ),
        SmsTemplate(
            "social_renewal_due",
            "Kènèya : la carte {scheme} de la famille {family} expire le {date}. "
            "Renouvelez-la au service social (dossier {reference}).",
            "Social protection: a card enters its renewal lead time (periodic job social_reminders).",
        ),
        # Savings groups (keneya/financing).
        SmsTemplate(
            "financing_receipt",
            "Kènèya {group} {date} : payé {paid}. Épargne {savings}. Prêts à rembourser {loans}.",
            "Savings group: a member's receipt after a meeting (what she paid, her balances).",
        ),
        SmsTemplate(
            "financing_loan_late",
            "Kènèya {group} : le prêt de {name} ({due}) attendait un remboursement le {date}.",
            "Savings group: a late loan repayment, to the member and to the treasurer.",
        ),
    ]
}


def render(code: str, context: dict[str, Any]) -> str:
    """The French text of template ``code`` with ``context``; ValueError on a bad code or context."""
    template = TEMPLATES.get(code)
    if template is None:
        raise ValueError(f"Unknown SMS template code: {code!r}")
    missing = [name for name in template.fields if name not in context]
    if missing:
        raise ValueError(f"SMS template {code!r} needs: {', '.join(missing)}")
    values = {name: _display(context[name], name) for name in template.fields}
    text = template.text.format(**values)
    # An empty optional value (no relais phone) must not leave "Relais  ." behind.
    text = _SPACE_BEFORE_PUNCTUATION.sub(r"\1", _SPACES.sub(" ", text)).strip()
    return to_gsm7(text)


def _display(value: Any, name: str = "") -> str:
    if name.endswith("phone") and isinstance(value, str):
        return format_phone(value)  # "+223 76 12 34 56", as on the pages
    if isinstance(value, datetime):
        return (
            timezone.localtime(value).strftime("%d/%m/%Y %H:%M")
            if timezone.is_aware(value)
            else value.strftime("%d/%m/%Y %H:%M")
        )
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return " ".join(str(value).split())


def to_gsm7(text: str) -> str:
    """Keep GSM 03.38 characters; replace the others by their closest GSM ones (ï → i, – → -)."""
    out = []
    for char in text:
        if char in GSM7_BASIC or char in GSM7_EXTENSION:
            out.append(char)
        elif char in _REPLACEMENTS:
            out.append(_REPLACEMENTS[char])
        else:
            base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
            out.append(base if base and all(c in GSM7_BASIC for c in base) else "?")
    return "".join(out)


def gsm7_length(text: str) -> int:
    """Length in GSM 03.38 septets (extension characters count twice)."""
    return sum(2 if char in GSM7_EXTENSION else 1 for char in text)
