"""The search documents of guideline provisions (with their operations table rows)."""

from alliance.models import Topic
from alliance.search.index import Document, follow, follow_m2m, register
from guidelines.models import Edition, OperationRole, Provision


def provision_documents(ids):
    provisions = Provision.objects.filter(pk__in=ids).select_related("edition").prefetch_related("operation_roles", "topics")
    documents = {}
    for provision in provisions:
        head = [provision.path, provision.heading_ja, provision.heading_en]
        fields = [provision.text_ja, provision.text_en, provision.text_printed]
        for role in provision.operation_roles.all():
            fields += [role.operation_ja, role.operation_en, role.joint_ja, role.joint_en, role.sdf_ja, role.sdf_en,
                       role.us_ja, role.us_en, role.text_printed]
        about = [name for topic in provision.topics.all() for name in topic.names]  # by name: ISR
        facets = {"topic": [topic.slug for topic in provision.topics.all()], "edition": [provision.edition.year]}
        documents[provision.pk] = Document(provision.edition.adopted_on, fields, facets, head=head, about=about)
    return documents


register("provision", Provision, provision_documents, ("topic", "edition"))

follow(Provision, lambda provision: [("provision", [provision.pk])])
follow(OperationRole, lambda role: [("provision", [role.provision_id])])
follow_m2m(Provision.topics, lambda provision: [("provision", [provision.pk])])
follow(Topic, lambda topic: [("provision", topic.provisions.values_list("pk", flat=True))])
follow(Edition, lambda edition: [("provision", edition.provisions.values_list("pk", flat=True))] if edition.pk else [])
