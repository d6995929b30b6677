from django.urls import path

from .views import compensation, delivery, documents, letters, tone

app_name = "answers"
urlpatterns = [
    path("compensation/pending/", compensation.pending, name="compensation_pending"),
    path("<number:number>/compensation/", compensation.grant, name="compensation_grant"),
    path("<number:number>/compensation/price/", compensation.price, name="compensation_price"),
    path("<number:number>/compensation/<int:pk>/approve/", compensation.approve,
         name="compensation_approve"),
    path("<number:number>/compensation/<int:pk>/refuse/", compensation.refuse, name="compensation_refuse"),
    path("tone/", tone.tone_check_partial, name="tone_check"),
    path("<number:number>/letter/draft/", letters.draft, name="letter_draft"),
    path("<number:number>/letter/<int:pk>/", letters.edit, name="letter_edit"),
    path("<number:number>/letters/<int:pk>/send/", delivery.answer_send, name="send"),
    path("<number:number>/deliveries/<int:pk>/retry/", delivery.delivery_retry, name="retry"),
    path("<number:number>/deliveries/<int:pk>/posted/", delivery.delivery_posted, name="posted"),
    path("<number:number>/deliveries/<int:pk>/post.pdf", delivery.post_pdf, name="post_pdf"),
    path("track/<number:number>/letters/<int:pk>.pdf", delivery.tracking_pdf, name="tracking_pdf"),
    path("<number:number>/letters/<int:pk>/pdf/", documents.letter_pdf, name="letter_pdf"),
    path("<number:number>/letters/<int:pk>/docx/", documents.letter_docx, name="letter_docx"),
    path("<number:number>/pdf/", documents.card_pdf, name="card_pdf"),
]
