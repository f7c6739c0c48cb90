"""Every free-text field people write has a maximum length, refused naming the field in the
API (400), in the browser forms (a message) and in the admin (the model's max_length)."""

import importlib
import inspect
import pkgutil

import pytest
from django.apps import apps
from django.db import models
from rest_framework import serializers

from intake.models import Request
from prodops.core import limits
from tests.factories import RequestFactory

pytestmark = pytest.mark.django_db

PROJECT_PACKAGES = ("intake", "roadmap", "outcomes", "docs_hub", "prodops")
# Strings whose shape is checked elsewhere (dates, numbers, addresses), not free text.
SHAPED_FORMATS = {"date", "date-time", "decimal", "email", "uri", "uuid", "password"}
# Written by the system, never typed by a person.
SYSTEM_WRITTEN = {
    ("activity", "ActivityEvent"),
    ("notifications", "Notification"),
    ("core", "BeatMarker"),
    ("authtoken", "Token"),
}


def _schema(api_clients) -> dict:
    return api_clients["admin"].get("/api/schema/?format=json").json()


def _resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def _request_bodies(schema: dict):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                yield (
                    f"{method.upper()} {path}",
                    _resolve(schema, content["application/json"]["schema"]),
                )


def _free_text(prop: dict) -> bool:
    if prop.get("type") != "string" or prop.get("readOnly"):
        return False
    return "enum" not in prop and prop.get("format") not in SHAPED_FORMATS


def test_every_text_field_of_every_request_body_has_a_max_length(api_clients):
    schema = _schema(api_clients)
    missing = []
    for where, body in _request_bodies(schema):
        for name, prop in body.get("properties", {}).items():
            prop = _resolve(schema, prop) if "$ref" in prop else prop
            if _free_text(prop) and "maxLength" not in prop:
                missing.append(f"{where}: {name}")
    assert not missing, "free text without a maxLength:\n" + "\n".join(missing)


def _project_serializers() -> list[type[serializers.Serializer]]:
    found = set()
    for package_name in PROJECT_PACKAGES:
        package = importlib.import_module(package_name)
        for module_info in pkgutil.walk_packages(package.__path__, f"{package_name}."):
            name = module_info.name
            if not name.rsplit(".", 1)[-1].endswith(("serializers", "api")):
                continue
            module = importlib.import_module(name)
            for _, cls in inspect.getmembers(module, inspect.isclass):
                if issubclass(cls, serializers.Serializer) and cls.__module__.startswith(
                    PROJECT_PACKAGES
                ):
                    found.add(cls)
    return sorted(found, key=lambda cls: f"{cls.__module__}.{cls.__name__}")


def _request_components(schema: dict) -> set[str]:
    """Names of the components request bodies use, directly or nested."""
    names, todo = set(), []
    for operations in schema["paths"].values():
        for operation in operations.values():
            for media in operation.get("requestBody", {}).get("content", {}).values():
                todo.append(media["schema"])
    while todo:
        node = todo.pop()
        if isinstance(node, dict):
            if "$ref" in node:
                name = node["$ref"].rsplit("/", 1)[1]
                if name not in names:
                    names.add(name)
                    todo.append(schema["components"]["schemas"][name])
            todo.extend(node.values())
        elif isinstance(node, list):
            todo.extend(node)
    return names


def _input_serializers(schema: dict) -> list[type[serializers.Serializer]]:
    """The serializers the API reads bodies with: those whose request component
    (`<Name>Request`, split from the response one) is in the schema."""
    components = _request_components(schema)
    chosen = []
    for cls in _project_serializers():
        base = cls.__name__.removesuffix("Serializer")
        if {f"{base}Request", f"Patched{base}Request"} & components:
            chosen.append(cls)
    return chosen


def test_every_writable_text_field_of_every_input_serializer_refuses_over_long_input(
    api_clients,
):
    chosen = _input_serializers(_schema(api_clients))
    assert len(chosen) >= 10, [cls.__name__ for cls in chosen]
    walked = []
    for cls in chosen:
        for name, field in cls().fields.items():
            if field.read_only or not isinstance(field, serializers.CharField):
                continue
            if isinstance(field, serializers.ChoiceField):
                continue
            where = f"{cls.__name__}.{name}"
            assert field.max_length, f"{where} has no max_length"
            data = cls(data={name: "x" * (field.max_length + 1)}, partial=True)
            assert not data.is_valid(), where
            assert name in data.errors, (where, data.errors)
            walked.append(where)
    for expected in (
        "RequestSerializer.description",
        "CommentSerializer.body",
        "TransitionSerializer.reason",
        "RoadmapSerializer.notes",
        "RoadmapItemSerializer.internal_notes",
        "ObjectiveSerializer.description",
    ):
        assert expected in walked


def test_every_text_field_people_write_has_a_model_max_length():
    """Model forms, serializers and the admin all inherit the model's max_length."""
    missing = []
    for model in apps.get_models():
        label = (model._meta.app_label, model.__name__)
        if not model.__module__.startswith(PROJECT_PACKAGES) or label in SYSTEM_WRITTEN:
            continue
        for field in model._meta.get_fields():
            if isinstance(field, models.TextField | models.CharField) and not field.max_length:
                missing.append(f"{model.__name__}.{field.name}")
    assert not missing, missing


def test_api_refuses_an_over_long_description_naming_the_field(api_clients):
    too_long = "x" * (limits.MARKDOWN + 1)
    response = api_clients["stakeholder"].post(
        "/api/v1/requests/", {"title": "Fine", "description": too_long}, format="json"
    )
    assert response.status_code == 400
    assert "description" in response.json()
    assert not Request.objects.filter(title="Fine").exists()


def test_api_refuses_an_over_long_comment_naming_the_field(api_clients, users):
    request = RequestFactory(requester=users["stakeholder"])
    response = api_clients["stakeholder"].post(
        f"/api/v1/requests/{request.pk}/comments/",
        {"body": "x" * (limits.COMMENT + 1)},
        format="json",
    )
    assert response.status_code == 400 and "body" in response.json()


def test_browser_form_says_the_description_is_too_long(clients):
    page = clients["stakeholder"].post(
        "/requests/new/",
        {
            "title": "From the form",
            "description": "x" * (limits.MARKDOWN + 1),
            "audience": "internal",
            "category": "other",
        },
    )
    assert page.status_code in (200, 400)
    assert "Ensure this value has at most 20000 characters" in page.content.decode()
    assert not Request.objects.filter(title="From the form").exists()


def test_admin_form_inherits_the_limits():
    from intake.admin import RequestAdminForm

    assert RequestAdminForm.base_fields["description"].max_length == limits.MARKDOWN
    assert RequestAdminForm.base_fields["title"].max_length == 200
