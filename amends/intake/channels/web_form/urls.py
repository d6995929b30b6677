app_name = "web_form"
urlpatterns: list = []
