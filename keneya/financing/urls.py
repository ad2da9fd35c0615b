from django.urls import path

from keneya.financing import views

app_name = "financing"

urlpatterns = [
    path("tontines/", views.group_list, name="group_list"),
    path("tontines/savix.csv", views.savix, name="savix"),
    path("tontines/<uuid:group_id>/", views.group_detail, name="group_detail"),
    path("tontines/<uuid:group_id>/reunion/", views.meeting_sheet, name="meeting_sheet"),
    path("tontines/<uuid:group_id>/pret-sante/", views.loan_create, name="loan_create"),
    path("tontines/<uuid:group_id>/partage/", views.share_out, name="share_out"),
    path("tontines/<uuid:group_id>/livre-de-caisse.pdf", views.cash_book, name="cash_book"),
    path("tontines/<uuid:group_id>/membres/<uuid:person_id>/releve.pdf", views.statement, name="statement"),
    path("tontines/prets/<uuid:loan_id>/", views.loan_detail, name="loan_detail"),
    path("tontines/prets/<uuid:loan_id>/decision/", views.loan_decision, name="loan_decision"),
]
