"""The vocabulary's resources, and the serializers other apps' resources share."""

from rest_framework import serializers, viewsets

from alliance.models import BodyNote, BodyParticipant, ConsultationBody, Organization, Person, Post, Source, Tenure, Topic


class SourceSerializer(serializers.ModelSerializer):
    publication = serializers.CharField(source="publication.title_en")
    citation = serializers.CharField(source="citation_en")
    citation_ja = serializers.CharField()

    class Meta:
        model = Source
        fields = ["slug", "publication", "figure", "page", "citation", "citation_ja", "abridged"]


class TopicSerializer(serializers.ModelSerializer):
    class Meta:
        model = Topic
        fields = ["slug", "name_ja", "name_en"]


class OrganizationSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)

    class Meta:
        model = Organization
        fields = ["slug", "name_ja", "name_en", "abbreviation", "country", "parent"]


class PostSerializer(serializers.ModelSerializer):
    organization = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Post
        fields = ["slug", "title_ja", "title_en", "organization", "country"]


class TenureSerializer(serializers.ModelSerializer):
    post = PostSerializer()

    class Meta:
        model = Tenure
        fields = ["post", "start", "start_precision", "end", "end_precision"]


class PersonSerializer(serializers.ModelSerializer):
    tenures = TenureSerializer(many=True)
    source = SourceSerializer()

    class Meta:
        model = Person
        fields = ["slug", "name_ja", "name_en", "name_kana", "country", "aliases", "tenures", "source"]


class ParticipantSerializer(serializers.ModelSerializer):
    post = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    organization = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)

    class Meta:
        model = BodyParticipant
        fields = ["side", "position", "label_ja", "label_en", "post", "organization", "since", "until"]


class NoteSerializer(serializers.ModelSerializer):
    class Meta:
        model = BodyNote
        fields = ["number", "applies_to", "text_ja", "text_en"]


class AliasPeriodSerializer(serializers.Serializer):
    since = serializers.DateField(required=False, allow_null=True)
    until = serializers.DateField(required=False, allow_null=True)


class BodySerializer(serializers.ModelSerializer):
    alias_periods = serializers.DictField(
        child=AliasPeriodSerializer(), read_only=True,
        help_text="When an alias was in use, for those not always in use: {\"2+2\": {\"since\": \"1990-12-26\"}}.")
    parent = serializers.SlugRelatedField(slug_field="abbreviation", read_only=True, allow_null=True)
    legal_articles = serializers.StringRelatedField(many=True)
    participants = ParticipantSerializer(many=True)
    notes = NoteSerializer(many=True)
    source = SourceSerializer()

    class Meta:
        model = ConsultationBody
        fields = ["abbreviation", "name_ja", "name_en", "aliases", "alias_periods", "parent", "purpose_ja", "purpose_en",
                  "legal_basis_ja", "legal_basis_en", "legal_articles", "established_on", "participants", "notes",
                  "en_unofficial", "source"]


class TopicViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Topic.objects.order_by("slug")
    serializer_class = TopicSerializer
    lookup_field = "slug"


class OrganizationViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Organization.objects.select_related("parent").order_by("country", "slug")
    serializer_class = OrganizationSerializer
    lookup_field = "slug"


class PostViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Post.objects.select_related("organization").order_by("country", "slug")
    serializer_class = PostSerializer
    lookup_field = "slug"


class PersonViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = PersonSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return Person.objects.with_tenures().order_by("name_kana")


class BodyViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = BodySerializer
    lookup_field = "abbreviation"

    def get_queryset(self):
        return ConsultationBody.objects.with_details().order_by("position")
