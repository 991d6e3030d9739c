from django.urls import path

from workflows.staff import views

app_name = "staff"

urlpatterns = [
    path("", views.people, name="people"),
    path("invite/", views.invite, name="invite"),
    path("<int:pk>/", views.person, name="person"),
    path("<int:pk>/invitation/", views.resend_invitation, name="resend_invitation"),
    path("<int:pk>/deactivate/", views.deactivate, name="deactivate"),
    path("<int:pk>/reactivate/", views.reactivate, name="reactivate"),
]
