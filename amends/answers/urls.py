from django.urls import path

from . import views_deliver

app_name = "answers"
urlpatterns = [
    path("<number:number>/letters/<int:pk>/send/", views_deliver.answer_send, name="send"),
    path("<number:number>/deliveries/<int:pk>/retry/", views_deliver.delivery_retry, name="retry"),
    path("<number:number>/deliveries/<int:pk>/posted/", views_deliver.delivery_posted, name="posted"),
    path("<number:number>/deliveries/<int:pk>/post.pdf", views_deliver.post_pdf, name="post_pdf"),
    path("track/<number:number>/letters/<int:pk>.pdf", views_deliver.tracking_pdf, name="tracking_pdf"),
]
