from django.urls import path

from .views import actions, card, records, root_cause

app_name = "capa"

urlpatterns: list = [
    path("<str:number>/", records.record, name="record"),
    path("<str:number>/actions/", actions.action_plan, name="action_plan"),
    path("<str:number>/actions/complete/", actions.plan_complete, name="plan_complete"),
    path("<str:number>/actions/<int:pk>/report/", actions.action_report, name="action_report"),
    path("<str:number>/actions/<int:pk>/cancel/", actions.action_cancel, name="action_cancel"),
    path("<str:number>/actions/<int:pk>/reschedule/", actions.action_reschedule, name="action_reschedule"),
    path("<str:number>/actions/<int:pk>/check/", actions.action_check, name="action_check"),
    path("card/selected/", card.from_list, name="from_list"),
    path("card/<number:number>/link/", card.card_link, name="card_link"),
    path("card/<number:number>/open/", card.card_open, name="card_open"),
    path("card/<number:number>/measures/<int:pk>/promote/", card.promote, name="measure_promote"),
    path("<str:number>/whys/", root_cause.whys, name="whys"),
    path("<str:number>/fishbone/", root_cause.fishbone_add, name="fishbone_add"),
    path("<str:number>/fishbone/<int:pk>/remove/", root_cause.fishbone_remove, name="fishbone_remove"),
    path("<str:number>/fishbone/<int:pk>/confirm/", root_cause.fishbone_confirm, name="fishbone_confirm"),
    path("<str:number>/analysis/", root_cause.analysis, name="analysis"),
    path("<str:number>/print/", root_cause.print_page, name="print"),
    path("<str:number>/pdf/", root_cause.pdf, name="pdf"),
]
