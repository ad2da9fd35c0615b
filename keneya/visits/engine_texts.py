# ruff: noqa: E501 (one message id per line, as written in the rule files)
"""The clinical engine's French sentences as gettext message ids, and their translation.

The engine (``keneya.clinical``, pure, no Django) writes French: ``text_fr`` in its rule files and
results. Django translates at display time: ``engine_text(text_fr)`` is ``gettext(text_fr)``, so
the English UI shows the English twin from the project catalog ``keneya/locale/en/LC_MESSAGES/django.po``,
and any sentence without a twin stays French. ``ENGINE_TEXTS`` lists every sentence of the rule
files as a literal (``makemessages`` finds them); ``collect()`` reads them from the files, and a
test checks the two agree, so a new rule sentence cannot be forgotten.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.utils.translation import gettext, gettext_noop

import keneya.clinical
from keneya.clinical.bundle import RULE_FILES
from keneya.clinical.visit import ACTION_TEXT_FR

_DATA = Path(keneya.clinical.__file__).resolve().parent / "data"
_KEYS = ("text_fr", "label_fr", "title_fr")


def collect() -> list[str]:
    """Every French sentence of the engine's rule files (and the visit action texts), once."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in _KEYS and isinstance(value, str):
                    found.append(value)
                elif key == "school_levels":
                    found.extend(value.values())
                else:
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for name in sorted(RULE_FILES):  # the visit engine's rule files (not the server's catalogues)
        walk(json.loads((_DATA / f"{name}.json").read_text("utf-8")))
    found += list(ACTION_TEXT_FR.values())
    return list(dict.fromkeys(found))


def engine_text(text_fr: str) -> str:
    """The engine's French sentence in the active language (French when it has no twin)."""
    return gettext(text_fr) if text_fr else text_fr


