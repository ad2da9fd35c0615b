"""Growth faltering: a flat or falling weight over two monthly intervals.

Source: WHO Training Course on Child Growth Assessment (2008), module C "Interpreting growth
indicators": a flat (stagnant) or falling growth line is a sign of a problem even when the child
is not yet underweight. "Monthly" = consecutive weighings 20-45 days apart (a visit per month,
with slack). The alert rule (``keneya.alerts.rules``) and the weighings a visit reads
(``keneya.visits.queries``) both take these values from here.
"""

FALTERING_MIN_INTERVAL_DAYS = 20
FALTERING_MAX_INTERVAL_DAYS = 45
FALTERING_MAX_AGE_MONTHS = 59
