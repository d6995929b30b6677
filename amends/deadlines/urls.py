from django.urls import path

from . import views

app_name = "deadlines"
urlpatterns = [
    path("mine/", views.deadlines_mine, name="mine"),
    path("<number:number>/waiting/", views.waiting_start, name="waiting_start"),
    path("<number:number>/waiting/end/", views.waiting_end, name="waiting_end"),
    path("<number:number>/preset/", views.preset_choose, name="preset_choose"),
    path("<number:number>/clocks/<int:pk>/extend/", views.clock_extend, name="clock_extend"),
]
