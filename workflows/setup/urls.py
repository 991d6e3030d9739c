from django.urls import path

from workflows.setup import views as pool_views

urlpatterns = [
    path("", pool_views.setup_list, name="assessment_setup_list"),
    path("<int:pk>/", pool_views.setup_edit, name="assessment_setup_edit"),
]
