app_name = "email"
urlpatterns: list = []
