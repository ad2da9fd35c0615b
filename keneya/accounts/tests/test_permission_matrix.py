"""Every role against every page and endpoint: allowed (2xx), forbidden (403) or hidden (404).

The test fails when a URL exists that the matrix does not list, so the matrix stays complete as
the project grows: add the new page or endpoint here with the answer for each role.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

ROLES = [
    "chw",
    "chw_other_zone",
    "clinician",
    "clinician_other_cscom",
    "specialist",
    "social_worker",
    "treasurer",
    "facility_manager",
    "me_officer",
    "admin",
    "lab_technician",
]

OK, FORBIDDEN, HIDDEN, REDIRECT = 200, 403, 404, 302


def row(**overrides: int) -> dict[str, int]:
    """Default: every role allowed, except the laboratory technician, whose one capability is
    the laboratory's (LAB_RESULT); overrides name the exceptions."""
    answers = {**dict.fromkeys(ROLES, OK), "lab_technician": FORBIDDEN}
    answers.update(overrides)
    return answers


REGISTRY_VIEW = row(treasurer=FORBIDDEN, me_officer=FORBIDDEN)
REGISTRY_EDIT = row(specialist=FORBIDDEN, treasurer=FORBIDDEN, me_officer=FORBIDDEN)
# An object belonging to chw1's zone (CSCom 1's health area).
IN_SCOPE_VIEW = row(
    chw_other_zone=HIDDEN,
    clinician_other_cscom=HIDDEN,
    specialist=HIDDEN,
    treasurer=FORBIDDEN,
    me_officer=FORBIDDEN,
)
IN_SCOPE_EDIT = row(
    chw_other_zone=HIDDEN,
    clinician_other_cscom=HIDDEN,
    specialist=FORBIDDEN,
    treasurer=FORBIDDEN,
    me_officer=FORBIDDEN,
)
AGGREGATES = row(
    chw=FORBIDDEN,
    chw_other_zone=FORBIDDEN,
    clinician=FORBIDDEN,
    clinician_other_cscom=FORBIDDEN,
    specialist=FORBIDDEN,
    social_worker=FORBIDDEN,
    treasurer=FORBIDDEN,
)
ADMIN_ONLY = {**dict.fromkeys(ROLES, REDIRECT), "admin": OK}
# A POST that the role may make: 200/201, or 400 for the deliberately incomplete body we send
# (so the matrix checks permission and scope without changing state).
ALLOWED = -1
CLINICAL_VIEW = row(
    chw=FORBIDDEN,
    chw_other_zone=FORBIDDEN,
    social_worker=FORBIDDEN,
    treasurer=FORBIDDEN,
    me_officer=FORBIDDEN,
)
VISIT_POST = {**dict.fromkeys(ROLES, FORBIDDEN), "chw": ALLOWED, "chw_other_zone": ALLOWED, "admin": ALLOWED}
# An alert or referral raised from a visit in chw1's household (CSCom 1).
CLINICAL_OBJECT = row(
    chw_other_zone=HIDDEN,
    clinician_other_cscom=HIDDEN,
    specialist=HIDDEN,
    social_worker=HIDDEN,
    treasurer=FORBIDDEN,
    me_officer=FORBIDDEN,
)
# Clinical data through the API (visits, alerts, referrals) needs the clinical capability, or
# the CHW's who records the visits: the social worker is refused (issue #10).
CLINICAL_READ = {**REGISTRY_VIEW, "social_worker": FORBIDDEN}
CLINICAL_READ_IN_SCOPE = {**IN_SCOPE_VIEW, "social_worker": FORBIDDEN}
CLINICAL_OBJECT_API = {**CLINICAL_OBJECT, "social_worker": FORBIDDEN}
TRIAGE = {
    **dict.fromkeys(ROLES, FORBIDDEN),
    "clinician": ALLOWED,
    "clinician_other_cscom": HIDDEN,
    "facility_manager": ALLOWED,
    "admin": ALLOWED,
}
REFERRAL_CREATE = {
    **dict.fromkeys(ROLES, FORBIDDEN),
    "clinician": ALLOWED,
    "clinician_other_cscom": ALLOWED,
    "specialist": ALLOWED,
    "facility_manager": ALLOWED,
    "admin": ALLOWED,
}
REFERRAL_ACTION = {**TRIAGE, "specialist": HIDDEN}
CONSULTATION_POST = {
    **dict.fromkeys(ROLES, FORBIDDEN),
    "clinician": ALLOWED,
    "clinician_other_cscom": ALLOWED,
    "specialist": ALLOWED,
    "admin": ALLOWED,
}
CONSULTATION_OBJECT = {**CLINICAL_VIEW, "clinician_other_cscom": HIDDEN, "specialist": HIDDEN}
# The CHW's own task list (capability VISIT_RECORD): each CHW sees their households' tasks; the
# administrator, who also holds VISIT_RECORD, gets the (usually empty) list of households
# assigned to them.
CHW_TASKS = {**dict.fromkeys(ROLES, FORBIDDEN), "chw": OK, "chw_other_zone": OK, "admin": OK}

# The offline CHW app (/chw/): CHWs only; the administrator does not carry a tablet.
CHW_APP = {**dict.fromkeys(ROLES, FORBIDDEN), "chw": OK, "chw_other_zone": OK}

