from django.urls import path  # noqa: F401 - each part adds its paths

from .views import proposals

app_name = "capa"

urlpatterns: list = [
    path("proposals/", proposals.proposals, name="proposals"),
    path("proposals/<int:pk>/accept/", proposals.accept, name="proposal_accept"),
    path("proposals/<int:pk>/dismiss/", proposals.dismiss, name="proposal_dismiss"),
]
