from django.urls import path

from keneya.referrals import views

app_name = "referrals"

urlpatterns = [
    path("references/", views.referral_list, name="referral_list"),
    path("references/<uuid:referral_id>/fiche/", views.referral_slip, name="referral_slip"),
    path("references/<uuid:referral_id>/arrivee/", views.referral_arrived, name="referral_arrived"),
    path(
        "references/<uuid:referral_id>/non-arrivee/", views.referral_not_arrived, name="referral_not_arrived"
    ),
    path(
        "references/<uuid:referral_id>/contre-reference/",
        views.referral_counter_refer,
        name="referral_counter_refer",
    ),
    path("references/<uuid:referral_id>/cloture/", views.referral_close, name="referral_close"),
    path("patients/<uuid:person_id>/referer-csref/", views.refer_to_csref, name="refer_to_csref"),
]