# Closed-loop pages. A page POST that succeeds redirects (302, REDIRECT); one that lacks the
# fields of the matrix's body answers 400 with French errors (ALLOWED).
VISIT_PAGE = {**dict.fromkeys(ROLES, FORBIDDEN), "chw": OK, "chw_other_zone": HIDDEN, "admin": OK}
INBOX = {
    **dict.fromkeys(ROLES, FORBIDDEN),
    "clinician": OK,
    "clinician_other_cscom": OK,
    "facility_manager": OK,
    "admin": OK,
}
TRIAGE_DONE = {
    **dict.fromkeys(ROLES, FORBIDDEN),
    "clinician": REDIRECT,
    "clinician_other_cscom": HIDDEN,
    "facility_manager": REDIRECT,
    "admin": REDIRECT,
}
REFERRAL_LIST = {
    **dict.fromkeys(ROLES, FORBIDDEN),
    "clinician": OK,
    "clinician_other_cscom": OK,
    "specialist": OK,
    "facility_manager": OK,
    "admin": OK,
}
REFERRAL_DONE = {**TRIAGE_DONE, "specialist": HIDDEN}
PATIENT_PAGE = CONSULTATION_OBJECT
CONSULTATION_PAGE = {
    **dict.fromkeys(ROLES, FORBIDDEN),
    "clinician": OK,
    "clinician_other_cscom": HIDDEN,
    "specialist": HIDDEN,
    "admin": OK,
}
REFER_TO_CSREF = {**CONSULTATION_PAGE, "facility_manager": OK}

# Tablet sync (keneya/sync). Push and pull accept only a tablet's own token
# ("Authorization: Device <token>"): a logged-in user without one gets 401 (the device
# authentication names its scheme, so DRF answers 401 rather than 403).
UNAUTHORIZED = 401
DEVICE_TOKEN_ONLY = dict.fromkeys(ROLES, UNAUTHORIZED)
SYNC_REGISTER = {**dict.fromkeys(ROLES, FORBIDDEN), "chw": ALLOWED, "chw_other_zone": ALLOWED}
# chw1's tablet and a conflict in chw1's household: CSCom 1's manager and the administrator.
SYNC_SUPERVISE = {**dict.fromkeys(ROLES, FORBIDDEN), "facility_manager": OK, "admin": OK}
# Supervision page forms: done (or refused with a message) and redirected back to the page.
SUPERVISION_POST = {**dict.fromkeys(ROLES, FORBIDDEN), "facility_manager": REDIRECT, "admin": REDIRECT}
SYNC_RESOLVE = {**dict.fromkeys(ROLES, FORBIDDEN), "facility_manager": ALLOWED, "admin": ALLOWED}

# Social protection (keneya/social_protection): screening is the CHW's and the social worker's;
# dossiers are the social worker's (commune-wide here) and the administrator's; coverage is read
# by whoever sees the person and holds COVERAGE_VIEW.
SOCIAL_SCREEN = {
    **dict.fromkeys(ROLES, FORBIDDEN),
    "chw": OK,
    "chw_other_zone": OK,
    "social_worker": OK,
    "admin": OK,
}
SOCIAL_SCREEN_POST = {k: (ALLOWED if v == OK else v) for k, v in SOCIAL_SCREEN.items()}
SOCIAL_CASEWORK = {**dict.fromkeys(ROLES, FORBIDDEN), "social_worker": OK, "admin": OK}
SOCIAL_CASEWORK_POST = {**dict.fromkeys(ROLES, FORBIDDEN), "social_worker": ALLOWED, "admin": ALLOWED}
SOCIAL_PAGE_POST = {**dict.fromkeys(ROLES, FORBIDDEN), "social_worker": REDIRECT, "admin": REDIRECT}
# The "Fait" of a social-protection appointment: the CHW of the household or the social worker.
SOCIAL_APPOINTMENT_DONE = {
    **dict.fromkeys(ROLES, FORBIDDEN),
    "chw": REDIRECT,
    "chw_other_zone": HIDDEN,
    "social_worker": REDIRECT,
    "admin": REDIRECT,
}
# DHIS2 push (keneya/interop/dhis2): the M&E officer's and the administrator's (REPORTS_SUBMIT).
# The matrix runs without DHIS2 configured: a dry-run or push POST is refused with a message
# and redirected back to the month's page.
DHIS2_PAGE = {**dict.fromkeys(ROLES, FORBIDDEN), "me_officer": OK, "admin": OK}
DHIS2_POST = {**dict.fromkeys(ROLES, FORBIDDEN), "me_officer": REDIRECT, "admin": REDIRECT}
SOCIAL_COUNTS = {
    **dict.fromkeys(ROLES, FORBIDDEN),
    "social_worker": OK,
    "facility_manager": OK,
    "me_officer": OK,
    "admin": OK,
}
COVERAGE = row(
    chw_other_zone=HIDDEN,
    clinician_other_cscom=HIDDEN,
    specialist=HIDDEN,
    treasurer=FORBIDDEN,
    me_officer=FORBIDDEN,
)
# Access log and break the glass (keneya/records/access.py): the log and the break-glass list
# for the facility manager (persons of their scope) and the administrator; the break-glass form
# for clinicians and specialists is the "not in your scope" page (404 until a reason is given);
# a person's data export and anonymisation for the administrator only.
AUDIT = {**dict.fromkeys(ROLES, FORBIDDEN), "facility_manager": OK, "admin": OK}
BREAK_GLASS = {
    **dict.fromkeys(ROLES, FORBIDDEN),
    "clinician": HIDDEN,
    "clinician_other_cscom": HIDDEN,
    "specialist": HIDDEN,
}
PERSON_DATA = {**dict.fromkeys(ROLES, FORBIDDEN), "admin": OK}
# The record's summary, problem list and documents (issue #14, keneya/records): read like the
# patient page; written by the clinicians and the specialist in scope (the administrator, who has
# no facility, is refused by the service once the body is valid: 403).
RECORD_WRITE_API = {
    **dict.fromkeys(ROLES, FORBIDDEN),
    "clinician": ALLOWED,
    "clinician_other_cscom": HIDDEN,
    "specialist": HIDDEN,
    "admin": ALLOWED,
}
RECORD_PAGE_POST = {
    **dict.fromkeys(ROLES, FORBIDDEN),
    "clinician": REDIRECT,
    "clinician_other_cscom": HIDDEN,
    "specialist": HIDDEN,
    "admin": REDIRECT,
}
RECORD_PAGE_ACTION = {**RECORD_PAGE_POST, "admin": FORBIDDEN}

