from django.urls import path  # noqa: F401 - each part adds its paths

from .views import records, root_cause

app_name = "capa"

urlpatterns: list = [
    # Placeholder of the records part's page, so that the root cause section's tests run; records' wins on merge.
    path("<str:number>/", records.record, name="record"),
    path("<str:number>/whys/", root_cause.whys, name="whys"),
    path("<str:number>/fishbone/", root_cause.fishbone_add, name="fishbone_add"),
    path("<str:number>/fishbone/<int:pk>/remove/", root_cause.fishbone_remove, name="fishbone_remove"),
    path("<str:number>/fishbone/<int:pk>/confirm/", root_cause.fishbone_confirm, name="fishbone_confirm"),
    path("<str:number>/analysis/", root_cause.analysis, name="analysis"),
    path("<str:number>/print/", root_cause.print_page, name="print"),
    path("<str:number>/pdf/", root_cause.pdf, name="pdf"),
]
