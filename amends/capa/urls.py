from django.urls import path

from .views import actions, card, norms, proposals, records, root_cause, suppliers

app_name = "capa"

# Each part adds its paths; `<record:number>` is a nonconformity's number (converters.py).
urlpatterns: list = [
    path("", records.register, name="list"),
    path("new/", records.new, name="new"),
    path("<record:number>/", records.record, name="record"),
    path("<record:number>/appoint/", records.appoint, name="appoint"),
    path("<record:number>/edit/", records.edit, name="edit"),
    path("<record:number>/steps/<slug:step>/", records.step, name="step"),
    path("<record:number>/complaints/", records.link, name="link"),
    path("<record:number>/complaints/<number:card>/unlink/", records.unlink, name="unlink"),
    path("<record:number>/actions/", actions.action_plan, name="action_plan"),
    path("<record:number>/actions/complete/", actions.plan_complete, name="plan_complete"),
    path("<record:number>/actions/<int:pk>/report/", actions.action_report, name="action_report"),
    path("<record:number>/actions/<int:pk>/cancel/", actions.action_cancel, name="action_cancel"),
    path("<record:number>/actions/<int:pk>/reschedule/", actions.action_reschedule, name="action_reschedule"),
    path("<record:number>/actions/<int:pk>/check/", actions.action_check, name="action_check"),
    path("<record:number>/whys/", root_cause.whys, name="whys"),
    path("<record:number>/fishbone/", root_cause.fishbone_add, name="fishbone_add"),
    path("<record:number>/fishbone/<int:pk>/remove/", root_cause.fishbone_remove, name="fishbone_remove"),
    path("<record:number>/fishbone/<int:pk>/confirm/", root_cause.fishbone_confirm, name="fishbone_confirm"),
    path("<record:number>/analysis/", root_cause.analysis, name="analysis"),
    path("<record:number>/print/", root_cause.print_page, name="print"),
    path("<record:number>/pdf/", root_cause.pdf, name="pdf"),
    path("card/selected/", card.from_list, name="from_list"),
    path("card/<number:number>/link/", card.card_link, name="card_link"),
    path("card/<number:number>/open/", card.card_open, name="card_open"),
    path("card/<number:number>/measures/<int:pk>/promote/", card.promote, name="measure_promote"),
    path("proposals/", proposals.proposals, name="proposals"),
    path("proposals/<int:pk>/accept/", proposals.accept, name="proposal_accept"),
    path("proposals/<int:pk>/dismiss/", proposals.dismiss, name="proposal_dismiss"),
    path("norms/", norms.norms, name="norms"),
    path("norms/cards/", norms.norm_cards, name="norm_cards"),
    path("suppliers/", suppliers.suppliers, name="suppliers"),
    path("suppliers/<int:pk>/", suppliers.supplier, name="supplier"),
    path("suppliers/<int:pk>/scorecard.xlsx", suppliers.supplier_xlsx, name="supplier_xlsx"),
    path("suppliers/<int:pk>/scorecard.pdf", suppliers.supplier_pdf, name="supplier_pdf"),
]
