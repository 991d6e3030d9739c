from django.urls import URLPattern, path, re_path
from django.views.decorators.csrf import csrf_exempt

from api import views
from api.api import api
from api.problems import not_found_view, with_problem_405


def _problem_patterns(patterns):
    return [
        URLPattern(p.pattern, with_problem_405(p.callback), p.default_args, p.name)
        if isinstance(p, URLPattern)
        else p
        for p in patterns
    ]


api_patterns, api_app, api_namespace = api.urls

urlpatterns = [
    path("v1/", (_problem_patterns(api_patterns), api_app, api_namespace)),
    re_path(r"^v1/", csrf_exempt(not_found_view)),
    path("tokens/", views.tokens_page, name="api_tokens"),
    path("tokens/<int:pk>/revoke/", views.revoke, name="api_token_revoke"),
]