# The laboratory (keneya/lab): the pending list, result entry and corrections are the laboratory
# technician's (CSCom 1's here, where the request was made) and the administrator's; a request
# is made by a clinician for a person in their scope (or by the laboratory for a walk-in); the
# requests and results are read by whoever sees the person and by the laboratory that has them.
LAB_PAGE = {**dict.fromkeys(ROLES, FORBIDDEN), "lab_technician": OK, "admin": OK}
LAB_PAGE_POST = {**dict.fromkeys(ROLES, FORBIDDEN), "lab_technician": REDIRECT, "admin": REDIRECT}
LAB_API_POST = {**dict.fromkeys(ROLES, FORBIDDEN), "lab_technician": ALLOWED, "admin": ALLOWED}
LAB_ORDER_POST = {
    **dict.fromkeys(ROLES, FORBIDDEN),
    "clinician": ALLOWED,
    "clinician_other_cscom": ALLOWED,
    "specialist": ALLOWED,
    "lab_technician": ALLOWED,
    "admin": ALLOWED,
}
LAB_ORDER_READ = {**CONSULTATION_OBJECT, "lab_technician": OK}
# Pharmacy (keneya/pharmacy): the catalogue and prescriptions are read with the clinical
# capability, in the person's scope; prescribing needs PRESCRIBE (clinician, specialist, admin);
# allergies are recorded by who records consultations or prescribes (not the facility manager).
PRESCRIBE_POST = {
    **dict.fromkeys(ROLES, FORBIDDEN),
    "clinician": ALLOWED,
    "clinician_other_cscom": ALLOWED,
    "specialist": ALLOWED,
    "admin": ALLOWED,
}
PRESCRIBE_IN_SCOPE = {**PRESCRIBE_POST, "clinician_other_cscom": HIDDEN, "specialist": HIDDEN}
PRESCRIBE_PAGE_POST = {k: (REDIRECT if v == ALLOWED else v) for k, v in PRESCRIBE_IN_SCOPE.items()}
ALLERGY_POST = PRESCRIBE_IN_SCOPE
ALLERGY_PAGE_POST = PRESCRIBE_PAGE_POST

