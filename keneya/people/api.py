"""REST API for the registry: /api/v1/households/ and /api/v1/persons/ (scoped, paginated).

Views parse and check; the services write; the queries read. Bad input is a 400 with field
errors and nothing saved (services are transactional).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from keneya.accounts.permissions import Capability, HasCapability
from keneya.core.api import ID_TAKEN_SCHEMA, FieldsBuiltOnce, SearchPagination
from keneya.core.errors import IdTaken
from keneya.core.models import Area, AreaLevel
from keneya.core.readers import FastListSerializer
from keneya.people import queries, services
from keneya.people.models import Household, HouseholdStatus, Person, Relationship, Sex
from keneya.people.scope import households_visible_to


class PersonSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    id = serializers.UUIDField(required=False, help_text="UUID généré par le client (optionnel).")
    household = serializers.PrimaryKeyRelatedField(queryset=Household.objects.none())
    sex = serializers.ChoiceField(choices=Sex.choices)
    relationship_to_head = serializers.ChoiceField(choices=Relationship.choices, default=Relationship.OTHER)

    class Meta:
        model = Person
        fields = [
            "id",
            "household",
            "family_name",
            "given_names",
            "sex",
            "date_of_birth",
            "date_of_birth_estimated",
            "relationship_to_head",
            "phone",
            "nina",
            "birth_certificate_number",
            "ramed_number",
            "mutuelle_number",
            "vital_status",
            "date_of_death",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["vital_status", "date_of_death", "created_at", "updated_at"]
        extra_kwargs = {"family_name": {"allow_blank": True}, "given_names": {"allow_blank": True}}
        list_serializer_class = FastListSerializer

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if self.instance is not None:
            self.fields["household"].read_only = True
        elif request is not None:  # a new person: only into a household the user sees
            field: Any = self.fields["household"]
            field.queryset = households_visible_to(request.user)


class MemberSerializer(serializers.Serializer):
    """A member given inline when a household is registered."""

    id = serializers.UUIDField(required=False)
    family_name = serializers.CharField(allow_blank=True, max_length=80)
    given_names = serializers.CharField(allow_blank=True, max_length=120)
    sex = serializers.ChoiceField(choices=Sex.choices)
    date_of_birth = serializers.DateField()
    date_of_birth_estimated = serializers.BooleanField(default=False)
    relationship_to_head = serializers.ChoiceField(choices=Relationship.choices, default="other")
    phone = serializers.CharField(allow_blank=True, required=False, default="")
    nina = serializers.CharField(allow_blank=True, required=False, default="")
    birth_certificate_number = serializers.CharField(allow_blank=True, required=False, default="")
    ramed_number = serializers.CharField(allow_blank=True, required=False, default="")
    mutuelle_number = serializers.CharField(allow_blank=True, required=False, default="")


class HouseholdSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(required=False, help_text="UUID généré par le client (optionnel).")
    quartier = serializers.PrimaryKeyRelatedField(queryset=Area.objects.filter(level=AreaLevel.QUARTIER))
    status = serializers.ChoiceField(choices=HouseholdStatus.choices, required=False)
    members = MemberSerializer(many=True, required=False, write_only=True)
    gps_latitude = serializers.FloatField(required=False, allow_null=True)
    gps_longitude = serializers.FloatField(required=False, allow_null=True)

    class Meta:
        model = Household
        fields = [
            "id",
            "code",
            "quartier",
            "address_description",
            "gps_latitude",
            "gps_longitude",
            "head",
            "phone",
            "phone_alt",
            "chw",
            "status",
            "members",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["code", "head", "chw", "created_at", "updated_at"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance is not None:
            self.fields["quartier"].read_only = True


def _raise_as_drf(exc: DjangoValidationError) -> None:
    if isinstance(exc, IdTaken):
        raise exc  # the 409 that reveals nothing (core.api.exception_handler)
    raise serializers.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)


@extend_schema_view(
    list=extend_schema(
        summary="Ménages visibles par l'utilisateur",
        parameters=[
            OpenApiParameter("search", str, description="Nom, code ou téléphone"),
            OpenApiParameter("quartier", str),
            OpenApiParameter("status", str),
        ],
    ),
    create=extend_schema(
        summary="Enregistrer un ménage (et ses membres), idempotent sur id",
        responses={201: HouseholdSerializer, 200: HouseholdSerializer, 409: ID_TAKEN_SCHEMA},
    ),
)
class HouseholdViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = HouseholdSerializer
    permission_classes = [HasCapability]
    required_capabilities = {
        "GET": Capability.REGISTRY_VIEW,
        "HEAD": Capability.REGISTRY_VIEW,
        "OPTIONS": Capability.REGISTRY_VIEW,
        "POST": Capability.REGISTRY_EDIT,
        "PUT": Capability.REGISTRY_EDIT,
        "PATCH": Capability.REGISTRY_EDIT,
    }
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Household]:
        params = self.request.query_params
        return queries.household_list(
            user=self.request.user,
            search=params.get("search", ""),
            quartier=params.get("quartier"),
            status=params.get("status"),
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        members = [services.PersonData(**m) for m in data.pop("members", [])]
        existed = data.get("id") is not None and Household.objects.filter(pk=data["id"]).exists()
        data.pop("status", None)
        try:
            household = services.register_household(by=request.user, members=members, **data)
        except DjangoValidationError as exc:
            _raise_as_drf(exc)
        out = self.get_serializer(household).data
        return Response(out, status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        household = self.get_object()
        partial = kwargs.get("partial", False)
        serializer = self.get_serializer(household, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        changes = {
            k: v for k, v in serializer.validated_data.items() if k in services.HOUSEHOLD_UPDATABLE_FIELDS
        }
        try:
            household = services.update_household(by=request.user, household=household, changes=changes)
        except DjangoValidationError as exc:
            _raise_as_drf(exc)
        return Response(self.get_serializer(household).data)


class SimilarPersonSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="person.id")
    family_name = serializers.CharField(source="person.family_name")
    given_names = serializers.CharField(source="person.given_names")
    sex = serializers.CharField(source="person.sex")
    birth_year = serializers.IntegerField(source="person.date_of_birth.year")
    household_code = serializers.CharField(source="person.household.code")
    quartier = serializers.CharField(source="person.household.quartier.name")
    similarity = serializers.FloatField()


class SimilarQuerySerializer(serializers.Serializer):
    quartier = serializers.PrimaryKeyRelatedField(queryset=Area.objects.filter(level=AreaLevel.QUARTIER))
    family_name = serializers.CharField(max_length=80)
    given_names = serializers.CharField(max_length=120)
    sex = serializers.ChoiceField(choices=Sex.choices)
    date_of_birth = serializers.DateField()

    def validate_quartier(self, quartier: Area) -> Area:
        from keneya.accounts.scope import area_scoped_quartier_ids

        request = self.context.get("request")
        scoped = area_scoped_quartier_ids(request.user) if request is not None else set()
        if scoped is not None and quartier.pk not in scoped:
            raise serializers.ValidationError("Ce quartier n'est pas dans votre zone.")
        return quartier


@extend_schema_view(
    list=extend_schema(
        summary="Personnes visibles par l'utilisateur",
        parameters=[OpenApiParameter("search", str), OpenApiParameter("household", str)],
    ),
    create=extend_schema(
        summary="Ajouter un membre à un ménage, idempotent sur id",
        responses={201: PersonSerializer, 200: PersonSerializer, 409: ID_TAKEN_SCHEMA},
    ),
)
class PersonViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = PersonSerializer
    pagination_class = SearchPagination
    permission_classes = [HasCapability]
    required_capabilities = HouseholdViewSet.required_capabilities
    filter_backends: list[Any] = []

    def get_object(self) -> Person:
        if self.action != "retrieve":
            return super().get_object()
        # The lookup proper (issue #4): one query, scope included, no list ordering.
        try:
            person = queries.person_detail(user=self.request.user, person_id=self.kwargs["pk"])
        except (Person.DoesNotExist, DjangoValidationError, TypeError, ValueError):
            raise Http404 from None
        self.check_object_permissions(self.request, person)
        return person

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(PersonSerializer.represent(self.get_object()))

    def get_queryset(self) -> QuerySet[Person]:
        params = self.request.query_params
        persons = queries.person_list(
            user=self.request.user,
            search=params.get("search", ""),
            household=params.get("household"),
        )
        if self.action in ("update", "partial_update"):
            persons = persons.select_related("household")  # update_person reads it
        return persons

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        household = data.pop("household")
        existed = data.get("id") is not None and Person.objects.filter(pk=data["id"]).exists()
        try:
            person = services.add_member(
                by=request.user, household=household, data=services.PersonData(**data)
            )
        except DjangoValidationError as exc:
            _raise_as_drf(exc)
        out = self.get_serializer(person).data
        return Response(out, status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        person = self.get_object()
        serializer = self.get_serializer(person, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        changes = {
            k: v for k, v in serializer.validated_data.items() if k in services.UPDATABLE_PERSON_FIELDS
        }
        try:
            person = services.update_person(by=request.user, person=person, changes=changes)
        except DjangoValidationError as exc:
            _raise_as_drf(exc)
        return Response(self.get_serializer(person).data)

    @extend_schema(
        summary="Personnes qui ressemblent (avant d'enregistrer)",
        parameters=[SimilarQuerySerializer],
        responses=SimilarPersonSerializer(many=True),
    )
    @action(detail=False, methods=["get"])
    def similar(self, request: Request) -> Response:
        """Within the caller's scope only: a quartier of their zone, and among its look-alikes
        only the persons the caller may read (as the duplicate check of the pages)."""
        query = SimilarQuerySerializer(data=request.query_params, context={"request": request})
        query.is_valid(raise_exception=True)
        candidates = queries.similar_persons(**query.validated_data, visible_to=request.user)
        return Response(SimilarPersonSerializer(candidates, many=True).data)
