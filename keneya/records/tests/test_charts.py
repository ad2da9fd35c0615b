"""The growth chart's points follow the WHO convention: lying before 2 years, standing after."""

from datetime import date, timedelta

from keneya.people.models import Person
from keneya.records.charts import growth_chart, growth_points
from keneya.visits.models import Visit

BORN = date(2025, 1, 1)
CHILD = Person(date_of_birth=BORN, sex="F", given_names="Awa", family_name="Traoré")


def visit(days, **measurements):
    return Visit(visit_date=BORN + timedelta(days=days), measurements=measurements)


def test_standing_height_before_two_years_is_charted_as_length():
    _, heights = growth_points(CHILD, [visit(365, length_or_height_cm=74.0, measured_position="H")], [])
    assert heights[0]["y"] == 74.7 and heights[0]["x"] == round(365 / 30.4375, 2)


def test_lying_length_after_two_years_is_charted_as_height_and_bad_values_are_skipped():
    weights, heights = growth_points(
        CHILD,
        [
            visit(800, length_or_height_cm=86.0, measured_position="L", weight_kg="abc"),
            visit(30, weight_kg=4.1),
            visit(-3, weight_kg=3.0),
        ],
        [],
    )
    assert heights[0]["y"] == 85.3
    assert [p["y"] for p in weights] == [4.1]


def test_no_chart_after_five_years():
    assert (
        growth_chart(person=CHILD, visits=[], consultations=[], today=BORN + timedelta(days=6 * 365)) is None
    )
    chart = growth_chart(person=CHILD, visits=[], consultations=[], today=BORN + timedelta(days=40))
    assert chart is not None
    assert chart["charts"][0]["curves"]["ages_months"][-1] == round(183 / 30.4375, 2)
