from django.urls import path

from accounts import views

# No app namespace: "login", "logout" and "signup" are the names Django's auth and the templates use.
urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
]