# url name -> (method, path template, answers). {household} and {person} are filled in.
MATRIX: dict[str, tuple[str, str, dict[str, int]]] = {
    "home": ("GET", "/", row(lab_technician=OK)),
    "people:household_list": ("GET", "/menages/?q=traore", REGISTRY_VIEW),
    "people:household_create": ("GET", "/menages/nouveau/", REGISTRY_EDIT),
    "people:household_detail": ("GET", "/menages/{household}/", IN_SCOPE_VIEW),
    "people:member_create": ("GET", "/menages/{household}/membres/nouveau/", IN_SCOPE_EDIT),
    "people:similar_check": ("POST", "/personnes/similaires/", REGISTRY_EDIT),
    "people:person_detail": ("GET", "/personnes/{person}/", IN_SCOPE_VIEW),
    "people:person_death": ("GET", "/personnes/{person}/deces/", IN_SCOPE_EDIT),
    "people:person_edit": ("GET", "/personnes/{person}/modifier/", IN_SCOPE_EDIT),
    "people:statistics": ("GET", "/statistiques/registre/", AGGREGATES),
    "household-list": ("GET", "/api/v1/households/", REGISTRY_VIEW),
    "household-detail": ("GET", "/api/v1/households/{household}/", IN_SCOPE_VIEW),
    "person-list": ("GET", "/api/v1/persons/", REGISTRY_VIEW),
    "person-detail": ("GET", "/api/v1/persons/{person}/", IN_SCOPE_VIEW),
    "person-similar": (
        "GET",
        "/api/v1/persons/similar/?quartier={quartier}&family_name=Traore"
        "&given_names=Aminata&sex=F&date_of_birth=2021-01-01",
        # A quartier outside the caller's zone is refused (issue #10).
        {**REGISTRY_VIEW, "chw_other_zone": 400, "clinician_other_cscom": 400},
    ),
    "person-visits": ("GET", "/api/v1/persons/{child}/visits/", CLINICAL_READ_IN_SCOPE),
    "visit-list": ("GET", "/api/v1/visits/", CLINICAL_READ),
    "visit-list POST": ("POST", "/api/v1/visits/", VISIT_POST),
    "visit-detail": ("GET", "/api/v1/visits/{visit}/", CLINICAL_READ_IN_SCOPE),
    "alert-list": ("GET", "/api/v1/alerts/", CLINICAL_READ),
    "alert-detail": ("GET", "/api/v1/alerts/{alert}/", CLINICAL_OBJECT_API),
    "alert-events": ("GET", "/api/v1/alerts/{alert}/events/", CLINICAL_OBJECT_API),
    "alert-acknowledge": ("POST", "/api/v1/alerts/{alert}/acknowledge/", TRIAGE),
    "alert-convoke": ("POST", "/api/v1/alerts/{alert}/convoke/", TRIAGE),
    "alert-close": ("POST", "/api/v1/alerts/{alert}/close/", TRIAGE),
    "referral-list": ("GET", "/api/v1/referrals/", CLINICAL_READ),
    "referral-list POST": ("POST", "/api/v1/referrals/", REFERRAL_CREATE),
    "referral-detail": ("GET", "/api/v1/referrals/{referral}/", CLINICAL_OBJECT_API),
    "referral-arrived": ("POST", "/api/v1/referrals/{referral}/arrived/", REFERRAL_ACTION),
    "referral-counter-referral": ("POST", "/api/v1/referrals/{referral}/counter-referral/", REFERRAL_ACTION),
    "referral-not-arrived": ("POST", "/api/v1/referrals/{referral}/not-arrived/", REFERRAL_ACTION),
    "referral-close": ("POST", "/api/v1/referrals/{referral}/close/", REFERRAL_ACTION),
    "consultation-list": ("GET", "/api/v1/consultations/", CLINICAL_VIEW),
    "consultation-list POST": ("POST", "/api/v1/consultations/", CONSULTATION_POST),
    "consultation-detail": ("GET", "/api/v1/consultations/{consultation}/", CONSULTATION_OBJECT),
    "api_icd10": ("GET", "/api/v1/icd10/?q=palu", CLINICAL_VIEW),
    "api_tasks": ("GET", "/api/v1/tasks/", CHW_TASKS),
    "tasks": ("GET", "/taches/", CHW_TASKS),
    # The offline CHW app (keneya/pwa): its page and session are for CHWs only.
    "pwa:shell": ("GET", "/chw/", CHW_APP),
    "pwa:session": ("GET", "/chw/session.json", CHW_APP),
    "visits:visit_new": ("GET", "/personnes/{child}/visites/nouvelle/", VISIT_PAGE),
    "visits:visit_create": ("GET", "/personnes/{child}/visites/nouvelle/enfant-malade/", VISIT_PAGE),
    "visits:visit_result": ("GET", "/visites/{visit}/", VISIT_PAGE),
    "alerts:alert_inbox": ("GET", "/alertes/", INBOX),
    "alerts:alert_acknowledge": ("POST", "/alertes/{alert}/prise-en-compte/", TRIAGE_DONE),
    "alerts:alert_convoke": ("POST", "/alertes/{alert}/convocation/", TRIAGE),
    "alerts:alert_close": ("POST", "/alertes/{alert}/cloture/", TRIAGE),
    "referrals:referral_list": ("GET", "/references/", REFERRAL_LIST),
    "referrals:referral_slip": ("GET", "/references/{referral}/fiche/", CLINICAL_OBJECT),
    "referrals:referral_arrived": ("POST", "/references/{referral}/arrivee/", REFERRAL_DONE),
    "referrals:referral_not_arrived": ("POST", "/references/{referral}/non-arrivee/", REFERRAL_DONE),
    "referrals:referral_counter_refer": ("POST", "/references/{referral}/contre-reference/", REFERRAL_ACTION),
    "referrals:referral_close": ("POST", "/references/{referral}/cloture/", REFERRAL_ACTION),
    "referrals:refer_to_csref": ("GET", "/patients/{child}/referer-csref/", REFER_TO_CSREF),
    "records:patient": ("GET", "/patients/{child}/", PATIENT_PAGE),
    "records:consultation_create": ("GET", "/patients/{child}/consultation/", CONSULTATION_PAGE),
    "records:icd10_search": ("GET", "/cim10/?q=palu", CLINICAL_VIEW),
    "records:access_log": ("GET", "/patients/{person}/journal-des-acces/", AUDIT),
    "records:break_glass_list": ("GET", "/supervision/acces-urgence/", AUDIT),
    "records:break_glass": ("GET", "/patients/{person}/acces-urgence/", BREAK_GLASS),
    "records:person_export": ("GET", "/patients/{person}/donnees/", PERSON_DATA),
    "records:anonymise": ("GET", "/patients/{person}/anonymiser/", PERSON_DATA),
    "person-summary": ("GET", "/api/v1/persons/{person}/summary/", CONSULTATION_OBJECT),
    "person-problems": ("GET", "/api/v1/persons/{person}/problems/", CONSULTATION_OBJECT),
    "person-problems POST": ("POST", "/api/v1/persons/{person}/problems/", RECORD_WRITE_API),
    "problem-void": ("POST", "/api/v1/problems/{problem}/void/", RECORD_WRITE_API),
    "problem-correct": ("POST", "/api/v1/problems/{problem}/correct/", RECORD_WRITE_API),
    "person-documents": ("GET", "/api/v1/persons/{person}/documents/", CONSULTATION_OBJECT),
    "person-documents POST": ("POST", "/api/v1/persons/{person}/documents/", RECORD_WRITE_API),
    "records:carnet": ("GET", "/patients/{person}/carnet.pdf", CONSULTATION_OBJECT),
    "records:problem_add": ("POST", "/patients/{person}/problemes/", RECORD_PAGE_POST),
    "records:problem_from_diagnosis": (
        "POST",
        "/patients/{person}/diagnostics/{diagnosis}/probleme/",
        RECORD_PAGE_ACTION,
    ),
    "records:problem_resolve": ("POST", "/patients/{person}/problemes/{problem}/resolu/", RECORD_PAGE_ACTION),
    "records:problem_void": ("POST", "/patients/{person}/problemes/{problem}/annuler/", RECORD_PAGE_POST),
    "records:document_upload": ("POST", "/patients/{person}/documents/", RECORD_PAGE_POST),
    "records:document_file": ("GET", "/patients/{person}/documents/{record_document}/", CONSULTATION_OBJECT),
    "records:document_void": (
        "POST",
        "/patients/{person}/documents/{record_document}/retirer/",
        RECORD_PAGE_POST,
    ),
    "person-access-log": ("GET", "/api/v1/persons/{person}/access-log/", AUDIT),
    "person-break-glass": ("POST", "/api/v1/persons/{person}/break-glass/", BREAK_GLASS),
    "person-export": ("GET", "/api/v1/persons/{person}/export/", PERSON_DATA),
    "sync:devices": ("GET", "/api/v1/sync/devices/", SYNC_SUPERVISE),
    "sync:devices POST": ("POST", "/api/v1/sync/devices/", SYNC_REGISTER),
    "sync:device_revoke": ("POST", "/api/v1/sync/devices/{device}/revoke/", SYNC_SUPERVISE),
    "sync:push": ("POST", "/api/v1/sync/push/", DEVICE_TOKEN_ONLY),
    "sync:pull": ("GET", "/api/v1/sync/pull/", DEVICE_TOKEN_ONLY),
    "sync:conflicts": ("GET", "/api/v1/sync/conflicts/", SYNC_SUPERVISE),
    "sync:conflict_resolve": ("POST", "/api/v1/sync/conflicts/{conflict}/resolve/", SYNC_RESOLVE),
    "sync_supervision": ("GET", "/supervision/synchronisation/", SYNC_SUPERVISE),
    "sync_conflict_resolve": ("POST", "/supervision/synchronisation/conflits/{conflict}/", SUPERVISION_POST),
    "sync_device_revoke": (
        "POST",
        "/supervision/synchronisation/tablettes/{device}/revoquer/",
        SUPERVISION_POST,
    ),
    "admin:index": ("GET", "/admin/", ADMIN_ONLY),
    "api_social_scorecard": ("GET", "/api/v1/social/scorecards/current/", SOCIAL_SCREEN),
    "api_social_screenings": ("GET", "/api/v1/social/screenings/", SOCIAL_SCREEN),
    "api_social_screenings POST": ("POST", "/api/v1/social/screenings/", SOCIAL_SCREEN_POST),
    "api_social_screening_validate": (
        "POST",
        "/api/v1/social/screenings/{screening}/validate/",
        SOCIAL_CASEWORK_POST,
    ),
    "api_social_dossiers": ("GET", "/api/v1/social/dossiers/", SOCIAL_CASEWORK),
    "api_social_dossiers POST": ("POST", "/api/v1/social/dossiers/", SOCIAL_CASEWORK_POST),
    "api_social_dossier": ("GET", "/api/v1/social/dossiers/{dossier}/", SOCIAL_CASEWORK),
    "api_social_document": (
        "POST",
        "/api/v1/social/dossiers/{dossier}/documents/{document}/",
        SOCIAL_CASEWORK_POST,
    ),
    "api_social_transition": ("POST", "/api/v1/social/dossiers/{dossier}/transition/", SOCIAL_CASEWORK_POST),
    "api_person_coverage": ("GET", "/api/v1/persons/{person}/coverage/", COVERAGE),
    "social_protection:dossier_list": ("GET", "/protection-sociale/", SOCIAL_CASEWORK),
    "social_protection:programme": ("GET", "/protection-sociale/programme/", SOCIAL_COUNTS),
    "social_protection:screening_validate": (
        "POST",
        "/protection-sociale/depistages/{screening}/valider/",
        SOCIAL_PAGE_POST,
    ),
    "social_protection:dossier_open": (
        "GET",
        "/protection-sociale/menages/{household}/ouvrir/",
        SOCIAL_CASEWORK,
    ),
    "social_protection:dossier_detail": ("GET", "/protection-sociale/dossiers/{dossier}/", SOCIAL_CASEWORK),
    "social_protection:document_update": (
        "POST",
        "/protection-sociale/dossiers/{dossier}/pieces/{document}/",
        SOCIAL_PAGE_POST,
    ),
    "social_protection:transition": (
        "POST",
        "/protection-sociale/dossiers/{dossier}/etape/",
        SOCIAL_PAGE_POST,
    ),
    "social_protection:letter_to_mayor": (
        "GET",
        "/protection-sociale/dossiers/{dossier}/lettre-au-maire.pdf",
        SOCIAL_CASEWORK,
    ),
    "social_protection:checklist": (
        "GET",
        "/protection-sociale/dossiers/{dossier}/pieces.pdf",
        SOCIAL_CASEWORK,
    ),
    # Every user changes their own password (the page; the POST with the matrix's body is a 400).
    "password_change": ("GET", "/comptes/mot-de-passe/", row(lab_technician=OK)),
    "password_change POST": ("POST", "/comptes/mot-de-passe/", dict.fromkeys(ROLES, ALLOWED)),
    # Logout of the API: with a session, it ends the session (204); with a token, revokes it.
    "api_logout": ("POST", "/api/v1/auth/logout/", dict.fromkeys(ROLES, 204)),
    "social_protection:appointment_create": (
        "POST",
        "/protection-sociale/dossiers/{dossier}/rendez-vous/",
        SOCIAL_PAGE_POST,
    ),
    "social_protection:appointment_done": (
        "POST",
        "/protection-sociale/rendez-vous/{appointment}/fait/",
        SOCIAL_APPOINTMENT_DONE,
    ),
    "social_protection:remind_documents": (
        "POST",
        "/protection-sociale/dossiers/{dossier}/rappeler-pieces/",
        SOCIAL_PAGE_POST,
    ),
    "social_protection:document_upload": (
        "POST",
        "/protection-sociale/dossiers/{dossier}/pieces/{document}/fichier/",
        SOCIAL_PAGE_POST,
    ),
    "social_protection:document_file": (
        "GET",
        "/protection-sociale/dossiers/{dossier}/fichiers/{document_file}/",
        SOCIAL_CASEWORK,
    ),
    "social_protection:contribution_create": (
        "POST",
        "/protection-sociale/dossiers/{mutuelle_dossier}/cotisations/",
        SOCIAL_PAGE_POST,
    ),
    "api_medicines": ("GET", "/api/v1/medicines/?search=amox", CLINICAL_VIEW),
    "api_person_allergies": ("GET", "/api/v1/persons/{person}/allergies/", CONSULTATION_OBJECT),
    "api_person_allergies POST": ("POST", "/api/v1/persons/{person}/allergies/", ALLERGY_POST),
    "api_person_allergy_void": ("POST", "/api/v1/persons/{person}/allergies/{allergy}/void/", ALLERGY_POST),
    "api_prescriptions": ("GET", "/api/v1/prescriptions/", CLINICAL_VIEW),
    "api_prescriptions POST": ("POST", "/api/v1/prescriptions/", PRESCRIBE_POST),
    "api_prescription_check": ("POST", "/api/v1/prescriptions/check/", PRESCRIBE_POST),
    "api_prescription": ("GET", "/api/v1/prescriptions/{prescription}/", CONSULTATION_OBJECT),
    "api_prescription_pdf": ("GET", "/api/v1/prescriptions/{prescription}/pdf/", CONSULTATION_OBJECT),
    "api_prescription_item_stop": (
        "POST",
        "/api/v1/prescriptions/{prescription}/items/{prescription_item}/stop/",
        PRESCRIBE_IN_SCOPE,
    ),
    "pharmacy:prescribe": ("GET", "/patients/{person}/prescrire/", CONSULTATION_PAGE),
    "pharmacy:allergies": ("GET", "/patients/{person}/allergies/", CONSULTATION_OBJECT),
    "pharmacy:allergy_void": ("POST", "/patients/{person}/allergies/{allergy}/annuler/", ALLERGY_PAGE_POST),
    "pharmacy:prescription_detail": ("GET", "/ordonnances/{prescription}/", CONSULTATION_OBJECT),
    "pharmacy:ordonnance_pdf": ("GET", "/ordonnances/{prescription}/ordonnance.pdf", CONSULTATION_OBJECT),
    "pharmacy:stop_item": (
        "POST",
        "/ordonnances/{prescription}/lignes/{prescription_item}/arreter/",
        PRESCRIBE_PAGE_POST,
    ),
    "social_protection:contribution_void": (
        "POST",
        "/protection-sociale/dossiers/{mutuelle_dossier}/cotisations/{payment}/annuler/",
        SOCIAL_PAGE_POST,
    ),
    "dhis2:home": ("GET", "/dhis2/", DHIS2_PAGE),
    "dhis2:month": ("GET", "/dhis2/2026-03/", DHIS2_PAGE),
    "dhis2:dry_run": ("POST", "/dhis2/2026-03/essai/", DHIS2_POST),
    "dhis2:push": ("POST", "/dhis2/2026-03/envoi/", DHIS2_POST),
    "dhis2:push_detail": ("GET", "/dhis2/envois/{dhis2_push}/", DHIS2_PAGE),
    "api_dhis2_pushes": ("GET", "/api/v1/dhis2/pushes/", DHIS2_PAGE),
    "api_dhis2_push": ("GET", "/api/v1/dhis2/pushes/{dhis2_push}/", DHIS2_PAGE),
}
MATRIX.update(
    {
        "lab:pending": ("GET", "/laboratoire/", LAB_PAGE),
        "lab:order": ("GET", "/laboratoire/demandes/{lab_order}/", LAB_PAGE),
        "lab:result_correct": ("POST", "/laboratoire/resultats/{lab_result}/corriger/", LAB_PAGE_POST),
        "lab:person_results": ("GET", "/patients/{person}/examens/", PATIENT_PAGE),
        "lab:order_create": ("GET", "/patients/{person}/examens/demander/", CONSULTATION_PAGE),
        "api_lab_tests": ("GET", "/api/v1/lab/tests/", {**row(), "lab_technician": OK}),
        "api_lab_orders": ("GET", "/api/v1/lab/orders/", LAB_PAGE),
        "api_lab_orders POST": ("POST", "/api/v1/lab/orders/", LAB_ORDER_POST),
        "api_lab_order": ("GET", "/api/v1/lab/orders/{lab_order}/", LAB_ORDER_READ),
        "api_lab_order_results": ("POST", "/api/v1/lab/orders/{lab_order}/results/", LAB_API_POST),
        "api_lab_result_correct": ("POST", "/api/v1/lab/results/{lab_result}/correct/", LAB_API_POST),
    }
)
# Savings groups (keneya/financing): the group's treasurer and its facilitator (chw1) see and
# record its money; another CHW gets a 404; nobody else, not even a clinician (403); the M&E
# officer gets the aggregates and the SAVIX export (no names).
FINANCING = {
    **dict.fromkeys(ROLES, FORBIDDEN),
    "chw": OK,
    "chw_other_zone": HIDDEN,
    "treasurer": OK,
    "admin": OK,
}
FINANCING_LIST = {**FINANCING, "chw_other_zone": OK}
FINANCING_POST = {
    **dict.fromkeys(ROLES, FORBIDDEN),
    "chw": ALLOWED,
    "chw_other_zone": HIDDEN,
    "treasurer": ALLOWED,
    "admin": ALLOWED,
}
FINANCING_SAVIX = {**FINANCING_LIST, "facility_manager": OK, "me_officer": OK}
MATRIX.update(
    {
        "api_financing_groups": ("GET", "/api/v1/financing/groups/", FINANCING_LIST),
        "api_financing_group": ("GET", "/api/v1/financing/groups/{group}/", FINANCING),
        "api_financing_balances": ("GET", "/api/v1/financing/groups/{group}/balances/", FINANCING),
        "api_financing_loans": ("POST", "/api/v1/financing/groups/{group}/loans/", FINANCING_POST),
        "api_financing_meetings": ("POST", "/api/v1/financing/groups/{group}/meetings/", FINANCING_POST),
        "api_financing_loan": ("GET", "/api/v1/financing/loans/{loan}/", FINANCING),
        "api_financing_repayments": ("POST", "/api/v1/financing/loans/{loan}/repayments/", FINANCING_POST),
        "api_financing_summary": ("GET", "/api/v1/financing/summary/", AGGREGATES),
        "financing:group_list": ("GET", "/tontines/", FINANCING_LIST),
        "financing:savix": ("GET", "/tontines/savix.csv", FINANCING_SAVIX),
        "financing:group_detail": ("GET", "/tontines/{group}/", FINANCING),
        "financing:meeting_sheet": ("GET", "/tontines/{group}/reunion/", FINANCING),
        "financing:meeting_sheet POST": ("POST", "/tontines/{group}/reunion/", FINANCING_POST),
        "financing:loan_create": ("GET", "/tontines/{group}/pret-sante/", FINANCING),
        "financing:loan_create POST": ("POST", "/tontines/{group}/pret-sante/", FINANCING_POST),
        "financing:share_out": ("GET", "/tontines/{group}/partage/", FINANCING),
        "financing:share_out POST": ("POST", "/tontines/{group}/partage/", FINANCING_POST),
        "financing:cash_book": ("GET", "/tontines/{group}/livre-de-caisse.pdf", FINANCING),
        "financing:statement": ("GET", "/tontines/{group}/membres/{group_member}/releve.pdf", FINANCING),
        "financing:loan_detail": ("GET", "/tontines/prets/{loan}/", FINANCING),
        "financing:loan_decision": ("POST", "/tontines/prets/{loan}/decision/", FINANCING_POST),
    }
)
# Indicators (keneya/indicators): the aggregates roles (M&E officer, facility manager,
# administrator); a CHW reads their own cells through the API (their targets), never the records.
INDICATOR_API = {**AGGREGATES, "chw": OK, "chw_other_zone": OK}
AGGREGATES_HIDDEN = {role: (HIDDEN if answer == OK else answer) for role, answer in AGGREGATES.items()}
AGGREGATES_POST = {role: (REDIRECT if answer == OK else answer) for role, answer in AGGREGATES.items()}
REPORTS_POST = {**dict.fromkeys(ROLES, FORBIDDEN), "me_officer": REDIRECT, "admin": REDIRECT}
NO_EXPORT = "00000000-0000-0000-0000-000000000000"
MATRIX.update(
    {
        "api_indicators": ("GET", "/api/v1/indicators/", INDICATOR_API),
        "api_indicator_values": (
            "GET",
            "/api/v1/indicators/home_visits/values/?period=2026-03",
            INDICATOR_API,
        ),
        "api_indicator_cell_records": (
            "GET",
            "/api/v1/indicators/home_visits/values/_/records/?period=2026-03",
            AGGREGATES,
        ),
        "indicators:dashboard": ("GET", "/indicateurs/", AGGREGATES),
        "indicators:detail": ("GET", "/indicateurs/home_visits/", AGGREGATES),
        "indicators:cell_records": ("GET", "/indicateurs/home_visits/enregistrements/?cell=_", AGGREGATES),
        "indicators:impact": ("GET", "/indicateurs/impact/", AGGREGATES),
        "indicators:completeness": ("GET", "/indicateurs/completude/", AGGREGATES),
        "indicators:reports": ("GET", "/indicateurs/rapports/", AGGREGATES),
        "indicators:reports POST": ("POST", "/indicateurs/rapports/", AGGREGATES_POST),
        "indicators:report_status": ("GET", f"/indicateurs/rapports/{NO_EXPORT}/", AGGREGATES_HIDDEN),
        "indicators:report_download": (
            "GET",
            f"/indicateurs/rapports/{NO_EXPORT}/fichier/",
            AGGREGATES_HIDDEN,
        ),
        "indicators:targets": ("GET", "/indicateurs/objectifs/", AGGREGATES),
        "indicators:targets POST": ("POST", "/indicateurs/objectifs/", REPORTS_POST),
    }
)
# Public on purpose: login, logout, language switch, token exchange, the API description.
PUBLIC = {
    "login",
    "logout",
    "set_language",
    "api_token",
    "api_schema",
    "api_docs",
    # The CHW app's static-like files (keneya/pwa): manifest, service worker and the
    # clinical engine's rules and WHO tables; no personal data, served like /static/.
    "pwa:manifest",
    "pwa:sw",
    "pwa:engine_data",
}


