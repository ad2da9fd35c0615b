"""The medicine catalogue: look-ups, brands, dose ranges, allergy classes (table-driven)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from keneya.clinical import medicines as m


def med(code: str) -> m.Medicine:
    medicine = m.get(code)
    assert medicine is not None, code
    return medicine


def test_catalogue_has_its_source_version_and_the_programmes():
    assert m.CATALOGUE_VERSION and "Liste Nationale des Médicaments Essentiels" in m.CATALOGUE_SOURCE
    generics = [x for x in m.CATALOGUE.values() if x.generic]
    assert 80 <= len(generics) <= 150
    cscom = {x.generic_code for x in generics if x.level == m.LEVEL_CSCOM}
    for code in (
        "artemether-lumefantrine-20-120-cp",
        "artesunate-60-inj",
        "amoxicilline-250-cpd",
        "cotrimoxazole-400-80-cp",
        "metronidazole-250-cp",
        "ciprofloxacine-500-cp",
        "sro-faible-osmolarite-sachet",
        "zinc-20-cpd",
        "paracetamol-500-cp",
        "ibuprofene-400-cp",
        "amlodipine-5-cp",
        "metformine-500-cp",
        "phenobarbital-100-cp",
        "fer-acide-folique-200-0-4-cp",
    ):
        assert code in cscom, code
    assert med("rhze-150-75-400-275-cp") and med("tenofovir-lamivudine-dolutegravir-300-300-50-cp")


def test_every_dose_band_cites_a_known_source_and_every_class_is_named():
    for medicine in m.CATALOGUE.values():
        for band in medicine.doses:
            assert band.source in m.SOURCES
            assert band.low <= band.high
        for cls in medicine.classes:
            assert cls in m.CLASSES


@pytest.mark.parametrize(
    ("brand", "generic_code", "dci"),
    [
        ("doliprane-500-cp", "paracetamol-500-cp", "paracétamol"),
        ("efferalgan-500-cp", "paracetamol-500-cp", "paracétamol"),
        ("coartem-20-120-cp", "artemether-lumefantrine-20-120-cp", "artéméther + luméfantrine"),
        (
            "augmentin-500-125-cp",
            "amoxicilline-acide-clavulanique-500-125-cp",
            "amoxicilline + acide clavulanique",
        ),
        ("flagyl-500-cp", "metronidazole-500-cp", "métronidazole"),
    ],
)
def test_a_brand_maps_to_its_dci(brand, generic_code, dci):
    medicine = med(brand)
    generic = m.generic_of(brand)
    assert not medicine.generic and generic is not None
    assert generic.code == generic_code and generic.generic and medicine.dci == dci


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("doliprane", "doliprane-500-cp"),
        ("PARACETAMOL 500", "paracetamol-500-cp"),
        ("métronidazole", "metronidazole-125-5ml-susp"),
        ("coartem", "coartem-20-120-cp"),
        ("amodiaquine 100", "artesunate-amodiaquine-100-270-cp"),
    ],
)
def test_search_ignores_accents_and_case(text, first):
    found = [x.code for x in m.search(text)]
    assert first in found


def test_search_of_nothing_known_is_empty():
    assert m.search("zzz-inconnu") == []


# medicine, dose (units), frequency, age (months), weight (kg), expected: None or the usual range
DOSES = [
    # Amoxicillin for a 12 kg child: 250 mg x 2 x 2 = 83 mg/kg/day, within 40-100.
    ("amoxicilline-250-cpd", 2, "2/j", 24, 12, None),
    ("amoxicilline-250-cpd", 6, "3/j", 24, 12, ("40", "100")),
    ("amoxicilline-250-cpd", "0.5", "1/j", 24, 12, ("40", "100")),
    # Adults, no weight: mg/day bands.
    ("paracetamol-500-cp", 2, "4/j", 400, None, None),
    ("paracetamol-500-cp", 3, "4/j", 400, None, ("1000", "4000")),
    ("doliprane-500-cp", 3, "4/j", 400, None, ("1000", "4000")),
    # Child paracetamol without a weight: no per-kg check possible.
    ("paracetamol-125-5ml-sirop", 20, "4/j", 24, None, None),
    ("paracetamol-125-5ml-sirop", 5, "4/j", 24, 12, None),  # 500 mg/day = 41.7 mg/kg
    ("paracetamol-125-5ml-sirop", 15, "4/j", 24, 12, ("30", "60")),  # 125 mg/kg/day
    # Artemether-lumefantrine by weight band (units per day).
    ("coartem-20-120-cp", 4, "2/j", 400, 60, None),
    ("coartem-20-120-cp", 2, "2/j", 400, 60, ("8", "8")),
    ("artemether-lumefantrine-20-120-cpd", 1, "2/j", 18, 10, None),
    # Zinc 10 mg under 6 months, 20 mg from 6 to 59 months.
    ("zinc-20-cpd", "0.5", "1/j", 3, 5, None),
    ("zinc-20-cpd", 1, "1/j", 3, 5, ("10", "10")),
    ("zinc-20-cpd", 1, "1/j", 18, 10, None),
    # Hypertension, diabetes.
    ("amlodipine-5-cp", 1, "1/j", 600, 70, None),
    ("amlodipine-10-cp", 2, "2/j", 600, 70, ("2.5", "10")),
    ("metformine-850-cp", 1, "2/j", 600, 70, None),
    ("metformine-850-cp", 2, "3/j", 600, 70, ("500", "2550")),
    # A medicine without a band is not checked.
    ("sro-faible-osmolarite-sachet", 10, "4/j", 24, 12, None),
    # Single dose: SP in pregnancy, 3 tablets.
    ("sulfadoxine-pyrimethamine-500-25-cp", 3, "unique", 300, 60, None),
    ("sulfadoxine-pyrimethamine-500-25-cp", 1, "unique", 300, 60, ("3", "3")),
]


@pytest.mark.parametrize(("code", "dose", "frequency", "age", "weight", "expected"), DOSES)
def test_dose_range(code, dose, frequency, age, weight, expected):
    warning = m.check_dose(med(code), dose=dose, frequency=frequency, age_months=age, weight_kg=weight)
    if expected is None:
        assert warning is None
    else:
        assert warning is not None and warning.code == "dose_range"
        assert (warning.low, warning.high) == (Decimal(expected[0]), Decimal(expected[1]))
        assert "hors de la plage usuelle" in warning.message_fr


def test_dose_warning_message_is_french_with_its_source():
    warning = m.check_dose(med("paracetamol-500-cp"), dose=3, frequency="4/j", age_months=400, weight_kg=None)
    assert warning is not None
    assert warning.message_fr == (
        "Paracétamol : 6\u202f000 mg/jour, hors de la plage usuelle (1\u202f000 à 4\u202f000 mg/jour ; "
        "WHO Model Formulary 2008 (posologies adultes))."
    )


def test_ten_percent_tolerance_for_tablets():
    amox = med("amoxicilline-250-cpd")
    # 4 kg infant, 1 tablet x 2 = 125 mg/kg/day: 25 % over 100, flagged; 4.8 kg: 104 mg/kg, tolerated.
    assert m.check_dose(amox, dose=1, frequency="2/j", age_months=2, weight_kg=4) is not None
    assert m.check_dose(amox, dose=1, frequency="2/j", age_months=2, weight_kg=Decimal("4.8")) is None


# allergy (catalogue code, class, or free text), medicine prescribed, expected code or None
ALLERGIES = [
    ("amoxicilline-500-gel", "amoxicilline-250-cpd", "allergy"),  # same DCI, other form
    ("amoxicilline-500-gel", "augmentin-500-125-cp", "allergy"),  # brand containing it
    ("clamoxyl-500-gel", "amoxicilline-250-cpd", "allergy"),  # brand allergy, generic prescribed
    ("amoxicilline-500-gel", "cloxacilline-500-gel", "allergy"),  # same class: penicillins
    ("pénicilline", "benzylpenicilline-benzathine-2-4mui-inj", "allergy"),
    ("Pénicillines", "amoxicilline-250-cpd", "allergy"),
    ("pénicilline", "ceftriaxone-1g-inj", None),  # a class allergy: other class
    ("amoxicilline-500-gel", "ceftriaxone-1g-inj", "allergy_cross"),  # cross-reactivity: warning
    ("Bactrim", "sulfadoxine-pyrimethamine-500-25-cp", "allergy"),  # sulfonamides
    ("cotrimoxazole-800-160-cp", "amodiaquine-sp-cpd-cps", "allergy"),
    ("sulfamides", "cotrimoxazole-200-40-5ml-susp", "allergy"),
    ("aspirine", "acide-acetylsalicylique-100-cp", "allergy"),
    ("ibuprofene-400-cp", "diclofenac-50-cp", "allergy"),  # NSAIDs
    ("AINS", "paracetamol-500-cp", None),  # paracetamol is not an NSAID
    ("isoniazide", "rhze-150-75-400-275-cp", "allergy"),  # in a fixed-dose combination
    ("rhze-150-75-400-275-cp", "ethambutol-400-cp", "allergy"),  # ingredient shared
    ("rh-150-75-cp", "ethambutol-400-cp", None),  # "antituberculosis" is too broad a class
    ("iode", "povidone-iodee-10-sol", "allergy"),
    ("Flagyl", "metronidazole-250-cp", "allergy"),
    ("arachides", "paracetamol-500-cp", None),  # free text, not a medicine
    ("artemether-lumefantrine-20-120-cp", "artesunate-60-inj", "allergy"),  # artemisinins
    ("metformine-500-cp", "glibenclamide-5-cp", None),
]


@pytest.mark.parametrize(("allergen", "prescribed", "expected"), ALLERGIES)
def test_allergy_class_match(allergen, prescribed, expected):
    match = m.allergy_match(prescribed, m.resolve_substance(allergen))
    if expected is None:
        assert match is None
    else:
        assert match is not None and match.code == expected
        assert match.blocking is (expected == "allergy")
        assert "allergie connue" in match.reason_fr


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("amoxicilline-500-gel", "code", "amoxicilline-500-gel"),
        ("doliprane-500-cp", "code", "paracetamol-500-cp"),
        ("Amoxicilline", "code", None),
        ("penicillin", "class_code", "penicillin"),
        ("sulfamides", "class_code", "sulfonamide"),
        ("Arachides", "text", "Arachides"),
    ],
)
def test_resolve_substance(text, kind, value):
    substance = m.resolve_substance(text)
    assert getattr(substance, kind)
    if value is not None:
        assert getattr(substance, kind) == value
    assert substance.label


@pytest.mark.parametrize(
    ("code", "dose", "frequency", "days", "words"),
    [
        ("amoxicilline-250-cpd", 1, "2/j", 5, "1 comprimé matin et soir pendant 5 jours"),
        ("paracetamol-500-cp", 2, "3/j", 3, "2 comprimés matin, midi et soir pendant 3 jours"),
        ("zinc-20-cpd", "0.5", "1/j", 10, "1/2 comprimé une fois par jour pendant 10 jours"),
        ("paracetamol-125-5ml-sirop", "7.5", "4/j", 3, "7,5 ml 4 fois par jour pendant 3 jours"),
        ("sulfadoxine-pyrimethamine-500-25-cp", 3, "unique", 1, "3 comprimés en une prise unique"),
        ("amlodipine-5-cp", 1, "matin", 30, "1 comprimé le matin pendant 30 jours"),
        ("sro-faible-osmolarite-sachet", 1, "1/j", 1, "1 sachet une fois par jour pendant 1 jour"),
    ],
)
def test_plain_words(code, dose, frequency, days, words):
    assert m.plain_words(med(code), Decimal(str(dose)), frequency, days) == words


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (2, "2/j"),
        ("3", "3/j"),
        ("2/j", "2/j"),
        ("2x/j", "2/j"),
        ("unique", "unique"),
        ("Matin", "matin"),
        ("3 fois par jour", "3/j"),
        ("3 fois/jour", "3/j"),
        ("matin et soir", "2/j"),
        ("Matin, midi et soir", "3/j"),
        ("toutes les 8 heures", "3/j"),
        ("q6h", "4/j"),
        ("BID", "2/j"),
        ("si besoin", "si_besoin"),
        ("une fois par semaine", "1/sem"),
    ],
)
def test_parse_frequency(value, code):
    assert m.parse_frequency(value) == code


@pytest.mark.parametrize("value", ["toutes les lunes", 7, True, "", None, "toutes les 7 heures", "0/j"])
def test_unknown_frequency(value):
    with pytest.raises(ValueError):
        m.parse_frequency(value)


def test_quantity_for_the_whole_treatment():
    assert m.quantity_for(1, "2/j", 5) == 10
    assert m.quantity_for(Decimal("0.5"), "3/j", 5) == 8
    assert m.quantity_for(3, "unique", 5) == 3


# medicine, active schemes, expected flag codes (and the generic named)
COVERAGE = [
    ("doliprane-500-cp", {"ramed"}, [("not_generic_for_ramed", "paracetamol-500-cp")]),
    ("paracetamol-500-cp", {"ramed"}, []),
    (
        "augmentin-500-125-cp",
        {"ramed"},
        [("not_generic_for_ramed", "amoxicilline-acide-clavulanique-500-125-cp")],
    ),
    ("doliprane-500-cp", set(), []),
    ("doliprane-500-cp", {"amo"}, []),
    ("amoxicilline-250-cpd", {"mutuelle"}, []),
    ("coartem-20-120-cp", {"mutuelle"}, [("outside_mutuelle_package", "artemether-lumefantrine-20-120-cp")]),
    ("cefixime-200-cp", {"mutuelle"}, [("outside_mutuelle_package", "")]),  # a CSRef product
    (
        "flagyl-500-cp",
        {"ramed", "mutuelle"},
        [
            ("not_generic_for_ramed", "metronidazole-500-cp"),
            ("outside_mutuelle_package", "metronidazole-500-cp"),
        ],
    ),
]


@pytest.mark.parametrize(("code", "schemes", "expected"), COVERAGE)
def test_coverage_flags(code, schemes, expected):
    flags = m.coverage_flags(med(code), schemes)
    assert [(f.code, f.generic_code) for f in flags] == expected
    for flag in flags:
        assert flag.message_fr.endswith(".")


@pytest.mark.parametrize(
    ("code", "value", "units"),
    [
        ("amoxicilline-500-gel", 1, "1"),
        ("amoxicilline-500-gel", "1", "1"),
        ("amoxicilline-500-gel", "500 mg", "1"),
        ("amoxicilline-500-gel", "1 g", "2"),
        ("amoxicilline-500-gel", "2 gélules", "2"),
        ("paracetamol-500-cp", "1/2", "0.5"),
        ("paracetamol-500-cp", "0,5 comprimé", "0.5"),
        ("paracetamol-500-cp", "2 cp", "2"),
        ("paracetamol-125-5ml-sirop", "5 ml", "5"),
        ("paracetamol-125-5ml-sirop", "125 mg", "5"),
        ("ceftriaxone-1g-inj", "1 g", "1000"),
        ("ceftriaxone-1g-inj", "750 mg", "750"),
    ],
)
def test_parse_dose_in_the_medicines_unit(code, value, units):
    assert m.parse_dose(value, med(code)) == Decimal(units)


@pytest.mark.parametrize(
    ("code", "value"),
    [
        ("amoxicilline-500-gel", "beaucoup"),
        ("amoxicilline-500-gel", 0),
        ("amoxicilline-500-gel", "-1"),
        ("amoxicilline-500-gel", "5 ml"),
        ("sro-faible-osmolarite-sachet", "500 mg"),  # no strength in mg
        ("amoxicilline-500-gel", None),
        ("amoxicilline-500-gel", "1/0"),
    ],
)
def test_parse_dose_refuses_what_is_not_a_dose_of_this_medicine(code, value):
    with pytest.raises(ValueError):
        m.parse_dose(value, med(code))
