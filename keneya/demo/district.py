"""The demo district: Commune IV of Bamako, its four health areas, facilities, partners and staff.

Quartiers are the real quartiers of Commune IV; how they are grouped into the four aires de santé
(one CSCom each, run by its ASACO) is a simplification for the demo. GPS centres are placed
inside the box lat 12.62–12.67, lon -8.06 to -8.03. ``weight`` is the quartier's share of the
demo's households.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from keneya.accounts.models import Cadre, Role
from keneya.core.models import AreaLevel, OrganisationKind

# Box the demo's GPS points stay in.
LAT_MIN, LAT_MAX = 12.620, 12.670
LON_MIN, LON_MAX = -8.060, -8.030

REGION_CODE = "BKO"
CERCLE_CODE = "BKO-DS4"
COMMUNE_CODE = "BKO-C4"

# Every demo user's e-mail ends with this: it is how ``--reset`` recognises them.
DEMO_EMAIL_DOMAIN = "demo.keneya.invalid"
DEMO_PASSWORD = "Keneya-demo-2026"  # noqa: S105 - the documented demo password, not a secret

# Households and CHWs at scale 1 (Commune IV has ~300,000 inhabitants; the demo is a sample).
BASE_HOUSEHOLDS = 2000
BASE_CHWS = 20


@dataclass(frozen=True)
class QuartierSpec:
    code: str
    name: str
    lat: float
    lon: float
    weight: float
    market: str  # a landmark name used in addresses


@dataclass(frozen=True)
class HealthAreaSpec:
    code: str
    name: str
    slug: str  # used in usernames: clinicien.<slug>, dtc.<slug>
    facility_code: str
    facility_name: str
    facility_phone: str
    asaco_name: str
    quartiers: tuple[QuartierSpec, ...]


HEALTH_AREAS: tuple[HealthAreaSpec, ...] = (
    HealthAreaSpec(
        code="AS-LAF",
        name="Aire de santé de Lafiabougou",
        slug="lafiabougou",
        facility_code="CSCOM-ASACOLA1",
        facility_name="CSCom ASACOLA I (Lafiabougou)",
        facility_phone="+22320223141",
        asaco_name="ASACOLA I — Association de santé communautaire de Lafiabougou",
        quartiers=(
            QuartierSpec("LAF", "Lafiabougou", 12.6450, -8.0420, 0.22, "marché de Lafiabougou"),
            QuartierSpec("LFK", "Lafiabougou-Koda", 12.6530, -8.0490, 0.10, "marché de Lafiabougou-Koda"),
            QuartierSpec("TAL", "Taliko", 12.6390, -8.0540, 0.06, "marché de Taliko"),
        ),
    ),
    HealthAreaSpec(
        code="AS-HAM",
        name="Aire de santé de Hamdallaye",
        slug="hamdallaye",
        facility_code="CSCOM-ASACOHAM",
        facility_name="CSCom ASACOHAM (Hamdallaye)",
        facility_phone="+22320292614",
        asaco_name="ASACOHAM — Association de santé communautaire de Hamdallaye",
        quartiers=(
            QuartierSpec("HAM", "Hamdallaye", 12.6500, -8.0330, 0.15, "marché de Hamdallaye"),
            QuartierSpec("LAS", "Lassa", 12.6620, -8.0430, 0.05, "marché de Lassa"),
        ),
    ),
    HealthAreaSpec(
        code="AS-DJP",
        name="Aire de santé de Djicoroni-Para",
        slug="djicoroni",
        facility_code="CSCOM-ASACODJIP",
        facility_name="CSCom ASACODJIP (Djicoroni-Para)",
        facility_phone="+22320226570",
        asaco_name="ASACODJIP — Association de santé communautaire de Djicoroni-Para",
        quartiers=(
            QuartierSpec("DJP", "Djicoroni-Para", 12.6280, -8.0390, 0.16, "marché de Djicoroni-Para"),
            QuartierSpec("KAL", "Kalabambougou", 12.6240, -8.0500, 0.07, "marché de Kalabambougou"),
        ),
    ),
    HealthAreaSpec(
        code="AS-SEK",
        name="Aire de santé de Sébénikoro",
        slug="sebenikoro",
        facility_code="CSCOM-ASACOSEK",
        facility_name="CSCom ASACOSEK (Sébénikoro)",
        facility_phone="+22320227088",
        asaco_name="ASACOSEK — Association de santé communautaire de Sébénikoro",
        quartiers=(
            QuartierSpec("SEB", "Sébénikoro", 12.6320, -8.0560, 0.12, "marché de Sébénikoro"),
            QuartierSpec("SIB", "Sibiribougou", 12.6440, -8.0570, 0.07, "marché de Sibiribougou"),
        ),
    ),
)

QUARTIERS: tuple[QuartierSpec, ...] = tuple(q for ha in HEALTH_AREAS for q in ha.quartiers)

CSREF_CODE = "CSREF-C4"
CSREF_NAME = "CSRef de la Commune IV"
CSREF_PHONE = "+22320223550"


@dataclass(frozen=True)
class AreaSpec:
    code: str
    name: str
    level: str
    parent_code: str | None


def area_specs() -> list[AreaSpec]:
    """Top-down, so that a parent is always created before its children."""
    specs = [
        AreaSpec(REGION_CODE, "District de Bamako", AreaLevel.REGION, None),
        AreaSpec(CERCLE_CODE, "District sanitaire de la Commune IV", AreaLevel.CERCLE, REGION_CODE),
        AreaSpec(COMMUNE_CODE, "Commune IV", AreaLevel.COMMUNE, CERCLE_CODE),
    ]
    specs += [AreaSpec(ha.code, ha.name, AreaLevel.HEALTH_AREA, COMMUNE_CODE) for ha in HEALTH_AREAS]
    specs += [
        AreaSpec(q.code, q.name, AreaLevel.QUARTIER, ha.code) for ha in HEALTH_AREAS for q in ha.quartiers
    ]
    return specs


DEMO_AREA_CODES = tuple(spec.code for spec in area_specs())
DEMO_FACILITY_CODES = (CSREF_CODE, *(ha.facility_code for ha in HEALTH_AREAS))


@dataclass(frozen=True)
class OrganisationSpec:
    name: str
    kind: str
    area_code: str
    facility_code: str | None = None


ORGANISATIONS: tuple[OrganisationSpec, ...] = (
    *(
        OrganisationSpec(ha.asaco_name, OrganisationKind.ASACO, ha.code, ha.facility_code)
        for ha in HEALTH_AREAS
    ),
    OrganisationSpec("UTM — Union technique de la mutualité malienne", OrganisationKind.UTM, REGION_CODE),
    OrganisationSpec("ANAM — Agence nationale d'assistance médicale", OrganisationKind.ANAM, REGION_CODE),
    OrganisationSpec(
        "SLDS-ES de la Commune IV (développement social et économie solidaire)",
        OrganisationKind.SLDS_ES,
        COMMUNE_CODE,
    ),
    OrganisationSpec("Mairie de la Commune IV", OrganisationKind.MAIRIE, COMMUNE_CODE),
)


@dataclass(frozen=True)
class StaffSpec:
    """A named (non-CHW) login. CHWs are generated, see ``seed.chw_specs``."""

    username: str
    first_name: str
    last_name: str
    role: str
    cadre: str = ""
    facility_code: str | None = None
    area_codes: tuple[str, ...] = field(default_factory=tuple)
    phone: str = ""
    is_staff: bool = False
    is_superuser: bool = False


_CLINICIANS = {
    "lafiabougou": ("Aminata", "Koné", Cadre.DOCTOR, "+22376451208"),
    "hamdallaye": ("Drissa", "Sangaré", Cadre.NURSE, "+22366208714"),
    "djicoroni": ("Kadiatou", "Dembélé", Cadre.MIDWIFE, "+22379334102"),
    "sebenikoro": ("Oumou", "Diakité", Cadre.NURSE, "+22390118563"),
}
_LAB_TECHNICIANS = {  # the CSCom's laboratory (point-of-care tests)
    "lafiabougou": ("Ousmane", "Bagayoko", "+22376518342"),
    "hamdallaye": ("Assitan", "Konaté", "+22366397415"),
    "djicoroni": ("Bakary", "Fofana", "+22379471286"),
    "sebenikoro": ("Nana", "Cissé", "+22390254617"),
}
_MANAGERS = {  # DTC: directeur technique du centre, a doctor
    "lafiabougou": ("Modibo", "Keïta", "+22376902231"),
    "hamdallaye": ("Fatoumata", "Traoré", "+22365014477"),
    "djicoroni": ("Seydou", "Coulibaly", "+22375560918"),
    "sebenikoro": ("Mariam", "Sidibé", "+22369843025"),
}


# The savings groups' treasurers besides ``tresoriere`` (slug, given name, family name, quartier, phone).
TREASURERS: tuple[tuple[str, str, str, str, str], ...] = (
    ("lassa", "Mariam", "Konaté", "LAS", "+22365447121"),
    ("sebenikoro", "Assitan", "Diallo", "SEB", "+22365447122"),
    ("taliko", "Kadidia", "Sangaré", "TAL", "+22365447123"),
    ("lafiabougou", "Nana", "Coulibaly", "LAF", "+22365447124"),
    ("hamdallaye", "Djénéba", "Keïta", "HAM", "+22365447125"),
    ("kalabambougou", "Oumou", "Traoré", "KAL", "+22365447126"),
    ("sibiribougou", "Fatoumata", "Dembélé", "SIB", "+22365447127"),
)


def staff_specs() -> list[StaffSpec]:
    staff: list[StaffSpec] = []
    for ha in HEALTH_AREAS:
        first, last, cadre, phone = _CLINICIANS[ha.slug]
        staff.append(
            StaffSpec(
                f"clinicien.{ha.slug}", first, last, Role.CLINICIAN, cadre, ha.facility_code, phone=phone
            )
        )
        first, last, phone = _LAB_TECHNICIANS[ha.slug]
        staff.append(
            StaffSpec(
                f"labo.{ha.slug}",
                first,
                last,
                Role.LAB_TECHNICIAN,
                Cadre.OTHER,
                ha.facility_code,
                phone=phone,
            )
        )
        first, last, phone = _MANAGERS[ha.slug]
        staff.append(
            StaffSpec(
                f"dtc.{ha.slug}",
                first,
                last,
                Role.FACILITY_MANAGER,
                Cadre.DOCTOR,
                ha.facility_code,
                phone=phone,
            )
        )
    staff += [
        StaffSpec(
            "specialiste.csref",
            "Boubacar",
            "Maïga",
            Role.SPECIALIST,
            Cadre.DOCTOR,
            CSREF_CODE,
            phone="+22376128840",
        ),
        StaffSpec(
            "medecinchef.csref",
            "Hawa",
            "Diarra",
            Role.FACILITY_MANAGER,
            Cadre.DOCTOR,
            CSREF_CODE,
            phone="+22366731590",
        ),
        StaffSpec(
            "social",
            "Salimata",
            "Sissoko",
            Role.SOCIAL_WORKER,
            Cadre.OTHER,
            area_codes=(COMMUNE_CODE,),
            phone="+22379025614",
        ),
        StaffSpec(
            "tresoriere",
            "Rokia",
            "Samaké",
            Role.TREASURER,
            Cadre.OTHER,
            area_codes=("DJP",),
            phone="+22365447120",
        ),
        # The treasurers of the other savings groups (keneya/demo/financing.py; tresoriere: Djicoroni-Para).
        *[
            StaffSpec(
                f"tresoriere.{slug}",
                first,
                last,
                Role.TREASURER,
                Cadre.OTHER,
                area_codes=(code,),
                phone=phone,
            )
            for slug, first, last, code, phone in TREASURERS
        ],
        StaffSpec(
            "suivi",
            "Youssouf",
            "Doumbia",
            Role.ME_OFFICER,
            Cadre.OTHER,
            area_codes=(COMMUNE_CODE,),
            phone="+22376330481",
        ),
        StaffSpec("admin", "Ibrahim", "Touré", Role.ADMIN, Cadre.OTHER, is_staff=True, is_superuser=True),
    ]
    return staff


# Addresses: Bamako has numbered streets and doors ("Rue 358, Porte 112") but people give
# landmarks. ``{market}`` is the quartier's market, ``{name}`` a shopkeeper's given name.
LANDMARKS: tuple[str, ...] = (
    "Derrière la mosquée du vendredi",
    "Près du {market}",
    "Portail bleu, à côté de la boutique de {name}",
    "Portail vert, en face du moulin",
    "En face de l'école fondamentale",
    "À côté du terrain de foot",
    "Près du château d'eau",
    "Derrière la pharmacie",
    "À côté du grin des jeunes, sous le grand caïlcédrat",
    "Près de l'arrêt des Sotrama",
    "Maison à étage, portail noir, près du goudron",
    "Derrière la station d'essence",
    "Près de la borne-fontaine",
    "À côté de l'atelier de couture de {name}",
    "En face de la boulangerie",
    "Près du CSCom",
    "Derrière le marché, ruelle du forgeron",
    "Concession de la famille {family}, près du puits",
    "À côté de la petite mosquée",
    "Près du kiosque Orange Money de {name}",
)
DOOR_COLOURS: tuple[str, ...] = ("bleu", "vert", "noir", "gris", "rouge", "jaune", "blanc")