def all_url_names(resolver: Any = None, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            if entry.namespace == "admin":
                continue  # Django's admin: guarded as a whole (admin:index row)
            names |= all_url_names(entry, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(f"{namespace}{entry.name}")
    return names


def test_matrix_lists_every_named_url():
    missing = all_url_names() - {name.split(" ")[0] for name in MATRIX} - PUBLIC
    assert not missing, f"add these URLs to the permission matrix: {sorted(missing)}"


@pytest.fixture
def actors(users, district, make_user):
    return {
        "lab_technician": make_user("labo1", "lab_technician", facility=district.cscom1),
        "chw": users.chw1,
        "chw_other_zone": users.chw2,
        "clinician": users.clinician1,
        "clinician_other_cscom": users.clinician2,
        "specialist": users.specialist,
        "social_worker": users.social,
        "treasurer": users.treasurer,
        "facility_manager": users.manager1,
        "me_officer": users.me,
        "admin": users.admin,
    }


@pytest.fixture
def objects(users, district, household_factory, make_user):
    """A household of chw1 with a child whose danger-sign visit raised an alert and a referral,
    and a consultation of the household head at CSCom 1."""
    from django.utils import timezone

    from keneya.people.services import add_member
    from keneya.people.tests.factories import person
    from keneya.records.services import record_consultation
    from keneya.visits.services import record_home_visit

    household = household_factory(users.chw1)
    child = add_member(
        by=users.chw1,
        household=household,
        data=person("Traoré", "Fanta", "F", timezone.localdate() - timedelta(days=400)),
    )
    visit = record_home_visit(
        by=users.chw1,
        person=child,
        visit_date=timezone.localdate(),
        kind="sick_child",
        findings={"convulsions": True},
    )
    consultation = record_consultation(
        by=users.clinician1, person=household.head, complaint="Céphalées", diagnoses=["R51"]
    )
    from keneya.sync.tests.factories import conflict_on, tablet

    device, _token = tablet(users.chw1)
    conflict = conflict_on(person=household.head, device=device, by_web=users.manager1)
    from keneya.social_protection.tests.factories import demo_grid_active, opened_dossier, screened

    demo_grid_active(users.admin)
    screening = screened(users.chw1, household)
    dossier = opened_dossier(users.social, household, "ramed")
    from keneya.social_protection.tests.factories import social_extras

    extras = social_extras(users.social, household, dossier)
    from keneya.interop.dhis2.tests.factories import recorded_push
    from keneya.lab.services import record_results, request_tests

    lab_order, _created = request_tests(by=users.clinician1, person=household.head, tests=["hb", "glycemia"])
    lab_tech = make_user("labo0", "lab_technician", facility=district.cscom1)
    (lab_result,) = record_results(by=lab_tech, order=lab_order, results=[("hb", "11.0")])
    from keneya.records.tests.factories import record_extras

    extras.update(record_extras(users.clinician1, household.head, consultation))
    from keneya.pharmacy.tests.factories import pharmacy_objects

    extras.update(pharmacy_objects(users.clinician1, household.head))
    from keneya.financing.tests.factories import group_with_members, savings_and_a_loan

    group, group_members = group_with_members(
        admin=users.admin, treasurer=users.treasurer, chw=users.chw1, quartier=district.q1a, n=2
    )
    loan = savings_and_a_loan(users.treasurer, group, group_members)
    return {
        "lab_order": lab_order.pk,
        "lab_result": lab_result.pk,
        **extras,
        "group": group.pk,
        "group_member": group_members[0].pk,
        "loan": loan.pk,
        "household": household.pk,
        "person": household.head.pk,
        "child": child.pk,
        "visit": visit.pk,
        "alert": visit.alerts.get().pk,
        "referral": visit.referral.pk,
        "consultation": consultation.pk,
        "quartier": district.q1a.pk,
        "device": device.pk,
        "conflict": conflict.pk,
        "screening": screening.pk,
        "dossier": dossier.pk,
        "document": dossier.documents.first().pk,
        "dhis2_push": recorded_push(users.me).pk,
    }


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_every_role_gets_the_expected_answer(name, actors, objects):
    method, template, answers = MATRIX[name]
    path = template.format(**objects)
    failures = []
    for role in ROLES:
        client = APIClient()
        client.force_login(actors[role])
        if method == "GET":
            response = client.get(path)
        else:
            response = client.post(path, {"family_name": "Traoré", "quartier": objects["quartier"]})
        expected = answers[role]
        ok = (
            response.status_code in (200, 201, 400)
            if expected == ALLOWED
            else response.status_code == expected
        )
        if not ok:
            failures.append(f"{role}: {response.status_code} (expected {expected})")
    assert not failures, f"{method} {path}: " + "; ".join(failures)


@pytest.mark.parametrize("path", ["/", "/menages/", "/api/v1/households/", "/api/v1/persons/"])
def test_anonymous_visitors_are_sent_to_login_or_refused(client, path):
    response = client.get(path)
    if path.startswith("/api/"):
        assert response.status_code in (401, 403)
    else:
        assert response.status_code == 302 and "/comptes/connexion/" in response["Location"]
