from django.urls import path

from .views import board, monthly

app_name = "analytics"
urlpatterns = [
    # The monthly pack before the dashboards' "<slug:key>/", which would take "monthly/".
    path("monthly/", monthly.monthly, name="monthly"),
    path("monthly/xlsx/", monthly.monthly_xlsx, name="monthly_xlsx"),
    path("monthly/pdf/", monthly.monthly_pdf, name="monthly_pdf"),
    path("monthly/review/", monthly.monthly_review, name="monthly_review"),
    path("monthly/decisions/", monthly.monthly_decision_add, name="monthly_decision_add"),
    path("monthly/decisions/<int:pk>/", monthly.monthly_decision_update, name="monthly_decision_update"),
    path("", board.dashboard, name="dashboard"),
    path("cards/", board.cards, name="cards"),
]