# fmt: off
ENGINE_TEXTS: tuple[str, ...] = (
    gettext_noop("Toux"),
    gettext_noop("Durée de la toux (jours)"),
    gettext_noop("Difficulté respiratoire"),
    gettext_noop("Diarrhée"),
    gettext_noop("Durée de la diarrhée (jours)"),
    gettext_noop("Sang dans les selles"),
    gettext_noop("Fièvre signalée (antécédent ou corps chaud)"),
    gettext_noop("Durée de la fièvre (jours)"),
    gettext_noop("Résultat du TDR paludisme"),
    gettext_noop("Périmètre brachial (mm)"),
    gettext_noop("Œdème des deux pieds"),
    gettext_noop("Convulsions"),
    gettext_noop("Incapable de boire ou de manger"),
    gettext_noop("Vomit tout"),
    gettext_noop("Tirage sous-costal"),
    gettext_noop("Anormalement somnolent ou inconscient"),
    gettext_noop("Toux depuis 14 jours ou plus"),
    gettext_noop("Diarrhée depuis 14 jours ou plus"),
    gettext_noop("Fièvre depuis 7 jours ou plus"),
    gettext_noop("PB rouge"),
    gettext_noop("Fréquence respiratoire (par minute)"),
    gettext_noop("Température axillaire (°C)"),
    gettext_noop("Ne s'alimente pas bien"),
    gettext_noop("Tirage sous-costal marqué"),
    gettext_noop("Ne bouge que si on le stimule, ou pas du tout"),
    gettext_noop("Ictère grave"),
    gettext_noop("Ictère apparu dans les premières 24 heures"),
    gettext_noop("Paumes ou plantes jaunes"),
    gettext_noop("Respiration rapide (60/min ou plus)"),
    gettext_noop("Température de 37,5 °C ou plus"),
    gettext_noop("Température inférieure à 35,5 °C"),
    gettext_noop("Ombilic rouge ou qui suinte du pus"),
    gettext_noop("Pustules cutanées"),
    gettext_noop("Toux depuis 14 jours ou plus : référer d'urgence."),
    gettext_noop("Diarrhée depuis 14 jours ou plus : référer d'urgence."),
    gettext_noop("Sang dans les selles : référer d'urgence."),
    gettext_noop("Fièvre depuis 7 jours ou plus : référer d'urgence."),
    gettext_noop("Convulsions : référer d'urgence."),
    gettext_noop("Incapable de boire ou de manger quoi que ce soit : référer d'urgence."),
    gettext_noop("Vomit tout ce qu'il consomme : référer d'urgence."),
    gettext_noop("Tirage sous-costal : référer d'urgence."),
    gettext_noop("Anormalement somnolent ou inconscient : référer d'urgence."),
    gettext_noop("PB rouge (moins de 115 mm) : référer d'urgence."),
    gettext_noop("Œdème des deux pieds : référer d'urgence."),
    gettext_noop("Ne s'alimente pas bien ou incapable de s'alimenter : référer d'urgence."),
    gettext_noop("Convulsions (antécédent ou en cours) : référer d'urgence."),
    gettext_noop("Respiration rapide (60/min ou plus) chez le jeune nourrisson : référer d'urgence."),
    gettext_noop("Tirage sous-costal marqué : référer d'urgence."),
    gettext_noop("Température axillaire de 37,5 °C ou plus : référer d'urgence."),
    gettext_noop("Température axillaire inférieure à 35,5 °C : référer d'urgence."),
    gettext_noop("Ne bouge que si on le stimule, ou ne bouge pas du tout : référer d'urgence."),
    gettext_noop("Ictère dans les premières 24 heures ou paumes/plantes jaunes : référer d'urgence."),
    gettext_noop("Au moins un signe de danger : référer d'urgence au CSCom."),
    gettext_noop("Toux avec respiration rapide : pneumonie (amoxicilline)."),
    gettext_noop("Malnutrition aiguë sévère (PB rouge ou œdèmes)."),
    gettext_noop("Malnutrition aiguë modérée (PB jaune) : conseils nutritionnels, URENAM."),
    gettext_noop("Fièvre avec TDR positif : paludisme (CTA)."),
    gettext_noop("Fièvre avec TDR négatif : pas d'antipaludique, chercher une autre cause."),
    gettext_noop("Diarrhée de moins de 14 jours sans sang : SRO et zinc."),
    gettext_noop("Diarrhée persistante (14 jours ou plus)."),
    gettext_noop("Sang dans les selles : dysenterie."),
    gettext_noop("Enfant de 60 mois ou plus : l'algorithme PCIME/SEC des moins de 5 ans ne s'applique pas."),
    gettext_noop("Aucune classification : conseils à la mère."),
    gettext_noop("Infection bactérienne locale (ombilic, pustules) : référer au CSCom le jour même ou le lendemain."),
    gettext_noop("Avant le départ : commencer la SRO tout de suite et la continuer pendant le trajet (diarrhée)."),
    gettext_noop("Avant le départ : donner la première dose d'amoxicilline orale (tirage sous-costal ou respiration rapide)."),
    gettext_noop("Avant le départ : donner la première dose de CTA (artéméther-luméfantrine) (fièvre, TDR positif)."),
    gettext_noop("Avant le départ : artésunate rectal si disponible (fièvre, l'enfant ne peut rien prendre par la bouche)."),
    gettext_noop("Jeune nourrisson : pas de médicament par le relais ; le garder au chaud (peau contre peau) et continuer l'allaitement pendant le trajet. Le CSCom applique son protocole."),
    gettext_noop("Pas de traitement pré-transfert prévu par l'algorithme pour ces signes : référer sans attendre ; le CSCom applique son protocole."),
    gettext_noop("Ce relais ne donne pas de médicament : référer sans attendre ; le CSCom donne le traitement pré-transfert selon son protocole."),
    gettext_noop("Fièvre sans résultat de TDR : faire un TDR du paludisme."),
    gettext_noop("Référer d'urgence au CSCom ; avant le départ, voir le traitement pré-transfert ci-dessous."),
    gettext_noop("Traiter à domicile et revoir l'enfant dans 3 jours."),
    gettext_noop("Référer au CSCom (non urgent, le jour même ou le lendemain)."),
    gettext_noop("Conseiller la mère ; revenir si l'état s'aggrave."),
    gettext_noop("Ce relais ne traite pas à domicile : référer au CSCom (non urgent)."),
    gettext_noop("Signes non évalués par l'algorithme des moins de 5 ans : examen par le soignant."),
    gettext_noop("Malnutrition aiguë sévère compliquée : référer d'urgence (hospitalisation, URENI)."),
    gettext_noop("Malnutrition aiguë sévère sans complication : ATPE en ambulatoire (URENAS), revoir dans 7 jours."),
    gettext_noop("Malnutrition aiguë modérée : conseils nutritionnels et URENAM, revoir dans 30 jours."),
    gettext_noop("Pas de malnutrition aiguë."),
    gettext_noop("Ni rapport poids/taille, ni PB, ni œdème : malnutrition aiguë non évaluée."),
    gettext_noop("Enfant de 60 mois ou plus : classification nutritionnelle des moins de 5 ans non applicable."),
    gettext_noop("Primaire (fondamental 1er cycle)"),
    gettext_noop("Secondaire (fondamental 2e cycle, lycée)"),
    gettext_noop("École coranique / médersa"),
    gettext_noop("Apprentissage, formation professionnelle"),
    gettext_noop("Convulsions (maintenant ou pendant cette maladie)"),
    gettext_noop("Inconscient, très somnolent ou confus"),
    gettext_noop("Grande difficulté à respirer (respiration impossible à compter)"),
    gettext_noop("Incapable de boire, ou vomit tout"),
    gettext_noop("Pâleur sévère (paumes)"),
    gettext_noop("Diarrhée avec déshydratation sévère (léthargique, yeux enfoncés, pli cutané très lent)"),
    gettext_noop("Douleur sévère (ventre, ou tête avec raideur de la nuque)"),
    gettext_noop("Blessure qui saigne sans s'arrêter, ou fracture suspectée"),
    gettext_noop("Intoxication suspectée"),
    gettext_noop("Malade depuis la dernière visite"),
    gettext_noop("Fièvre"),
    gettext_noop("Perte de poids"),
    gettext_noop("Va à l'école"),
    gettext_noop("Niveau scolaire"),
    gettext_noop("Dort sous une moustiquaire imprégnée"),
    gettext_noop("Inconscient, très somnolent ou confus : référer d'urgence."),
    gettext_noop("Grande difficulté à respirer : référer d'urgence."),
    gettext_noop("Incapable de boire ou vomit tout : référer d'urgence."),
    gettext_noop("Pâleur sévère des paumes : référer d'urgence."),
    gettext_noop("Diarrhée avec déshydratation sévère : référer d'urgence."),
    gettext_noop("Douleur sévère (ventre, ou tête avec nuque raide) : référer d'urgence."),
    gettext_noop("Blessure qui saigne sans s'arrêter ou fracture suspectée : référer d'urgence."),
    gettext_noop("Intoxication suspectée : référer d'urgence."),
    gettext_noop("Au moins un signe d'urgence : référer d'urgence au CSCom."),
    gettext_noop("Fièvre avec TDR positif : paludisme (CTA selon le cadre du relais)."),
    gettext_noop("Fièvre avec TDR négatif : pas d'antipaludique ; revenir si la fièvre persiste."),
    gettext_noop("Fièvre sans TDR : référer au CSCom pour le test du paludisme (non urgent)."),
    gettext_noop("Toux depuis 14 jours ou plus, ou perte de poids : référer au CSCom pour le dépistage de la tuberculose (non urgent)."),
    gettext_noop("Maigreur sévère (IMC pour l'âge inférieur à -3 ET) : référer au CSCom."),
    gettext_noop("Maigreur (IMC pour l'âge inférieur à -2 ET) : conseils nutritionnels, revoir dans un mois."),
    gettext_noop("Surpoids (IMC pour l'âge supérieur à +1 ET) : conseils sur l'alimentation et l'activité."),
    gettext_noop("Obésité (IMC pour l'âge supérieur à +2 ET) : conseils, en parler au CSCom."),
    gettext_noop("Retard de croissance sévère (taille pour l'âge inférieure à -3 ET)."),
    gettext_noop("Retard de croissance (taille pour l'âge inférieure à -2 ET)."),
    gettext_noop("Rien d'anormal trouvé : conseils habituels."),
    gettext_noop("Valeur improbable : refaire la mesure."),
    gettext_noop("Ne va pas à l'école : en parler avec la famille ; signaler à l'assistant social si besoin."),
    gettext_noop("Ne dort pas sous une moustiquaire imprégnée : conseiller la moustiquaire chaque nuit."),
    gettext_noop("Vaccin de rattrapage à faire : orienter vers la séance de vaccination du CSCom."),
    gettext_noop("Pas de z-score OMS 2007 à cet âge (tables de 61 à 228 mois)."),
    gettext_noop("Référer d'urgence au CSCom ; pas de traitement pré-transfert prévu pour le relais à cet âge : le CSCom applique son protocole."),
    gettext_noop("Traiter à domicile (CTA) et revoir l'enfant dans 3 jours."),
    gettext_noop("Conseiller la famille ; revenir si l'état s'aggrave."),
    gettext_noop("BCG (tuberculose)"),
    gettext_noop("VPO0 (polio zéro)"),
    gettext_noop("Penta 1 (DTC-HepB-Hib)"),
    gettext_noop("VPO 1 (polio oral)"),
    gettext_noop("Pneumo 1 (PCV13)"),
    gettext_noop("Rota 1"),
    gettext_noop("Penta 2 (DTC-HepB-Hib)"),
    gettext_noop("VPO 2 (polio oral)"),
    gettext_noop("Pneumo 2 (PCV13)"),
    gettext_noop("Rota 2"),
    gettext_noop("Penta 3 (DTC-HepB-Hib)"),
    gettext_noop("VPO 3 (polio oral)"),
    gettext_noop("Pneumo 3 (PCV13)"),
    gettext_noop("Rota 3"),
    gettext_noop("VPI 1 (polio injectable)"),
    gettext_noop("Vaccin antipaludique 1"),
    gettext_noop("Vaccin antipaludique 2"),
    gettext_noop("Vaccin antipaludique 3"),
    gettext_noop("RR 1 (rougeole-rubéole)"),
    gettext_noop("VAA (fièvre jaune)"),
    gettext_noop("MenA (méningite A)"),
    gettext_noop("VPI 2 (polio injectable)"),
    gettext_noop("RR 2 (rougeole-rubéole)"),
    gettext_noop("CPoN 1 : dans les 24 heures"),
    gettext_noop("CPoN 2 : jour 3 (48-72 heures)"),
    gettext_noop("CPoN 3 : jours 7 à 14"),
    gettext_noop("CPoN 4 : 6 semaines"),
    gettext_noop("Saignement vaginal : référer d'urgence."),
    gettext_noop("Cyanose centrale : référer d'urgence."),
    gettext_noop("Fièvre : référer d'urgence."),
    gettext_noop("Maux de tête sévères : référer d'urgence."),
    gettext_noop("Troubles de la vue : référer d'urgence."),
    gettext_noop("Accouchement imminent : référer d'urgence."),
    gettext_noop("Travail en cours : référer d'urgence."),
    gettext_noop("Paraît très malade : référer d'urgence."),
    gettext_noop("Vomissements sévères : référer d'urgence."),
    gettext_noop("Douleur sévère : référer d'urgence."),
    gettext_noop("Douleur abdominale sévère : référer d'urgence."),
    gettext_noop("Inconsciente : référer d'urgence."),
    gettext_noop("Respiration rapide ou difficile : référer d'urgence."),
    gettext_noop("Gonflement du visage ou des mains : référer d'urgence."),
    gettext_noop("Perte de liquide : référer d'urgence."),
    gettext_noop("Le bébé bouge moins : référer d'urgence."),
    gettext_noop("Saignement vaginal abondant (plus d'une garniture en 5 minutes, ou qui augmente) : référer d'urgence."),
    gettext_noop("Fièvre et trop faible pour se lever : référer d'urgence."),
    gettext_noop("Maux de tête sévères ou vision trouble : référer d'urgence."),
    gettext_noop("Lochies malodorantes : consulter le jour même."),
    gettext_noop("Seins douloureux, gonflés ou rouges : consulter le jour même."),
    gettext_noop("Douleur ou pus au périnée : consulter le jour même."),
    gettext_noop("Fuites d'urine ou brûlures en urinant : consulter le jour même."),
    gettext_noop("Mollet douloureux ou gonflé : consulter le jour même."),
    gettext_noop("Tristesse profonde ou idées de se faire du mal : consulter le jour même."),
    gettext_noop("Référer d'urgence au CSCom ou à la maternité."),
    gettext_noop("Consulter au CSCom le jour même."),
    gettext_noop("Pas de signe de danger : poursuivre le calendrier des consultations."),
    gettext_noop("Référer d'urgence au CSCom"),
    gettext_noop("Référer au CSCom (aujourd'hui ou demain)"),
    gettext_noop("Faire voir au CSCom aujourd'hui"),
    gettext_noop("Référer à l'URENAS (prise en charge ambulatoire)"),
    gettext_noop("Traiter à domicile"),
    gettext_noop("Référer à l'URENAM (supplémentation)"),
    gettext_noop("Conseiller la famille"),
    gettext_noop("Soins habituels et conseils"),
)
# fmt: on
