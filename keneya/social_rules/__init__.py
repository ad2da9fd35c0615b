"""Social-protection rules, as data plus pure functions: no Django, no database, no clock.

- ``scorecard``: the vulnerability scorecard (indicators, options with points, score bands,
  "admis de droit" categories), its validation and the scoring of a screening;
- ``schemes``: the catalogue of schemes (RAMED, mutuelle/UTM, AMO, RAMU): steps and their
  transitions, document checklists per member role, delays, card validity and renewal lead.

The same rule as ``keneya.clinical`` (import-linter contract): the tablet runs the same scoring in
JavaScript (``keneya/pwa/static/pwa/engine/scorecard.js``), proven by shared vectors
(``vectors/scorecard.json``).
"""

RULES_VERSION = "2026.12-1"
