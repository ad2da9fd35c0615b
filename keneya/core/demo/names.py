"""Malian names for the demo, with rough relative frequencies (higher = more common in Bamako).

The weights are plausible orders of magnitude, not census figures. Some spellings vary between
the French-colonial and the Bambara orthography (Traoré/Traore, Keïta/Keita, Diarra/Jara): the
demo writes a few of them the other way, so that the search box has something to fold.
"""

from __future__ import annotations

# Jamu (family names).
FAMILY_NAMES: dict[str, int] = {
    "Traoré": 60, "Coulibaly": 55, "Diarra": 40, "Keïta": 35, "Koné": 35, "Diallo": 30,
    "Sangaré": 22, "Camara": 22, "Touré": 22, "Cissé": 20, "Dembélé": 20, "Doumbia": 18,
    "Sissoko": 16, "Konaté": 15, "Sidibé": 15, "Maïga": 14, "Samaké": 14, "Kanté": 12,
    "Bagayoko": 12, "Fofana": 11, "Ballo": 10, "Dicko": 8, "Guindo": 8, "Togola": 9,
    "Sacko": 9, "Kouyaté": 8, "Diakité": 12, "Berthé": 7, "Dao": 7, "Sow": 7, "Bah": 6,
    "Tangara": 7, "Sylla": 6, "Kouma": 5, "Mariko": 6, "Dagnoko": 4, "Diawara": 6,
    "Haïdara": 5, "Kané": 4, "Niaré": 5, "Sanogo": 9, "Konaré": 5, "Tounkara": 5,
    "Goïta": 4, "Bengaly": 4, "Djiré": 4, "Fané": 5, "Kamissoko": 3, "Sy": 3, "Koïta": 4,
    "Thiam": 3, "Dolo": 4, "Tamboura": 4, "Niang": 2, "Soumaré": 4, "Simpara": 2,
    "Daou": 3, "Dramé": 4, "Kassogué": 2, "Sogoba": 3,
}

# How a few jamu are also written (Bambara orthography or without accents).
FAMILY_NAME_VARIANTS: dict[str, tuple[str, ...]] = {
    "Traoré": ("Traore", "Trawore"),
    "Coulibaly": ("Coulibali", "Kulibali"),
    "Keïta": ("Keita", "Kéita"),
    "Diarra": ("Jara", "Diara"),
    "Diallo": ("Jallo", "Dialo"),
    "Sissoko": ("Cissoko",),
    "Camara": ("Kamara",),
    "Doumbia": ("Dunbia", "Doumbiya"),
    "Touré": ("Toure",),
    "Dembélé": ("Dembele",),
    "Konaté": ("Konate",),
    "Maïga": ("Maiga",),
}

FEMALE_GIVEN_NAMES: dict[str, int] = {
    "Aminata": 40, "Fatoumata": 45, "Mariam": 35, "Oumou": 30, "Kadiatou": 28, "Awa": 30,
    "Rokia": 22, "Assitan": 20, "Bintou": 20, "Djeneba": 22, "Hawa": 22, "Salimata": 18,
    "Aïssata": 16, "Kadidia": 14, "Maïmouna": 14, "Nana": 10, "Sitan": 8, "Korotoumou": 8,
    "Nènè": 6, "Ramata": 10, "Safiatou": 8, "Coumba": 8, "Fanta": 12, "Tènin": 7,
    "Massaran": 5, "Mah": 6, "Sanata": 7, "Aïcha": 10, "Rokiatou": 8, "Alimatou": 4,
    "Batoma": 3, "Djélika": 4, "Kani": 5, "Mamou": 5, "Sira": 4, "Tata": 4, "Fatim": 6,
    "Mariétou": 4, "Oumou Kalsoum": 3, "Kadiatou Binta": 2, "Fatoumata Binta": 3,
    "Korotimi": 3, "Haoua": 4, "Nafissatou": 4, "Saran": 4, "Bintou Sira": 2,
}

MALE_GIVEN_NAMES: dict[str, int] = {
    "Moussa": 35, "Mamadou": 40, "Amadou": 30, "Seydou": 22, "Bakary": 22, "Ibrahim": 18,
    "Oumar": 20, "Souleymane": 20, "Boubacar": 22, "Adama": 22, "Modibo": 15, "Sékou": 15,
    "Lassana": 12, "Drissa": 12, "Youssouf": 14, "Issa": 14, "Abdoulaye": 22,
    "Mahamadou": 14, "Aliou": 10, "Siaka": 10, "Bourama": 8, "Daouda": 10, "Karim": 8,
    "Yacouba": 10, "Cheick Oumar": 6, "Moctar": 6, "Brahima": 10, "Tiémoko": 6, "Sidiki": 6,
    "Fousseyni": 8, "Salif": 8, "Hamidou": 6, "Bréhima": 7, "Mamadou Lamine": 4, "Kalifa": 7,
    "Dramane": 7, "Sory": 4, "Madou": 5, "Soumaïla": 6, "Zoumana": 4, "Namory": 3,
    "Abdoul Karim": 4, "Ousmane": 12, "Ismaïla": 5, "Harouna": 6, "Alassane": 6, "Baba": 5,
    "Samba": 4, "Moriba": 3, "Lamine": 5, "Mohamed": 8, "Moussa Kalifa": 2, "Cheick": 4,
}
