from django.urls import path

from . import views

urlpatterns = [
    path("events/", views.EventList.as_view(), name="api-events"),
    path("offices/", views.OfficeList.as_view(), name="api-offices"),
]
