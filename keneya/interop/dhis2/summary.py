"""DHIS2's answer to ``POST /api/dataValueSets``: the import summary, in both of its shapes.

Documented by DHIS2 (Developer guide, "Data values" › "Sending data values" and "Import
summaries"; error codes from ``org.hisp.dhis.feedback.ErrorCode``, E76xx):

- up to 2.37, the body *is* the summary::

    {"responseType": "ImportSummary", "status": "SUCCESS" | "WARNING" | "ERROR",
     "importCount": {"imported": 2, "updated": 1, "ignored": 0, "deleted": 0},
     "conflicts": [{"object": "fbfJHSPpUQD", "value": "Data element not found or not accessible"}]}

- from 2.38, a ``WebMessage`` wraps it, and a summary with conflicts comes with HTTP 409::

    {"httpStatus": "Conflict", "httpStatusCode": 409, "status": "WARNING",
     "message": "One more conflicts encountered, please check import summary.",
     "response": {"responseType": "ImportSummary", "status": "WARNING", "importCount": {...},
                  "conflicts": [{"object": "202604", "objects": {"period": "202604"},
                                 "value": "Period: `202604` is after latest open future period...",
                                 "errorCode": "E7641", "property": "period", "indexes": [0]}],
                  "rejectedIndexes": [0]}}

``indexes`` (2.38+) are the positions, in the request's ``dataValues``, of the values a conflict
concerns: they tie a conflict back to its indicator, cell and facility. Older servers name only
the ``object`` (a UID), matched against the request's identifiers instead.

Pure Python (no Django): the parser is table-tested on recorded answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

STATUSES = ("SUCCESS", "WARNING", "ERROR")


@dataclass(frozen=True)
class Conflict:
    object: str
    value: str
    error_code: str = ""
    property: str = ""
    indexes: tuple[int, ...] = ()


@dataclass(frozen=True)
class ImportSummary:
    status: str  # SUCCESS, WARNING or ERROR
    imported: int = 0
    updated: int = 0
    ignored: int = 0
    deleted: int = 0
    conflicts: tuple[Conflict, ...] = field(default_factory=tuple)
    description: str = ""
    rejected_indexes: tuple[int, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "imported": self.imported,
            "updated": self.updated,
            "ignored": self.ignored,
            "deleted": self.deleted,
            "description": self.description,
            "conflicts": len(self.conflicts),
        }


class NotASummary(ValueError):
    """The body is JSON but not an import summary (an error page, a login form)."""


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _indexes(value: Any) -> tuple[int, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(i for i in value if isinstance(i, int) and not isinstance(i, bool) and i >= 0)


def _conflict(raw: Any) -> Conflict:
    if not isinstance(raw, dict):
        return Conflict(object="", value=str(raw))
    return Conflict(
        object=str(raw.get("object") or ""),
        value=str(raw.get("value") or raw.get("message") or ""),
        error_code=str(raw.get("errorCode") or ""),
        property=str(raw.get("property") or ""),
        indexes=_indexes(raw.get("indexes")),
    )


def _is_summary(body: Any) -> bool:
    return isinstance(body, dict) and (body.get("responseType") == "ImportSummary" or "importCount" in body)


def parse_import_summary(body: Any) -> ImportSummary:
    """The summary in ``body``, whether bare (≤ 2.37) or inside a WebMessage (≥ 2.38)."""
    if not isinstance(body, dict):
        raise NotASummary("the answer is not a JSON object")
    inner = body.get("response")
    summary: dict[str, Any]
    if isinstance(inner, dict) and _is_summary(inner):
        summary = inner
    elif _is_summary(body):
        summary = body
    elif body.get("status") == "ERROR" or body.get("httpStatus"):
        # A WebMessage without a summary: the import was refused as a whole.
        message = str(body.get("message") or body.get("httpStatus") or "")
        return ImportSummary(status="ERROR", description=message)
    else:
        raise NotASummary("no import summary in the answer")
    status = str(summary.get("status") or "").upper()
    if status not in STATUSES:
        status = "ERROR" if status else "SUCCESS"
    counts = summary.get("importCount") or {}
    if not isinstance(counts, dict):
        counts = {}
    raw_conflicts = summary.get("conflicts") or []
    if not isinstance(raw_conflicts, list):
        raw_conflicts = []
    description = str(summary.get("description") or body.get("message") or "")
    return ImportSummary(
        status=status,
        imported=_int(counts.get("imported")),
        updated=_int(counts.get("updated")),
        ignored=_int(counts.get("ignored")),
        deleted=_int(counts.get("deleted")),
        conflicts=tuple(_conflict(c) for c in raw_conflicts),
        description=description,
        rejected_indexes=_indexes(summary.get("rejectedIndexes")),
    )


# What to fix at the source, per DHIS2 error code (E76xx, "Data import validation"). The M&E
# officer reads these next to the conflict; the DHIS2 message itself is shown too.
ADVICE_BY_CODE: dict[str, str] = {
    "E7600": "Le jeu de données n'existe pas ou n'est pas accessible : réimporter les métadonnées, "
    "vérifier le jeu de données de la correspondance.",
    "E7601": "Le compte DHIS2 utilisé n'a pas le droit d'écrire dans ce jeu de données : "
    "demander l'accès à l'administrateur DHIS2.",
    "E7603": "Unité d'organisation inconnue : corriger l'unité d'organisation de la structure.",
    "E7610": "Élément de données inconnu ou inaccessible : corriger la correspondance de cet "
    "indicateur (élément de données).",
    "E7611": "Période refusée : vérifier le mois choisi.",
    "E7612": "Unité d'organisation inconnue : corriger l'unité d'organisation de la structure.",
    "E7613": "Combinaison de catégories inconnue : corriger la combinaison de cette cellule.",
    "E7617": "La structure n'est pas dans le périmètre du compte DHIS2 : demander l'accès à "
    "l'administrateur DHIS2.",
    "E7619": "Type de valeur refusé (entier attendu, par exemple) : vérifier la définition de "
    "l'indicateur ou l'élément de données choisi.",
    "E7621": "Valeur hors de la liste d'options de l'élément de données : vérifier la correspondance.",
    "E7630": "Combinaison de catégories manquante : compléter la correspondance de cette cellule.",
    "E7632": "La périodicité de l'élément de données n'est pas mensuelle : choisir un autre élément.",
    "E7633": "L'élément de données n'appartient pas au jeu de données : corriger la correspondance.",
    "E7634": "La combinaison de catégories n'appartient pas à l'élément de données : corriger la "
    "combinaison de cette cellule.",
    "E7636": "Le jeu de données n'est pas attribué à cette structure dans DHIS2 : demander "
    "l'attribution à l'administrateur DHIS2.",
    "E7640": "Période clôturée (délai de saisie dépassé) : demander la réouverture à l'administrateur DHIS2.",
    "E7641": "Période future refusée : attendre la fin du mois.",
    "E7642": "Données déjà approuvées : demander la levée de l'approbation avant de renvoyer.",
    "E7643": "Période fermée pour ce jeu de données : demander la réouverture à l'administrateur DHIS2.",
    "E7644": "Période hors des périodes ouvertes du jeu de données : demander la réouverture.",
}
# The same advice for servers that send no error code, from the conflict's object or words.
ADVICE_BY_PROPERTY: dict[str, str] = {
    "dataElement": ADVICE_BY_CODE["E7610"],
    "orgUnit": ADVICE_BY_CODE["E7612"],
    "categoryOptionCombo": ADVICE_BY_CODE["E7613"],
    "period": ADVICE_BY_CODE["E7611"],
    "value": ADVICE_BY_CODE["E7619"],
}
DEFAULT_ADVICE = "Lire le message de DHIS2 et corriger la valeur ou la correspondance concernée."


def advice_for(conflict: Conflict, *, matched_property: str = "") -> str:
    """What the M&E officer should fix, in French."""
    if conflict.error_code in ADVICE_BY_CODE:
        return ADVICE_BY_CODE[conflict.error_code]
    prop = conflict.property or matched_property
    if prop in ADVICE_BY_PROPERTY:
        return ADVICE_BY_PROPERTY[prop]
    text = conflict.value.lower()
    if "locked" in text or "expiry" in text or "closed" in text or "not open" in text:
        return ADVICE_BY_CODE["E7640"]
    if "type" in text or "must be" in text or "not a valid" in text:
        return ADVICE_BY_CODE["E7619"]
    return DEFAULT_ADVICE
