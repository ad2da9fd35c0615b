"""Kènèya clinical engine: pure Python, no Django, no database, no clock.

Modules: ``growth`` (WHO 2006 z-scores), ``growth2007`` and ``older_child`` (5-17 years),
``iccm`` (sick-child classification, iCCM/IMCI), ``nutrition`` (clinician nutrition classes),
``immunization`` (Mali PEV schedule),
``vaccination_card`` (the doses a CHW copies from the card at a visit, and the next ones),
``pregnancy`` (ANC, postnatal contacts, danger signs).

Rule and table data live in ``keneya/clinical/data/`` with their sources; the rules are in
``shared/spec/clinical-rules.md`` (copied as the reference for each threshold). The date is
always a parameter. An import-linter contract (pyproject.toml) keeps Django out.
"""

# Bumped whenever a rule, a threshold or a table changes: stored with every assessment.
ENGINE_VERSION = "1.1.0"
