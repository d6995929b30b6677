from django.urls import path

from .views import suppliers

app_name = "capa"

urlpatterns: list = [
    path("suppliers/", suppliers.suppliers, name="suppliers"),
    path("suppliers/<int:pk>/", suppliers.supplier, name="supplier"),
    path("suppliers/<int:pk>/scorecard.xlsx", suppliers.supplier_xlsx, name="supplier_xlsx"),
    path("suppliers/<int:pk>/scorecard.pdf", suppliers.supplier_pdf, name="supplier_pdf"),
]
