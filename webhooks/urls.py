from django.urls import path

from webhooks import views

app_name = "webhooks"

urlpatterns = [
    path("", views.subscription_list, name="list"),
    path("new/", views.subscription_create, name="create"),
    path("<int:pk>/", views.subscription_detail, name="detail"),
    path("<int:pk>/edit/", views.subscription_edit, name="edit"),
    path("<int:pk>/disable/", views.subscription_disable, name="disable"),
    path("<int:pk>/enable/", views.subscription_enable, name="enable"),
    path("<int:pk>/secret/", views.subscription_secret, name="secret"),
    path("deliveries/<uuid:delivery_id>/", views.delivery_detail, name="delivery"),
    path("deliveries/<uuid:delivery_id>/replay/", views.delivery_replay, name="replay"),
]
