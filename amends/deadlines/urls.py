from django.urls import path

from . import views

app_name = "deadlines"
urlpatterns = [
    path("mine/", views.deadlines_mine, name="mine"),
    path("<str:number>/waiting/", views.waiting_start, name="waiting_start"),
    path("<str:number>/waiting/end/", views.waiting_end, name="waiting_end"),
    path("<str:number>/preset/", views.preset_choose, name="preset_choose"),
    path("<str:number>/clocks/<int:pk>/extend/", views.clock_extend, name="clock_extend"),
]
