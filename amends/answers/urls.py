from django.urls import path

from . import document_views, letter_views, views_compensation, views_deliver, views_tone

app_name = "answers"
urlpatterns = [
    path("compensation/pending/", views_compensation.pending, name="compensation_pending"),
    path("<number:number>/compensation/", views_compensation.grant, name="compensation_grant"),
    path("<number:number>/compensation/price/", views_compensation.price, name="compensation_price"),
    path("<number:number>/compensation/<int:pk>/approve/", views_compensation.approve,
         name="compensation_approve"),
    path("<number:number>/compensation/<int:pk>/refuse/", views_compensation.refuse, name="compensation_refuse"),
    path("tone/", views_tone.tone_check_partial, name="tone_check"),
    path("<number:number>/letter/draft/", letter_views.draft, name="letter_draft"),
    path("<number:number>/letter/<int:pk>/", letter_views.edit, name="letter_edit"),
    path("<number:number>/letters/<int:pk>/send/", views_deliver.answer_send, name="send"),
    path("<number:number>/deliveries/<int:pk>/retry/", views_deliver.delivery_retry, name="retry"),
    path("<number:number>/deliveries/<int:pk>/posted/", views_deliver.delivery_posted, name="posted"),
    path("<number:number>/deliveries/<int:pk>/post.pdf", views_deliver.post_pdf, name="post_pdf"),
    path("track/<number:number>/letters/<int:pk>.pdf", views_deliver.tracking_pdf, name="tracking_pdf"),
    path("<number:number>/letters/<int:pk>/pdf/", document_views.letter_pdf, name="letter_pdf"),
    path("<number:number>/letters/<int:pk>/docx/", document_views.letter_docx, name="letter_docx"),
    path("<number:number>/pdf/", document_views.card_pdf, name="card_pdf"),
]
