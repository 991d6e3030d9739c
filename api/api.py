"""The REST API at ``/api/v1/``: its OpenAPI document, its documentation page and its routers."""

from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI
from ninja.openapi.docs import DocsBase

from api import problems
from api.auth import session_auth, token_auth
from api.models import Scope
from api.routers import cases, catalogue, credentials, tasks, verification

HTTP_METHODS = ("get", "post", "put", "patch", "delete")


class ReferencePage(DocsBase):
    """The reference rendered on the server from the OpenAPI document: no script, no CDN."""

    def render_page(self, request, api, **kwargs):
        schema = api.get_openapi_schema(path_params=kwargs)
        groups: dict[str, list] = {}
        for path, methods in schema["paths"].items():
            for method, operation in methods.items():
                if method not in HTTP_METHODS:
                    continue
                tag = (operation.get("tags") or ["api"])[0]
                groups.setdefault(tag, []).append(
                    {
                        "method": method.upper(),
                        "path": path,
                        "anchor": operation["operationId"],
                        "summary": operation.get("summary", ""),
                        "description": operation.get("description", ""),
                        "public": "security" not in operation,
                        "parameters": operation.get("parameters", []),
                        "body": list(operation.get("requestBody", {}).get("content", {})),
                        "responses": sorted(operation["responses"].items()),
                    }
                )
        return render(
            request,
            "api/docs.html",
            {
                "api": api,
                "openapi_url": self.get_openapi_url(api, kwargs),
                "groups": groups,
                "scopes": Scope.choices,
            },
        )


class Api(NinjaAPI):
    def get_openapi_operation_id(self, operation) -> str:
        """``rpl_api_<router module>_<view>``: a published contract (clients generate code from
        it), so it does not follow where the Python modules live."""
        router = operation.view_func.__module__.rsplit(".", 1)[-1]
        return f"rpl_api_{router}_{operation.view_func.__name__}"

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        """Document the problem schema and, on every operation, the errors it may answer."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        definition = problems.Problem.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(definition.pop("$defs", {}))
        components["Problem"] = definition
        for methods in schema["paths"].values():
            for operation in methods.values():
                statuses = [404, 405, 422]
                if "security" in operation:
                    statuses += [401, 403]
                if "requestBody" in operation:
                    statuses.append(400)
                documented = problems.responses(*statuses)["responses"]
                for status, response in documented.items():
                    operation["responses"].setdefault(status, response)
        return schema


api = Api(
    title="RPL API",
    version="1",
    description=_(
        "Recognition of prior learning: the catalogue, cases, evidence, credentials and "
        "their verification."
    ),
    urls_namespace="api-v1",
    auth=[token_auth, session_auth],
    docs=ReferencePage(),
)
problems.install(api)
api.add_router("/catalogue", catalogue.router)
api.add_router("/cases", cases.router)
api.add_router("/credentials", credentials.router)
api.add_router("/tasks", tasks.router)
api.add_router("", verification.router)
